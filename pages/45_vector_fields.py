"""Vector-field layers

Lesson 5: a layer that moves every point along a learned flow, and what a flow cannot do.
"""
from __future__ import annotations

from dataclasses import fields, replace

import pandas as pd
import streamlit as st

from ui.cache import shared_cache
from ui.controls import preset_picker
from ui.common import explain, progress_bar, user_errors
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, presenting, sized
from ui.views import VfView
from vizcore import vectorfield as vf
from vizcore.datasets import subsample
from vizcore.figures.layers import layer_animation
from vizcore.figures.vectorfield import arrow_field

from ui.boot import require_navigation

require_navigation()

P = "vf_"
PAGE = "vectorfield"
MAX_POINTS = {2: 400, 3: 250}
FLOW_SECONDS = 3.0  # one layer's flow at normal speed: long enough to talk over
MIN_FRAMES = 40  # frames per layer, so the flow moves smoothly for those seconds
PRESETS = {  # short keys: ?preset=disc3
    "disc2": vf.VfConfig(),
    "disc3": vf.VfConfig(augment=1),
    "spirals": vf.VfConfig(dataset="spirals", layers=2),
}
BINDINGS = [(vf.VfConfig, P), (VfView, P)]
PRESET_TITLES = {"disc2": "Disc in a ring, in the plane",
                 "disc3": "Disc in a ring, lifted into 3D",
                 "spirals": "Spirals, two layers"}
NOTICE = {
    "disc2": "Play the flow: the ring is stretched and pinched, never torn. The amber channel on the left is "
             "where the region called disc runs out through the ring; the crosses are the {caught} fresh ring "
             "points caught in it, {caught} of this net's {wrong} mistakes on {total:,} fresh points.",
    "disc3": "Play the flow: with a third coordinate the disc can rise off the plane (or the ring sink), and a "
             "flat plane then separates them without any channel through the ring: so it went in {free} of "
             "{seeds} seeds here.",
    "spirals": "Play the flow: unwinding spirals is a deformation of the plane, so no extra coordinate is needed "
               "({acc:.1%} of fresh points right, mean of {seeds} seeds); two layers flow one after the other "
               "(compare the arrows of each).",
    "custom": "Your own settings: compare the table's two rows and watch whether the grid stays a grid.",
}


@shared_cache(max_entries=24)
def trained(cfg: vf.VfConfig, _progress=None) -> vf.VfRun:
    return vf.train(cfg, progress=_progress)


@shared_cache(max_entries=8)
def baseline(cfg: vf.VfConfig, _progress=None) -> vf.TanhBaseline:
    return vf.tanh_baseline(cfg, progress=_progress)


def with_progress(label: str, compute, cfg: vf.VfConfig):
    with progress_bar(label) as progress:
        return compute(cfg, _progress=progress)


@shared_cache(max_entries=24)
def pictures(cfg: vf.VfConfig, layer: int, seed: int, present: bool):
    """The flow animation and the arrows (sized here: ``present`` keeps projector figures apart)."""
    run = trained(cfg)
    keep = subsample(run.dataset.n, MAX_POINTS[2 + cfg.augment])
    X, y = run.dataset.X[keep], run.dataset.y[keep]
    risks = vf.fold_risk(run, X, seed, with_grid=True)
    per_step = -(-MIN_FRAMES // cfg.flow_steps)  # ceiling
    anim = vf.animation(run, X, seed_index=seed, risks=risks, frames_per_step=per_step)
    positions, field = vf.arrows(run, layer, resolution=15 if cfg.augment == 0 else 7, seed_index=seed)
    start = anim.points[layer * cfg.flow_steps * per_step]  # the data where this layer receives it
    overlay = vf.region_overlay(run, seed) if layer == 0 and cfg.augment == 0 else None
    arrows_fig = sized(arrow_field(positions, field, start, y, height=520, region=overlay), fill=True)
    flow_fig = sized(layer_animation(anim, y, height=520, phase_seconds=FLOW_SECONDS), fill=True)
    return anim, max(risks), flow_fig, arrows_fig


def controls() -> vf.VfConfig:
    side = st.sidebar
    for cls in (vf.VfConfig, VfView):  # every run: Streamlit drops the state of widgets not drawn
        for f in fields(cls):
            st.session_state.setdefault(P + f.name, f.default)
    preset_picker(PRESETS, PRESET_TITLES, P, side)
    side.subheader("Data")
    side.selectbox("Dataset", vf.DATASETS, key=P + "dataset")
    if st.session_state[P + "dataset"] == "spirals":
        side.number_input("Spiral turns", 0.25, 2.0, step=0.05, key=P + "turns")
    more = advanced(side)
    more.number_input("Points", 20, 2000, step=50, key=P + "n")
    more.number_input("Noise", 0.0, 0.3, step=0.01, key=P + "noise")
    side.subheader("Vector-field layers")
    side.radio("Space", [0, 1], key=P + "augment", horizontal=True,
               format_func={0: "the plane (2D)", 1: "add a 3rd coordinate = 0"}.get)
    side.number_input("Layers", 1, 4, key=P + "layers")
    more = advanced(side)
    more.number_input("Anchors per layer", 2, 64, key=P + "anchors", help="Bump centres, taken from the data.")
    more.number_input("Bump width", 0.02, 3.0, step=0.05, key=P + "width")
    more.number_input("Flow steps per layer", 1, 40, key=P + "flow_steps")
    more.radio("Integrator", vf.METHODS, key=P + "method", horizontal=True,
               format_func={"euler": "Euler", "rk4": "Runge-Kutta 4"}.get)
    more.checkbox("Normalised field Σ v g / (1 + Σ g)", key=P + "normalised")
    more.checkbox("Learn the bump widths", key=P + "learn_widths")
    more.checkbox("Learn the anchor positions", key=P + "learn_anchors")
    more.number_input("Contraction penalty", 0.0, 1.0, step=0.005, format="%.4f", key=P + "contraction",
                      help="Penalise how much each layer stretches space at the data points (0: off).")
    side.subheader("Training")
    more = advanced(side)
    more.number_input("Seeds", 5, 10, key=P + "seeds")
    more.number_input("Steps", 1, 3000, step=50, key=P + "steps", help="Full-batch Adam updates.")
    more.number_input("Learning rate", 0.0001, 1.0, step=0.01, format="%.4f", key=P + "lr")
    return vf.VfConfig(**{f.name: st.session_state[P + f.name] for f in fields(vf.VfConfig)})


def view_controls(cfg: vf.VfConfig) -> VfView:
    """Which seed and layer to draw (values beyond this run's seeds or layers fall back to 0)."""
    for key, count, what in (("draw_seed", cfg.seeds, "seeds"), ("arrow_layer", cfg.layers, "layers")):
        if not 0 <= st.session_state[P + key] < count:
            st.warning(f"{key}={st.session_state[P + key]} is beyond this run's {count} {what}; showing 0.")
            st.session_state[P + key] = 0
    st.sidebar.subheader("View")
    st.sidebar.selectbox("Seed to draw", range(cfg.seeds), key=P + "draw_seed")
    if cfg.layers > 1:
        st.sidebar.radio("Arrows of layer", range(cfg.layers), horizontal=True, key=P + "arrow_layer",
                         format_func=lambda i: f"layer {i + 1}")
    return VfView(**{f.name: st.session_state[P + f.name] for f in fields(VfView)})


st.title("Vector-field layers")
st.markdown("Instead of W·x + b and tanh, this layer pushes every point along a learned field of Gaussian bumps "
            "(arrows, left). Following it deforms space smoothly and reversibly (right, press ▶), so what a flow "
            "cannot do is a fact of topology.")

apply_link(BINDINGS, PAGE, P, PRESETS)
cfg = controls()
with user_errors():
    cfg.check()
    partner = replace(cfg, augment=1 - cfg.augment) if cfg.dataset == "disc_annulus" else None
    run = with_progress(f"Training {cfg.seeds} seeds", trained, cfg)
    other = base = None
    if partner is not None:
        other = with_progress(f"Training {cfg.seeds} seeds in {2 + partner.augment}D for comparison", trained, partner)
    else:
        base = with_progress("Training lesson 1's tanh net for comparison", baseline, cfg)
    view = view_controls(cfg)
    seed = view.draw_seed
publish_link((cfg, view), PAGE)
with user_errors():
    anim, worst, flow_fig, arrows_fig = pictures(cfg, view.arrow_layer, seed, presenting())

left, right = st.columns(2)
left.plotly_chart(arrows_fig, width="stretch", key="arrows")
right.plotly_chart(flow_fig, width="stretch", key="flow")
disc = run.region is not None
st.info(NOTICE[st.session_state[P + "preset"]].format(  # the picker names a preset only while unchanged
    caught=run.ring_points_as_disc()[seed] if disc else 0, wrong=int((run.test_predictions[seed] != run.test.y).sum()),
    total=vf.TEST_POINTS, free=int(cfg.seeds - run.escapes.sum()) if disc else 0, seeds=cfg.seeds,
    acc=run.test_accuracy.mean()),
    icon=":material/visibility:")
explain(f"Left: the field of layer {view.arrow_layer + 1} where it receives the data (seed {seed}; arrows scaled "
        "so the longest spans one grid spacing; in 3D, cones on the starting plane)"
        + (", over the region the net calls disc (pink) and its channel through the ring (amber)"
           if run.region is not None and view.arrow_layer == 0 and cfg.augment == 0 else "")
        + ". Right: data, grid and decision boundary ride along the flow; the last frame adds the output "
        "layer's straight line (plane in 3D).")

c1, c2, c3, c4 = st.columns(4)
c1.metric(f"Test accuracy (seed {seed})", f"{run.test_accuracy[seed]:.1%}",
          help=f"On {vf.TEST_POINTS:,} fresh points of the same distribution.")
if run.region is not None:
    c2.metric("Disc region cuts through the ring", f"{int(run.escapes.sum())} of {cfg.seeds} seeds")
    c3.metric(f"Ring points called disc (seed {seed})", f"{run.ring_points_as_disc()[seed]} of "
              f"{int((run.test.y == 1).sum()):,}", help="Fresh ring points the net calls disc (crosses, left).")
else:
    c2.metric(f"Test accuracy, mean of {cfg.seeds} seeds", f"{run.test_accuracy.mean():.1%}")
    c3.metric("Parameters per net", run.n_params)
c4.metric("Largest step stretch h·|J|", f"{worst:.2f}",
          help="The largest h·‖J‖ over every integration step, measured only along the paths of the drawn data "
               "points and grid lines (seed {seed}). Below 1, no Euler step folds space along those paths; "
               "elsewhere in the plane it was not measured.".format(seed=seed))
if any(f.kind == "fold" for f in anim.facts):
    st.warning("Along the drawn paths some Euler steps stretch space by more than their own size, so the drawn "
               "flow may fold there. More flow steps, Runge-Kutta 4 or the contraction penalty keep it a true "
               "homeomorphism.")

st.subheader("The article says … / measured here")
st.table(pd.DataFrame(vf.claim_rows(run, other, base)), hide_index=True)
st.subheader("Side by side, over seeds")
rows = ([vf.run_row(vf.describe(r.config), r) for r in sorted((run, other), key=lambda r: r.config.augment)]
        if other is not None else [vf.run_row(vf.describe(cfg), run), vf.baseline_row(base)])
st.table(pd.DataFrame(rows), hide_index=True)
explain(f"Test accuracy is on {vf.TEST_POINTS:,} fresh points"
        + (". Far from the data the field is zero, so half of the far plane is always called disc; a flow of the "
           "plane keeps that half-plane connected to the disc, hence the channel."
           if other is not None else ", the same for both nets; the tanh net is lesson 1's default (2-2-2-2, "
                                     "Adam, 2000 steps)."))
download_row(f"vector-field-seed{seed}", figure=lambda: flow_fig, figure_label="⬇ Flow animation (HTML)",
             table=lambda: pd.DataFrame(vf.seed_rows(run)).to_csv(index=False))
if cfg.contraction > 0 and st.checkbox("Show the effect of the contraction penalty (trains once more without it)",
                                        key=P + "compare_penalty"):
    with user_errors():
        plain = with_progress("Training without the penalty for comparison", trained, replace(cfg, contraction=0.0))
    st.table(pd.DataFrame([vf.run_row("without contraction penalty", plain),
                           vf.run_row(f"with penalty {cfg.contraction:g}", run)]), hide_index=True)
    explain(f"RMS |J| at the data: {plain.jacobian.mean():.2f} without the penalty, {run.jacobian.mean():.2f} with it.")
