"""Vector-field layers

Lesson 5: a layer that moves every point along a learned flow, and what a flow cannot do.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from ui import frames
from ui.common import explain
from ui.drawing import drawing
from ui.exports import Downloads
from ui.lesson_page import Shown, lesson_page
from ui.presentation import advanced
from ui.screen import columns_second_first
from vizcore.datasets import takes
from vizcore.lessons import vector_fields as lesson


def controls(form) -> None:
    side = st.sidebar
    side.subheader("Data")
    dataset = form.widget("dataset", side)
    if "turns" in takes(dataset):
        form.widget("turns", side)
    drawing(form, lesson.VfConfig.make_dataset)
    if dataset != "drawn":
        form.widgets(["n", "noise"], advanced(side))
    side.subheader("Vector-field layers")
    form.widgets(["augment", "layers"], side)
    form.widgets(["anchors", "width", "flow_steps", "method", "normalised", "learn_widths", "learn_anchors",
                  "contraction"], advanced(side))
    side.subheader("Training")
    form.widgets(["seeds", "steps", "lr"], advanced(side))


def draw(shown: Shown) -> None:
    result, cfg, form = shown.result, shown.settings, shown.view_form
    view, warnings = lesson.picked(cfg, shown.view)  # a link may ask for a seed or layer this run lacks
    for warning in warnings:
        st.warning(warning, icon=":material/link_off:")
    if warnings:
        form.load(view)
    st.sidebar.subheader("View")
    seed = form.widget("draw_seed", choices=range(cfg.seeds))
    layer = form.widget("arrow_layer", choices=range(cfg.layers)) if cfg.layers > 1 else view.arrow_layer
    pics, flow, arrows = shown.derived(lesson.pictures, layer, seed, keep=24)
    left, right = columns_second_first(2)  # a phone shows the flow and its ▶ Play first
    frames.chart(right, flow, "flow", fill=True, width="stretch")
    shown.first_picture_drawn()
    frames.chart(left, arrows, "arrows", fill=True, width="stretch")
    explain(lesson.flow_caption(result, layer, seed))
    for column, (label, value, about) in zip(st.columns(4), lesson.metrics(result, seed, pics.worst)):
        column.metric(label, value, help=about)
    if any(f.kind == "fold" for f in pics.anim.facts):
        st.warning(lesson.FOLD_WARNING)

    other = lesson.partner(cfg)
    if other is not None:  # the other dimension's net: its own result, shared with its own link
        result = shown.result = result.beside(shown.compute(other, label=f"Training {cfg.seeds} seeds in "
                                                                         f"{2 + other.augment}D for the comparison"))
    st.subheader("Side by side, over seeds")
    st.table(pd.DataFrame(lesson.comparison_rows(result)), hide_index=True)
    explain(lesson.comparison_caption(result))
    shown.downloads.append(Downloads(f"vector-field-seed{seed}", figure=flow, figure_label="⬇ Flow animation (HTML)",
                                     table=lambda: pd.DataFrame(lesson.seed_rows(result.run)).to_csv(index=False)))
    if cfg.contraction > 0 and form.widget("compare_penalty", st.container()):
        plain = shown.compute(replace(cfg, contraction=0.0), label="Training without the penalty for comparison")
        st.table(pd.DataFrame(lesson.penalty_rows(plain, result)), hide_index=True)
        explain(lesson.penalty_caption(plain, result))


lesson_page(__file__, controls=controls, draw=draw,
            label=lambda cfg: f"Training {cfg.seeds} seeds" + ("" if lesson.partner(cfg) else " and the comparison"),
            intro="Instead of W·x + b and tanh, this layer pushes every point along a learned field of Gaussian bumps "
                  "(arrows, left). Following it deforms space smoothly and reversibly (right, press ▶), so what a "
                  "flow cannot do is a fact of topology.")
