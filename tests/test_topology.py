"""Betti numbers of shapes whose answers are known, and of a trained net's layers."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore.nets import MLP
from vizcore.topology import Betti, betti, betti_per_layer

rng = np.random.default_rng(0)


def _circle(n=200, r=1.0, centre=(0, 0)):
    t = rng.uniform(0, 2 * np.pi, n)
    return np.c_[np.cos(t), np.sin(t)] * r + centre + rng.normal(0, 0.02, (n, 2))


def _disc(n=200, r=1.0, centre=(0, 0)):
    t, s = rng.uniform(0, 2 * np.pi, n), np.sqrt(rng.uniform(0, 1, n)) * r
    return np.c_[np.cos(t), np.sin(t)] * s[:, None] + centre


@pytest.mark.parametrize("shape, expected", [
    (lambda: _circle(), Betti(1, 1)),
    (lambda: _disc(), Betti(1, 0)),
    (lambda: np.r_[_disc(120), _disc(120, centre=(4, 0))], Betti(2, 0)),
    (lambda: np.r_[_circle(150), _circle(150, centre=(5, 0))], Betti(2, 2)),
    (lambda: np.c_[_circle(200), rng.normal(0, 0.02, 200)], Betti(1, 1)),  # a circle in 3D
])
def test_betti_numbers_of_known_shapes(shape, expected):
    assert betti(shape()) == expected


def test_a_homeomorphic_tanh_layer_keeps_the_ring_a_ring():
    ring = _circle(200, r=1.0)
    model = MLP(2, (2,), 2, seed=3)
    with_torch = model.hidden(ring.astype(np.float32))
    assert [b[0] for b in betti_per_layer(with_torch, np.zeros(len(ring), int))] == [Betti(1, 1), Betti(1, 1)]


def test_collapsing_to_one_unit_kills_the_loop():
    ring = _circle(200, r=1.0)
    model = MLP(2, (1,), 2, seed=3)
    layers = model.hidden(ring.astype(np.float32))
    before, after = (b[0] for b in betti_per_layer(layers, np.zeros(len(ring), int)))
    assert before == Betti(1, 1) and after.b1 == 0
