"""The trajectory lesson's experiments: the article's 510-weight net, trained example by example.

``TrajectoryConfig`` is one shareable experiment; :func:`train_trajectory` trains it
(and, for comparison, the same net on the same example order with slow learning);
:func:`output_maps` evaluates what the net computes over the input square at many
snapshots at once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import torch
from torch.func import functional_call, vmap

from . import datasets
from .config import QueryConfig, setting
from .errors import UserError
from .nets import MLP, parse_widths
from .train import MAX_LR, MAX_STEPS, History, fit
from .trajectory import METHODS, fit_projection

TRAJECTORY_DATASETS = ("above_graph", "spirals", "disc_annulus")
MODES = ("per-example", "minibatch", "full-batch")
MAX_EXAMPLE_GRADIENTS = 20_000_000  # examples x updates: about 10 s of full-batch work
BOX = (-0.5, 0.5)  # above_graph's input square; other datasets use their own extent


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
    n: int = setting(20_000, lo=100, hi=20_000)
    widths: str = setting("15,15,15", max_chars=40)
    seed: int = setting(0, lo=0, hi=1_000_000)
    batch: int = setting(32, lo=2, hi=256)
    steps: int = setting(30_000, lo=1, hi=600_000)
    lr: float = setting(0.05, lo=1e-5, hi=MAX_LR)
    halving: int = setting(50_000, lo=0, hi=MAX_STEPS)  # 0 = constant rate
    schedule: str = setting("", max_chars=120)  # mid-run rate changes, "step: rate, ..."
    spread: int = setting(1, lo=1, hi=200)
    compare: int = setting(10, lo=0, hi=200)  # 0 = no slow-learning comparison run
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

    def make_dataset(self, seed_offset: int = 0) -> datasets.Dataset:
        params = {"turns": 0.5} if self.dataset == "spirals" else {}
        return datasets.make(self.dataset, n=self.n, seed=self.seed + seed_offset, signed=self.signed,
                             bias_input=self.signed, **params)

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
class TrajectoryRun:
    """A trained net with its History, and optionally the slow-learning twin on the same examples."""

    config: TrajectoryConfig
    dataset: datasets.Dataset
    model: MLP
    history: History
    slow: Optional[History] = None

    def model_at(self, t: int) -> MLP:
        return self.history.model_at(self.model, int(t) % len(self.history))


def _fit(cfg: TrajectoryConfig, ds: datasets.Dataset, spread: int, progress) -> tuple[MLP, History]:
    model = cfg.make_model(ds)
    record_every = max(1, (cfg.steps - cfg.dense) // 200)
    hist = fit(model, ds, steps=cfg.steps, lr=cfg.lr, optimizer="sgd", batch_size=cfg.batch_size(),
               record_every=record_every, seed=cfg.seed, progress=progress, lr_decay=cfg.halving or None,
               spread=spread, record_dense=cfg.dense, lr_schedule=parse_schedule(cfg.schedule), eval_points=1000)
    return model, hist


def train_trajectory(cfg: TrajectoryConfig, progress=None) -> TrajectoryRun:
    """Train ``cfg`` (and its slow-learning twin if ``cfg.compare``); UserError for bad settings."""
    cfg.check()
    ds = cfg.make_dataset()
    runs = 2 if cfg.compare else 1

    def part(k: int):
        if progress is None:
            return None
        return lambda done, total, loss: progress(k * total + done, runs * total, loss)

    model, hist = _fit(cfg, ds, cfg.spread, part(0))
    slow = _fit(cfg, ds, cfg.compare, part(1))[1] if cfg.compare else None
    return TrajectoryRun(cfg, ds, model, hist, slow)


def extent(ds: datasets.Dataset) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of the square the output map covers."""
    if ds.name == "above_graph":
        return (*BOX, *BOX)
    lo, hi = ds.X[:, :2].min(axis=0), ds.X[:, :2].max(axis=0)
    pad = 0.08 * (hi - lo)
    return lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1]


def output_maps(model: MLP, params: np.ndarray, box: tuple[float, float, float, float], resolution: int = 60,
                bias_input: bool = False, chunk: int = 50) -> np.ndarray:
    """float32 [F, r, r] of what the net computes on an r x r grid (row = y) at each snapshot params [F, P].

    One output (regression): the output itself. Two classes: P(class B) - P(class A),
    so both read as -1 .. +1. Runs the torch model itself (``MLP.forward``), vectorised
    over snapshots with ``torch.func.vmap``.
    """
    xs, ys = np.linspace(box[0], box[1], resolution), np.linspace(box[2], box[3], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.c_[gx.ravel(), gy.ravel()]
    if bias_input:
        grid = np.c_[grid, np.ones(len(grid))]
    grid = torch.as_tensor(grid, dtype=torch.float32)
    shapes = [(name, p.shape, p.numel()) for name, p in model.named_parameters()]
    run_one = vmap(lambda named: functional_call(model, named, (grid,)))
    maps = []
    with torch.no_grad():
        for start in range(0, len(params), chunk):
            block = torch.as_tensor(np.asarray(params[start:start + chunk], dtype=np.float32))
            named, offset = {}, 0
            for name, shape, size in shapes:
                named[name] = block[:, offset:offset + size].reshape(len(block), *shape)
                offset += size
            out = run_one(named).numpy()
            value = out[..., 0] if out.shape[2] == 1 else np.tanh(0.5 * (out[..., 1] - out[..., 0]))
            maps.append(value.reshape(-1, resolution, resolution))
    return np.concatenate(maps).astype(np.float32)


def fresh_scores(run: TrajectoryRun, t: int = -1, n: int = 5000) -> tuple[float, float]:
    """(RMS error, sign accuracy) of snapshot t on fresh points (for classes: (nan, accuracy))."""
    cfg = run.config
    fresh = datasets.make(cfg.dataset, n=n, seed=cfg.seed + 7919, signed=cfg.signed, bias_input=cfg.signed,
                          **({"turns": 0.5} if cfg.dataset == "spirals" else {}))
    out = run.model_at(t).predict(fresh.X)
    if fresh.task == "regression":
        return float(np.sqrt(np.mean((out[:, 0] - fresh.y) ** 2))), float(np.mean(np.sign(out[:, 0]) == fresh.y))
    return math.nan, float(np.mean(out.argmax(1) == fresh.y))


def frame_snapshots(T: int, max_frames: int = 200) -> np.ndarray:
    """int [F <= max_frames] snapshot indices spread over 0 .. T-1, first and last included."""
    return np.unique(np.round(np.linspace(0, T - 1, min(T, max_frames))).astype(int))


def error_curve(hist: History, task: str, window: int) -> np.ndarray:
    """The article's error curve [T]: RMS error over the last ``window`` examples (mean loss for classes)."""
    recent = hist.recent_loss(window)
    return np.sqrt(recent) if task == "regression" else recent


def lesson_view(run: TrajectoryRun, resolution: int = 60, max_frames: int = 200) -> tuple[MapFrames, list[Path]]:
    """Everything the three-panel figure draws, from one run (and its slow twin)."""
    cfg, ds = run.config, run.dataset
    projection = fit_projection(run.history, cfg.method, cfg.seed)
    names = ("per example" if cfg.mode == "per-example" else cfg.mode, f"slow learning, k = {cfg.compare}")
    paths = [Path(name, hist.step, error_curve(hist, ds.task, cfg.window), projection(hist.params))
             for name, hist in zip(names, [run.history, run.slow]) if hist is not None]
    snapshot = frame_snapshots(len(run.history), max_frames)
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
