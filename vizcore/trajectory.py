"""The training trajectory: a run's path through weight space, drawn in the plane.

Each parameter w_i gets a direction u_i in the plane and the net sits at sum_i w_i u_i:
- "random": u_i is a random unit vector (seeded), the article's picture;
- "rms": u_i is that unit vector times the RMS of dLoss/dw_i over the whole run, so
  weights the loss cares about move the point more (the article's second version);
- "pca": the first two principal components of the snapshots (the loss-landscape
  papers' choice), centred on their mean, with the variance they explain.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from sklearn.decomposition import PCA

from .train import History

METHODS = ("random", "rms", "pca")
METHOD_NAMES = {"random": "random directions", "rms": "random directions × RMS gradient",
                "pca": "principal components"}


@dataclass(frozen=True)
class Projection:
    """xy = (params - mean) @ basis.

    basis : float64 [P, 2] one plane direction per parameter
    mean : float64 [P] (zeros except for "pca")
    explained : fraction of the snapshots' variance along each axis [2] ("pca" only)
    """

    method: str
    basis: np.ndarray
    mean: np.ndarray
    explained: Optional[np.ndarray] = None

    def __call__(self, params: np.ndarray) -> np.ndarray:
        """Plane coordinates [T, 2] of parameter snapshots [T, P]."""
        return (np.asarray(params, dtype=np.float64) - self.mean) @ self.basis


def random_directions(n_params: int, seed: int = 0) -> np.ndarray:
    """float64 [P, 2]: one random unit vector per parameter (uniform angle)."""
    angle = np.random.default_rng(seed).uniform(0.0, 2 * np.pi, n_params)
    return np.c_[np.cos(angle), np.sin(angle)]


def fit_projection(hist: History, method: str = "random", seed: int = 0) -> Projection:
    """The projection of ``method`` for this run (apply it to other runs to compare paths)."""
    P = hist.params.shape[1]
    if method == "random":
        return Projection(method, random_directions(P, seed), np.zeros(P))
    if method == "rms":
        return Projection(method, random_directions(P, seed) * hist.grad_rms[:, None].astype(np.float64), np.zeros(P))
    if method == "pca":
        params = hist.params.astype(np.float64)
        if len(params) < 3 or np.ptp(params, axis=0).max() == 0:
            return Projection(method, np.zeros((P, 2)), params.mean(axis=0), np.zeros(2))
        pca = PCA(n_components=2, svd_solver="full", random_state=seed).fit(params)
        return Projection(method, pca.components_.T, pca.mean_, pca.explained_variance_ratio_)
    raise ValueError(f"unknown projection {method!r}; choose one of {', '.join(METHODS)}")


def project(hist: History, method: str = "random", seed: int = 0) -> np.ndarray:
    """float64 [T, 2]: where each recorded snapshot of ``hist`` lands in the plane."""
    return fit_projection(hist, method, seed)(hist.params)


def explained_variance(hist: History, seed: int = 0) -> np.ndarray:
    """Fraction of the snapshots' variance along the two principal components [2]."""
    return fit_projection(hist, "pca", seed).explained
