"""Loss landscapes: the batched surface, filter normalisation, PCA planes, descent on two weights."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from figure_view import plain
from sklearn.decomposition import PCA

import vizcore as vz
from vizcore import UserError, landscape
from vizcore.lessons import landscape as lesson
from vizcore.engine import Architecture
from vizcore.runs import train_run
from vizcore.train import evaluate


@pytest.fixture(scope="module")
def spiral_run():
    ds = vz.datasets.make("spirals", n=300, noise=0.05, seed=1)
    model = vz.nets.MLP(2, (8, 8), 2, "tanh", seed=0)
    hist = vz.train.fit(model, ds, steps=300, lr=0.03, record_every=10)
    return model, ds, hist


@pytest.fixture(scope="module")
def curve_run():
    ds = vz.datasets.make("curve", n=120, target="2sin(x)+5")
    model = vz.nets.MLP(1, (6,), 1, "relu", seed=2)
    vz.train.fit(model, ds, steps=200, lr=0.03)
    return model, ds


def test_centre_of_the_surface_is_the_models_loss(spiral_run, curve_run):
    for model, ds in (spiral_run[:2], curve_run):
        dirs = landscape.random_directions(model, seed=3)
        surf = landscape.surface(model, ds, dirs, span=0.5, resolution=11)
        assert surf.center_loss == pytest.approx(evaluate(model, ds)[0], rel=1e-5)


def test_filter_normalised_rows_have_the_weights_row_norms(spiral_run):
    model = spiral_run[0]
    arch, w = Architecture.of(model), vz.nets.flat_params(model)
    for d in landscape.random_directions(model, seed=5):
        for (D, bias_d), (W, _) in zip(arch.unflatten(d[None]), arch.unflatten(w[None])):
            np.testing.assert_allclose(np.linalg.norm(D[0], axis=1), np.linalg.norm(W[0], axis=1), rtol=1e-5)
            assert np.all(bias_d == 0)


def test_batched_surface_equals_the_looped_one(spiral_run, curve_run):
    for model, ds in (spiral_run[:2], curve_run):
        dirs = landscape.random_directions(model, seed=7)
        fast = landscape.surface(model, ds, dirs, span=(1.0, 0.6), resolution=7)
        slow = landscape.looped_surface(model, ds, dirs, span=(1.0, 0.6), resolution=7)
        np.testing.assert_allclose(fast.loss, slow.loss, rtol=2e-5, atol=1e-6)
        assert fast.loss.std() > 0  # the plane is not flat: the comparison means something


def test_batched_loss_handles_more_than_two_classes():
    X = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    y = np.arange(50) % 3
    ds = vz.datasets.Dataset(X, y.astype(np.int64), "classification", "three")
    model = vz.nets.MLP(2, (4,), 3, "sigmoid", seed=0)
    dirs = landscape.random_directions(model, seed=0, normalise=False)
    fast = landscape.surface(model, ds, dirs, span=2.0, resolution=5)
    slow = landscape.looped_surface(model, ds, dirs, span=2.0, resolution=5)
    np.testing.assert_allclose(fast.loss, slow.loss, rtol=2e-5)


def test_two_weight_surface_moves_only_those_weights(curve_run):
    model, ds = curve_run
    surf = landscape.surface(model, ds, landscape.weight_directions(model, 0, 7), span=1.0, resolution=5)
    twin = model.clone()
    flat = vz.nets.flat_params(model)
    flat[0] += surf.a[1]
    flat[7] += surf.b[4]
    vz.nets.load_flat(twin, flat)
    assert surf.loss[4, 1] == pytest.approx(evaluate(twin, ds)[0], rel=1e-5)


def test_pca_plane_matches_sklearn_and_ends_at_the_origin(spiral_run):
    hist = spiral_run[2]
    plane = landscape.pca_plane(hist.params)
    reference = PCA(2).fit(hist.params.astype(np.float64))
    np.testing.assert_allclose(plane.explained, reference.explained_variance_ratio_, rtol=1e-4)
    np.testing.assert_allclose(np.abs(plane.directions @ reference.components_.T), np.eye(2), atol=1e-4)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-5)
    np.testing.assert_allclose(plane.path[-1], 0, atol=1e-6)
    assert plane.path[0, 0] < 0  # the sign convention: training runs from negative PC1 to the centre


def test_descent_on_two_weights_goes_downhill_and_freezes_the_rest(spiral_run):
    model, ds, _ = spiral_run
    center = vz.nets.flat_params(model)
    starts = center[[0, 1]] + np.array([[-2.0, 2.0], [1.5, -1.0]])
    d = landscape.descend(model, ds, 0, 1, starts, lr=0.5, steps=60)
    assert d.path.shape == (2, 61, 2) and d.loss.shape == (2, 61)
    np.testing.assert_allclose(d.path[:, 0], starts)
    assert np.all(d.loss[:, -1] < d.loss[:, 0])
    # each start's loss at epoch 0 is the loss of the model with just those two weights changed
    twin = model.clone()
    flat = center.copy()
    flat[[0, 1]] = starts[1]
    vz.nets.load_flat(twin, flat)
    assert d.loss[1, 0] == pytest.approx(evaluate(twin, ds)[0], rel=1e-5)
    # batched over starts = one start at a time
    alone = landscape.descend(model, ds, 0, 1, starts[1:], lr=0.5, steps=60)
    np.testing.assert_allclose(alone.path[0], d.path[1], rtol=1e-10)


def test_two_weights_view_centres_the_grid_on_the_nets_values(spiral_run):
    model, ds, _ = spiral_run
    cfg = lesson.LandscapeConfig(weight_a=2, weight_b=5, sample=30, resolution=11, gd_epochs=5, starts="auto")
    view = lesson.two_weights(model, ds, cfg)
    flat = vz.nets.flat_params(model)
    a, b = view.axes(view.surface)
    assert a[5] == pytest.approx(flat[2]) and b[5] == pytest.approx(flat[5])
    assert view.sample_label == "N = 30" and view.other_label.startswith("N = 300")
    assert not np.allclose(view.surface.loss, view.other.loss)  # the landscape depends on the examples


@pytest.fixture(scope="module")
def opening_view():
    """The lesson's opening view: an early 2-3-2 net on the disc in a ring, N = 100 of 10,000 examples."""
    run = train_run(lesson.EARLY)
    return lesson.two_weights(run.model, lesson.evaluation_pool(lesson.EARLY), lesson.LandscapeConfig())


def test_opening_view_reproduces_the_article_three_starts_three_ends(opening_view):
    view = opening_view
    assert view.other.loss.shape == view.surface.loss.shape and view.other_label == "N = 10,000 (all)"
    gaps = view.end_gaps()
    assert gaps[np.triu_indices(3, 1)].min() >= 0.25  # pairwise, as fractions of the map's width
    ends = view.descent.path[:, -1]
    a, b = view.axes(view.surface)
    assert np.all((ends[:, 0] > a[0]) & (ends[:, 0] < a[-1]) & (ends[:, 1] > b[0]) & (ends[:, 1] < b[-1]))
    starts = view.descent.path[:, 0]
    assert np.linalg.norm(starts[:, None] - starts[None], axis=2).max() < 0.2 * view.width  # starts close together


def test_opening_view_small_sample_and_all_examples_differ(opening_view):
    view = opening_view
    assert len(landscape.local_minima(view.surface)) >= 3 > len(landscape.local_minima(view.other))
    assert np.abs(view.surface.loss - view.other.loss).max() > 0.05
    assert view.end_gaps(view.other_descent).max() < 0.05  # on all examples the three starts meet


def test_article_checks_report_the_saddle_between_two_valleys(opening_view):
    checks = lesson.article_checks(opening_view)
    assert len(checks) == 5
    assert checks[-1][1].endswith(": a saddle point.") and "3 local minima" in checks[0][1]


def test_the_claims_are_article_002s_checks_measured_once_on_the_picture_the_page_draws():
    run, cfg = lesson.LESSON.compute(lesson.EARLY), lesson.LandscapeConfig()
    picture = lesson.weights_picture(run, cfg)
    claims = lesson.claims("descent", run, cfg)  # measured afresh
    assert claims == picture.claims == lesson.claims("descent", run.beside(picture), cfg)
    assert [(c.said, c.measured) for c in claims] == lesson.article_checks(picture.view)
    assert {c.source for c in claims} == {"article 002"}
    assert lesson.claims("descent", run, replace(cfg, view="plane")) == []  # the article checks two weights only


def test_a_presets_notice_says_what_the_article_says_and_custom_settings_get_none():
    for key, preset in lesson.PRESETS.items():
        lines = lesson.notice(key)
        assert lines[:len(preset.notice)] == list(preset.notice), key
        assert (f"- **The article:** {preset.article}" in lines) == bool(preset.article), key
    assert lesson.notice("custom") == []


def test_article_checks_say_the_article_net_is_not_this_one_and_where_the_starts_end(opening_view):
    said, measured = lesson.article_checks(opening_view)[3]
    assert "784-50-500-10" in said and "sigmoid" in said and "MNIST" in said
    assert "end in 3 different places" in measured  # the opening view's starts split three ways


def test_mountain_pass_and_curvatures_on_a_double_well():
    a = b = np.linspace(-2, 2, 41)
    A, B = np.meshgrid(a, b)
    surf = landscape.Surface(a, b, (A ** 2 - 1) ** 2 + B ** 2, np.zeros(2), np.zeros((2, 2)))
    minima = landscape.local_minima(surf)
    assert sorted(map(tuple, minima)) == [(20, 10), (20, 30)]  # (row b = 0, columns a = -1 and a = 1)
    j, i = landscape.mountain_pass(surf, (20, 10), (20, 30))
    assert (j, i) == (20, 20)
    low, high = landscape.curvatures(surf, j, i)
    assert low == pytest.approx(-4, abs=0.1) and high == pytest.approx(2, abs=0.1)
    assert np.all(landscape.curvatures(surf, 20, 30) > 0)


def test_subsample_is_seeded_and_sized(spiral_run):
    ds = spiral_run[1]
    a, b = landscape.nested_sample(ds, 40, seed=1), landscape.nested_sample(ds, 40, seed=1)
    assert a.n == 40 and np.array_equal(a.X, b.X)
    assert landscape.nested_sample(ds, 0) is ds and landscape.nested_sample(ds, 10_000) is ds


@pytest.mark.parametrize("text", ["1 2 3", "(1, 2, 3)", "(a, b)", "(1,2);(3,4);(5,6);(7,8)", "(1e9, 0)", "(nan, 1)"])
def test_bad_start_points_are_user_errors(text):
    with pytest.raises(UserError):
        landscape.parse_starts(text, np.zeros(2), 1.0)


def test_start_points_parse():
    np.testing.assert_allclose(landscape.parse_starts("(-2, 3); (1, 1.5)", np.zeros(2), 1.0), [[-2, 3], [1, 1.5]])
    assert landscape.parse_starts("auto", np.array([1.0, 2.0]), 2.0).shape == (3, 2)


def test_the_descent_moves_at_a_steady_pace_for_most_of_its_play(opening_view):
    # frames spread by epoch had the points travel 99% of their way in the first 10 of 27 frames (1.3 s of 5.9 s)
    from vizcore.figures.landscape import descent_figure

    view = opening_view
    a, b = view.axes(view.surface)
    spec = descent_figure(a, b, view.surface.loss, view.descent.path, view.descent.loss, *view.names,
                          center=view.center)
    path = view.descent.path / np.array([a[-1] - a[0], b[-1] - b[0]])
    way = np.r_[0, np.cumsum(np.linalg.norm(np.diff(path, axis=1), axis=2).sum(0))]
    heads = np.array([float(frame["name"]) for frame in spec.frame_dicts])
    gone = np.interp(heads, np.arange(len(way)), way) / way[-1]  # share of the way behind each frame
    assert heads[0] == 0 and heads[-1] == len(way) - 1
    moving = int(np.argmax(gone >= 0.99))
    assert moving >= 0.75 * len(heads), (moving, len(heads))
    steps = np.diff(gone[:moving + 1])
    assert steps.max() <= 1.5 * np.median(steps)  # one pace, not a burst


def test_bad_requests_are_user_errors(curve_run):
    model, ds = curve_run
    with pytest.raises(UserError):
        landscape.weight_directions(model, 0, 0)
    with pytest.raises(UserError):
        landscape.weight_directions(model, 0, model.n_params)
    with pytest.raises(UserError):
        landscape.surface(model, ds, landscape.weight_directions(model, 0, 1), resolution=1000)
    with pytest.raises(UserError):
        landscape.surface(model, ds, np.zeros((2, 3)))
    with pytest.raises(UserError):
        landscape.descend(model, ds, 0, 1, np.zeros((1, 2)), lr=1e6, steps=10)


def test_descent_figure_has_a_titled_colour_bar_clear_of_the_cost_chart_and_clean_loss_axes(opening_view):
    from vizcore.figures.landscape import descent_figure, loss_axis
    from vizcore.export import standalone_html

    view = opening_view
    a, b = view.axes(view.surface)
    spec = descent_figure(a, b, view.surface.loss, view.descent.path, view.descent.loss, *view.names,
                          center=view.center)
    fig = plain(spec)
    # the map is a picture plotly keeps while playing (it blanks contour traces mid-play, plotly.js #4491)
    assert "contour" not in [t.type for t in fig.data] and fig.layout.images[0].source.startswith("data:image/png")
    bar = next(t.marker.colorbar for t in fig.data if t.type == "scatter" and t.marker.colorbar.title.text)
    assert bar.title.text == "loss"
    assert fig.layout.xaxis.domain[1] < bar.x < fig.layout.xaxis2.domain[0] - 0.05  # room for the cost axis
    frames = fig.to_dict()["frames"]
    assert len(frames) >= 10 and all(len(f["data"]) == 15 for f in frames)  # 3 starts x (2 + 2 + 1 cost line)
    assert frames[-1]["name"] == str(view.descent.path.shape[1] - 1)  # the last frame is the last epoch
    assert "Plotly.newPlot" in standalone_html(spec)  # the download still builds
    assert fig.layout.yaxis2.type == "linear"  # this cost spans less than a factor of 10
    log = loss_axis([1e-4, 0.3, 2.0])
    assert log["type"] == "log" and log["dtick"] == 1 and log["exponentformat"] == "power"
    assert loss_axis([0.6, 0.7])["type"] == "linear"


def test_the_surfaces_3d_text_and_legend_dots_are_readable(opening_view):
    # the 3D ticks were 9 px seen from (1.9, -1.9, 1.3): about 6 px on screen; 3D points drew 2-3 px legend dots
    from vizcore.figures.landscape import descent_figure
    from vizcore.figures.style import FONT

    view = opening_view
    a, b = view.axes(view.surface)
    spec = descent_figure(a, b, view.surface.loss, view.descent.path, view.descent.loss, *view.names,
                          center=view.center)
    scene = spec.to_dict()["layout"]["scene"]
    for axis in ("xaxis", "yaxis"):
        assert scene[axis]["tickfont"]["size"] >= FONT["size"] - 1 and scene[axis]["nticks"] <= 4
    assert scene["zaxis"]["showticklabels"] is False  # the loss reads off the map's colour bar: room for the rest
    eye = scene["camera"]["eye"]
    # was 3.0 (6 px ticks); 2.3 cut the labels off at the scene's edge on a 1,400 px page; 2.73 fits them
    assert np.linalg.norm([eye["x"], eye["y"], eye["z"]]) <= 2.8
    assert spec.to_dict()["layout"]["legend"]["itemsizing"] == "constant"
    projected = spec.resized(min_font=18).to_dict()["layout"]["scene"]
    assert min(projected[axis]["tickfont"]["size"] for axis in ("xaxis", "yaxis")) >= 16


def test_the_descent_drawn_as_two_charts_is_the_whole_figure_split_and_played_by_the_same_frames():
    net, cfg = lesson.PRESETS["descent"].configs()
    picture = lesson.weights_picture(train_run(net), replace(cfg, resolution=21))
    maps, surface, whole = (part.to_dict() for part in (picture.descent, picture.surface, picture.whole))
    kinds = [sorted({t["type"] for t in fig["data"]}) for fig in (maps, surface)]
    assert kinds == [["scatter"], ["scatter3d", "surface"]]  # the first picture needs no WebGL
    assert len(maps["data"]) + len(surface["data"]) == len(whole["data"])
    names = [[f["name"] for f in fig["frames"]] for fig in (maps, surface, whole)]
    assert names[0] == names[1] == names[2] and len(names[0]) > 10  # the surface can follow the maps' slider
    assert "sliders" in maps["layout"] and "sliders" not in surface["layout"] and "scene" not in maps["layout"]
    for fig in (maps, surface):  # every frame moves the path traces of its own figure
        moved = {i for f in fig["frames"] for i in f["traces"]}
        paths = {i for i, t in enumerate(fig["data"]) if t.get("name", "").startswith("start")
                 and ("lines" in t.get("mode", "") or t["name"].endswith(" now"))}  # the way, and where it is now
        assert moved == paths and all(fig["data"][i]["type"] == f["data"][n]["type"]
                                      for f in fig["frames"] for n, i in enumerate(f["traces"]))
