"""Sidebar widgets that read a RunConfig, with presets that fill them in."""
from __future__ import annotations

import streamlit as st

from ui.presentation import advanced
from ui.settings import config_from_widgets, field_widget, preset_picker, setting_widgets
from vizcore.runs import LAYER_DATASETS, PRESETS, RunConfig


def run_config_controls(prefix: str = "", dataset_choices=LAYER_DATASETS, default: RunConfig | None = None,
                        presets: bool = True) -> RunConfig:
    """Preset picker plus one widget per RunConfig field, in the sidebar; returns the config."""
    default = default or RunConfig()
    side = st.sidebar
    if presets:
        preset_picker(PRESETS, prefix, side, help="A ready-made experiment. Changing any control below makes it your own.")
    side.subheader("Data")
    offered = (*dataset_choices, "csv") if st.session_state.get(prefix + "data_id") else dataset_choices
    dataset = field_widget(default, "dataset", prefix, side, choices=offered)  # a CSV, once uploaded
    if dataset in ("spirals", "three_spirals"):
        field_widget(default, "turns", prefix, side)
    side.subheader("Network")
    field_widget(default, "widths", prefix, side)
    setting_widgets(default, prefix, ["n", "noise", "activation", "seed", "steps", "lr", "optimizer"], advanced(side))
    return config_from_widgets(default, prefix)
