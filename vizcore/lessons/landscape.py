"""Lesson 7, the loss landscape: its view settings, presets, and the pictures of a trained net its page draws.

The net is a :class:`vizcore.runs.RunConfig` (the lesson's settings, trained by :func:`train`); what the page
draws of it is a :class:`LandscapeConfig` (the lesson's view). ``LESSON`` is all of it for the page. The maths
(surfaces, directions, the PCA plane, descent, minima, passes, curvatures) is :mod:`vizcore.landscape`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from weakref import WeakKeyDictionary

import numpy as np

from vizcore import datasets
from vizcore.config import Preset, QueryConfig, setting
from vizcore.datasets import Dataset
from vizcore.engine import Architecture
from vizcore.figures.landscape import PANELS, contour_pair, descent_figure, landscape_figure
from vizcore.figures.spec import Spec
from vizcore.figures.trajectory import plane_trust_figure
from vizcore.landscape import (Descent, Surface, batched_loss, curvatures, descend, local_minima, mountain_pass,
                               nested_sample, parse_starts, pca_plane, random_directions, surface, weight_directions)
from vizcore.nets import flat_params, parameter_names
from vizcore.runs import LAYER_DATASETS, Run, RunConfig, train_run
from vizcore.trajectory import pca_shares, random_walk_shares

from . import Claim, Lesson, Question

POOL = 10_000  # examples a landscape averages over at most (the article compared N = 100 with N = 10,000)
SAMPLES = (0, 30, 100, 1000)  # N; 0 = all POOL examples
GD_RATES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # descent learning rates the lesson offers
RESOLUTIONS = tuple(range(11, 82, 10))  # grid points per side the lesson offers
# Three starts 1.6 apart on the opening view's N = 100 map, each in the basin of a different minimum
# (found by running descent from a 11 x 11 grid of starts; the tests check that they still split).
SPLIT_STARTS = "(-1.2, 0.2); (0.4, 0.2); (-0.4, -1)"


@dataclass(frozen=True)
class LandscapeConfig(QueryConfig):
    """What the landscape lesson draws for a net (the net itself is a RunConfig).

    The default is the lesson's opening view: hidden unit 2's two input weights of an early
    2-3-2 net on the disc in a ring, N = 100 against all 10,000 examples. The page offers the
    weights of its net: ``choices=range(n_params)``, named by ``parameter_names``.
    """

    view: str = setting("weights", choices=("weights", "plane"), widget="radio", horizontal=True,
                        label="What to look at",
                        names={"weights": "two chosen weights, the rest frozen",
                               "plane": "a plane through all the weights"})
    weight_a: int = setting(2, lo=0, hi=100_000, widget="select", label="Weight on the x axis")
    weight_b: int = setting(3, lo=0, hi=100_000, widget="select", label="Weight on the y axis")
    weight_range: float = setting(6.0, lo=0.5, hi=20.0, step=0.5, widget="slider",
                                  label="Range around the net's values (±)")
    sample: int = setting(100, choices=SAMPLES, widget="radio", horizontal=True,
                          label=f"Examples N in the loss (of {POOL:,})",
                          names={n: "all" if n == 0 else f"{n:,}" for n in SAMPLES})
    sample_seed: int = setting(0, lo=0, hi=1_000_000, label="Which N examples (seed)")
    starts: str = setting(SPLIT_STARTS, max_chars=120, label="Start points of gradient descent",
                          help='"auto", or up to three points as weight values: (-2, 3); (1, 1); (0.5, -4)')
    gd_lr: float = setting(10.0, choices=GD_RATES, widget="select_slider", label="Descent learning rate")
    gd_epochs: int = setting(400, lo=1, hi=5000, step=50, label="Descent epochs")
    plane: str = setting("pca", choices=("pca", "random"), widget="radio", label="Directions",
                         names={"pca": "PCA of the training path", "random": "two random (filter-normalised)"})
    plane_range: float = setting(1.0, lo=0.2, hi=5.0, step=0.1, widget="slider",
                                 label="Range (random: in weight-norm units; PCA: 1 = the path just fits)")
    plane_seed: int = setting(0, lo=0, hi=1_000_000, label="Seed of the random directions")
    resolution: int = setting(41, choices=RESOLUTIONS, lo=RESOLUTIONS[0], hi=RESOLUTIONS[-1], step=10,
                              widget="slider", label="Grid points per side",
                              help="The surface is evaluated at every grid point, all at once.")

    def check(self) -> None:
        super().check()
        parse_starts(self.starts, np.zeros(2), 1.0)  # explicit start points must parse (UserError says why)


EARLY = RunConfig(dataset="disc_annulus", widths="3", steps=20)  # the opening view's net: 20 steps into training
TRAINED = RunConfig(widths="8,8", steps=1000, turns=1.0)
PRESETS: dict[str, Preset] = {  # link key (?preset=descent); config: (net, view)
    "descent": Preset("Three starts, three minima", (EARLY, LandscapeConfig()), (
        "Three starts close together roll into three different valleys of the N = 100 map.",
        "On the map of all 10,000 examples (below) the same starts meet in one valley."),
        article="With 100 examples the landscape has local minima, plateaus and ridges, and gradient descent from "
                "different starts ends at different costs."),
    "all-examples": Preset("Same starts, all 10,000 examples", (EARLY, LandscapeConfig(sample=0)), (
        "Averaged over all 10,000 examples, the small sample's extra valleys are gone and the three starts end "
        "together.",), article="With 10,000 examples the landscape looks different from the one over 100."),
    "pca": Preset("Trained net: its training path", (TRAINED, LandscapeConfig(view="plane")), (
        "The red path runs from its start into the trained weights at the centre.",
        "Each axis says how much of the path's variance its direction holds.")),
    "random-plane": Preset("Trained net: random directions", (TRAINED, LandscapeConfig(view="plane", plane="random")), (
        "The centre is the trained net.",
        "Filter normalisation makes the two directions comparable, so the basin's width can be read off both axes "
        "alike.")),
}


@dataclass(eq=False)
class LandscapeRun(Run):
    """Lesson 7's result: the trained net and, once the page has drawn its two-weights view, that picture beside it
    (:meth:`beside`), so the claims are not measured again."""

    picture: WeightsPicture | None = None

    def beside(self, picture: WeightsPicture) -> LandscapeRun:
        return replace(self, picture=picture)


def train(cfg: RunConfig, progress=None) -> LandscapeRun:
    """Lesson 7's result: the net of ``cfg``, trained (UserError for bad settings)."""
    run = train_run(cfg, progress=progress)
    return LandscapeRun(run.config, run.dataset, run.model, run.history)


@dataclass(frozen=True, eq=False)
class TwoWeights:
    """The article's picture: the loss over two weights on N examples and on all of them, descent on both."""

    names: tuple[str, str]
    center: np.ndarray  # [2] the two weights' values in the net (the grid is centred there)
    surface: Surface  # over the sample of N examples
    other: Surface  # the same weights over all examples (or over 100 if the sample is all of them)
    sample_label: str
    other_label: str
    descent: Descent  # on the sample
    other_descent: Descent  # the same starts on the other examples

    def axes(self, surf: Surface) -> tuple[np.ndarray, np.ndarray]:
        """Grid axes in weight values (not offsets)."""
        return surf.a + self.center[0], surf.b + self.center[1]

    @property
    def width(self) -> float:
        """The map's width along the first weight."""
        return float(self.surface.a[-1] - self.surface.a[0])

    def end_gaps(self, descent: Descent | None = None) -> np.ndarray:
        """Distances [K, K] between where the descents end, as fractions of the map's width."""
        end = (descent or self.descent).path[:, -1]
        return np.linalg.norm(end[:, None] - end[None], axis=2) / self.width

    def cell(self, point: np.ndarray) -> tuple[int, int]:
        """The grid point (j, i) nearest to ``point`` [2] in weight values."""
        a, b = self.axes(self.surface)
        return int(np.abs(b - point[1]).argmin()), int(np.abs(a - point[0]).argmin())


def evaluation_pool(net: RunConfig) -> Dataset:
    """POOL fresh examples of the net's dataset (seed + 1: a different draw from its training points)."""
    return datasets.make(net.dataset, n=POOL, noise=net.noise, seed=net.seed + 1,
                         **datasets.accepted(net.dataset, turns=net.turns))


def two_weights(model, pool: Dataset, cfg: LandscapeConfig) -> TwoWeights:
    """Surfaces over weights ``cfg.weight_a``, ``cfg.weight_b`` (all others frozen) and descent from the starts.

    pool : the examples "all" means (e.g. :func:`evaluation_pool`); the sample is ``cfg.sample`` of them,
    chosen by ``cfg.sample_seed``.
    """
    i, j = cfg.weight_a, cfg.weight_b
    dirs = weight_directions(model, i, j)
    center = flat_params(model)
    here = center[[i, j]].astype(np.float64)
    starts = parse_starts(cfg.starts, here, cfg.weight_range)
    span = max(cfg.weight_range, 1.05 * float(np.abs(starts - here).max()))
    sample = nested_sample(pool, cfg.sample, cfg.sample_seed)
    other = nested_sample(pool, 100, cfg.sample_seed) if sample is pool else pool
    label = lambda ds: f"N = {ds.n:,}" + (" (all)" if ds is pool else "")  # noqa: E731
    names = parameter_names(model)
    run = lambda ds: descend(model, ds, i, j, starts, cfg.gd_lr, cfg.gd_epochs, center=center)  # noqa: E731
    return TwoWeights(
        (names[i], names[j]), here,
        surface(model, sample, dirs, span, cfg.resolution, center=center),
        surface(model, other, dirs, span, cfg.resolution, center=center),
        label(sample), label(other), run(sample), run(other))


@dataclass(frozen=True, eq=False)
class PlaneView:
    """The loss on a plane through the trained weights, with the training path when the plane is PCA's."""

    surface: Surface
    labels: tuple[str, str]
    path: np.ndarray | None  # [T, 2] snapshots projected on the plane
    path_loss: np.ndarray | None  # [T] loss at those projected points


def plane_view(model, dataset: Dataset, params: np.ndarray, cfg: LandscapeConfig) -> PlaneView:
    """Random filter-normalised directions, or PCA of the snapshots ``params`` [T, P] with the path on it."""
    center = flat_params(model)
    if cfg.plane == "random":
        dirs = random_directions(model, cfg.plane_seed)
        surf = surface(model, dataset, dirs, cfg.plane_range, cfg.resolution, center=center)
        labels = ("random direction 1 (filter-normalised)", "random direction 2 (filter-normalised)")
        return PlaneView(surf, labels, None, None)
    plane = pca_plane(params)
    span = cfg.plane_range * 1.25 * max(float(np.abs(plane.path).max()), 1e-3)
    surf = surface(model, dataset, plane.directions, span, cfg.resolution, center=center)
    path_params = center[None] + plane.path.astype(np.float32) @ plane.directions
    path_loss = batched_loss(Architecture.of(model), path_params, dataset.X, dataset.y, dataset.task)
    labels = tuple(f"PC{k + 1} ({plane.explained[k]:.0%} of the path's variance)" for k in range(2))
    return PlaneView(surf, labels, plane.path, path_loss)


# --- what article 002 claims, checked on the view the page shows ----------------------------------

ARTICLE = "article 002"


def article_checks(view: TwoWeights) -> list[tuple[str, str]]:
    """(what article 002 says, what this view measures) for each claim the lesson makes about it."""
    n_small, n_all = len(local_minima(view.surface)), len(local_minima(view.other))
    gaps, other_gaps = view.end_gaps(), view.end_gaps(view.other_descent)
    upper = gaps[np.triu_indices(len(gaps), 1)]
    ends = view.descent.path[:, -1]
    checks = [
        ("that with N = 100 examples the landscape has local minima, plateaus and ridges, and that with N = "
         "10,000 it looks different (its figure 3).",
         f"{n_small} local minima on the {view.sample_label} map and {n_all} on the {view.other_label} map; "
         f"the two maps differ by up to {np.abs(view.surface.loss - view.other.loss).max():.3f} in loss."),
    ]
    if len(upper):
        checks.append((
            "that depending on where it starts, gradient descent takes a different route and ends at a different "
            "cost.",
            f"the descents end {upper.min():.0%} to {upper.max():.0%} of the map's width apart, at losses "
            + ", ".join(f"{v:.4f}" for v in view.descent.loss[:, -1])
            + f"; on the {view.other_label} map the same starts end at most "
              f"{other_gaps.max():.0%} of its width apart."))
    steps = np.linalg.norm(np.diff(view.descent.path[:, -2:], axis=1)[:, 0], axis=1)
    curv = np.array([curvatures(view.surface, *view.cell(e)) for e in ends])
    checks.append((
        "that it ran no first-derivative test, so its \"minima\" should be named with care.",
        f"where the descents end, the last step moved the weights at most {steps.max():.1e}, so the slope is "
        f"almost zero; the loss curves upwards in both directions at {int((curv[:, 0] > 0).sum())} of the "
        f"{len(ends)} ends (a minimum of the loss over these two weights, not over all of them)."))
    places = _end_places(gaps)
    checks.append((
        "its own net: 784-50-500-10 with sigmoid units and no biases, on MNIST; its figures use two weights into "
        "the output unit for the digit 5.",
        f"this net is a small tanh net on toy data (above the map), not the article's. Its default starts were "
        f"chosen on one N = 100 sample, where they split into three valleys; on the map shown they end in "
        f"{places} different place{'s' if places != 1 else ''} (ends more than 5% of the width apart), and "
        "another sample may split them fewer ways."))
    far = [(k, m) for k in range(len(ends)) for m in range(k + 1, len(ends)) if gaps[k, m] > 0.05]
    if far:
        k, m = far[0]
        j, i = mountain_pass(view.surface, view.cell(ends[k]), view.cell(ends[m]))
        low, high = curvatures(view.surface, j, i)
        a, b = view.axes(view.surface)
        shape = "a saddle point" if low < 0 < high else "not a saddle point at this grid's resolution"
        checks.append((
            "that ridges are \"sometimes also called saddle points\". Wrong: a ridge is a line of high ground; a "
            "saddle point is the one point where the lowest route between two valleys crosses it (slope zero, "
            "the loss curving down one way and up the other).",
            f"the lowest crossing between the valleys of starts {k + 1} and {m + 1} is at ({a[i]:.2f}, {b[j]:.2f}), "
            f"loss {view.surface.loss[j, i]:.4f}; curvature there {low:+.3g} and {high:+.3g}: {shape}."))
    return checks

def _end_places(gaps: np.ndarray, apart: float = 0.05) -> int:
    """How many distinct places the descents end in: ends closer than ``apart`` of the width count as one."""
    place = list(range(len(gaps)))
    for k in range(len(gaps)):
        for m in range(k):
            if gaps[k, m] <= apart:
                place[k] = place[m]
                break
    return len(set(place))


# --- what the page says under its pictures ---------------------------------------------------------

def trust_shares(params: np.ndarray, steps: np.ndarray | None = None) -> dict[str, list[str]]:
    """PC1-3's shares of the snapshots' spread [T, P] about their mean (the shares the map's axes name), beside a
    random walk's recorded at the same ``steps``: the columns of the "can this picture be trusted?" table."""
    ours = pca_shares(params, 3)
    walk = random_walk_shares(len(params), params.shape[1], 3, at=steps)
    return {"this run": [f"{v:.0%}" for v in ours], "a random walk seen at the same steps": [f"{v:.0%}" for v in walk]}


TRUST_CAPTION = ("Shares of the snapshots' spread about their mean, the same shares the map's axes name. A pure random "
                 "walk puts most of its spread in its first component too (about 6/π² ≈ 61% about its mean; "
                 "Antognini and Sohl-Dickstein, 2018), so a tidy PCA path alone proves nothing. The chart compares "
                 "the loss along the real path with the loss the map shows under the projected path.")
PAIR_CAPTION = ("The same two weights, the same net and the same three starts, with the loss averaged over different "
                "examples. The cost is an average over the data, so other data make another landscape.")


def weights_caption(view: TwoWeights) -> str:
    return (f"The loss on {view.sample_label} examples as the two weights vary and every other weight keeps its value "
            "in the net (the star). Press ▶: plain gradient descent on just these two weights, from each start, "
            "moves on the surface, on the map and down the cost curve together.")


def plane_caption(view: PlaneView) -> str:
    if view.path is not None:
        return ("The plane through the net's weights spanned by the two directions along which the training path "
                "varied most (PCA of the recorded snapshots); the red line is the path projected onto it.")
    return ("Two random directions, each neuron's part rescaled to the size of that neuron's weights (filter "
            "normalisation, biases left out), so the picture's scale means the same for every layer.")


def net_caption(run) -> str:
    """One line about the net a landscape belongs to (run: a vizcore.runs.Run)."""
    model = run.model
    return (f"A {model.in_dim}-{'-'.join(map(str, model.widths))}-{model.out_dim} {model.activation} net with "
            f"{model.n_params} weights and biases, trained for {run.config.steps} steps on {run.dataset.n} points; "
            f"final loss {run.history.loss[-1]:.4f}.")


def notice(preset_key: str, run: Run | None = None, view: LandscapeConfig | None = None) -> list[str]:
    """The picked preset's lines and what the article says of it; nothing for custom settings."""
    preset = PRESETS.get(preset_key)
    if preset is None:
        return []
    return [*preset.notice, *([f"- **The article:** {preset.article}"] if preset.article else [])]


def claims(preset_key: str, run: LandscapeRun, view: LandscapeConfig) -> list[Claim]:
    """What article 002 says beside what the two-weights view of ``run`` measures (none for a plane): measured on
    the picture the page drew (:meth:`LandscapeRun.beside`), or else on a new one."""
    if view.view != "weights":
        return []
    drawn = run.picture is not None and run.picture.config == view
    return (run.picture if drawn else weights_picture(run, view)).claims


# --- what the page draws, each kept for the next visitor of the same link (ui.lesson_page.Shown.derived) ----

@dataclass(frozen=True, eq=False)
class WeightsPicture:
    """The two-weights view of a net (drawn as ``config`` says), its figures, and the article's claims measured
    on it. The page draws the descent in two charts, its 2D panels first (a 3D scene takes the browser longer to
    draw) and the surface beside them, played by their buttons; a download or a question's reveal is
    :attr:`whole`."""

    config: LandscapeConfig
    view: TwoWeights
    descent: Spec  # the descent animation on the N-example map and its cost per epoch, with the play controls
    surface: Spec  # the same descent on the N-example surface, its frames named as the descent's
    pair: Spec  # the N-example map beside the other one, the same starts on both
    claims: list[Claim]

    @cached_property
    def whole(self) -> Spec:
        """The descent on the surface, the map and the cost in one figure."""
        return _descent(self.view)


def _descent(view: TwoWeights, panels: tuple[str, ...] = PANELS) -> Spec:
    a, b = view.axes(view.surface)
    return descent_figure(a, b, view.surface.loss, view.descent.path, view.descent.loss, *view.names,
                          center=view.center, panels=panels)


def weights_picture(run: Run, cfg: LandscapeConfig) -> WeightsPicture:
    """Everything the "two chosen weights" view draws of ``run`` (building the figures took 0.25 s a run)."""
    cfg.check()
    view = two_weights(run.model, evaluation_pool(run.config), cfg)
    a, b = view.axes(view.surface)
    d = view.descent
    return WeightsPicture(
        cfg, view, _descent(view, ("map", "cost")), _descent(view, ("surface",)),
        contour_pair(a, b, [view.surface.loss, view.other.loss], [view.sample_label, view.other_label], *view.names,
                     paths=[d.path, view.other_descent.path]),
        [Claim(said, measured, source=ARTICLE) for said, measured in article_checks(view)])


@dataclass(frozen=True, eq=False)
class PlanePicture:
    """The plane view of a net, its figure, and with PCA's plane the check of what the plane hides."""

    view: PlaneView
    figure: Spec
    trust: dict[str, list[str]] | None  # :func:`trust_shares` of the run (PCA only)
    trust_figure: Spec | None  # the loss along the path beside the loss the map shows under it (PCA only)


def plane_picture(run: Run, cfg: LandscapeConfig) -> PlanePicture:
    """Everything the "plane through all the weights" view draws of ``run``."""
    cfg.check()
    view = plane_view(run.model, run.dataset, run.history.params, cfg)
    fig = landscape_figure(view.surface.a, view.surface.b, view.surface.loss, *view.labels, path=view.path,
                           path_loss=view.path_loss)
    if view.path is None:
        return PlanePicture(view, fig, None, None)
    return PlanePicture(view, fig, trust_shares(run.history.params, run.history.step),
                        plane_trust_figure(run.history.step, run.history.loss, view.path_loss))


SAME_VALLEY = 0.05  # descents that end closer than this share of the map's width end in the same valley


# A question's answer, its why and its picture read one picture (0.5 s to make): made once per run and preset
_PICTURES: WeakKeyDictionary = WeakKeyDictionary()  # run -> {preset: WeightsPicture}, gone with the run


def _picture_of(run: LandscapeRun, preset: str) -> WeightsPicture:
    """The preset's two-weights picture of ``run``: the one the page drew, or one made for the question."""
    cfg = PRESETS[preset].configs()[1]
    if run.picture is not None and run.picture.config == cfg:
        return run.picture
    made = _PICTURES.setdefault(run, {})
    if preset not in made:
        made[preset] = weights_picture(run, cfg)
    return made[preset]


def _valleys(run: LandscapeRun, preset: str) -> int:
    """1 if some two of the descents end in different valleys (farther apart than SAME_VALLEY), else 0."""
    return int(_picture_of(run, preset).view.end_gaps().max() > SAME_VALLEY)


def _valleys_why(run: LandscapeRun, preset: str) -> str:
    view = _picture_of(run, preset).view
    return (f"On the {view.sample_label} map the three descents end at most {view.end_gaps().max():.0%} of the map's "
            f"width apart, at losses {', '.join(f'{v:.4f}' for v in view.descent.loss[:, -1])}.")


def _valley_question(preset: str, examples: str) -> Question:
    return Question(f"Three starts close together on the loss over two weights, averaged over {examples}. Where does "
                    "gradient descent take them?", ("into the same valley", "into different valleys"),
                    lambda run: _valleys(run, preset), lambda run: _valleys_why(run, preset),
                    picture=lambda run: _picture_of(run, preset).whole)


QUESTIONS = {"descent": _valley_question("descent", "100 examples"),  # asked before the picture (ui/classroom.py)
             "all-examples": _valley_question("all-examples", "all 10,000 examples")}


LESSON = Lesson(settings=EARLY, view=LandscapeConfig(), compute=train, presets=PRESETS, claims=claims,
                notice=notice, offers={"dataset": LAYER_DATASETS, "data_id": ("",), "start_id": ("",)},  # no uploads
                questions=QUESTIONS, first_picture=weights_picture)
