"""Every chart's look written into its figure, with no template left for plotly.js to compare.

Streamlit's chart element hands plotly.js a figure twice on the first view (hidden, then shown), each time a
fresh copy. plotly.js compares the copy with what it drew, and counts ``layout.template`` as changed whenever it
is a new object, so the second drawing was a whole second build (README, "Drawn hidden, then shown"). A figure
finished here (:func:`vizcore.figures.spec.finished`) carries its template's settings in its layout and traces
instead, as plotly.js would apply them, and no template; :meth:`Spec.redrawable` does the same for its arrays.

``THEMED``: what Streamlit 1.67's chart theme added to the figures' plotly_white under this app's
``.streamlit/config.toml`` (read from a chart in the browser), so the charts look as they did when Streamlit
themed them, and the same in a notebook and in a downloaded HTML file. The app shows charts with ``theme=None``.
"""
from __future__ import annotations

import functools
import re
from typing import Any

import plotly.io as pio

GREY, GRID = "#808495", "#e6eaf1"
SANS = '"Source Sans", sans-serif'
_AXIS_THEME = dict(gridcolor=GRID, zerolinecolor=GRID, tickcolor=GRID, minor=dict(gridcolor=GRID),
                   tickfont=dict(color=GREY, size=12))
THEMED = dict(
    font=dict(color=GREY, family=SANS, size=12, weight=400),
    title=dict(font=dict(family=SANS, size=16, color="#1d2330", weight="bold"), pad=dict(l=4), x=0,
               xanchor="left"),
    legend=dict(title=dict(font=dict(size=12, color=GREY), side="top"), valign="top", bordercolor="rgba(0, 0, 0, 0)",
                borderwidth=0, font=dict(size=12, color="#262730")),
    margin=dict(pad=8, r=0, l=0),
    paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
    hoverlabel=dict(bgcolor="#ffffff", bordercolor="rgba(29, 35, 48, 0.2)",
                    font=dict(color=GREY, family=SANS, size=12)),
    xaxis=dict(_AXIS_THEME, showgrid=False, zeroline=False, title=dict(font=dict(color=GREY, size=14), standoff=20)),
    yaxis=dict(_AXIS_THEME, ticklabelposition="outside", title=dict(font=dict(color=GREY, size=14), standoff=24)),
)

# trace types drawn on x/y axes and in 3D scenes: the template's axes and scenes apply to the subplots they name
_CARTESIAN = {"scatter", "scattergl", "heatmap", "contour", "bar", "histogram", "histogram2d", "box", "violin"}
_SCENE_TRACES = {"scatter3d", "surface", "mesh3d", "cone", "streamtube", "isosurface", "volume"}
_SCALED = {"heatmap", "contour", "surface", "cone", "streamtube", "mesh3d", "isosurface", "volume", "histogram2d"}
_SUBPLOT = re.compile(r"^(xaxis|yaxis|scene|polar|ternary|geo|coloraxis)(\d*)$")
# plotly.js shows an axis line, or minor grid lines, when the figure itself gives their colour or width, but not
# when only a template does: once the template's colour is written in, the figure must say "not shown" itself
_SHOWN_BY = {"showline": ("linecolor", "linewidth"), "minor.showgrid": ("minor.gridcolor", "minor.gridwidth",
                                                                       "minor.griddash")}


def under(defaults: Any, value: Any) -> Any:
    """``value`` with ``defaults`` beneath it: dicts merged key by key, anything else ``value`` (if given).
    A title given as text counts as ``{"text": ...}``, as plotly.js reads it."""
    if value is None:
        return defaults
    if isinstance(defaults, dict) and isinstance(value, dict):
        out = dict(defaults)
        for key, item in value.items():
            if key == "title" and isinstance(item, str):
                item = {"text": item}
            out[key] = under(defaults.get(key), item)
        return out
    return value


def _get(container: dict, path: str) -> Any:
    for part in path.split("."):
        container = container.get(part) if isinstance(container, dict) else None
    return container


def _axis(defaults: dict | None, axis: dict) -> dict:
    """An axis over the template's, with the lines only the template's colours would have shown hidden."""
    out = under(defaults, axis)
    for flag, triggers in _SHOWN_BY.items():
        mine, written = (any(_get(c, t) is not None for t in triggers) for c in (axis, out))
        if _get(out, flag) is None and written and not mine:
            head, _, last = flag.rpartition(".")
            (out.setdefault(head, {}) if head else out)[last] = False
    return out


def _subplot(kind: str, defaults: dict | None, value: dict) -> dict:
    if kind in ("xaxis", "yaxis"):
        return _axis(defaults, value)
    out = under(defaults, value)
    if kind == "scene":
        for axis in ("xaxis", "yaxis", "zaxis"):
            out[axis] = _axis((defaults or {}).get(axis), value.get(axis) or {})
    return out


def _into_trace(defaults: dict, trace: dict, scaled: bool) -> dict:
    """A trace over the template's entry for its type, where the entry changes nothing the trace does not ask for.
    plotly.js draws a colour bar, a pattern or error bars wherever the trace itself holds one, so the template's
    dicts go only into dicts the trace has, and its colour bar only where there is a colour scale (``scaled``)."""
    out = dict(trace)
    for key, value in defaults.items():
        mine = trace.get(key)
        if key == "colorbar":
            if scaled:
                out[key] = under(value, mine)
        elif isinstance(value, dict):
            if isinstance(mine, dict):
                out[key] = _into_trace(value, mine, "colorscale" in mine or mine.get("showscale") is True)
        elif mine is None:
            out[key] = value
    return out


def themed_template(template: dict) -> dict:
    """``template`` (a plotly template dict: its ``layout`` and ``data``) with :data:`THEMED` over its layout."""
    layout = dict(template.get("layout", {}))
    for key, value in THEMED.items():
        layout[key] = under(layout.get(key), value)
    return {"layout": layout, "data": template.get("data", {})}


@functools.cache
def app_template() -> dict:
    """plotly_white with :data:`THEMED` over it: every figure's look (:func:`vizcore.figures.spec.finished`)."""
    return themed_template(pio.templates["plotly_white"].to_plotly_json())


def written_in(spec: dict, template: dict) -> dict:
    """``spec`` (a figure dict) as plotly.js draws it under ``template``, with the template's settings written into
    its layout and traces and ``layout.template`` gone: its layout over the template's layout, every axis and
    scene over the template's axis and scene (also those only its traces name), every annotation and shape
    over the template's defaults for them, every trace over the template's entry for its type (:func:`_into_trace`)."""
    tlayout, tdata = template.get("layout", {}), template.get("data", {})
    layout = {key: value for key, value in spec.get("layout", {}).items() if key != "template"}
    traces = spec.get("data", [])
    for trace in traces:
        kind = trace.get("type", "scatter")
        if kind in _CARTESIAN:
            for axis in ("xaxis", "yaxis"):
                layout.setdefault(axis + trace.get(axis, axis[0])[1:], {})  # "x2" -> "xaxis2"
        elif kind in _SCENE_TRACES:
            layout.setdefault(trace.get("scene", "scene"), {})
    out = {}
    for key, value in layout.items():
        if key == "title" and isinstance(value, str):
            value = {"text": value}
        subplot = _SUBPLOT.match(key)
        if subplot:
            out[key] = _subplot(subplot.group(1), tlayout.get(subplot.group(1)), value)
        elif f"{key[:-1]}defaults" in tlayout and isinstance(value, (list, tuple)):  # annotations, shapes, ...
            out[key] = [under(tlayout[f"{key[:-1]}defaults"], item) for item in value]
        else:
            out[key] = under(tlayout.get(key), value)
    for key, value in tlayout.items():
        if key not in out and not _SUBPLOT.match(key) and not key.endswith("defaults"):
            out[key] = value
    seen: dict[str, int] = {}
    data = []
    for trace in traces:
        kind = trace.get("type", "scatter")
        entries = tdata.get(kind) or [{}]
        entry = {k: v for k, v in entries[seen.get(kind, 0) % len(entries)].items() if k != "type"}
        seen[kind] = seen.get(kind, 0) + 1
        data.append(_into_trace(entry, trace, kind in _SCALED or "colorscale" in trace))
    return {**spec, "layout": out, "data": data}
