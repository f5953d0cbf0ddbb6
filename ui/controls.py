"""Sidebar widgets that read a RunConfig, with presets that fill them in."""
from __future__ import annotations

from dataclasses import fields
from typing import Mapping

import streamlit as st

from ui.presentation import advanced
from vizcore import datasets
from vizcore.config import QueryConfig
from vizcore.nets import ACTIVATIONS
from vizcore.runs import LAYER_DATASETS, LEARNING_RATES, PRESETS, RunConfig
from vizcore.train import OPTIMIZERS


def load_into_widgets(cfg: QueryConfig, prefix: str = "") -> None:
    """Write every field of ``cfg`` into the session state of its widget."""
    for f in fields(cfg):
        st.session_state[prefix + f.name] = getattr(cfg, f.name)


def matching_preset(presets: Mapping[str, QueryConfig], prefix: str = "") -> str:
    """The first preset whose every field equals the widget value in session state, else "custom"."""
    state = st.session_state
    for key, cfg in presets.items():
        if all(state.get(prefix + f.name) == getattr(cfg, f.name) for f in fields(cfg)):
            return key
    return "custom"


def preset_picker(presets: Mapping[str, QueryConfig], titles: Mapping[str, str], prefix: str = "",
                  container=None, help: str = "A ready-made experiment; each is also a link (?preset=...).") -> None:
    """A "Preset" selectbox (key ``prefix + "preset"``) that loads the chosen config into the widgets.

    It names the preset whose settings the widgets hold now (so a page opens on its named default,
    and says "custom settings" as soon as any control departs from every preset).
    """
    st.session_state[prefix + "preset"] = matching_preset(presets, prefix)

    def load() -> None:
        key = st.session_state[prefix + "preset"]
        if key in presets:
            load_into_widgets(presets[key], prefix)

    (container or st.sidebar).selectbox("Preset", ["custom", *presets], key=prefix + "preset", on_change=load,
                                        format_func=lambda k: titles.get(k, "custom settings"), help=help)


def run_config_controls(prefix: str = "", dataset_choices=LAYER_DATASETS, default: RunConfig | None = None,
                        presets: bool = True) -> RunConfig:
    """Preset picker plus one widget per RunConfig field, in the sidebar; returns the config."""
    default = default or RunConfig()
    for f in fields(default):
        st.session_state.setdefault(prefix + f.name, getattr(default, f.name))
    side = st.sidebar
    if presets:
        preset_picker({k: p.config for k, p in PRESETS.items()}, {k: p.title for k, p in PRESETS.items()}, prefix,
                      side, help="A ready-made experiment. Changing any control below makes it your own.")
    side.subheader("Data")
    if st.session_state.get(prefix + "data_id"):  # a CSV was uploaded: offer it
        dataset_choices = (*dataset_choices, "csv")
    side.selectbox("Dataset", dataset_choices, key=prefix + "dataset",
                   format_func=lambda name: f"{name}: {datasets.DESCRIPTIONS.get(name, 'your uploaded file')}")
    if st.session_state[prefix + "dataset"] in ("spirals", "three_spirals"):
        side.slider("Spiral turns", 0.25, 2.0, step=0.05, key=prefix + "turns",
                    help="More turns entangle the spirals more tightly.")
    side.subheader("Network")
    side.text_input("Hidden widths", key=prefix + "widths", help="Units per hidden layer, e.g. 2,2,2,2 or 3.")
    more = advanced(side)
    more.slider("Points", 50, 2000, step=50, key=prefix + "n")
    more.slider("Noise", 0.0, 0.3, step=0.01, key=prefix + "noise")
    more.selectbox("Activation", list(ACTIVATIONS), key=prefix + "activation")
    more.number_input("Seed", 0, 1_000_000, step=1, key=prefix + "seed")
    more.number_input("Steps", 0, 20_000, step=250, key=prefix + "steps", help="Full-batch updates.")
    more.select_slider("Learning rate", LEARNING_RATES, key=prefix + "lr")
    more.selectbox("Optimiser", OPTIMIZERS, key=prefix + "optimizer")
    values = {f.name: st.session_state[prefix + f.name] for f in fields(default)}
    return RunConfig(**values)
