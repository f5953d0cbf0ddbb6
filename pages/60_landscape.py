"""The loss landscape

Lesson 7: the loss as a surface over two weights, or over a plane through weight space.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.boot import require_navigation
from ui.cache import shared_cache
from ui.common import computed, explain, user_errors
from ui.controls import run_config_controls
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, presenting, sized
from ui.settings import config_from_widgets, field_widget, preset_picker, setting_widgets
from vizcore.figures.landscape import contour_pair, descent_figure, landscape_figure
from vizcore.figures.trajectory import plane_trust_figure
from vizcore.lessons import landscape as lesson
from vizcore.lessons.landscape import (EARLY, PAIR_CAPTION, PRESETS, TRUST_CAPTION, LandscapeConfig, article_checks,
                                       net_caption, plane_caption, trust_shares, weights_caption)
from vizcore.nets import parameter_names
from vizcore.runs import LAYER_DATASETS, Run, RunConfig, train_run

require_navigation()

P, PAGE = "ls_", "landscape"  # widget-key prefix, link page
DEFAULT = LandscapeConfig()
OFFERED = {"dataset": LAYER_DATASETS, "data_id": ("",), "start_id": ("",)}  # no uploads on this page


@shared_cache(max_entries=32, ship=True)
def trained(cfg: RunConfig, _progress=None) -> Run:
    return train_run(cfg, progress=_progress)


@shared_cache(max_entries=32)
def two_weights(run_cfg: RunConfig, cfg: LandscapeConfig) -> lesson.TwoWeights:
    return lesson.two_weights(trained(run_cfg).model, lesson.evaluation_pool(run_cfg), cfg)


@shared_cache(max_entries=32)
def plane_view(run_cfg: RunConfig, cfg: LandscapeConfig) -> lesson.PlaneView:
    run = trained(run_cfg)
    return lesson.plane_view(run.model, run.dataset, run.history.params, cfg)


@shared_cache(max_entries=32)
def two_weight_figures(run_cfg: RunConfig, cfg: LandscapeConfig, present: bool) -> tuple:
    """The descent animation and the N comparison, built and sized once (building them took 0.25 s a run)."""
    view = two_weights(run_cfg, cfg)
    a, b = view.axes(view.surface)
    d = view.descent
    return (sized(descent_figure(a, b, view.surface.loss, d.path, d.loss, *view.names, center=view.center)),
            sized(contour_pair(a, b, [view.surface.loss, view.other.loss], [view.sample_label, view.other_label],
                               *view.names, paths=[d.path, view.other_descent.path])))


def view_controls(names: list[str]) -> LandscapeConfig:
    """Landscape widgets (sidebar) -> LandscapeConfig; the weights offered are those of the net (``names``)."""
    side, state = st.sidebar, st.session_state
    side.subheader("Landscape")
    more = advanced(side)
    field_widget(DEFAULT, "resolution", P, more)
    if state[P + "view"] == "plane":
        setting_widgets(DEFAULT, P, ["plane", "plane_range"], side)
        if state[P + "plane"] == "random":
            field_widget(DEFAULT, "plane_seed", P, more)
        return config_from_widgets(DEFAULT, P)
    for key, default in (("weight_a", 0), ("weight_b", 1)):
        if not 0 <= state[P + key] < len(names):
            st.warning(f"{key}={state[P + key]} is beyond this net's {len(names)} weights and biases; "
                       f"showing {names[default]}.")
            state[P + key] = default
        field_widget(DEFAULT, key, P, side, choices=range(len(names)), names=names.__getitem__)
    setting_widgets(DEFAULT, P, ["sample", "weight_range"], side)
    setting_widgets(DEFAULT, P, ["sample_seed", "starts", "gd_lr", "gd_epochs"], more)
    return config_from_widgets(DEFAULT, P)


st.title("The loss landscape")
st.markdown("Freeze all weights but two and the loss becomes a landscape: valleys, ridges, and a route down "
            "that depends on where you start and on which examples the loss averages over.")

apply_link([(EARLY, P), (LandscapeConfig, P)], PAGE, P, PRESETS, choices=OFFERED)
preset_picker(PRESETS, P, st.sidebar, help="A ready-made view; each is also a link (?preset=...).")
field_widget(DEFAULT, "view", P, st)
run_cfg = run_config_controls(prefix=P, dataset_choices=LAYER_DATASETS, default=EARLY, presets=False)
with user_errors():
    run_cfg.hidden_widths()
run = computed(trained, run_cfg, label="Training the net")
cfg = view_controls(parameter_names(run.model))
with user_errors():
    cfg.check()
    view = two_weights(run_cfg, cfg) if cfg.view == "weights" else plane_view(run_cfg, cfg)
publish_link((run_cfg, cfg), PAGE)
chosen = PRESETS.get(st.session_state[P + "preset"])
notice = chosen and "\n".join(f"- {line}" for line in chosen.notice) + (
    f"\n\n**The article:** {chosen.article}" if chosen.article else "")

if cfg.view == "weights":
    fig, pair = two_weight_figures(run_cfg, cfg, presenting())
    st.plotly_chart(fig, width="stretch", key="descent")
    if notice:
        st.info(notice)
    explain(weights_caption(view))
    st.subheader("The landscape depends on the examples")
    st.plotly_chart(pair, width="stretch", key="pair")
    explain(PAIR_CAPTION)
    st.subheader("The article and this page")
    st.markdown("\n".join(f"- **The article says** {said} **Measured here:** {seen}"
                          for said, seen in article_checks(view)))
else:
    fig = sized(landscape_figure(view.surface.a, view.surface.b, view.surface.loss, *view.labels,
                                 path=view.path, path_loss=view.path_loss))
    st.plotly_chart(fig, width="stretch", key="plane")
    if notice:
        st.info(notice)
    if view.path is not None:
        with st.expander("Can this picture be trusted?"):
            st.table(pd.DataFrame(trust_shares(run.history.params, run.history.step), index=["PC1", "PC2", "PC3"]))
            st.plotly_chart(sized(plane_trust_figure(run.history.step, run.history.loss, view.path_loss)),
                            width="stretch", key="plane_trust")
            explain(TRUST_CAPTION)
    explain(plane_caption(view))
st.caption(net_caption(run))
download_row(f"landscape-{cfg.view}", figure=lambda: fig, run=run, settings=run_cfg.to_query(),
             figure_label="⬇ Descent animation (HTML)" if cfg.view == "weights" else "⬇ Landscape (HTML)")
