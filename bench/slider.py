"""How fast the training-step slider answers (lessons 1 and 3), beside the floor of the stack.

Run from the project root (it needs ../shared/tools/, or VIZCORE_TOOLS naming that folder):
    python bench/slider.py [--moves 6]

The slider is the figure's own (ui/timeline.py): it moves in the browser and, when let go, the page
runs again with that moment. Each move is a mouse click on one of the slider's ticks in Chromium,
on a page whose run is cached (opened once before), timed from the click to:
  slider   the figure's slider shows the new step (plotly, in the browser: no round trip);
  numbers  the numbers beside the figure show it (the click reported, the page run again, sent, drawn);
  done     the page's script finished and every chart on the first screen is drawn (lesson 1 also
           draws the layer animation of the new moment: computed on the first visit to a moment, then
           kept for the next visitor).
The floor is the same clock (ui.timeline.clock, the same component) in a one-figure app whose
number is the frame's index: the round trip with nothing computed or drawn anew.
Moves go to ticks spread over the slider, then to the same ticks again (a moment seen before):
medians of each, and the load average. Timings on a shared 2-core machine are noisy.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("VIZCORE_TOOLS", ROOT.parent / "shared" / "tools"))
sys.path.insert(0, str(TOOLS))
from first_view import Server  # noqa: E402  (the shared tool's server start)
from look import wait_finished  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1000}
FLOOR_APP = '''import sys
sys.path.insert(0, {root!r})
import vizcore  # first, as app.py: it pins the CPU kernels before numpy loads
from dataclasses import dataclass
import plotly.graph_objects as go
import streamlit as st
from ui.form import Form
from ui.timeline import clock
from vizcore.config import QueryConfig, setting
from vizcore.figures.spec import finished


@dataclass(frozen=True)
class View(QueryConfig):
    step: int = setting(-1, lo=-1, hi=100, label="step")


@st.cache_resource
def figure():
    frames = [go.Frame(name=str(i), data=[go.Scatter(x=[0, i], y=[0, i])]) for i in range(40)]
    steps = [dict(method="animate", label=str(i), args=[[str(i)], dict(mode="immediate", frame=dict(duration=0))])
             for i in range(40)]
    fig = go.Figure([go.Scatter(x=[0, 39], y=[0, 39])], frames=frames)
    fig.update_layout(sliders=[dict(active=39, steps=steps)], height=450)
    return finished(fig)


st.title("floor")
index = clock(figure(), "floor_clock", Form(View()), "step", range(40), "run")
st.metric(f"Frame {{index}}", index)
'''
# (name, url path, the clock's element key)
PAGES = (("floor", "", "floor_clock"), ("layers", "layers?preset=spirals", "layer_trajectory"),
         ("trajectory", "trajectory?preset=gas", "trajectory_view"))
ACTIVE = """(key) => { const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  return gd && gd._fullLayout && gd._fullLayout.sliders[0].active; }"""
TICKS = """(key) => [...document.querySelectorAll(`.st-key-${key} .js-plotly-plot .slider-tick-rect`)]
  .map(t => { const r = t.getBoundingClientRect(); return [r.x + r.width / 2, r.y]; })"""
RAIL_Y = """(key) => { const r = document.querySelector(`.st-key-${key} .js-plotly-plot .slider-rail-rect`)
  .getBoundingClientRect(); return r.y + r.height / 2; }"""
NUMBERS = """() => [...document.querySelectorAll('[data-testid=stMetric]')].map(m => m.innerText).join(' | ')"""
ALL_ABOVE_FOLD = """(height) => [...document.querySelectorAll('.js-plotly-plot')]
  .filter(c => c.getBoundingClientRect().top < height).every(c => c._fullLayout && c.querySelector('.main-svg'))"""
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def move(page, key: str, tick: int) -> tuple[float, float, float]:
    """Click the slider's tick ``tick``: seconds to (slider shows it, numbers changed, page done)."""
    x = page.evaluate(TICKS, key)[tick][0]
    y = page.evaluate(RAIL_Y, key)
    before, was = page.evaluate(NUMBERS), page.evaluate(ACTIVE, key)
    t0 = time.perf_counter()
    page.mouse.click(x, y)
    # the step under the pointer: 201 steps on lesson 1's 254 px rail are 1.27 px apart, and a tick's box centre
    # can round to its neighbour's step
    page.wait_for_function(f"(key) => Math.abs(({ACTIVE})(key) - {tick}) <= 1 && ({ACTIVE})(key) !== {was}",
                           arg=key, polling="raf", timeout=30000)
    slider = time.perf_counter() - t0
    page.wait_for_function(f"(b) => ({NUMBERS})() !== b", arg=before, polling="raf", timeout=120000)
    numbers = time.perf_counter() - t0
    page.wait_for_timeout(100)  # the rerun has started by now (the numbers come from it)
    page.wait_for_selector(IDLE, timeout=120000)
    page.wait_for_function(ALL_ABOVE_FOLD, arg=VIEWPORT["height"], polling="raf", timeout=120000)
    return slider, numbers, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--moves", type=int, default=6, help="ticks visited (then each again)")
    ap.add_argument("--only", nargs="*", help="pages to time (floor, layers, trajectory); default: all")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    floor_dir = Path(os.environ.get("TMPDIR", "/tmp")) / "slider-floor"
    floor_dir.mkdir(exist_ok=True)
    (floor_dir / "floor.py").write_text(FLOOR_APP.format(root=str(ROOT)))
    with sync_playwright() as p, Server("floor.py", str(floor_dir)) as floor, Server("app.py", str(ROOT)) as app:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                    args=["--no-sandbox"])
        print(f"load average at start {os.getloadavg()[0]:.2f}; medians of {args.moves} moves", flush=True)
        for name, path, key in PAGES:
            if args.only and name not in args.only:
                continue
            base = floor.base if name == "floor" else app.base
            page = browser.new_context(viewport=VIEWPORT).new_page()
            for _ in range(2):  # the first visit computes the run; the second is the cached run, as timed
                page.goto(f"{base}/{path}")
                page.wait_for_selector(f".st-key-{key} .js-plotly-plot .slider-tick-rect", state="attached",
                                       timeout=300000)
                wait_finished(page, 300000)
            ticks = len(page.evaluate(TICKS, key))
            targets = [round(ticks * (k + 0.5) / args.moves) for k in range(args.moves)][::-1]
            loads = [os.getloadavg()[0]]
            new = [move(page, key, t) for t in targets]
            again = [move(page, key, t) for t in targets]
            loads.append(os.getloadavg()[0])
            for label, runs in (("new moment", new), ("seen before", again)):
                slider, numbers, done = (statistics.median(r[i] for r in runs) for i in range(3))
                print(f"{name:10s} {label:11s} slider {slider:5.2f}s  numbers {numbers:5.2f}s  done {done:5.2f}s"
                      f"  (load {min(loads):.1f} to {max(loads):.1f}, {ticks} ticks)", flush=True)
            page.context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
