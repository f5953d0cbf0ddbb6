"""Which charts plotly draws twice because their margins could not hold what they had to hold.

Run from the project root:
    python bench/margins.py [--width 1400] ["layers?preset=spirals" knn ...]   (default: every lesson's home link)

Plotly draws a figure, then measures what pushes on its margins (a legend outside the plot, the play
buttons and slider, tick labels and axis titles, colour bars). If the margins it was given cannot hold
them, it grows them and draws the whole figure again: in a blank page that second draw was a third
to a half of the first build (k-NN's panels 327 -> 203 ms). A figure whose margins already hold every
push is drawn once. This prints, for every chart of each page, in Chromium at --width:
the margins the figure asks for (l/r/t/b), the margins plotly settled on, and "drawn twice" when they differ.
tests/test_browser.py checks every lesson's default link draws each chart once.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
TOOLS = Path(os.environ.get("VIZCORE_TOOLS", ROOT.parent / "shared" / "tools"))
sys.path.insert(0, str(TOOLS))
from look import wait_finished  # noqa: E402
from first_view import Server  # noqa: E402
from figure_view import SETTLED_MARGINS  # noqa: E402

from ui.syllabus import LESSONS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--width", type=int, default=1400)
    args = parser.parse_args()
    paths = args.paths or [f"{lesson.name}?preset={lesson.preset}" for lesson in LESSONS]
    from playwright.sync_api import sync_playwright

    twice = 0
    with sync_playwright() as p, Server("app.py", str(ROOT)) as server:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": args.width, "height": 1000})
        for path in paths:
            tab.goto(f"{server.base}/{path}")
            tab.wait_for_selector(".js-plotly-plot", timeout=180000)
            wait_finished(tab, 180000)
            tab.wait_for_timeout(1500)  # a first view runs whole once its picture is painted
            wait_finished(tab, 180000)
            print(f"== {path}")
            for chart in tab.evaluate(SETTLED_MARGINS):
                drawn_twice = chart["asked"] != chart["settled"]
                twice += drawn_twice
                print(f"  {chart['key']:32s} asked {chart['asked']:16s} settled {chart['settled']:16s}"
                      f"{'  drawn twice' if drawn_twice else ''}")
        browser.close()
    print(f"{twice} chart(s) drawn twice")


if __name__ == "__main__":
    main()
