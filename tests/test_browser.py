"""A real browser: start `streamlit run app.py`, open every page in Chromium, check it rendered.

Needs Chromium (or Chrome) and the playwright Python package, which drives the browser already on
the machine and downloads none. The browser is the one CHROMIUM_PATH names, else the first of
chromium, chromium-browser, google-chrome on PATH, else Ubuntu's snap (/snap/bin/chromium).
Skipped, with the reason in pytest's summary (-rfEs in pyproject.toml), when either is missing; in CI (CI set), a
missing browser is a failure.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from figure_view import SETTLED_MARGINS

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "/snap/bin/chromium")
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "screenshots"))
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_chromium() -> str | None:
    """The browser to drive: $CHROMIUM_PATH, else the first of BROWSERS found; None if there is none."""
    named = os.environ.get("CHROMIUM_PATH")
    if named:
        found = shutil.which(named)
        if found is None:
            pytest.fail(f"CHROMIUM_PATH={named} is not an executable file")
        return found
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def _chromium() -> str:
    path = find_chromium()
    if path is None:
        missing = f"no Chromium found (CHROMIUM_PATH, or {', '.join(BROWSERS)}): apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    return path


def _start_server():
    _chromium()  # no server for a browser that is not there
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("streamlit did not start") from None
            time.sleep(0.3)
    return proc, base


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def server():
    proc, base = _start_server()
    yield base
    _stop(proc)


@pytest.fixture(scope="module")
def page(server):
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield tab
        browser.close()


@contextlib.contextmanager
def fresh_tab(page, url: str, init_script: str = "", **context_options):
    """A tab in a browser context of its own (no cookies, no cache) that has opened ``url``, with ``init_script``
    run before the page's own scripts; the context is closed afterwards."""
    context = page.context.browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, **context_options})
    try:
        tab = context.new_page()
        if init_script:
            tab.add_init_script(init_script)
        tab.goto(url)
        yield tab
    finally:
        context.close()


def wait_until_finished(tab, timeout_ms: int = 120_000) -> None:
    """Until the page's script has run, and run whole: a first view runs again once its picture is painted."""
    tab.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=timeout_ms)
    tab.wait_for_timeout(300)
    tab.wait_for_function(WHOLE, timeout=timeout_ms)


WHOLE = """() => document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]')
    && !document.querySelector('[class*="st-key-first_paint"]')"""


def page_urls(tab, base: str) -> list[str]:
    tab.goto(base)
    wait_until_finished(tab)
    hrefs = []
    for link in tab.query_selector_all("[data-testid=stSidebarNavLink]"):
        href = link.get_attribute("href")
        if href and href not in hrefs:
            hrefs.append(href if href.startswith("http") else base + "/" + href.lstrip("/"))
    return hrefs


def test_every_page_renders_its_charts_without_exception(server, page):
    urls = page_urls(page, server)
    n_pages = len([p for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_")]) - 1  # /join: hidden
    assert len(urls) == n_pages
    SHOTS.mkdir(parents=True, exist_ok=True)
    for i, url in enumerate(urls):
        page.goto(url)
        wait_until_finished(page)
        page.wait_for_timeout(800)
        name = url.rstrip("/").rsplit("/", 1)[-1] or "home"
        page.screenshot(path=str(SHOTS / f"{i:02d}-{name}.png"), full_page=True)
        assert page.query_selector_all("[data-testid=stException]") == [], url
        errors = [e.inner_text() for e in page.query_selector_all("[data-testid=stAlertContentError]")]
        assert errors == [], (url, errors)
        charts = page.query_selector_all("[data-testid=stPlotlyChart]")
        for chart in charts:  # a rendered plotly chart has drawn its SVG or WebGL layer
            assert chart.query_selector(".main-svg") is not None, url
        page.wait_for_function(SLIDER_FRAMES_GIVEN, timeout=10_000)  # ui/frames.py gives an animation its frames
        cut = page.evaluate(CUT_OFF)
        assert cut == [], (url, cut)  # a chart drawn taller than its element loses its bottom (sliders) to the page
        drawn_twice = [chart for chart in page.evaluate(SETTLED_MARGINS) if chart["asked"] != chart["settled"]]
        assert drawn_twice == [], (url, drawn_twice)  # their margins were too small: plotly grew them and drew again
        if "layers" in url:
            assert charts, "the layers page shows no chart"


# The charts whose figure reaches below their element: the page's layout cuts off what hangs out.
CUT_OFF = """() => [...document.querySelectorAll('.js-plotly-plot')].map((gd) => [gd.closest('.stElementContainer'),
    gd.querySelector('.main-svg')]).filter(([box, svg]) => box && svg
    && svg.getBoundingClientRect().bottom > box.getBoundingClientRect().bottom + 1)
  .map(([box, svg]) => [box.className.split(' ').find((c) => c.startsWith('st-key-')) || '',
                        Math.round(svg.getBoundingClientRect().bottom - box.getBoundingClientRect().bottom)])"""


# Every frame that a chart's slider steps name is in plotly's frames of that chart (sent beside it: ui/frames.py).
SLIDER_FRAMES_GIVEN = """() => [...document.querySelectorAll('.js-plotly-plot')].filter((g) => g._fullLayout)
  .every((g) => (g.layout.sliders || []).every((slider) => slider.steps.every((step) => !step.args[0]
    || step.args[0].every((name) => name === null || (g._transitionData && name in g._transitionData._frameHash)))))"""


# Notes, at the first animation frame that shows a chart, how many charts and widgets the page has.
AT_FIRST_PICTURE = """
window.__first = null;
const look = () => {
  const charts = [...document.querySelectorAll('.js-plotly-plot')]
    .filter((c) => c.getBoundingClientRect().height > 0 && getComputedStyle(c).visibility !== 'hidden');
  if (!charts.length) return requestAnimationFrame(look);
  window.__first = {node: charts[0], charts: charts.length,
                    widgets: document.querySelectorAll('[data-testid=stSidebar] [data-baseweb]').length};
};
requestAnimationFrame(look);
"""


def test_a_first_view_paints_its_picture_before_the_rest_and_keeps_it_when_the_rest_arrives(server, page):
    with fresh_tab(page, f"{server}/layers?preset=spirals", AT_FIRST_PICTURE) as tab:
        wait_until_finished(tab)
        first = tab.evaluate("({charts: window.__first.charts, widgets: window.__first.widgets})")
        assert first == {"charts": 1, "widgets": 0}, first  # the animation alone, no widget yet
        assert tab.evaluate("window.__first.node.closest('.st-key-layer_animation') !== null")
        assert tab.evaluate("document.contains(window.__first.node)"), "the whole page drew the picture again"
        assert len(tab.query_selector_all("[data-testid=stPlotlyChart]")) >= 2
        widths = tab.wait_for_selector("[data-testid=stSidebar] input[aria-label='Hidden widths']")  # its code loads
        assert widths.input_value() == "2,2,2,2"
        assert tab.get_by_text("Topology of each class").count() == 1


# each drawn WebGL canvas of the page: its drawing buffer's width over its width on screen
GL_RATIOS = """() => [...document.querySelectorAll('.js-plotly-plot .gl-container canvas')]
  .filter(c => c.clientWidth > 0).map(c => c.width / c.clientWidth)"""


@pytest.mark.parametrize("screen", [1, 1.5, 2])
def test_a_3d_picture_is_drawn_at_the_screens_own_resolution(server, page, screen):
    """ui/page_head.py's cookie reaches ui/screen.py before the first run: plotly drew every 3D scene at twice its
    size (four times the pixels of a screen of ratio 1), the cost of a 3D lesson's first picture in software
    WebGL. A screen of ratio 2 keeps what it had."""
    with fresh_tab(page, f"{server}/relu_topology?preset=tori", device_scale_factor=screen) as tab:
        tab.wait_for_function(f"({GL_RATIOS})().length > 0", timeout=120_000)
        assert tab.evaluate(GL_RATIOS) == pytest.approx([screen], abs=0.02)
        wait_until_finished(tab)  # the whole page, run again after the first picture, keeps the resolution
        assert tab.evaluate(GL_RATIOS) == pytest.approx([screen], abs=0.02)


# before the page's scripts: count each chart's Plotly.react calls and those after which plotly.js had computed
# its traces anew (a new gd.calcdata); the chart module sets window.Plotly when it loads
COUNT_COMPUTES = """(() => {
  let plotly;
  Object.defineProperty(window, 'Plotly', {configurable: true, get: () => plotly, set(p) {
    plotly = p;
    const react = p.react;
    p.react = function (gd, ...rest) {
      const before = gd.calcdata;
      return react.call(this, gd, ...rest).then((out) => {
        gd.__reacts = (gd.__reacts || 0) + 1;
        gd.__computes = (gd.__computes || 0) + (gd.calcdata !== before ? 1 : 0);
        return out;
      });
    };
  }});
})()"""
CHART_COUNTS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(
  (gd) => [gd.closest('[class*="st-key-"]').className.match(/st-key-(\\S+)/)[1], gd.__reacts, gd.__computes])"""


@pytest.mark.parametrize("path", ["knn?preset=digits_gaussian", "trajectory?preset=gas", "landscape?preset=descent"])
def test_a_chart_drawn_hidden_then_shown_is_computed_once(server, page, path):
    """Streamlit's chart draws a figure hidden, then shown, handing plotly.js a fresh copy each time. With the look
    written into the figure, plain arrays and a data revision (vizcore/figures/look.py, Spec.redrawable), plotly.js
    keeps what it computed the first time; before, every chart was computed and drawn twice."""
    with fresh_tab(page, f"{server}/{path}", COUNT_COMPUTES) as tab:
        wait_until_finished(tab)
        tab.wait_for_timeout(500)
        counts = tab.evaluate(CHART_COUNTS)
        assert counts and all(computes == 1 for _, _, computes in counts), counts
        assert max(reacts for _, reacts, _ in counts) >= 2, counts  # the shown drawing did happen


# before the page's scripts: each Plotly.react's chart, whether the chart was hidden then, the width asked and its
# slider's first label
RECORD_REACTS = """(() => {
  let plotly;
  window.__reacts = [];
  Object.defineProperty(window, 'Plotly', {configurable: true, get: () => plotly, set(p) {
    plotly = p;
    const react = p.react;
    p.react = function (gd, figure, ...rest) {
      const key = gd.closest('[class*="st-key-"]').className.match(/st-key-(\\S+)/)[1];
      const layout = figure && figure.layout ? figure.layout : rest[0];  // react-plotly passes {data, layout, ...}
      const slider = layout && layout.sliders && layout.sliders[0];
      window.__reacts.push([key, getComputedStyle(gd).visibility, layout && layout.width,
                            slider ? slider.steps[0].label : null]);
      return react.call(this, gd, figure, ...rest);
    };
  }});
})()"""
FIRST_DRAWING = """(key) => { const first = window.__reacts.find(([k]) => k === key);
  return [first[1], first[2], document.querySelector(`.st-key-${key} .js-plotly-plot`).layout.width]; }"""


def test_a_chart_seen_before_in_this_window_is_drawn_shown_at_once_at_its_width(server, page):
    """Left, a page keeps each chart's width in a cookie (ui/widths.py); the next visit in a window of the same
    width draws the chart at that width from the start, shown, where a first visit draws it hidden and then
    again at the width Streamlit measured. In a window of another width the cookie is not believed."""
    with fresh_tab(page, f"{server}/landscape?preset=descent", RECORD_REACTS) as tab:
        wait_until_finished(tab)
        width = tab.evaluate(FIRST_DRAWING, "descent")[2]  # (a fresh browser's chart module loads after the measure)
        tab.reload()
        wait_until_finished(tab)
        visibility, asked, now = tab.evaluate(FIRST_DRAWING, "descent")
        assert (visibility, asked, now) == ("visible", width, width)  # exact: a column's width is fractional
        cookie = {c["name"]: c["value"] for c in tab.context.cookies()}["vizcore_w_landscape"]
        assert cookie.startswith("1400~") and "~descent:" in cookie  # the window's width, then each chart's
        tab.set_viewport_size({"width": 1100, "height": 1000})  # the window narrowed: the chart follows it
        tab.wait_for_function("(w) => document.querySelector('.st-key-descent .js-plotly-plot').layout.width < w",
                              arg=width)
        narrower = tab.evaluate(FIRST_DRAWING, "descent")[2]
        tab.reload()
        wait_until_finished(tab)
        assert tab.evaluate(FIRST_DRAWING, "descent") == ["visible", narrower, narrower]
        other = tab.context.new_page()  # the cookie says 1100 px; this window is 1400 px wide
        other.add_init_script(RECORD_REACTS)
        other.goto(f"{server}/landscape?preset=descent")
        wait_until_finished(other)
        asked, now = other.evaluate(FIRST_DRAWING, "descent")[1:]
        assert (asked, now) == (None, width)  # no width sent (hidden or not: by when the chart code is ready)


SLIDER_SHOWN = """(key) => { const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  const slider = gd.layout.sliders[0], first = window.__reacts.find(([k]) => k === key);
  return {drawn: first[3], labels: slider.steps.map((s) => s.label), active: slider.active,
          shown: gd.querySelector('.slider-group > text.slider-label').textContent,
          fill: getComputedStyle(gd.querySelector('.slider-group > text.slider-label')).fill}; }"""


def test_a_slider_drawn_with_blank_labels_gets_them_back_when_the_chart_can_play(server, page):
    """The first drawing's slider labels are one blank (plotly.js measures each distinct label; Spec.unlabelled);
    the frames' component puts the labels back, and the current value shows the step's own, readable."""
    with fresh_tab(page, f"{server}/trajectory?preset=gas", RECORD_REACTS) as tab:
        wait_until_finished(tab)
        tab.wait_for_function("() => document.querySelector('.st-key-trajectory_view .js-plotly-plot')"
                              ".layout.sliders[0].steps[0].label !== '\\u00a0'")
        seen = tab.evaluate(SLIDER_SHOWN, "trajectory_view")
        assert seen["drawn"] == "\u00a0"
        assert len(set(seen["labels"])) == len(seen["labels"]) > 50 and "examples" in seen["labels"][0]
        assert seen["shown"] == seen["labels"][seen["active"]] and seen["fill"] != "rgba(0, 0, 0, 0)"


def _metric(tab, label: str) -> str:
    tab.wait_for_selector(f"[data-testid=stMetric]:has-text('{label}')", timeout=120_000)
    for metric in tab.query_selector_all("[data-testid=stMetric]"):
        if label in metric.inner_text():
            return metric.query_selector("[data-testid=stMetricValue]").inner_text().strip()
    raise AssertionError(f"no metric {label!r}")


def test_a_copied_link_reproduces_the_experiment_in_a_fresh_browser(server, page):
    page.goto(f"{server}/layers?preset=disc2&seed=7")
    wait_until_finished(page)
    accuracy = _metric(page, "Accuracy at step")
    page.get_by_text("Link to this experiment").click()
    link = page.wait_for_selector("[data-testid=stSidebar] [data-testid=stCode] code").inner_text().strip()
    assert "seed=7" in link and "widths=2" in link and "dataset=disc_annulus" in link
    fresh = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = fresh.new_page()
        other.goto(link)
        wait_until_finished(other)
        assert _metric(other, "Accuracy at step") == accuracy
        assert other.get_by_label("Hidden widths", exact=True).input_value() == "2"
    finally:
        fresh.close()


def test_a_deep_link_as_a_fresh_servers_first_visit_opens_through_the_app(page):
    # Before any st.navigation call Streamlit would run the page alone, as an old-style pages/ app.
    proc, base = _start_server()
    failed, sockets = [], []

    def answered(response):
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    def opened(socket):
        sockets.append(socket.url)

    page.on("response", answered)
    page.on("websocket", opened)
    try:
        page.goto(f"{base}/layers?preset=aba2&present=1")
        wait_until_finished(page)
        _metric(page, "Accuracy at step")
        titles = [a.inner_text() for a in page.query_selector_all("[data-testid=stSidebarNavLink]")]
        assert "Layers as homeomorphisms" in titles and "The loss landscape" in titles, titles
        assert page.get_by_text("Presentation mode").count() == 1
        assert page.get_by_label("Hidden widths", exact=True).input_value() == "2"
        # ui/page_head.py: Streamlit's frontend went to the server's root at once, not first to /layers/_stcore/
        assert failed == [], failed
        assert [url.split("/", 3)[-1] for url in sockets] == ["_stcore/stream"], sockets
        # ... and fetched the chart code with the page, before it asked the server anything, and only once
        fetched = page.evaluate("performance.getEntriesByType('resource').map(e => [e.name, e.startTime])")
        charts = [start for url, start in fetched if "/static/js/PlotlyChart." in url]
        asked = min(start for url, start in fetched if "/_stcore/" in url)
        assert len(charts) == 1 and charts[0] < asked, (charts, asked)
        page.get_by_role("link", name="The loss landscape").click()  # the sidebar still leads to the other lessons
        page.wait_for_url("**/landscape**")
        wait_until_finished(page)
        assert page.get_by_text("Freeze all weights but two", exact=False).count() == 1
    finally:
        page.remove_listener("response", answered)
        page.remove_listener("websocket", opened)
        _stop(proc)


# Counts the data markers (SVG points) of a 2D chart and how many lie inside its plotting area.
COUNT_IN_VIEW = """(gd) => {
  const area = gd.querySelector('.nsewdrag').getBoundingClientRect();
  let total = 0, inside = 0;
  for (const p of gd.querySelectorAll('.scatterlayer path.point')) {
    const b = p.getBoundingClientRect();
    if (b.width === 0 && b.height === 0) continue;
    total += 1;
    const x = b.x + b.width / 2, y = b.y + b.height / 2;
    if (x >= area.left && x <= area.right && y >= area.top && y <= area.bottom) inside += 1;
  }
  const label = gd.querySelector('.slider-label');
  return {total, inside, label: label ? label.textContent : ''};
}"""


@pytest.mark.parametrize("preset", ["spirals", "disc2"])
def test_playing_a_2d_layer_animation_keeps_the_points_in_the_plot(server, page, preset):
    page.goto(f"{server}/layers?preset={preset}")
    wait_until_finished(page)
    chart = page.wait_for_selector("[data-testid=stPlotlyChart] .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    chart.query_selector_all(".updatemenu-button")[2].click()  # ▶▶ Fast: more of the animation per second
    seen, labels = [], set()
    for _ in range(14):
        page.wait_for_timeout(350)
        counts = chart.evaluate(COUNT_IN_VIEW)
        seen.append(counts["inside"] / max(counts["total"], 1))
        labels.add(counts["label"])
        assert counts["total"] >= 100
    assert min(seen) >= 0.99, seen
    assert len(labels) >= 3, labels  # it played through several phases


# The frames plotly holds for the chart ``key``: their count and the first frame's first x value.
FRAMES_OF = """(key) => { const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  const frames = gd._transitionData._frames; const x = frames.length && frames[0].data[0].x;
  return [frames.length, x ? JSON.stringify(x).slice(0, 80) : '']; }"""


def frames_given(page) -> None:
    """Wait until the run has finished and both of lesson 1's animated charts are drawn with their frames (with no
    chart drawn yet, SLIDER_FRAMES_GIVEN holds at once)."""
    wait_until_finished(page)
    page.wait_for_function("""() => ['layer_animation', 'layer_trajectory'].every((key) => {
      const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`); return gd && gd._fullLayout; })""",
                           timeout=60_000)
    page.wait_for_function(SLIDER_FRAMES_GIVEN, timeout=10_000)


# where a slider step's tick is on the transparent rect over the rail that takes the pointer, in that rect's pixels
TICK_ON_RAIL = """([key, tick]) => { const chart = document.querySelector(`.st-key-${key}`);
  const t = chart.querySelectorAll('.slider-tick-rect')[tick].getBoundingClientRect();
  const r = chart.querySelector('.slider-rail-touch-rect').getBoundingClientRect();
  return [t.x + t.width / 2 - r.x, r.height / 2]; }"""


def test_a_new_figure_in_the_same_chart_gets_its_own_frames_and_keeps_them(server, page):
    page.goto(f"{server}/layers?preset=spirals")
    frames_given(page)
    before = page.evaluate(FRAMES_OF, "layer_animation")
    metric = page.wait_for_selector("[data-testid=stMetric]").inner_text()
    # Plotly's slider takes the pointer on a transparent rect over its rail; the locator scrolls it into view and
    # waits until it stands still, so the press lands on the third step (an early one of training) under load too.
    rail = page.locator(".st-key-layer_trajectory .slider-rail-touch-rect")
    third = page.evaluate(TICK_ON_RAIL, ["layer_trajectory", 2])
    rail.click(position={"x": third[0], "y": third[1]})  # lesson 1 then draws the net of that step
    page.wait_for_function("(b) => document.querySelector('[data-testid=stMetric]').innerText !== b", arg=metric,
                           timeout=120_000)
    frames_given(page)
    after = page.evaluate(FRAMES_OF, "layer_animation")
    assert after[0] > 0 and after != before, (before, after)  # the new net's frames, not the old ones
    page.wait_for_timeout(1200)  # several of the component's checks later: the same frames still
    assert page.evaluate(FRAMES_OF, "layer_animation") == after


def test_every_move_of_the_training_slider_is_heard_by_one_clock(server, page):
    """Streamlit runs a component's function again for each new moment without its cleanup (ui/timeline.py): each
    run used to stay on the chart, listening and reporting, and after some moves one was missed (the slider at one
    step, the numbers at another: bench/slider.py timed out on 3 runs of 3). The numbers follow every move and one
    listener is left."""
    page.goto(f"{server}/layers?preset=spirals")
    frames_given(page)
    rail = page.locator(".st-key-layer_trajectory .slider-rail-touch-rect")
    for tick in (30, 80, 130, 180):  # apart by more than the grip (20 px, 16 steps), which would take the click
        metric = page.wait_for_selector("[data-testid=stMetric]").inner_text()
        at = page.evaluate(TICK_ON_RAIL, ["layer_trajectory", tick])
        rail.click(position={"x": at[0], "y": at[1]})
        page.wait_for_function("(b) => document.querySelector('[data-testid=stMetric]').innerText !== b", arg=metric,
                               timeout=120_000)
        wait_until_finished(page)
    listeners = page.evaluate("""() => document.querySelector('.st-key-layer_trajectory .js-plotly-plot')
      ._ev.listeners('plotly_sliderend').length""")
    assert listeners == 1, listeners


PRESENTATION_TEXT = """() => {
  const texts = [...document.querySelectorAll('.js-plotly-plot .xtick text, .js-plotly-plot .ytick text, '
      + '.js-plotly-plot .legendtext, .js-plotly-plot .slider-label, .js-plotly-plot .updatemenu-button text')]
    .filter(e => e.getBoundingClientRect().height > 2 && getComputedStyle(e).opacity !== '0');
  const play = [...document.querySelectorAll('.js-plotly-plot .updatemenu-button')]
    .find(b => b.textContent.includes('Play'));
  return {min: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize))), n: texts.length,
          playBottom: play ? play.getBoundingClientRect().bottom : null};
}"""


def test_presentation_mode_text_is_readable_and_play_is_on_the_first_screen(server, page):
    projector = page.context.browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        tab = projector.new_page()
        # lesson 2's and 8's home links have the most above their animations (Play ends 12 and 45 px above the bottom)
        for path in ("layers?preset=spirals", "layers?preset=disc3", "low_dimension?preset=disc",
                     "relu_topology?preset=tori"):
            tab.goto(f"{server}/{path}&present=1")
            wait_until_finished(tab)
            tab.wait_for_selector(".js-plotly-plot .updatemenu-button")
            tab.wait_for_timeout(500)
            found = tab.evaluate(PRESENTATION_TEXT)
            assert found["n"] > 10 and found["min"] >= 16, (path, found)
            assert found["playBottom"] is not None and found["playBottom"] <= 1080, (path, found)
    finally:
        projector.close()


PHONE_VIEW = """() => {
  const play = [...document.querySelectorAll('.js-plotly-plot .updatemenu-button')]
    .find(b => b.textContent.includes('Play'));
  const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')].map(c => c.getBoundingClientRect());
  const modebars = [...document.querySelectorAll('.modebar-container')]
    .filter(e => getComputedStyle(e).display !== 'none');
  return {playBottom: play ? play.getBoundingClientRect().bottom : null, right: Math.max(...charts.map(r => r.right)),
          left: Math.min(...charts.map(r => r.left)), pageWidth: document.documentElement.scrollWidth,
          modebars: modebars.length};
}"""
SCROLLED = "() => document.querySelector('[data-testid=stMain]').scrollTop + window.scrollY"


def _swipe_up(tab, cdp, x: float, y: float, distance: float = 150) -> float:
    """Drags a finger ``distance`` px up from (x, y) and returns how far the page scrolled."""
    before = tab.evaluate(SCROLLED)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for i in range(1, 11):
        point = {"x": x, "y": y - distance * i / 10}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
        tab.wait_for_timeout(16)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    tab.wait_for_timeout(500)
    return tab.evaluate(SCROLLED) - before


@pytest.fixture(scope="module")
def phone(page):
    """A 390x844 phone with a touch screen (Chromium's touch emulation), and a CDP session to touch it with."""
    context = page.context.browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    tab = context.new_page()
    yield tab, context.new_cdp_session(tab)
    context.close()


@pytest.mark.parametrize("path", ["layers", "low_dimension", "landscape"])
def test_on_a_phone_the_picture_and_play_fit_the_first_screen_and_a_finger_on_a_chart_scrolls_the_page(
        server, phone, path):
    # before: a 150 px swipe over a chart scrolled 0 px (plotly took the touch); Play ended at 906-1390 px
    tab, cdp = phone
    tab.goto(f"{server}/{path}")
    wait_until_finished(tab)
    tab.wait_for_selector(".js-plotly-plot .updatemenu-button")
    tab.wait_for_timeout(500)
    seen = tab.evaluate(PHONE_VIEW)
    assert seen["playBottom"] is not None and seen["playBottom"] <= 844, seen
    assert seen["left"] >= 0 and seen["right"] <= 390 and seen["pageWidth"] <= 390, seen
    assert seen["modebars"] == 0, seen  # plotly's mode bar sat over the legend on touch screens
    box = tab.query_selector(".js-plotly-plot").bounding_box()
    assert _swipe_up(tab, cdp, box["x"] + box["width"] / 2, min(box["y"] + box["height"] / 2, 700)) >= 100


def test_on_a_phone_the_explore_toggle_gives_the_charts_their_touch_gestures_back(server, phone):
    tab, cdp = phone
    tab.goto(f"{server}/layers?preset=disc2")
    wait_until_finished(tab)
    tab.wait_for_selector(".js-plotly-plot .updatemenu-button")
    tab.locator("[data-testid=stExpandSidebarButton]").click()
    tab.get_by_text("Explore charts by touch").click()
    wait_until_finished(tab)
    tab.locator("[data-testid=stSidebarCollapseButton] button").click()
    tab.wait_for_timeout(800)
    box = tab.query_selector(".js-plotly-plot .nsewdrag").bounding_box()
    assert abs(_swipe_up(tab, cdp, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)) < 20
    assert tab.evaluate(PHONE_VIEW)["modebars"] >= 1


# How far the first descent has come on the surface chart: points of its first path trace (a scatter3d).
SURFACE_PATH = """() => { const gd = document.querySelector('.st-key-descent_surface .js-plotly-plot');
  const path = gd && gd._fullData.find((t) => t.type === 'scatter3d'); return path ? path.x.length : -1; }"""


def test_the_surface_follows_the_descent_maps_slider_and_play(server, page):
    page.goto(f"{server}/landscape?preset=descent")
    wait_until_finished(page)
    page.wait_for_function("""() => ['descent', 'descent_surface'].every((key) => {
      const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
      return gd && gd._transitionData && gd._transitionData._frames.length > 0; })""", timeout=60_000)
    whole = page.evaluate(SURFACE_PATH)
    assert whole > 100  # it opens on the last epoch, as the maps do
    rail = page.locator(".st-key-descent .slider-rail-touch-rect")
    first = page.evaluate(TICK_ON_RAIL, ["descent", 0])
    rail.click(position={"x": first[0], "y": first[1]})  # epoch 0 on the maps' slider ...
    page.wait_for_function(f"() => ({SURFACE_PATH})() === 1", timeout=10_000)  # ... and on the surface
    page.locator(".st-key-descent .updatemenu-button").first.click()  # ▶ Play from there
    page.wait_for_function(f"() => ({SURFACE_PATH})() > 1", timeout=10_000)
    page.wait_for_function(f"() => ({SURFACE_PATH})() === {whole}", timeout=30_000)  # played to the end
