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
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, sized
from ui.uploads import stored, upload_controls
from vizcore import curves
from ui.views import CurveView
from vizcore.curves import LOW, HIGH, PRESETS, SWEEPS, TARGETS, WIDE, CurveConfig, CurveRun
from vizcore.datasets import curve_target
from vizcore.figures.curves import beyond_figure, fit_figure, loss_figure, small_multiples
from vizcore.nets import ACTIVATIONS, INITS
from vizcore.train import OPTIMIZERS

from ui.boot import require_navigation

require_navigation()

GRID = np.linspace(LOW, HIGH, 400)
WIDE_GRID = np.linspace(-WIDE, WIDE, 600)
OWN = "your formula…"
CSV = "your CSV file"
P = "cv_"  # widget-key prefix of this page
PAGE = "curves"
LINK_PRESETS = dict(zip(  # short link keys (?preset=relu100) of the steps, in the article's order
    ("linear1", "linear5", "relu5", "relu100", "relu-piecewise", "glorot", "he", "sgd", "nesterov", "adam", "deep"),
    PRESETS))


@shared_cache(max_entries=32)
def trained(cfg: CurveConfig, _progress=None) -> CurveRun:
    # cfg.data_id names an uploaded CSV (part of the cache key); the store may have forgotten it
    return curves.train(cfg, progress=_progress, dataset=stored("csv", cfg.data_id))


def grids(run: CurveRun) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Where the curve is drawn: [-3, 3] and [-6, 6], or the uploaded x range and twice as wide."""
    if not run.config.data_id:
        return GRID, WIDE_GRID, LOW, HIGH
    x = run.dataset.X[:, 0]
    low, high = float(x.min()), float(x.max())
    half = max(high - low, 1e-3) / 2
    return np.linspace(low, high, 400), np.linspace(low - half, high + half, 600), low, high


@shared_cache(max_entries=32)
def swept(cfg: CurveConfig, kind: str, _progress=None) -> list:
    grid = grids(trained(cfg))[0]
    return curves.sweep(cfg, kind, grid, progress=_progress, dataset=stored("csv", cfg.data_id))


def load(cfg: CurveConfig) -> None:
    """Put a config into the widgets (the target is split over a picker and a formula box)."""
    for f in fields(cfg):
        st.session_state[P + f.name] = getattr(cfg, f.name)
    named = cfg.target in TARGETS
    st.session_state[P + "target_choice"] = CSV if cfg.data_id else cfg.target if named else OWN
    st.session_state[P + "formula"] = "" if named else cfg.target


def load_link(configs: list, preset_key: str | None) -> None:
    load(configs[0])
    same = (title for title, p in PRESETS.items() if p.config == configs[0])  # e.g. the defaults: OPENING
    st.session_state[P + "preset"] = LINK_PRESETS.get(preset_key) or next(same, "custom")


def apply_preset() -> None:
    if st.session_state[P + "preset"] in PRESETS:
        load(PRESETS[st.session_state[P + "preset"]].config)


def controls() -> CurveConfig:
    """Sidebar widgets -> CurveConfig."""
    for cls in (CurveConfig, CurveView):  # every run: Streamlit drops the state of widgets not drawn
        for f in fields(cls):
            st.session_state.setdefault(P + f.name, f.default)
    st.session_state.setdefault(P + "target_choice", CurveConfig().target)
    st.session_state.setdefault(P + "formula", "")
    st.session_state.setdefault(P + "preset", "custom")
    upload_controls(P, task="regression", dims=(1,), weights=False, select={"target_choice": CSV})
    data_id = st.session_state[P + "data_id"]
    if data_id and stored("csv", data_id) is None:
        st.warning(f"Ignored link setting data_id={data_id[:16]!r}: this server no longer has that CSV file. "
                   "Upload it again (sidebar, 'Your own data') to fit it; showing the target curve instead.")
        st.session_state[P + "data_id"] = data_id = ""
        if st.session_state[P + "target_choice"] == CSV:
            st.session_state[P + "target_choice"] = CurveConfig().target
    side = st.sidebar
    side.selectbox("Preset", ["custom", *PRESETS], key=P + "preset", on_change=apply_preset,
                   help="Experiments in the order of article 001; each note says which settings follow the "
                        "article. Changing a control makes it your own.")
    side.subheader("Target curve")
    side.selectbox("y =", [*TARGETS, OWN, *([CSV] if data_id else [])], key=P + "target_choice")
    choice = st.session_state[P + "target_choice"]
    if choice == OWN:
        side.text_input("Formula in x", key=P + "formula", placeholder="e.g. x*sin(3*x) or abs(x)-1",
                        help="Numbers, x, pi, e, + - * / ** and sin cos exp log abs tanh sqrt.")
        target = st.session_state[P + "formula"] or "x"
    else:
        target = CurveConfig().target if choice == CSV else choice
    more = advanced(side)
    more.slider("Points on [-3, 3]", 10, 1000, step=10, key=P + "n", disabled=choice == CSV)
    more.slider("Noise", 0.0, 1.0, step=0.05, key=P + "noise", disabled=choice == CSV)
    side.subheader("Network")
    side.number_input("Hidden units per layer (0 = one linear neuron)", 0, 200, step=1, key=P + "width")
    side.radio("Hidden layers", [1, 2, 3], key=P + "depth", horizontal=True)
    side.selectbox("Activation", list(ACTIVATIONS), key=P + "activation")
    more = advanced(side)
    more.selectbox("Initial weights", INITS, key=P + "init",
                   help="default: uniform ±1/√fan-in; glorot: normal, spread √(2/(in+out)); he: √(2/in).")
    side.subheader("Training (full batch: one step = one epoch)")
    more = advanced(side)
    more.selectbox("Optimiser", OPTIMIZERS, key=P + "optimizer",
                   format_func={"sgd": "SGD", "nesterov": "SGD + Nesterov momentum", "adam": "Adam"}.get)
    rates = sorted({0.0003, 0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3, st.session_state[P + "lr"]})
    more.select_slider("Learning rate", rates, key=P + "lr")
    more.number_input("Epochs", 1, 20_000, step=250, key=P + "steps")
    more.number_input("Seed", 0, 1_000_000, step=1, key=P + "seed")
    values = {f.name: st.session_state[P + f.name] for f in fields(CurveConfig) if f.name not in ("target", "data_id")}
    return CurveConfig(target=target, data_id=data_id if choice == CSV else "", **values)


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

apply_link([(CurveConfig, P), (CurveView, P)], PAGE, P, {k: PRESETS[t].config for k, t in LINK_PRESETS.items()},
           on_load=load_link)
cfg = controls()
view = CurveView(**{f.name: st.session_state[P + f.name] for f in fields(CurveView)})  # its widget is drawn below
preset = PRESETS.get(st.session_state[P + "preset"])
if preset and preset.config == cfg:
    st.info(preset.notice)
fit_box = st.container()
loss_slot = st.empty()
with user_errors():
    cfg.check()
    if not cfg.data_id:
        curve_target(cfg.target)  # a bad formula gets its own message before training
    with progress_bar("Training") as progress:
        run = trained(cfg, _progress=live_loss(progress, loss_slot))
publish_link((cfg, view), PAGE)

hist, model, ds = run.history, run.model, run.dataset
grid, wide_grid, low, high = grids(run)
where = f"[{low:.3g}, {high:.3g}]"
fit = curves.predict(model, grid)
parts, bias = curves.contributions(model, grid)
kinks = curves.kinks(model, grid)
with fit_box:  # above the live loss curve
    c1, c2, c3 = st.columns(3)
    c1.metric("Final mean squared error", f"{hist.loss[-1]:.4f}")
    c2.metric("Parameters", model.n_params)
    c3.metric(f"ReLU kinks on {where}" if model.activation == "relu" else "Hidden units",
              len(kinks) if model.activation == "relu" else sum(cfg.widths))

    units = curves.first_layer_units(model)
    notes = [f"w = {u['w']:.2f}, b = {u['b']:.2f}, centred at x = {u['centre']:.2f}" for u in units] \
        if len(model.widths) == 1 else None  # one hidden layer: the units drawn are the first layer's
    fit_fig = sized(fit_figure(ds.X[:, 0], ds.y, grid, fit, parts if model.widths else None, kinks,
                               curves.predict(model, kinks), unit_notes=notes))
    st.plotly_chart(fit_fig, width="stretch", key="fit")
    if cfg.data_id:
        columns = ds.params.get("columns") or ["x", "y"]
        st.caption(f"Your file: {ds.n:,} points, {columns[0]!r} as x and {columns[-1]!r} as y.")
    if model.widths:
        explain("Top: the training points and the net's curve. Below: every unit of the last hidden layer times "
                f"its output weight; these thin curves plus the output bias ({bias:.2f}) add up to the thick one"
                + (" (the 30 largest are drawn)." if parts.shape[1] > 30 else "."))
    if units:
        with st.expander("Each first-layer unit's weight and bias (the shift)"):
            st.dataframe(pd.DataFrame([{"unit": i + 1, "w": f"{u['w']:.3f}", "b (shift)": f"{u['b']:.3f}",
                                        "centred at x = −b/w": f"{u['centre']:.3f}"} for i, u in enumerate(units)]),
                         hide_index=True)
            explain("Unit i computes act(wᵢ·x + bᵢ): the bias slides its curve along x, centring it at x = −bᵢ/wᵢ. "
                    "With biases starting at zero every unit starts centred at x = 0; training moves them apart.")
    if model.activation == "linear":
        slope, intercept = curves.collapsed_line(model)
        if cfg.width == 0:
            st.markdown(f"**One neuron, one line:** f(x) = w·x + b = **{slope:.3f}·x + {intercept:.3f}**.")
        else:
            st.markdown(
                "**Still a line.** Without an activation every unit is a line w·x + b, and a weighted sum of lines "
                "is a line: f(x) = Σᵢ w′ᵢ(wᵢ·x + bᵢ) + b = (Σᵢ w′ᵢwᵢ)·x + (Σᵢ w′ᵢbᵢ + b) "
                f"= **{slope:.3f}·x + {intercept:.3f}** for this net.")
    download_row("curve-fit", figure=lambda: fit_fig, figure_label="⬇ The fit (HTML, works offline)", run=run,
                 settings=cfg.to_query())

loss_slot.plotly_chart(sized(loss_figure(hist.step, hist.loss)), width="stretch", key="loss")

st.subheader("Beyond the training interval")
if cfg.data_id:
    target_wide = np.full(len(wide_grid), np.nan)  # a file has no formula to continue
else:
    target_wide = curve_target(cfg.target)(wide_grid)
st.plotly_chart(sized(beyond_figure(wide_grid, np.where(np.isfinite(target_wide), target_wide, np.nan),
                                    curves.predict(model, wide_grid), low, high)), width="stretch", key="beyond")
explain(f"The net only ever saw x between {low:.3g} and {high:.3g}. Outside, tanh units flatten into constants "
        "and ReLU units continue as straight lines, so the net extrapolates a constant or a line, whatever the "
        "target does.")
st.subheader("Small multiples")
kind = st.radio("Compare", ["epochs", *SWEEPS], horizontal=True, key=P + "sweep",
                format_func={"epochs": "epochs (this run)", "width": "widths", "optimizer": "optimisers",
                             "init": "initialisations", "depth": "depths"}.get)
if kind == "epochs":
    panels = [(f"epoch {step}", y) for step, y in curves.snapshots(run, grid)]
    note = f"The same run at {len(panels)} moments: the broad shape comes first, the details last."
else:
    with user_errors(), progress_bar(f"Training one net per {kind}") as progress:
        panels = [(f"{label} · MSE {loss:.3f}", y) for label, y, loss in swept(cfg, kind, _progress=progress)]
    note = f"Every net has your settings except the {kind}; each trains from the same seed."
st.plotly_chart(sized(small_multiples(panels, ds.X[:, 0], ds.y, grid)), width="stretch", key="multiples")
explain(note)

checks = curves.article_checks(model, grid, (wide_grid[0], wide_grid[-1]))
if checks:
    st.subheader("The article and this net")
    st.markdown("\n".join(f"- **The article says** {said} **Measured here:** {seen}" for said, seen in checks))

st.subheader("What to notice")
st.markdown(
    "- One linear neuron, or any number of them, is a straight line: activations are what bend it.\n"
    "- ReLU units make a polyline. In the first hidden layer each unit adds at most one kink, where "
    "w·x + b = 0; units of a deeper layer can add several.\n"
    "- tanh units are smooth steps; each one takes charge of a stretch of x and is flat elsewhere.\n"
    "- He initialisation starts with steeper steps than Glorot's (all centred at x = 0: biases start at zero) "
    "and here fits the waves better.\n"
    "- Past the data, the net does not know the function: it just keeps its last slope or level.")
