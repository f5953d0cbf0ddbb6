"""What low dimension forbids

Lesson 2: train many seeds at once and see which architectures can never separate the classes.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from ui.boot import require_navigation
from ui.cache import shared_cache
from ui.common import computed, explain
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, presenting, sized
from ui.settings import config_from_widgets, field_widget
from vizcore.figures.layers import layer_animation
from vizcore.figures.low_dimension import accuracy_strip
from vizcore.lessons import low_dimension as lesson
from vizcore.lessons.layers import BETTI_METHOD
from vizcore.lessons.low_dimension import CLAIMS, LowDimConfig, Row, percent

require_navigation()

P = "ld_"  # widget key prefix
PAGE = "low_dimension"
LAYERS_PAGE = "pages/10_layers.py"


@shared_cache(max_entries=16, ship=True)
def claim_sweeps(key: str, n_seeds: int, _progress=None) -> dict:
    """Sweeps of every variant of claim ``key`` over seeds 0 .. n_seeds-1 (float32 for speed)."""
    return lesson.run_claim(CLAIMS[key], range(n_seeds), progress=_progress, dtype="float32")


@shared_cache(max_entries=16)
def seed_animation(key: str, n_seeds: int, label: str, seed: int, present: bool):
    """(Animation, figure) of one seed of one variant at the end of training; ``present`` keys the size."""
    model = lesson.seed_model(claim_sweeps(key, n_seeds), label, seed)
    anim, labels = lesson.seed_animation(CLAIMS[key], label, seed, model)
    return anim, sized(layer_animation(anim, labels, height=480))


@shared_cache(max_entries=16)
def topology_table(key: str, n_seeds: int, best: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    """Each architecture's best seed ((label, seed) pairs): b₀, b₁ of each class in every layer, input first."""
    sweeps = claim_sweeps(key, n_seeds)
    nets = [(label, seed, lesson.seed_model(sweeps, label, seed)) for label, seed in best]
    return pd.DataFrame(lesson.topology_rows(CLAIMS[key], nets)).fillna("")


def show_animation(key: str, n_seeds: int, row: Row, note: str) -> None:
    anim, fig = seed_animation(key, n_seeds, row.label, row.best_seed, presenting())
    st.markdown(f"**{row.label}**, its best seed ({row.best_seed}): {percent(row.best)} correct")
    st.plotly_chart(fig, width="stretch", key=f"anim_{key}_{row.label}")
    explain(note + (f" {anim.projection}." if anim.projection else ""))
    download_row(lesson.file_name(CLAIMS[key], row.label, row.best_seed), figure=lambda: fig,
                 model=lambda: lesson.seed_model(claim_sweeps(key, n_seeds), row.label, row.best_seed),
                 settings=CLAIMS[key].seed_config(row.label, row.best_seed).to_query())


def picker(claim: str) -> str:
    """The architecture picker's key: one picker per claim, holding one of its variants' labels."""
    return f"ld_open_{claim}"


st.title("What low dimension forbids")
st.markdown("One run proves little: a small net may fail by bad luck. Each architecture here trains from many "
            "random starts at once, so you can tell failures of luck from failures of topology.")

apply_link(LowDimConfig, PAGE, P, lesson.PRESETS,  # a link's arch (an index) shows in its claim's picker
           on_load=lambda configs, _: st.session_state.update({picker(configs[0].claim): configs[0].variant.label}))
c1, c2 = st.columns([3, 1])
field_widget(LowDimConfig(), "claim", P, c1)
field_widget(LowDimConfig(), "seeds", P, advanced(c2))
cfg = config_from_widgets(LowDimConfig(), P)
key, n_seeds, claim = cfg.claim, cfg.seeds, CLAIMS[cfg.claim]
st.subheader(claim.statement)

sweeps = computed(claim_sweeps, key, n_seeds, label=f"Training {len(claim.variants)} architectures × {n_seeds} seeds")
rows = lesson.summary(claim, sweeps)
st.markdown(lesson.measured(rows))

failing = max((r for r in rows if r.expect == "fails"), key=lambda r: r.best)
for column, row, note in zip(st.columns(2), (failing, rows[-1]), claim.notes):
    with column:
        show_animation(key, n_seeds, row, note)

table = pd.DataFrame(lesson.table(rows))
st.dataframe(table, hide_index=True, width="stretch")
explain(f"Final training accuracy of each seed after {claim.steps:,} full-batch Adam steps on {claim.n:,} points "
        "(each seed draws its own sample). 'agrees' checks the claim's words: no seed at 100% for 'fails', "
        "more than half the seeds at 100% for 'succeeds'.")
st.plotly_chart(sized(accuracy_strip([r.label for r in rows], [r.accuracy for r in rows], [r.expect for r in rows],
                                     [r.seeds for r in rows], threshold=lesson.SUCCESS)),
                width="stretch", key=f"strip_{key}")
explain("One dot per seed (hover for its number). Red rows are expected to fail, green rows to succeed.")
download_row(f"{key}-{n_seeds}-seeds", table=lambda: table.to_csv(index=False))

st.markdown("**Open a seed in the layer animation**")
b1, b2, b3 = st.columns([2, 1, 1])
labels = [r.label for r in rows]
st.session_state.setdefault(picker(key), labels[0])
picked = b1.selectbox("Architecture", labels, key=picker(key), persist_state="session",
                      label_visibility="collapsed")
cfg = replace(cfg, arch=labels.index(picked))
publish_link(cfg, PAGE)
for column, (label, query) in zip((b2, b3), lesson.seed_links(claim, rows[cfg.arch])):
    column.page_link(LAYERS_PAGE, label=label, icon=":material/play_circle:", query_params=query, width="stretch")

st.subheader("Topology, layer by layer")
if st.toggle("Count each class's pieces and loops in every layer (Betti numbers; about a second)",
             key=P + "topology", persist_state="session"):
    st.dataframe(topology_table(key, n_seeds, tuple((r.label, r.best_seed) for r in rows)), hide_index=True,
                 width="stretch")
explain(f"For each architecture's best seed: b₀, b₁ (pieces, loops) of each class's points in every layer, "
        f"{BETTI_METHOD}. {lesson.topology_caption(claim)}")

st.subheader("Why")
explain(claim.why)
st.subheader("What to notice")
st.markdown(lesson.article_says(claim, rows))
st.markdown("\n".join(f"- {line}" for line in lesson.notices(claim, rows)))
