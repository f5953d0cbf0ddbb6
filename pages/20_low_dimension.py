"""What low dimension forbids

Lesson 3: train many seeds at once and see which architectures can never separate the classes.
"""
from __future__ import annotations

import re
from dataclasses import fields, replace

import pandas as pd
import streamlit as st

from ui.cache import shared_cache
from ui.common import explain, progress_bar, user_errors
from ui.controls import load_into_widgets
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, chart_height
from vizcore.datasets import subsample
from vizcore.experiments import CLAIMS, SEED_COUNTS, SUCCESS, LowDimConfig, Row, run_claim, summary, table
from vizcore.figures.experiments import accuracy_strip
from vizcore.figures.layers import layer_animation
from vizcore.layers import animate

from ui.boot import require_navigation

require_navigation()

P = "ld_"  # widget key prefix
PAGE = "low_dimension"
PRESETS = {key: LowDimConfig(claim=key) for key in CLAIMS}  # ?preset=disc, aba, tori, spirals
MAX_POINTS = {2: 500, 3: 300}
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
def seed_animation(key: str, n_seeds: int, label: str, seed: int, height: int = 480):
    """(Animation, figure) of one seed of one variant, at the end of training."""
    claim = CLAIMS[key]
    ds = claim.run_config(claim.variant(label), seed).make_dataset()
    keep = subsample(ds.n, MAX_POINTS[3 if ds.dim == 3 else 2])
    anim = animate(seed_model(key, n_seeds, label, seed), ds.X[keep])
    return anim, layer_animation(anim, ds.y[keep], height=height)


def open_in_layers(key: str, label: str, seed: int) -> None:
    """Put this run's settings into the layer page's widgets and its link, and go there."""
    claim = CLAIMS[key]
    cfg = claim.run_config(claim.variant(label), seed)
    load_into_widgets(cfg)
    st.session_state["preset"] = "custom"
    st.switch_page(LAYERS_PAGE, query_params=cfg.changed())  # the layer page loads settings from its link


def show_animation(key: str, n_seeds: int, row: Row, caption: str) -> None:
    anim, fig = seed_animation(key, n_seeds, row.label, row.best_seed, chart_height(480))
    st.caption(f"{row.label}, seed {row.best_seed}: {row.best:.1%} correct")
    st.plotly_chart(fig, width="stretch", key=f"anim_{key}_{row.label}")
    explain(caption + (f" {anim.projection}." if anim.projection else ""))
    claim = CLAIMS[key]
    run_cfg = claim.run_config(claim.variant(row.label), row.best_seed)
    download_row(f"{key}-{re.sub('[^A-Za-z0-9.]+', '-', row.label)}-seed{row.best_seed}", figure=lambda: fig,
                 model=lambda: seed_model(key, n_seeds, row.label, row.best_seed), settings=run_cfg.to_query())


def controls() -> LowDimConfig:
    """Claim and seed count at the top of the page; returns the config (the architecture is picked later)."""
    for f in fields(LowDimConfig):
        st.session_state.setdefault(P + f.name, getattr(LowDimConfig(), f.name))
    c1, c2 = st.columns([3, 1])
    c1.radio("Claim", list(CLAIMS), format_func=lambda k: CLAIMS[k].title, horizontal=True, key=P + "claim",
             on_change=lambda: st.session_state.update({P + "arch": 0}))
    advanced(c2).select_slider("Seeds per architecture", SEED_COUNTS, key=P + "seeds",
                     help="More seeds take longer: 64 seeds of the disc take about half a minute.")
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
st.markdown(
    "One training run proves little: a small net may fail by bad luck. Here every architecture is trained "
    "from many random starts at once, so you can see which failures are luck and which are topology.")

apply_link(LowDimConfig, PAGE, P, PRESETS)
cfg = controls()
key, n_seeds = cfg.claim, cfg.seeds
claim = CLAIMS[key]
st.subheader(claim.statement)
explain(claim.why)

with user_errors():
    with progress_bar(f"Training {len(claim.variants)} architectures × {n_seeds} seeds") as progress:
        sweeps = claim_sweeps(key, n_seeds, _progress=progress)
rows = summary(claim, sweeps)

st.dataframe(pd.DataFrame(table(rows)), hide_index=True, width="stretch")
explain(f"Final training accuracy of each seed after {claim.steps:,} full-batch Adam steps on {claim.n:,} points "
        f"(each seed draws its own sample). 'agrees' checks the claim: no seed perfect for 'fails', at least half "
        f"the seeds ≥ {SUCCESS:.0%} for 'succeeds'.")
st.plotly_chart(accuracy_strip([r.label for r in rows], [r.accuracy for r in rows], [r.expect for r in rows],
                               [r.seeds for r in rows], threshold=SUCCESS, height=chart_height(260)),
                width="stretch", key=f"strip_{key}")
explain("One dot per seed (hover for its number). Red rows are expected to fail, green rows to succeed.")
download_row(f"{key}-{n_seeds}-seeds", table=lambda: pd.DataFrame(table(rows)).to_csv(index=False))

st.markdown("**Open a seed in the layer animation**")
b1, b2, b3 = st.columns([2, 1, 1])
with b1:
    cfg = pick_architecture(cfg)
publish_link(cfg, PAGE)
row = rows[cfg.arch]
if b2.button(f"Best seed ({row.best_seed}: {row.best:.1%})", width="stretch"):
    open_in_layers(key, row.label, row.best_seed)
if b3.button(f"Worst seed ({row.worst_seed}: {row.accuracy.min():.1%})", width="stretch"):
    open_in_layers(key, row.label, row.worst_seed)

if key == "disc":
    left, right = st.columns(2)
    with left:
        st.markdown("**Stretching the ring thin: the best a 2-unit net can do**")
        failing = max((r for r in rows if r.expect == "fails"), key=lambda r: r.best)
        show_animation(key, n_seeds, failing, f"The best 2-unit seed ({failing.label}). The ring cannot open, so "
                       "training squeezes part of it thin and lets the line cut through there: a local minimum.")
    with right:
        st.markdown("**Three units: lift the disc out of the plane**")
        show_animation(key, n_seeds, rows[-1], "With 3 units the plane is bent into 3D, where a flat plane can "
                       "slice the disc off. Drag to rotate.")
elif key == "tori":
    st.markdown("**Layers of 4 units, seen through a fixed 3D projection**")
    show_animation(key, n_seeds, rows[-1], "The best 4-unit seed. Four dimensions cannot be drawn, so each "
                   "frame is projected onto the same three directions; the link only looks crossed in the picture.")

st.subheader("What to notice")
st.markdown(
    "- A 'fails' row never reaches 100% on any seed: no amount of luck or depth helps, because each narrow "
    "layer can only stretch space, never tear it.\n"
    "- The failing nets still score well: they hide the unsolvable part in a thin sliver of points.\n"
    "- One more dimension turns 'impossible' into 'almost every seed works'.\n"
    "- The spirals are different: possible in the plane, but the tighter they wind, the harder it is to find.")
