"""What ReLU does to topology

Lesson 8: the same data through tanh and ReLU nets, each class's Betti numbers layer by layer, and
Naitzat, Zhitnikov & Lim's claims (JMLR 2020) measured over seeds and depths.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import frames
from ui.common import explain
from ui.exports import Downloads
from ui.lesson_page import Shown, lesson_page
from ui.presentation import advanced
from vizcore.lessons import relu_topology as lesson


def controls(form) -> None:
    side = st.sidebar
    side.subheader("Data and nets")
    form.widgets(["dataset", "depth"], side)
    more = advanced(side)
    form.widgets(["width", "n", "seed", "steps", "lr", "seeds"], more)


def draw(shown: Shown) -> None:
    pair = shown.result
    explain(lesson.data_caption(pair))
    left, right = st.columns([3, 2])
    anim, fig = shown.derived(lesson.animation_figure, shown.view_form.value("animate"))  # the widget's, right
    frames.chart(left, fig, "relu_animation", fill=True, width="stretch")
    shown.first_picture_drawn()
    with right:
        activation = shown.view_form.widget("animate", st.container())
        frames.chart(st, shown.derived(lesson.complexity_figure), "complexity", width="stretch")
        for column, name in zip(st.columns(2), lesson.ACTIVATIONS):
            column.metric(f"{lesson.NAMES[name]}: training accuracy", f"{pair.accuracy[name]:.1%}")
    explain(lesson.ANIMATION_CAPTION)
    st.subheader("Each class's b₀, b₁, layer by layer (this seed)")
    st.dataframe(pd.DataFrame(lesson.topology_rows(pair)), hide_index=True)
    explain(lesson.TABLE_CAPTION)
    cfg = shown.settings
    st.subheader(f"The claims, over {cfg.seeds} seeds and {len(lesson.DEPTHS)} depths")
    measured = shown.beside(lesson.sweep, lesson.table_settings(cfg), label=f"Training and counting {cfg.seeds} "
                            f"seeds × {len(lesson.DEPTHS)} depths × tanh and ReLU")
    shown.result = lesson.with_sweep(pair, measured)
    rows = lesson.sweep_rows(shown.result.table)
    st.table(pd.DataFrame(rows).set_index("net"))
    explain(lesson.SWEEP_CAPTION)
    shown.downloads.append(Downloads(f"relu-topology-{activation}", figure=fig,
                                     figure_label="⬇ Animation (HTML, works offline)",
                                     table=lambda: pd.DataFrame(rows).to_csv(index=False)))


lesson_page(__file__, controls=controls, draw=draw, label="Training a tanh and a ReLU net",
            intro="A tanh layer with invertible W bends space without tearing it, so it cannot change how many "
                  "pieces or loops a class has. A ReLU layer folds space onto the orthant, and a fold can crush "
                  "a loop. Naitzat, Zhitnikov & Lim (2020) measured that ReLU nets simplify topology faster; "
                  "here the same data goes through both, and their claims are measured live.")
