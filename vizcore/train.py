"""Training with a recorded history of weight snapshots.

Everything the lessons show at "training step t" is recomputed from ``History.params[t]``,
so every view of one step agrees.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import torch
from torch import nn

from .datasets import Dataset, subsample
from .errors import UserError
from . import engine
from .history import MAX_LR, MAX_SPREAD, MAX_STEPS, History, ProgressFn, check_settings  # noqa: F401 (public)
from .nets import flat_params, load_flat
from .online import ExampleGradient, diverged
from .sweeps import fit_many  # noqa: F401  (public: vz.train.fit_many)

OPTIMIZERS = engine.Optimizer.NAMES
EVAL_POINTS = 1000  # fixed points that score a minibatch run's snapshots by default


@dataclass(eq=False)
class TrainState:
    """Where a run stopped: enough to continue it exactly as if it had never paused.

    flat     : float64 [1, P] weights
    step     : updates applied so far
    optimizer: the engine optimiser with its moments
    order    : the data order (where in which shuffled epoch)
    pending  : float64 [k, P] slow learning's ring of recent updates (row step % k is the newest)
    pending_sum : float64 [P] running sum of ``pending``'s rows
    grad_sq  : float64 [1, P] sum of squared gradients over every update so far
    """

    flat: np.ndarray
    step: int
    optimizer: engine.Optimizer
    order: "BatchOrder"
    pending: np.ndarray
    pending_sum: np.ndarray
    grad_sq: np.ndarray


class BatchOrder:
    """Minibatch indices from a seeded permutation, epoch after epoch (None batches = full batch)."""

    def __init__(self, n: int, batch_size: Optional[int], seed: int):
        self.n, self.batch_size = n, None if batch_size is None or batch_size >= n else int(batch_size)
        self.rng, self.perm, self.pos = np.random.default_rng(seed), None, 0

    def take(self, count: int) -> Optional[np.ndarray]:
        """int64 [count, batch_size]: the next ``count`` batches (None for full batch)."""
        bs = self.batch_size
        if bs is None:
            return None
        out, filled = np.empty((count, bs), dtype=np.int64), 0
        while filled < count:
            if self.perm is None or self.pos + bs > self.n:
                self.perm, self.pos = self.rng.permutation(self.n), 0
            m = min((self.n - self.pos) // bs, count - filled)
            out[filled:filled + m] = self.perm[self.pos:self.pos + m * bs].reshape(m, bs)
            self.pos, filled = self.pos + m * bs, filled + m
        return out


def loss_fn(task: str) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """Cross-entropy on logits for classification, mean squared error for regression."""
    if task == "classification":
        return nn.functional.cross_entropy
    return lambda out, y: nn.functional.mse_loss(out.reshape(y.shape), y)


def tensors(ds: Dataset) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(ds.X), torch.from_numpy(ds.y)


@torch.no_grad()
def evaluate(model: nn.Module, ds: Dataset) -> tuple[float, float]:
    """(loss, accuracy) of the model on the whole dataset; accuracy is NaN for regression."""
    X, y = tensors(ds)
    out = model(X)
    loss = float(loss_fn(ds.task)(out, y))
    acc = float((out.argmax(1) == y).float().mean()) if ds.task == "classification" else math.nan
    return loss, acc


def check_schedule(lr_schedule, spread: int, lr_decay: Optional[float]) -> tuple[tuple[int, float], ...]:
    """The schedule as sorted (step, rate) pairs; UserError for a bad rate, step, spread or decay."""
    pairs = []
    for step, rate in lr_schedule:
        if not (float(step).is_integer() and 0 <= step <= MAX_STEPS):
            raise UserError(f"A rate change must happen at a whole number of steps between 0 and {MAX_STEPS:,}; "
                            f"got {step}.")
        if not (math.isfinite(rate) and 0 < rate <= MAX_LR):
            raise UserError(f"Each new learning rate must be above 0 and at most {MAX_LR:g}; got {rate:g}.")
        pairs.append((int(step), float(rate)))
    if not (isinstance(spread, (int, np.integer)) and 1 <= spread <= MAX_SPREAD):
        raise UserError(f"Slow learning spreads each update over 1 to {MAX_SPREAD} steps; got {spread}.")
    if lr_decay is not None and not (math.isfinite(lr_decay) and lr_decay > 0):
        raise UserError(f"The learning-rate decay must be a positive number of steps; got {lr_decay}.")
    return tuple(sorted(pairs))


def rates(first: int, count: int, lr: float, schedule: tuple[tuple[int, float], ...],
          lr_decay: Optional[float]) -> np.ndarray:
    """float64 [count]: the rate of updates first .. first+count-1 (1-based).

    Update u uses ``lr``, or the rate of the last schedule pair (s, r) with s < u, divided
    by 1 + u / lr_decay when a decay is set (the rate halves after ``lr_decay`` updates).
    """
    u = np.arange(first, first + count, dtype=np.float64)
    base = np.full(count, float(lr))
    for s, r in schedule:
        base[u > s] = r
    return base if lr_decay is None else base / (1.0 + u / lr_decay)


# A diverging run ends in a UserError naming its step; numpy's overflow warnings on the way there would only
# fill the server log (the finite checks below, not the warnings, detect it).
@np.errstate(over="ignore", invalid="ignore")
def fit(model: nn.Module, ds: Dataset, steps: int = 1000, lr: float = 0.03, optimizer: str = "adam",
        batch_size: Optional[int] = None, record_every: Optional[int] = None, seed: int = 0,
        progress: Optional[ProgressFn] = None, momentum: float = 0.9, *, lr_decay: Optional[float] = None,
        spread: int = 1, record_dense: int = 0, lr_schedule=(), eval_points: Optional[int] = None,
        resume: Optional[History] = None) -> History:
    """Train ``model`` in place on ``ds`` and record its weights along the way.

    Parameters
    ----------
    steps : optimiser updates (with ``resume``: further updates)
    lr : learning rate, in (0, 10] (with ``resume``: the rate from here on)
    optimizer : "sgd", "nesterov" (SGD with Nesterov momentum) or "adam"
    batch_size : None for full batch, 1 for per-example SGD, else minibatches drawn
        from a seeded permutation, epoch after epoch
    record_every : snapshot every this many steps (default: about 200 snapshots);
        the initial and final weights are always recorded
    seed : seeds the minibatch order
    progress : called as ``progress(done, steps, loss)`` about a hundred times, where
        ``loss`` is the current batch loss (for live loss curves)
    lr_decay : if set, update u uses the rate divided by 1 + u / lr_decay (slow decay)
    spread : "slow learning": each update is applied in k = ``spread`` equal parts over
        this and the next k - 1 steps (1 = plain training)
    record_dense : also snapshot every one of the first ``record_dense`` steps
    lr_schedule : (step, rate) pairs: updates after ``step`` use ``rate`` (steps count
        from the start of the run, across resumes)
    eval_points : evaluate the snapshot loss on this many fixed points. Default: all of them for
        full-batch training; with minibatches, at most :data:`EVAL_POINTS` fixed points (scoring
        all 20,000 of lesson 3's data at every 1,000th example made per-example SGD 6.8x slower:
        46,000 examples/s, against 261,000 on 1,000 points and 316,000 on 250;
        bench/bench_per_example.py)
    resume : the History of an earlier ``fit`` of this net: continue from its exact
        state (weights, optimiser, data order, pending slow-learning parts); the result
        holds the earlier snapshots followed by the new ones

    Raises
    ------
    UserError if a setting is out of range, or if the loss becomes NaN or infinite
    (the message names the step).

    The arithmetic runs in :mod:`vizcore.engine` (float64 numpy, pinned to PyTorch by
    tests), or for per-example SGD in :mod:`vizcore.online` (the same maths compiled,
    pinned to the engine); the final weights are written back into ``model``.
    """
    check_settings(steps, lr, batch_size, ds.n)
    schedule = check_schedule(lr_schedule, spread, lr_decay)
    record_every = max(1, steps // 200) if record_every is None else max(1, int(record_every))
    arch = engine.Architecture.of(model)
    if resume is None:
        flat = flat_params(model).astype(np.float64)[None]
        state = TrainState(flat, 0, engine.Optimizer(optimizer, flat.shape, lr, momentum),
                           BatchOrder(ds.n, batch_size, seed), np.zeros((spread, flat.shape[1])),
                           np.zeros(flat.shape[1]), np.zeros_like(flat))
    else:
        if resume.state is None or resume.state.pending.shape[0] != spread:
            raise ValueError("resume needs a History from fit() with the same spread")
        state = copy.deepcopy(resume.state)
        flat = state.flat
    X, y = ds.X.astype(np.float64), ds.y
    if eval_points is None:
        eval_points = ds.n if batch_size is None or batch_size >= ds.n else min(ds.n, EVAL_POINTS)
    keep = subsample(ds.n, int(eval_points))
    X_eval, y_eval = X[keep], y[keep]
    step_rates = rates(state.step + 1, steps, lr, schedule, lr_decay)
    batches = state.order.take(steps)
    fast = batch_size == 1 and optimizer == "sgd" and batches is not None  # (one point: full batch)
    opt = state.optimizer
    delta, applied, sq = np.empty_like(flat), np.empty_like(flat), np.empty_like(flat)
    step_loss = np.empty(steps, dtype=np.float32)
    snapshots, recorded_steps, losses, accs, recorded_rates = [], [], [], [], []

    def record(rate: float) -> None:
        out, _ = engine.forward(arch, flat, X_eval)
        loss, _ = engine.loss_and_output_grad(ds.task, out, y_eval)
        snapshots.append(flat[0].astype(np.float32))
        recorded_steps.append(state.step)
        losses.append(loss[0])
        accs.append(engine.accuracy(ds.task, out, y_eval)[0])
        recorded_rates.append(rate)

    if resume is None:
        record(step_rates[0])
    report_every = max(1, steps // 100)

    def after(i: int, rate: float, loss: float) -> None:
        """Record a snapshot and report progress where due after update i (``state.step`` updates done)."""
        if state.step <= record_dense or (i + 1) % record_every == 0 or i == steps - 1:
            record(rate)
        if progress is not None and ((i + 1) % report_every == 0 or i == steps - 1):
            progress(i + 1, steps, loss)

    if fast:  # compiled stretches of updates, back in Python only where after() has work
        u = np.arange(steps)
        due = (state.step + u < record_dense) | ((u + 1) % record_every == 0) | (u == steps - 1)
        if progress is not None:
            due |= (u + 1) % report_every == 0
        ExampleGradient(arch, flat[0], ds.task).train(state, X, y.astype(np.float64), batches[:, 0], step_rates,
                                                      step_loss, np.flatnonzero(due), after)
    for i, rate in enumerate([] if fast else step_rates.tolist()):
        idx = None if batches is None else batches[i]
        loss_s, grad = engine.loss_and_grad(arch, flat, X if idx is None else X[idx],
                                            y if idx is None else y[idx], ds.task)
        loss = float(loss_s[0])
        state.step += 1
        if not (math.isfinite(loss) and np.isfinite(grad).all()):
            raise diverged(state.step, loss)
        step_loss[i] = loss
        np.multiply(grad, grad, out=sq)
        np.add(state.grad_sq, sq, out=state.grad_sq)
        _update(opt, flat, grad, rate, state, delta, applied)
        after(i, rate, loss)
    if not np.isfinite(losses[-1]):
        raise UserError(f"Training diverged at step {state.step}: the final loss is {losses[-1]:g}. "
                        "Lower the learning rate and train again.")
    load_flat(model, flat[0])
    new = History(np.stack(snapshots), np.asarray(recorded_steps, dtype=np.int64),
                  np.asarray(losses, dtype=np.float32), np.asarray(accs, dtype=np.float32),
                  np.sqrt(state.grad_sq[0] / state.step).astype(np.float32), step_loss,
                  np.asarray(recorded_rates, dtype=np.float32), state)
    return new if resume is None else _joined(resume, new)


def _update(opt: engine.Optimizer, flat: np.ndarray, grad: np.ndarray, rate: float, state: TrainState,
            delta: np.ndarray, applied: np.ndarray) -> None:
    """One optimiser step, spread over k = ``len(state.pending)`` steps (slow learning); in place.

    The optimiser's update replaces the oldest row of the ring ``state.pending`` [k, P]
    and the weights move by the mean of the ring (kept as a running sum), so each update
    lands in k equal parts. With k = 1 this is exactly the optimiser's own step.
    """
    if opt.name == "sgd":
        np.multiply(grad, rate, out=delta)
    else:
        opt.lr = rate
        delta.fill(0.0)
        opt.step(delta, grad)
        np.negative(delta, out=delta)
    k = len(state.pending)
    if k == 1:
        np.subtract(flat, delta, out=flat)
        return
    oldest, total = state.pending[state.step % k], state.pending_sum
    np.subtract(total, oldest, out=total)
    oldest[:] = delta[0]
    np.add(total, oldest, out=total)
    np.divide(total, k, out=applied[0])
    np.subtract(flat, applied, out=flat)


def _joined(first: History, second: History) -> History:
    """``second`` continued from ``first``: snapshots, losses and rates one after the other."""
    def cat(a, b, fill):
        a = np.full(len(first), fill, dtype=np.float32) if a is None else a
        return np.concatenate([a, b])
    step_loss = None if first.step_loss is None else np.concatenate([first.step_loss, second.step_loss])
    return History(np.concatenate([first.params, second.params]), np.concatenate([first.step, second.step]),
                   cat(first.loss, second.loss, np.nan), cat(first.accuracy, second.accuracy, np.nan),
                   second.grad_rms, step_loss, cat(first.rate, second.rate, np.nan), second.state)

