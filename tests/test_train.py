from __future__ import annotations

import numpy as np
import pytest

from vizcore import UserError, datasets
from vizcore.nets import MLP, flat_params, parse_widths
from vizcore.train import fit


@pytest.fixture(scope="module")
def spirals():
    return datasets.make("spirals", n=200, seed=0, turns=0.5)


def test_same_seed_same_history(spirals):
    a = fit(MLP(2, (3, 3), 2, seed=1), spirals, steps=60, batch_size=32, seed=5)
    b = fit(MLP(2, (3, 3), 2, seed=1), spirals, steps=60, batch_size=32, seed=5)
    np.testing.assert_array_equal(a.params, b.params)


def test_history_records_snapshots_and_final_weights(spirals):
    model = MLP(2, (4,), 2, seed=0)
    hist = fit(model, spirals, steps=100, record_every=30)
    assert list(hist.step) == [0, 30, 60, 90, 100]
    assert hist.params.shape == (5, model.n_params) and hist.params.dtype == np.float32
    np.testing.assert_allclose(hist.params[-1], flat_params(model), atol=1e-7)
    assert hist.grad_rms.shape == (model.n_params,) and (hist.grad_rms > 0).all()
    assert hist.loss[-1] < hist.loss[0]


@pytest.mark.parametrize("optimizer", ["sgd", "nesterov", "adam"])
def test_each_optimizer_learns_an_easy_task(optimizer):
    ds = datasets.make("disc_annulus", n=200, seed=0)
    hist = fit(MLP(2, (3,), 2, seed=0), ds, steps=1500, lr=0.3 if optimizer != "adam" else 0.05,
               optimizer=optimizer)
    assert hist.accuracy[-1] > 0.95


def test_regression_uses_squared_error():
    ds = datasets.make("curve", n=50, target="2x+5")
    hist = fit(MLP(1, (1,), 1, activation="linear", seed=0), ds, steps=500, lr=0.1)
    assert hist.loss[-1] < 1e-3 and np.isnan(hist.accuracy).all()


def test_progress_reports_reach_the_total(spirals):
    calls = []
    fit(MLP(2, (2,), 2), spirals, steps=50, progress=lambda d, t, loss: calls.append((d, t, loss)))
    assert calls[-1][:2] == (50, 50) and all(np.isfinite(c[2]) for c in calls)


def test_diverging_training_raises_user_error_naming_the_step():
    ds = datasets.make("curve", n=50, target="2x+5")
    with pytest.raises(UserError, match=r"diverged at step \d+"):
        fit(MLP(1, (8, 8), 1, activation="linear", seed=0), ds, steps=200, lr=5.0, optimizer="sgd")


@pytest.mark.parametrize("kwargs, words", [(dict(steps=0), "steps"), (dict(lr=1e6), "learning rate"),
                                           (dict(lr=float("nan")), "learning rate"), (dict(batch_size=0), "batch")])
def test_bad_settings_raise_user_error(spirals, kwargs, words):
    with pytest.raises(UserError, match=words):
        fit(MLP(2, (2,), 2), spirals, **kwargs)


@pytest.mark.parametrize("text, words", [("", "at least one"), ("2,x", "whole number"), ("0", "between 1"),
                                         ("100", "between 1"), ("2,-1", "whole number")])
def test_parse_widths_rejects_with_reason(text, words):
    with pytest.raises(UserError, match=words):
        parse_widths(text)


def test_parse_widths_accepts_lists():
    assert parse_widths(" 2, 2 ,2,2") == (2, 2, 2, 2)


@pytest.mark.parametrize("batch_size", [1, 16])
def test_a_minibatch_runs_snapshots_are_scored_on_fixed_points_and_a_full_batch_runs_on_all(batch_size):
    from vizcore import engine, train
    from vizcore.data import subsample

    ds = datasets.make("above_graph", n=3000, seed=0, signed=True, bias_input=True)  # more points than EVAL_POINTS

    def loss_on(hist, keep):
        model = MLP(3, (5,), 1, bias=False, seed=0)
        out, _ = engine.forward(engine.Architecture.of(model), hist.params[-1:].astype(np.float64), ds.X[keep])
        return engine.loss_and_output_grad(ds.task, out, ds.y[keep])[0][0]

    some = subsample(ds.n, train.EVAL_POINTS)
    minibatch = fit(MLP(3, (5,), 1, bias=False, seed=0), ds, steps=400, lr=0.05, optimizer="sgd",
                    batch_size=batch_size, record_every=100)
    full = fit(MLP(3, (5,), 1, bias=False, seed=0), ds, steps=20, lr=0.05, optimizer="sgd", record_every=10)
    assert len(some) == train.EVAL_POINTS < ds.n
    assert minibatch.loss[-1] == pytest.approx(loss_on(minibatch, some), rel=1e-5)
    assert minibatch.loss[-1] != pytest.approx(loss_on(minibatch, np.arange(ds.n)), rel=1e-5)
    assert full.loss[-1] == pytest.approx(loss_on(full, np.arange(ds.n)), rel=1e-5)
