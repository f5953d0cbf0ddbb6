"""Where a first view's time goes in the browser: a Chrome performance trace of one fresh visit.

Run from the project root:
    python bench/profile_view.py [--out /tmp/profile] [--reload] "layers?preset=spirals" [more paths]

Starts ``streamlit run app.py``, opens each path once (so the server's caches are warm), then opens
it in a new browser context with a performance trace on (Playwright's CDP session: Tracing.start/end)
and prints, for the time from navigation to the first visible chart and to the script's end:
- when the server's websocket messages arrived (first, the one before the first chart, last), and their bytes;
- the main thread's busy time by kind (script evaluation and compiling per JS file, style/layout, paint,
  parsing, garbage collection) and the longest tasks;
- the JS functions with the most self time (Profiler samples in the trace);
- what the main thread did from the last websocket message before the first chart to the frame that painted it
  (marks the page sets itself, MARKS): its tasks, busy time by kind and self time by script file. On a cached
  reload that stretch is the browser's own part of the first picture: the server has sent everything by then.
The whole trace is saved as <out>/<page>.json (open it in chrome://tracing or Perfetto).
With --reload the traced visit is a reload with the HTTP cache warm.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

TOOLS = Path(os.environ.get("VIZCORE_TOOLS", Path(__file__).resolve().parents[2] / "shared" / "tools"))
sys.path.insert(0, str(TOOLS))  # the shared tools' helpers (look.py): the same waits as first_view.py
from look import free_port, wait_finished, wait_healthy  # noqa: E402

CATEGORIES = ("devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,"
              "disabled-by-default-v8.cpu_profiler,blink.user_timing,loading,toplevel")
CHART = ".js-plotly-plot"
PART_1 = '[class*="st-key-first_paint"]'  # a first view's probe, there until the page runs whole (ui/first_paint.py)
# performance marks in the trace: each websocket message handled before the first chart ("vz-msg"), that chart
# drawn and shown ("vz-seen": plotly has made its main svg and Streamlit no longer hides it) and the next
# animation frame, which paints it ("vz-chart")
MARKS = """(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native { constructor(...a) { super(...a);
    this.addEventListener('message', () => { if (!window.__vzSeen) performance.mark('vz-msg'); }); } };
  new MutationObserver(() => { if (window.__vzSeen) return;
    if ([...document.querySelectorAll('.js-plotly-plot')].some(c => c._fullLayout && c.querySelector('.main-svg')
        && getComputedStyle(c).visibility !== 'hidden')) {
      window.__vzSeen = true; performance.mark('vz-seen');
      requestAnimationFrame(() => performance.mark('vz-chart')); } })
    .observe(document, {subtree: true, childList: true, attributes: true});
})();"""


def wait_whole(page, timeout_ms: int = 300000) -> None:
    """Until the script has finished and the page has run whole, not just the first picture's part."""
    wait_finished(page, timeout_ms)
    if page.query_selector(PART_1):
        page.wait_for_selector(PART_1, state="detached", timeout=timeout_ms)
        wait_finished(page, timeout_ms)


def trace_visit(browser, url: str, reload: bool) -> tuple[list[dict], dict]:
    """The trace events of one visit and its marks (navigation start, first chart, finished: perf_counter s)."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    ctx.add_init_script(MARKS)
    page = ctx.new_page()
    if reload:
        page.goto(url)
        page.wait_for_selector(CHART, timeout=180000)
        wait_whole(page)
    cdp = ctx.new_cdp_session(page)
    frames: list[tuple[float, int]] = []
    cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameReceived",
           lambda e: frames.append((e["timestamp"], len(e["response"]["payloadData"]))))
    events: list[dict] = []
    cdp.on("Tracing.dataCollected", lambda e: events.extend(e["value"]))
    cdp.send("Tracing.start", {"categories": CATEGORIES, "transferMode": "ReportEvents"})
    page.wait_for_timeout(300)
    start = time.perf_counter()
    page.reload() if reload else page.goto(url)
    page.wait_for_selector(CHART, timeout=180000)
    chart = time.perf_counter()
    wait_whole(page)
    done = time.perf_counter()
    ended = []
    cdp.on("Tracing.tracingComplete", lambda e: ended.append(1))
    cdp.send("Tracing.end")
    while not ended:
        page.wait_for_timeout(100)
    ctx.close()
    return events, {"start": start, "chart": chart, "done": done, "frames": frames}


def summarise(events: list[dict], marks: dict) -> str:
    """The report for one traced visit (see the module docstring)."""
    nav = [e for e in events if e.get("name") in ("navigationStart", "NavigationStartToFirstPaint") and e.get("ts")]
    main_pid_tid = collections.Counter((e["pid"], e["tid"]) for e in events if e.get("name") == "RunTask")
    # the renderer's main thread: the one that ran the most script
    scripts = collections.Counter((e["pid"], e["tid"]) for e in events if e.get("name") == "EvaluateScript")
    main = (scripts or main_pid_tid).most_common(1)[0][0]
    on_main = [e for e in events if (e.get("pid"), e.get("tid")) == main]
    t0 = min(e["ts"] for e in nav) if nav else min(e["ts"] for e in on_main if e.get("ts"))
    chart_us = (marks["chart"] - marks["start"]) * 1e6
    done_us = (marks["done"] - marks["start"]) * 1e6
    lines = [f"first chart {chart_us / 1e6:.2f} s, script finished {done_us / 1e6:.2f} s after navigation"]
    frames = marks["frames"]
    if frames:
        f0 = frames[0][0]
        lines.append(f"websocket: {len(frames)} messages, {sum(b for _, b in frames) / 1e6:.2f} MB (base64), "
                     f"from the first to the last {frames[-1][0] - f0:.2f} s")

    def window(limit_us: float) -> str:
        kinds = collections.Counter()
        per_file = collections.Counter()
        tasks = []
        for e in on_main:
            if e.get("ph") != "X" or "dur" not in e or e["ts"] - t0 > limit_us:
                continue
            name, dur = e["name"], e["dur"] / 1e3
            if name == "RunTask":
                tasks.append((dur, (e["ts"] - t0) / 1e3))
                kinds["(all tasks)"] += dur
            elif name in ("EvaluateScript", "v8.compile", "v8.compileModule", "v8.evaluateModule", "FunctionCall",
                          "TimerFire", "FireAnimationFrame", "EventDispatch", "ParseHTML", "UpdateLayoutTree",
                          "Layout", "Paint", "PrePaint", "Layerize", "ParseAuthorStyleSheet", "MajorGC", "MinorGC",
                          "V8.GC_MC_BACKGROUND_MARKING", "XHRReadyStateChange", "RunMicrotasks", "v8.run"):
                kinds[name] += dur
                data = e.get("args", {}).get("data", {}) or {}
                url = data.get("url") or data.get("fileName")
                if url and name in ("EvaluateScript", "v8.compile", "v8.compileModule", "v8.evaluateModule"):
                    per_file[re.sub(r"^.*/", "", url)[:50]] += dur
        out = [f"  main thread busy {kinds['(all tasks)']:.0f} ms in tasks; by kind (ms, nested kinds overlap): "
               + ", ".join(f"{k} {v:.0f}" for k, v in kinds.most_common() if k != "(all tasks)" and v >= 20)]
        if per_file:
            out.append("  script per file (ms): " + ", ".join(f"{f} {v:.0f}" for f, v in per_file.most_common(8)))
        long = sorted(tasks, reverse=True)[:8]
        out.append("  longest tasks (ms at ms): "
                   + ", ".join(f"{d:.0f}@{t:.0f}" for d, t in sorted(long, key=lambda x: x[1])))
        return "\n".join(out)

    lines.append(f"until the first chart ({chart_us / 1e3:.0f} ms):\n" + window(chart_us))
    lines.append(f"until finished ({done_us / 1e3:.0f} ms):\n" + window(done_us))
    lines.append("  JS self time, top functions until the first chart (ms): " + top_functions(events, t0, chart_us))
    lines.append(paint_window(events, on_main, t0))
    return "\n".join(lines)


def paint_window(events: list[dict], on_main: list[dict], t0: float) -> str:
    """The main thread from the last websocket message before the first chart to the frame that painted it."""
    marks = sorted((e["ts"], e["name"]) for e in events if e.get("name", "").startswith("vz-"))
    seen = next((t for t, name in marks if name == "vz-seen"), None)
    painted = next((t for t, name in marks if name == "vz-chart"), None)
    messages = [t for t, name in marks if name == "vz-msg" and seen and t < seen]
    if not (messages and painted):
        return "  (no marks of the first chart in the trace)"
    start = messages[-1]
    kinds, tasks = collections.Counter(), []
    for e in on_main:
        if e.get("ph") != "X" or "dur" not in e or e["ts"] + e["dur"] <= start or e["ts"] >= painted:
            continue
        inside = (min(e["ts"] + e["dur"], painted) - max(e["ts"], start)) / 1e3
        if e["name"] == "RunTask":
            kinds["(all tasks)"] += inside
            tasks.append((e["dur"] / 1e3, (e["ts"] - t0) / 1e3))
        elif e["name"] in ("FunctionCall", "RunMicrotasks", "UpdateLayoutTree", "Layout", "Paint", "MinorGC",
                           "MajorGC", "FireAnimationFrame", "TimerFire", "EventDispatch"):
            kinds[e["name"]] += inside
    by_file = collections.Counter()
    for when, frame, us in samples(events):
        if start <= when <= painted:
            by_file[re.sub(r"^.*/", "", frame.get("url", ""))[:40] or frame.get("functionName") or "?"] += us / 1e3
    return (f"from the last message before the first chart ({(start - t0) / 1e3:.0f} ms, {len(messages)} messages) "
            f"to its paint ({(painted - t0) / 1e3:.0f} ms): main thread busy {kinds.pop('(all tasks)', 0):.0f} ms; "
            + ", ".join(f"{k} {v:.0f}" for k, v in kinds.most_common() if v >= 3)
            + "\n  its tasks over 5 ms (ms at ms): " + ", ".join(f"{d:.0f}@{t:.0f}" for d, t in tasks if d > 5)
            + "\n  self time by script file (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in by_file.most_common(8)))


def samples(events: list[dict]):
    """(trace time, call frame, µs) of each CPU profiler sample in the trace. A trace holds one profile per
    profiled thread (a Profile event, then its ProfileChunks, by pid and id); node ids are each profile's own."""
    clock = {(e.get("pid"), e.get("id")): e["args"]["data"]["startTime"] for e in events if e.get("name") == "Profile"}
    nodes: dict[tuple, dict] = {}
    for e in sorted((e for e in events if e.get("name") == "ProfileChunk"), key=lambda e: e["ts"]):
        key, data = (e.get("pid"), e.get("id")), e["args"]["data"]
        profile = data.get("cpuProfile", {})
        for node in profile.get("nodes", []) or []:
            nodes[key, node["id"]] = node.get("callFrame", {})
        for sample, delta in zip(profile.get("samples", []) or [], data.get("timeDeltas", []) or []):
            clock[key] = clock.get(key, e["ts"]) + delta
            yield clock[key], nodes.get((key, sample), {}), delta


def top_functions(events: list[dict], t0: float, limit_us: float, n: int = 12) -> str:
    """The sampled functions with the most self time (the trace's CPU profile) before ``limit_us``."""
    by_name = collections.Counter()
    for when, frame, us in samples(events):
        if when - t0 <= limit_us:
            name = frame.get("functionName") or "(anonymous)"
            url = re.sub(r"^.*/", "", frame.get("url", ""))[:30]
            by_name[f"{name} [{url}]" if url else name] += us / 1e3
    return ", ".join(f"{k} {v:.0f}" for k, v in by_name.most_common(n)
                     if not k.startswith(("(idle)", "(program)", "(root)")))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--out", default="/tmp/profile")
    ap.add_argument("--reload", action="store_true")
    ap.add_argument("--app", default="app.py")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    os.makedirs(args.out, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", args.app, "--server.headless", "true",
                               "--server.port", str(port), "--server.fileWatcherType", "none"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_healthy(base, 120, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                                        args=["--no-sandbox"])
            for path in args.paths:
                ctx = browser.new_context()
                page = ctx.new_page()
                page.goto(f"{base}/{path}")
                page.wait_for_selector(CHART, timeout=180000)
                wait_whole(page)  # the server's caches are warm from here on
                ctx.close()
                events, marks = trace_visit(browser, f"{base}/{path}", args.reload)
                name = re.sub(r"\W+", "-", path).strip("-") or "home"
                Path(args.out, f"{name}.json").write_text(json.dumps({"traceEvents": events}))
                print(f"== {path}{' (reload)' if args.reload else ''}: {len(events)} trace events, "
                      f"{args.out}/{name}.json\n{summarise(events, marks)}", flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
