"""Time to the first picture of every lesson's home link, beside the floor of the stack, before and after a change.

Run from the project root (it needs ../shared/tools/first_view.py, or VIZCORE_TOOLS naming its folder):
    python bench/first_view.py [--repeat 3] [--cold] [--base DIR] [--only layers trajectory]

The method is first_view.py's (same Chromium, same floor app, same visits, imported from it): the floor
is a one-chart Streamlit app served by the same Streamlit; "fresh" is a new browser context (empty
HTTP cache) on a warm server, "cached" a reload in it once the page is quiet (no long task for 1 s; "quiet"
prints when its last one ended), "cold" (--cold) a fresh server process and its
first visit, with the server's start to healthy reported beside it. The home page has no chart: it
is timed to its last lesson link, beside the floor's time to its title. A second floor, the same app with
its chart a 3D scene, is printed beside it: the least a lesson whose first picture is 3D can take; such a
lesson's rows also give their ratio to it ("3D floor"). "message X s, then Y s": when the page handled the last
websocket message before its first chart, and the time from there to the chart painted.

Each time is read twice. "painted": a script the browser runs before the page's own (PAINT_PROBE) stores
the time of the animation frame that first shows a drawn chart. "tool": first_view.py's wait, Playwright's
``wait_for_selector``, which polls at 0, 20, 50, 100 and 100 ms and then every 500 ms, so it reads a chart up
to 0.5 s late (the floor's cached reload read 0.5 s or 1.0 s by where the chart fell between two polls), and
later on a page whose main thread stays busy after its first picture. Ratios of painted times are the ones
to compare with a target; the tool's are printed so that a run can be set beside first_view.py's.

What this adds to first_view.py: every lesson link of ui/syllabus.py and the home page in one run;
``--base DIR``, another checkout (e.g. ``git worktree add /tmp/before main``) measured in the same
run, its visits interleaved with this one's so that both meet the same load; medians with the load
average (``uptime``) beside each row; the time to the last chart of the page's first screen
("all"), so that a page whose first chart is small is not mistaken for one that shows its picture; and the
time to its first Play button ("Play"), on pages that animate.
Timings on a shared 2-core machine are noisy: compare ratios measured in the same run.
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("VIZCORE_TOOLS", ROOT.parent / "shared" / "tools"))
sys.path.insert(0, str(TOOLS))
from first_view import FLOOR_APP, Server  # noqa: E402  (the shared tool: the same floor and server start)
from look import wait_finished  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1000}
CHART = ".js-plotly-plot"
# A WebGL picture's own floor: the same one-chart app with its three points in a 3D scene (headless Chromium
# draws it with software WebGL).
FLOOR_3D_APP = FLOOR_APP.replace("go.Scatter(x=[1, 2, 3], y=[1, 3, 2])",
                                 "go.Scatter3d(x=[1, 2, 3], y=[1, 3, 2], z=[0, 1, 0], mode='markers')")
assert "Scatter3d" in FLOOR_3D_APP, "first_view.py's floor app changed: make the 3D floor from it again"
# What is timed, in the page itself: when each of these first holds, the next animation frame (the one that
# paints it) stores the wall-clock time: "chart", a drawn chart (plotly marks one with its main svg); "charts",
# every chart that starts on the first screen drawn; "title", an h1; "links", every lesson link of the home
# page's main area; "play", an animation's Play button (a picture sent sooner without its buttons must not make
# the class wait for Play). Not Playwright's wait_for_selector alone, which first_view.py uses: it polls at 0,
# 20, 50, 100 and 100 ms and then every 500 ms (playwright's retryWithProgressAndBackoff), so a chart drawn 0.3 s
# after the page's load is read up to 0.5 s late, and later still on a page whose main thread is busy after it.
PAINT_PROBE = """(() => {
  const links = %d, height = %d, shown = (window.__vizcoreShown = {});
  // Streamlit draws a chart hidden (visibility) until it knows the chart's width, then draws it again, shown
  const drawn = (c) => c._fullLayout && c.querySelector('.main-svg') && c.getBoundingClientRect().height > 0
      && getComputedStyle(c).visibility !== 'hidden';
  const charts = () => [...document.querySelectorAll('.js-plotly-plot')];
  const holds = {
    chart: () => charts().some(drawn),
    charts: () => { const above = charts().filter(c => c.getBoundingClientRect().top < height);
      return above.length > 0 && above.every(drawn); },
    title: () => !!document.querySelector('h1'),
    links: () => document.querySelectorAll('[data-testid=stMain] [data-testid=stPageLink-NavLink]').length >= links,
    play: () => !!document.querySelector('.js-plotly-plot .updatemenu-button'),
  };
  // the end of the page's last long task (50 ms or more): a reload is timed once the page is quiet
  shown.busy = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries())
    shown.busy = Math.max(shown.busy, e.startTime + e.duration); }).observe({type: "longtask", buffered: true});
  // when the page handled each websocket message from the server (on its main thread, so a busy page handles
  // one late): what follows the last one before the first chart is the browser drawing what came
  shown.received = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native { constructor(...args) { super(...args);
    this.addEventListener('message', () => { shown.received = performance.timeOrigin + performance.now(); }); } };
  const look = () => { for (const [name, test] of Object.entries(holds))
    if (!(name in shown) && test()) { shown[name] = null;
      if (name === 'chart') { shown.scene = charts().find(drawn)._fullLayout._has('gl3d');
        shown.message = shown.received; }
      requestAnimationFrame(() => { shown[name] = performance.timeOrigin + performance.now(); }); } };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true});
})();"""
# the tool's own reading (first_view.py's wait), kept beside the painted time
ALL_ABOVE_FOLD = """(height) => { const charts = [...document.querySelectorAll('.js-plotly-plot')]
  .filter(c => c.getBoundingClientRect().top < height);
  return charts.length > 0 && charts.every(c => c._fullLayout && c.querySelector('.main-svg')
    && getComputedStyle(c).visibility !== 'hidden'); }"""
HOME_LINKS = """(n) => document.querySelectorAll('[data-testid=stMain] [data-testid=stPageLink-NavLink]').length >= n"""
# what is timed of the floors: (its key's prefix, which floor app, what shows): the chart, the title, the 3D chart
FLOOR_VIEWS = (("", "floor", CHART), ("title_", "floor", "h1"), ("3d_", "floor3d", CHART))


@dataclass
class Visit:
    """Seconds from navigation: painted in the page (first, all) and as the tool's wait read it (first, all);
    ``play``, an animation's first Play button painted, read once the page has finished (nan: none); ``quiet``,
    when its last long task ended (a fresh visit's, before the reload); ``scene``, whether the first chart drawn
    was a 3D scene; ``message``, when the page handled the last websocket message before it."""
    first: float
    all: float
    tool_first: float
    tool_all: float
    play: float
    quiet: float = math.nan
    scene: bool = False
    message: float = math.nan


def load() -> float:
    return os.getloadavg()[0]


def median(visits: list[Visit], what: str = "first") -> float:
    return statistics.median(getattr(v, what) for v in visits)


def lesson_links() -> int:
    """How many lesson links the home page's main area shows."""
    return len(links(None)) - 1


def new_page(browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.add_init_script(PAINT_PROBE % (lesson_links(), VIEWPORT["height"]))
    return ctx, ctx.new_page()


def visit(page, url: str, selector: str, reload: bool = False, home: bool = False) -> Visit:
    """One navigation, timed both ways: the page's own paint times and the tool's waits (``selector`` visible,
    then for a chart every chart that starts on the first screen drawn, for the home page every lesson link);
    returns once the page has finished, with its first Play button's paint time."""
    t0 = time.time()
    page.reload() if reload else page.goto(url)
    page.wait_for_selector(selector, timeout=180000)
    tool_first = time.time() - t0
    if selector == CHART:
        page.wait_for_function(ALL_ABOVE_FOLD, arg=VIEWPORT["height"], timeout=180000, polling=50)
    elif home:
        page.wait_for_function(HOME_LINKS, arg=lesson_links(), timeout=180000, polling=50)
    tool_all = time.time() - t0
    first, every = ("chart", "charts") if selector == CHART else ("title", "links" if home else "title")
    shown = page.wait_for_function(f"() => {{ const s = window.__vizcoreShown; return s.{first} && s.{every} && s; }}",
                                   timeout=180000, polling=50).json_value()
    wait_finished(page, 300000)
    play = page.evaluate("window.__vizcoreShown.play")
    return Visit(shown[first] / 1000 - t0, shown[every] / 1000 - t0, tool_first, tool_all,
                 play / 1000 - t0 if play else math.nan, scene=bool(shown.get("scene")),
                 message=shown["message"] / 1000 - t0 if shown.get("message") else math.nan)


def fresh_and_cached(browser, base: str, path: str, selector: str, home: bool = False) -> tuple[Visit, Visit]:
    """One fresh visit in a new context and one reload in it, once the page is quiet."""
    ctx, page = new_page(browser)
    fresh = visit(page, f"{base}/{path}", selector, home=home)
    fresh.quiet = quiet(page)
    cached = visit(page, f"{base}/{path}", selector, reload=True, home=home)
    ctx.close()
    return fresh, cached


def quiet(page, still_ms: int = 1000) -> float:
    """Waits until the page has run no long task for ``still_ms``; returns when its last one ended (seconds from
    navigation). Streamlit says a page has finished when its script has, but the browser may still be building
    what came last (a first view's part 2, an animation's frames): a reload then waits for that work first, which
    is the page before's cost, not the reload's, and not what a student coming back meets."""
    page.wait_for_function("(ms) => performance.now() - window.__vizcoreShown.busy > ms", arg=still_ms,
                           timeout=60000, polling=100)
    return page.evaluate("window.__vizcoreShown.busy") / 1000


def warm(browser, base: str, path: str, selector: str) -> None:
    """Open ``path`` once, so that the server's caches hold what it shows."""
    ctx, page = new_page(browser)
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


def arrival(runs: list[Visit]) -> str:
    """When the page handled the last message before its first chart, and how long it took from there to the chart."""
    if any(math.isnan(v.message) for v in runs):
        return ""
    drawing = statistics.median(v.first - v.message for v in runs)
    return f"; message {median(runs, 'message'):5.2f}s, then {drawing:4.2f}s"


def row(label: str, runs: list[Visit], floor: list[Visit], floor_3d: list[Visit] = ()) -> str:
    """Painted first chart and whole first screen, each with its ratio to the floor's painted first chart (and,
    where the first chart is a 3D scene, to the 3D floor's), and the tool's reading of the first chart with its
    ratio to the tool's reading of the floor."""
    first, every, tool = median(runs), median(runs, "all"), median(runs, "tool_first")
    base, tool_base = median(floor), median(floor, "tool_first")
    scene = f" = {first / median(floor_3d):4.2f}x 3D floor" if floor_3d and all(v.scene for v in runs) else ""
    play = median(runs, "play")
    play_text = "" if math.isnan(play) else f"; Play {play:5.2f}s"
    quiet_at = median(runs, "quiet")
    play_text += "" if math.isnan(quiet_at) else f"; quiet {quiet_at:5.2f}s"
    play_text += arrival(runs)
    return (f"{label} {first:5.2f}s = {first / base:4.2f}x{scene} (all {every:5.2f}s = {every / base:4.2f}x; "
            f"tool {tool:5.2f}s = {tool / tool_base:4.2f}x{play_text})")


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
            fresh, cached = median(floor["fresh"]), median(floor["cached"])
            fresh_3d, cached_3d = median(floor["3d_fresh"]), median(floor["3d_cached"])
            print(f"floor, painted (the tool's reading): chart fresh {fresh:.2f}s "
                  f"({median(floor['fresh'], 'tool_first'):.2f}s{arrival(floor['fresh'])}), cached {cached:.2f}s "
                  f"({median(floor['cached'], 'tool_first'):.2f}s{arrival(floor['cached'])}); "
                  f"title fresh {median(floor['title_fresh']):.2f}s, "
                  f"cached {median(floor['title_cached']):.2f}s; load {min(loads):.1f} to {max(loads):.1f}")
            print(f"3D floor (its chart a 3D scene): fresh {fresh_3d:.2f}s = {fresh_3d / fresh:.2f}x floor, "
                  f"cached {cached_3d:.2f}s = {cached_3d / cached:.2f}x floor{arrival(floor['3d_cached'])}")
            for path, selector in paths:
                kind = "" if selector == CHART else "title_"
                for name in trees:
                    r = runs[name, path]
                    print(f"{path or 'home':30s} {name:6s} "
                          + row("fresh", r["fresh"], floor[kind + "fresh"], floor["3d_fresh"])
                          + "  " + row("cached", r["cached"], floor[kind + "cached"], floor["3d_cached"]), flush=True)
        finally:
            for server in servers.values():
                server.__exit__(None, None, None)
        if args.cold:
            cold_runs(browser, trees, paths, floor)
        browser.close()
    return 0


def cold_runs(browser, trees: dict[str, Path], paths: list[tuple[str, str]], floor: dict[str, list[Visit]]) -> None:
    """Each link on a freshly started server of each checkout, in turn: server start to healthy, then the visit."""
    for path, selector in paths:
        for name, tree in trees.items():
            before = load()
            with Server("app.py", str(tree)) as server:
                up = time.time() - server.started
                ctx, page = new_page(browser)
                cold = visit(page, f"{server.base}/{path}", selector, home=not path)
                ctx.close()
            print(f"{path or 'home':30s} {name:6s} cold: up {up:4.1f}s, then "
                  + row("", [cold], floor["fresh" if selector == CHART else "title_fresh"], floor["3d_fresh"])
                  + f"; load {before:.1f}",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
