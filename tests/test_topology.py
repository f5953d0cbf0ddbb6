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


def test_layers_are_measured_before_their_tanh_which_maps_them_onto_the_output():
    from vizcore.topology import layer_clouds

    model = MLP(2, (3, 2), 2, seed=1)
    X = _disc(50)
    clouds, hidden = layer_clouds(model, X), model.hidden(X.astype(np.float32))
    assert [c.shape for c in clouds] == [(50, 2), (50, 3), (50, 2)]
    for z, h in zip(clouds[1:], hidden[1:]):
        np.testing.assert_allclose(np.tanh(z), h, atol=1e-5)


def test_a_ring_after_a_saturating_embedding_keeps_one_piece_and_one_loop():
    from vizcore.lessons.layers import PRESETS
    from vizcore.runs import train_run
    from vizcore.topology import layer_clouds

    run = train_run(PRESETS["disc3"].config)  # 2 -> 3 units, trained until tanh saturates
    ring = run.dataset.y == 1
    clouds = layer_clouds(run.model, run.dataset.X)
    assert betti(clouds[1][ring]) == Betti(1, 1)
    assert betti(run.model.hidden(run.dataset.X)[1][ring]).b0 > 1  # after the tanh, the sample reads as pieces


def test_relu_layers_are_measured_on_their_output_because_relu_folds():
    from vizcore.topology import layer_clouds

    model = MLP(2, (3,), 2, activation="relu", seed=0)
    X = _disc(40)
    np.testing.assert_allclose(layer_clouds(model, X)[1], model.hidden(X.astype(np.float32))[1], atol=1e-5)
