"""The training trajectory

Lesson 3: follow a net's walk through its 510-dimensional weight space, next to what it computes.
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
from ui.presentation import advanced, chart_height, sized
from vizcore.datasets import subsample
from vizcore.figures.layers import layer_animation
from vizcore.figures.trajectory import plane_trust_figure, training_view
from vizcore.layers import animate
from vizcore.runs import LEARNING_RATES
from vizcore.trajectory import (METHOD_NAMES, METHODS, path_and_plane_loss, pca_shares, random_walk_shares,
                                random_walk_theory)
from vizcore.trajectory_runs import (MODES, TRAJECTORY_DATASETS, TrajectoryConfig, TrajectoryRun, article_comparison,
                                     frame_snapshots, fresh_scores, lesson_view, path_density, train_trajectory)

from ui.boot import require_navigation

require_navigation()

P = "tr_"  # widget key prefix
PAGE = "trajectory"
PICTURE = ("window", "method")  # change how the run is drawn, not the training
VIEW = ("layers", "layer_step")  # the layer animation below the figure
GAS = "1000: 0.06, 150000: 0.02, 200000: 0.0067, 230000: 0.0022"  # twice the rate, then a third, thrice
PRESETS = {  # ?preset=<key>
    "article": TrajectoryConfig(),
    "gas": TrajectoryConfig(lr=0.03, schedule=GAS),
    "slow": TrajectoryConfig(steps=2000, schedule="", dense=2000, compare=10, window=200),
    "rms": TrajectoryConfig(method="rms"),
    "fixed": TrajectoryConfig(fresh=False),
    "spirals": TrajectoryConfig(dataset="spirals", n=2000, mode="minibatch", steps=5000, schedule=""),
}
PRESET_TITLES = {"article": "The article's net, trained on 250,000 fresh examples",
                 "gas": "Add gas, then slow down 3× three times",
                 "slow": "The first 2,000 examples, plain and with slow learning",
                 "rms": "RMS-weighted directions: the weights that matter lead",
                 "fixed": "The same 20,000 points over and over instead of fresh ones",
                 "spirals": "Two spirals, minibatches of 32"}


def without(cfg: TrajectoryConfig, names: tuple[str, ...]) -> TrajectoryConfig:
    """``cfg`` with the settings ``names`` at their defaults (so they do not split the cache)."""
    return replace(cfg, **{name: getattr(TrajectoryConfig(), name) for name in names})


def training(cfg: TrajectoryConfig) -> TrajectoryConfig:
    """Only what the training depends on: a new projection or snapshot never retrains."""
    return without(cfg, PICTURE + VIEW)


@shared_cache(max_entries=16)
def trained(cfg: TrajectoryConfig, _progress=None) -> TrajectoryRun:
    """Call with ``training(cfg)``."""
    return train_trajectory(cfg, progress=_progress)


@shared_cache(max_entries=16)
def view(cfg: TrajectoryConfig, height: int = 540):
    """(figure, fresh scores, the main path [T, 2]) of the run drawn with cfg's projection and window."""
    run = replace(trained(training(cfg)), config=cfg)
    maps, paths = lesson_view(run)
    label = {"random": "random direction", "rms": "RMS-weighted direction", "pca": "principal component"}[cfg.method]
    error = "RMS error" if run.dataset.task == "regression" else "cross-entropy"
    fig = training_view(maps, paths, error_label=f"{error}, last {cfg.window:,} examples", path_label=label,
                        height=height)
    return fig, fresh_scores(run), paths[0].xy


@shared_cache(max_entries=16)
def trust(cfg: TrajectoryConfig):
    """Call with ``training(cfg)``: PCA shares beside a random walk's, and the path's loss beside the plane's."""
    run = trained(cfg)
    params = run.history.params
    ours, walk, theory = pca_shares(params, 3), random_walk_shares(len(params), params.shape[1], 3), random_walk_theory(3)
    rows = [[f"PC{k + 1}", f"{ours[k]:.0%}", f"{walk[k]:.0%}", f"{theory[k]:.0%}"] for k in range(3)]
    keep = subsample(run.dataset.n, 500)  # 2,000 points took 1.3 s for 400 snapshots, 500 take 0.08 s
    path, plane = path_and_plane_loss(run.model, params, run.dataset.X[keep], run.dataset.y[keep], run.dataset.task)
    return rows, run.history.step, path, plane


@shared_cache(max_entries=32)
def layer_view(cfg: TrajectoryConfig, snapshot: int, height: int = 480):
    """Call with ``training(cfg)``: the layer animation of one snapshot."""
    run = trained(cfg)
    keep = subsample(run.dataset.n, 300)
    anim = animate(run.model_at(snapshot), run.dataset.X[keep])
    labels = (run.dataset.y[keep] > 0).astype(int) if run.dataset.task == "regression" else run.dataset.y[keep]
    return anim, layer_animation(anim, labels, height=height)


def controls() -> TrajectoryConfig:
    default = TrajectoryConfig()
    for f in fields(default):  # every run: hidden widgets lose their state otherwise
        st.session_state.setdefault(P + f.name, getattr(default, f.name))
    side = st.sidebar
    preset_picker(PRESETS, PRESET_TITLES, P, side)
    side.subheader("Data and net")
    side.selectbox("Dataset", TRAJECTORY_DATASETS, key=P + "dataset",
                   help="above_graph is the article's task: is (x, y) above a curve with two minima? The article "
                        "gives no formula; this app uses y = 20x⁴ − 3x².")
    side.text_input("Hidden widths", key=P + "widths", help="The article's net: 15,15,15 (no biases, inputs x, y, 1).")
    side.subheader("Training")
    side.selectbox("Mode", MODES, key=P + "mode", help="Per example: one update per example, as in the article.")
    if st.session_state[P + "mode"] == "per-example":
        side.toggle("A fresh example for every update", key=P + "fresh",
                    help="As in the article. Off: cycle through a fixed set of training points.")
    side.number_input("Updates", 1, 600_000, step=10_000, key=P + "steps")
    rates = sorted({*LEARNING_RATES, 0.05, float(st.session_state[P + "lr"])})  # a link may carry any rate
    side.select_slider("Learning rate", rates, key=P + "lr")
    side.text_input("Rate changes (update: new rate, ...)", key=P + "schedule",
                    help="Change the rate mid-run without restarting, e.g. 1000: 0.06, 150000: 0.02 "
                         "(double it, then slow down 3×).")
    side.subheader("Picture")
    side.radio("Projection", METHODS, key=P + "method", format_func=METHOD_NAMES.get)
    more = advanced(side)
    if st.session_state[P + "mode"] == "minibatch":
        more.slider("Batch size", 2, 256, key=P + "batch")
    more.number_input("Rate halves after (updates, 0 = never)", 0, 1_000_000, step=10_000, key=P + "halving",
                      help="Gradual slowing: the rate is divided by 1 + updates / this number.")
    more.number_input("Slow learning k", 1, 200, key=P + "spread",
                      help="Spread each update evenly over the next k steps (1 = plain training).")
    more.number_input("Compare with slow learning k (0 = off)", 0, 200, key=P + "compare",
                      help="Also train the same net on the same examples with slow learning, drawn in orange.")
    if not (st.session_state[P + "fresh"] and st.session_state[P + "mode"] == "per-example"):
        more.number_input("Training points", 100, 20_000, step=1000, key=P + "n")
    more.number_input("Seed", 0, 1_000_000, key=P + "seed")
    more.number_input("Error over the last N examples", 1, 100_000, step=100, key=P + "window")
    more.number_input("Record every update for the first", 0, 2000, step=100, key=P + "dense")
    return TrajectoryConfig(**{f.name: st.session_state[P + f.name] for f in fields(default)})


def layer_controls(cfg: TrajectoryConfig, steps: list[int]) -> TrajectoryConfig:
    """The layer-animation toggle and its snapshot slider; returns cfg with what they show."""
    if not st.toggle("Show the layer animation at one moment of training", key=P + "layers"):
        return without(cfg, VIEW)
    wanted = st.session_state[P + "layer_step"]
    if wanted not in steps:  # a new run or a linked step: the end (-1), else the nearest recorded step
        st.session_state[P + "layer_step"] = steps[-1] if wanted < 0 else min(steps, key=lambda s: abs(s - wanted))
    step = st.select_slider("Snapshot (updates done)", steps, key=P + "layer_step")
    return replace(cfg, layers=True, layer_step=-1 if step == steps[-1] else step)


st.title("The training trajectory")
st.markdown("Every weight gets a random direction in the plane; the net sits at the sum of those directions, each "
            "scaled by its weight. Training walks that point through weight space. Press ▶ and watch it walk.")

apply_link(TrajectoryConfig, PAGE, P, PRESETS)
cfg = controls()
with user_errors():
    cfg.check()
    with progress_bar("Training") as progress:
        run = trained(training(cfg), _progress=progress)
    fig, (rms, accuracy), path = view(without(cfg, VIEW), chart_height(540, fill=True))
st.plotly_chart(sized(fig, fill=True), width="stretch", key="trajectory_view")

c1, c2, c3, c4 = st.columns(4)
c1.metric("Weights", f"{run.model.n_params:,}")
c2.metric("Examples seen", f"{int(run.history.step[-1]) * (cfg.batch_size() or run.dataset.n):,}")
if run.dataset.task == "regression":
    c3.metric("RMS error, fresh points", f"{rms:.3f}")
    c4.metric("Sign right, fresh points", f"{accuracy:.1%}")
else:
    c3.metric("Accuracy, fresh points", f"{accuracy:.1%}")
dense = min(cfg.dense, cfg.steps)
early = sum(int(run.history.step[t]) <= dense for t in frame_snapshots(run.history.step))
explain(f"Left: the net's output at the moment shown (green above 0, red below, blue near 0; dotted: the true "
        f"curve). Middle: its error over the last {cfg.window:,} examples. Right: where its weights are, magnified "
        f"to the walk so far. The path has {path_density(cfg)}. The {len(fig.frames)} frames run on a logarithmic "
        f"clock" + (f": {early} of them show the first {dense:,} updates." if 0 < dense < cfg.steps else "."))
st.markdown("**The article says … / measured here …**")
st.table(pd.DataFrame(article_comparison(run, rms, accuracy),
                      columns=["", "the article says", "measured here"]).set_index(""))
with st.expander("Can the PCA picture be trusted?"):
    shares, steps_seen, path_loss, plane_loss = trust(training(cfg))
    st.table(pd.DataFrame(shares, columns=["", "this run", "a random walk of as many steps", "6 / (π² k²)"])
             .set_index(""))
    st.plotly_chart(sized(plane_trust_figure(steps_seen, path_loss, plane_loss)), width="stretch", key="trust")
    explain("A pure random walk in many dimensions has a first principal component that explains about 6/π² ≈ 61% "
            "of its variance (Antognini and Sohl-Dickstein, 2018): a PCA path that looks like that is no evidence "
            "of structure. The chart compares the loss along the real path with the loss at the points the PCA "
            "plane shows; where they part, the plane's picture shows a descent the path never had.")
download_row("trajectory", figure=lambda: fig, run=run, trajectory=path, settings=cfg.to_query())

steps = [int(s) for s in run.history.step]
cfg = layer_controls(cfg, steps)
publish_link(cfg, PAGE)
if cfg.layers:
    step = steps[-1] if cfg.layer_step < 0 else cfg.layer_step
    with user_errors():
        anim, layer_fig = layer_view(training(cfg), steps.index(step), chart_height(480))
    st.plotly_chart(sized(layer_fig), width="stretch", key="trajectory_layers")
    explain("The same net at the chosen moment, layer by layer. Wide layers are shown through a fixed "
            "projection to 3D" + (f": {anim.projection}." if anim.projection else "."))
    download_row(f"trajectory-layers-step{step}", figure=lambda: layer_fig)

st.subheader("What to notice")
st.markdown(
    "- Per example, the path jitters like Brownian motion yet drifts one way: a few weights grow steadily, "
    "and their directions pull the point along.\n"
    "- With slow learning (the *slow* preset, in orange) each update lands in k small parts, so the same examples "
    "give a smoother path.\n"
    "- The article lowers the rate when the path stops drifting and circles one spot, and the error drops. The "
    "*gas* preset doubles the rate after 1,000 updates, then divides it by 3 at 150,000, 200,000 and 230,000: "
    "watch the middle panel after each.\n"
    "- The RMS-weighted view (the *rms* preset) lets the weights that matter to the loss dominate the picture.")
