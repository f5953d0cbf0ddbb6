"""fit_many trains many seeds as one computation and gives each seed what fit gives it alone."""
from __future__ import annotations

import numpy as np
import pytest

import vizcore as vz
from vizcore import UserError, datasets
from vizcore.nets import MLP
from vizcore.sweeps import fit_many


def _fit_alone(ds, widths, seed, steps, lr=0.03):
    model = MLP(ds.dim, widths, ds.out_dim, seed=seed)
    return vz.train.fit(model, ds, steps=steps, lr=lr, record_every=10)


def test_fit_many_in_float64_equals_fit_seed_for_seed():
    ds = datasets.make("disc_annulus", n=120, seed=0)
    seeds = [0, 3, 7]
    sweep = vz.train.fit_many(ds, (2, 2), seeds, steps=150, lr=0.03, record_every=10, dtype="float64")
    assert len(sweep) == 3 and list(sweep.seeds) == seeds
    for i, seed in enumerate(seeds):
        alone = _fit_alone(ds, (2, 2), seed, 150)
        np.testing.assert_array_equal(sweep[i].step, alone.step)
        np.testing.assert_allclose(sweep[i].params, alone.params, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(sweep[i].loss, alone.loss, rtol=1e-6, atol=1e-7)
        np.testing.assert_array_equal(sweep[i].accuracy, alone.accuracy)
        np.testing.assert_allclose(sweep[i].grad_rms, alone.grad_rms, rtol=1e-5, atol=1e-8)


def test_fit_many_in_float32_follows_fit_to_float32_rounding():
    ds = datasets.make("spirals", n=150, seed=1, turns=0.5)
    sweep = fit_many(ds, (3,), [2, 5], steps=100, lr=0.03, record_every=10)
    for i, seed in enumerate([2, 5]):
        alone = _fit_alone(ds, (3,), seed, 100)
        np.testing.assert_allclose(sweep[i].params, alone.params, atol=2e-4)
        np.testing.assert_allclose(sweep[i].loss, alone.loss, atol=1e-4)


def test_model_of_a_seed_computes_its_recorded_accuracy():
    ds = datasets.make("line_aba", n=200, seed=0)
    sweep = fit_many(ds, (2,), range(4), steps=300, lr=0.03)
    for i in range(4):
        predicted = sweep.model(i).predict(ds.X).argmax(1)
        assert (predicted == ds.y).mean() == pytest.approx(sweep.final_accuracy[i], abs=1e-6)


def test_splitting_seeds_over_threads_changes_nothing():
    ds = datasets.make("disc_annulus", n=100, seed=2)
    one = fit_many(ds, (2,), range(40), steps=60, threads=1)
    two = fit_many(ds, (2,), range(40), steps=60, threads=2)  # 16 + 24 seeds: lanes of 16 nets, some padding
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a.params, b.params)


@pytest.mark.parametrize("widths", [(2, 2), (9, 5)])  # 9: groups of four inputs, the last one partly filled
def test_a_net_gets_the_same_bits_alone_as_in_any_lane_of_a_big_sweep(widths):
    sets = [datasets.make("spirals", n=70, seed=s, turns=0.5) for s in range(40)]  # 70: a part-filled tile
    seeds = list(range(100, 140))
    crowd = fit_many(sets[::-1], widths, seeds[::-1], steps=80, lr=0.05, record_every=9)  # seed 107 in block 2
    for i in (7, 30):
        alone = fit_many([sets[i]], widths, [seeds[i]], steps=80, lr=0.05, record_every=9)[0]
        among = crowd[len(seeds) - 1 - i]
        for field in ("params", "loss", "accuracy", "grad_rms"):
            np.testing.assert_array_equal(getattr(among, field), getattr(alone, field), err_msg=field)


def test_one_diverging_net_is_frozen_while_the_others_train():
    sets = [datasets.make("curve", n=50, seed=s) for s in range(3)]
    sets[1] = datasets.Dataset(sets[1].X, sets[1].y * np.float32(1e30), "regression", "curve")  # loss overflows
    sweep = fit_many(sets, (3,), [0, 1, 2], steps=40, lr=0.01, dtype="float32")
    assert list(sweep.diverged_at) == [0, 1, 0]
    np.testing.assert_array_equal(sweep[1].params[-1], sweep[1].params[0])  # never moved
    assert sweep[0].loss[-1] < sweep[0].loss[0] and sweep[2].loss[-1] < sweep[2].loss[0]


@pytest.mark.parametrize("seeds, words", [([], "between 1 and"), ([1, 1], "different")])
def test_bad_seed_lists_raise_a_clear_user_error(seeds, words):
    ds = datasets.make("line_aba", n=50)
    with pytest.raises(UserError, match=words):
        fit_many(ds, (2,), seeds, steps=5)


def test_a_sweep_where_every_net_diverges_says_so():
    ds = datasets.Dataset(np.ones((20, 1), np.float32), np.full(20, 1e30, np.float32), "regression", "curve")
    with pytest.raises(UserError, match="diverged"):
        fit_many(ds, (2,), [0, 1], steps=5)


@pytest.mark.parametrize("optimizer", ["sgd", "nesterov", "adam"])
@pytest.mark.parametrize("name", ["disc_annulus", "curve"])
def test_compiled_float32_sweep_follows_the_float64_sweep(name, optimizer):
    ds = datasets.make(name, n=90, seed=3)
    kwargs = dict(steps=47, lr=0.02, optimizer=optimizer, record_every=10)  # 47: the last snapshot is off the grid
    fast = fit_many(ds, (3, 2), range(5), dtype="float32", **kwargs)
    exact = fit_many(ds, (3, 2), range(5), dtype="float64", **kwargs)
    for a, b in zip(fast, exact):
        np.testing.assert_array_equal(a.step, [0, 10, 20, 30, 40, 47])
        np.testing.assert_array_equal(a.step, b.step)
        np.testing.assert_allclose(a.params, b.params, atol=1e-4)
        np.testing.assert_allclose(a.loss, b.loss, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(a.grad_rms, b.grad_rms, rtol=1e-3, atol=1e-6)
        if name == "disc_annulus":
            assert np.abs(a.accuracy - b.accuracy).max() <= 2 / ds.n  # a point on the line may flip
