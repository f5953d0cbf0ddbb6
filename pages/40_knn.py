"""k-NN instead of softmax

Lesson 4: classify by nearest neighbours in the learned space instead of by hyperplanes.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import frames
from ui.common import explain
from ui.drawing import drawing
from ui.exports import Downloads
from ui.lesson_page import Shown, lesson_page
from ui.presentation import advanced
from ui.screen import later
from vizcore.lessons import knn as lesson


def controls(form) -> None:
    side = st.sidebar
    side.subheader("Data")
    if form.widget("dataset", side) not in ("digits", "drawn"):
        form.widgets(["n", "noise"], side)
    drawing(form, lesson.training_points)
    side.subheader("Network body")
    form.widgets(["widths", "features"], side)
    side.subheader("k-NN")
    form.widget("k", side)
    if form.widget("weighting", side) == "gaussian":
        form.widget("temperature", side)
    more = advanced(side)
    more.subheader("Training")
    form.widgets(["seeds", "steps", "batch", "lr"], more)


def draw(shown: Shown) -> None:
    result = shown.result
    with later():  # a phone shows the picture first
        explain(lesson.data_caption(shown.settings))
    planes = shown.derived(lesson.planes_figure, keep=16)
    with st.container():
        st.subheader("The learned feature space of the test set (seed 0)")
        frames.chart(st, planes, "feature_planes", width="stretch")
    explain(lesson.planes_caption(result))
    shown.first_picture_drawn()
    shown.downloads.append(Downloads(f"knn-{shown.settings.dataset}", figure=planes,
                                     figure_label="⬇ Figure (HTML, works offline)",
                                     table=lambda: pd.DataFrame(lesson.seed_rows(result)).to_csv(index=False)))


lesson_page(__file__, controls=controls, draw=draw, label=lambda cfg: f"Training {cfg.seeds} seeds × 2 bodies",
            intro="A softmax layer asks the last hidden layer to make the classes separable by straight lines. A "
                  "k-nearest-neighbour head asks only that each point's neighbours share its class. The same small "
                  "body is trained both ways over several seeds and scored on held-out data.")
