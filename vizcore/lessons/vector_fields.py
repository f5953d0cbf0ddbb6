"""Lesson 5, vector-field layers: its settings, presets, the pictures of one seed's flow, the comparisons
beside it (the same net in the other dimension on the disc data, lesson 1's tanh net on spirals) and the
article's claims beside the measured numbers. The layer itself is :mod:`vizcore.vectorfield`.

The result (:class:`VfResult`) is the trained batch of nets and, on spirals, lesson 1's tanh net on the same
data. On the disc data the comparison is this lesson's own result for :func:`partner`'s settings, computed
(and cached, and shipped) as its own: the 2D and the 3D preset share their two trainings.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

import numpy as np

from .. import datasets, drawn
from .. import vectorfield as vf
from ..config import Preset, QueryConfig, setting
from ..data import subsample
from ..figures.layers import layer_animation
from ..figures.spec import Spec
from ..figures.style import percent
from ..figures.vectorfield import arrow_field
from ..history import ProgressFn, stages
from ..layers import Animation
from ..sweeps import fit_many
from . import Claim, Lesson, Question

DATASETS = ("disc_annulus", "spirals", "drawn")
MAX_POINTS = {2: 400, 3: 250}  # drawn points in 2D and 3D
FLOW_SECONDS = 3.0  # one layer's flow at normal speed: long enough to talk over
MIN_FRAMES = 40  # frames per layer, so the flow moves smoothly for those seconds


@dataclass(frozen=True)
class VfConfig(QueryConfig):
    """One vector-field experiment (a shareable link)."""

    dataset: str = setting("disc_annulus", choices=DATASETS, label="Dataset",
                           names={k: f"{k}: {datasets.DESCRIPTIONS[k]}" for k in DATASETS})
    n: int = setting(200, lo=20, hi=2000, step=50, label="Points")
    noise: float = setting(0.0, lo=0.0, hi=0.3, step=0.01, label="Noise")
    turns: float = setting(0.75, lo=0.25, hi=2.0, step=0.05, label="Spiral turns")
    augment: int = setting(0, choices=(0, 1), widget="radio", horizontal=True, label="Space",
                           names={0: "the plane (2D)", 1: "add a 3rd coordinate = 0"})
    layers: int = setting(1, lo=1, hi=4, label="Layers")
    anchors: int = setting(24, lo=2, hi=64, label="Anchors per layer", help="Bump centres, taken from the data.")
    width: float = setting(0.3, lo=0.02, hi=3.0, step=0.05, label="Bump width")
    flow_steps: int = setting(10, lo=1, hi=40, label="Flow steps per layer")
    method: str = setting("euler", choices=vf.METHODS, widget="radio", horizontal=True, label="Integrator",
                          names={"euler": "Euler", "rk4": "Runge-Kutta 4"})
    normalised: bool = setting(False, label="Normalised field Σ v g / (1 + Σ g)")
    learn_widths: bool = setting(False, label="Learn the bump widths")
    learn_anchors: bool = setting(False, label="Learn the anchor positions")
    contraction: float = setting(0.01, lo=0.0, hi=1.0, step=0.005, label="Contraction penalty", format="%.4f",
                                 help="Penalise how much each layer stretches space at the data points (0: off).")
    seeds: int = setting(5, lo=5, hi=10, label="Seeds")
    # 100 steps at 0.15 on 200 points: the page opens in under a second and shows what 150 steps at 0.1
    # on 300 points showed (a channel in every 2D seed, 3D seeds separated without one)
    steps: int = setting(100, lo=1, hi=3000, step=50, label="Steps", help="Full-batch Adam updates.")
    lr: float = setting(0.15, lo=1e-4, hi=1.0, step=0.01, label="Learning rate", format="%.4f")
    # the drawing (dataset == "drawn"): vizcore.drawn's code
    points: str = setting("", max_chars=drawn.MAX_TEXT, omit_default=True, label="Drawn points")

    def __post_init__(self) -> None:
        drawn.only_when_drawn(self)

    def check(self) -> None:
        super().check()
        drawn.unpack(self.points)  # a drawing's text: whole and unchanged

    def make_dataset(self, n: int | None = None, seed: int = 0) -> datasets.Dataset:
        """The training points (seed 0), or with ``seed=1`` fresh test points (a drawing's: a quarter of each class
        held out, :func:`vizcore.drawn.split`)."""
        if self.dataset == "drawn":
            return drawn.split(datasets.make("drawn", points=self.points))[1 if seed else 0]
        return datasets.make(self.dataset, n=n or self.n, noise=self.noise, seed=seed,
                             **datasets.accepted(self.dataset, turns=self.turns))


def tested_on(run: vf.VfRun) -> str:
    """The points the test accuracy is measured on, in words."""
    if run.dataset.name == "drawn":
        return f"the {run.test.n:,} points of your drawing held out from training"
    return f"{run.test.n:,} fresh points of the same distribution"


@dataclass(frozen=True)
class VfView(QueryConfig):
    """What the vector-field page shows of a trained batch (a link's view state, not training)."""

    # the page offers only its run's seeds and layers (VfConfig.seeds, VfConfig.layers): see picked()
    draw_seed: int = setting(0, choices=range(10), label="Seed to draw")
    arrow_layer: int = setting(0, choices=range(4), widget="radio", horizontal=True, label="Arrows of layer",
                               names={i: f"layer {i + 1}" for i in range(4)})
    compare_penalty: bool = setting(False, label="Show the effect of the contraction penalty (trains once more "
                                                 "without it)")


def picked(cfg: VfConfig, view: VfView) -> tuple[VfView, list[str]]:
    """The view with a seed and a layer this run has (0 for any beyond it), and a warning for each that changed."""
    warnings = []
    for key, count, what in (("draw_seed", cfg.seeds, "seeds"), ("arrow_layer", cfg.layers, "layers")):
        if not 0 <= getattr(view, key) < count:
            warnings.append(f"{key}={getattr(view, key)} is beyond this run's {count} {what}; showing 0.")
            view = replace(view, **{key: 0})
    return view, warnings


PRESETS = {  # ?preset=<key>; each notice line is formatted with the numbers of notice()
    "disc2": Preset(
        "Disc in a ring, in the plane", VfConfig(),
        ("Play the flow: the ring is stretched and pinched, never torn. The amber channel on the left is where the "
         "region called disc runs out through the ring; the crosses are the {caught} fresh ring points caught in "
         "it, {caught} of this net's {wrong} mistakes on {total:,} fresh points.",),
        article="A net whose layers keep the plane a plane cannot separate a disc from a ring around it."),
    "disc3": Preset(
        "Disc in a ring, lifted into 3D", VfConfig(augment=1),
        ("Play the flow: with a third coordinate the disc can rise off the plane (or the ring sink), and a flat "
         "plane then separates them without any channel through the ring: so it went in {free} of {seeds} seeds "
         "here.",),
        article="With a third hidden unit the disc and ring separate easily."),
    "spirals": Preset(
        "Spirals, two layers", VfConfig(dataset="spirals", layers=2),
        ("Play the flow: unwinding spirals is a deformation of the plane, so no extra coordinate is needed "
         "({acc} of fresh points right, mean of {seeds} seeds); two layers flow one after the other (compare "
         "the arrows of each).",),
        article="Spirals can be separated in low dimension, but doing so is very hard."),
}
CUSTOM_NOTICE = ("Your own settings: compare the table's two rows and watch whether the grid stays a grid.",)
FOLD_WARNING = ("Along the drawn paths some Euler steps stretch space by more than their own size, so the drawn flow "
                "may fold there. More flow steps, Runge-Kutta 4 or the contraction penalty keep it a true "
                "homeomorphism.")


def partner(cfg: VfConfig) -> VfConfig | None:
    """On the disc data, the same net in the other dimension (2D <-> 3D), trained beside it; else None."""
    return replace(cfg, augment=1 - cfg.augment) if cfg.dataset == "disc_annulus" else None


def train(cfg: VfConfig, progress: Optional[ProgressFn] = None) -> vf.VfRun:
    """The batch of ``cfg.seeds`` vector-field nets of ``cfg``, scored on TEST_POINTS fresh points (seed 1)."""
    cfg.check()
    return vf.train(cfg.make_dataset(), cfg.make_dataset(n=vf.TEST_POINTS, seed=1), seeds=cfg.seeds,
                    layers=cfg.layers, anchors=cfg.anchors, width=cfg.width, augment=cfg.augment,
                    flow_steps=cfg.flow_steps, method=cfg.method, normalised=cfg.normalised,
                    learn_widths=cfg.learn_widths, learn_anchors=cfg.learn_anchors, contraction=cfg.contraction,
                    steps=cfg.steps, lr=cfg.lr, progress=progress)


@dataclass(eq=False)
class VfResult:
    """Lesson 5's result: the settings, their trained batch ``run`` and, where the comparison is lesson 1's tanh
    net (no :func:`partner`), that net over the same seeds (``baseline``).

    partner : on the disc data, the result of ``partner(config)`` once the page has computed it (:meth:`beside`);
    the claims compare the two.
    """

    config: VfConfig
    run: vf.VfRun
    baseline: TanhBaseline | None = None
    partner: VfResult | None = None

    def beside(self, other: VfResult | None) -> VfResult:
        """This result with ``other`` (the partner's result) beside it."""
        return replace(self, partner=other)


def compute(cfg: VfConfig, progress: Optional[ProgressFn] = None) -> VfResult:
    """Lesson 5's result for ``cfg``: its nets and, on data without a partner, lesson 1's tanh net (one bar)."""
    if partner(cfg) is not None:
        return VfResult(cfg, train(cfg, progress))
    first, second = stages(progress, 2)
    return VfResult(cfg, train(cfg, first), tanh_baseline(cfg, progress=second))


# --- one seed's pictures -------------------------------------------------------------------------

@dataclass(eq=False)
class FlowPictures:
    """What the page draws of one seed's net: the flow animation, and one layer's arrows over its input.

    labels : int [n] the drawn points' classes; positions, field [a, D] the arrows; start [n, D] the drawn
    points where the arrows' layer receives them; overlay: the disc region (disc data, 2D, first layer);
    worst : the largest step stretch h·|J| along the drawn paths
    """

    anim: Animation
    labels: np.ndarray
    positions: np.ndarray
    field: np.ndarray
    start: np.ndarray
    overlay: dict | None
    worst: float


def flow_pictures(result: VfResult, layer: int = 0, seed: int = 0) -> FlowPictures:
    """Seed ``seed``'s flow of up to MAX_POINTS data points (at least MIN_FRAMES frames per layer) and layer
    ``layer``'s arrows."""
    cfg, run = result.config, result.run
    keep = subsample(run.dataset.n, MAX_POINTS[2 + cfg.augment])
    X, y = run.dataset.X[keep], run.dataset.y[keep]
    risks = vf.fold_risk(run, X, seed, with_grid=True)
    per_step = -(-MIN_FRAMES // cfg.flow_steps)  # ceiling
    anim = vf.animation(run, X, seed_index=seed, risks=risks, frames_per_step=per_step)
    positions, field = vf.arrows(run, layer, resolution=15 if cfg.augment == 0 else 7, seed_index=seed)
    start = anim.points[layer * cfg.flow_steps * per_step]  # the data where this layer receives it
    overlay = vf.region_overlay(run, seed) if layer == 0 and cfg.augment == 0 else None
    return FlowPictures(anim, y, positions, field, start, overlay, max(risks))


def pictures(result: VfResult, layer: int, seed: int) -> tuple[FlowPictures, Spec, Spec]:
    """:func:`flow_pictures`, the flow animation and the arrows (left) of seed ``seed`` and layer ``layer``."""
    pics = flow_pictures(result, layer, seed)
    arrows = arrow_field(pics.positions, pics.field, pics.start, pics.labels, height=520, region=pics.overlay)
    flow = layer_animation(pics.anim, pics.labels, height=520, phase_seconds=FLOW_SECONDS)
    return pics, flow, arrows


def notice(preset_key: str, result: VfResult, view: VfView | None = None) -> list[str]:
    """What to notice: the preset's lines (or the custom settings' line) with the numbers of the seed drawn."""
    run, seed, seeds = result.run, (view or VfView()).draw_seed, result.config.seeds
    disc = run.region is not None
    lines = PRESETS[preset_key].notice if preset_key in PRESETS else CUSTOM_NOTICE
    values = dict(caught=run.ring_points_as_disc()[seed] if disc else 0, total=vf.TEST_POINTS,
                  wrong=int((run.test_predictions[seed] != run.test.y).sum()), seeds=seeds,
                  free=int(seeds - run.escapes.sum()) if disc else 0, acc=percent(run.test_accuracy.mean()))
    return [line.format(**values) for line in lines]


def flow_caption(result: VfResult, layer: int, seed: int) -> str:
    overlay = result.run.region is not None and layer == 0 and result.config.augment == 0
    return (f"Left: the field of layer {layer + 1} where it receives the data (seed {seed}; arrows scaled so the "
            "longest spans one grid spacing; in 3D, cones on the starting plane)"
            + (", over the region the net calls disc (pink) and its channel through the ring (amber)" if overlay
               else "")
            + ". Right: data, grid and decision boundary ride along the flow; the last frame adds the output layer's "
            "straight line (plane in 3D).")


def metrics(result: VfResult, seed: int, worst: float) -> list[tuple[str, str, str | None]]:
    """Four (label, value, help) metrics of seed ``seed`` and of all seeds; ``worst`` from :class:`FlowPictures`."""
    run, S = result.run, result.config.seeds
    first = (f"Test accuracy (seed {seed})", percent(run.test_accuracy[seed]),
             f"On {tested_on(run)}.")
    if run.region is not None:
        middle = [("Disc region cuts through the ring", f"{int(run.escapes.sum())} of {S} seeds", None),
                  (f"Ring points called disc (seed {seed})",
                   f"{run.ring_points_as_disc()[seed]} of {int((run.test.y == 1).sum()):,}",
                   "Fresh ring points the net calls disc (crosses, left).")]
    else:
        middle = [(f"Test accuracy, mean of {S} seeds", percent(run.test_accuracy.mean()), None),
                  ("Parameters per net", str(run.n_params), None)]
    stretch = ("Largest step stretch h·|J|", f"{worst:.2f}",
               "The largest h·‖J‖ over every integration step, measured only along the paths of the drawn data "
               f"points and grid lines (seed {seed}). Below 1, no Euler step folds space along those paths; "
               "elsewhere in the plane it was not measured.")
    return [first, *middle, stretch]


# --- the side-by-side comparisons ----------------------------------------------------------

@dataclass(eq=False)
class TanhBaseline:
    """Lesson 1's tanh net on the same data over the same seeds: accuracies [S] and parameter count."""

    widths: tuple[int, ...]
    accuracy: np.ndarray
    test_accuracy: np.ndarray
    n_params: int


def tanh_baseline(cfg: VfConfig, widths: tuple[int, ...] = (2, 2, 2, 2), steps: int = 2000, lr: float = 0.03,
                  progress: Optional[ProgressFn] = None) -> TanhBaseline:
    """Lesson 1's default net (2-2-2-2 tanh, Adam, 2000 full-batch steps), one per seed, on ``cfg``'s data.

    The seeds train as one batched computation (:func:`vizcore.train.fit_many`), net for net what
    ``fit`` gives them one by one.
    """
    ds, test = cfg.make_dataset(), cfg.make_dataset(n=vf.TEST_POINTS, seed=1)
    sweep = fit_many(ds, widths, range(cfg.seeds), steps=steps, lr=lr, optimizer="adam", progress=progress,
                     threads=1)
    models = [sweep.model(s) for s in range(cfg.seeds)]
    test_accs = [float(np.mean(m.predict(test.X).argmax(1) == test.y)) for m in models]
    return TanhBaseline(tuple(widths), np.asarray(sweep.final_accuracy, dtype=float), np.asarray(test_accs),
                        models[0].n_params)


def _spread(values: np.ndarray) -> str:
    return f"{100 * np.mean(values):.1f}% ± {100 * np.std(values):.1f}"


def seed_rows(run: vf.VfRun) -> list[dict]:
    """One row per seed of a trained batch, for the CSV download."""
    return [{"seed": s, "training accuracy": run.accuracy[s], "test accuracy": run.test_accuracy[s],
             "RMS |J| at the data": run.jacobian[s],
             **({"disc region cuts through the ring": bool(run.escapes[s])} if run.escapes is not None else {})}
            for s in range(len(run.accuracy))]


def run_row(title: str, run: vf.VfRun) -> dict[str, str]:
    """A table row: parameters, accuracies over seeds, and the topological check where it applies."""
    row = {"net": title, "parameters": str(run.n_params), "training accuracy": _spread(run.accuracy),
           "test accuracy": _spread(run.test_accuracy), "RMS |J| at the data": f"{np.mean(run.jacobian):.2f}"}
    if run.escapes is not None:
        row["disc region cuts through the ring"] = f"{int(run.escapes.sum())} of {len(run.escapes)} seeds"
    return row


def baseline_row(base: TanhBaseline) -> dict[str, str]:
    return {"net": f"tanh net {'-'.join(map(str, base.widths))} (lesson 1)", "parameters": str(base.n_params),
            "training accuracy": _spread(base.accuracy), "test accuracy": _spread(base.test_accuracy),
            "RMS |J| at the data": "—"}


def describe(cfg: VfConfig) -> str:
    """A short name of the architecture, e.g. "2 vector-field layers × 24 anchors in 3D"."""
    layers = f"{cfg.layers} vector-field layer{'s' if cfg.layers > 1 else ''}"
    return f"{layers} × {cfg.anchors} anchors in {2 + cfg.augment}D"


# --- the article's claims beside this app's measurements -----------------------------------

ARTICLE = {  # what the source article (003) says, in this app's words
    "layer": "Proposes this layer: a field of Gaussian bumps anchored at training points, each with its own "
             "arrow, flowing space (no results given).",
    "plane": "A net whose layers keep the plane a plane (2 tanh units each, any depth) cannot separate a disc "
             "from a ring around it; its own run stalled near 80% accuracy.",
    "stretch": "A net can still stretch the tangled part very thin and score high: a tempting local minimum "
               "with very large derivatives; penalising the derivatives at the data counters it.",
    "third": "With a third hidden unit the disc and ring separate easily.",
    "spirals": "Spirals can be separated in low dimension, but doing so is very hard.",
}


def claims(preset_key: str, result: VfResult, view: VfView | None = None) -> list[Claim]:
    """What article 003 says beside what was measured here, every number from ``result``'s run (and its 2D/3D
    partner beside it on the disc data, or lesson 1's tanh net on spirals)."""
    cfg, run, base = result.config, result.run, result.baseline
    S, seed = len(run.accuracy), min((view or VfView()).draw_seed, len(run.accuracy) - 1)
    rows = [("layer", f"This app's choices: {cfg.anchors} anchors of width {cfg.width:g}, {cfg.flow_steps} "
                      f"{'Euler' if cfg.method == 'euler' else 'RK4'} steps per layer, {cfg.steps} Adam steps, "
                      f"contraction penalty {cfg.contraction:g}: {run.n_params} parameters per net.")]
    if run.region is not None and result.partner is not None:
        partner = result.partner.run
        flat, lifted = (run, partner) if cfg.augment == 0 else (partner, run)
        perfect = lambda r: int(np.sum(r.test_accuracy == 1.0))  # noqa: E731
        misses = flat.ring_points_as_disc()
        rows += [("plane", f"A flow of the plane scores {percent(flat.test_accuracy.mean())} on fresh points, yet in "
                           f"{int(flat.escapes.sum())} of {S} seeds the region called disc runs out through the "
                           f"ring (the amber channel), and {perfect(flat)} of {S} seeds reach 100%."),
                 ("stretch", f"Mean of {S} seeds: the channel is squeezed to {flat.region.ring_share.mean():.1%} of "
                             f"the ring's area and {misses.mean():.0f} of {int(np.sum(flat.test.y == 1))} fresh ring "
                             f"points fall in it"
                             + f" (seed {seed} alone, the drawn seed: {flat.region.ring_share[seed]:.1%} and "
                               f"{misses[seed]})"
                             + f". RMS |J| at the data: {flat.jacobian.mean():.2f} with penalty {cfg.contraction:g}."),
                 ("third", f"With a third coordinate: {percent(lifted.test_accuracy.mean())} on fresh points, a "
                           f"channel in {int(lifted.escapes.sum())} of {S} seeds, {perfect(lifted)} of {S} seeds at "
                           "100%.")]
    if base is not None and cfg.dataset == "spirals":
        rows.append(("spirals", f"{describe(cfg)}: {_spread(run.test_accuracy)}; lesson 1's tanh net "
                                f"{'-'.join(map(str, base.widths))}: {_spread(base.test_accuracy)} "
                                f"(fresh points, {S} seeds)."))
    return [Claim(ARTICLE[key], text, source="article 003") for key, text in rows]


def comparison_rows(result: VfResult) -> list[dict[str, str]]:
    """The side-by-side table: the 2D and 3D runs (disc data, the partner beside the result), or the run and
    lesson 1's tanh net."""
    if result.partner is not None:
        return [run_row(describe(r.config), r.run) for r in sorted((result, result.partner),
                                                                    key=lambda r: r.config.augment)]
    return [run_row(describe(result.config), result.run), baseline_row(result.baseline)]


def comparison_caption(result: VfResult) -> str:
    disc = result.partner is not None
    return (f"Test accuracy is on {tested_on(result.run)}"
            + (". Far from the data the field is zero, so half of the far plane is always called disc; a flow of the "
               "plane keeps that half-plane connected to the disc, hence the channel." if disc else
               ", the same for both nets; the tanh net is lesson 1's default (2-2-2-2, Adam, 2000 steps)."))


def penalty_rows(plain: VfResult, result: VfResult) -> list[dict[str, str]]:
    """The run beside the same settings trained without the contraction penalty (``plain``)."""
    return [run_row("without contraction penalty", plain.run),
            run_row(f"with penalty {result.config.contraction:g}", result.run)]


def penalty_caption(plain: VfResult, result: VfResult) -> str:
    return (f"RMS |J| at the data: {plain.run.jacobian.mean():.2f} without the penalty, "
            f"{result.run.jacobian.mean():.2f} with it.")


def flow_verdict(result: VfResult) -> int:
    """0: separated (a channel through the ring in at most half the seeds); 1: high but leaking (a channel in most
    seeds); 2: under 70% right on fresh points (mean of the seeds)."""
    run = result.run
    if run.test_accuracy.mean() < 0.7:
        return 2
    return int(2 * int(run.escapes.sum()) > len(run.escapes))


def _flow_why(result: VfResult) -> str:
    run = result.run
    return (f"{run.test_accuracy.mean():.1%} of fresh points right (mean of {len(run.escapes)} seeds); the region "
            f"called disc runs out through the ring in {int(run.escapes.sum())} of them.")


FLOW_CHOICES = ("It separates them: no channel through the ring", "It scores high, but the disc's region leaks "
                "out through a channel in the ring", "It fails: under 70% right")
QUESTIONS = {  # asked from the projector before the picture answers (ui/classroom.py)
    "disc2": Question("A vector-field layer flows the plane, never tearing it. Trained on the disc inside a ring, "
                      "what does it do?", FLOW_CHOICES, flow_verdict,
                      lambda result: _flow_why(result) + " A flow of the plane cannot open the ring, so it squeezes "
                                                         "it thin where the disc gets out.",
                      picture=lambda result: pictures(result, 0, 0)[1]),
    "disc3": Question("The same flow with a third coordinate, so points may rise off the plane. Trained on the disc "
                      "inside a ring, what does it do?", FLOW_CHOICES, flow_verdict,
                      lambda result: _flow_why(result) + " In 3D the disc can rise over the ring.",
                      picture=lambda result: pictures(result, 0, 0)[1]),
}


LESSON = Lesson(settings=VfConfig(), view=VfView(), compute=compute, presets=PRESETS, claims=claims, notice=notice,
                keep=24, questions=QUESTIONS)
