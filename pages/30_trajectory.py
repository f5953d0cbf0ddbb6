"""The training trajectory

Lesson 2: follow a net's walk through its 510-dimensional weight space, next to what it computes.
"""
from __future__ import annotations

import streamlit as st

from ui.cache import shared_cache
from ui.common import explain, progress_bar, user_errors
from vizcore.figures.layers import layer_animation
from vizcore.figures.trajectory import training_view
from vizcore.layers import animate
from vizcore.runs import LEARNING_RATES, display_sample
from vizcore.trajectory import METHOD_NAMES, METHODS, explained_variance
from vizcore.trajectory_runs import (MODES, TRAJECTORY_DATASETS, TrajectoryConfig, TrajectoryRun, fresh_scores,
                                     lesson_view, train_trajectory)

P = "tr_"  # widget key prefix


@shared_cache(max_entries=16)
def trained(cfg: TrajectoryConfig, _progress=None) -> TrajectoryRun:
    return train_trajectory(cfg, progress=_progress)


@shared_cache(max_entries=16)
def view(cfg: TrajectoryConfig):
    run = trained(cfg)
    maps, paths = lesson_view(run)
    label = {"random": "random direction", "rms": "RMS-weighted direction", "pca": "principal component"}[cfg.method]
    error = "RMS error" if run.dataset.task == "regression" else "cross-entropy"
    fig = training_view(maps, paths, error_label=f"{error}, last {cfg.window:,} examples", path_label=label)
    return fig, fresh_scores(run)


@shared_cache(max_entries=32)
def layer_view(cfg: TrajectoryConfig, snapshot: int):
    run = trained(cfg)
    keep = display_sample(run.dataset.n, 300)
    anim = animate(run.model_at(snapshot), run.dataset.X[keep])
    labels = (run.dataset.y[keep] > 0).astype(int) if run.dataset.task == "regression" else run.dataset.y[keep]
    return anim, layer_animation(anim, labels, height=480)


def controls() -> TrajectoryConfig:
    default = TrajectoryConfig()
    for name, value in default.__dict__.items():
        st.session_state.setdefault(P + name, value)
    side = st.sidebar
    side.subheader("Data and net")
    side.selectbox("Dataset", TRAJECTORY_DATASETS, key=P + "dataset",
                   help="above_graph is the article's task: is (x, y) above the curve 20x⁴ − 3x²?")
    side.text_input("Hidden widths", key=P + "widths", help="The article's net: 15,15,15 (no biases, inputs x, y, 1).")
    side.subheader("Training")
    side.selectbox("Mode", MODES, key=P + "mode", help="Per example: one update per example, as in the article.")
    if st.session_state[P + "mode"] == "minibatch":
        side.slider("Batch size", 2, 256, key=P + "batch")
    side.number_input("Updates", 1, 600_000, step=10_000, key=P + "steps",
                      help="The article's full run: 500,000 updates with rate changes 150000: 0.015, 300000: 0.005 (about 20 s).")
    side.select_slider("Learning rate", sorted({*LEARNING_RATES, 0.05}), key=P + "lr")
    side.number_input("Rate halves after (updates, 0 = never)", 0, 1_000_000, step=10_000, key=P + "halving")
    side.text_input("Rate changes (update: new rate, ...)", key=P + "schedule",
                    help="Change the rate mid-run without restarting, e.g. 20000: 0.1, 25000: 0.02 "
                         "(the article's 'add gas', then 'slow down 3x').")
    side.number_input("Slow learning k", 1, 200, key=P + "spread",
                      help="Spread each update evenly over the next k steps (1 = plain training).")
    side.number_input("Compare with slow learning k (0 = off)", 0, 200, key=P + "compare",
                      help="Also train the same net on the same examples with slow learning, drawn in orange.")
    side.number_input("Seed", 0, 1_000_000, key=P + "seed")
    side.subheader("Picture")
    side.radio("Projection", METHODS, key=P + "method", format_func=METHOD_NAMES.get)
    side.number_input("Error over the last N examples", 1, 100_000, step=100, key=P + "window")
    return TrajectoryConfig(**{name: st.session_state[P + name] for name in default.__dict__})


st.title("The training trajectory")
st.markdown(
    "Training moves a point through weight space, one dimension per weight. Give every weight a random direction "
    "in the plane and add them up, weighted by the weights: the walk becomes a path you can watch, next to what "
    "the net computes and its error.")

cfg = controls()
with user_errors():
    cfg.check()
    with progress_bar("Training") as progress:
        run = trained(cfg, _progress=progress)
    fig, (rms, accuracy) = view(cfg)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Weights", f"{run.model.n_params:,}")
c2.metric("Examples seen", f"{int(run.history.step[-1]) * (cfg.batch_size() or run.dataset.n):,}")
if run.dataset.task == "regression":
    c3.metric("RMS error, fresh points", f"{rms:.3f}")
    c4.metric("Sign right, fresh points", f"{accuracy:.1%}")
else:
    c3.metric("Accuracy, fresh points", f"{accuracy:.1%}")

st.plotly_chart(fig, width="stretch", key="trajectory_view")
explain("Press ▶ or drag the slider: the map shows the net's output at that moment (green above 0, red below, "
        "blue near 0; the dotted line is the true curve), the middle panel its recent error, the right panel "
        "where its weights are. The first points are one per example, later ones one per several hundred.")
if cfg.method == "pca":
    share = explained_variance(run.history, cfg.seed)
    st.info(f"The two principal components explain {share[0]:.0%} and {share[1]:.0%} of how the snapshots vary.")

if st.toggle("Show the layer animation at one moment of training", key=P + "layers"):
    steps = [int(s) for s in run.history.step]
    if st.session_state.get(P + "layer_step") not in steps:  # a new run: start at its end
        st.session_state[P + "layer_step"] = steps[-1]
    step = st.select_slider("Snapshot (updates done)", steps, key=P + "layer_step")
    with user_errors():
        anim, layer_fig = layer_view(cfg, steps.index(step))
    st.plotly_chart(layer_fig, width="stretch", key="trajectory_layers")
    explain("The same net at the chosen moment, layer by layer. Wide layers are shown through a fixed "
            "projection to 3D" + (f": {anim.projection}." if anim.projection else "."))

st.subheader("What to notice")
st.markdown(
    "- Per example, the path jitters like Brownian motion yet drifts one way: a few weights grow steadily, "
    "and their directions pull the point along.\n"
    "- Slow learning (orange) walks the same road with far less shaking.\n"
    "- When the path stops drifting and circles one spot, the net is exploring a basin; lowering the rate "
    "then (a rate change) often drops the error sharply.\n"
    "- The RMS-weighted view lets the weights that matter to the loss dominate: a wandering path can turn "
    "into a steady drift.")
