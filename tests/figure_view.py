"""What a plotly animation shows, frame by frame, read from the figure itself.

Replays the figure's frames the way plotly.js applies them (a frame's layout updates the axis
ranges, its traces are merged into the traces they name) and lists every marker that lies
outside the axis ranges in force while that frame plays.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go


def _axis_key(ref: str | None, letter: str) -> str:
    ref = ref or letter
    return f"{letter}axis{ref[1:]}"


def _shows_markers(trace: dict) -> bool:
    if trace.get("type", "scatter") != "scatter" or trace.get("visible") is False:
        return False
    mode = trace.get("mode")
    if mode is None:  # plotly's default: markers only for short traces
        return len(np.atleast_1d(trace.get("x", []))) < 20
    return "markers" in mode


def values(trace: dict, letter: str) -> np.ndarray:
    raw = trace.get(letter)
    if isinstance(raw, dict) and "bdata" in raw:  # plotly's base64 typed array
        import base64
        return np.frombuffer(base64.b64decode(raw["bdata"]), dtype=np.dtype(raw["dtype"])).astype(float)
    return np.asarray(raw if raw is not None else [], dtype=float).ravel()


def points_out_of_view(fig: go.Figure) -> list[str]:
    """One message per (frame, trace) whose markers leave the axis ranges in force (empty: all in view)."""
    spec = fig.to_plotly_json()
    layout = spec["layout"]
    ranges = {k: v.get("range") for k, v in layout.items() if k[:5] in ("xaxis", "yaxis") and isinstance(v, dict)}
    logs = {k for k, v in layout.items() if isinstance(v, dict) and v.get("type") == "log"}
    traces = [dict(t) for t in spec["data"]]
    problems: list[str] = []

    def check(name: str) -> None:
        for i, trace in enumerate(traces):
            if not _shows_markers(trace):
                continue
            for letter in "xy":
                key = _axis_key(trace.get(f"{letter}axis"), letter)
                lo_hi = ranges.get(key)
                if lo_hi is None:
                    continue  # autorange: plotly fits the data
                v = values(trace, letter)
                v = v[np.isfinite(v)]
                if key in logs:
                    v = np.log10(v[v > 0])
                lo, hi = sorted(map(float, lo_hi))
                outside = int(((v < lo) | (v > hi)).sum())
                if outside:
                    problems.append(f"frame {name}: trace {i} ({trace.get('name')}) has {outside} of {len(v)} "
                                    f"points outside {key} [{lo:.3g}, {hi:.3g}]")

    check("initial view")
    for frame in spec.get("frames", []):
        for key, value in (frame.get("layout") or {}).items():
            if key in ranges or key[:5] in ("xaxis", "yaxis"):
                if isinstance(value, dict) and "range" in value:
                    ranges[key] = value["range"]
        data = frame.get("data") or []
        for index, trace in zip(frame.get("traces") or range(len(data)), data):
            traces[index] = {**traces[index], **trace}
        check(frame.get("name", "?"))
    return problems


def frame_names(fig: go.Figure) -> list[str]:
    return [f["name"] for f in fig.to_dict().get("frames", [])]


def plain(fig: go.Figure) -> go.Figure:
    """A finished figure as plotly's own validated ``go.Figure`` (frames included), to read it by attribute.

    Validating also checks that the hand-built frames are figures plotly accepts.
    """
    return go.Figure(fig.to_dict())


# In the browser: every drawn chart's Streamlit key, the margins its figure asks for and the margins plotly
# settled on (l/r/t/b). They differ when something the chart draws (a legend outside the plot, the play
# buttons and slider, tick labels, a colour bar) did not fit its margins: plotly then grew them and drew
# the whole figure a second time (bench/margins.py).
SETTLED_MARGINS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter((g) => g._fullLayout).map((g) => {
  const size = g._fullLayout._size, margin = g._fullLayout.margin, key = g.closest('[class*="st-key-"]');
  const sides = (m) => ['l', 'r', 't', 'b'].map((s) => Math.round(m[s])).join('/');
  return {key: key ? [...key.classList].find((c) => c.startsWith('st-key-')).slice(7) : '?',
          asked: sides(margin), settled: sides(size)}; })"""
