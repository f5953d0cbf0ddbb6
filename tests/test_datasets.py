from __future__ import annotations

import numpy as np
import pytest

from vizcore import UserError, datasets

SHAPES = {"spirals": 2, "disc_annulus": 2, "linked_tori": 3, "line_aba": 1, "curve": 1, "above_graph": 2}


def test_registry_has_the_six_lesson_datasets():
    assert set(SHAPES) <= set(datasets.names())


@pytest.mark.parametrize("name", list(SHAPES))
def test_same_seed_same_points_other_seed_other_points(name):
    a = datasets.make(name, n=120, noise=0.05, seed=3)
    b = datasets.make(name, n=120, noise=0.05, seed=3)
    c = datasets.make(name, n=120, noise=0.05, seed=4)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X) or not np.array_equal(a.y, c.y)
    assert a.X.shape == (120, SHAPES[name]) and a.X.dtype == np.float32


def test_disc_is_inside_the_ring_with_a_gap():
    ds = datasets.make("disc_annulus", n=2000, seed=0)
    r = np.linalg.norm(ds.X, axis=1)
    assert r[ds.y == 0].max() < r[ds.y == 1].min()
    assert (np.bincount(ds.y) == 1000).all()


def test_linked_tori_are_disjoint_and_each_goes_through_the_other():
    ds = datasets.make("linked_tori", n=2000, seed=0)
    a, b = ds.X[ds.y == 0], ds.X[ds.y == 1]
    gap = np.min(np.linalg.norm(a[:300, None] - b[None, :300], axis=2))
    assert gap > 0.05
    # A's hole (its centre) is encircled by B: B has points on both sides of A's plane near A's centre circle
    assert (b[:, 2] > 0.5).any() and (b[:, 2] < -0.5).any()


def test_line_aba_is_a_then_b_then_a():
    ds = datasets.make("line_aba", n=300, seed=0)
    x = ds.X[:, 0]
    assert (np.abs(x[ds.y == 1]) < 0.3).all() and (np.abs(x[ds.y == 0]) > 0.35).all()
    assert (x[ds.y == 0] < 0).any() and (x[ds.y == 0] > 0).any()


@pytest.mark.parametrize("target, f", [("2x+5", lambda x: 2 * x + 5), ("2sin(x)+5", lambda x: 2 * np.sin(x) + 5),
                                       ("x**2 - 1", lambda x: x ** 2 - 1)])
def test_curve_targets_on_minus_three_to_three(target, f):
    ds = datasets.make("curve", n=101, target=target)
    assert ds.task == "regression" and ds.X.min() == -3 and ds.X.max() == 3
    np.testing.assert_allclose(ds.y, f(ds.X[:, 0].astype(np.float64)), rtol=1e-5)


def test_piecewise_target_is_continuous_at_zero():
    assert datasets.piecewise(np.array([-1e-9, 0.0, 1e-9])) == pytest.approx([0, 0, 0], abs=1e-8)


def test_above_graph_labels_points_above_the_two_minima_curve():
    ds = datasets.make("above_graph", n=4000, seed=0)
    above = ds.X[:, 1] > datasets.above_graph_curve(ds.X[:, 0])
    np.testing.assert_array_equal(above, ds.y == 1)
    assert abs(ds.y.mean() - 0.5) < 0.05  # equal areas above and below
    signed = datasets.make("above_graph", n=50, signed=True, bias_input=True)
    assert signed.task == "regression" and set(np.unique(signed.y)) == {-1.0, 1.0}
    assert signed.X.shape == (50, 3) and (signed.X[:, 2] == 1).all()


@pytest.mark.parametrize("kwargs, words", [
    (dict(name="moons"), "Unknown dataset"),
    (dict(name="spirals", n=0), "number of points"),
    (dict(name="spirals", noise=float("nan")), "Noise"),
    (dict(name="curve", target="log(x)"), "not finite"),
    (dict(name="curve", target="__import__('os')"), "functions"),
    (dict(name="spirals", bogus=1), "does not take"),
])
def test_bad_arguments_raise_user_error_with_a_message(kwargs, words):
    with pytest.raises(UserError, match=words):
        datasets.make(**kwargs)
