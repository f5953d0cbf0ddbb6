"""Toy datasets, one registry of generators with the same signature.

Every generator is ``gen(n, noise, rng, **params) -> (X, y)`` and is reached through
:func:`make`, which validates the arguments, seeds the generator and wraps the result
in a :class:`Dataset`. Randomness comes only from ``numpy.random.default_rng(seed)``,
so the same arguments always give the same points.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

import numpy as np

from . import drawn
from .data import Dataset, subsample  # noqa: F401  (public: vz.datasets.Dataset, .subsample)
from .errors import UserError
from .expr import safe_function  # noqa: F401  (public: vz.datasets.safe_function)

MAX_POINTS = 20_000


# --- generators -------------------------------------------------------------------

def _split(n: int) -> tuple[int, int]:
    return n // 2, n - n // 2


def _spirals(n: int, noise: float, rng: np.random.Generator, turns: float = 1.0) -> tuple:
    """Two interleaved spirals, the second the first turned by 180 degrees."""
    X, y = [], []
    for label, count in enumerate(_split(n)):
        t = np.sqrt(rng.uniform(0.0, 1.0, count)) * 0.9 + 0.1  # even density along the arm
        angle = 2 * np.pi * turns * t + np.pi * label
        X.append(np.c_[t * np.cos(angle), t * np.sin(angle)])
        y.append(np.full(count, label))
    X = np.concatenate(X)
    return X + noise * rng.normal(size=X.shape), np.concatenate(y)


def _three_spirals(n: int, noise: float, rng: np.random.Generator, turns: float = 0.75) -> tuple:
    """Three interleaved spirals, each the previous one turned by 120 degrees."""
    counts = [n // 3 + (k < n % 3) for k in range(3)]
    t = [np.sqrt(rng.uniform(0.0, 1.0, c)) * 0.9 + 0.1 for c in counts]
    angle = [2 * np.pi * turns * tk + 2 * np.pi * k / 3 for k, tk in enumerate(t)]
    X = np.concatenate([np.c_[tk * np.cos(a), tk * np.sin(a)] for tk, a in zip(t, angle)])
    y = np.concatenate([np.full(c, k) for k, c in enumerate(counts)])
    return X + noise * rng.normal(size=X.shape), y


def _disc_annulus(n: int, noise: float, rng: np.random.Generator, r_disc: float = 0.35,
                  r_inner: float = 0.65, r_outer: float = 1.0) -> tuple:
    """Class 0 a disc, class 1 a ring around it with a gap between them."""
    if not 0 < r_disc < r_inner < r_outer:
        raise UserError("The radii must satisfy 0 < disc radius < ring inner radius < ring outer radius.")
    n_disc, n_ring = _split(n)
    r = np.r_[r_disc * np.sqrt(rng.uniform(0, 1, n_disc)),  # uniform over the area
              np.sqrt(rng.uniform(r_inner ** 2, r_outer ** 2, n_ring))]
    angle = rng.uniform(0, 2 * np.pi, n)
    X = np.c_[r * np.cos(angle), r * np.sin(angle)]
    return X + noise * rng.normal(size=X.shape), np.r_[np.zeros(n_disc), np.ones(n_ring)]


def _solid_torus(count: int, rng: np.random.Generator, tube: float) -> np.ndarray:
    """Points in a solid torus around the unit circle in the xy-plane."""
    phi = rng.uniform(0, 2 * np.pi, count)
    rho = tube * np.sqrt(rng.uniform(0, 1, count))
    psi = rng.uniform(0, 2 * np.pi, count)
    radial = 1.0 + rho * np.cos(psi)
    return np.c_[radial * np.cos(phi), radial * np.sin(phi), rho * np.sin(psi)]


def _linked_tori(n: int, noise: float, rng: np.random.Generator, tube: float = 0.3) -> tuple:
    """Two linked solid tori: A around the xy-circle, B around a circle in the xz-plane through A's centre line."""
    if not 0 < tube < 0.5:
        raise UserError("The tube radius of the tori must be between 0 and 0.5, or they would touch.")
    n_a, n_b = _split(n)
    a = _solid_torus(n_a, rng, tube)
    b = _solid_torus(n_b, rng, tube)[:, [0, 2, 1]] + np.array([1.0, 0.0, 0.0])  # rotate into xz, shift
    X = np.r_[a, b] - np.array([0.5, 0.0, 0.0])
    return X + noise * rng.normal(size=X.shape), np.r_[np.zeros(n_a), np.ones(n_b)]


def _line_aba(n: int, noise: float, rng: np.random.Generator) -> tuple:
    """1D: class A on [-1, -0.4], class B on [-0.25, 0.25], class A on [0.4, 1]."""
    n_a, n_b = _split(n)
    side = rng.choice([-1.0, 1.0], n_a)
    a = side * rng.uniform(0.4, 1.0, n_a)
    b = rng.uniform(-0.25, 0.25, n_b)
    X = np.r_[a, b][:, None]
    return X + noise * rng.normal(size=X.shape), np.r_[np.zeros(n_a), np.ones(n_b)]


def piecewise(x: np.ndarray) -> np.ndarray:
    """The piecewise target of the curve-fitting article: oscillating left of 0, smooth right of it."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x < 0, x * np.sin(2 * np.pi * x), -x * np.sin(np.pi * x) + np.exp(x / 2) - 1.0)


CURVE_TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "2x+5": lambda x: 2 * x + 5,
    "2sin(x)+5": lambda x: 2 * np.sin(x) + 5,
    "piecewise": piecewise,
}


def curve_target(target: str) -> Callable[[np.ndarray], np.ndarray]:
    """A named target function, or a user's formula in x parsed safely."""
    return CURVE_TARGETS[target] if target in CURVE_TARGETS else safe_function(target)


def _curve(n: int, noise: float, rng: np.random.Generator, target: str = "2sin(x)+5",
           low: float = -3.0, high: float = 3.0) -> tuple:
    """1D regression: n evenly spaced x on [low, high], y = target(x) + noise."""
    x = np.linspace(low, high, n)
    y = curve_target(target)(x)
    bad = ~np.isfinite(y)
    if bad.any():
        raise UserError(f"The formula {target!r} is not finite at x = {x[bad][0]:.3g}; "
                        f"choose one defined on the whole interval [{low:g}, {high:g}].")
    return x[:, None], y + noise * rng.normal(size=n)


def above_graph_curve(x: np.ndarray) -> np.ndarray:
    """The boundary of ``above_graph``: two minima, through the origin, equal areas above and below."""
    return 20 * x ** 4 - 3 * x ** 2


def _above_graph(n: int, noise: float, rng: np.random.Generator) -> tuple:
    """Points in [-0.5, 0.5]^2; label 1 above :func:`above_graph_curve`, 0 below."""
    X = rng.uniform(-0.5, 0.5, (n, 2))
    y = (X[:, 1] > above_graph_curve(X[:, 0])).astype(np.int64)
    return X + noise * rng.normal(size=X.shape), y


def _drawn(n: int, noise: float, rng: np.random.Generator, points: str = "") -> tuple:
    """The points of a drawing (``points``, a :mod:`vizcore.drawn` text) exactly as drawn: n, noise and the seed do
    not apply."""
    ds = drawn.dataset(points)
    return ds.X, ds.y


_GENERATORS: dict[str, tuple[Callable, str]] = {
    "spirals": (_spirals, "classification"),
    "three_spirals": (_three_spirals, "classification"),
    "disc_annulus": (_disc_annulus, "classification"),
    "linked_tori": (_linked_tori, "classification"),
    "line_aba": (_line_aba, "classification"),
    "curve": (_curve, "regression"),
    "above_graph": (_above_graph, "classification"),
    "drawn": (_drawn, "classification"),
}

DESCRIPTIONS = {
    "spirals": "two interleaved spirals in the plane",
    "three_spirals": "three interleaved spirals: three classes",
    "disc_annulus": "a disc inside a ring (nested circles)",
    "linked_tori": "two linked solid tori in 3D",
    "line_aba": "A, then B, then A along a line (1D)",
    "curve": "1D curve regression on [-3, 3]",
    "above_graph": "is a point above or below a curve with two minima?",
    "drawn": "your own points",
}


def names() -> list[str]:
    """Names accepted by :func:`make`."""
    return list(_GENERATORS)


def options(name: str) -> dict[str, Any]:
    """The options dataset ``name`` takes, with their defaults (``{"turns": 1.0}`` for spirals), read from its
    generator's signature: the one place that says which dataset takes which option."""
    if name not in _GENERATORS:
        return {}
    parameters = list(inspect.signature(_GENERATORS[name][0]).parameters.values())[3:]  # after n, noise, rng
    return {p.name: p.default for p in parameters}


def takes(name: str) -> tuple[str, ...]:
    """The names of the options dataset ``name`` takes (none for an unknown name, e.g. "csv")."""
    return tuple(options(name))


def accepted(name: str, **candidates: Any) -> dict[str, Any]:
    """Those of ``candidates`` that dataset ``name`` takes: ``make(name, **accepted(name, turns=t))``."""
    return {k: v for k, v in candidates.items() if k in options(name)}


def make(name: str, n: int = 500, noise: float = 0.0, seed: int = 0, *, signed: bool = False,
         bias_input: bool = False, **params: Any) -> Dataset:
    """Generate a dataset from the registry.

    Parameters
    ----------
    name : one of :func:`names`
    n : number of points, 2 .. 20,000
    noise : standard deviation of Gaussian noise added to the coordinates (to the
        targets for ``curve``), 0 .. 1
    seed : seed of ``numpy.random.default_rng``; same arguments, same points
    signed : turn a two-class task into regression on targets -1/+1 (the article's
        ``above_graph`` set-up, trained with a linear output and squared error)
    bias_input : append a constant-1 input column (the article's third input)
    params : generator options, e.g. ``turns`` for spirals, ``target`` for curve, ``points`` for drawn
        (a :mod:`vizcore.drawn` text: its points as drawn, whatever n, noise and seed say)

    Returns
    -------
    Dataset with X float32 [n, d] and y int64 [n] (classification) or float32 [n]
    """
    if name not in _GENERATORS:
        raise UserError(f"Unknown dataset {name!r}; choose one of {', '.join(names())}.")
    if not 2 <= int(n) <= MAX_POINTS:
        raise UserError(f"The number of points must be between 2 and {MAX_POINTS:,}, not {n}.")
    if not (np.isfinite(noise) and 0 <= noise <= 1):
        raise UserError(f"Noise must be between 0 and 1, not {noise}.")
    unknown = sorted(set(params) - set(options(name)))
    if unknown:
        raise UserError(f"Dataset {name!r} does not take these options: {unknown}; it takes "
                        f"{sorted(options(name)) or 'none'}.")
    generate, task = _GENERATORS[name]
    X, y = generate(int(n), float(noise), np.random.default_rng(int(seed)), **params)
    if signed:
        if task != "classification" or y.max() > 1:
            raise UserError("Signed targets need a two-class dataset.")
        y, task = 2.0 * y - 1.0, "regression"
    if bias_input:
        X = np.c_[X, np.ones(len(X))]
    y = y.astype(np.int64) if task == "classification" else y.astype(np.float32)
    args = dict(n=len(X), noise=float(noise), seed=int(seed), signed=signed, bias_input=bias_input, **params)
    return Dataset(X.astype(np.float32), y, task, name, args)


def from_csv(data: bytes | str, task: str = "auto", coords: Sequence[int] = (1, 2, 3)) -> Dataset:
    """A user's CSV (bytes or text) as a Dataset with ``coords`` coordinate columns, or UserError saying what is
    wrong and where.

    See :func:`vizcore.csvdata.from_csv`.
    """
    from .csvdata import from_csv as parse

    return parse(data, task, coords)
