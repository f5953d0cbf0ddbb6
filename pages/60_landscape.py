"""The loss landscape

Lesson 7: the loss as a surface over two weights, or over a plane through weight space.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import frames
from ui.common import explain, folded
from ui.controls import run_config_controls
from ui.exports import Downloads
from ui.form import Form
from ui.lesson_page import Shown, lesson_page
from ui.presentation import advanced
from ui.screen import columns_second_first
from vizcore.lessons import landscape as lesson
from vizcore.nets import parameter_names


def view_controls(form: Form, names: list[str]) -> lesson.LandscapeConfig:
    """The landscape's widgets (sidebar); the weights offered are those of the net (``names``)."""
    side = st.sidebar
    side.subheader("Landscape")
    more = advanced(side)
    form.widget("resolution", more)
    if form.value("view") == "plane":
        form.widgets(["plane", "plane_range"], side)
        if form.value("plane") == "random":
            form.widget("plane_seed", more)
        return form.config()
    for key, default in (("weight_a", 0), ("weight_b", 1)):
        if not 0 <= form.value(key) < len(names):
            st.warning(f"{key}={form.value(key)} is beyond this net's {len(names)} weights and biases; "
                       f"showing {names[default]}.")
            form.set(key, default)
        form.widget(key, side, choices=range(len(names)), names=names.__getitem__)
    form.widgets(["sample", "weight_range"], side)
    form.widgets(["sample_seed", "starts", "gd_lr", "gd_epochs"], more)
    return form.config()


def draw(shown: Shown) -> lesson.LandscapeConfig:
    run = shown.result
    shown.view_form.widget("view", st)
    view = view_controls(shown.view_form, parameter_names(run.model))
    if view.view == "weights":
        picture = shown.derived(lesson.weights_picture, view)
        shown.result, fig = run.beside(picture), lambda: picture.whole  # the claims are measured on this picture
        surface, maps = columns_second_first([0.36, 0.64])  # a phone shows the maps and their ▶ Play first
        frames.chart(maps, picture.descent, "descent", width="stretch")
        shown.first_picture_drawn()
        frames.chart(surface, picture.surface, "descent_surface", follows="descent", width="stretch")
        explain(lesson.weights_caption(picture.view))
        st.subheader("The landscape depends on the examples")
        frames.chart(st, picture.pair, "pair", width="stretch")
        explain(lesson.PAIR_CAPTION)
    else:
        picture = shown.derived(lesson.plane_picture, view)
        frames.chart(st, fig := picture.figure, "plane", width="stretch")
        shown.first_picture_drawn()
        if picture.trust is not None:
            if box := folded("Can this picture be trusted?", "landscape:trust"):
                with box:
                    st.table(pd.DataFrame(picture.trust, index=["PC1", "PC2", "PC3"]))
                    frames.chart(st, picture.trust_figure, "plane_trust", width="stretch")
                    explain(lesson.TRUST_CAPTION)
        explain(lesson.plane_caption(picture.view))
    st.caption(lesson.net_caption(run))
    shown.downloads.append(Downloads(f"landscape-{view.view}", figure=fig, run=run, settings=shown.settings.to_query(),
                                     figure_label="⬇ Descent animation (HTML)" if view.view == "weights" else
                                     "⬇ Landscape (HTML)"))
    return view


lesson_page(__file__, controls=run_config_controls, draw=draw, label="Training the net",
            preset_help="A ready-made view; each is also a link (?preset=...).",
            intro="Freeze all weights but two and the loss becomes a landscape: valleys, ridges, and a route down "
                  "that depends on where you start and on which examples the loss averages over.")
