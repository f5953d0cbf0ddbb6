"""The dataset type every lesson trains on, and a seeded subsample of its points.

Kept apart from the generators (:mod:`vizcore.datasets`) so that the CSV reader
(:mod:`vizcore.csvdata`) can build one without importing the registry that calls it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class Dataset:
    """Points and their labels or targets.

    Attributes
    ----------
    X : float32 array [n, d], d in {1, 2, 3} (plus one if a constant input was added)
    y : int64 class labels [n] for classification, float32 targets [n] for regression
    task : "classification" or "regression"
    name : registry name, or "csv" for uploaded data
    params : the arguments that made it (for display and reproducibility)
    """

    X: np.ndarray
    y: np.ndarray
    task: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def dim(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int:
        return int(self.y.max()) + 1 if self.task == "classification" else 0

    @property
    def out_dim(self) -> int:
        """Output units a net needs: one logit per class, or one number for regression."""
        return self.n_classes if self.task == "classification" else 1


def subsample(n: int, limit: int, seed: int = 0) -> np.ndarray:
    """Sorted indices of at most ``limit`` of ``n`` points, the same for the same arguments."""
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, limit, replace=False))
