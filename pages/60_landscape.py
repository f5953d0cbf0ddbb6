"""The loss landscape

Lesson 7: the loss as a surface over two weights, or over a plane through weight space.
"""
from __future__ import annotations

from dataclasses import fields

import pandas as pd
import streamlit as st

from ui.cache import shared_cache
from ui.common import explain, progress_bar, user_errors
from ui.controls import load_into_widgets, run_config_controls
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, presenting, sized
from vizcore import landscape
from vizcore.figures.landscape import contour_pair, descent_figure, landscape_figure
from vizcore.landscape import EARLY, GD_RATES, POOL, PRESETS, SAMPLES, LandscapeConfig
from vizcore.nets import parameter_names
from vizcore.runs import LAYER_DATASETS, Run, RunConfig, train_run

from ui.boot import require_navigation
from vizcore.figures.trajectory import plane_trust_figure
from vizcore.trajectory import pca_shares, random_walk_shares

require_navigation()

P = "ls_"  # widget-key prefix of this page
PAGE = "landscape"
OFFERED = {"dataset": LAYER_DATASETS, "data_id": ("",), "start_id": ("",)}  # no uploads on this page


@shared_cache(max_entries=32)
def trained(cfg: RunConfig, _progress=None) -> Run:
    return train_run(cfg, progress=_progress)


@shared_cache(max_entries=32)
def two_weight_view(run_cfg: RunConfig, cfg: LandscapeConfig) -> landscape.TwoWeights:
    return landscape.two_weights(trained(run_cfg).model, landscape.evaluation_pool(run_cfg), cfg)


@shared_cache(max_entries=32)
def plane_view(run_cfg: RunConfig, cfg: LandscapeConfig) -> landscape.PlaneView:
    run = trained(run_cfg)
    return landscape.plane_view(run.model, run.dataset, run.history.params, cfg)


@shared_cache(max_entries=32)
def two_weight_figures(run_cfg: RunConfig, cfg: LandscapeConfig, present: bool) -> tuple:
    """The descent animation and the N comparison, built and sized once (building them took 0.25 s a run)."""
    view = two_weight_view(run_cfg, cfg)
    a, b = view.axes(view.surface)
    d = view.descent
    return (sized(descent_figure(a, b, view.surface.loss, d.path, d.loss, *view.names, center=view.center)),
            sized(contour_pair(a, b, [view.surface.loss, view.other.loss], [view.sample_label, view.other_label],
                               *view.names, paths=[d.path, view.other_descent.path])))


def load_preset() -> None:
    for cfg in PRESETS.get(st.session_state[P + "preset"], ("", ()))[1]:
        load_into_widgets(cfg, P)


def name_preset(configs: list, key: str | None) -> None:
    """The picker shows the preset a link names, or the one its settings equal (the defaults: "descent")."""
    same = (k for k, p in PRESETS.items() if p[1] == tuple(configs))
    st.session_state[P + "preset"] = key or next(same, "custom")


def view_controls(n_params: int, names: list[str]) -> LandscapeConfig:
    """Landscape widgets (sidebar) -> LandscapeConfig."""
    saved = st.session_state.setdefault(P + "saved", {})  # values of widgets the other view hides
    for f in fields(LandscapeConfig):
        if P + f.name not in st.session_state:
            st.session_state[P + f.name] = saved.get(f.name, f.default)
    side = st.sidebar
    side.subheader("Landscape")
    more = advanced(side)
    more.slider("Grid points per side", 11, 81, step=10, key=P + "resolution",
                help="The surface is evaluated at every grid point, all at once.")
    if st.session_state[P + "view"] == "weights":
        for key, default in (("weight_a", 0), ("weight_b", 1)):
            if not 0 <= st.session_state[P + key] < n_params:
                st.warning(f"{key}={st.session_state[P + key]} is beyond this net's {n_params} weights and biases; "
                           f"showing {names[default]}.")
                st.session_state[P + key] = default
        side.selectbox("Weight on the x axis", range(n_params), key=P + "weight_a", format_func=names.__getitem__)
        side.selectbox("Weight on the y axis", range(n_params), key=P + "weight_b", format_func=names.__getitem__)
        side.radio(f"Examples N in the loss (of {POOL:,})", SAMPLES, key=P + "sample", horizontal=True,
                   format_func=lambda n: "all" if n == 0 else f"{n:,}")
        more.number_input("Which N examples (seed)", 0, 1_000_000, key=P + "sample_seed")
        side.slider("Range around the net's values (±)", 0.5, 20.0, step=0.5, key=P + "weight_range")
        more.text_input("Start points of gradient descent", key=P + "starts",
                        help='"auto", or up to three points as weight values: (-2, 3); (1, 1); (0.5, -4)')
        more.select_slider("Descent learning rate", GD_RATES, key=P + "gd_lr")
        more.number_input("Descent epochs", 1, 5000, step=50, key=P + "gd_epochs")
    else:
        side.radio("Directions", ["pca", "random"], key=P + "plane",
                   format_func={"pca": "PCA of the training path", "random": "two random (filter-normalised)"}.get)
        side.slider("Range (random: in weight-norm units; PCA: 1 = the path just fits)", 0.2, 5.0, step=0.1,
                    key=P + "plane_range")
        if st.session_state[P + "plane"] == "random":
            more.number_input("Seed of the random directions", 0, 1_000_000, key=P + "plane_seed")
    values = {f.name: st.session_state[P + f.name] for f in fields(LandscapeConfig)}
    saved.update(values)
    return LandscapeConfig(**values)


st.title("The loss landscape")
st.markdown("Freeze all weights but two and the loss becomes a landscape: valleys, ridges, and a route down "
            "that depends on where you start and on which examples the loss averages over.")


apply_link([(EARLY, P), (LandscapeConfig, P)], PAGE, P, {k: p[1] for k, p in PRESETS.items()}, choices=OFFERED,
           on_load=name_preset)
st.sidebar.selectbox("Preset", ["custom", *PRESETS], key=P + "preset", on_change=load_preset,
                     format_func=lambda k: PRESETS[k][0] if k in PRESETS else "custom settings",
                     help="A ready-made view; each is also a link (?preset=...).")
st.radio("What to look at", ["weights", "plane"], key=P + "view", horizontal=True,
         format_func={"weights": "two chosen weights, the rest frozen",
                      "plane": "a plane through all the weights"}.get)
run_cfg = run_config_controls(prefix=P, dataset_choices=LAYER_DATASETS, default=EARLY, presets=False)
with user_errors():
    run_cfg.hidden_widths()
    with progress_bar("Training the net") as progress:
        run = trained(run_cfg, _progress=progress)
    cfg = view_controls(run.model.n_params, parameter_names(run.model))
    cfg.check()
    view = two_weight_view(run_cfg, cfg) if cfg.view == "weights" else plane_view(run_cfg, cfg)
publish_link((run_cfg, cfg), PAGE)
chosen = PRESETS.get(st.session_state[P + "preset"])

if cfg.view == "weights":
    fig, pair = two_weight_figures(run_cfg, cfg, presenting())
    st.plotly_chart(fig, width="stretch", key="descent")
    if chosen and chosen[1] == (run_cfg, cfg):
        st.info(chosen[2])
    explain(f"The loss on {view.sample_label} examples as the two weights vary and every other weight keeps "
            "its value in the net (the star). Press ▶: plain gradient descent on just these two weights, from "
            "each start, moves on the surface, on the map and down the cost curve together.")
    st.subheader("The landscape depends on the examples")
    st.plotly_chart(pair, width="stretch", key="pair")
    explain("The same two weights, the same net and the same three starts, with the loss averaged over "
            "different examples. The cost is an average over the data, so other data make another landscape.")
    st.subheader("The article and this page")
    st.markdown("\n".join(f"- **The article says** {said} **Measured here:** {seen}"
                          for said, seen in landscape.article_checks(view)))
else:
    fig = sized(landscape_figure(view.surface.a, view.surface.b, view.surface.loss, *view.labels,
                                 path=view.path, path_loss=view.path_loss))
    st.plotly_chart(fig, width="stretch", key="plane")
    if chosen and chosen[1] == (run_cfg, cfg):
        st.info(chosen[2])
    if view.path is not None:
        with st.expander("Can this picture be trusted?"):
            params = run.history.params
            ours, walk = pca_shares(params, 3, about_last=True), random_walk_shares(len(params), params.shape[1], 3,
                                                                                    about_last=True)
            st.table(pd.DataFrame({"this run": [f"{v:.0%}" for v in ours], "a random walk as long": [
                f"{v:.0%}" for v in walk]}, index=["PC1", "PC2", "PC3"]))
            st.plotly_chart(sized(plane_trust_figure(run.history.step, run.history.loss, view.path_loss)),
                            width="stretch", key="plane_trust")
            explain("Shares of the snapshots' spread about the final weights, as the map is centred. A pure random "
                    "walk puts most of its spread in its first component too (about 6/π² ≈ 61% about its mean; "
                    "Antognini and Sohl-Dickstein, 2018), so a tidy PCA path alone proves nothing. The chart "
                    "compares the loss along the real path with the loss the map shows under the projected path.")
    explain("The plane through the net's weights spanned by the two directions along which the training path "
            "varied most (PCA of the recorded snapshots); the red line is the path projected onto it."
            if view.path is not None else
            "Two random directions, each neuron's part rescaled to the size of that neuron's weights (filter "
            "normalisation, biases left out), so the picture's scale means the same for every layer.")
st.caption(f"A {run.model.in_dim}-{'-'.join(map(str, run.model.widths))}-{run.model.out_dim} "
           f"{run.model.activation} net with {run.model.n_params} weights and biases, trained for "
           f"{run_cfg.steps} steps on {run.dataset.n} points; final loss {run.history.loss[-1]:.4f}.")
download_row(f"landscape-{cfg.view}", figure=lambda: fig, run=run, settings=run_cfg.to_query(),
             figure_label="⬇ Descent animation (HTML)" if cfg.view == "weights" else "⬇ Landscape (HTML)")
