"""Lesson 3, the training trajectory: the article's 510-weight net, trained example by example.

``TrajectoryConfig`` is one shareable experiment (what the training depends on), ``TrajectoryView``
how the page draws it, and ``PRESETS`` the named ones; :func:`train_trajectory` trains it (and, for
comparison, the same net on the same example order with slow learning) and scores it on fresh points;
:func:`lesson_view` turns a run into what the three-panel figure draws; :func:`claims` sets the
article's figures beside the run's measured ones; :func:`plane_check` says whether the PCA picture can
be trusted. ``LESSON`` is all of it for the page.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Optional

import numpy as np

from .. import datasets
from ..config import Preset, QueryConfig, setting
from ..errors import UserError
from ..figures.layers import layer_animation
from ..figures.spec import Spec
from ..figures.trajectory import FRAME_MS, plane_trust_figure, training_view
from ..history import Trained
from ..layers import Animation, animate
from ..nets import MLP, load_flat, parse_widths
from ..train import MAX_LR, MAX_STEPS, History, fit
from ..trajectory import (METHOD_NAMES, METHODS, MapFrames, Path, clock_words, fit_projection, frame_snapshots,
                          output_maps, path_and_plane_loss, pca_shares, random_walk_shares, random_walk_theory)
from . import Claim, Lesson, Question, band

TRAJECTORY_DATASETS = ("above_graph", "spirals", "disc_annulus")
MODES = ("per-example", "minibatch", "full-batch")
# the rate slider's stops (0.05: this app's default; the article gives no rate)
RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3, 1.0)
MAX_EXAMPLE_GRADIENTS = 20_000_000  # examples x updates: about 10 s of full-batch work
BOX = (-0.5, 0.5)  # above_graph's input square; other datasets use their own extent
FRESH_SEED = 2_000_000  # fresh training examples are seeded from here on, far from any config seed
SCORE_POINTS = 20_000  # fresh points that score the trained net
ARTICLE = "article 000"  # the source of every figure this lesson checks
AXIS_NAMES = {"random": "random direction", "rms": "RMS-weighted direction", "pca": "principal component"}


def parse_schedule(text: str) -> tuple[tuple[int, float], ...]:
    """Read rate changes like "20000: 0.02, 50000: 0.005" into (step, rate) pairs, or raise UserError."""
    pairs = []
    for part in str(text).replace(";", ",").split(","):
        if not part.strip():
            continue
        step, sep, rate = part.partition(":")
        try:
            pair = (int(step.strip().replace("_", "")), float(rate))
        except ValueError:
            pair = None
        if not sep or pair is None or not math.isfinite(pair[1]):
            raise UserError(f"Write each rate change as step: rate, e.g. 20000: 0.02; {part.strip()[:30]!r} is not.")
        if not (0 <= pair[0] <= MAX_STEPS and 0 < pair[1] <= MAX_LR):
            raise UserError(f"In {part.strip()[:30]!r}, the step must be 0 to {MAX_STEPS:,} and the rate above 0 "
                            f"and at most {MAX_LR:g}.")
        pairs.append(pair)
    return tuple(sorted(pairs))


@dataclass(frozen=True)
class TrajectoryConfig(QueryConfig):
    """Data, net and training regime of one trajectory experiment (defaults: the article's net and task; the
    rate 0.05 and its schedule are this app's choice: the article only says the rate slows gradually)."""

    dataset: str = setting("above_graph", choices=TRAJECTORY_DATASETS, label="Dataset",
                           help="above_graph is the article's task: is (x, y) above a curve with two minima? The "
                                "article gives no formula; this app uses y = 20x⁴ − 3x².")
    fresh: bool = setting(True, label="A fresh example for every update",
                          help="As in the article. Off: cycle through a fixed set of training points.")
    n: int = setting(20_000, lo=100, hi=20_000, step=1000, label="Training points")  # minibatches, or fresh off
    widths: str = setting("15,15,15", max_chars=40, label="Hidden widths",
                          help="The article's net: 15,15,15 (no biases, inputs x, y, 1).")
    seed: int = setting(0, lo=0, hi=1_000_000, label="Seed")
    batch: int = setting(32, lo=2, hi=256, widget="slider", label="Batch size")
    steps: int = setting(250_000, lo=1, hi=600_000, step=10_000, label="Updates")
    # any rate a link carries; the page offers RATES and the current one (rate_choices)
    lr: float = setting(0.05, lo=1e-5, hi=MAX_LR, widget="select_slider", label="Learning rate")
    halving: int = setting(0, lo=0, hi=MAX_STEPS, step=10_000, label="Rate halves after (updates, 0 = never)",
                           help="Gradual slowing: the rate is divided by 1 + updates / this number.")
    schedule: str = setting("150000: 0.01, 210000: 0.003", max_chars=120, label="Rate changes (update: new rate, ...)",
                            help="Change the rate mid-run without restarting, e.g. 1000: 0.06, 150000: 0.02 "
                                 "(double it, then slow down 3×).")
    spread: int = setting(1, lo=1, hi=200, label="Slow learning k",
                          help="Spread each update evenly over the next k steps (1 = plain training).")
    compare: int = setting(0, lo=0, hi=200, label="Compare with slow learning k (0 = off)",
                           help="Also train the same net on the same examples with slow learning, drawn in orange.")
    # mode comes after every other field the work limit in check() reads: a link is read field by field
    # from the defaults (per example, the cheapest), so any link within the limit is accepted whole
    mode: str = setting("per-example", choices=MODES, label="Mode",
                        help="Per example: one update per example, as in the article.")
    dense: int = setting(200, lo=0, hi=2000, step=100, label="Record every update for the first")

    def unused(self) -> tuple[str, ...]:
        """The settings this mode ignores (the page hides their widgets)."""
        return tuple(name for name, unused in (("fresh", self.mode != "per-example"),
                                               ("batch", self.mode != "minibatch"), ("n", self.streams)) if unused)

    @property
    def signed(self) -> bool:
        """above_graph is the article's regression on -1/+1 with a constant third input."""
        return self.dataset == "above_graph"

    @property
    def streams(self) -> bool:
        """Every update sees a new example (per-example mode with ``fresh``)."""
        return self.fresh and self.mode == "per-example"

    def make_dataset(self, n: Optional[int] = None, seed: Optional[int] = None) -> datasets.Dataset:
        return datasets.make(self.dataset, n=self.n if n is None else n, seed=self.seed if seed is None else seed,
                             signed=self.signed, bias_input=self.signed,
                             **datasets.accepted(self.dataset, turns=0.5))

    def training_data(self) -> datasets.Dataset:
        """The n fixed points, or with :attr:`streams` one fresh point per update (``steps`` of them)."""
        if not self.streams:
            return self.make_dataset()
        chunk = datasets.MAX_POINTS
        parts = [self.make_dataset(max(2, min(chunk, self.steps - start)), FRESH_SEED + 64 * self.seed + start // chunk)
                 for start in range(0, self.steps, chunk)]
        n = max(2, self.steps)  # fit treats a batch of 1 from 1 point as full batch
        return datasets.Dataset(np.concatenate([p.X for p in parts])[:n], np.concatenate([p.y for p in parts])[:n],
                                parts[0].task, parts[0].name, {**parts[0].params, "n": n, "fresh": True})

    def make_model(self, ds: datasets.Dataset) -> MLP:
        return MLP(ds.dim, parse_widths(self.widths, max_width=32), ds.out_dim, bias=not self.signed, seed=self.seed)

    def batch_size(self) -> Optional[int]:
        return {"per-example": 1, "minibatch": self.batch, "full-batch": None}[self.mode]

    def check(self) -> None:
        super().check()
        parse_widths(self.widths, max_width=32)
        parse_schedule(self.schedule)
        per_step = {"per-example": 1, "minibatch": self.batch, "full-batch": self.n}[self.mode]
        if per_step * self.steps * (2 if self.compare else 1) > MAX_EXAMPLE_GRADIENTS:
            raise UserError(f"{self.steps:,} {self.mode} updates on {per_step:,} examples each is too much work for "
                            "this server; use fewer updates, fewer points or smaller batches.")


@dataclass(frozen=True)
class TrajectoryView(QueryConfig):
    """How the page draws a run (never a reason to train again): the error window, the projection, the moment of
    training the page shows (updates done; -1 = the end: the figure's frame, the numbers above it and the layer
    animation all show it) and whether the layer animation is shown. No preset sets the moment or the layers."""

    window: int = setting(1000, lo=1, hi=100_000, step=100, label="Error over the last N examples")
    method: str = setting("random", choices=METHODS, widget="radio", names=METHOD_NAMES, label="Projection")
    layers: bool = setting(False, label="Show the layer animation at the moment shown", preset=False,
                           help="The net as it was at the figure's moment, layer by layer; move the figure's "
                                "slider or pause it to pick another moment.")
    layer_step: int = setting(-1, lo=-1, hi=MAX_STEPS, label="Moment shown (updates done)", preset=False)

    def picture(self, moment: int = -1) -> TrajectoryView:
        """Only what the three-panel figure depends on, with ``moment`` (a step, -1: none) as a frame of its own
        (a link's moment that the clock's frames skip; see :func:`picture_of`)."""
        return replace(self, layers=False, layer_step=moment)


GAS = "1000: 0.06, 150000: 0.02, 200000: 0.0067, 230000: 0.0022"  # twice the rate, then a third, thrice
PRESETS = {  # ?preset=<key>; each with its view (picking a preset resets the picture too)
    "article": Preset(
        "The article's net, trained on 250,000 fresh examples", (TrajectoryConfig(), TrajectoryView()),
        ("Per example, the path jitters like Brownian motion yet drifts one way: a few weights grow steadily, "
         "and their directions pull the point along.",
         "The rate drops at 150,000 and 210,000 updates: watch the middle panel after each."),
        "a 3-15-15-15-1 tanh net (510 weights, inputs x, y and a constant 1) trained per example on ever new points "
        "reaches an RMS error of 0.22 with the sign right over 99% of the time; its path jitters like Brownian "
        "motion yet drifts one way."),
    "gas": Preset(
        "Add gas, then slow down 3× three times", (TrajectoryConfig(lr=0.03, schedule=GAS), TrajectoryView()),
        ("The rate doubles after 1,000 updates, then is divided by 3 at 150,000, 200,000 and 230,000: watch the "
         "middle panel after each.",
         "The article lowers the rate when the path stops drifting and circles one spot, and the error drops."),
        "when the net stops drifting and circles one region, cutting the rate by 3× was rewarded with a marked drop "
        "in error; raising the rate pushes it out of a region to search elsewhere."),
    "slow": Preset(
        "The first 2,000 examples, plain and with slow learning",
        (TrajectoryConfig(steps=2000, schedule="", dense=2000, compare=10), TrajectoryView(window=200)),
        ("With slow learning (in orange) each update lands in k small parts, so the same examples give a "
         "smoother path.",
         "Both nets start from the same weights and see the same examples in the same order."),
        "applying each update gradually over several steps (\"slow learning\") gives a much smoother path at the "
        "same rate, less prone to losing a minimum it has found."),
    "rms": Preset(
        "RMS-weighted directions: the weights that matter lead", (TrajectoryConfig(), TrajectoryView(method="rms")),
        ("The RMS-weighted view lets the weights that matter to the loss dominate the picture.",
         "Compare it with the article preset: the same run, drawn with other directions."),
        "weighted by the RMS gradient over the whole run, the weights' importances settle and differ by almost "
        "three orders of magnitude; the weighted path keeps drifting where the plain one marks time."),
    "fixed": Preset(
        "The same 20,000 points over and over instead of fresh ones", (TrajectoryConfig(fresh=False), TrajectoryView()),
        ("The 20,000 points come round about 12 times in 250,000 updates.",
         "The middle panel's error is measured on the training examples, the numbers above on fresh points: "
         "compare both with the article preset.")),
    "spirals": Preset(
        "Two spirals, minibatches of 32",
        (TrajectoryConfig(dataset="spirals", n=2000, mode="minibatch", steps=5000, schedule=""), TrajectoryView()),
        ("The picture works for any task and net: here two classes, trained 32 points at a time.",
         "The map shows P(B) − P(A) instead of the article's signed output."),
        "the picture depends neither on the task nor on the net's topology, so it can follow any net's training."),
}
CUSTOM_NOTICE = ("Custom settings: pick a preset in the sidebar for a guided example.",
                 *PRESETS["article"].notice)


@dataclass(eq=False)
class TrajectoryRun(Trained):
    """A trained net with its History, optionally the slow-learning twin on the same examples, and the trained
    net's (RMS error, sign accuracy) on fresh points (:func:`fresh_scores`).

    Its histories are kept as :func:`kept` rounds them, and pickled (the shipped file, ui/shipped.py) with each
    snapshot as a float16 step from the first: 0.9 MB for 250,000 examples instead of 2.4 MB.
    """

    config: TrajectoryConfig
    dataset: datasets.Dataset
    model: MLP
    history: History
    slow: Optional[History] = None
    scores: tuple[float, float] = (math.nan, math.nan)

    def __getstate__(self) -> dict:
        return {**vars(self), "history": _packed(self.history), "slow": _packed(self.slow)}

    def __setstate__(self, state: dict) -> None:
        vars(self).update(state, history=_unpacked(state["history"]), slow=_unpacked(state["slow"]))


def kept(hist: History) -> History:
    """``hist`` as this lesson keeps it: each snapshot rounded to a float16 step from the first, each update's loss
    to float16, the same to the eye; without what resuming it would need (2 MB: this lesson never resumes a run).

    A weight that moved by 16 is off by at most 8e-3 and one that moved by 0.04 (the first updates) by 2e-5;
    the drawn path moves by at most 0.05% of its extent, a loss by 0.05% of itself (measured on the article's
    run). A run and a shipped copy of it are then the same numbers.
    """
    first = hist.params[0]
    losses = hist.step_loss
    if losses is not None and np.nanmax(losses, initial=0.0) < 6e4:  # float16 ends at 65,504
        losses = losses.astype(np.float16)
    return replace(hist, params=first + (hist.params - first).astype(np.float16).astype(np.float32), step_loss=losses,
                   state=None)


def _packed(hist: Optional[History]) -> Optional[tuple[History, np.ndarray, np.ndarray]]:
    if hist is None:
        return None
    first = hist.params[0]
    return replace(hist, params=None), first, (hist.params - first).astype(np.float16)


def _unpacked(packed: Optional[tuple[History, np.ndarray, np.ndarray]]) -> Optional[History]:
    if packed is None:
        return None
    hist, first, steps = packed
    return replace(hist, params=first + steps.astype(np.float32))


def record_every(cfg: TrajectoryConfig) -> int:
    """Updates between snapshots after the first ``dense`` ones (about 200 more snapshots)."""
    return max(1, (cfg.steps - cfg.dense) // 200)


def _fit(cfg: TrajectoryConfig, ds: datasets.Dataset, spread: int, progress) -> tuple[MLP, History]:
    model = cfg.make_model(ds)
    # The snapshot losses are on 250 fixed points: the page draws the running error of the examples
    # themselves, and 400 snapshots x 1,000 points cost as much as training on 130,000 examples.
    hist = fit(model, ds, steps=cfg.steps, lr=cfg.lr, optimizer="sgd", batch_size=cfg.batch_size(),
               record_every=record_every(cfg), seed=cfg.seed, progress=progress, lr_decay=cfg.halving or None,
               spread=spread, record_dense=cfg.dense, lr_schedule=parse_schedule(cfg.schedule), eval_points=250)
    hist = kept(hist)
    load_flat(model, hist.params[-1])  # the net is its last snapshot as kept: the last frame's map is its output
    return model, hist


def train_trajectory(cfg: TrajectoryConfig, progress=None) -> TrajectoryRun:
    """Train ``cfg`` (and its slow-learning twin if ``cfg.compare``) and score it; UserError for bad settings."""
    cfg.check()
    ds = cfg.training_data()
    runs = 2 if cfg.compare else 1

    def part(k: int):
        if progress is None:
            return None
        return lambda done, total, loss: progress(k * total + done, runs * total, loss)

    model, hist = _fit(cfg, ds, cfg.spread, part(0))
    slow = _fit(cfg, ds, cfg.compare, part(1))[1] if cfg.compare else None
    if ds.n > datasets.MAX_POINTS:  # the pictures use a few hundred; a cached run keeps 20,000, not 600,000
        ds = replace(ds, X=ds.X[:datasets.MAX_POINTS].copy(), y=ds.y[:datasets.MAX_POINTS].copy())
    run = TrajectoryRun(cfg, ds, model, hist, slow)
    return replace(run, scores=fresh_scores(run))  # the numbers above the figure and in the claims


def extent(ds: datasets.Dataset) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of the square the output map covers."""
    if ds.name == "above_graph":
        return (*BOX, *BOX)
    lo, hi = ds.X[:, :2].min(axis=0), ds.X[:, :2].max(axis=0)
    pad = 0.08 * (hi - lo)
    return lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1]


def fresh_scores(run: TrajectoryRun, t: int = -1, n: int = SCORE_POINTS) -> tuple[float, float]:
    """(RMS error, sign accuracy) of snapshot t on fresh points (for classes: (nan, accuracy))."""
    fresh = run.config.make_dataset(n, run.config.seed + 7919)
    out = run.model_at(t).predict(fresh.X)
    if fresh.task == "regression":
        return float(np.sqrt(np.mean((out[:, 0] - fresh.y) ** 2))), float(np.mean(np.sign(out[:, 0]) == fresh.y))
    return math.nan, float(np.mean(out.argmax(1) == fresh.y))


def error_curve(hist: History, task: str, window: int) -> np.ndarray:
    """The article's error curve [T]: RMS error over the last ``window`` examples (mean loss for classes)."""
    recent = hist.recent_loss(window)
    return np.sqrt(recent) if task == "regression" else recent


MAX_FRAMES = 80  # the figure's frames: 20 s of play at normal speed


def frames_of(run: TrajectoryRun, picture: TrajectoryView, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """int [F] the snapshots the figure's frames show: the logarithmic clock's, and ``picture.layer_step`` if
    recorded."""
    steps = run.history.step
    frames = frame_snapshots(steps, max_frames)
    return np.union1d(frames, np.flatnonzero(steps == picture.layer_step)) if picture.layer_step >= 0 else frames


def recorded_moment(run: TrajectoryRun, step: int) -> int:
    """The recorded step nearest to ``step`` (a link may name any), as a view's ``layer_step``: -1 for the end."""
    steps = run.history.step
    nearest = int(steps[np.abs(steps - step).argmin()]) if step >= 0 else -1
    return -1 if nearest == int(steps[-1]) else nearest


def picture_of(run: TrajectoryRun, view: TrajectoryView) -> TrajectoryView:
    """What the figure for ``view`` depends on: its window and projection, and its moment if the clock has no frame
    there (a link's recorded snapshot), so that the page opens exactly at the moment a link names."""
    frames = run.history.step[frame_snapshots(run.history.step, MAX_FRAMES)]
    recorded = view.layer_step >= 0 and view.layer_step in run.history.step
    return view.picture(view.layer_step if recorded and view.layer_step not in frames else -1)


def lesson_view(run: TrajectoryRun, view: TrajectoryView = TrajectoryView(), resolution: int = 60,
                max_frames: int = MAX_FRAMES) -> tuple[MapFrames, list[Path]]:
    """Everything the three-panel figure draws, from one run (and its slow twin), with ``view``'s projection and
    error window, and a frame at ``view.layer_step`` too if it is a recorded step (:func:`frames_of`)."""
    cfg, ds = run.config, run.dataset
    projection = fit_projection(run.history, view.method, cfg.seed)
    names = ("per example" if cfg.mode == "per-example" else cfg.mode, f"slow learning, k = {cfg.compare}")
    paths = [Path(name, hist.step, error_curve(hist, ds.task, view.window), projection(hist.params))
             for name, hist in zip(names, [run.history, run.slow]) if hist is not None]
    snapshot = frames_of(run, view, max_frames)
    box = extent(ds)
    values = output_maps(run.model, run.history.params[snapshot], box, resolution, bias_input=cfg.signed)
    if ds.name == "above_graph":
        x = np.linspace(box[0], box[1], 200)
        y = datasets.above_graph_curve(x)
        inside = y <= box[3]
        maps = MapFrames(values, box, snapshot, True, curve=(x[inside], y[inside]))
    else:
        keep = datasets.subsample(ds.n, 300)
        maps = MapFrames(values, box, snapshot, False, points=(ds.X[keep, :2], ds.y[keep]))
    return maps, paths


def slowdowns(cfg: TrajectoryConfig) -> list[float]:
    """Factor of each rate change that lowers the rate (2.0 = halved), in order."""
    rates = [cfg.lr, *(rate for _, rate in parse_schedule(cfg.schedule))]
    return [a / b for a, b in zip(rates, rates[1:]) if b < a]


def article_comparison(run: TrajectoryRun, rms: float, sign: float, method: str = "random"
                       ) -> list[tuple[str, str, str]]:
    """(what, the article says, measured here) for this run drawn with projection ``method``, every measured
    value computed from it."""
    cfg, hist = run.config, run.history
    rows = [("weights", "510", f"{run.model.n_params:,}")]
    if run.dataset.task == "regression":
        rows += [("RMS error of the trained net", "0.22", f"{rms:.3f} on {SCORE_POINTS:,} fresh points"),
                 ("sign right", "over 99%", f"{sign:.2%}")]
    rows.append(("training examples", "a new sample every time",
                 "a fresh point for every update" if cfg.streams else f"the same {cfg.n:,} points, reused"))
    nonzero = hist.grad_rms[hist.grad_rms > 0]
    if len(nonzero) > 1:
        rows.append(("RMS gradient, most against least important weight", "almost 1,000×",
                     f"{nonzero.max() / nonzero.min():,.0f}× over {int(hist.step[-1]):,} updates"))
    if slowdowns(cfg):
        rows.append(("each slow-down of the rate", "3×", ", ".join(f"{f:.1f}×" for f in slowdowns(cfg))))
    rows.append(("points on the path", "one per example, later one per 1,000", path_density(cfg)))
    if method == "rms":
        weighted, plain = (drift(fit_projection(hist, method, cfg.seed)(hist.params)) for method in ("rms", "random"))
        rows.append(("share of the path that is net drift over the second half of the run (RMS-weighted vs random "
                     "directions)", "the weighted path keeps drifting where the plain one marks time",
                     f"{weighted:.0%} vs {plain:.0%}: " + ("the weighted path drifts more here" if weighted > plain
                                                          else "the plain path drifts as much or more here")))
    return rows


def drift(xy: np.ndarray) -> float:
    """How straight the second half of a 2D path [T, 2] is: its end-to-end distance over its length (1 = a line)."""
    half = xy[len(xy) // 2:]
    length = float(np.linalg.norm(np.diff(half, axis=0), axis=1).sum())
    return float(np.linalg.norm(half[-1] - half[0])) / max(length, 1e-300)


def path_density(cfg: TrajectoryConfig) -> str:
    """How often the run records a snapshot, in words."""
    dense, every = min(cfg.dense, cfg.steps), record_every(cfg)
    if dense >= cfg.steps or every == 1:
        return "one per update"
    return f"one per update for the first {dense:,}, then one per {every:,}" if dense else f"one per {every:,} updates"


def rate_choices(current: float) -> list[float]:
    """The learning rates the page offers: :data:`RATES` and the current one (a link may carry any rate)."""
    return sorted({*RATES, float(current)})


def error_label(run: TrajectoryRun, window: int) -> str:
    """The error panel's title."""
    error = "RMS error" if run.dataset.task == "regression" else "cross-entropy"
    return f"{error}, last {window:,} examples"


def examples_seen(run: TrajectoryRun, t: int = -1) -> int:
    """Training examples used up to snapshot ``t``."""
    return int(run.history.step[t]) * (run.config.batch_size() or run.dataset.n)


def metrics(run: TrajectoryRun, rms: float, accuracy: float, t: int = -1) -> list[tuple[str, str]]:
    """(label, value) of the numbers shown above the figure at snapshot ``t``; rms and accuracy from
    :func:`fresh_scores` of that snapshot."""
    rows = [("Weights", f"{run.model.n_params:,}"), ("Examples seen", f"{examples_seen(run, t):,}")]
    if run.dataset.task == "regression":
        return rows + [("RMS error, fresh points", f"{rms:.3f}"), ("Sign right, fresh points", f"{accuracy:.1%}")]
    return rows + [("Accuracy, fresh points", f"{accuracy:.1%}")]


def scores_at(run: TrajectoryRun, t: int) -> tuple[float, float]:
    """:func:`fresh_scores` of snapshot ``t`` (the trained net's are kept in the run)."""
    return run.scores if t in (-1, len(run.history) - 1) else fresh_scores(run, t)


def view_caption(run: TrajectoryRun, view: TrajectoryView, frame_steps: np.ndarray) -> str:
    """What the three panels show, for this view's window and this run's recording and clock (the frames show
    ``frame_steps`` updates)."""
    return (f"Left: the net's output at the moment shown (green above 0, red below, blue near 0; dotted: the true "
            f"curve). Middle: its error over the last {view.window:,} examples. Right: where its weights are, "
            f"magnified to the walk so far. The path has {path_density(run.config)}. "
            f"{clock_words(frame_steps, FRAME_MS)} Move the slider or pause to set the moment for the numbers above "
            f"and for the layer animation.")


TRUST_COLUMNS = ("", "this run", "a random walk seen at the same steps", "6 / (π² k²), every step seen")
TRUST_CAPTION = ("A pure random walk in many dimensions has a first principal component that explains about 6/π² ≈ "
                 "61% of its variance (Antognini and Sohl-Dickstein, 2018). The run keeps a snapshot at every update "
                 "early and then one every few hundred, so the walk beside it is recorded at the same steps, which "
                 "raises its first share: a PCA path that looks like that walk is no evidence of structure. The "
                 "chart compares the loss along the real path with the loss at the points "
                 "the PCA plane shows; where they part, the plane's picture shows a descent the path never had.")


def plane_check(run: TrajectoryRun, points: int = 500
                ) -> tuple[list[tuple[str, str, str, str]], np.ndarray, np.ndarray, np.ndarray]:
    """Can the PCA picture be trusted? (rows under TRUST_COLUMNS: the run's PCA shares beside a random walk's,
    steps [T], the loss along the path [T], the loss where the PCA plane puts it [T])."""
    params = run.history.params
    ours = pca_shares(params, 3)
    walk = random_walk_shares(len(params), params.shape[1], 3, at=run.history.step)  # at the run's own snapshots
    theory = random_walk_theory(3)
    rows = [(f"PC{k + 1}", f"{ours[k]:.0%}", f"{walk[k]:.0%}", f"{theory[k]:.0%}") for k in range(3)]
    keep = datasets.subsample(run.dataset.n, points)  # 2,000 points took 1.3 s for 400 snapshots, 500 take 0.08 s
    path, plane = path_and_plane_loss(run.model, params, run.dataset.X[keep], run.dataset.y[keep], run.dataset.task)
    return rows, run.history.step, path, plane


def layer_caption(anim: Animation, step: int) -> str:
    return (f"The same net after {step:,} updates, the moment the figure shows, layer by layer. Wide layers are shown "
            "through a fixed projection to 3D" + (f": {anim.projection}." if anim.projection else "."))


def layer_animation_at(run: TrajectoryRun, snapshot: int, points: int = 300) -> tuple[Animation, np.ndarray]:
    """Lesson 1's layer animation of the net at one snapshot, and its points' labels (the sign for regression)."""
    keep = datasets.subsample(run.dataset.n, points)
    y = run.dataset.y[keep]
    labels = (y > 0).astype(int) if run.dataset.task == "regression" else y
    return animate(run.model_at(snapshot), run.dataset.X[keep]), labels


def notice(preset_key: str, run: TrajectoryRun | None = None, view: TrajectoryView | None = None) -> list[str]:
    """The "what to notice" lines: the preset's (or custom settings') and what the article says of it."""
    preset = PRESETS.get(preset_key)
    if preset is None:
        return list(CUSTOM_NOTICE)
    return [*preset.notice, f"- **The article says** {preset.article_says()}"]


def claims(preset_key: str, run: TrajectoryRun, view: TrajectoryView | None = None) -> list[Claim]:
    """The article's figures beside this run's (:func:`article_comparison`), whatever the preset."""
    return [Claim(said, measured, about=what, source=ARTICLE)
            for what, said, measured in article_comparison(run, *run.scores, (view or TrajectoryView()).method)]


# --- what the page draws, each kept for the next visitor of the same link (ui.lesson_page.Shown.derived) ----

def trajectory_figure(run: TrajectoryRun, view: TrajectoryView) -> tuple[Spec, np.ndarray]:
    """The three-panel figure of ``run`` drawn as ``view`` says, and the main path [T, 2] (for the download)."""
    maps, paths = lesson_view(run, view)
    fig = training_view(maps, paths, error_label=error_label(run, view.window), path_label=AXIS_NAMES[view.method],
                        height=540)
    return fig, paths[0].xy


def trust_picture(run: TrajectoryRun) -> tuple[list[tuple[str, str, str, str]], Spec]:
    """:func:`plane_check`'s table rows (under TRUST_COLUMNS) and its chart of the path's loss beside the plane's."""
    rows, steps, path, plane = plane_check(run)
    return rows, plane_trust_figure(steps, path, plane)


def layer_picture(run: TrajectoryRun, snapshot: int) -> tuple[Animation, Spec]:
    """The layer animation of one snapshot, and its figure."""
    anim, labels = layer_animation_at(run, snapshot)
    return anim, layer_animation(anim, labels, height=480)


def path_length(hist: History) -> float:
    """How far the weights travelled: the summed length of the steps between recorded snapshots."""
    return float(np.linalg.norm(np.diff(hist.params, axis=0), axis=1).sum())


def _slow_ratio(run: TrajectoryRun) -> float:
    """The slow-learning path's length over the plain one's (same examples, same start)."""
    return path_length(run.slow) / path_length(run.history)


QUESTIONS = {  # asked from the projector before the picture answers (ui/classroom.py)
    "slow": Question(
        "Slow learning lands each update in 10 small parts. On the same 2,000 examples, from the same start, its path "
        "through weight space is…", ("longer and rougher", "about as long (within 25%)", "shorter and smoother"),
        lambda run: band(1 / _slow_ratio(run), (0.8, 1.25)),
        lambda run: f"The plain path is {path_length(run.history):.3g} long in weight space, the slow-learning one "
                    f"{path_length(run.slow):.3g}: " + (f"{1 / _slow_ratio(run):.1f}× shorter. Jitter that cancels "
                    "out over a few steps is never walked." if _slow_ratio(run) < 1 else
                    f"{_slow_ratio(run):.1f}× longer."),
        picture=lambda run: trajectory_figure(run, PRESETS["slow"].configs()[1])[0]),
}


LESSON = Lesson(settings=TrajectoryConfig(), view=TrajectoryView(), compute=train_trajectory, presets=PRESETS,
                claims=claims, notice=notice, keep=16, ship=("gas",),  # 0.9 MB a preset: only the home link's ships
                questions=QUESTIONS)
