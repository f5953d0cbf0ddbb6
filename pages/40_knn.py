"""k-NN instead of softmax

Lesson 4: classify by nearest neighbours in the learned space instead of by hyperplanes.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.boot import require_navigation
from ui.cache import shared_cache
from ui.common import computed, explain
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, presenting, sized
from ui.settings import config_from_widgets, field_widget, preset_picker, setting_widgets
from vizcore.figures.knn import feature_planes
from vizcore.lessons import knn as lesson
from vizcore.lessons.knn import PRESETS, KnnConfig, KnnResult

require_navigation()

P = "kn_"
PAGE = "knn"


@shared_cache(max_entries=16, ship=True)
def compared(cfg: KnnConfig, _progress=None) -> KnnResult:
    return lesson.compare_heads(cfg, progress=_progress)


@shared_cache(max_entries=16)
def planes_figure(cfg: KnnConfig, present: bool):
    """The feature planes, sized here (``present`` keeps projector figures apart)."""
    result = compared(cfg)
    return sized(feature_planes(result.features, result.split.y_test, result.split.names,
                                lesson.plane_titles(result), result.regions, height=460))


def controls() -> KnnConfig:
    side, default = st.sidebar, KnnConfig()
    preset_picker(PRESETS, P, side)
    side.subheader("Data")
    if field_widget(default, "dataset", P, side) != "digits":
        setting_widgets(default, P, ["n", "noise"], side)
    side.subheader("Network body")
    setting_widgets(default, P, ["widths", "features"], side)
    side.subheader("k-NN")
    field_widget(default, "k", P, side)
    if field_widget(default, "weighting", P, side) == "gaussian":
        field_widget(default, "temperature", P, side)
    more = advanced(side)
    more.subheader("Training")
    setting_widgets(default, P, ["seeds", "steps", "batch", "lr"], more)
    return config_from_widgets(default, P)


st.title("k-NN instead of softmax")
st.markdown(
    "A softmax layer asks the last hidden layer to make the classes separable by straight lines. A k-nearest-"
    "neighbour head asks only that each point's neighbours share its class. The same small body is trained both "
    "ways over several seeds and scored on held-out data.")

apply_link(KnnConfig, PAGE, P, PRESETS)
cfg = controls()
publish_link(cfg, PAGE)
result = computed(compared, cfg, label=f"Training {cfg.seeds} seeds × 2 bodies")

st.subheader("The article says … / measured here")
st.table(pd.DataFrame(lesson.table_rows(result)), hide_index=True)
explain(lesson.data_caption(cfg))
st.info(lesson.notice(st.session_state[P + "preset"], result),  # the picker names a preset only while unchanged
        icon=":material/visibility:")

st.subheader("The learned feature space of the test set (seed 0)")
planes = planes_figure(cfg, presenting())
st.plotly_chart(planes, width="stretch", key="feature_planes")
ratio = lesson.neighbour_ratios(result)
explain(("Shaded: the class each head would predict at that point of the feature plane. The first two panels "
         "show the same features; only the head differs." if result.regions else
         "Features with more than two dimensions are shown through their two main directions (decision "
         "regions are drawn only for 2-D features).")
        + f" Nearest same-class over nearest other-class distance (median, seed 0): {ratio['softmax']:.2f} in "
        f"the softmax features, {ratio['knn_end_to_end']:.2f} in the features trained for k-NN.")
download_row(f"knn-{cfg.dataset}", figure=lambda: planes, figure_label="⬇ Figure (HTML, works offline)",
             table=lambda: pd.DataFrame(lesson.seed_rows(result)).to_csv(index=False))
