"""Widgets shared by lessons: a RunConfig's (lesson 1, and the landscape lesson's net) and the training step shown."""
from __future__ import annotations

from typing import Sequence

import streamlit as st

from ui.drawing import drawing
from ui.form import Form
from ui.presentation import advanced
from ui.uploads import stored
from vizcore.datasets import takes
from vizcore.runs import RunConfig


def run_data(cfg: RunConfig):
    """The points of ``cfg``'s dataset (an uploaded CSV's too), for the drawing to start from."""
    return stored("csv", cfg.data_id) if cfg.dataset == "csv" else cfg.make_dataset()


def run_config_controls(form: Form) -> None:
    """One widget per RunConfig field, in the sidebar (a CSV is offered once one is uploaded), and the drawing
    where the page offers drawn data."""
    side = st.sidebar
    side.subheader("Data")
    offered = [d for d in form.offers.get("dataset", ()) if d != "csv" or form.value("data_id")]
    dataset = form.widget("dataset", side, **({"choices": offered} if offered else {}))
    if "turns" in takes(dataset):
        form.widget("turns", side)
    if "drawn" in offered:
        drawing(form, run_data)
    side.subheader("Network")
    form.widget("widths", side)
    form.widgets([*(() if dataset == "drawn" else ("n", "noise")), "activation", "seed", "steps", "lr", "optimizer"],
                 advanced(side))


def step_slider(form: Form, steps: Sequence[int], run_of: object, label: str = "Training step shown",
                help: str | None = None) -> tuple[int, int]:
    """The view form's ``step`` as a slider over the recorded training ``steps`` of the run ``run_of`` (its
    settings); returns (step, index). The form's ``step`` is -1 at the end of training.

    It starts at the end of training, and goes back there whenever the run changes (``run_of`` differs
    from the run the step was picked in) or the step it holds (e.g. a link's) was not recorded.
    """
    steps = [int(s) for s in steps]
    state, key, of = st.session_state, form.key("step"), form.key("_step_of")
    if state.get(of, run_of) != run_of or state.get(key) not in steps:
        state[key] = steps[-1]
    state[of] = run_of
    step = st.select_slider(label, steps, key=key, persist_state="session", help=help)
    return step, steps.index(step)
