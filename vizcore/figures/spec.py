"""Finished figures: a plotly figure whose dict is built once, and sized per viewer without copying it.

Every builder in :mod:`vizcore.figures` ends with :func:`finished`, which turns the ``go.Figure``
it assembled (plus its animation frames, given as plain dicts) into a :class:`Spec`. A Spec is
a ``go.Figure`` whose public ``to_dict()`` returns that dict, so Streamlit's ``st.plotly_chart``,
``fig.show()``, ``fig.to_html()`` and ``plotly.io.to_json`` all read it as they would any figure,
without plotly's deep copy of every trace and frame (90 ms for lesson 1's animation, on each
rerun of each session, before this existed).

Why frames are dicts: ``go.Figure(frames=...)`` validates every trace of every frame, which took
0.3 s of lesson 1's 0.5 s build. The frames built here are valid by construction.

A cached Spec is shared by every session. What differs per viewer, the chart height and the
projector's larger text, is applied by :meth:`Spec.resized`, which returns a new Spec that shares
the traces and frames and copies only the few dicts it changes.
"""
from __future__ import annotations

import base64
import hashlib
import re
from typing import Any, Iterable

import numpy as np
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly

from .look import app_template, written_in

_AXIS = re.compile(r"^[xy]axis\d*$")
_SCENE = re.compile(r"^scene\d*$")
BLANK_LABEL = "\u00a0"  # what a slider's steps are labelled until the chart can play (Spec.unlabelled)


def typed(values: np.ndarray) -> dict[str, str]:
    """A plotly.js typed array ({dtype, bdata}): what plotly sends for a numpy array, for hand-built frames."""
    array = np.ascontiguousarray(values)
    dtype = {np.dtype("float32"): "f4", np.dtype("float64"): "f8", np.dtype("int32"): "i4",
             np.dtype("int8"): "i1", np.dtype("uint8"): "u1", np.dtype("int16"): "i2"}[array.dtype]
    return {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


class Spec(go.Figure):
    """A finished figure: ``to_dict()`` returns the dict built once. Do not change it; build a new one.

    It is an (empty) ``go.Figure`` only so that every plotly and Streamlit entry point accepts it;
    what it draws is its dict, never plotly's own state.
    """

    def __init__(self, spec: dict[str, Any]):
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:
        return self._spec

    def to_plotly_json(self) -> dict[str, Any]:
        return self._spec

    @property
    def frame_dicts(self) -> list[dict[str, Any]]:
        return self._spec.get("frames", [])

    @property
    def height(self) -> int | None:
        return self._spec.get("layout", {}).get("height")

    def resized(self, height: int | None = None, min_font: int | None = None, width: float | None = None) -> Spec:
        """This figure at ``height`` px (and ``width`` px, if given) and, with ``min_font``, every text at least
        ``min_font`` px.

        Copies only the dicts it changes (the layout and its text-bearing parts, the traces that carry
        a colour bar); traces and frames stay shared with this figure.
        """
        layout = dict(self._spec.get("layout", {}))
        if height is not None:
            layout["height"] = height
        if width is not None:
            layout["width"] = width
        data = self._spec.get("data", [])
        if min_font is not None:
            layout = _projector_layout(layout, min_font)
            data = [_projector_trace(trace, min_font) for trace in data]
        return Spec({**self._spec, "layout": layout, "data": data})

    def at_frame(self, index: int) -> Spec:
        """This figure opened at the moment its slider's step ``index`` shows: each trace and the layout as that
        step's frame sets them, the slider on it. Shares every trace and frame it does not change."""
        layout = dict(self._spec.get("layout", {}))
        slider, *others = layout["sliders"]
        name = slider["steps"][index]["args"][0][0]
        frame = next(f for f in self.frame_dicts if f.get("name") == name)
        data = list(self._spec.get("data", []))
        for i, trace in zip(frame.get("traces", range(len(frame["data"]))), frame["data"]):
            data[i] = _merged(data[i], trace)
        layout = _merged(layout, frame.get("layout", {}))
        layout["sliders"] = [{**slider, "active": index}, *others]
        return Spec({**self._spec, "data": data, "layout": layout})

    def still(self) -> Spec:
        """This figure without its animation frames: the picture and its controls as they are, nothing to play."""
        return Spec({key: value for key, value in self._spec.items() if key != "frames"})

    def unlabelled(self) -> tuple[Spec, list[dict[str, Any]]]:
        """This figure with every slider step's label one blank (a no-break space) and the current value's text
        transparent, and what puts them back (``Plotly.relayout``): per slider, its index, labels and the
        current value's colour (None: plotly's own).

        Drawing a slider, plotly.js measures every step's label twice in the page (once as a tick label, once as
        the current value), a forced layout each; labels that are all the same it measures once. In a blank
        page that was 44 of the 159 ms of lesson 3's first drawing (81 steps) and 100 of 188 ms of a chart of
        201 steps. The blank is a line of text, so the slider keeps its height and place; a current value that
        is hidden stays so (plotly.js would not draw it again once the slider is drawn without it).
        """
        layout = dict(self._spec.get("layout", {}))
        sliders, restore = list(layout.get("sliders", ())), []
        for index, slider in enumerate(sliders):
            current = slider.get("currentvalue") or {}
            if current.get("visible") is False or not slider.get("steps"):
                continue
            font = current.get("font") or {}
            restore.append({"index": index, "labels": [step.get("label", "") for step in slider["steps"]],
                            "color": font.get("color")})
            sliders[index] = {**slider, "currentvalue": {**current, "font": {**font, "color": "rgba(0,0,0,0)"}},
                              "steps": [{**step, "label": BLANK_LABEL} for step in slider["steps"]]}
        if not restore:
            return self, []
        return Spec({**self._spec, "layout": {**layout, "sliders": sliders}}), restore

    def redrawable(self) -> Spec:
        """This figure for a chart that is handed fresh copies of it (Streamlit's draws it hidden, then shown): every
        array as plain numbers and ``layout.datarevision`` a digest of the traces. plotly.js then trusts that a
        copy's arrays hold the numbers it drew; typed arrays (base64 ``bdata``) it counts as changed every time,
        and builds the figure again."""
        data = self._spec.get("data", [])
        digest = hashlib.blake2b(to_json_plotly(data).encode(), digest_size=8).hexdigest()
        return Spec({**self._spec, "data": [_plain(trace) for trace in data],
                     "layout": {**self._spec.get("layout", {}), "datarevision": digest}})

    def _refuse(self, *args, **kwargs):
        raise TypeError("A finished figure cannot be changed: build a new one.")

    update_layout = update_traces = add_trace = add_traces = update = _refuse


def finished(fig: go.Figure, frames: Iterable[dict] | None = None) -> Spec:
    """``fig`` as a :class:`Spec`, with animation ``frames`` (dicts of name, data, traces) if given, and the app's
    look (:func:`vizcore.figures.look.app_template`) written into it in place of its template."""
    if isinstance(fig, Spec):
        return fig
    spec = fig.to_dict()
    spec = written_in(spec, app_template())  # the app's look, whatever template the figure had (figures/look.py)
    # a legend's symbols at one readable size: sized like their markers, 3D points drew 2-3 px legend dots
    spec.setdefault("layout", {}).setdefault("legend", {}).setdefault("itemsizing", "constant")
    if frames is not None:
        spec["frames"] = list(frames)
    return Spec(spec)


def hold_frame(name: str) -> dict:
    """A frame that changes nothing: played, it holds the picture still for one frame's duration."""
    return dict(name=name, data=[], traces=[])


def _plain(value: Any) -> Any:
    """``value`` with every typed array ({dtype, bdata, shape}) in it as a numpy array (sent as plain numbers)."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]).newbyteorder("<"))
            shape = value.get("shape")
            return array.reshape([int(n) for n in str(shape).split(",")]) if shape else array
        return {key: _plain(item) for key, item in value.items()}
    return value


def _merged(base: dict, update: dict) -> dict:
    """``base`` updated as plotly.js applies a frame: nested dicts merged, anything else replaced."""
    out = dict(base)
    for key, value in update.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _with_font(part: dict | None, size: int, key: str = "font", at_least: bool = False) -> dict:
    part = dict(part or {})
    font = dict(part.get(key) or {})
    font["size"] = max(font.get("size") or 0, size) if at_least else size
    part[key] = font
    return part


def _projector_axis(axis: dict, size: int) -> dict:
    axis = _with_font(axis, size - 2, "tickfont")
    title = axis.get("title")
    axis["title"] = _with_font(title if isinstance(title, dict) else {"text": title} if title else {}, size)
    return axis


def _projector_layout(layout: dict, size: int) -> dict:
    """The layout with text for a projector: ticks ``size - 2`` px, titles, legend and menus ``size`` or more."""
    out = _with_font(layout, size)
    out["legend"] = _with_font(layout.get("legend"), size)
    title = out["legend"].get("title")
    if title:  # plotly gives a legend title its own font, 12 px unless set
        out["legend"]["title"] = _with_font(title if isinstance(title, dict) else {"text": title}, size)
    title = layout.get("title")
    out["title"] = _with_font(title if isinstance(title, dict) else {"text": title} if title else {}, size + 4)
    for key, value in layout.items():
        if _AXIS.match(key):
            out[key] = _projector_axis(value, size)
        elif _SCENE.match(key):
            out[key] = {**value, **{a: _projector_axis(value.get(a, {}), size) for a in ("xaxis", "yaxis", "zaxis")}}
    for key in ("xaxis", "yaxis"):
        out.setdefault(key, _projector_axis({}, size))
    out["updatemenus"] = [_with_font(menu, size - 1) for menu in layout.get("updatemenus", ())]
    out["sliders"] = [{**_with_font(slider, size), "currentvalue": _with_font(slider.get("currentvalue"), size + 2)}
                      for slider in layout.get("sliders", ())]
    out["annotations"] = [_with_font(note, size - 2, at_least=True) for note in layout.get("annotations", ())]
    return out


def _projector_trace(trace: dict, size: int) -> dict:
    """A trace whose colour bar (its own or its markers') has projector-sized text; others unchanged."""
    def bar(colorbar: dict) -> dict:
        colorbar = _with_font(colorbar, size - 2, "tickfont")
        title = colorbar.get("title")
        colorbar["title"] = _with_font(title if isinstance(title, dict) else {"text": title} if title else {}, size)
        return colorbar

    if "colorbar" in trace:
        return {**trace, "colorbar": bar(trace["colorbar"])}
    marker = trace.get("marker")
    if isinstance(marker, dict) and "colorbar" in marker:
        return {**trace, "marker": {**marker, "colorbar": bar(marker["colorbar"])}}
    return trace
