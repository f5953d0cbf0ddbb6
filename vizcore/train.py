"""Training with a recorded history of weight snapshots.

Everything the lessons show at "training step t" is recomputed from ``History.params[t]``,
so every view of one step agrees.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import torch
from torch import nn

from .datasets import Dataset
from .errors import UserError
from . import engine
from .nets import flat_params, load_flat

OPTIMIZERS = engine.Optimizer.NAMES


MAX_LR = 10.0
MAX_STEPS = 1_000_000
ProgressFn = Callable[[int, int, float], None]  # (done, total, current loss)


@dataclass(eq=False)
class History:
    """What a run recorded.

    params   : float32 [T, P] flat parameter snapshots, ``model.parameters()`` order
    step     : int64 [T] optimiser updates applied before each snapshot (0 = initial weights)
    loss     : float32 [T] loss on the whole dataset at each snapshot
    accuracy : float32 [T] fraction classified correctly (NaN for regression)
    grad_rms : float32 [P] root mean square of dLoss/dw_i over every update of the run
    """

    params: np.ndarray
    step: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    grad_rms: np.ndarray

    def __len__(self) -> int:
        return len(self.step)

    def model_at(self, model: nn.Module, t: int) -> nn.Module:
        """A copy of ``model`` holding the weights of snapshot ``t``."""
        twin = model.clone() if hasattr(model, "clone") else model
        return load_flat(twin, self.params[t])


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


def check_settings(steps: int, lr: float, batch_size: Optional[int], n: int) -> None:
    """Raise UserError for settings that cannot train, with the reason in plain words."""
    if not (isinstance(steps, (int, np.integer)) and 1 <= steps <= MAX_STEPS):
        raise UserError(f"Training needs between 1 and {MAX_STEPS:,} steps; {steps} were asked for.")
    if not (math.isfinite(lr) and 0 < lr <= MAX_LR):
        raise UserError(f"The learning rate must be above 0 and at most {MAX_LR:g}; {lr:g} would only "
                        "throw the weights around. Try 0.01 to 0.1.")
    if batch_size is not None and not 1 <= batch_size <= n:
        raise UserError(f"The batch size must be between 1 and the number of points ({n}); got {batch_size}.")


def fit(model: nn.Module, ds: Dataset, steps: int = 1000, lr: float = 0.03, optimizer: str = "adam",
        batch_size: Optional[int] = None, record_every: Optional[int] = None, seed: int = 0,
        progress: Optional[ProgressFn] = None, momentum: float = 0.9) -> History:
    """Train ``model`` in place on ``ds`` and record its weights along the way.

    Parameters
    ----------
    steps : optimiser updates
    lr : learning rate, in (0, 10]
    optimizer : "sgd", "nesterov" (SGD with Nesterov momentum) or "adam"
    batch_size : None for full batch, 1 for per-example SGD, else minibatches drawn
        from a seeded permutation, epoch after epoch
    record_every : snapshot every this many steps (default: about 200 snapshots);
        the initial and final weights are always recorded
    seed : seeds the minibatch order
    progress : called as ``progress(done, steps, loss)`` about a hundred times, where
        ``loss`` is the current batch loss (for live loss curves)

    Raises
    ------
    UserError if a setting is out of range, or if the loss becomes NaN or infinite
    (the message names the step).

    The arithmetic runs in :mod:`vizcore.engine` (float64 numpy, pinned to PyTorch by
    tests); the final weights are written back into ``model``.
    """
    check_settings(steps, lr, batch_size, ds.n)
    record_every = max(1, steps // 200) if record_every is None else max(1, int(record_every))
    arch = engine.Architecture.of(model)
    flat = flat_params(model).astype(np.float64)[None]
    X, y = ds.X.astype(np.float64), ds.y
    opt = engine.Optimizer(optimizer, flat.shape, lr, momentum)
    order = _batches(ds.n, batch_size, seed)
    grad_sq = np.zeros_like(flat)
    snapshots, recorded_steps, losses, accs = [], [], [], []

    def record(step: int) -> None:
        out, _ = engine.forward(arch, flat, X)
        loss, _ = engine.loss_and_output_grad(ds.task, out, y)
        snapshots.append(flat[0].astype(np.float32))
        recorded_steps.append(step)
        losses.append(loss[0])
        accs.append(engine.accuracy(ds.task, out, y)[0])

    record(0)
    report_every = max(1, steps // 100)
    for step in range(1, steps + 1):
        idx = next(order)
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below, in words
            loss, grad = engine.loss_and_grad(arch, flat, X if idx is None else X[idx],
                                              y if idx is None else y[idx], ds.task)
        if not np.isfinite(loss).all() or not np.isfinite(grad).all():
            raise UserError(f"Training diverged at step {step}: the loss became {loss[0]:g}. "
                            "Lower the learning rate and train again.")
        grad_sq += grad * grad
        opt.step(flat, grad)
        if step % record_every == 0 or step == steps:
            record(step)
        if progress is not None and (step % report_every == 0 or step == steps):
            progress(step, steps, float(loss[0]))
    if not np.isfinite(losses[-1]):
        raise UserError(f"Training diverged at step {steps}: the final loss is {losses[-1]:g}. "
                        "Lower the learning rate and train again.")
    load_flat(model, flat[0])
    return History(np.stack(snapshots), np.asarray(recorded_steps, dtype=np.int64),
                   np.asarray(losses, dtype=np.float32), np.asarray(accs, dtype=np.float32),
                   np.sqrt(grad_sq[0] / steps).astype(np.float32))


def _batches(n: int, batch_size: Optional[int], seed: int):
    """Yield index tensors for each step (None = the whole dataset), epoch after epoch."""
    if batch_size is None or batch_size >= n:
        while True:
            yield None
    rng = np.random.default_rng(seed)
    while True:
        perm = rng.permutation(n)
        for start in range(0, n - batch_size + 1, batch_size):
            yield perm[start:start + batch_size]
