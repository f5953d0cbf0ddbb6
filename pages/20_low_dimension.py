"""What low dimension forbids

Lesson 2: train many seeds at once and see which architectures can never separate the classes.
"""
from __future__ import annotations

import re
from dataclasses import fields, replace

import pandas as pd
import streamlit as st

from ui.boot import require_navigation
from ui.cache import shared_cache
from ui.common import explain, progress_bar, user_errors
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, presenting, sized
from vizcore.datasets import subsample
from vizcore.experiments import (CLAIMS, SEED_COUNTS, SUCCESS, LowDimConfig, Row, notices, percent, run_claim, summary,
                                 table)
from vizcore.figures.experiments import accuracy_strip
from vizcore.figures.layers import layer_animation
from vizcore.figures.style import class_name
from vizcore.layers import animate
from vizcore.topology import MAX_POINTS as LANDMARKS
from vizcore.topology import betti_per_layer, layer_clouds

require_navigation()

P = "ld_"  # widget key prefix
PAGE = "low_dimension"
PRESETS = {key: LowDimConfig(claim=key) for key in CLAIMS}  # ?preset=disc, aba, tori, spirals
MAX_POINTS = {2: 400, 3: 300}  # points per animation frame, as on the layer page
LAYERS_PAGE = "pages/10_layers.py"


@shared_cache(max_entries=16)
def claim_sweeps(key: str, n_seeds: int, _progress=None) -> dict:
    """Sweeps of every variant of claim ``key`` over seeds 0 .. n_seeds-1 (float32 for speed)."""
    return run_claim(CLAIMS[key], range(n_seeds), progress=_progress, dtype="float32")


def seed_model(key: str, n_seeds: int, label: str, seed: int):
    """The trained MLP of one seed of one variant (from the cached sweep)."""
    sweep = claim_sweeps(key, n_seeds)[label]
    return sweep.model(list(sweep.seeds).index(seed))


@shared_cache(max_entries=16)
def seed_animation(key: str, n_seeds: int, label: str, seed: int, present: bool):
    """(Animation, figure) of one seed of one variant at the end of training; ``present`` keys the size."""
    claim = CLAIMS[key]
    ds = claim.run_config(claim.variant(label), seed).make_dataset()
    keep = subsample(ds.n, MAX_POINTS[3 if ds.dim == 3 else 2])
    # 6 frames per phase and a coarser grid: two animations side by side (4 layers × 2: 1.1 MB, not 1.8 MB)
    anim = animate(seed_model(key, n_seeds, label, seed), ds.X[keep], frames_per_phase=6, grid_resolution=20)
    return anim, sized(layer_animation(anim, ds.y[keep], height=480))


def show_animation(key: str, n_seeds: int, row: Row, note: str) -> None:
    anim, fig = seed_animation(key, n_seeds, row.label, row.best_seed, presenting())
    st.markdown(f"**{row.label}**, its best seed ({row.best_seed}): {percent(row.best)} correct")
    st.plotly_chart(fig, width="stretch", key=f"anim_{key}_{row.label}")
    explain(note + (f" {anim.projection}." if anim.projection else ""))
    run_cfg = CLAIMS[key].run_config(CLAIMS[key].variant(row.label), row.best_seed)
    download_row(f"{key}-{re.sub('[^A-Za-z0-9.]+', '-', row.label)}-seed{row.best_seed}", figure=lambda: fig,
                 model=lambda: seed_model(key, n_seeds, row.label, row.best_seed), settings=run_cfg.to_query())


@shared_cache(max_entries=16)
def topology_table(key: str, n_seeds: int, best: tuple[tuple[str, int], ...]) -> pd.DataFrame:
    """Each architecture's best seed ((label, seed) pairs): b₀, b₁ of each class in every layer, input first."""
    claim, out = CLAIMS[key], []
    for label, seed in best:
        ds = claim.run_config(claim.variant(label), seed).make_dataset()
        layers = layer_clouds(seed_model(key, n_seeds, label, seed), ds.X)
        cells = {("input" if k == 0 else f"layer {k}"): " · ".join(f"{class_name(c)}: {b}" for c, b in classes.items())
                 for k, classes in enumerate(betti_per_layer(layers, ds.y))}
        out.append({"architecture (best seed)": f"{label} ({seed})", **cells})
    return pd.DataFrame(out).fillna("")


def controls() -> LowDimConfig:
    """Claim and seed count at the top of the page; returns the config (the architecture is picked later)."""
    # apply_link has filled every field, also on Back to this page's own address (ui/links.py)
    c1, c2 = st.columns([3, 1])
    c1.radio("Claim", list(CLAIMS), format_func=lambda k: CLAIMS[k].title, horizontal=True, key=P + "claim",
             on_change=lambda: st.session_state.update({P + "arch": 0}))
    advanced(c2).select_slider("Seeds per architecture", SEED_COUNTS, key=P + "seeds",
                               help="More seeds take longer: 64 seeds of the disc take a few seconds.")
    return LowDimConfig(**{f.name: st.session_state[P + f.name] for f in fields(LowDimConfig)})


def pick_architecture(cfg: LowDimConfig) -> LowDimConfig:
    """The architecture selector, kept in sync with the link's ``arch``; returns the config with the pick."""
    labels = [v.label for v in CLAIMS[cfg.claim].variants]
    arch = cfg.arch if cfg.arch < len(labels) else 0
    widget = f"ld_open_{cfg.claim}"
    st.session_state[widget] = labels[arch]  # the link (or the last pick) decides what the selector shows

    def picked() -> None:
        st.session_state[P + "arch"] = labels.index(st.session_state[widget])

    st.selectbox("Architecture", labels, key=widget, on_change=picked, label_visibility="collapsed")
    return replace(cfg, arch=labels.index(st.session_state[widget]))


st.title("What low dimension forbids")
st.markdown("One run proves little: a small net may fail by bad luck. Each architecture here trains from many "
            "random starts at once, so you can tell failures of luck from failures of topology.")

apply_link(LowDimConfig, PAGE, P, PRESETS)
cfg = controls()
key, n_seeds = cfg.claim, cfg.seeds
claim = CLAIMS[key]
st.subheader(claim.statement)

with user_errors():
    with progress_bar(f"Training {len(claim.variants)} architectures × {n_seeds} seeds") as progress:
        sweeps = claim_sweeps(key, n_seeds, _progress=progress)
rows = summary(claim, sweeps)
st.markdown(f"Measured over {n_seeds} seeds: " + "; ".join(f"**{r.label}** {r.verdict}" for r in rows) + ".")

failing = max((r for r in rows if r.expect == "fails"), key=lambda r: r.best)
for column, row, note in zip(st.columns(2), (failing, rows[-1]), claim.notes):
    with column:
        show_animation(key, n_seeds, row, note)

st.dataframe(pd.DataFrame(table(rows)), hide_index=True, width="stretch")
explain(f"Final training accuracy of each seed after {claim.steps:,} full-batch Adam steps on {claim.n:,} points "
        "(each seed draws its own sample). 'agrees' checks the claim's words: no seed at 100% for 'fails', "
        "more than half the seeds at 100% for 'succeeds'.")
st.plotly_chart(sized(accuracy_strip([r.label for r in rows], [r.accuracy for r in rows], [r.expect for r in rows],
                                     [r.seeds for r in rows], threshold=SUCCESS)), width="stretch", key=f"strip_{key}")
explain("One dot per seed (hover for its number). Red rows are expected to fail, green rows to succeed.")
download_row(f"{key}-{n_seeds}-seeds", table=lambda: pd.DataFrame(table(rows)).to_csv(index=False))

st.markdown("**Open a seed in the layer animation**")
b1, b2, b3 = st.columns([2, 1, 1])
with b1:
    cfg = pick_architecture(cfg)
publish_link(cfg, PAGE)
row = rows[cfg.arch]
for column, name, seed in ((b2, "Best", row.best_seed), (b3, "Worst", row.worst_seed)):
    accuracy = row.accuracy[list(row.seeds).index(seed)]
    column.page_link(LAYERS_PAGE, label=f"{name} seed ({seed}: {percent(accuracy)})", icon=":material/play_circle:",
                     query_params=claim.run_config(claim.variant(row.label), seed).changed(), width="stretch")

st.subheader("Topology, layer by layer")
if st.toggle("Count each class's pieces and loops in every layer (Betti numbers; about a second)",
             key=P + "topology"):
    st.dataframe(topology_table(key, n_seeds, tuple((r.label, int(r.best_seed)) for r in rows)), hide_index=True,
                 width="stretch")
explain("For each architecture's best seed: b₀, b₁ (pieces, loops) of each class's points in every layer, by "
        f"persistent homology (ripser) on up to {LANDMARKS} landmarks, counting features larger than a tenth of "
        "the cloud; hidden layers are measured on W·h + b, just before the tanh that maps it homeomorphically onto "
        "the layer's output. A layer that keeps them bent space without tearing it; a class whose loop survives "
        "to the last layer still surrounds or is surrounded, so no line can split the classes there.")

st.subheader("Why")
explain(claim.why)
st.subheader("What to notice")
st.markdown("\n".join(f"- {line}" for line in notices(claim, rows)))
