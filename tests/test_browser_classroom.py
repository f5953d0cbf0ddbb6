"""Predict, then reveal, in real browsers: the projector at 1920×1080 and a phone at 390×844 with touch.

The projector presses "Ask the class" and shows a QR code and a code readable from the back; the phone opens the
link, finds the question and its big buttons on the first screen, taps one; the projector's tally moves by
itself; the reveal shows the votes and plays the lesson's animation, and the phone shows the answer and the
picture at its width. A real `streamlit run app.py` (bench/wsclient.py's Server) on a fresh SQLite store.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.test_browser import SHOTS, _chromium, wait_until_finished

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from wsclient import Server  # noqa: E402

pytestmark = pytest.mark.browser
PHONE = dict(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2,
             user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/126.0 Mobile Safari/537.36")


@pytest.fixture(scope="module")
def browser_and_server(tmp_path_factory):
    chromium = _chromium()
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    work = tmp_path_factory.mktemp("classroom")
    with Server(work / "server.log", env={"VIZCORE_DATA": str(work / "data")}) as server:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            yield browser, server.http
            browser.close()


def font_px(locator) -> float:
    return float(locator.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))


def test_the_projector_asks_a_phone_votes_by_touch_and_the_reveal_answers_on_both(browser_and_server):
    browser, base = browser_and_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    projector = browser.new_page(viewport={"width": 1920, "height": 1080})
    projector.goto(f"{base}/layers?preset=disc2&present=1")
    wait_until_finished(projector)
    projector.get_by_role("button", name="Ask the class").click(timeout=90_000)
    projector.wait_for_selector(".vz-code", timeout=60_000)
    wait_until_finished(projector)
    code = projector.locator(".vz-code").inner_text().strip()
    qr = projector.locator("img[alt^='QR code']").bounding_box()
    assert qr["width"] >= 300 and qr["y"] + qr["height"] <= 1080  # scannable from the back, on the first screen
    assert font_px(projector.locator(".vz-join")) >= 16 and font_px(projector.locator(".vz-code")) >= 16
    assert font_px(projector.locator(".vz-prompt")) >= 16 and font_px(projector.locator(".vz-choice").first) >= 16
    assert font_px(projector.locator(".st-key-classroom_tally [data-testid=stMetricLabel] p")) >= 16
    assert projector.locator("[data-testid=stPlotlyChart]").count() == 0  # the picture waits for the reveal
    link = projector.locator("img[alt^='QR code']").get_attribute("alt").removeprefix("QR code of ")
    assert link == f"{base}/join?room={code}"  # the app's address, not the lesson's
    projector.screenshot(path=str(SHOTS / "classroom-projector-asking.png"))

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{base}/join?room={code}")
    wait_until_finished(phone)
    phone.wait_for_selector("[data-testid=stButton] button >> text=C ·", timeout=60_000)
    buttons = phone.locator("[data-testid=stButton] button")
    assert buttons.count() == 3
    for i in range(3):
        box = buttons.nth(i).bounding_box()
        assert box["height"] >= 48 and box["width"] >= 300 and box["y"] + box["height"] <= 844, box  # first screen
    prompt = phone.locator(".vz-phone-prompt").bounding_box()
    assert prompt["y"] >= 0 and font_px(phone.locator(".vz-phone-prompt")) >= 16
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.screenshot(path=str(SHOTS / "classroom-phone-question.png"))
    buttons.nth(1).tap()
    phone.wait_for_selector("text=Your vote", timeout=30_000)
    assert "vz_id" in [c["name"] for c in phone.context.cookies()]  # the voter token the page keeps
    phone.reload()  # a reload (or a reconnection) is the same voter: its vote is still B, counted once
    wait_until_finished(phone)
    phone.wait_for_selector("text=Your vote: B", timeout=30_000)

    projector.wait_for_function(  # the projector's tally moved by itself
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText.trim() === '1')",
        timeout=15_000)
    projector.get_by_role("button", name="Reveal").click(timeout=60_000)
    projector.wait_for_selector("text=✓ B: 70% to 99.9%", timeout=60_000)
    wait_until_finished(projector)
    projector.wait_for_function(  # the reveal plays the lesson's animation: its slider moves on by itself
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(g => g._fullLayout && g._fullLayout.sliders"
        " && g._fullLayout.sliders.length && g._fullLayout.sliders[0].active > 3)", timeout=30_000)
    projector.screenshot(path=str(SHOTS / "classroom-projector-revealed.png"))
    assert font_px(projector.get_by_text("votes in room")) >= 16

    phone.wait_for_selector("text=You were right", timeout=30_000)  # the phone redraws by itself
    phone.wait_for_selector("[data-testid=stPlotlyChart] .main-svg", timeout=60_000)
    chart = phone.locator("[data-testid=stPlotlyChart]").first.bounding_box()
    assert chart["width"] <= 390 and chart["height"] <= 450
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / "classroom-phone-revealed.png"), full_page=True)
    assert phone.query_selector_all("[data-testid=stException]") == []
    assert projector.query_selector_all("[data-testid=stException]") == []
