"""Layers as homeomorphisms

Lesson 1: watch each tanh layer bend space, one phase at a time.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.boot import require_navigation
from ui.cache import shared_cache
from ui.common import computed, explain, user_errors
from ui.controls import run_config_controls, step_slider
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import chart_height, presenting, sized
from ui.uploads import stored, upload_controls
from ui.views import LayersView
from vizcore.figures.layers import grand_tour, layer_animation
from vizcore.figures.trajectory import compact_trajectory
from vizcore.lessons import layers as lesson
from vizcore.runs import LAYER_DATASETS, Run, RunConfig, describe, train_run
from vizcore.trajectory import project

require_navigation()


@shared_cache(max_entries=32, ship=True)
def trained(cfg: RunConfig, _progress=None) -> Run:
    # cfg.data_id / cfg.start_id name the uploaded CSV / weights, so they are part of the cache key
    return train_run(cfg, progress=_progress, dataset=stored("csv", cfg.data_id), start=stored("weights", cfg.start_id))


@shared_cache(max_entries=32)
def animation_figure(cfg: RunConfig, snapshot: int, height: int):
    anim, labels = lesson.animation(trained(cfg), snapshot)
    return anim, sized(layer_animation(anim, labels, height=height), fill=True)


@shared_cache(max_entries=16)
def training_movie(cfg: RunConfig, height: int):
    anim, labels = lesson.training_movie(trained(cfg))
    return None if anim is None else sized(layer_animation(anim, labels, height=height, frame_ms=250))


@shared_cache(max_entries=32)
def trajectory(cfg: RunConfig):
    return project(trained(cfg).history, "random", seed=cfg.seed)


@shared_cache(max_entries=64)
def path_figure(cfg: RunConfig, snapshot: int, present: bool):  # present: projector figures are kept apart
    return sized(compact_trajectory(trajectory(cfg), snapshot, trained(cfg).history.step,
                                    axis_label="random direction", height=400))


@shared_cache(max_entries=16)
def tour(cfg: RunConfig, snapshot: int, present: bool):  # present: projector figures are kept apart
    return sized(grand_tour(*lesson.tour_points(trained(cfg), snapshot)))


@shared_cache(max_entries=32)
def topology(cfg: RunConfig, snapshot: int, present: bool):  # present: projector figures are kept apart
    per_layer, facts = lesson.barcodes(trained(cfg), snapshot)
    return pd.DataFrame(lesson.topology_rows(per_layer, facts)), sized(lesson.barcode_figure(per_layer))


st.title("Layers as homeomorphisms")
st.markdown("A tanh layer computes **tanh(W·x + b)**: a linear map, a shift, then squashing every coordinate. "
            "Played as a motion, each phase bends space without tearing it.")

apply_link([(RunConfig, ""), (LayersView, "layers_")], page="layers", presets=lesson.PRESETS,
           choices={"dataset": (*LAYER_DATASETS, "csv")})
upload_controls(task="classification")
cfg = run_config_controls()
run = computed(trained, cfg)

left, right = st.columns([3, 2])
with right:
    step, snapshot = step_slider(run.history.step, cfg, key="layers_step",
                                 help="Pick a moment of training: the animation redraws the net as it was then, "
                                      "and the marker shows where its weights were.")
    publish_link([cfg, LayersView(step=-1 if snapshot == len(run.history) - 1 else step)], page="layers")
    c1, c2 = st.columns(2)
    c1.metric(f"Accuracy at step {step:,}", f"{run.history.accuracy[snapshot]:.1%}")
    c2.metric(f"Loss at step {step:,}", f"{run.history.loss[snapshot]:.3g}")
    if cfg.start_id:
        st.info(f"Training continued from your uploaded weights: a {describe(run.model)} net "
                f"({run.model.n_params} parameters).")
    st.plotly_chart(path_figure(cfg, snapshot, presenting()), width="stretch", key="layer_trajectory")
    explain("The weights' path during training (each weight pushes along its own random direction); the orange "
            f"marker is step {step:,}, the net animated on the left.")
with left, user_errors():
    anim, fig = animation_figure(cfg, snapshot, chart_height(600, fill=True))  # the height keys presenting
    st.plotly_chart(fig, width="stretch", key="layer_animation")
explain("The grid is the input space carried along by each layer. The black curve is the decision boundary, "
        "pulled back to the input and carried through every frame; in the last frame it lies on the output "
        "layer's dashed line (plane in 3D). The view follows the data, so read the axes for the scale.")
if anim.projection:
    st.info(anim.projection + ".")
    with st.expander(f"See every side of the {anim.facts[-1].out_dim}-dimensional last layer: a grand tour"):
        st.plotly_chart(tour(cfg, snapshot, presenting()), width="stretch", key="grand_tour")
        explain("The last layer's points turned smoothly through all its dimensions and seen in 3D, so each "
                "direction comes into view in turn. Watch the two classes: in 4D the linked rings no longer "
                "pass through each other.")
download_row("layers", figure=lambda: fig, run=run, trajectory=trajectory(cfg), settings=cfg.to_query())

movie = training_movie(cfg, chart_height(520))
if movie is not None:
    st.subheader("Training as one animation")
    st.plotly_chart(movie, width="stretch", key="training_movie")
    explain("Each frame is the last layer's picture at one moment of training (steps on a log scale, since early "
            "training changes fastest): the grid and the data as the net of that moment places them, and the "
            "decision boundary, which always lies on a straight line here. Play it to watch the classes come apart.")

st.subheader("What to notice")
for block in lesson.notice(st.session_state.get("preset", ""), run, anim.facts):
    st.markdown(block)

st.subheader("What each layer does")
st.table(pd.DataFrame(lesson.facts_rows(anim.facts)).set_index("layer"))  # a table wraps the long "why" text
if any(f.canonicalised for f in anim.facts):
    explain("Some layers had det W < 0. Swapping two hidden units (and the matching columns of the next layer) "
            "gives a net that computes exactly the same function with det W > 0, so it can be animated "
            "without passing through a flattened frame.")

st.subheader("Topology of each class, layer by layer")
table, bars = topology(cfg, snapshot, presenting())
st.dataframe(table, hide_index=True)
explain(f"Each cell is b₀, b₁: the number of pieces and of loops of that class's points, {lesson.BETTI_METHOD}. "
        "A homeomorphic layer cannot change the numbers; a collapse or a fold can (the last column says which). "
        "\"Unresolved\" means the points are too few to tell: a limit of the measurement, not a tear.")
st.plotly_chart(bars, width="stretch", key="barcodes")
explain(lesson.BARCODE_CAPTION)
