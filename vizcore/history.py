"""What a training run records and reports, and the limits every trainer checks.

``History`` holds a run's weight snapshots; ``ProgressFn`` is how a trainer reports progress
(``progress(done, total, loss)``). Kept apart from :mod:`vizcore.train` so that the engines of
many seeds (:mod:`vizcore.sweeps`) and of single runs share them without importing each other.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
from torch import nn

from .errors import UserError
from .nets import load_flat

MAX_LR = 10.0
MAX_STEPS = 1_000_000
MAX_SPREAD = 1000
ProgressFn = Callable[[int, int, float], None]  # (done, total, current loss)


@dataclass(eq=False)
class History:
    """What a run recorded.

    params   : float32 [T, P] flat parameter snapshots, ``model.parameters()`` order
    step     : int64 [T] optimiser updates applied before each snapshot (0 = initial weights)
    loss     : float32 [T] loss on the training data at each snapshot (all of it, or the fixed
               subsample ``fit``'s ``eval_points`` names)
    accuracy : float32 [T] fraction classified correctly (NaN for regression)
    grad_rms : float32 [P] root mean square of dLoss/dw_i over every update of the run
    step_loss : float32 [steps] loss of the batch (or example) used by each update, or None
    rate : float32 [T] learning rate in force at each snapshot, or None
    state : what :func:`fit` needs to continue this run (``fit(..., resume=history)``), or None
    """

    params: np.ndarray
    step: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    grad_rms: np.ndarray
    step_loss: Optional[np.ndarray] = None
    rate: Optional[np.ndarray] = None
    state: Optional[Any] = None  # a train.TrainState, to resume the run (typed loosely: train imports this module)

    def __len__(self) -> int:
        return len(self.step)

    def model_at(self, model: nn.Module, t: int) -> nn.Module:
        """A copy of ``model`` holding the weights of snapshot ``t``."""
        twin = model.clone() if hasattr(model, "clone") else model
        return load_flat(twin, self.params[t])

    def recent_loss(self, window: int = 1000) -> np.ndarray:
        """float64 [T]: mean training loss over the last ``window`` updates before each snapshot.

        For one-output regression with squared error, its square root is the RMS error
        over the last ``window`` examples (the article's error curve). NaN at step 0.
        """
        if self.step_loss is None:
            raise ValueError("this History has no per-update losses")
        total = np.r_[0.0, np.cumsum(self.step_loss, dtype=np.float64)]
        start = np.maximum(self.step - max(1, int(window)), 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (total[self.step] - total[start]) / (self.step - start)


def stages(progress: Optional[ProgressFn], count: int) -> list[Optional[ProgressFn]]:
    """``count`` progress callbacks that report one after another on ``progress`` (stage i fills its i-th share)."""
    if progress is None:
        return [None] * count

    def stage(i: int) -> ProgressFn:
        return lambda done, total, loss=None: progress(i * total + done, count * total, loss)
    return [stage(i) for i in range(count)]


def check_settings(steps: int, lr: float, batch_size: Optional[int], n: int) -> None:
    """Raise UserError for settings that cannot train, with the reason in plain words."""
    if not (isinstance(steps, (int, np.integer)) and 1 <= steps <= MAX_STEPS):
        raise UserError(f"Training needs between 1 and {MAX_STEPS:,} steps; {steps} were asked for.")
    if not (math.isfinite(lr) and 0 < lr <= MAX_LR):
        raise UserError(f"The learning rate must be above 0 and at most {MAX_LR:g}; {lr:g} would only "
                        "throw the weights around. Try 0.01 to 0.1.")
    if batch_size is not None and not 1 <= batch_size <= n:
        raise UserError(f"The batch size must be between 1 and the number of points ({n}); got {batch_size}.")


class Trained:
    """Base of a trained result that holds ``model`` and its ``history`` (Run, TrajectoryRun)."""

    model: nn.Module
    history: History

    def model_at(self, t: int) -> nn.Module:
        """The model with the weights of snapshot ``t`` (negative counts from the end)."""
        return self.history.model_at(self.model, int(t) % len(self.history))
