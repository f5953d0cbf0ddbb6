"""The loss landscape

Lesson 7: the loss as a surface over two weights, or over a plane through weight space.
"""
from __future__ import annotations

from dataclasses import fields

import streamlit as st

from ui.cache import shared_cache
from ui.common import explain, progress_bar, user_errors
from ui.controls import run_config_controls
from ui.exports import download_row
from ui.links import apply_link, publish_link
from ui.presentation import advanced, sized
from vizcore import landscape
from vizcore.figures.landscape import contour_pair, descent_figure, landscape_figure
from vizcore.landscape import GD_RATES, SAMPLES, LandscapeConfig
from vizcore.nets import parameter_names
from vizcore.runs import LAYER_DATASETS, Run, RunConfig, train_run

from ui.boot import require_navigation

require_navigation()

P = "ls_"  # widget-key prefix of this page
PAGE = "landscape"
NET = RunConfig(widths="8,8", steps=1000, turns=1.0)
PRESETS = {  # short link keys: ?preset=pca
    "descent": (NET, LandscapeConfig()),
    "few-examples": (NET, LandscapeConfig(sample=30)),
    "pca": (NET, LandscapeConfig(view="plane")),
    "random-plane": (NET, LandscapeConfig(view="plane", plane="random")),
}
OFFERED = {"dataset": LAYER_DATASETS, "data_id": ("",), "start_id": ("",)}  # no uploads on this page


@shared_cache(max_entries=32)
def trained(cfg: RunConfig, _progress=None) -> Run:
    return train_run(cfg, progress=_progress)


@shared_cache(max_entries=32)
def two_weight_view(run_cfg: RunConfig, cfg: LandscapeConfig) -> landscape.TwoWeights:
    run = trained(run_cfg)
    return landscape.two_weights(run.model, run.dataset, cfg, seed=run_cfg.seed)


@shared_cache(max_entries=32)
def plane_view(run_cfg: RunConfig, cfg: LandscapeConfig) -> landscape.PlaneView:
    run = trained(run_cfg)
    return landscape.plane_view(run.model, run.dataset, run.history.params, cfg)


def view_controls(n_params: int, names: list[str]) -> LandscapeConfig:
    """Landscape widgets (main area and sidebar) -> LandscapeConfig."""
    saved = st.session_state.setdefault(P + "saved", {})  # values of widgets the other view hides
    for f in fields(LandscapeConfig):
        if P + f.name not in st.session_state:
            st.session_state[P + f.name] = saved.get(f.name, f.default)
    side = st.sidebar
    side.subheader("Landscape")
    more = advanced(side)
    more.slider("Grid points per side", 11, 81, step=10, key=P + "resolution",
                help="The surface is evaluated at every grid point, all at once.")
    view = st.session_state[P + "view"]
    if view == "weights":
        for key, default in (("weight_a", 0), ("weight_b", 1)):
            if not 0 <= st.session_state[P + key] < n_params:
                st.warning(f"{key}={st.session_state[P + key]} is beyond this net's {n_params} weights and biases; "
                           f"showing {names[default]}.")
                st.session_state[P + key] = default
        c1, c2, c3 = st.columns(3)
        c1.selectbox("Weight on the x axis", range(n_params), key=P + "weight_a", format_func=names.__getitem__)
        c2.selectbox("Weight on the y axis", range(n_params), key=P + "weight_b", format_func=names.__getitem__)
        c3.radio("Examples N in the loss", SAMPLES, key=P + "sample", horizontal=True,
                 format_func=lambda n: "all" if n == 0 else str(n))
        side.slider("Range around the trained values (±)", 0.5, 20.0, step=0.5, key=P + "weight_range")
        more.text_input("Start points of gradient descent", key=P + "starts",
                        help='"auto", or up to three points as weight values: (-2, 3); (1, 1); (0.5, -4)')
        more.select_slider("Descent learning rate", GD_RATES, key=P + "gd_lr")
        more.number_input("Descent epochs", 1, 5000, step=50, key=P + "gd_epochs")
    else:
        c1, c2 = st.columns(2)
        c1.radio("Directions", ["pca", "random"], key=P + "plane", horizontal=True,
                 format_func={"pca": "PCA of the training path", "random": "two random (filter-normalised)"}.get)
        c2.slider("Range (random: in weight-norm units; PCA: 1 = the path just fits)", 0.2, 5.0, step=0.1,
                  key=P + "plane_range")
        if st.session_state[P + "plane"] == "random":
            more.number_input("Seed of the random directions", 0, 1_000_000, key=P + "plane_seed")
    values = {f.name: st.session_state[P + f.name] for f in fields(LandscapeConfig)}
    saved.update(values)
    return LandscapeConfig(**values)


st.title("The loss landscape")
st.markdown(
    "Training moves a point through weight space downhill on the loss. With all but two weights frozen the "
    "loss becomes a landscape you can look at: valleys, ridges, plateaus, and a route down that depends on "
    "where you start.")

apply_link([(NET, P), (LandscapeConfig, P)], PAGE, P, PRESETS, choices=OFFERED)
st.radio("What to look at", ["weights", "plane"], key=P + "view", horizontal=True,
         format_func={"weights": "two chosen weights, the rest frozen",
                      "plane": "a plane through all the weights"}.get)
run_cfg = run_config_controls(prefix=P, dataset_choices=LAYER_DATASETS, default=NET, presets=False)
with user_errors():
    run_cfg.hidden_widths()
    with progress_bar("Training the net") as progress:
        run = trained(run_cfg, _progress=progress)
    cfg = view_controls(run.model.n_params, parameter_names(run.model))
    cfg.check()
    view = two_weight_view(run_cfg, cfg) if cfg.view == "weights" else plane_view(run_cfg, cfg)
publish_link((run_cfg, cfg), PAGE)
st.caption(f"A {run.model.in_dim}-{'-'.join(map(str, run.model.widths))}-{run.model.out_dim} "
           f"{run.model.activation} net with {run.model.n_params} weights and biases, trained for "
           f"{run_cfg.steps} steps on {run.dataset.n} points; final loss {run.history.loss[-1]:.4f}.")

if cfg.view == "weights":
    a, b = view.axes(view.surface)
    d = view.descent
    fig = sized(descent_figure(a, b, view.surface.loss, d.path, d.loss, *view.names, trained=view.trained))
    st.plotly_chart(fig, width="stretch", key="descent")
    explain(f"The loss on {view.sample_label} examples as the two weights vary and every other weight stays at "
            "its trained value (the centre of the map). Press ▶: plain gradient descent on just these two "
            "weights, from each start point, moves on the surface, on the map and down the cost curve together.")
    st.subheader("The landscape depends on the examples")
    a2, b2 = view.axes(view.other)
    st.plotly_chart(sized(contour_pair(a2, b2, [view.surface.loss, view.other.loss],
                                       [view.sample_label, view.other_label], *view.names)), width="stretch",
                    key="pair")
    explain("The same two weights and the same net, with the loss averaged over different numbers of examples. "
            "Fewer examples give a bumpier landscape with minima of its own: the cost is an average over the "
            "data, so it is a different function for different data.")
else:
    fig = sized(landscape_figure(view.surface.a, view.surface.b, view.surface.loss, *view.labels,
                                 path=view.path, path_loss=view.path_loss))
    st.plotly_chart(fig, width="stretch", key="plane")
    if view.path is not None:
        explain("The plane through the trained weights spanned by the two directions along which the training "
                "path varied most (PCA of the recorded snapshots). The red line is the path projected onto it: "
                "from the start it runs downhill to the centre, the trained weights.")
    else:
        explain("Two random directions, each neuron's part rescaled to the size of that neuron's weights "
                "(filter normalisation, biases left out), so that the picture's scale means the same for every "
                "layer. The centre is the trained net.")

download_row(f"landscape-{cfg.view}", figure=lambda: fig, run=run, settings=run_cfg.to_query(),
             figure_label="⬇ Descent animation (HTML)" if cfg.view == "weights" else "⬇ Landscape (HTML)")

st.subheader("What to notice")
st.markdown(
    "- Away from the trained weights the loss rises steeply in some directions and hardly at all in others.\n"
    "- Start points close together can end in different places: descent only sees the slope where it is.\n"
    "- The surface over two weights is a slice: in all the weights at once there may be a way round a ridge.\n"
    "- On the PCA plane most of the path lies along the first direction: training moves in few directions.")
