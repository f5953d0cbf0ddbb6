"""Widgets of a RunConfig (lesson 1, and the landscape lesson's net) and of the training step a page shows."""
from __future__ import annotations

from typing import Sequence

import streamlit as st

from ui.presentation import advanced
from ui.settings import config_from_widgets, field_widget, preset_picker, setting_widgets
from vizcore.lessons.layers import PRESETS
from vizcore.runs import LAYER_DATASETS, RunConfig


def run_config_controls(prefix: str = "", dataset_choices=LAYER_DATASETS, default: RunConfig | None = None,
                        presets: bool = True) -> RunConfig:
    """Preset picker plus one widget per RunConfig field, in the sidebar; returns the config."""
    default = default or RunConfig()
    side = st.sidebar
    if presets:
        preset_picker(PRESETS, prefix, side,
                      help="A ready-made experiment. Changing any control below makes it your own.")
    side.subheader("Data")
    offered = (*dataset_choices, "csv") if st.session_state.get(prefix + "data_id") else dataset_choices
    dataset = field_widget(default, "dataset", prefix, side, choices=offered)  # a CSV, once uploaded
    if dataset in ("spirals", "three_spirals"):
        field_widget(default, "turns", prefix, side)
    side.subheader("Network")
    field_widget(default, "widths", prefix, side)
    setting_widgets(default, prefix, ["n", "noise", "activation", "seed", "steps", "lr", "optimizer"], advanced(side))
    return config_from_widgets(default, prefix)


def step_slider(steps: Sequence[int], run_of: object, key: str, label: str = "Training step shown",
                help: str | None = None) -> tuple[int, int]:
    """A slider over the recorded training ``steps`` of the run ``run_of`` (its config); returns (step, index).

    It starts at the end of training, and goes back there whenever the run changes (``run_of`` differs
    from the run the step was picked in) or the step it holds (e.g. a link's) was not recorded.
    """
    steps = [int(s) for s in steps]
    state, of = st.session_state, f"_{key}_of"
    if state.get(of, run_of) != run_of or state.get(key) not in steps:
        state[key] = steps[-1]
    state[of] = run_of
    step = st.select_slider(label, steps, key=key, persist_state="session", help=help)
    return step, steps.index(step)
