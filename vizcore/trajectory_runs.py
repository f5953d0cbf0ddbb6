"""The trajectory lesson's experiments: the article's 510-weight net, trained example by example.

``TrajectoryConfig`` is one shareable experiment; :func:`train_trajectory` trains it
(and, for comparison, the same net on the same example order with slow learning);
:func:`output_maps` evaluates what the net computes over the input square at many
snapshots at once; :func:`article_comparison` sets the article's figures beside the
run's measured ones.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from . import datasets, engine
from .config import QueryConfig, setting
from .errors import UserError
from .nets import MLP, parse_widths
from .history import Trained
from .train import MAX_LR, MAX_STEPS, History, fit
from .trajectory import METHODS, fit_projection

TRAJECTORY_DATASETS = ("above_graph", "spirals", "disc_annulus")
MODES = ("per-example", "minibatch", "full-batch")
MAX_EXAMPLE_GRADIENTS = 20_000_000  # examples x updates: about 10 s of full-batch work
BOX = (-0.5, 0.5)  # above_graph's input square; other datasets use their own extent
FRESH_SEED = 2_000_000  # fresh training examples are seeded from here on, far from any config seed
SCORE_POINTS = 20_000  # fresh points that score the trained net


@dataclass
class Path:
    """One run's curve and trajectory, one value per recorded snapshot.

    name : legend text, e.g. "per example"
    steps : int [T] examples seen at each snapshot
    error : float [T] the error curve (NaN where undefined)
    xy : float [T, 2] the projected trajectory
    """

    name: str
    steps: np.ndarray
    error: np.ndarray
    xy: np.ndarray


@dataclass
class MapFrames:
    """What the net computes at some snapshots: values [F, r, r] in -1..1 over ``box`` (x0, x1, y0, y1).

    snapshot : int [F] the snapshot index (into the paths) each frame shows
    signed : the article's green/red/blue colouring (else class colours A..B)
    curve : optional (x [m], y [m]) drawn on top (the true boundary)
    points : optional (X [n, 2], labels [n]) drawn on top
    """

    values: np.ndarray
    box: tuple
    snapshot: np.ndarray
    signed: bool = True
    curve: Optional[tuple] = None
    points: Optional[tuple] = field(default=None)


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
    """Data, net and training regime of one trajectory experiment (defaults: the article's)."""

    dataset: str = setting("above_graph", choices=TRAJECTORY_DATASETS)
    fresh: bool = setting(True)  # per example: a new random point for every update, as in the article
    n: int = setting(20_000, lo=100, hi=20_000)  # fixed training points (minibatches, or fresh off)
    widths: str = setting("15,15,15", max_chars=40)
    seed: int = setting(0, lo=0, hi=1_000_000)
    batch: int = setting(32, lo=2, hi=256)
    steps: int = setting(250_000, lo=1, hi=600_000)
    lr: float = setting(0.05, lo=1e-5, hi=MAX_LR)
    halving: int = setting(0, lo=0, hi=MAX_STEPS)  # 0 = no gradual slowing
    schedule: str = setting("150000: 0.01, 210000: 0.003", max_chars=120)  # mid-run rate changes, "step: rate, ..."
    spread: int = setting(1, lo=1, hi=200)
    compare: int = setting(0, lo=0, hi=200)  # 0 = no slow-learning comparison run
    # mode comes after every other field the work limit in check() reads: a link is read field by field
    # from the defaults (per example, the cheapest), so any link within the limit is accepted whole
    mode: str = setting("per-example", choices=MODES)
    dense: int = setting(200, lo=0, hi=2000)
    window: int = setting(1000, lo=1, hi=100_000)
    method: str = setting("random", choices=METHODS)
    layers: bool = setting(False)  # view: show the layer animation at one snapshot
    layer_step: int = setting(-1, lo=-1, hi=MAX_STEPS)  # view: its snapshot (updates done; -1 = the end)

    @property
    def signed(self) -> bool:
        """above_graph is the article's regression on -1/+1 with a constant third input."""
        return self.dataset == "above_graph"

    @property
    def streams(self) -> bool:
        """Every update sees a new example (per-example mode with ``fresh``)."""
        return self.fresh and self.mode == "per-example"

    def make_dataset(self, n: Optional[int] = None, seed: Optional[int] = None) -> datasets.Dataset:
        params = {"turns": 0.5} if self.dataset == "spirals" else {}
        return datasets.make(self.dataset, n=self.n if n is None else n, seed=self.seed if seed is None else seed,
                             signed=self.signed, bias_input=self.signed, **params)

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


@dataclass(eq=False)
class TrajectoryRun(Trained):
    """A trained net with its History, and optionally the slow-learning twin on the same examples."""

    config: TrajectoryConfig
    dataset: datasets.Dataset
    model: MLP
    history: History
    slow: Optional[History] = None


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
    return model, hist


def train_trajectory(cfg: TrajectoryConfig, progress=None) -> TrajectoryRun:
    """Train ``cfg`` (and its slow-learning twin if ``cfg.compare``); UserError for bad settings."""
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
    return TrajectoryRun(cfg, ds, model, hist, slow)


def extent(ds: datasets.Dataset) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of the square the output map covers."""
    if ds.name == "above_graph":
        return (*BOX, *BOX)
    lo, hi = ds.X[:, :2].min(axis=0), ds.X[:, :2].max(axis=0)
    pad = 0.08 * (hi - lo)
    return lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1]


def output_maps(model: MLP, params: np.ndarray, box: tuple[float, float, float, float], resolution: int = 60,
                bias_input: bool = False) -> np.ndarray:
    """float32 [F, r, r] of what the net computes on an r x r grid (row = y) at each snapshot params [F, P].

    One output (regression): the output itself. Two classes: P(class B) - P(class A),
    so both read as -1 .. +1. All snapshots at once, as one batched engine computation
    in float32 (the engine is pinned to the torch model by tests/test_engine.py): 80
    snapshots of the 510-weight net on 3,600 points take about 30 ms.
    """
    xs, ys = np.linspace(box[0], box[1], resolution), np.linspace(box[2], box[3], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.c_[gx.ravel(), gy.ravel()]
    if bias_input:
        grid = np.c_[grid, np.ones(len(grid))]
    arch, grid, maps = engine.Architecture.of(model), grid.astype(np.float32), []
    for start in range(0, len(params), 20):  # 20 snapshots at a time: [20, 15, 3600] float32 is 4 MB
        out, _ = engine.forward(arch, np.ascontiguousarray(params[start:start + 20], dtype=np.float32), grid)
        value = out[..., 0] if out.shape[2] == 1 else np.tanh(0.5 * (out[..., 1] - out[..., 0]))
        maps.append(value.reshape(-1, resolution, resolution))
    return np.concatenate(maps).astype(np.float32)


def fresh_scores(run: TrajectoryRun, t: int = -1, n: int = SCORE_POINTS) -> tuple[float, float]:
    """(RMS error, sign accuracy) of snapshot t on fresh points (for classes: (nan, accuracy))."""
    fresh = run.config.make_dataset(n, run.config.seed + 7919)
    out = run.model_at(t).predict(fresh.X)
    if fresh.task == "regression":
        return float(np.sqrt(np.mean((out[:, 0] - fresh.y) ** 2))), float(np.mean(np.sign(out[:, 0]) == fresh.y))
    return math.nan, float(np.mean(out.argmax(1) == fresh.y))


def frame_snapshots(steps: np.ndarray, max_frames: int = 80) -> np.ndarray:
    """int [F] snapshot indices, F = max_frames or a few more, evenly spread in log(step), ends included.

    Early updates change the net most, so a log clock gives each frame a comparable change:
    with 250,000 updates, 80 frames show updates 1, 2, 3, ... 200 in about 35 frames, and the
    remaining 249,800 in the rest.
    """
    steps = np.asarray(steps)
    if len(steps) <= max_frames:
        return np.arange(len(steps))
    picked, count = np.arange(0), max_frames - 1
    while len(picked) < max_frames:  # early targets share a snapshot: ask for more until F distinct
        wanted = np.geomspace(max(1, steps[1]), steps[-1], count)
        picked = np.unique(np.r_[0, np.minimum(np.searchsorted(steps, wanted), len(steps) - 1)])
        count += 1 + count // 20
    return picked


def error_curve(hist: History, task: str, window: int) -> np.ndarray:
    """The article's error curve [T]: RMS error over the last ``window`` examples (mean loss for classes)."""
    recent = hist.recent_loss(window)
    return np.sqrt(recent) if task == "regression" else recent


def lesson_view(run: TrajectoryRun, resolution: int = 60, max_frames: int = 80) -> tuple[MapFrames, list[Path]]:
    """Everything the three-panel figure draws, from one run (and its slow twin)."""
    cfg, ds = run.config, run.dataset
    projection = fit_projection(run.history, cfg.method, cfg.seed)
    names = ("per example" if cfg.mode == "per-example" else cfg.mode, f"slow learning, k = {cfg.compare}")
    paths = [Path(name, hist.step, error_curve(hist, ds.task, cfg.window), projection(hist.params))
             for name, hist in zip(names, [run.history, run.slow]) if hist is not None]
    snapshot = frame_snapshots(run.history.step, max_frames)
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


def article_comparison(run: TrajectoryRun, rms: float, sign: float) -> list[tuple[str, str, str]]:
    """(what, the article says, measured here) for this run, every measured value computed from it."""
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
    return rows


def path_density(cfg: TrajectoryConfig) -> str:
    """How often the run records a snapshot, in words."""
    dense, every = min(cfg.dense, cfg.steps), record_every(cfg)
    if dense >= cfg.steps or every == 1:
        return "one per update"
    return f"one per update for the first {dense:,}, then one per {every:,}" if dense else f"one per {every:,} updates"
