"""Point clouds whose Betti numbers are known: the yardstick for :mod:`vizcore.topology`.

Every generator is ``gen(n, rng) -> [n, d]``: n points sampled uniformly from the shape (by its
parameter, as a linear map of an evenly sampled curve samples it), plus isotropic noise of
:data:`NOISE`. ``SHAPES[name] = (generator, (b0, b1))``. bench/topology_shapes.py prints how often the
counts are right over sizes and seeds; tests/test_topology.py pins the pass marks.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

NOISE = 0.005  # the shapes are about 1 across: half a percent of jitter, ten times less than the thinnest ellipse


def _angles(n: int, rng: np.random.Generator, span: float = 2 * np.pi) -> np.ndarray:
    return rng.uniform(0.0, span, n)


def circle(n: int, rng: np.random.Generator) -> np.ndarray:
    t = _angles(n, rng)
    return np.c_[np.cos(t), np.sin(t)]


def arc(n: int, rng: np.random.Generator) -> np.ndarray:
    """Three quarters of the circle: one piece, no loop (its ends are a quarter turn apart)."""
    t = _angles(n, rng, 1.5 * np.pi)
    return np.c_[np.cos(t), np.sin(t)]


def ellipse(aspect: float) -> Callable[[int, np.random.Generator], np.ndarray]:
    """The circle squeezed to ``aspect`` in y: what a layer with singular values 1 and ``aspect`` makes of it."""
    def gen(n: int, rng: np.random.Generator) -> np.ndarray:
        return circle(n, rng) * [1.0, aspect]
    return gen


def disc(n: int, rng: np.random.Generator) -> np.ndarray:
    t, r = _angles(n, rng), np.sqrt(rng.uniform(0, 1, n))
    return np.c_[r * np.cos(t), r * np.sin(t)]


def annulus(n: int, rng: np.random.Generator, inner: float = 0.65) -> np.ndarray:
    """lesson 1's ring: radii 0.65 to 1, uniform over the area."""
    t, r = _angles(n, rng), np.sqrt(rng.uniform(inner ** 2, 1.0, n))
    return np.c_[r * np.cos(t), r * np.sin(t)]


def figure_eight(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two circles of radius 1/2 touching at the origin: one piece, two loops."""
    side = rng.choice([-0.5, 0.5], n)
    return circle(n, rng) * 0.5 + np.c_[side, np.zeros(n)]


def two_blobs(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two discs of radius 1/2, their centres 2 apart (a gap of one diameter)."""
    side = rng.choice([-1.0, 1.0], n)
    return disc(n, rng) * 0.5 + np.c_[side, np.zeros(n)]


def linked_circles(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two unit circles in 3D, each through the other's centre (a Hopf link)."""
    first = rng.random(n) < 0.5
    c = circle(n, rng)
    a = np.c_[c, np.zeros(n)]
    b = np.c_[c[:, 0] + 1.0, np.zeros(n), c[:, 1]]
    return np.where(first[:, None], a, b)


def solid_torus(n: int, rng: np.random.Generator, tube: float = 0.3) -> np.ndarray:
    """lesson 1's solid torus: the unit circle thickened to a tube of radius 0.3. One piece, one loop."""
    phi, psi = _angles(n, rng), _angles(n, rng)
    rho = tube * np.sqrt(rng.uniform(0, 1, n))
    radial = 1.0 + rho * np.cos(psi)
    return np.c_[radial * np.cos(phi), radial * np.sin(phi), rho * np.sin(psi)]


def two_tori(n: int, rng: np.random.Generator) -> np.ndarray:
    """Two solid tori side by side, 1.4 apart: two pieces, two loops.

    lesson 1's linked tori are closer (0.4 between the tubes, 1.7 times the spacing of 150 points in
    a torus): that gap is below what 300 points resolve, so it is not a pass mark here.
    """
    first = rng.random(n) < 0.5
    t = solid_torus(n, rng)
    return np.where(first[:, None], t, t[:, [0, 2, 1]] + [4.0, 0.0, 0.0])


SHAPES: dict[str, tuple[Callable[[int, np.random.Generator], np.ndarray], tuple[int, int]]] = {
    "circle": (circle, (1, 1)),
    "3/4 arc": (arc, (1, 0)),
    "ellipse 0.1": (ellipse(0.1), (1, 1)),
    "ellipse 0.05": (ellipse(0.05), (1, 1)),
    "disc": (disc, (1, 0)),
    "annulus": (annulus, (1, 1)),
    "figure-eight": (figure_eight, (1, 2)),
    "two blobs": (two_blobs, (2, 0)),
    "linked circles": (linked_circles, (2, 2)),
    "solid torus": (solid_torus, (1, 1)),
    "two tori": (two_tori, (2, 2)),
}


def sample(name: str, n: int, seed: int) -> np.ndarray:
    """n points of the shape ``name`` with noise :data:`NOISE`, float64 [n, d]; the same seed, the same points."""
    rng = np.random.default_rng(seed)
    X = SHAPES[name][0](n, rng)
    return X + rng.normal(0.0, NOISE, X.shape)
