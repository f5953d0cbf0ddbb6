"""Fitting curves neuron by neuron

Lesson 6: a net with one input and one output approximates y = f(x) as a sum of its units.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from ui import frames
from ui.common import explain, folded
from ui.curves import CSV, forget_missing_upload, live_loss, target_widgets
from ui.exports import Downloads
from ui.lesson_page import Shown, lesson_page
from ui.presentation import advanced
from ui.uploads import upload_controls
from vizcore.lessons import curves as lesson


def controls(form) -> lesson.CurveConfig:
    upload_controls(form, task="regression", dims=(1,), weights=False, select={"target_choice": CSV})
    forget_missing_upload(form)
    side = st.sidebar
    side.subheader("Target curve")
    choice = target_widgets(form, side)
    if choice != CSV:  # a file brings its own points
        form.widgets(["n", "noise"], advanced(side))
    side.subheader("Network")
    form.widgets(["width", "depth", "activation"], side)
    form.widget("init", advanced(side))
    side.subheader("Training (full batch: one step = one epoch)")
    more = advanced(side)
    form.widget("optimizer", more)
    form.widget("lr", more, choices=lesson.learning_rates(form.value("lr")))
    form.widgets(["steps", "seed"], more)
    cfg = form.config()
    return cfg if choice == CSV else replace(cfg, data_id="")


def draw(shown: Shown) -> None:
    result, cfg = shown.result, shown.settings
    run, view = result.run, shown.derived(lesson.fit_view)
    for column, (label, value) in zip(st.columns(3), lesson.metrics(run, view)):
        column.metric(label, value)
    fit = shown.derived(lesson.fit_figure)
    frames.chart(st, fit, "fit", width="stretch")
    if cfg.data_id:
        st.caption(lesson.file_caption(run.dataset))
    if run.model.widths:
        explain(lesson.fit_caption(view))
    shown.first_picture_drawn()
    if view.units:
        if box := folded("Each first-layer unit's weight and bias (the shift)", "curves:units"):
            with box:
                st.dataframe(pd.DataFrame(lesson.unit_rows(view)), hide_index=True)
                explain(lesson.UNITS_CAPTION)
    if lesson.line_text(result):
        st.markdown(lesson.line_text(result))
    shown.downloads.append(Downloads("curve-fit", figure=fit, figure_label="⬇ The fit (HTML, works offline)", run=run,
                                     settings=cfg.to_query()))
    frames.chart(st, shown.derived(lesson.loss_figure), "loss", width="stretch")

    st.subheader("Beyond the training interval")
    frames.chart(st, shown.derived(lesson.beyond_figure), "beyond", width="stretch")
    explain(lesson.beyond_caption(view))
    st.subheader("Small multiples")
    kind = shown.view_form.widget("sweep", st)
    training = "" if kind == "epochs" else f"Training one net per {kind}"  # a sweep trains; epochs are this run
    figure, note = shown.derived(lesson.multiples, kind, label=training)
    frames.chart(st, figure, "multiples", width="stretch")
    explain(note)


lesson_page(__file__, controls=controls, draw=draw, progress=live_loss,
            preset_help="Experiments in the order of article 001; each note says which settings follow the article. "
                        "Changing a control makes it your own.",
            intro="A net with one input and one output draws a curve y = f(x). Each hidden unit contributes one bent "
                  "piece, w′·act(w·x + b), and the output adds the pieces up: here you can see the pieces.")
