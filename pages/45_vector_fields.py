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
from ui.presentation import advanced, chart_height
from vizcore import vectorfield as vf
from vizcore.datasets import subsample
from vizcore.figures.layers import layer_animation
from vizcore.figures.vectorfield import arrow_field

from ui.boot import require_navigation

require_navigation()

P = "vf_"
PAGE = "vectorfield"
MAX_POINTS = {2: 400, 3: 250}
PRESETS = {  # short keys: ?preset=disc3
    "disc2": vf.VfConfig(),
    "disc3": vf.VfConfig(augment=1),
    "spirals": vf.VfConfig(dataset="spirals", layers=2),
}
BINDINGS = [(vf.VfConfig, P), (vf.VfView, P)]
PRESET_TITLES = {"disc2": "Disc in a ring, flowed in the plane",
                 "disc3": "Disc in a ring, with a third coordinate to lift it out",
                 "spirals": "Spirals: a stack of two vector-field layers"}


@shared_cache(max_entries=24)
def trained(cfg: vf.VfConfig, _progress=None) -> vf.VfRun:
    return vf.train(cfg, progress=_progress)


@shared_cache(max_entries=8)
def baseline(cfg: vf.VfConfig, _progress=None) -> vf.TanhBaseline:
    return vf.tanh_baseline(cfg, progress=_progress)


@shared_cache(max_entries=24)
def pictures(cfg: vf.VfConfig, layer: int, seed: int, height: int):
    run = trained(cfg)
    keep = subsample(run.dataset.n, MAX_POINTS[2 + cfg.augment])
    risks = vf.fold_risk(run, run.dataset.X[keep], seed)
    anim = vf.animation(run, run.dataset.X[keep], seed_index=seed, risks=risks)
    positions, field = vf.arrows(run, layer, resolution=15 if cfg.augment == 0 else 7, seed_index=seed)
    start = anim.points[0]
    if layer > 0:  # draw the data where this layer receives it
        start = anim.points[layer * cfg.flow_steps]
    arrows_fig = arrow_field(positions, field, start, run.dataset.y[keep], height=height)
    return anim, max(risks), layer_animation(anim, run.dataset.y[keep], height=height), arrows_fig


def seed_rows(run: vf.VfRun) -> list[dict]:
    """One row per seed of a trained batch, for the CSV download."""
    return [{"seed": s, "training accuracy": run.accuracy[s], "test accuracy": run.test_accuracy[s],
             "RMS |J| at the data": run.jacobian[s],
             **({"disc region cuts through the ring": bool(run.escapes[s])} if run.escapes is not None else {})}
            for s in range(len(run.accuracy))]


def controls() -> vf.VfConfig:
    side = st.sidebar
    for cls in (vf.VfConfig, vf.VfView):  # every run: Streamlit drops the state of widgets not drawn
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
    on = more.checkbox("Contraction penalty", value=st.session_state[P + "contraction"] > 0,
                       help="Penalise how much each layer stretches space at the data points.")
    if on:
        if st.session_state[P + "contraction"] == 0:
            st.session_state[P + "contraction"] = 0.01
        more.number_input("Penalty strength", 0.0001, 1.0, step=0.005, format="%.4f", key=P + "contraction")
    else:
        st.session_state[P + "contraction"] = 0.0
    side.subheader("Training")
    more = advanced(side)
    more.number_input("Seeds", 5, 10, key=P + "seeds")
    more.number_input("Steps", 1, 3000, step=50, key=P + "steps", help="Full-batch Adam updates.")
    more.number_input("Learning rate", 0.0001, 1.0, step=0.01, format="%.4f", key=P + "lr")
    return vf.VfConfig(**{f.name: st.session_state[P + f.name] for f in fields(vf.VfConfig)})


def view_controls(cfg: vf.VfConfig) -> vf.VfView:
    """Which seed and layer to draw (values beyond this run's seeds or layers fall back to 0)."""
    for key, count, what in (("draw_seed", cfg.seeds, "seeds"), ("arrow_layer", cfg.layers, "layers")):
        if not 0 <= st.session_state[P + key] < count:
            st.warning(f"{key}={st.session_state[P + key]} is beyond this run's {count} {what}; showing 0.")
            st.session_state[P + key] = 0
    v1, v2, _ = st.columns([1, 2, 3])
    v1.selectbox("Seed to draw", range(cfg.seeds), key=P + "draw_seed")
    if cfg.layers > 1:
        v2.radio("Arrows of layer", range(cfg.layers), horizontal=True, key=P + "arrow_layer",
                 format_func=lambda i: f"layer {i + 1}")
    return vf.VfView(**{f.name: st.session_state[P + f.name] for f in fields(vf.VfView)})


st.title("Vector-field layers")
st.markdown(
    "Instead of W·x + b and tanh, this layer pushes every point along a learned vector field: a sum of "
    "Gaussian bumps placed on training points, each with its own arrow. Following the arrows for a while "
    "deforms space smoothly and reversibly, so what a flow cannot do tells us about topology.")

apply_link(BINDINGS, PAGE, P, PRESETS)
cfg = controls()
with user_errors():
    cfg.check()
    partner = replace(cfg, augment=1 - cfg.augment) if cfg.dataset == "disc_annulus" else None
    with progress_bar(f"Training {cfg.seeds} seeds") as progress:
        run = trained(cfg, _progress=progress)
    if partner is not None:
        with progress_bar(f"Training {cfg.seeds} seeds in {2 + partner.augment}D for comparison") as progress:
            other = trained(partner, _progress=progress)
    else:
        with progress_bar("Training lesson 1's tanh net for comparison") as progress:
            base = baseline(cfg, _progress=progress)
    view = view_controls(cfg)
    seed = view.draw_seed
publish_link((cfg, view), PAGE)
with user_errors():
    anim, worst, flow_fig, arrows_fig = pictures(cfg, view.arrow_layer, seed, chart_height(520))

c1, c2, c3, c4 = st.columns(4)
c1.metric(f"Training accuracy (seed {seed})", f"{run.accuracy[seed]:.1%}")
c2.metric(f"Test accuracy, mean of {cfg.seeds} seeds", f"{run.test_accuracy.mean():.1%}")
c3.metric("Parameters", run.n_params)
c4.metric("Largest step stretch h·|J|", f"{worst:.2f}", help="Below 1, no Euler step can fold space over.")

left, right = st.columns(2)
with left:
    st.plotly_chart(arrows_fig, width="stretch", key="arrows")
    explain("The learned field of the chosen layer where that layer receives the data (arrows scaled so the "
            "longest spans one grid spacing; in 3D, cones on the starting plane).")
with right:
    st.plotly_chart(flow_fig, width="stretch", key="flow")
    explain("Press ▶: the data and the grid ride along the flow, one step per frame. The dashed line "
            "(plane in 3D) in the last frame is the linear classifier after the flow.")
download_row(f"vector-field-seed{seed}", figure=lambda: flow_fig, figure_label="⬇ Flow animation (HTML)",
             table=lambda: pd.DataFrame(seed_rows(run)).to_csv(index=False))
if any(f.kind == "fold" for f in anim.facts):
    st.warning("Some Euler steps stretch space by more than their own size here, so the drawn flow may fold. "
               "More flow steps, Runge-Kutta 4 or the contraction penalty keep it a true homeomorphism.")

st.subheader("Side by side, over seeds")
if partner is not None:
    runs = {cfg.augment: run, partner.augment: other}
    rows = [vf.run_row(f"{vf.describe(c.config)}", c) for c in (runs[0], runs[1])]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    explain("Far from the data the field is zero, so half of the far-away plane is always classified as disc. "
            "A flow of the plane is a homeomorphism, so that half-plane and the disc form one connected region: "
            "a channel of 'disc' must cut through the ring, however thin the flow squeezes it (last column: "
            "every seed, always). Given a third coordinate, the flow can lift the disc out instead, and the "
            "channel is no longer needed. Test accuracy is on 2,000 fresh points.")
else:
    rows = [vf.run_row(vf.describe(cfg), run), vf.baseline_row(base)]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    explain("Same spirals, same seeds, same fresh test points. The tanh net is lesson 1's default "
            "(2-2-2-2, Adam, 2000 steps).")
if cfg.contraction > 0 and st.checkbox("Show the effect of the contraction penalty (trains once more without it)",
                                        key=P + "compare_penalty"):
    with user_errors(), progress_bar("Training without the penalty for comparison") as progress:
        plain = trained(replace(cfg, contraction=0.0), _progress=progress)
    st.dataframe(pd.DataFrame([vf.run_row("without contraction penalty", plain),
                               vf.run_row(f"with penalty {cfg.contraction:g}", run)]),
                 hide_index=True, width="stretch")
    explain("The penalty makes each layer stretch space less at the data (smaller |J|). Without it, Euler steps "
            "often stretch by more than their own size and can fold space, which a true flow never does.")

st.subheader("What to notice")
st.markdown(
    "- The grid never tears or folds: neighbouring points stay neighbours along the whole flow.\n"
    "- In the plane the disc stays trapped inside the ring; the flow can only pinch the ring thin on one side.\n"
    "- With a zero third coordinate the flow raises the disc (or sinks the ring) and a flat plane separates them.\n"
    "- Spirals need no extra dimension: unwinding them is a deformation of the plane.")
