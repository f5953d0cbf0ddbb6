"""The training trajectory

Lesson 3: follow a net's walk through its 510-dimensional weight space, next to what it computes.
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
from ui.presentation import advanced, chart_height, sized
from ui.settings import config_from_widgets, field_widget, preset_picker
from vizcore.figures.layers import layer_animation
from vizcore.figures.trajectory import plane_trust_figure, training_view
from vizcore.lessons.trajectory import (AXIS_NAMES, PRESETS, TRUST_CAPTION, TRUST_COLUMNS, VIEW, TrajectoryConfig,
                                        TrajectoryRun, article_comparison, error_label, fresh_scores,
                                        layer_animation_at, layer_caption, lesson_view, metrics, plane_check,
                                        rate_choices, shown_step, train_trajectory, view_caption, what_to_notice)

require_navigation()

P = "tr_"  # widget key prefix
PAGE = "trajectory"
DEFAULT = TrajectoryConfig()
SIDEBAR = {"Data and net": ("dataset", "widths"), "Training": ("mode", "fresh", "steps", "lr", "schedule"),
           "Picture": ("method",)}
ADVANCED = ("batch", "halving", "spread", "compare", "n", "seed", "window", "dense")


@shared_cache(max_entries=16)
def trained(cfg: TrajectoryConfig, _progress=None) -> TrajectoryRun:
    """Call with ``cfg.training()``."""
    return train_trajectory(cfg, progress=_progress)


@shared_cache(max_entries=16)
def view(cfg: TrajectoryConfig, height: int = 540):
    """(figure, fresh scores, the main path [T, 2]) of the run drawn with cfg's projection and window."""
    run = replace(trained(cfg.training()), config=cfg)
    maps, paths = lesson_view(run)
    fig = training_view(maps, paths, error_label=error_label(run), path_label=AXIS_NAMES[cfg.method], height=height)
    return fig, fresh_scores(run), paths[0].xy


@shared_cache(max_entries=16)
def trust(cfg: TrajectoryConfig):
    """Call with ``cfg.training()``: PCA shares beside a random walk's, and the path's loss beside the plane's."""
    return plane_check(trained(cfg))


@shared_cache(max_entries=32)
def layer_view(cfg: TrajectoryConfig, snapshot: int, height: int = 480):
    """Call with ``cfg.training()``: the layer animation of one snapshot."""
    anim, labels = layer_animation_at(trained(cfg), snapshot)
    return anim, layer_animation(anim, labels, height=height)


def controls() -> TrajectoryConfig:
    """The preset picker and every setting this mode uses, in the sidebar."""
    preset_picker(PRESETS, P, st.sidebar)
    unused = config_from_widgets(DEFAULT, P).unused()
    rates = {"choices": rate_choices(st.session_state[P + "lr"])}  # a link may carry any rate

    def widgets(names: tuple[str, ...], where) -> None:
        for name in (n for n in names if n not in unused):
            field_widget(DEFAULT, name, P, where, **(rates if name == "lr" else {}))

    for title, names in SIDEBAR.items():
        st.sidebar.subheader(title)
        widgets(names, st.sidebar)
    widgets(ADVANCED, advanced(st.sidebar))
    return config_from_widgets(DEFAULT, P)


def layer_controls(cfg: TrajectoryConfig, steps: list[int]) -> TrajectoryConfig:
    """The layer-animation toggle and its snapshot slider; returns cfg with what they show."""
    if not field_widget(DEFAULT, "layers", P, st):
        return cfg.without(VIEW)
    st.session_state[P + "layer_step"] = shown_step(st.session_state[P + "layer_step"], steps)
    step = field_widget(DEFAULT, "layer_step", P, st, choices=steps)
    return replace(cfg, layers=True, layer_step=-1 if step == steps[-1] else step)


def table(rows, columns) -> None:
    st.table(pd.DataFrame(rows, columns=columns).set_index(columns[0]))


st.title("The training trajectory")
st.markdown("Every weight gets a random direction in the plane; the net sits at the sum of those directions, each "
            "scaled by its weight. Training walks that point through weight space. Press ▶ and watch it walk.")

apply_link(TrajectoryConfig, PAGE, P, PRESETS)
cfg = controls()
run = computed(trained, cfg.training())
fig, (rms, accuracy), path = view(cfg.without(VIEW), chart_height(540, fill=True))
st.plotly_chart(sized(fig, fill=True), width="stretch", key="trajectory_view")
for column, (label, value) in zip(st.columns(4), metrics(run, rms, accuracy)):
    column.metric(label, value)
explain(view_caption(replace(run, config=cfg), len(fig.frames)))
st.markdown("**The article says … / measured here …**")
table(article_comparison(run, rms, accuracy), ["", "the article says", "measured here"])
with st.expander("Can the PCA picture be trusted?"):
    shares, steps_seen, path_loss, plane_loss = trust(cfg.training())
    table(shares, list(TRUST_COLUMNS))
    st.plotly_chart(sized(plane_trust_figure(steps_seen, path_loss, plane_loss)), width="stretch", key="trust")
    explain(TRUST_CAPTION)
download_row("trajectory", figure=lambda: fig, run=run, trajectory=path, settings=cfg.to_query())

steps = [int(s) for s in run.history.step]
cfg = layer_controls(cfg, steps)
publish_link(cfg, PAGE)
if cfg.layers:
    step = steps[-1] if cfg.layer_step < 0 else cfg.layer_step
    with user_errors():
        anim, layer_fig = layer_view(cfg.training(), steps.index(step), chart_height(480))
    st.plotly_chart(sized(layer_fig), width="stretch", key="trajectory_layers")
    explain(layer_caption(anim))
    download_row(f"trajectory-layers-step{step}", figure=lambda: layer_fig)

st.subheader("What to notice")
st.markdown(what_to_notice(st.session_state.get(P + "preset", "")))
