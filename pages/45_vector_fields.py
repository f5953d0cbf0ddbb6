"""Vector-field layers

Lesson 5: a layer that moves every point along a learned flow, and what a flow cannot do.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from ui.boot import require_navigation
from ui.cache import shared_cache
from ui.common import computed, explain, user_errors
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, presenting, sized
from ui.settings import config_from_widgets, field_widget, preset_picker, setting_widgets
from ui.views import VfView
from vizcore import vectorfield as vf
from vizcore.figures.layers import layer_animation
from vizcore.history import stages
from vizcore.figures.vectorfield import arrow_field
from vizcore.lessons import vector_fields as lesson
from vizcore.lessons.vector_fields import PRESETS, VfConfig

require_navigation()

P = "vf_"
PAGE = "vectorfield"


@shared_cache(max_entries=24, ship=True)
def trained(cfg: VfConfig, _progress=None) -> vf.VfRun:
    return vf.train(cfg, progress=_progress)


@shared_cache(max_entries=8, ship=True)
def baseline(cfg: VfConfig, _progress=None) -> lesson.TanhBaseline:
    return lesson.tanh_baseline(cfg, progress=_progress)


def runs(cfg: VfConfig, _progress=None):
    """The run, and beside it the same net in the other dimension (disc data) or lesson 1's tanh net."""
    first, second = stages(_progress, 2)
    run, other = trained(cfg, _progress=first), lesson.partner(cfg)
    if other is not None:
        return run, trained(other, _progress=second), None
    return run, None, baseline(cfg, _progress=second)


@shared_cache(max_entries=24)
def pictures(cfg: VfConfig, layer: int, seed: int, present: bool):
    """The flow's arrays, the flow animation and the arrows (sized here: ``present`` keeps projector figures apart)."""
    pics = lesson.flow_pictures(trained(cfg), layer, seed)
    arrows = arrow_field(pics.positions, pics.field, pics.start, pics.labels, height=520, region=pics.overlay)
    flow = layer_animation(pics.anim, pics.labels, height=520, phase_seconds=lesson.FLOW_SECONDS)
    return pics, sized(flow, fill=True), sized(arrows, fill=True)


def controls() -> VfConfig:
    side, default = st.sidebar, VfConfig()
    preset_picker(PRESETS, P, side)
    side.subheader("Data")
    if field_widget(default, "dataset", P, side) == "spirals":
        field_widget(default, "turns", P, side)
    setting_widgets(default, P, ["n", "noise"], advanced(side))
    side.subheader("Vector-field layers")
    setting_widgets(default, P, ["augment", "layers"], side)
    setting_widgets(default, P, ["anchors", "width", "flow_steps", "method", "normalised", "learn_widths",
                                 "learn_anchors", "contraction"], advanced(side))
    side.subheader("Training")
    setting_widgets(default, P, ["seeds", "steps", "lr"], advanced(side))
    return config_from_widgets(default, P)


def view_controls(cfg: VfConfig) -> VfView:
    """Which seed and layer to draw (values beyond this run's seeds or layers fall back to 0)."""
    for key, count, what in (("draw_seed", cfg.seeds, "seeds"), ("arrow_layer", cfg.layers, "layers")):
        if not 0 <= st.session_state.setdefault(P + key, 0) < count:
            st.warning(f"{key}={st.session_state[P + key]} is beyond this run's {count} {what}; showing 0.")
            st.session_state[P + key] = 0
    st.sidebar.subheader("View")
    field_widget(VfView(), "draw_seed", P, choices=range(cfg.seeds))
    if cfg.layers > 1:
        field_widget(VfView(), "arrow_layer", P, choices=range(cfg.layers))
    return config_from_widgets(VfView(), P)


st.title("Vector-field layers")
st.markdown("Instead of W·x + b and tanh, this layer pushes every point along a learned field of Gaussian bumps "
            "(arrows, left). Following it deforms space smoothly and reversibly (right, press ▶), so what a flow "
            "cannot do is a fact of topology.")

apply_link([(VfConfig, P), (VfView, P)], PAGE, P, PRESETS)
cfg = controls()
view = view_controls(cfg)
publish_link((cfg, view), PAGE)
run, other, base = computed(runs, cfg, label=f"Training {cfg.seeds} seeds and the comparison")
seed = view.draw_seed
with user_errors():
    pics, flow_fig, arrows_fig = pictures(cfg, view.arrow_layer, seed, presenting())

left, right = st.columns(2)
left.plotly_chart(arrows_fig, width="stretch", key="arrows")
right.plotly_chart(flow_fig, width="stretch", key="flow")
st.info(lesson.notice(st.session_state[P + "preset"], run, seed),  # the picker names a preset only while unchanged
        icon=":material/visibility:")
explain(lesson.flow_caption(run, view.arrow_layer, seed))
for column, (label, value, about) in zip(st.columns(4), lesson.metrics(run, seed, pics.worst)):
    column.metric(label, value, help=about)
if any(f.kind == "fold" for f in pics.anim.facts):
    st.warning(lesson.FOLD_WARNING)

st.subheader("The article says … / measured here")
st.table(pd.DataFrame(lesson.claim_rows(run, other, base)), hide_index=True)
st.subheader("Side by side, over seeds")
st.table(pd.DataFrame(lesson.comparison_rows(run, other, base)), hide_index=True)
explain(lesson.comparison_caption(other is not None))
download_row(f"vector-field-seed{seed}", figure=lambda: flow_fig, figure_label="⬇ Flow animation (HTML)",
             table=lambda: pd.DataFrame(lesson.seed_rows(run)).to_csv(index=False))
if cfg.contraction > 0 and field_widget(VfView(), "compare_penalty", P, st.container()):
    plain = computed(trained, replace(cfg, contraction=0.0), label="Training without the penalty for comparison")
    st.table(pd.DataFrame(lesson.penalty_rows(plain, run)), hide_index=True)
    explain(f"RMS |J| at the data: {plain.jacobian.mean():.2f} without the penalty, {run.jacobian.mean():.2f} with it.")
