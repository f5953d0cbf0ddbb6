"""k-NN instead of softmax

Lesson 4: classify by nearest neighbours in the learned space instead of by hyperplanes.
"""
from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import streamlit as st

from ui.cache import shared_cache
from ui.controls import preset_picker
from ui.common import explain, progress_bar, user_errors
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, presenting, sized
from vizcore.figures.knn import feature_planes
from vizcore.knn import (DATASETS, HEAD_TITLES, HEADS, KnnConfig, KnnResult, compare_heads, neighbour_ratio,
                         table_rows)

from ui.boot import require_navigation

require_navigation()

P = "kn_"
PAGE = "knn"
PRESETS = {
    "digits": KnnConfig(),
    "digits_gaussian": KnnConfig(weighting="gaussian"),
    "spirals": KnnConfig(dataset="spirals"),
}
PRESET_TITLES = {"digits": "Digits · 1/distance (the article's)",
                 "digits_gaussian": "Digits · exp(-d²/T) (this app's)",
                 "spirals": "Two spirals (2D toy data)"}
NOTICE = {
    "digits": "Compare the first two panels: the same features, only the head differs, and k-NN changed the error "
              "by {diff:+.1f} points (the article: 0.1 to 0.2 points lower). Trained end to end with the article's "
              "1/distance weights, the error is {e2e:.1f}% against softmax's {soft:.1f}%: {verdict}.",
    "digits_gaussian": "exp(-d²/T) weights are this app's addition, not the article's (as in neighbourhood "
                       "components analysis): far points get almost no weight, so training shapes each point's "
                       "own neighbourhood. End to end: {e2e:.1f}% against softmax's {soft:.1f}%, better in "
                       "{better} of {seeds} seeds.",
    "spirals": "Two spirals are easy for every head here ({soft:.1f}%, {feats:.1f}%, {e2e:.1f}% test error). "
               "Look at the shapes instead: trained for k-NN, a point's nearest neighbour of its own class is "
               "{r_e2e:.2f} times as far as the nearest of the other class ({r_soft:.2f} in softmax features).",
    "custom": "Your own settings: softmax {soft:.1f}%, k-NN on its features {feats:.1f}%, k-NN end to end "
              "{e2e:.1f}% test error (means over {seeds} seeds).",
}
DATASET_TITLES = {"digits": "digits: 8×8 handwritten digits (scikit-learn)", "spirals": "spirals: two arms in 2D",
                  "disc_annulus": "disc_annulus: a disc inside a ring"}


@shared_cache(max_entries=16)
def compared(cfg: KnnConfig, _progress=None) -> KnnResult:
    return compare_heads(cfg, progress=_progress)


@shared_cache(max_entries=16)
def planes_figure(cfg: KnnConfig, present: bool):
    """The feature planes, sized here (``present`` keeps projector figures apart)."""
    result = compared(cfg)
    titles = {h: f"{HEAD_TITLES[h]} · {100 * result.errors[h][0]:.1f}% error" for h in result.features}
    return sized(feature_planes(result.features, result.split.y_test, result.split.names, titles, result.regions,
                                height=460))


def errors_csv(result: KnnResult) -> str:
    """One row per seed: the test error of each head."""
    table = pd.DataFrame({"seed": range(result.config.seeds)})
    for head in HEADS:
        table[f"{HEAD_TITLES[head]} test error"] = result.errors[head]
    return table.to_csv(index=False)


def controls() -> KnnConfig:
    side = st.sidebar
    for f in fields(KnnConfig):
        st.session_state.setdefault(P + f.name, getattr(KnnConfig(), f.name))
    preset_picker(PRESETS, PRESET_TITLES, P, side)
    side.subheader("Data")
    side.selectbox("Dataset", DATASETS, key=P + "dataset", format_func=DATASET_TITLES.get)
    if st.session_state[P + "dataset"] != "digits":
        side.number_input("Training points", 50, 3000, step=50, key=P + "n",
                          help="The test set is as large, drawn afresh.")
        side.slider("Noise", 0.0, 0.3, step=0.01, key=P + "noise")
    side.subheader("Network body")
    side.text_input("Hidden tanh widths", key=P + "widths", help="Before the feature layer, e.g. 32 or 16,16.")
    side.select_slider("Feature dimensions", [2, 3, 8, 16], key=P + "features",
                       help="2 can be drawn as it is; more are drawn through their two main directions.")
    side.subheader("k-NN")
    side.slider("k (neighbours at test time)", 1, 50, key=P + "k")
    side.radio("Weights in the training loss", ["inverse", "gaussian"], key=P + "weighting",
               format_func={"inverse": "1 / distance", "gaussian": "exp(-d² / T)"}.get)
    if st.session_state[P + "weighting"] == "gaussian":
        side.number_input("Temperature T", 0.001, 10.0, step=0.1, format="%.3f", key=P + "temperature")
    more = advanced(side)
    more.subheader("Training")
    more.slider("Seeds", 5, 10, key=P + "seeds")
    more.number_input("Steps", 10, 5000, step=100, key=P + "steps", help="Minibatch Adam updates per body.")
    more.number_input("Minibatch size", 16, 512, step=16, key=P + "batch")
    more.number_input("Learning rate", 0.0001, 1.0, step=0.005, format="%.4f", key=P + "lr")
    return KnnConfig(**{f.name: st.session_state[P + f.name] for f in fields(KnnConfig)})


st.title("k-NN instead of softmax")
st.markdown(
    "A softmax layer asks the last hidden layer to make the classes separable by straight lines. A k-nearest-"
    "neighbour head asks only that each point's neighbours share its class. The same small body is trained both "
    "ways over several seeds and scored on held-out data.")

apply_link(KnnConfig, PAGE, P, PRESETS)
cfg = controls()
publish_link(cfg, PAGE)
with user_errors():
    cfg.check()
    with progress_bar(f"Training {cfg.seeds} seeds × 2 bodies") as progress:
        result = compared(cfg, _progress=progress)

st.subheader("The article says … / measured here")
st.table(pd.DataFrame(table_rows(result)), hide_index=True)
data = "scikit-learn's 8×8 digits (1,347 training, 450 test images)" if cfg.dataset == "digits" else \
    f"{cfg.dataset} ({cfg.n} training and {cfg.n} fresh test points)"
explain(f"Measured on {data}. This app's choices, not the article's: a tanh MLP body ({cfg.widths} units) with "
        f"a {cfg.features}-D linear feature layer, so the features can be drawn, and k = {cfg.k} distance-weighted "
        "neighbours at test time. The article used MNIST and a two-layer CNN, a far bigger problem and net: "
        "compare the direction of the differences, not the numbers.")
soft, feats, e2e = (100 * result.summary()[h][0] for h in HEADS)
ratio = {h: neighbour_ratio(result.features[h], result.split.y_test) for h in ("softmax", "knn_end_to_end")}
st.info(NOTICE[st.session_state[P + "preset"]].format(  # the picker names a preset only while unchanged
    soft=soft, feats=feats, e2e=e2e, diff=feats - soft, seeds=cfg.seeds,
    verdict="worse, as the article found" if e2e > soft else "better, unlike the article's finding",
    better=int(np.sum(result.errors["knn_end_to_end"] < result.errors["softmax"])),
    r_soft=ratio["softmax"], r_e2e=ratio["knn_end_to_end"]), icon=":material/visibility:")

st.subheader("The learned feature space of the test set (seed 0)")
planes = planes_figure(cfg, presenting())
st.plotly_chart(planes, width="stretch", key="feature_planes")
explain(("Shaded: the class each head would predict at that point of the feature plane. The first two panels "
         "show the same features; only the head differs." if result.regions else
         "Features with more than two dimensions are shown through their two main directions (decision "
         "regions are drawn only for 2-D features).")
        + f" Nearest same-class over nearest other-class distance (median, seed 0): {ratio['softmax']:.2f} in "
        f"the softmax features, {ratio['knn_end_to_end']:.2f} in the features trained for k-NN.")
download_row(f"knn-{cfg.dataset}", figure=lambda: planes, table=lambda: errors_csv(result),
             figure_label="⬇ Figure (HTML, works offline)")
