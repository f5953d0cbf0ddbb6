"""The numpy engine must compute exactly what the torch MLP and torch.optim compute."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vizcore import datasets, engine, sweeps
from vizcore.nets import ACTIVATIONS, MLP, flat_params
from vizcore.train import loss_fn


def _data(task: str):
    return datasets.make("spirals", n=60, seed=1) if task == "classification" else datasets.make("curve", n=60)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_engine_loss_and_gradient_match_torch_autograd(activation, task):
    ds = _data(task)
    model = MLP(ds.dim, (3, 2), ds.out_dim, activation=activation, seed=2)
    arch = engine.Architecture.of(model)
    loss, grad = engine.loss_and_grad(arch, flat_params(model).astype(np.float64)[None], ds.X.astype(np.float64),
                                      ds.y, task)
    torch_loss = loss_fn(task)(model(torch.from_numpy(ds.X)), torch.from_numpy(ds.y))
    torch_loss.backward()
    torch_grad = torch.cat([p.grad.flatten() for p in model.parameters()]).numpy()
    assert loss[0] == pytest.approx(torch_loss.item(), rel=1e-5, abs=1e-7)
    np.testing.assert_allclose(grad[0], torch_grad, rtol=1e-4, atol=1e-6)


def test_engine_forward_matches_model_without_biases():
    model = MLP(3, (15, 15, 15), 1, bias=False, seed=4)
    X = np.random.default_rng(0).uniform(-0.5, 0.5, (20, 3))
    out, _ = engine.forward(engine.Architecture.of(model), flat_params(model).astype(np.float64)[None], X)
    np.testing.assert_allclose(out[0], model.predict(X), rtol=1e-5, atol=1e-6)
    assert engine.Architecture.of(model).n_params == model.n_params == 510


@pytest.mark.parametrize("name", engine.Optimizer.NAMES)
def test_optimizer_steps_match_torch_optim(name):
    ds = _data("classification")
    model = MLP(2, (4,), 2, seed=3)
    arch = engine.Architecture.of(model)
    flat = flat_params(model).astype(np.float64)[None]
    ours = engine.Optimizer(name, flat.shape, lr=0.05)
    kwargs = dict(momentum=0.9, nesterov=True) if name == "nesterov" else {}
    theirs = (torch.optim.Adam if name == "adam" else torch.optim.SGD)(model.parameters(), lr=0.05, **kwargs)
    for _ in range(5):
        _, grad = engine.loss_and_grad(arch, flat, ds.X.astype(np.float64), ds.y, "classification")
        ours.step(flat, grad)
        theirs.zero_grad()
        nn_loss = loss_fn("classification")(model(torch.from_numpy(ds.X)), torch.from_numpy(ds.y))
        nn_loss.backward()
        theirs.step()
    np.testing.assert_allclose(flat[0], flat_params(model), rtol=1e-4, atol=1e-5)


def test_seed_axis_computes_each_net_independently():
    ds = _data("classification")
    models = [MLP(2, (2, 2), 2, seed=s) for s in range(3)]
    arch = engine.Architecture.of(models[0])
    stacked = np.stack([flat_params(m) for m in models]).astype(np.float64)
    loss, grad = engine.loss_and_grad(arch, stacked, ds.X.astype(np.float64), ds.y, "classification")
    for s in range(len(models)):
        alone_loss, alone_grad = engine.loss_and_grad(arch, stacked[s:s + 1], ds.X.astype(np.float64), ds.y,
                                                      "classification")
        assert loss[s] == pytest.approx(alone_loss[0], rel=1e-12)
        np.testing.assert_allclose(grad[s], alone_grad[0], rtol=1e-10, atol=1e-14)


def _ulps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.view(np.int32).astype(np.int64) - b.view(np.int32).astype(np.int64))


def test_compiled_tanh_is_within_one_ulp_of_libm_everywhere_and_exact_at_the_edges():
    """Every 61st float32 up to 12 and its negative (bench/bench_tanh.py checks them all), against float64 tanh."""
    x = np.arange(0, int(np.float32(12.0).view(np.int32)), 61, dtype=np.int32).view(np.float32)
    x = np.concatenate([x, -x, np.geomspace(1e-45, 1e-3, 2000, dtype=np.float32)])
    ours = engine.lane_tanh(x)
    libm = np.tanh(x.astype(np.float64)).astype(np.float32)
    assert _ulps(ours, libm).max() <= 1 and (ours == libm).mean() > 0.97
    assert np.array_equal(np.sign(ours), np.sign(x))  # odd, and never pushed past zero
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30, 9.1, -9.1], dtype=np.float32)
    out = engine.lane_tanh(special)
    assert out[0] == 0 and not np.signbit(out[0]) and out[1] == 0 and np.signbit(out[1])
    np.testing.assert_array_equal(out[2:4], [1, -1])
    assert np.isnan(out[4])  # a NaN weight must show as a diverged net, not as a saturated unit
    np.testing.assert_array_equal(out[5:], [1, -1, 1, -1])


@pytest.mark.parametrize("name", engine.Optimizer.NAMES)
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_compiled_training_steps_match_the_numpy_engine(task, name):
    ds = datasets.make("disc_annulus", n=83, seed=1) if task == "classification" else datasets.make("curve", n=83)
    models = [MLP(ds.dim, (3, 2), ds.out_dim, seed=s) for s in range(3)]
    arch = engine.Architecture.of(models[0])
    flat64 = np.stack([flat_params(m) for m in models]).astype(np.float64)
    opt = engine.Optimizer(name, flat64.shape, lr=0.05)
    steps = 5
    params, losses = [flat64.copy()], []
    for _ in range(steps):
        loss, grad = engine.loss_and_grad(arch, flat64, ds.X.astype(np.float64), ds.y, task)
        losses.append(loss)
        opt.step(flat64, grad)
        params.append(flat64.copy())
    compiled = sweeps.fit_many(ds, (3, 2), range(3), steps=steps, lr=0.05, optimizer=name, record_every=1,
                               dtype="float32")  # 83 points: the last row of lanes is partly padding
    for s, net in enumerate(compiled):
        np.testing.assert_allclose(net.params, np.array(params)[:, s], rtol=1e-4, atol=2e-5)
        np.testing.assert_allclose(net.loss[:steps], np.array(losses)[:, s], rtol=1e-4, atol=1e-5)
    assert (compiled.diverged_at == 0).all()
