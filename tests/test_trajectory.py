"""Weight-space projections, the per-example fast path and the article's training modes."""
from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from figure_view import plain
from sklearn.decomposition import PCA

from vizcore import UserError, datasets, engine
from vizcore.figures.trajectory import compact_trajectory, training_view
from vizcore.nets import MLP, flat_params
from vizcore.train import fit
from vizcore.trajectory import clock_words, fit_projection, frame_snapshots, project
from vizcore.figures.trajectory import FRAME_MS
from vizcore.lessons.trajectory import (PRESETS, RATES, SCORE_POINTS, TrajectoryConfig, TrajectoryView, claims, drift,
                                        fresh_scores, lesson_view, notice, parse_schedule, rate_choices,
                                        recorded_moment, slowdowns, train_trajectory)


@pytest.fixture(scope="module")
def article_data():
    return datasets.make("above_graph", n=2000, seed=0, signed=True, bias_input=True)


def article_net(seed: int = 0) -> MLP:
    return MLP(3, (15, 15, 15), 1, bias=False, seed=seed)


def per_example(model, ds, steps, **kwargs):
    return fit(model, ds, steps=steps, **{**dict(lr=0.05, optimizer="sgd", batch_size=1, record_every=10), **kwargs})


@pytest.fixture(scope="module")
def short_run(article_data):
    return per_example(article_net(), article_data, 300)


def test_article_net_has_exactly_510_weights():
    assert article_net().n_params == 510


def test_per_example_fast_path_equals_engine_loop(article_data):
    fast = per_example(article_net(), article_data, 200)
    # the same updates through the engine (nesterov with momentum 0 is plain SGD, but takes the engine path)
    slow = fit(article_net(), article_data, steps=200, lr=0.05, optimizer="nesterov", momentum=0.0, batch_size=1,
               record_every=10)
    np.testing.assert_allclose(fast.params, slow.params, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fast.step_loss, slow.step_loss, rtol=1e-5)


def test_slow_learning_with_k1_equals_plain_sgd_exactly(article_data):
    hist = per_example(article_net(), article_data, 150, spread=1)
    arch, flat = engine.Architecture.of(article_net()), flat_params(article_net()).astype(np.float64)[None]
    order = np.random.default_rng(0).permutation(article_data.n)
    for i in order[:150]:
        _, grad = engine.loss_and_grad(arch, flat, article_data.X[i:i + 1].astype(np.float64),
                                       article_data.y[i:i + 1], "regression")
        flat -= 0.05 * grad
    np.testing.assert_array_equal(hist.params[-1], flat[0].astype(np.float32))


def test_slow_learning_applies_each_update_in_k_equal_parts(article_data):
    k, steps = 4, 30
    hist = fit(article_net(), article_data, steps=steps, lr=0.05, optimizer="sgd", batch_size=1, spread=k,
               record_every=1)
    arch, flat = engine.Architecture.of(article_net()), flat_params(article_net()).astype(np.float64)[None]
    order = np.random.default_rng(0).permutation(article_data.n)
    updates = []
    for i in order[:steps]:
        _, grad = engine.loss_and_grad(arch, flat, article_data.X[i:i + 1].astype(np.float64),
                                       article_data.y[i:i + 1], "regression")
        updates.append(0.05 * grad)
        flat = flat - sum(updates[-k:]) / k
    np.testing.assert_allclose(hist.params[-1], flat[0], rtol=1e-5, atol=1e-7)
    smooth = np.linalg.norm(np.diff(hist.params, axis=0), axis=1)
    jerky_run = per_example(article_net(), article_data, steps, record_every=1)
    jerky = np.linalg.norm(np.diff(jerky_run.params, axis=0), axis=1)
    assert smooth.std() < jerky.std()  # the smoother path of the article


def test_rate_change_mid_run_continues_from_the_same_weights(article_data):
    one = per_example(article_net(), article_data, 400, lr_schedule=[(250, 0.01)], spread=3, lr_decay=1000)
    model = article_net()
    first = per_example(model, article_data, 250, spread=3, lr_decay=1000)
    both = fit(model, article_data, steps=150, lr=0.01, optimizer="sgd", batch_size=1, record_every=10, spread=3,
               lr_decay=1000, resume=first)
    np.testing.assert_array_equal(both.params[-1], one.params[-1])
    np.testing.assert_array_equal(both.step, one.step)
    np.testing.assert_array_equal(both.step_loss, one.step_loss)
    np.testing.assert_allclose(both.grad_rms, one.grad_rms, rtol=1e-6)
    assert both.rate[-1] == pytest.approx(0.01 / (1 + 400 / 1000))
    np.testing.assert_allclose(flat_params(model), one.params[-1])
    assert np.isclose(first.params[-1], both.params[len(first) - 1]).all()  # the earlier path is kept


def test_records_every_example_first_then_every_m(article_data):
    hist = fit(article_net(), article_data, steps=100, lr=0.05, optimizer="sgd", batch_size=1, record_every=25,
               record_dense=10)
    assert list(hist.step) == list(range(11)) + [25, 50, 75, 100]


def test_recent_loss_is_the_mean_over_the_window(short_run):
    recent = short_run.recent_loss(50)
    t = list(short_run.step).index(200)
    assert recent[t] == pytest.approx(short_run.step_loss[150:200].mean(), rel=1e-6)


@pytest.mark.parametrize("method", ["random", "rms"])
def test_projection_is_linear_in_the_weights(short_run, method):
    proj = fit_projection(short_run, method, seed=3)
    a, b = short_run.params[5].astype(np.float64), short_run.params[-1].astype(np.float64)
    np.testing.assert_allclose(proj((2 * a - 0.5 * b)[None]), 2 * proj(a[None]) - 0.5 * proj(b[None]), atol=1e-9)
    np.testing.assert_allclose(project(short_run, method, seed=3), proj(short_run.params))


def test_random_directions_are_unit_and_seeded(short_run):
    basis = fit_projection(short_run, "random", seed=1).basis
    np.testing.assert_allclose(np.linalg.norm(basis, axis=1), 1.0)
    assert not np.allclose(basis, fit_projection(short_run, "random", seed=2).basis)


def test_rms_projection_scales_directions_by_recorded_gradients(short_run):
    plain, weighted = fit_projection(short_run, "random", 0).basis, fit_projection(short_run, "rms", 0).basis
    np.testing.assert_allclose(weighted, plain * short_run.grad_rms[:, None], rtol=1e-6)


def test_pca_projection_agrees_with_sklearn_up_to_sign(short_run):
    ours = project(short_run, "pca")
    ref = PCA(n_components=2).fit_transform(short_run.params.astype(np.float64))
    for axis in range(2):
        sign = np.sign(ours[:, axis] @ ref[:, axis])
        np.testing.assert_allclose(ours[:, axis], sign * ref[:, axis], atol=1e-6)
    explained = fit_projection(short_run, "pca").explained
    assert explained[0] >= explained[1] > 0 and explained.sum() <= 1


@pytest.mark.parametrize("text, words", [("100 0.1", "step: rate"), ("x: 0.1", "step: rate"),
                                         ("100: 50", "at most"), ("100: nan", "step: rate")])
def test_bad_rate_changes_raise_user_error(text, words):
    with pytest.raises(UserError, match=words):
        parse_schedule(text)


def test_schedule_parses_sorted_pairs():
    assert parse_schedule(" 500: 0.01, 100:0.1 ") == ((100, 0.1), (500, 0.01))


@pytest.mark.parametrize("kwargs, words", [(dict(spread=0), "Slow learning"), (dict(lr_decay=-1.0), "decay"),
                                           (dict(lr_schedule=[(10, 0.0)]), "new learning rate")])
def test_bad_training_modes_raise_user_error(article_data, kwargs, words):
    with pytest.raises(UserError, match=words):
        per_example(article_net(), article_data, 10, **kwargs)


def test_three_panel_figure_is_synchronised_and_small():
    cfg = TrajectoryConfig(n=2000, steps=4000, dense=100, compare=5, schedule="")
    run = train_trajectory(cfg)
    maps, paths = lesson_view(run, resolution=60)
    fig = training_view(maps, paths)
    assert len(fig.to_dict()["frames"]) == len(maps.snapshot) <= 90
    assert len(paths) == 2 and paths[0].xy.shape == (len(run.history), 2)
    text = fig.to_json()
    assert len(text) < 3_000_000
    # every frame swaps the map image and moves both markers (and repeats the true curve, which plotly
    # would otherwise hide while playing); the map of the last frame is the trained net's output
    frames = json.loads(text)["frames"]
    assert len(frames[-1]["data"]) == len(frames[-1]["traces"]) == 4 * len(paths) + 2  # + colour bar + curve
    sources = [f["layout"]["images"][0]["source"] for f in frames]
    assert all(s.startswith("data:image/png;base64,") for s in sources) and len(set(sources)) > 1
    assert "heatmap" not in [t.get("type") for t in fig.to_dict()["data"]]  # plotly.js drops animated heatmaps (#4491)
    np.testing.assert_allclose(maps.values[-1], run.model.predict(np.c_[np.meshgrid(
        np.linspace(-.5, .5, 60), np.linspace(-.5, .5, 60))[0].ravel(), np.meshgrid(
        np.linspace(-.5, .5, 60), np.linspace(-.5, .5, 60))[1].ravel(), np.ones(3600)])[:, 0].reshape(60, 60),
        atol=1e-5)
    # the path panel zooms with the walk by moving the path, not its axes: at frame f the path so far fills the
    # fixed view [-1, 1]² (frames never change axis ranges, which Streamlit's chart would put back mid-play)
    assert all("xaxis3" not in f["layout"] for f in frames)
    for f in (3, len(frames) // 2, len(frames) - 1):
        walked = frames[f]["data"][1]  # the main path walked so far
        xy = np.c_[np.frombuffer(base64.b64decode(walked["x"]["bdata"]), np.float32),
                   np.frombuffer(base64.b64decode(walked["y"]["bdata"]), np.float32)]
        assert np.abs(xy).max() <= 1.0 and np.abs(xy).max(axis=0).min() >= 0.7  # in view, and filling it
    assert list(plain(fig).layout.xaxis3.range) == [-1.02, 1.02]
    steps = run.history.step
    compact = compact_trajectory(paths[0].xy, steps, [f"step {s}" for s in steps])
    marker = compact.at_frame(5).to_dict()["data"][2]["x"]  # opened at snapshot 5: the marker is there
    assert list(np.frombuffer(base64.b64decode(marker["bdata"]), np.float32)) == [np.float32(paths[0].xy[5, 0])]
    assert compact.to_dict()["layout"]["sliders"][0]["active"] == len(steps) - 1  # it opens on the last


def test_frames_run_on_a_log_clock_that_shows_progress_from_the_start():
    steps = np.r_[np.arange(201), np.arange(1449, 250_001, 1249)]  # the default run's snapshots
    picked = steps[frame_snapshots(steps, 80)]
    assert 80 <= len(picked) <= 90 and picked[0] == 0 and picked[-1] == 250_000
    assert len(set(picked)) == len(picked)
    assert 10 <= (picked <= 200).sum() <= 30  # the first 200 updates, each recorded, take a few seconds
    per_second = 1000 // FRAME_MS
    assert picked[8 * per_second] >= 5_000  # the first 8 s of play show thousands of examples, not 51
    assert picked[-1] - picked[-1 - 8 * per_second] <= 230_000  # and the last 8 s do not race through them all
    late = np.log(picked[picked > 60_000] + 100)  # below that, snapshots 1,249 apart are the limit
    assert np.diff(late).max() < 1.5 * np.median(np.diff(late))  # evenly spaced in log(step + 100)
    assert 15_000 <= len(picked) * FRAME_MS <= 40_000  # 15 to 40 s at normal speed
    words = clock_words(picked, FRAME_MS)
    assert f"first 8 s of play show the first {picked[8 * per_second]:,} examples" in words


def test_error_axis_is_logarithmic_with_ticks_at_powers_of_ten():
    run = train_trajectory(TrajectoryConfig(steps=3000, schedule="", compare=0))
    fig = plain(training_view(*lesson_view(run)))
    axis = fig.layout.xaxis2
    assert axis.type == "log" and axis.dtick == 1 and axis.tickformat == ","
    assert axis.range[0] == 0 and 10 ** axis.range[1] >= 3000


def test_per_example_training_draws_a_fresh_point_for_every_update():
    cfg = TrajectoryConfig(steps=45_000)
    stream = cfg.training_data()
    assert stream.n == 45_000 and len(np.unique(stream.X[:, :2], axis=0)) == 45_000
    assert stream.X[:, 2].min() == stream.X[:, 2].max() == 1  # the article's constant third input
    x, y = stream.X[:, 0], stream.X[:, 1]
    np.testing.assert_array_equal(stream.y, np.where(y > 20 * x ** 4 - 3 * x ** 2, 1, -1))
    fixed = TrajectoryConfig(steps=45_000, fresh=False).training_data()
    scored = cfg.make_dataset(SCORE_POINTS, cfg.seed + 7919)  # what fresh_scores uses
    for other in (fixed, scored):  # no point in common with the stream
        both = np.r_[stream.X[:, :2], other.X[:, :2]]
        assert len(np.unique(both, axis=0)) == len(both)
    assert fixed.n == 20_000
    assert TrajectoryConfig(steps=45_000, mode="minibatch").training_data().n == 20_000
    assert list(train_trajectory(TrajectoryConfig(steps=1)).history.step) == [0, 1]  # one update still trains


def test_article_comparison_reports_this_run():
    cfg = TrajectoryConfig(steps=3000, lr=0.03, schedule="1000: 0.06, 2000: 0.02, 2500: 0.0067", compare=0)
    run = train_trajectory(cfg)
    rms, sign = fresh_scores(run)
    assert run.scores == (rms, sign)  # scored once, when trained
    found = claims("custom", run)
    assert {c.source for c in found} == {"article 000"}  # every figure here is article 000's
    rows = {c.about: (c.said, c.measured) for c in found}
    assert rows["weights"] == ("510", "510")
    assert rows["RMS error of the trained net"][1].startswith(f"{rms:.3f}")
    assert rows["sign right"][1] == f"{sign:.2%}"
    assert rows["each slow-down of the rate"] == ("3×", "3.0×, 3.0×")
    assert slowdowns(cfg) == pytest.approx([3, 2.985], 1e-3)
    ratio = run.history.grad_rms.max() / run.history.grad_rms.min()
    assert rows["RMS gradient, most against least important weight"][1].startswith(f"{ratio:,.0f}×")
    assert rows["points on the path"][1] == "one per update for the first 200, then one per 14"
    assert rows["training examples"][1] == "a fresh point for every update"
    on_drift = "share of the path"
    drift_rows = [c for c in claims("rms", run, TrajectoryView(method="rms")) if c.about.startswith(on_drift)]
    assert not [c for c in found if c.about.startswith(on_drift)] and len(drift_rows) == 1
    weighted, plain_share = (drift(fit_projection(run.history, m, cfg.seed)(run.history.params))
                             for m in ("rms", "random"))
    assert drift_rows[0].measured.startswith(f"{weighted:.0%} vs {plain_share:.0%}")  # drawn with RMS weights only
    assert ("weighted path drifts more" in drift_rows[0].measured) == (weighted > plain_share)


def test_a_random_walks_first_component_explains_about_six_over_pi_squared():
    from vizcore.trajectory import random_walk_shares, random_walk_theory

    shares = random_walk_shares(1000, 300, k=3, seed=1)
    assert abs(shares[0] - 6 / np.pi ** 2) < 0.08 and shares[0] > shares[1] > shares[2]
    np.testing.assert_allclose(random_walk_theory(2), [6 / np.pi ** 2, 1.5 / np.pi ** 2])


def test_plane_loss_equals_path_loss_on_a_planar_path_and_differs_off_it():
    from vizcore import datasets
    from vizcore.nets import MLP, flat_params
    from vizcore.trajectory import path_and_plane_loss

    ds = datasets.make("spirals", n=200, seed=0)
    model = MLP(2, (4,), 2, seed=0)
    w = flat_params(model).astype(np.float64)
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, w.size))
    t = np.linspace(0, 1, 20)[:, None]
    planar = w + t * a + t ** 2 * b  # lies in the plane through w spanned by a and b
    path, plane = path_and_plane_loss(model, planar, ds.X, ds.y, ds.task)
    np.testing.assert_allclose(plane, path, rtol=1e-4)
    bent = planar + np.sin(7 * t) * rng.normal(size=w.size)  # a third direction the plane cannot hold
    path, plane = path_and_plane_loss(model, bent, ds.X, ds.y, ds.task)
    assert np.abs(plane - path).max() > 0.01


def test_every_preset_is_a_valid_experiment_with_a_title_and_what_to_notice():
    for key, preset in PRESETS.items():
        assert [type(c) for c in preset.configs()] == [TrajectoryConfig, TrajectoryView], key  # a preset sets both
        for cfg in preset.configs():
            cfg.check()
        assert preset.title and preset.notice, key
        assert all(line in notice(key) for line in preset.notice)
        assert f"**The article says** {preset.article_says()}" in "\n".join(notice(key))
    assert "Custom settings" in "\n".join(notice("custom"))


def test_every_setting_names_its_widget_and_the_rate_slider_offers_a_linked_rate():
    from dataclasses import fields

    assert all(f.metadata["label"] for cls in (TrajectoryConfig, TrajectoryView) for f in fields(cls))
    assert rate_choices(0.05) == sorted(RATES) and 0.0123 in rate_choices(0.0123)
    assert rate_choices(0.0123) == sorted(rate_choices(0.0123))


def test_settings_a_mode_ignores_are_hidden():
    assert TrajectoryConfig().unused() == ("batch", "n")  # fresh points per example: no fixed set, no batches
    assert TrajectoryConfig(fresh=False).unused() == ("batch",)
    assert TrajectoryConfig(mode="minibatch").unused() == ("fresh",)
    assert TrajectoryConfig(mode="full-batch").unused() == ("fresh", "batch")


def test_a_linked_moment_is_the_nearest_recorded_one_and_minus_one_the_end():
    run = type("Run", (), {"history": type("H", (), {"step": np.array([0, 1, 2, 100, 200])})()})()
    assert recorded_moment(run, -1) == -1 and recorded_moment(run, 2) == 2 and recorded_moment(run, 140) == 100
    assert recorded_moment(run, 10_000) == -1 and recorded_moment(run, 200) == -1  # the end


def test_the_random_walk_baseline_is_seen_at_the_runs_own_uneven_snapshot_times():
    from vizcore.trajectory import random_walk_shares

    steps = np.r_[np.arange(1, 201), np.arange(1449, 250_001, 1249)]  # dense early, sparse late, like lesson 3's runs
    even = np.mean([random_walk_shares(len(steps), 510, 1, seed=s)[0] for s in range(4)])
    uneven = np.mean([random_walk_shares(len(steps), 510, 1, seed=s, at=steps)[0] for s in range(4)])
    assert even < 0.66 < 0.69 < uneven  # seen where the run was seen, the walk's first share is higher
