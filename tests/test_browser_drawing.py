"""Drawing your own data in a real browser, with a mouse and with a finger: points land where they are put,
erase and undo work, the page still scrolls around the plane, the link carries the drawing to a fresh browser,
in presentation mode and on a 390×844 phone. The server and Chromium are tests/test_browser.py's fixtures."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from tests.test_browser import _metric, page, server, wait_until_finished  # noqa: F401 (page, server: fixtures)
from vizcore import datasets, drawn

pytestmark = pytest.mark.browser
CELL = drawn.STEP  # a tapped point is within one grid cell of where it was tapped
QUICK = "steps=200"  # a small training: these tests are about the drawing


@pytest.fixture(scope="module")
def browser(page):
    return page.context.browser


def _open(context, url: str):
    tab = context.new_page()
    tab.goto(url)
    _settled(tab)
    return tab


def _settled(tab) -> None:
    wait_until_finished(tab)
    tab.wait_for_selector("canvas.vz-plane", timeout=60_000)
    tab.wait_for_timeout(200)


def _plane(tab) -> dict:
    box = tab.wait_for_selector("canvas.vz-plane").bounding_box()
    assert box["width"] == pytest.approx(box["height"], abs=1) and box["width"] > 200
    return box


def _at(box: dict, x: float, y: float) -> tuple[float, float]:
    """The page position of the plane's point (x, y)."""
    return (box["x"] + (x + drawn.PLANE) / (2 * drawn.PLANE) * box["width"],
            box["y"] + (drawn.PLANE - y) / (2 * drawn.PLANE) * box["height"])


def _drawing(tab) -> tuple[np.ndarray, np.ndarray]:
    return drawn.decode(parse_qs(urlparse(tab.url).query).get("points", [""])[0])


def _after(tab, act) -> tuple[np.ndarray, np.ndarray]:
    """The drawing in the address once ``act`` has changed it and the page has run again."""
    before = urlparse(tab.url).query
    act()
    tab.wait_for_function("(old) => location.search.slice(1) !== old", arg=before, timeout=60_000)
    _settled(tab)
    return _drawing(tab)


def _pick(tab, group: str, label: str) -> None:
    tab.locator(f".st-key-drawing_{group} button", has_text=label).click()
    _settled(tab)


def _main_scroll(tab) -> float:
    return tab.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop")


def test_with_the_mouse_clicks_land_where_clicked_a_drag_sprays_the_eraser_erases_and_undo_undoes(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        corners = np.array([[-1.4, -1.4], [-1.4, 1.4], [1.4, -1.4], [1.4, 1.4]] * 2)  # four of each class, far away
        tab = _open(context, f"{server}/layers?dataset=drawn&points={drawn.encode(corners, np.repeat([0, 1], 4))}"
                             f"&{QUICK}")
        box = _plane(tab)
        _after(tab, lambda: tab.mouse.click(*_at(box, -1.0, 1.0)))
        _pick(tab, "class", "B")
        X, labels = _after(tab, lambda: tab.mouse.click(*_at(box, 0.8, -0.7)))
        assert np.abs(X[8:] - [[-1.0, 1.0], [0.8, -0.7]]).max() <= CELL and labels[8:].tolist() == [0, 1]
        _metric(tab, "Accuracy at step")  # five points a class: it trained

        start, end = _at(box, -1.0, -1.0), _at(box, -0.2, -1.0)
        def spray():
            tab.mouse.move(*start)
            tab.mouse.down()
            for k in range(1, 21):
                tab.mouse.move(start[0] + k * (end[0] - start[0]) / 20, start[1])
            tab.mouse.up()
        X, labels = _after(tab, spray)
        sprayed = X[10:]
        assert len(sprayed) >= 30 and set(labels[10:]) == {1}  # along the drag, in the chosen class
        assert np.all((sprayed[:, 0] > -1.2) & (sprayed[:, 0] < 0.0) & (np.abs(sprayed[:, 1] + 1.0) < 0.2))

        _pick(tab, "tool", "Erase")
        X, _ = _after(tab, lambda: tab.mouse.click(*_at(box, -1.0, 1.0)))
        assert len(X) == 10 + len(sprayed) - 1  # the point under the eraser, and no other
        assert np.min(np.hypot(X[:, 0] + 1.0, X[:, 1] - 1.0)) > 0.1
        X, _ = _after(tab, lambda: tab.get_by_role("button", name="Undo").click())
        assert len(X) == 10 + len(sprayed) and np.min(np.hypot(X[:, 0] + 1.0, X[:, 1] - 1.0)) <= CELL

        accuracy, link = _metric(tab, "Accuracy at step"), tab.url
        fresh = browser.new_context(viewport={"width": 1400, "height": 1000})  # the link, in a fresh browser
        try:
            other = _open(fresh, link)
            assert _metric(other, "Accuracy at step") == accuracy
            assert np.array_equal(_drawing(other)[0], X)
            assert other.get_by_text(f"{len(X)} of at most 2,000 points").count() == 1
        finally:
            fresh.close()
    finally:
        context.close()


def test_on_a_phone_a_tap_lands_where_tapped_a_finger_draws_on_the_plane_and_scrolls_the_page_beside_it(
        server, browser):
    text = drawn.from_dataset(datasets.make("disc_annulus", n=60, seed=2))[0]
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                device_scale_factor=2)
    try:
        tab = _open(phone, f"{server}/layers?dataset=drawn&points={text}&{QUICK}")
        box = _plane(tab)
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the whole plane on the screen's width
        X, labels = _after(tab, lambda: tab.touchscreen.tap(*_at(box, 0.5, -0.25)))
        assert len(X) == 61 and np.abs(X[-1] - [0.5, -0.25]).max() <= CELL and labels[-1] == 0

        touch = tab.context.new_cdp_session(tab)
        def finger(path):
            for kind, (x, y) in zip(["touchStart", *["touchMove"] * (len(path) - 2), "touchEnd"], path):
                touch.send("Input.dispatchTouchEvent",
                           {"type": kind, "touchPoints": [] if kind == "touchEnd" else [{"x": x, "y": y}]})
                tab.wait_for_timeout(16)  # a frame apart, as a finger moves
        scrolled = _main_scroll(tab)
        x0, y0 = _at(box, -1.0, 0.0)
        X, _ = _after(tab, lambda: finger([(x0 + 8 * k, y0 - 6 * k) for k in range(16)]))
        assert len(X) > 61 and _main_scroll(tab) == scrolled  # the finger drew and the page stayed

        words = tab.get_by_text("A tanh layer computes").bounding_box()  # the page's intro, above the plane
        x1, y1 = words["x"] + words["width"] / 2, words["y"] + words["height"] / 2
        assert y1 < box["y"]
        finger([(x1, y1 - 15 * k) for k in range(12)])
        tab.wait_for_timeout(600)
        assert _main_scroll(tab) > scrolled + 100  # there a finger scrolls the page
        assert len(_drawing(tab)[0]) == len(X)
    finally:
        phone.close()


def test_in_presentation_mode_a_full_plane_says_so_and_keeps_its_points_and_a_tap_lands_where_tapped(
        server, browser):
    X = np.random.default_rng(0).uniform(-1.4, 1.4, (drawn.MAX_POINTS, 2))
    full = drawn.encode(X, (X[:, 0] > 0).astype(int))
    projector = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        tab = _open(projector, f"{server}/layers?dataset=drawn&points={full}&present=1&{QUICK}")
        box = _plane(tab)
        assert box["width"] > 500 and box["y"] + box["height"] <= 1080
        before = tab.url
        tab.mouse.click(*_at(box, -0.75, 0.5))
        note = tab.locator(".vz-note")
        note.wait_for(state="visible")
        assert "At most 2,000 points: erase some to add more." in note.inner_text()
        tab.wait_for_timeout(500)
        assert tab.url == before  # nothing was sent: nothing changed
        _pick(tab, "tool", "Erase")
        fewer, _ = _after(tab, lambda: tab.mouse.click(*_at(box, 0.0, 0.0)))
        assert len(fewer) < drawn.MAX_POINTS and not note.is_visible()
        _pick(tab, "tool", "Draw")
        again, _ = _after(tab, lambda: tab.mouse.click(*_at(box, 0.0, 0.0)))
        assert len(again) == len(fewer) + 1 and np.abs(again[-1] - [0.0, 0.0]).max() <= CELL
        assert "present=1" in tab.url
    finally:
        projector.close()
