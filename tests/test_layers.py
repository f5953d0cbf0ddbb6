"""Layer animation geometry: every frame of an invertible tanh layer is a homeomorphism."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from vizcore import datasets
from vizcore.layers import animate, canonicalise, polar_path
from vizcore.nets import MLP


def _rotation(degrees: float) -> np.ndarray:
    a = np.radians(degrees)
    return np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])


def _net_with_first_layer(W: np.ndarray, b=(0.3, -0.2), activation="tanh") -> MLP:
    model = MLP(2, (2,), 2, activation=activation, seed=0)
    with torch.no_grad():
        model.layers[0].weight.copy_(torch.tensor(W, dtype=torch.float32))
        model.layers[0].bias.copy_(torch.tensor(b, dtype=torch.float32))
    return model


def _cell_areas(frame: np.ndarray, lines: int, res: int) -> np.ndarray:
    """Signed areas of the quadrilaterals between neighbouring grid lines of a 2D grid frame."""
    per_line = res + 1
    rows = frame[: lines * per_line].reshape(lines, per_line, 2)[:, :-1]  # the first lines: y fixed, x varies
    a, b = rows[:-1, :-1], rows[:-1, 1:]  # counter-clockwise: right along a row, then up to the next row
    c, d = rows[1:, 1:], rows[1:, :-1]
    quad = np.stack([a, b, c, d], axis=2)  # [lines-1, res-1, 4, 2]
    x, y = quad[..., 0], quad[..., 1]
    return 0.5 * (x * np.roll(y, -1, axis=2) - np.roll(x, -1, axis=2) * y).sum(axis=2)


CASES = {
    "minus identity": -np.eye(2),
    "reflection": np.array([[1.0, 0.0], [0.0, -1.0]]),
    "rotation by 170 degrees": _rotation(170) * 1.5,
    "random": np.random.default_rng(7).normal(size=(2, 2)) * 2,
}


@pytest.mark.parametrize("name", CASES)
def test_every_grid_cell_keeps_positive_area_in_every_frame(name):
    model = _net_with_first_layer(CASES[name])
    X = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    lines, res = 9, 20
    anim = animate(model, X, frames_per_phase=8, grid_lines=lines, grid_resolution=res)
    start = _cell_areas(anim.grid[0], lines, res)
    assert (start > 0).all()
    for f in range(len(anim.labels)):
        areas = _cell_areas(anim.grid[f], lines, res)
        assert (areas > 0).all(), f"{name}: a cell flipped or collapsed in frame {f} ({anim.labels[f]})"
    assert anim.facts[0].kind == "homeomorphism"


def test_polar_path_ends_at_w_and_never_becomes_singular():
    W = _rotation(170) @ np.diag([2.0, 0.5])
    path = polar_path(W, np.linspace(0, 1, 50))
    np.testing.assert_allclose(path[0], np.eye(2), atol=1e-12)
    np.testing.assert_allclose(path[-1], W, atol=1e-10)
    assert (np.linalg.det(path) > 0).all()


def test_straight_line_interpolation_of_minus_identity_would_collapse():
    # Why the polar path exists: (1 - t) I + t (-I) is the zero matrix at t = 1/2.
    assert np.linalg.det(0.5 * np.eye(2) + 0.5 * -np.eye(2)) == 0


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
def test_canonicalised_net_predicts_exactly_as_before(activation):
    model = MLP(2, (2, 2, 2, 2), 3, activation=activation, seed=11)
    with torch.no_grad():
        model.layers[1].weight[0].neg_()  # force det < 0 somewhere inside
    X = np.random.default_rng(1).normal(size=(200, 2)).astype(np.float32)
    twin, changed = canonicalise(model)
    assert any(changed)
    np.testing.assert_allclose(twin.predict(X), model.predict(X), rtol=0, atol=1e-6)
    for layer in twin.layers[:-1]:
        assert np.linalg.det(layer.weight.detach().double().numpy()) > 0


def test_single_unit_tanh_layer_is_flipped_by_sign_symmetry():
    model = MLP(1, (1, 1), 2, seed=0)
    with torch.no_grad():
        model.layers[0].weight.fill_(0.8)
        model.layers[1].weight.fill_(-1.3)
    twin, changed = canonicalise(model)
    X = np.linspace(-1, 1, 30, dtype=np.float32)[:, None]
    assert changed == [False, True]
    assert twin.layers[1].weight.item() > 0
    np.testing.assert_allclose(twin.predict(X), model.predict(X), atol=1e-6)


def test_frames_cover_input_and_three_phases_per_hidden_layer():
    ds = datasets.make("spirals", n=40, seed=0)
    anim = animate(MLP(2, (2, 2, 2), 2, seed=1), ds.X, frames_per_phase=5)
    assert anim.points.shape == (1 + 3 * 3 * 5, 40, 2)
    assert anim.labels[0] == "input" and anim.labels[-1] == "layer 3 · tanh"
    assert {"layer 2 · linear", "layer 2 · tanh"} <= set(anim.labels)
    b = anim.facts[1].bias
    assert f"layer 2 · shift by b = ({b[0]:+.2f}, {b[1]:+.2f})".replace("-", "−") in anim.labels
    np.testing.assert_allclose(anim.points[0], ds.X, atol=1e-6)


def test_last_frame_is_the_last_hidden_layer_and_boundary_separates_as_the_net_does():
    ds = datasets.make("disc_annulus", n=200, seed=0)
    model = MLP(2, (3,), 2, seed=2)
    anim = animate(model, ds.X)
    np.testing.assert_allclose(anim.points[-1], model.hidden(ds.X)[-1], atol=1e-5)
    normal, offset = anim.boundary
    side = anim.points[-1] @ normal + offset > 0
    np.testing.assert_array_equal(side, model.predict(ds.X).argmax(1) == 1)


def test_embedding_into_3d_is_drawn_in_3d_and_reported():
    anim = animate(MLP(2, (3,), 2, seed=0), datasets.make("disc_annulus", n=50).X)
    assert anim.dim == 3 and anim.facts[0].kind == "embedding"


@pytest.mark.parametrize("widths, kind", [((3, 2), "collapse"), ((2, 1), "collapse")])
def test_dimension_dropping_layers_are_reported_as_collapse(widths, kind):
    anim = animate(MLP(2, widths, 2, seed=0), datasets.make("spirals", n=50).X)
    assert anim.facts[-1].kind == kind


def test_singular_square_layer_is_reported_as_collapse():
    model = _net_with_first_layer(np.array([[1.0, 2.0], [0.5, 1.0]]))
    assert animate(model, np.zeros((3, 2))).facts[0].kind == "collapse"


def test_relu_layer_is_reported_as_fold():
    model = _net_with_first_layer(np.eye(2), b=(0.0, 0.0), activation="relu")
    X = np.random.default_rng(0).uniform(-1, 1, (100, 2))
    assert animate(model, X).facts[0].kind == "fold"


def test_wide_layer_is_projected_to_3d_with_boundary_as_plane():
    ds = datasets.make("linked_tori", n=200, seed=0)
    model = MLP(3, (4,), 2, seed=0)
    anim = animate(model, ds.X)
    assert anim.dim == 3 and "projection" in anim.projection
    normal, offset = anim.boundary
    side = anim.points[-1] @ normal + offset > 0
    np.testing.assert_array_equal(side, model.predict(ds.X).argmax(1) == 1)


def test_the_spirals_preset_title_says_how_often_a_2_2_2_2_net_reaches_100_percent():
    from dataclasses import replace

    from vizcore.lessons.layers import PRESETS
    from vizcore.runs import train_run

    preset = PRESETS["spirals"]
    perfect = sum(train_run(replace(preset.config, seed=s)).history.accuracy[-1] >= 1.0 for s in range(16))
    assert f"on {perfect} of 16 seeds" in preset.title


def test_the_aba1_notice_says_why_b_and_one_a_group_look_like_one_dot():
    # the last frame shows B and one A group as one dot while the notes spoke of B between the A groups (27.6)
    from vizcore.lessons.layers import PRESETS, train

    preset = PRESETS["aba1"]
    assert any("look like one dot" in note and "A, B, A" in note for note in preset.notice)
    run = train(preset.config)
    W, b = (p.detach().double().numpy() for p in (run.model.layers[0].weight, run.model.layers[0].bias))
    x, y = run.dataset.X[:, 0].astype(np.float64), run.dataset.y
    h = np.tanh(x * W[0, 0] + b[0])
    groups = [h[(y == 0) & (x < 0)], h[y == 1], h[(y == 0) & (x > 0)]]
    assert np.all(np.diff([g.mean() for g in groups]) > 0) or np.all(np.diff([g.mean() for g in groups]) < 0)
    end = [np.abs(np.sign(g.mean()) - g).max() for g in groups]  # how far each group is from its interval end
    merged = [k for k in (0, 2) if np.sign(groups[k].mean()) == np.sign(groups[1].mean())]
    assert merged and max(end[1], end[merged[0]]) <= 0.04, end  # both in the last 2% of the interval (-1, 1)
