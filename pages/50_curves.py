"""Fitting curves neuron by neuron

Lesson 6: a net with one input and one output approximates y = f(x) as a sum of its units.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from ui.boot import require_navigation
from ui.cache import shared_cache
from ui.common import computed, explain
from ui.curves import CSV, forget_missing_upload, live_loss, target_widgets
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, sized
from ui.settings import config_from_widgets, field_widget, preset_picker, setting_widgets
from ui.uploads import stored, upload_controls
from ui.views import CurveView
from vizcore import curves
from vizcore.curves import CurveRun
from vizcore.figures.curves import beyond_figure, fit_figure, loss_figure, small_multiples
from vizcore.lessons.curves import (NOTICE, PRESETS, UNITS_CAPTION, CurveConfig, article_checks, beyond_caption,
                                    epoch_panels, file_caption, fit_caption, fit_view, grids, learning_rates,
                                    line_text, metrics, sweep_panels, unit_notes, unit_rows)

require_navigation()

P, PAGE = "cv_", "curves"
DEFAULT = CurveConfig()


@shared_cache(max_entries=32, ship=True)
def trained(cfg: CurveConfig, _progress=None) -> CurveRun:
    # cfg.data_id names an uploaded CSV (part of the cache key); the store may have forgotten it
    return curves.train(cfg, progress=_progress, dataset=stored("csv", cfg.data_id))


@shared_cache(max_entries=32)
def swept(cfg: CurveConfig, kind: str, _progress=None) -> list:
    return curves.sweep(cfg, kind, grids(trained(cfg))[0], progress=_progress, dataset=stored("csv", cfg.data_id))


def controls() -> CurveConfig:
    """Sidebar widgets -> CurveConfig."""
    upload_controls(P, task="regression", dims=(1,), weights=False, select={"target_choice": CSV})
    forget_missing_upload(P)
    side = st.sidebar
    preset_picker(PRESETS, P, side, help="Experiments in the order of article 001; each note says which settings "
                                         "follow the article. Changing a control makes it your own.")
    side.subheader("Target curve")
    choice = target_widgets(P, side)
    if choice != CSV:  # a file brings its own points
        setting_widgets(DEFAULT, P, ["n", "noise"], advanced(side))
    side.subheader("Network")
    setting_widgets(DEFAULT, P, ["width", "depth", "activation"], side)
    field_widget(DEFAULT, "init", P, advanced(side))
    side.subheader("Training (full batch: one step = one epoch)")
    more = advanced(side)
    field_widget(DEFAULT, "optimizer", P, more)
    field_widget(DEFAULT, "lr", P, more, choices=learning_rates(st.session_state.setdefault(P + "lr", DEFAULT.lr)))
    setting_widgets(DEFAULT, P, ["steps", "seed"], more)
    cfg = config_from_widgets(DEFAULT, P)
    return cfg if choice == CSV else replace(cfg, data_id="")


def train_live(cfg: CurveConfig, _progress) -> CurveRun:
    return trained(cfg, _progress=live_loss(_progress, loss_slot))


st.title("Fitting curves neuron by neuron")
st.markdown(
    "A net with one input and one output draws a curve y = f(x). Each hidden unit contributes one bent "
    "piece, w′·act(w·x + b), and the output adds the pieces up: here you can see the pieces.")

apply_link([(CurveConfig, P), (CurveView, P)], PAGE, P, PRESETS)
cfg = controls()
preset = PRESETS.get(st.session_state[P + "preset"])
if preset:
    st.info("\n".join(f"- {line}" for line in preset.notice) + (f"\n\n**The article:** {preset.article}"
                                                                   if preset.article else ""))
fit_box, loss_slot = st.container(), st.empty()
run = computed(train_live, cfg)
publish_link((cfg, config_from_widgets(CurveView(), P)), PAGE)  # the view's widget is drawn below

hist, model, ds, view = run.history, run.model, run.dataset, fit_view(run)
with fit_box:  # above the live loss curve
    for column, (label, value) in zip(st.columns(3), metrics(run, view)):
        column.metric(label, value)
    fit_fig = sized(fit_figure(ds.X[:, 0], ds.y, view.grid, view.fit, view.parts if model.widths else None,
                               view.kinks, view.kink_y, unit_notes=unit_notes(view, len(model.widths))))
    st.plotly_chart(fit_fig, width="stretch", key="fit")
    if cfg.data_id:
        st.caption(file_caption(ds))
    if model.widths:
        explain(fit_caption(view))
    if view.units:
        with st.expander("Each first-layer unit's weight and bias (the shift)"):
            st.dataframe(pd.DataFrame(unit_rows(view)), hide_index=True)
            explain(UNITS_CAPTION)
    if line_text(run):
        st.markdown(line_text(run))
    download_row("curve-fit", figure=lambda: fit_fig, figure_label="⬇ The fit (HTML, works offline)", run=run,
                 settings=cfg.to_query())

loss_slot.plotly_chart(sized(loss_figure(hist.step, hist.loss)), width="stretch", key="loss")

st.subheader("Beyond the training interval")
st.plotly_chart(sized(beyond_figure(view.wide, view.wide_target, view.wide_fit, view.low, view.high)),
                width="stretch", key="beyond")
explain(beyond_caption(view))
st.subheader("Small multiples")
kind = field_widget(CurveView(), "sweep", P, st)
panels, note = epoch_panels(run, view.grid) if kind == "epochs" else \
    sweep_panels(computed(swept, cfg, kind, label=f"Training one net per {kind}"), kind)
st.plotly_chart(sized(small_multiples(panels, ds.X[:, 0], ds.y, view.grid)), width="stretch", key="multiples")
explain(note)

checks = article_checks(model, view.grid, (view.wide[0], view.wide[-1]))
if checks:
    st.subheader("The article and this net")
    st.markdown("\n".join(f"- **The article says** {said} **Measured here:** {seen}" for said, seen in checks))

st.subheader("What to notice")
st.markdown("\n".join(f"- {line}" for line in NOTICE))
