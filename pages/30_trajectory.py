"""The training trajectory

Lesson 3: follow a net's walk through its 510-dimensional weight space, next to what it computes.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from ui.common import explain
from ui.exports import Downloads
from ui.form import Form
from ui.lesson_page import Shown, lesson_page
from ui.presentation import advanced, sized
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


def draw(shown: Shown) -> lesson.TrajectoryView:
    run, view, form = shown.result, shown.view, shown.view_form
    fig, path = shown.derived(lesson.trajectory_figure, view.picture(), keep=16)
    st.plotly_chart(sized(fig, fill=True), width="stretch", key="trajectory_view")
    for column, (label, value) in zip(st.columns(4), lesson.metrics(run, *run.scores)):
        column.metric(label, value)
    explain(lesson.view_caption(run, view, len(fig.frame_dicts)))
    with st.expander("Can the PCA picture be trusted?"):
        rows, trust = shown.derived(lesson.trust_picture, keep=16)
        columns = list(lesson.TRUST_COLUMNS)
        st.table(pd.DataFrame(rows, columns=columns).set_index(columns[0]))
        st.plotly_chart(sized(trust), width="stretch", key="trust")
        explain(lesson.TRUST_CAPTION)
    shown.downloads.append(Downloads("trajectory", figure=fig, run=run, trajectory=path,
                                     settings={**shown.settings.to_query(), **view.to_query()}))

    steps = [int(s) for s in run.history.step]
    if not form.widget("layers", st):
        return replace(view, layers=False, layer_step=-1)
    form.set("layer_step", lesson.shown_step(form.value("layer_step"), steps))
    step = form.widget("layer_step", st, choices=steps)
    anim, layer_fig = shown.derived(lesson.layer_picture, steps.index(step))
    st.plotly_chart(sized(layer_fig), width="stretch", key="trajectory_layers")
    explain(lesson.layer_caption(anim))
    shown.downloads.append(Downloads(f"trajectory-layers-step{step}", figure=layer_fig))
    return replace(view, layers=True, layer_step=-1 if step == steps[-1] else step)


lesson_page(__file__, controls=controls, draw=draw,
            intro="Every weight gets a random direction in the plane; the net sits at the sum of those directions, "
                  "each scaled by its weight. Training walks that point through weight space. Press ▶ and watch it "
                  "walk.")
