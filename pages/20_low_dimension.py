"""What low dimension forbids

Lesson 2: train many seeds at once and see which architectures can never separate the classes.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import frames
from ui.common import explain
from ui.exports import Downloads
from ui.lesson_page import Shown, lesson_page
from ui.presentation import advanced
from ui.screen import later
from ui.syllabus import entry
from vizcore.lessons import low_dimension as lesson


def controls(form) -> None:
    c1, c2 = st.columns([3, 1])
    form.widget("claim", c1)
    form.widget("seeds", advanced(c2))


def draw(shown: Shown) -> lesson.LowDimView:
    result, claim = shown.result, shown.result.claim
    rows = result.rows
    with later():  # a phone shows the two pictures first
        st.subheader(claim.statement)
        st.markdown(lesson.measured(rows))
    failing = max((r for r in rows if r.expect == "fails"), key=lambda r: r.best)
    for column, row, note in zip(st.columns(2), (failing, rows[-1]), claim.notes):
        anim, fig = shown.derived(lesson.seed_animation_figure, row.label, row.best_seed, keep=16)
        column.markdown(f"**{row.label}**, its best seed ({row.best_seed}): {lesson.percent(row.best)} correct")
        frames.chart(column, fig, f"anim_{claim.key}_{row.label}", width="stretch")
        column.caption(note + (f" {anim.projection}." if anim.projection else ""))
        shown.downloads.append(Downloads(lesson.file_name(claim, row.label, row.best_seed), figure=fig,
                                         model=lambda row=row: result.model(row.label, row.best_seed),
                                         settings=claim.seed_config(row.label, row.best_seed).to_query()))
        shown.first_picture_drawn()  # the failing one first
    table = pd.DataFrame(lesson.table(rows))
    st.dataframe(table, hide_index=True, width="stretch")
    explain(lesson.TABLE_CAPTION.format(steps=claim.steps, n=claim.n))
    frames.chart(st, shown.derived(lesson.strip_figure, keep=16), f"strip_{claim.key}", width="stretch")
    explain(lesson.STRIP_CAPTION)
    shown.downloads.append(Downloads(f"{claim.key}-{shown.settings.seeds}-seeds",
                                     table=lambda: table.to_csv(index=False)))

    st.markdown("**Open a seed in the layer animation**")
    b1, b2, b3 = st.columns([2, 1, 1])
    view, warning = lesson.picked(result, shown.view)
    if warning:
        st.warning(warning, icon=":material/link_off:")
        shown.view_form.load(view)
    arch = shown.view_form.widget("arch", b1, choices=range(len(rows)), names=lambda i: rows[i].label,
                                  label_visibility="collapsed")
    for column, (label, query) in zip((b2, b3), lesson.seed_links(claim, rows[arch])):
        column.page_link(entry("layers").page, label=label, icon=":material/play_circle:", query_params=query,
                         width="stretch")

    st.subheader("Topology, layer by layer")
    if st.toggle("Count each class's pieces and loops in every layer (Betti numbers; about a second)",
                 key=shown.view_form.key("topology"), persist_state="session"):
        st.dataframe(pd.DataFrame(shown.derived(lesson.best_topology_rows, keep=16)).fillna(""), hide_index=True,
                     width="stretch")
    explain(lesson.topology_words(claim))
    st.subheader("Why")
    explain(claim.why)
    return lesson.LowDimView(arch=arch)


lesson_page(__file__, controls=controls, draw=draw,
            label=lambda cfg: f"Training {len(lesson.CLAIMS[cfg.claim].variants)} architectures × {cfg.seeds} seeds",
            intro="One run proves little: a small net may fail by bad luck. Each architecture here trains from many "
                  "random starts at once, so you can tell failures of luck from failures of topology.")
