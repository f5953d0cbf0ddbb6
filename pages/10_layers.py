"""Layers as homeomorphisms

Lesson 1: watch each tanh layer bend space, one phase at a time.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import frames
from ui.common import explain, folded
from ui.controls import run_config_controls
from ui.exports import Downloads
from ui.lesson_page import Shown, lesson_page
from ui.timeline import clock, moment
from ui.uploads import upload_controls
from vizcore.lessons import layers as lesson
from vizcore.runs import describe


def controls(form) -> None:
    upload_controls(form, task="classification")
    run_config_controls(form)


def draw(shown: Shown) -> lesson.LayersView:
    run, cfg = shown.result, shown.settings
    left, right = st.columns([3, 2])
    snapshot = moment("layer_trajectory", shown.view_form, "step", run.history.step, cfg)  # the clock's, right
    anim, fig = shown.derived(lesson.animation_figure, snapshot)
    frames.chart(left, fig, "layer_animation", fill=True, width="stretch")
    shown.first_picture_drawn()
    with right:  # the path's slider moves in the browser; the page follows when it is let go (ui/timeline.py)
        c1, c2 = st.columns(2)
        clock(shown.derived(lesson.path_figure, keep=16), "layer_trajectory", shown.view_form, "step",
              run.history.step, cfg, width="stretch")
        step = int(run.history.step[snapshot])
        c1.metric(f"Accuracy at step {step:,}", f"{run.history.accuracy[snapshot]:.1%}")
        c2.metric(f"Loss at step {step:,}", f"{run.history.loss[snapshot]:.3g}")
        if cfg.start_id:
            st.info(f"Training continued from your uploaded weights: a {describe(run.model)} net "
                    f"({run.model.n_params} parameters).")
        explain(lesson.PATH_CAPTION.format(step=step))
    explain(lesson.ANIMATION_CAPTION)
    if anim.projection:
        st.info(anim.projection + ".")
        if box := folded(f"See every side of the {anim.facts[-1].out_dim}-dimensional last layer: a grand tour",
                         "layers:tour"):
            with box:
                frames.chart(st, shown.derived(lesson.tour_figure, snapshot, keep=16), "grand_tour", width="stretch")
                explain(lesson.tour_caption(shown.derived(lesson.topology_view, snapshot)[0]))
    shown.downloads.append(Downloads("layers", figure=fig, run=run, trajectory=shown.derived(lesson.weight_path),
                                     settings=cfg.to_query()))
    if lesson.has_training_movie(run):  # the movie is built, on the server too, only once it is opened
        if box := folded("Training as one animation", "layers:movie", icon=":material/movie:"):
            with box:
                frames.chart(st, shown.derived(lesson.training_movie_figure, keep=16), "training_movie",
                             width="stretch")
                explain(lesson.MOVIE_CAPTION)
    else:
        explain(lesson.NO_MOVIE.format(width=anim.facts[-1].out_dim))
    st.subheader("What each layer does")
    st.table(pd.DataFrame(lesson.facts_rows(anim.facts)), hide_index=True)  # a table wraps the long "why" text
    if any(f.canonicalised for f in anim.facts):
        explain(lesson.CANONICAL_CAPTION)
    st.subheader("Topology of each class, layer by layer")
    rows, bars = shown.derived(lesson.topology_view, snapshot)
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    explain(lesson.TOPOLOGY_CAPTION)
    if box := folded("Each class's barcode, layer by layer", "layers:barcodes", icon=":material/barcode:"):
        with box:
            frames.chart(st, bars, "barcodes", width="stretch")
            explain(lesson.BARCODE_CAPTION)
    return lesson.LayersView(step=-1 if snapshot == len(run.history) - 1 else step)


lesson_page(__file__, controls=controls, draw=draw,
            intro="A tanh layer computes **tanh(W·x + b)**: a linear map, a shift, then squashing every coordinate. "
                  "Played as a motion, each phase bends space without tearing it.")
