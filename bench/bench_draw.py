"""Drawn data: how long after a stroke ends the first animation of the retrained net is on screen (issue 23).

Server: for drawings of 100, 300 and 500 points, what a stroke costs lesson 1 before its animation can be sent,
in this process on one thread as the app computes: decoding the drawing, training the 2-2-2-2 net (1,000 steps,
and the default 2,000 that a drawing trains with), building the animation and its JSON.

Browser: a real server (``streamlit run app.py``) and Chromium (headless, as tests/test_browser.py finds it)
on a drawing of 499 points. Each stroke is one click that adds the 500th point; the time runs from the
browser's pointerup to the animation of the retrained net painted (plotly has drawn the new figure), split at
the arrival of the animation's message. Beside each time, the CPU-seconds spent in that span by the server
process and by the browser's processes (read from /proc): on a machine busy with other work the times stretch,
while the CPU work of the two spans, added, estimates the time on a quiet machine. The floor is the same path
without training: Undo back to a drawing the server has already trained and drawn (its result and figure come
from the server's caches, and the figure's message from the browser's own cache of Streamlit messages).

Run from the project root: python bench/bench_draw.py [--repeats 5] [--no-browser]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import vizcore  # noqa: E402,F401  (first: it pins the CPU kernels before numpy and torch load, vizcore/cpu.py)

from wsclient import Server  # noqa: E402  (bench/ is this script's directory)

TARGET = 1.5  # seconds from the end of a stroke to the first animation on screen

WATCH = """() => {
  const chart = () => document.querySelector('.st-key-layer_animation .js-plotly-plot');
  window.__old = chart() ? chart().data : null; window.__painted = null; window.__up = null; window.__msg = null;
  const poll = () => {
    const gd = chart();
    if (gd && gd.data && gd.data !== window.__old && gd._fullLayout) { window.__painted = performance.now(); return; }
    requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}"""
# every websocket message over 100 kB (the animation is about 3 MB) and every pointerup, with their times
HOOKS = """
  document.addEventListener('pointerup', () => { window.__up = performance.now(); }, true);
  const Socket = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Socket(...args);
    ws.addEventListener('message', (e) => {
      const size = e.data.byteLength || e.data.size || 0;
      if (size > 100000 && window.__up !== null && window.__msg === null) window.__msg = performance.now();
    });
    return ws;
  };
  window.WebSocket.prototype = Socket.prototype;
  Object.assign(window.WebSocket, Socket);
"""


def drawing(n: int) -> str:
    from vizcore import datasets, drawn
    return drawn.from_dataset(datasets.make("spirals", n=n, noise=0.05, seed=3))[0]


def server_side(repeats: int) -> None:
    import plotly.io as pio
    import plotly.tools

    from vizcore import drawn
    from vizcore.lessons import layers as l1
    from vizcore.runs import RunConfig, train_run
    from vizcore.threads import use_one_thread

    use_one_thread()
    train_run(RunConfig(steps=50))  # imports and the engine's first call
    print(f"server, one thread: a stroke's cost before lesson 1's animation can be sent (median of {repeats})")
    print(f"{'points':>6} {'steps':>6} {'decode s':>9} {'train s':>8} {'animation s':>12} {'JSON s':>7} "
          f"{'total s':>8} {'JSON MB':>8} {'accuracy':>9}")
    for n in (100, 300, 500):
        text = drawing(n)
        for steps in (1000, RunConfig().steps):
            rows = []
            for seed in range(repeats):  # another seed each time: nothing comes from a cache
                t0 = time.perf_counter()
                drawn.unpack.cache_clear()
                drawn.decode(text)
                t1 = time.perf_counter()
                run = train_run(RunConfig(dataset="drawn", points=text, steps=steps, seed=seed))
                t2 = time.perf_counter()
                anim, fig = l1.animation_figure(run, len(run.history) - 1)
                t3 = time.perf_counter()
                size = len(pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True),
                                       validate=False))
                t4 = time.perf_counter()
                rows.append((t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0, size, run.history.accuracy[-1]))
            med = [statistics.median(r[k] for r in rows) for k in range(7)]
            print(f"{n:>6} {steps:>6} {med[0]:>9.4f} {med[1]:>8.3f} {med[2]:>12.3f} {med[3]:>7.3f} {med[4]:>8.3f} "
                  f"{med[5] / 1e6:>8.2f} {med[6]:>9.1%}")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes (every thread), in seconds."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # it has gone
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def processes_with(word: str) -> list[int]:
    """The processes whose command line holds ``word``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if word in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def browser_side(repeats: int) -> None:
    import tempfile

    from playwright.sync_api import sync_playwright

    from tests.test_browser import find_chromium

    chromium = find_chromium()
    if chromium is None:
        print("browser: no Chromium found (CHROMIUM_PATH, or chromium on PATH): skipped")
        return
    text = drawing(499)
    log = Path("/tmp/bench_draw_server.log")
    with Server(log) as server, sync_playwright() as p, tempfile.TemporaryDirectory(prefix="bench-draw-") as profile:
        context = p.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True,
                                                       args=["--no-sandbox", "--disable-gpu"],
                                                       viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.add_init_script(HOOKS)
        tab.goto(f"{server.http}/layers?dataset=drawn&points={text}")
        finished(tab)
        box = tab.wait_for_selector("canvas.vz-plane").bounding_box()
        cpu = {"server": lambda: cpu_seconds([server.proc.pid]),
               "browser": lambda: cpu_seconds(processes_with(profile))}
        idle = cpu["browser"]()
        time.sleep(3)
        idle = (cpu["browser"]() - idle) / 3  # what the browser spends with nothing to do
        strokes, floors = [], []
        for k in range(repeats):
            strokes.append(stroke(tab, cpu, lambda k=k: tab.mouse.click(box["x"] + box["width"] * (0.05 + 0.04 * k),
                                                                        box["y"] + box["height"] * 0.95)))
            floors.append(stroke(tab, cpu, lambda: tab.get_by_role("button", name="Undo").click()))
        context.close()
    print(f"\nbrowser (Chromium headless, real server), 499 → 500 points, 2-2-2-2 net, {repeats} strokes (medians):")
    for name, runs in (("stroke (trains)", strokes), ("undo (cached): the floor", floors)):
        med = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        each = ", ".join(f"{r['painted']:.2f}" for r in runs)
        print(f"  {name}: pointerup → animation message {med['message']:.2f} s (CPU: server {med['server 1']:.2f} s, "
              f"browser {med['browser 1']:.2f} s) → painted {med['painted']:.2f} s (CPU: server "
              f"{med['server 2']:.2f} s, browser {med['browser 2']:.2f} s); "
              f"each painted at {each} s")
        rate = statistics.median(r["browser 1"] / max(r["message"], 1e-3) for r in runs)
        print(f"    the browser before the message: {rate:.2f} CPU-s per second of waiting (idle: {idle:.2f}), "
              f"so that share stretches with the wait")
        print(f"    quiet-machine estimate (server CPU to the message + browser CPU to the paint): "
              f"{med['server 1'] + med['browser 2']:.2f} s")
    met = statistics.median(r["painted"] for r in strokes) <= TARGET
    print(f"  target: painted within {TARGET} s: {'met' if met else 'MISSED'} on this machine as it is now")


def finished(tab) -> None:
    tab.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=120_000)
    tab.wait_for_timeout(300)
    tab.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
    tab.wait_for_timeout(500)


def stroke(tab, cpu, act) -> dict[str, float]:
    """Seconds from the pointerup of ``act`` (a click on the plane, or on Undo) to the animation's message and to
    its paint, and the CPU-seconds of the server and the browser in each span (the floor's message comes from the
    browser's cache: its first span ends at the paint)."""
    tab.evaluate(WATCH)
    start = {name: read() for name, read in cpu.items()}
    act()
    middle = None
    while True:
        msg, painted = tab.evaluate("[window.__msg, window.__painted]")
        if msg is not None and middle is None:
            middle = {name: read() for name, read in cpu.items()}
        if painted is not None:
            end = {name: read() for name, read in cpu.items()}
            break
        time.sleep(0.02)
    middle = middle or end
    up, msg, painted = tab.evaluate("[window.__up, window.__msg, window.__painted]")
    finished(tab)
    return {"message": ((msg if msg is not None else painted) - up) / 1000, "painted": (painted - up) / 1000,
            **{f"{name} 1": middle[name] - start[name] for name in cpu},
            **{f"{name} 2": end[name] - middle[name] for name in cpu}}


def link_size() -> None:
    from vizcore import drawn
    text = drawing(300)
    link = f"https://host.example/layers?dataset=drawn&points={text}"
    print(f"\nlink: 300 points → points= {len(text):,} characters ({drawn.chars_for(300):,} for any 300), "
          f"the whole link {len(link):,} (limit 2,048); 2,000 points: {drawn.MAX_CHARS:,}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    os.chdir(ROOT)
    print(f"load average at start: {', '.join(f'{v:.2f}' for v in os.getloadavg())} on {os.cpu_count()} cores\n")
    server_side(args.repeats)
    if not args.no_browser:
        browser_side(args.repeats)
    link_size()
    print(f"\nload average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
