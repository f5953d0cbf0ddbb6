"""Fitting curves neuron by neuron

Lesson 6: a net with one input and one output approximates y = f(x) as a sum of its units.
"""
from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import streamlit as st

from ui.cache import shared_cache
from ui.common import explain, progress_bar, user_errors
from vizcore import curves
from vizcore.curves import LOW, HIGH, PRESETS, SWEEPS, TARGETS, WIDE, CurveConfig, CurveRun
from vizcore.datasets import curve_target
from vizcore.figures.curves import beyond_figure, fit_figure, loss_figure, small_multiples
from vizcore.nets import ACTIVATIONS, INITS
from vizcore.train import OPTIMIZERS

GRID = np.linspace(LOW, HIGH, 400)
WIDE_GRID = np.linspace(-WIDE, WIDE, 600)
OWN = "your formula…"
P = "cv_"  # widget-key prefix of this page


@shared_cache(max_entries=32)
def trained(cfg: CurveConfig, _progress=None) -> CurveRun:
    return curves.train(cfg, progress=_progress)


@shared_cache(max_entries=32)
def swept(cfg: CurveConfig, kind: str, _progress=None) -> list:
    return curves.sweep(cfg, kind, GRID, progress=_progress)


def load(cfg: CurveConfig) -> None:
    """Put a config into the widgets."""
    for f in fields(cfg):
        st.session_state[P + f.name] = getattr(cfg, f.name)
    named = cfg.target in TARGETS
    st.session_state[P + "target_choice"] = cfg.target if named else OWN
    st.session_state[P + "formula"] = "" if named else cfg.target


def apply_preset() -> None:
    if st.session_state[P + "preset"] in PRESETS:
        load(PRESETS[st.session_state[P + "preset"]].config)


def controls() -> CurveConfig:
    """Sidebar widgets -> CurveConfig (first visit: from the link, with warnings for bad values)."""
    if P + "target" not in st.session_state:
        cfg, warnings = CurveConfig.from_query(st.query_params.to_dict())
        load(cfg)
        for w in warnings:
            st.warning(w)
    side = st.sidebar
    side.selectbox("Preset", ["custom", *PRESETS], key=P + "preset", on_change=apply_preset,
                   help="The article's steps, one at a time. Changing a control makes it your own.")
    side.subheader("Target curve")
    side.selectbox("y =", [*TARGETS, OWN], key=P + "target_choice")
    if st.session_state[P + "target_choice"] == OWN:
        side.text_input("Formula in x", key=P + "formula", placeholder="e.g. x*sin(3*x) or abs(x)-1",
                        help="Numbers, x, pi, e, + - * / ** and sin cos exp log abs tanh sqrt.")
        target = st.session_state[P + "formula"] or "x"
    else:
        target = st.session_state[P + "target_choice"]
    side.slider("Points on [-3, 3]", 10, 1000, step=10, key=P + "n")
    side.slider("Noise", 0.0, 1.0, step=0.05, key=P + "noise")
    side.subheader("Network")
    side.number_input("Hidden units per layer (0 = one linear neuron)", 0, 200, step=1, key=P + "width")
    side.radio("Hidden layers", [1, 2, 3], key=P + "depth", horizontal=True)
    side.selectbox("Activation", list(ACTIVATIONS), key=P + "activation")
    side.selectbox("Initial weights", INITS, key=P + "init",
                   help="default: uniform ±1/√fan-in; glorot: normal, spread √(2/(in+out)); he: √(2/in).")
    side.subheader("Training (full batch: one step = one epoch)")
    side.selectbox("Optimiser", OPTIMIZERS, key=P + "optimizer",
                   format_func={"sgd": "SGD", "nesterov": "SGD + Nesterov momentum", "adam": "Adam"}.get)
    rates = sorted({0.0003, 0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3, st.session_state[P + "lr"]})
    side.select_slider("Learning rate", rates, key=P + "lr")
    side.number_input("Epochs", 1, 20_000, step=250, key=P + "steps")
    side.number_input("Seed", 0, 1_000_000, step=1, key=P + "seed")
    values = {f.name: st.session_state[P + f.name] for f in fields(CurveConfig) if f.name != "target"}
    return CurveConfig(target=target, **values)


def live_loss(progress, chart):
    """A progress callback that also redraws a loss curve every few reports."""
    seen: list[tuple[int, float]] = []

    def report(done: int, total: int, loss: float) -> None:
        progress(done, total, loss)
        seen.append((done, loss))
        if len(seen) % 10 == 0 or done == total:
            chart.line_chart(pd.DataFrame(seen, columns=["epoch", "loss"]).set_index("epoch"), height=220,
                             x_label="epoch", y_label="mean squared error")
    return report


st.title("Fitting curves neuron by neuron")
st.markdown(
    "A net with one input and one output draws a curve y = f(x). Each hidden unit contributes one bent "
    "piece, w′·act(w·x + b), and the output adds the pieces up: here you can see the pieces.")

cfg = controls()
preset = PRESETS.get(st.session_state[P + "preset"])
if preset and preset.config == cfg:
    st.info(preset.notice)
fit_box = st.container()
loss_slot = st.empty()
with user_errors():
    cfg.check()
    curve_target(cfg.target)  # a bad formula gets its own message before training
    with progress_bar("Training") as progress:
        run = trained(cfg, _progress=live_loss(progress, loss_slot))
st.query_params.from_dict(cfg.changed())

hist, model, ds = run.history, run.model, run.dataset
fit = curves.predict(model, GRID)
parts, bias = curves.contributions(model, GRID)
kinks = curves.kinks(model, GRID)
with fit_box:  # above the live loss curve
    c1, c2, c3 = st.columns(3)
    c1.metric("Final mean squared error", f"{hist.loss[-1]:.4f}")
    c2.metric("Parameters", model.n_params)
    c3.metric("ReLU kinks on [-3, 3]" if model.activation == "relu" else "Hidden units",
              len(kinks) if model.activation == "relu" else sum(cfg.widths))

    st.plotly_chart(fit_figure(ds.X[:, 0], ds.y, GRID, fit, parts if model.widths else None, kinks,
                               curves.predict(model, kinks)), width="stretch", key="fit")
    if model.widths:
        explain("Top: the training points and the net's curve. Below: every unit of the last hidden layer times "
                f"its output weight; these thin curves plus the output bias ({bias:.2f}) add up to the thick one"
                + (" (the 30 largest are drawn)." if parts.shape[1] > 30 else "."))
    if model.activation == "linear":
        slope, intercept = curves.collapsed_line(model)
        if cfg.width == 0:
            st.markdown(f"**One neuron, one line:** f(x) = w·x + b = **{slope:.3f}·x + {intercept:.3f}**.")
        else:
            st.markdown(
                "**Still a line.** Without an activation every unit is a line w·x + b, and a weighted sum of lines "
                "is a line: f(x) = Σᵢ w′ᵢ(wᵢ·x + bᵢ) + b = (Σᵢ w′ᵢwᵢ)·x + (Σᵢ w′ᵢbᵢ + b) "
                f"= **{slope:.3f}·x + {intercept:.3f}** for this net.")

loss_slot.plotly_chart(loss_figure(hist.step, hist.loss), width="stretch", key="loss")

st.subheader("Beyond the training interval")
target_wide = curve_target(cfg.target)(WIDE_GRID)
st.plotly_chart(beyond_figure(WIDE_GRID, np.where(np.isfinite(target_wide), target_wide, np.nan),
                              curves.predict(model, WIDE_GRID), LOW, HIGH), width="stretch", key="beyond")
explain("The net only ever saw x between -3 and 3. Outside, tanh units flatten into constants and ReLU units "
        "continue as straight lines, so the net extrapolates a constant or a line, whatever the target does.")

st.subheader("Small multiples")
kind = st.radio("Compare", ["epochs", *SWEEPS], horizontal=True, key=P + "sweep",
                format_func={"epochs": "epochs (this run)", "width": "widths", "optimizer": "optimisers",
                             "init": "initialisations", "depth": "depths"}.get)
if kind == "epochs":
    panels = [(f"epoch {step}", y) for step, y in curves.snapshots(run, GRID)]
    note = "The same run at six moments: the broad shape comes first, the details last."
else:
    with user_errors(), progress_bar(f"Training one net per {kind}") as progress:
        panels = [(f"{label} · MSE {loss:.3f}", y) for label, y, loss in swept(cfg, kind, _progress=progress)]
    note = f"Every net has your settings except the {kind}; each trains from the same seed."
st.plotly_chart(small_multiples(panels, ds.X[:, 0], ds.y, GRID), width="stretch", key="multiples")
explain(note)

st.subheader("What to notice")
st.markdown(
    "- One linear neuron, or any number of them, is a straight line: activations are what bend it.\n"
    "- ReLU units make a polyline: each unit adds at most one kink, where w·x + b = 0.\n"
    "- tanh units are smooth steps; each one takes charge of a stretch of x and is flat elsewhere.\n"
    "- He initialisation starts with steeper, more spread-out steps than Glorot's, and fits the waves better.\n"
    "- Past the data, the net does not know the function: it just keeps its last slope or level.")
