"""Curve fitting: the fit is the sum of its units, linear nets are lines, ReLU nets are polylines."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from figure_view import values

from vizcore import UserError, curves, datasets
from vizcore.figures.style import bends
from vizcore.lessons import curves as lesson
from vizcore.lessons.curves import OPENING, PRESETS, CurveConfig
from vizcore.nets import MLP, load_flat

X = np.linspace(-3, 3, 301)


def quick(**changes) -> curves.CurveRun:
    return lesson.train(replace(CurveConfig(n=100, steps=300, optimizer="adam", lr=0.01), **changes))


@pytest.mark.parametrize("changes", [dict(activation="tanh"), dict(activation="relu", width=7),
                                     dict(width=5, depth=2), dict(width=0)])
def test_units_add_up_to_the_fit(changes):
    run = quick(**changes)
    parts, bias = curves.contributions(run.model, X)
    assert parts.shape == (len(X), run.model.widths[-1] if run.model.widths else 1)
    np.testing.assert_allclose(parts.sum(axis=1) + bias, curves.predict(run.model, X), atol=1e-5)


def test_linear_units_collapse_to_one_line():
    one = lesson.train(PRESETS["linear1"].config)
    five = lesson.train(PRESETS["linear5"].config)
    for run in (one, five):
        slope, intercept = curves.collapsed_line(run.model)
        np.testing.assert_allclose(curves.predict(run.model, X), slope * X + intercept, atol=1e-4)
    # both find the least-squares line through 2 sin(x) + 5 on [-3, 3]
    ds = one.dataset
    best = np.polyfit(ds.X[:, 0], ds.y, 1)
    for run in (one, five):
        np.testing.assert_allclose(curves.collapsed_line(run.model), best, atol=0.02)


def test_relu_fit_is_straight_between_its_kinks():
    run = quick(activation="relu", width=5, steps=1000)
    kinks = curves.kinks(run.model, X)
    assert 1 <= len(kinks) <= 5
    y = curves.predict(run.model, X)
    bend = np.abs(np.diff(y, 2)) > 1e-4  # second differences: nonzero only next to a kink
    near = np.min(np.abs(X[1:-1, None] - kinks[None]), axis=1) < 2 * (X[1] - X[0])
    assert bend.any() and not (bend & ~near).any()


def test_tanh_flattens_outside_the_data_and_relu_continues_straight():
    far = np.array([5.5, 6.0])
    tanh_run = quick(steps=1000)
    relu_run = quick(activation="relu", steps=1000)
    tanh_far, relu_far = curves.predict(tanh_run.model, far), curves.predict(relu_run.model, np.r_[5.0, far])
    parts, _ = curves.contributions(tanh_run.model, far)
    assert np.abs(np.diff(tanh_far))[0] < 0.05 * np.abs(parts).max()
    assert np.diff(relu_far, 2)[0] == pytest.approx(0, abs=1e-4)  # a straight line past the last kink


def test_the_articles_comparisons_hold():
    loss = {p.title.split(" · ")[1]: lesson.train(p.config).history.loss[-1]
            for p in PRESETS.values() if p.title.split(" · ")[0] in {"6", "7", "8", "9", "10"}}
    assert loss["tanh, 20 units, He init"] < loss["tanh, 20 units, Glorot init"]
    assert loss["SGD with Nesterov momentum"] < loss["plain SGD"]
    assert loss["Adam"] < loss["SGD with Nesterov momentum"]


def test_every_preset_is_valid_and_reproducible():
    for preset in PRESETS.values():
        preset.config.check()
    cfg = PRESETS["relu5"].config
    a, b = lesson.train(cfg), lesson.train(cfg)
    np.testing.assert_array_equal(a.history.params, b.history.params)


def test_snapshots_and_sweeps():
    run = quick()
    snaps = curves.snapshots(run, X)
    steps = [s for s, _ in snaps]
    assert steps == sorted(steps) and steps[-1] == 300 and len(snaps) >= 4
    seen = []
    fit = lesson.compute(CurveConfig(n=60, steps=50))
    panels = lesson.sweep(fit, "init", progress=lambda done, total, loss: seen.append((done, total)))
    assert [p[0] for p in panels] == ["init = default", "init = glorot", "init = he"]
    assert seen[-1][0] == seen[-1][1]  # progress reaches the end of the whole sweep
    with pytest.raises(UserError):
        lesson.sweep(fit, "colour")


@pytest.mark.parametrize("target", ["import os", "log(x)", "1/x", "log(abs(x - 0.1234))"])
@pytest.mark.parametrize("n", [50, 51])  # 51 points hit x = 0, 50 do not: the same rule either way
def test_bad_or_undefined_formulas_are_user_errors(target, n):
    with pytest.raises(UserError):
        lesson.train(CurveConfig(target=target, n=n, steps=5))


def test_opening_settings_are_a_named_preset():
    assert PRESETS[OPENING].config == CurveConfig()


def test_relu_presets_use_the_articles_optimisers():
    assert PRESETS["relu5"].config.optimizer == "sgd"
    assert PRESETS["relu100"].config.optimizer == "nesterov"
    assert PRESETS["relu100"].config.lr == 0.01


def test_one_relu_layer_switches_at_most_once_per_unit_and_kinks_are_every_layers_switches():
    one = lesson.train(PRESETS["relu5"].config)
    per = curves.switches(one.model, X)
    assert len(per) == 1 and 1 <= len(per[0]) <= 5
    np.testing.assert_array_equal(curves.kinks(one.model, X), per[0])
    deep = quick(activation="relu", width=4, depth=2, steps=1500, target="2sin(x)+5")
    first, second = curves.switches(deep.model, X)
    assert len(first) <= 4
    assert len(curves.kinks(deep.model, X)) == len(first) + len(second)
    assert curves.most_switches(one.model, X) == [1]  # one layer: each unit switches once at most


def test_a_second_layer_relu_unit_can_switch_twice():
    model = MLP(1, (2, 1), 1, "relu")  # layer 1: relu(x), relu(-x); layer 2: relu(|x| - 1)
    load_flat(model, np.array([1, -1, 0, 0, 1, 1, -1, 1, 0], dtype=np.float32))
    assert curves.most_switches(model, X) == [1, 2]
    np.testing.assert_allclose(curves.switches(model, X)[1], [-1, 1], atol=1e-9)


def test_tanh_units_saturate_at_minus_one_or_plus_one_far_away():
    run = quick(steps=1000)
    far = np.r_[curves.saturation(run.model, -6.0), curves.saturation(run.model, 6.0)]
    assert far.shape == (40,) and np.all(np.abs(far) <= 1)
    assert (far < -0.9).any() and (far > 0.9).any()  # both ends of tanh's range, not 0 and 1


def test_a_users_formula_trains():
    run = lesson.train(CurveConfig(target="abs(x) - 1", n=80, steps=400, width=10, activation="relu"))
    assert run.history.loss[-1] < 0.1 * run.history.loss[0]


def test_a_link_to_an_upload_this_server_lacks_and_data_that_is_no_curve_are_user_errors():
    with pytest.raises(UserError, match="uploaded on another computer"):
        lesson.compute(CurveConfig(data_id="deadbeefdeadbeef", steps=5))
    plane = datasets.make("spirals", n=20)
    with pytest.raises(UserError, match="one x column"):
        curves.train(plane, MLP(2, (3,), 1), steps=5, lr=0.01, optimizer="adam")


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_the_fit_figure_draws_each_curve_through_fewer_points_but_the_same_line(activation):
    result = lesson.compute(replace(CurveConfig(n=100, steps=300, optimizer="adam", lr=0.01), activation=activation,
                                    width=20))
    view = lesson.fit_view(result)
    fig = lesson.fit_figure(result).to_dict()
    drawn = [t for t in fig["data"] if t.get("legendgroup") == "parts" or t["name"] == "the net"]
    wanted = [view.fit] + [view.parts[:, i] for i in range(view.parts.shape[1])]
    assert len(drawn) == len(wanted) == 21
    points = 0
    for trace, y in zip(drawn, wanted):
        x_drawn, y_drawn = values(trace, "x").astype(float), values(trace, "y").astype(float)
        points += len(x_drawn)
        np.testing.assert_allclose(np.interp(view.grid, x_drawn, y_drawn), y, atol=1e-5 * np.ptp(y) + 1e-6)
    if activation == "relu":  # straight pieces need their ends only, and every 10th point for hover text
        assert points < 0.2 * len(view.grid) * len(drawn)
    else:  # a tanh curve bends nearly everywhere (its saturated tails are straight to 1e-9)
        assert points > 0.8 * len(view.grid) * len(drawn)


def test_bends_keeps_the_ends_the_corners_and_the_gaps():
    x = np.arange(9.0)
    y = np.array([0, 1, 2, 3, 2, 1, np.nan, 5, 6])
    assert bends(x, y).tolist() == [0, 3, 5, 6, 7, 8]  # 6 is the gap; 5 and 7 end the lines beside it
    assert bends(x, y, every=4).tolist() == [0, 3, 4, 5, 6, 7, 8]
    assert bends(x[:2], y[:2]).tolist() == [0, 1]
