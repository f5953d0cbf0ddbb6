"""The numpy engine must compute exactly what the torch MLP and torch.optim compute."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vizcore import datasets, engine
from vizcore.nets import ACTIVATIONS, MLP, flat_params
from vizcore.sweeps import fit_many
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


def test_fast_tanh_is_within_float32_rounding_of_tanh():
    x = np.linspace(-12, 12, 200_001, dtype=np.float32)
    ours = np.array([engine.fast_tanh(v) for v in x[::97]], dtype=np.float32)
    assert np.abs(ours - np.tanh(x[::97].astype(np.float64))).max() < 3e-7
    assert abs(engine.fast_tanh(np.float32(40.0)) - 1) < 3e-7 and abs(engine.fast_tanh(np.float32(-40.0)) + 1) < 3e-7


def test_the_kernels_tanh_on_lanes_is_fast_tanh_bit_for_bit():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 3, 20_000), np.linspace(-9, 9, 4001), [0.0, -0.0, 1e-40, -1e-40, 7.9053111,
                        -7.9053111, 40.0, -40.0, 1e30, np.inf, -np.inf, np.nan]]).astype(np.float32)
    lanes = engine.lane_tanh(x)
    scalar = np.array([engine.fast_tanh(v) for v in x], dtype=np.float32)
    assert np.array_equal(lanes.view(np.int32), scalar.view(np.int32))  # signed zeros and NaN included


@pytest.mark.parametrize("name", engine.Optimizer.NAMES)
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_compiled_training_steps_match_the_numpy_engine(task, name):
    # 83 points: the last tile of points is partly empty; 3 nets: most lanes of the block are padding
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
    compiled = fit_many(ds, (3, 2), range(3), steps=steps, lr=0.05, optimizer=name, record_every=1, dtype="float32")
    for s, net in enumerate(compiled):
        np.testing.assert_allclose(net.params, np.array(params)[:, s], rtol=1e-4, atol=2e-5)
        np.testing.assert_allclose(net.loss[:steps], np.array(losses)[:, s], rtol=1e-4, atol=1e-5)
    assert (compiled.diverged_at == 0).all()
