"""The minibatch k-NN loss, the k-NN head and the three-head comparison."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from vizcore import UserError
from vizcore.knn import KnnConfig, compare_heads, knn_head, soft_knn_loss, table_rows


def test_soft_knn_loss_excludes_each_point_from_its_own_neighbours():
    # a (class 0) at 0, b (class 0) at 10, c (class 1) at 1. With itself excluded, a's
    # same-class mass is 1/10 out of 1/10 + 1/1; counting itself (distance 0) would make it ~1.
    Z = torch.tensor([[0.0, 0.0], [10.0, 0.0], [1.0, 0.0]])
    y = torch.tensor([0, 0, 1])
    loss = soft_knn_loss(Z, y, "inverse", eps=1e-6)
    loss_a = -math.log((1 / 10) / (1 / 10 + 1 / 1))
    loss_b = -math.log((1 / 10) / (1 / 10 + 1 / 9))
    # c has no other point of its class in the batch, so it is left out of the mean
    assert loss.item() == pytest.approx((loss_a + loss_b) / 2, rel=1e-5)


def test_gaussian_weights_follow_exp_minus_d2_over_t():
    Z = torch.tensor([[0.0], [1.0], [2.0]])
    y = torch.tensor([0, 0, 1])
    T = 0.7
    loss = soft_knn_loss(Z, y, "gaussian", temperature=T)
    w = lambda d: math.exp(-d * d / T)  # noqa: E731
    expected = (-math.log(w(1) / (w(1) + w(2))) - math.log(w(1) / (w(1) + w(1)))) / 2
    assert loss.item() == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("weighting", ["inverse", "gaussian"])
def test_gradient_is_finite_when_two_points_coincide(weighting):
    Z = torch.tensor([[0.3, -0.2], [0.3, -0.2], [1.0, 1.0], [1.0, 1.0], [-1.0, 0.5]], requires_grad=True)
    y = torch.tensor([0, 1, 1, 0, 1])
    loss = soft_knn_loss(Z, y, weighting, temperature=0.5)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(Z.grad).all()
    assert Z.grad.abs().sum() > 0


def test_loss_is_batched_over_seeds():
    gen = torch.Generator().manual_seed(0)
    Z, y = torch.randn(3, 12, 2, generator=gen), torch.randint(0, 3, (3, 12), generator=gen)
    batched = soft_knn_loss(Z, y)
    single = torch.stack([soft_knn_loss(Z[s], y[s]) for s in range(3)])
    assert torch.allclose(batched, single, atol=1e-6)


def test_knn_head_is_distance_weighted_like_scikit_learn():
    # query at 0: neighbours at 1 (class 0), 2 and 2.5 (class 1). A plain vote says 1;
    # weights 1/1 against 1/2 + 1/2.5 = 0.9 say 0.
    Z = np.array([[1.0], [2.0], [2.5], [9.0]])
    y = np.array([0, 1, 1, 0])
    assert knn_head(Z, y, k=3).predict(np.array([[0.0]]))[0] == 0
    assert knn_head(Z, y, k=3).predict(np.array([[2.2]]))[0] == 1
    with pytest.raises(UserError):
        knn_head(Z, y, k=5)


def _neighbour_ratio(Z: np.ndarray, y: np.ndarray) -> float:
    """Median over points of (distance to nearest same-class point) / (distance to nearest other-class point)."""
    from scipy.spatial import cKDTree
    ratios = []
    for c in np.unique(y):
        same = cKDTree(Z[y == c]).query(Z[y == c], k=2)[0][:, 1]
        other = cKDTree(Z[y != c]).query(Z[y == c], k=1)[0]
        ratios.append(np.median(same / other))
    return float(np.mean(ratios))


def test_end_to_end_knn_beats_softmax_on_digits_with_gaussian_weights():
    cfg = KnnConfig(steps=200, weighting="gaussian", seeds=5)
    result = compare_heads(cfg)
    assert set(result.errors) == {"softmax", "knn_features", "knn_end_to_end"}
    assert all(len(e) == 5 for e in result.errors.values())
    summary = result.summary()
    assert all(mean < 0.35 for mean, _ in summary.values())  # chance is 0.9
    assert summary["knn_end_to_end"][0] < summary["softmax"][0]
    # trained for k-NN, a point's nearest neighbour is more often of its own class, relatively closer
    y = result.split.y_test
    assert _neighbour_ratio(result.features["knn_end_to_end"], y) < _neighbour_ratio(result.features["softmax"], y)
    xs, ys, cls = result.regions["softmax"]
    assert cls.shape == (len(ys), len(xs)) and set(np.unique(cls)) <= set(range(10))
    rows = table_rows(result)
    assert len(rows) == 3 and "4–5%" in rows[2]["the article (MNIST, two-layer CNN)"]


def test_digits_split_is_fixed_and_bad_settings_are_user_errors():
    from vizcore.knn import load_split
    a, b = load_split(KnnConfig()), load_split(KnnConfig())
    assert a.X_train.shape == (1347, 64) and a.X_test.shape == (450, 64)
    assert np.array_equal(a.y_test, b.y_test) and a.n_classes == 10
    with pytest.raises(UserError):
        KnnConfig(widths="3,x").hidden_widths()
    with pytest.raises(UserError):
        compare_heads(KnnConfig(seeds=2))


def test_light_adam_matches_torch_optim_adam():
    from vizcore.torchkit import Adam
    gen = torch.Generator().manual_seed(0)
    a = torch.nn.Parameter(torch.randn(4, 3, generator=gen))
    b = torch.nn.Parameter(a.detach().clone())
    unused = torch.nn.Parameter(torch.ones(2))
    reference, ours = torch.optim.Adam([a], lr=0.05), Adam([b, unused], lr=0.05)
    for _ in range(30):
        for p, opt in ((a, reference), (b, ours)):
            opt.zero_grad()
            (p ** 3).sin().sum().backward()
            opt.step()
    assert torch.allclose(a, b, atol=1e-6) and not torch.equal(a, torch.zeros_like(a))
    assert torch.equal(unused, torch.ones(2))  # no gradient, no update
