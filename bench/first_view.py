"""Time to the first picture of every lesson's home link, beside the floor of the stack, before and after a change.

Run from the project root (it needs ../shared/tools/first_view.py, or VIZCORE_TOOLS naming its folder):
    python bench/first_view.py [--repeat 3] [--cold] [--base DIR] [--only layers trajectory]

The method is first_view.py's (same Chromium, same floor app, same waits, imported from it): the floor
is a one-chart Streamlit app served by the same Streamlit; "fresh" is a new browser context (empty
HTTP cache) on a warm server, "cached" a reload in it, "cold" (--cold) a fresh server process and its
first visit, with the server's start to healthy reported beside it. The home page has no chart: it
is timed to its last lesson link, beside the floor's time to its title. A second floor, the same app with
its chart a 3D scene, is printed beside it: the least a lesson whose first picture is 3D can take.

What this adds to first_view.py: every lesson link of ui/syllabus.py and the home page in one run;
``--base DIR``, another checkout (e.g. ``git worktree add /tmp/before main``) measured in the same
run, its visits interleaved with this one's so that both meet the same load; medians with the load
average (``uptime``) beside each row; and the time to the last chart of the page's first screen
("all"), so that a page whose first chart is small is not mistaken for one that shows its picture.
Timings on a shared 2-core machine are noisy: compare ratios measured in the same run.
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
from first_view import FLOOR_APP, Server  # noqa: E402  (the shared tool: the same floor and server start)
from look import wait_finished  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1000}
CHART = ".js-plotly-plot"
# every chart that starts within the first screen has drawn (plotly marks a drawn chart with its main svg)
ALL_ABOVE_FOLD = """(height) => { const charts = [...document.querySelectorAll('.js-plotly-plot')]
  .filter(c => c.getBoundingClientRect().top < height);
  return charts.length > 0 && charts.every(c => c._fullLayout && c.querySelector('.main-svg')); }"""
# A WebGL picture's own floor: the same one-chart app with its three points in a 3D scene (headless Chromium
# draws it with software WebGL).
FLOOR_3D_APP = FLOOR_APP.replace("go.Scatter(x=[1, 2, 3], y=[1, 3, 2])",
                                 "go.Scatter3d(x=[1, 2, 3], y=[1, 3, 2], z=[0, 1, 0], mode='markers')")
assert "Scatter3d" in FLOOR_3D_APP, "first_view.py's floor app changed: make the 3D floor from it again"
# the home page has no chart: its title first, then every lesson link in the main area
HOME_LINKS = """(n) => document.querySelectorAll('[data-testid=stMain] [data-testid=stPageLink-NavLink]').length >= n"""
# what is timed of the floors: (its key's prefix, which floor app, what shows): the chart, the title, the 3D chart
FLOOR_VIEWS = (("", "floor", CHART), ("title_", "floor", "h1"), ("3d_", "floor3d", CHART))


def load() -> float:
    return os.getloadavg()[0]


def visit(page, url: str, selector: str, reload: bool = False, home: bool = False) -> tuple[float, float]:
    """(seconds to ``selector`` visible, seconds to the whole first screen) from navigation: for a chart, every
    chart that starts on the first screen drawn; for the home page's title, every lesson link shown."""
    t0 = time.time()
    page.reload() if reload else page.goto(url)
    page.wait_for_selector(selector, timeout=180000)
    first = time.time() - t0
    if selector == CHART:
        page.wait_for_function(ALL_ABOVE_FOLD, arg=VIEWPORT["height"], timeout=180000, polling=50)
    elif home:
        page.wait_for_function(HOME_LINKS, arg=len(links(None)) - 1, timeout=180000, polling=50)
    return first, time.time() - t0


def fresh_and_cached(browser, base: str, path: str, selector: str, home: bool = False) -> tuple[tuple, tuple]:
    """One fresh visit in a new context and one reload in it: ((first, all), (first, all))."""
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    fresh = visit(page, f"{base}/{path}", selector, home=home)
    wait_finished(page, 300000)
    cached = visit(page, f"{base}/{path}", selector, reload=True, home=home)
    wait_finished(page, 300000)
    ctx.close()
    return fresh, cached


def warm(browser, base: str, path: str, selector: str) -> None:
    """Open ``path`` once, so that the server's caches hold what it shows."""
    ctx = browser.new_context(viewport=VIEWPORT)
    page = ctx.new_page()
    page.goto(f"{base}/{path}")
    page.wait_for_selector(selector, timeout=300000)
    wait_finished(page, 300000)
    ctx.close()


def links(only: list[str] | None) -> list[tuple[str, str]]:
    """(url path, selector) of the home page and every lesson's home link."""
    sys.path.insert(0, str(ROOT))
    from ui.syllabus import LESSONS

    out = [("", "h1")] if not only or "home" in only else []
    return out + [(f"{lesson.name}?preset={lesson.preset}", CHART) for lesson in LESSONS
                  if not only or lesson.name in only]


def row(label: str, runs: list[tuple], floor: float) -> str:
    first = statistics.median(r[0] for r in runs)
    every = statistics.median(r[1] for r in runs)
    return f"{label} {first:5.2f}s = {first / floor:4.2f}x (all {every:5.2f}s = {every / floor:4.2f}x)"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="also time a first visit on a freshly started server")
    ap.add_argument("--base", type=Path, help="another checkout, measured in the same run (the 'before')")
    ap.add_argument("--only", nargs="*", help="lessons' url paths (and 'home') to measure; default: all")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    trees = {"after": ROOT, **({"before": args.base.resolve()} if args.base else {})}
    floor_dir = Path(os.environ.get("TMPDIR", "/tmp")) / "first-view-floor"
    floor_dir.mkdir(exist_ok=True)
    (floor_dir / "floor.py").write_text(FLOOR_APP)
    (floor_dir / "floor3d.py").write_text(FLOOR_3D_APP)
    paths = links(args.only)
    print(f"load average at start {load():.2f}; {args.repeat} visits each, medians", flush=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                    args=["--no-sandbox"])
        servers = {"floor": Server("floor.py", str(floor_dir)), "floor3d": Server("floor3d.py", str(floor_dir))}
        servers.update({name: Server("app.py", str(tree)) for name, tree in trees.items()})
        for server in servers.values():
            server.__enter__()
        try:
            warm(browser, servers["floor"].base, "", CHART)
            warm(browser, servers["floor3d"].base, "", CHART)
            for name in trees:
                for path, selector in paths:
                    warm(browser, servers[name].base, path, selector)
            floor = {kind + when: [] for kind, _, _ in FLOOR_VIEWS for when in ("fresh", "cached")}
            runs = {(name, path): {"fresh": [], "cached": []} for name in trees for path, _ in paths}
            loads = []
            for _ in range(args.repeat):
                for path, selector in paths:  # the floor before each page: both meet the same load
                    loads.append(load())
                    for kind, server, what in FLOOR_VIEWS:
                        fresh, cached = fresh_and_cached(browser, servers[server].base, "", what)
                        floor[kind + "fresh"].append(fresh)
                        floor[kind + "cached"].append(cached)
                    for name in trees:
                        fresh, cached = fresh_and_cached(browser, servers[name].base, path, selector, not path)
                        runs[name, path]["fresh"].append(fresh)
                        runs[name, path]["cached"].append(cached)
            median = {k: statistics.median(r[0] for r in v) for k, v in floor.items()}
            print(f"floor: chart fresh {median['fresh']:.2f}s, cached {median['cached']:.2f}s; title fresh "
                  f"{median['title_fresh']:.2f}s, cached {median['title_cached']:.2f}s; load {min(loads):.1f} to "
                  f"{max(loads):.1f}")
            print(f"3D floor (its chart a 3D scene): fresh {median['3d_fresh']:.2f}s = "
                  f"{median['3d_fresh'] / median['fresh']:.2f}x floor, cached {median['3d_cached']:.2f}s = "
                  f"{median['3d_cached'] / median['cached']:.2f}x floor")
            for path, selector in paths:
                kind = "" if selector == CHART else "title_"
                for name in trees:
                    r = runs[name, path]
                    print(f"{path or 'home':30s} {name:6s} " + row("fresh", r["fresh"], median[kind + "fresh"])
                          + "  " + row("cached", r["cached"], median[kind + "cached"]), flush=True)
        finally:
            for server in servers.values():
                server.__exit__(None, None, None)
        if args.cold:
            cold_runs(browser, trees, paths, median)
        browser.close()
    return 0


def cold_runs(browser, trees: dict[str, Path], paths: list[tuple[str, str]], floor: dict[str, float]) -> None:
    """Each link on a freshly started server of each checkout, in turn: server start to healthy, then the visit."""
    for path, selector in paths:
        for name, tree in trees.items():
            before = load()
            with Server("app.py", str(tree)) as server:
                up = time.time() - server.started
                ctx = browser.new_context(viewport=VIEWPORT)
                first, every = visit(ctx.new_page(), f"{server.base}/{path}", selector, home=not path)
                ctx.close()
            base = floor["fresh" if selector == CHART else "title_fresh"]
            print(f"{path or 'home':30s} {name:6s} cold: up {up:4.1f}s, then {first:5.2f}s = {first / base:4.2f}x "
                  f"(all {every:5.2f}s = {every / base:4.2f}x); load {before:.1f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
