"""Your own data, drawn on the plane with a mouse, a finger or a pen: the drawing surface and its controls.

A page that offers the dataset "drawn" calls :func:`drawing` right after its dataset picker. While another
dataset is picked, that is a sidebar button, "Draw on these points", which puts the current points (a
preset's, or an uploaded CSV's) on the plane to edit. While "drawn" is picked, it is a section at the top of
the page: the plane (a ``st.components.v2`` component, ui/components/drawing.*), the class and the tool
(Streamlit's segmented controls), undo, clear, the points per class and the points as CSV.

The drawing itself is a settings field, ``points`` (:mod:`vizcore.drawn`'s text), so the lesson computes from
its settings alone and the link carries the drawing. The surface hands over the whole drawing when a stroke
ends (its ``stroke`` trigger, in grid indices); :func:`_stroke` puts it in the field before the page runs.
Every change of the field goes on an undo stack first, so nothing drawn is lost to a slip.

Why ``st.components.v2`` and not streamlit-drawable-canvas 0.13: see the README ("Drawing your own data").
"""
from __future__ import annotations

import secrets
from functools import partial
from pathlib import Path
from typing import Callable, Optional

import streamlit as st
from streamlit.components.v2 import component

from ui import first_paint
from ui.form import PERSIST, Form
from ui.presentation import presenting
from vizcore import UserError, drawn
from vizcore.config import QueryConfig
from vizcore.data import Dataset
from vizcore.figures.style import CLASS_COLORS

HERE = Path(__file__).resolve().parent / "components"
SURFACE = component("vizcore_drawing", html=(HERE / "drawing.html").read_text(), css=(HERE / "drawing.css").read_text(),
                    js=(HERE / "drawing.js").read_text())
CLASS_WORDS = {0: ":red[●] A", 1: ":blue[●] B", 2: ":green[●] C"}  # CLASS_COLORS' first three, in Streamlit's words
TOOLS = {"draw": ":material/edit: Draw", "erase": ":material/ink_eraser: Erase"}
UNDO_DEPTH = 50
SIZE = {False: 480, True: 620}  # the plane's largest side in pixels (presenting: True)
HOW = ("Tap or click to add a point of the chosen class; drag to spray points. The eraser takes away the points "
       "under it. The net trains again each time you lift your finger, pen or mouse button.")


def _keys(form: Form) -> dict[str, str]:
    """The session keys of the drawing's widgets and state (no "__": a component's key must not hold it)."""
    return {name: form.key(f"drawing_{name}") for name in ("class", "tool", "surface", "history", "seq", "session",
                                                          "notes", "undo", "clear", "csv", "start")}


def _put(form: Form, text: str) -> None:
    """The drawing becomes ``text``; the one it replaces goes on the undo stack."""
    old = form.value("points")
    if old != text:
        history = st.session_state.setdefault(_keys(form)["history"], [])
        history.append(old)
        del history[:-UNDO_DEPTH]
        form.set("points", text)


def _stroke(form: Form) -> None:
    """A stroke ended on the surface: its drawing (grid indices) into the settings, before the page runs."""
    keys = _keys(form)
    sent = (st.session_state.get(keys["surface"]) or {}).get("stroke")
    if not isinstance(sent, dict):
        return
    try:
        _put(form, drawn.from_flat(sent.get("points") or []))
    except UserError as exc:
        st.session_state[keys["notes"]] = [f"The last stroke was not kept: {exc}"]
    if isinstance(sent.get("seq"), int):
        st.session_state[keys["seq"]] = sent["seq"]


def _undo(form: Form) -> None:
    history = st.session_state.get(_keys(form)["history"]) or []
    if history:
        form.set("points", history.pop())


def _start(form: Form, ds: Dataset) -> None:
    """Put ``ds``'s points on the plane and switch the page to the drawing."""
    keys = _keys(form)
    try:
        text, notes = drawn.from_dataset(ds)
    except UserError as exc:
        st.session_state[keys["notes"]] = [str(exc)]
        return
    _put(form, text)
    form.set("dataset", "drawn")
    st.session_state[keys["notes"]] = notes


def can_draw(ds: Optional[Dataset]) -> bool:
    """Whether ``ds``'s points can go on the drawing plane: 2-D, with at most three classes."""
    return ds is not None and ds.task == "classification" and ds.dim == 2 and ds.n_classes <= drawn.MAX_CLASSES


def drawing(form: Form, base: Callable[[QueryConfig], Optional[Dataset]], where=None) -> None:
    """The drawing controls of ``form``'s page; call right after its dataset picker.

    ``base(settings)`` is the data the "Draw on these points" button puts on the plane (None where there is none
    to draw, e.g. digits); ``where`` is the button's container (default: the sidebar).
    """
    keys = _keys(form)
    if form.value("dataset") != "drawn":
        try:
            ds = base(form.config())
        except UserError:
            ds = None
        if can_draw(ds) and first_paint.active():
            first_paint.placeholder(where)
        elif can_draw(ds):
            (where or st.sidebar).button("Draw on these points", icon=":material/draw:", key=keys["start"],
                                         on_click=_start, args=(form, ds), width="stretch",
                                         help="Puts these points on a plane where you add, spray and erase points "
                                              "of each class with a finger or the mouse; the net trains on them.")
        for note in st.session_state.pop(keys["notes"], None) or ():  # why the points could not go on the plane
            (where or st.sidebar).warning(note)
        return
    surface(form)


def surface(form: Form) -> None:
    """The drawing section, at the top of the page: the plane, its tools and the drawing's counts."""
    keys, state = _keys(form), st.session_state
    text = form.value("points")
    _, y = drawn.unpack(text)  # the field holds only checked texts: links are read through vizcore.config
    have = drawn.counts(y)
    session = state.setdefault(keys["session"], secrets.token_hex(4))  # tells the surface a new session began
    with st.expander("Your drawing", icon=":material/draw:", expanded=True):
        bar = st.container(horizontal=True, vertical_alignment="bottom")  # above the plane: in reach on a phone
        cls = bar.segmented_control("Class", list(CLASS_WORDS), format_func=CLASS_WORDS.get, default=0,
                                    required=True, key=keys["class"], persist_state=PERSIST)
        tool = bar.segmented_control("Tool", list(TOOLS), format_func=TOOLS.get, default="draw", required=True,
                                     key=keys["tool"], persist_state=PERSIST)
        bar.button("Undo", icon=":material/undo:", key=keys["undo"], on_click=_undo, args=(form,),
                   disabled=not state.get(keys["history"]))
        bar.button("Clear", icon=":material/delete:", key=keys["clear"], on_click=_put, args=(form, ""),
                   disabled=not len(y))
        bar.download_button("Points (CSV)", lambda: drawn.to_csv(text), file_name="drawing.csv", mime="text/csv",
                            icon=":material/download:", on_click="ignore", key=keys["csv"], disabled=not len(y),
                            help="x, y and the class, one point a row: the upload format, so the file loads back "
                                 "under 'Your own data'.")
        plane, words = st.columns([3, 2], gap="medium")
        with words:
            st.caption(" · ".join(f"{CLASS_WORDS[c]} {k:,}" for c, k in enumerate(have))
                       + f" · {len(y):,} of at most {drawn.MAX_POINTS:,} points")
            st.caption(HOW)
            for note in state.pop(keys["notes"], None) or ():
                st.info(note, icon=":material/info:")
        with plane:
            SURFACE(key=keys["surface"], on_stroke_change=partial(_stroke, form),
                    data={"points": drawn.flat(text), "seq": state.get(keys["seq"], 0), "session": session,
                          "cls": cls, "tool": tool, "grid": drawn.GRID, "plane": drawn.PLANE,
                          "max": drawn.MAX_POINTS, "colors": CLASS_COLORS[:drawn.MAX_CLASSES],
                          "size": SIZE[presenting()]})
