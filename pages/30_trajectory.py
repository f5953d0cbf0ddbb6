"""The training trajectory

Lesson 3: follow a net's walk through its 510-dimensional weight space, next to what it computes.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import frames
from ui.common import explain, folded
from ui.exports import Downloads
from ui.form import Form
from ui.lesson_page import Shown, lesson_page
from ui.presentation import advanced
from ui.timeline import clock
from vizcore.lessons import trajectory as lesson

SIDEBAR = {"Data and net": ("dataset", "widths"), "Training": ("mode", "fresh", "steps", "lr", "schedule"),
           "Picture": ("method",)}
ADVANCED = ("batch", "halving", "spread", "compare", "n", "seed", "window", "dense")


def controls(form: Form) -> None:
    """Every setting this mode uses, and the picture's projection and error window among them, in the sidebar."""
    view = Form(lesson.LESSON.view, form.prefix)  # the same widgets as the page's view form (same prefix)
    unused = form.config().unused()
    rates = {"choices": lesson.rate_choices(form.value("lr"))}  # a link may carry any rate

    def widgets(names: tuple[str, ...], where) -> None:
        for name in (n for n in names if n not in unused):
            (view if name in view.names else form).widget(name, where, **(rates if name == "lr" else {}))

    for title, names in SIDEBAR.items():
        st.sidebar.subheader(title)
        widgets(names, st.sidebar)
    widgets(ADVANCED, advanced(st.sidebar))


def draw(shown: Shown) -> None:
    """The figure, whose slider and Play are the page's one clock; the numbers and the layer animation follow it."""
    run, form = shown.result, shown.view_form
    form.set("layer_step", lesson.recorded_moment(run, form.value("layer_step")))
    picture = lesson.picture_of(run, shown.view)
    fig, path = shown.derived(lesson.trajectory_figure, picture, keep=16)
    moments = lesson.frames_of(run, picture)
    snapshot = int(moments[clock(fig, "trajectory_view", form, "layer_step", run.history.step[moments], shown.settings,
                            fill=True, width="stretch")])
    scores = shown.derived(lesson.scores_at, snapshot, keep=96)
    for column, (label, value) in zip(st.columns(4), lesson.metrics(run, *scores, snapshot)):
        column.metric(label, value)
    explain(lesson.view_caption(run, shown.view, run.history.step[moments]))
    shown.first_picture_drawn()
    if box := folded("Can the PCA picture be trusted?", "trajectory:trust"):
        with box:
            rows, trust = shown.derived(lesson.trust_picture, keep=16)
            columns = list(lesson.TRUST_COLUMNS)
            st.table(pd.DataFrame(rows, columns=columns).set_index(columns[0]))
            frames.chart(st, trust, "trust", width="stretch")
            explain(lesson.TRUST_CAPTION)
    shown.downloads.append(Downloads("trajectory", figure=fig, run=run, trajectory=path,
                                     settings={**shown.settings.to_query(), **shown.view.to_query()}))
    if form.widget("layers", st):
        anim, layer_fig = shown.derived(lesson.layer_picture, snapshot)
        frames.chart(st, layer_fig, "trajectory_layers", width="stretch")
        explain(lesson.layer_caption(anim, int(run.history.step[snapshot])))
        shown.downloads.append(Downloads(f"trajectory-layers-step{run.history.step[snapshot]}", figure=layer_fig))


lesson_page(__file__, controls=controls, draw=draw,
            intro="Every weight gets a random direction in the plane; the net sits at the sum of those directions, "
                  "each scaled by its weight. Training walks that point through weight space. Press ▶ and watch it "
                  "walk.")
