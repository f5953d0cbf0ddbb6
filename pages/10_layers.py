"""Layers as homeomorphisms

Lesson 1: watch each tanh layer bend space, one phase at a time.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.cache import shared_cache
from ui.common import explain, progress_bar, user_errors
from ui.controls import run_config_controls
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.uploads import stored, upload_controls
from vizcore.datasets import subsample
from vizcore.figures.layers import layer_animation
from vizcore.figures.trajectory import compact_trajectory
from vizcore.layers import animate
from vizcore.runs import LAYER_DATASETS, PRESETS, LayersView, Run, RunConfig, train_run
from vizcore.trajectory import project

from ui.boot import require_navigation

require_navigation()

MAX_POINTS = {2: 500, 3: 300}


@shared_cache(max_entries=32)
def trained(cfg: RunConfig, _progress=None) -> Run:
    # cfg.data_id / cfg.start_id name the uploaded CSV / weights, so they are part of the cache key
    return train_run(cfg, progress=_progress, dataset=stored("csv", cfg.data_id), start=stored("weights", cfg.start_id))


@shared_cache(max_entries=32)
def animation_figure(cfg: RunConfig, snapshot: int = -1):
    run = trained(cfg)
    model = run.model_at(snapshot)
    keep = subsample(run.dataset.n, MAX_POINTS[3 if run.dataset.dim == 3 else 2])
    anim = animate(model, run.dataset.X[keep])
    return anim, layer_animation(anim, run.dataset.y[keep])


@shared_cache(max_entries=32)
def trajectory(cfg: RunConfig):
    return project(trained(cfg).history, "random", seed=cfg.seed)


st.title("Layers as homeomorphisms")
st.markdown(
    "A tanh layer computes **tanh(W·x + b)**: a linear map, then a shift, then squashing every coordinate. "
    "Played as a continuous motion, each phase stretches and bends space without tearing it, so the net "
    "can untangle the classes only in ways a rubber sheet could.")

apply_link([(RunConfig, ""), (LayersView, "layers_")], page="layers",
           presets={k: c for k, (_, c) in PRESETS.items()}, choices={"dataset": (*LAYER_DATASETS, "csv")})
upload_controls(task="classification")
cfg = run_config_controls()
with user_errors():
    cfg.hidden_widths()
    with progress_bar("Training") as progress:
        run = trained(cfg, _progress=progress)
    steps = [int(s) for s in run.history.step]
    if st.session_state.get("layers_step") not in steps:  # a new run: start at its end
        st.session_state["layers_step"] = steps[-1]
    step = st.select_slider("Training step shown", steps, key="layers_step",
                            help="Pick a moment of training: the animation redraws the net as it was then, "
                                 "and the marker shows where its weights were.")
    snapshot = steps.index(step)
    publish_link([cfg, LayersView(step=-1 if step == steps[-1] else step)], page="layers")
    anim, fig = animation_figure(cfg, snapshot)

acc = float(run.history.accuracy[-1])
c1, c2, c3 = st.columns(3)
c1.metric("Training accuracy", f"{acc:.1%}")
c2.metric("Final loss", f"{run.history.loss[-1]:.3g}")
c3.metric("Parameters", run.model.n_params)

left, right = st.columns([3, 2])
left.plotly_chart(fig, width="stretch", key="layer_animation")
right.plotly_chart(compact_trajectory(trajectory(cfg), snapshot, run.history.step, axis_label="random direction",
                                      height=560), width="stretch", key="layer_trajectory")
right.caption(f"The weights' path during training (each weight pushes along its own random direction); "
              f"the orange marker is step {step:,}, the net animated on the left.")
explain("Press ▶ or drag the slider: the grid is the input plane (or line, or box) carried along by the layer. "
        "The dashed line (plane in 3D) in the last frame is where the output layer separates the classes.")
if anim.projection:
    st.info(anim.projection + ".")
download_row("layers", figure=lambda: fig, run=run, trajectory=trajectory(cfg), settings=cfg.to_query())

st.subheader("What each layer does")
rows = [{"layer": f.index, "shape": f"{f.in_dim} → {f.out_dim}", "det W": "—" if f.det is None else f"{f.det:.3g}",
         "kind": f.kind, "why": f.note} for f in anim.facts]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
if any(f.canonicalised for f in anim.facts):
    explain("Some layers had det W < 0. Swapping two hidden units (and the matching columns of the next layer) "
            "gives a net that computes exactly the same function with det W > 0, so it can be animated "
            "without passing through a flattened frame.")

st.subheader("What to notice")
st.markdown(
    "- Every frame of a homeomorphic layer keeps the grid cells from folding over: neighbours stay neighbours.\n"
    "- With only 2 units, the disc cannot leave the ring: the best the net can do is stretch part of the ring thin.\n"
    "- With 3 units the plane is lifted into 3D, where a flat plane can slice the disc off.\n"
    "- A-B-A on a line needs 2 units: the line bends into a curve that a straight line can cut.")
