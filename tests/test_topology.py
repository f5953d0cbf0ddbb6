"""Betti numbers that no stretch of space changes: shapes whose answers are known, and trained nets' layers."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore.nets import MLP
from vizcore.shapes import SHAPES, sample
from vizcore.topology import Betti, betti, betti_per_layer, layer_clouds, persistence

rng = np.random.default_rng(0)


def _circle(n=300, r=1.0):
    t = rng.uniform(0, 2 * np.pi, n)
    return np.c_[np.cos(t), np.sin(t)] * r + rng.normal(0, 0.02, (n, 2))


def _grades(n: int, seeds) -> list[tuple[Betti, Betti, tuple[int, int]]]:
    out = []
    for name, (_, truth) in SHAPES.items():
        for seed in seeds:
            X = sample(name, n, seed)
            out.append((betti(X), betti(X[np.random.default_rng(seed + 100).permutation(n)[: n // 2]]), truth))
    return out


@pytest.fixture(scope="module")
def graded():
    return _grades(300, range(2)) + _grades(1000, range(2))


def test_counts_are_right_on_shapes_with_known_answers_in_95_percent_of_cells(graded):
    right = [(full.b0, full.b1) == truth for full, _, truth in graded]
    assert np.mean(right) >= 0.95, [t for (f, _, t), ok in zip(graded, right) if not ok]


def test_a_random_half_of_the_points_never_gives_a_different_number_in_95_percent_of_cells(graded):
    def contradicts(a, b):
        return any(x is not None and y is not None and x != y for x, y in zip((a.b0, a.b1), (b.b0, b.b1)))
    assert np.mean([not contradicts(full, half) for full, half, _ in graded]) >= 0.95


@pytest.mark.parametrize("aspect", [1.0, 0.05, 0.002])
def test_no_linear_stretch_changes_a_count(aspect):
    ring = sample("annulus", 600, 3)
    c, s = np.cos(0.7), np.sin(0.7)
    A = np.array([[c, -s], [s, c]]) @ np.diag([40.0, 40.0 * aspect])
    assert betti(ring @ A.T + [5.0, -3.0]) == betti(ring) == Betti(1, 1)


def test_the_ends_of_a_three_quarter_arc_do_not_make_a_loop():
    assert betti(sample("3/4 arc", 1000, 0)) == Betti(1, 0)


def test_too_few_points_are_unresolved_rather_than_a_wrong_number():
    found = betti(sample("linked circles", 100, 0))
    assert found == Betti(None, None) and str(found) == "unresolved, unresolved"


def test_the_barcode_shows_the_loop_far_past_the_noise():
    code = persistence(sample("circle", 1000, 0))
    assert code.loop_ratio[0] > 5 and code.loop_ratio[1] < 1.5


def test_a_homeomorphic_tanh_layer_keeps_the_ring_a_ring():
    ring = _circle(300, r=1.0)
    model = MLP(2, (2,), 2, seed=3)
    with_torch = model.hidden(ring.astype(np.float32))
    assert [b[0] for b in betti_per_layer(with_torch, np.zeros(len(ring), int))] == [Betti(1, 1), Betti(1, 1)]


def test_collapsing_to_one_unit_kills_the_loop():
    ring = _circle(300, r=1.0)
    model = MLP(2, (1,), 2, seed=3)
    layers = model.hidden(ring.astype(np.float32))
    before, after = (b[0] for b in betti_per_layer(layers, np.zeros(len(ring), int)))
    assert before == Betti(1, 1) and after.b1 == 0


def test_layers_are_measured_before_their_tanh_which_maps_them_onto_the_output():
    model = MLP(2, (3, 2), 2, seed=1)
    X = sample("disc", 50, 0)
    clouds, hidden = layer_clouds(model, X), model.hidden(X.astype(np.float32))
    assert [c.shape for c in clouds] == [(50, 2), (50, 3), (50, 2)]
    for z, h in zip(clouds[1:], hidden[1:]):
        np.testing.assert_allclose(np.tanh(z), h, atol=1e-5)


def test_relu_layers_are_measured_on_their_output_because_relu_folds():
    model = MLP(2, (3,), 2, activation="relu", seed=0)
    X = sample("disc", 40, 0)
    np.testing.assert_allclose(layer_clouds(model, X)[1], model.hidden(X.astype(np.float32))[1], atol=1e-5)


@pytest.mark.parametrize("key", ["disc3", "tori4", "aba2"])
def test_every_class_keeps_its_input_counts_through_a_trained_nets_homeomorphic_layers(key):
    from vizcore.lessons.layers import PRESETS, barcodes
    from vizcore.runs import train_run

    per_layer, facts = barcodes(train_run(PRESETS[key].config), -1)
    for k, classes in enumerate(per_layer[1:], start=1):
        if facts[k - 1].kind in ("homeomorphism", "embedding"):
            assert {c: b.betti for c, b in classes.items()} == {c: b.betti for c, b in per_layer[0].items()}, k
    assert all(code.betti.resolved for code in per_layer[0].values())
