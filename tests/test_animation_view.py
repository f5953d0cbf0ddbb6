"""Every animation keeps its data inside the picture in every frame, as plotly.js plays it."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from figure_view import plain, values, points_out_of_view
from vizcore.datasets import subsample
from vizcore.figures.layers import camera, layer_animation, view_ranges
from vizcore.layers import animate
from vizcore.lessons.layers import PRESETS, animation
from vizcore.runs import train_run


def _preset_animation(key: str):
    run = train_run(PRESETS[key].config)
    keep = subsample(run.dataset.n, 200)
    anim = animate(run.model, run.dataset.X[keep], frames_per_phase=6, grid_resolution=12)
    return anim, layer_animation(anim, run.dataset.y[keep])


@pytest.mark.parametrize("key", list(PRESETS))
def test_layers_preset_keeps_every_point_in_view_while_playing(key):
    anim, fig = _preset_animation(key)
    assert points_out_of_view(fig) == []
    if anim.dim == 2:  # the camera moves the data, never the axes: nothing depends on plotly's relayouts
        centre, scale = camera(anim.points)
        assert np.all(np.abs((anim.points - centre[:, None]) / scale[:, None, None]) <= 1 + 1e-6)
        layout = fig.to_dict()["layout"]
        assert layout["xaxis"]["range"][0] < -1 and layout["yaxis"]["range"][0] < -1
        frames = fig.to_plotly_json()["frames"]
        assert not any("layout" in f for f in frames)
        ticks = [t for t in frames[-1]["data"] if "text" in t][0]
        assert len(ticks["text"]) >= 6 and all("e" not in t for t in ticks["text"])  # true coordinates, plainly


def test_checker_sees_points_leave_fixed_axes():
    """The check itself can fail: the old fixed-range animation lost points on Play."""
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="markers"),
                    frames=[go.Frame(data=[go.Scatter(x=[0, 5], y=[0, 1])], name="0")])
    fig.update_xaxes(range=[-1, 2])
    assert points_out_of_view(fig) == ["frame 0: trace 0 (None) has 1 of 2 points outside xaxis [-1, 2]"]


def test_view_glides_and_never_shows_a_micro_scale():
    t = np.linspace(0, 1, 30)[:, None, None]
    points = np.concatenate([np.c_[np.linspace(-1, 1, 50), np.zeros(50)][None] * (1 + 9 * t)], axis=0)
    ranges = view_ranges(points)
    span = ranges[:, :, 1] - ranges[:, :, 0]
    assert np.all(span[:, 1] >= 0.0999 * span[:, 0])  # the flat axis gets a tenth of the other's span
    ratio = span[1:, 0] / span[:-1, 0]
    assert np.all((ratio >= 1) & (ratio <= 1.35))  # grows as the data does (31% at most here), never jumps back


@pytest.mark.parametrize("key", ["spirals", "disc3"])
def test_pulled_back_boundary_lies_on_the_output_line_in_the_last_frame(key):
    run = train_run(PRESETS[key].config)
    anim = animate(run.model, run.dataset.X[:100], frames_per_phase=4)
    normal, offset = anim.boundary
    last = anim.curve[-1]
    last = last[np.isfinite(last).all(1)]
    assert len(last) > 10
    distance = np.abs(last @ normal + offset) / np.linalg.norm(normal)
    assert distance.max() < 0.01  # the contour is traced on a grid: within 1% of the square (-1, 1)²


def test_every_phase_lasts_long_enough_to_narrate_with_pauses_between_layers():
    anim, spec = _preset_animation("spirals")
    fig = plain(spec)  # validated by plotly, frames included
    play = fig.layout.updatemenus[0].buttons[0].args[1]
    per_phase = 6 * play["frame"]["duration"]
    assert 1400 <= per_phase <= 1700
    holds = [f for f in fig.to_plotly_json()["frames"] if not f.get("data")]
    assert len(holds) * play["frame"]["duration"] >= 2 * 900  # two pauses of about a second (3 layers)
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert labels[:3] == ["▶ Play", "▶ Slow", "▶▶ Fast"] and "Pause" in labels[3]
    assert len(fig.layout.sliders[0].steps) == len(anim.labels)  # pauses have no slider step


def test_grand_tour_turns_through_every_dimension_and_stays_in_its_box():
    from vizcore.figures.layers import grand_tour

    X = np.random.default_rng(0).normal(size=(60, 4))
    X[:, 3] *= 5  # most of the spread in the 4th direction, invisible in the first three
    fig = grand_tour(X, np.arange(60) % 2, frames=40)
    frames = fig.to_plotly_json()["frames"]
    spread = [np.std(np.r_[values(f["data"][0], "x"), values(f["data"][1], "x")]) for f in frames]
    assert max(spread) > 3 * min(spread)  # the wide direction swings into and out of view
    limit = fig.to_dict()["layout"]["scene"]["xaxis"]["range"][1]
    assert all(np.abs(values(f["data"][0], a)).max() <= limit for f in frames for a in "xyz")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grand_tour_of_the_linked_tori_keeps_every_point_in_its_box_and_closes_its_loop(seed):
    from dataclasses import replace

    from vizcore.figures.layers import grand_tour, tour_views
    from vizcore.lessons.layers import tour_points

    run = train_run(replace(PRESETS["tori4"].config, seed=seed))
    points, labels = tour_points(run, -1)
    frames_ = 90
    fig = grand_tour(points, labels, frames=frames_)
    frames = fig.to_plotly_json()["frames"]
    limit = fig.to_dict()["layout"]["scene"]["xaxis"]["range"][1]
    for f in frames:
        for trace in f["data"]:
            assert all(np.abs(values(trace, a)).max() <= limit for a in "xyz")
    assert fig.to_dict()["layout"]["sliders"][0]["steps"][-1]["label"] == f"turn {(frames_ - 1) / frames_:.0%}"
    views = tour_views(points, frames_)
    np.testing.assert_allclose(views[-1], views[0], atol=1e-9)  # one more step and the tour is where it began



def test_training_animation_shows_each_moment_with_its_own_boundary_on_a_line():
    from vizcore.layers import training_frames

    run = train_run(PRESETS["disc3"].config)
    snapshots = np.array([0, len(run.history) // 4, len(run.history) - 1])
    anim = training_frames(run.model, run.history, run.dataset.X[:150], snapshots, run.history.step)
    assert anim.labels == [f"step {int(run.history.step[t]):,}" for t in snapshots]
    for f, t in enumerate(snapshots):  # each moment's boundary, pushed through that moment's net, is flat
        W, b = (p.detach().numpy() for p in run.history.model_at(run.model, int(t)).layers[-1].parameters())
        curve = anim.curve[f][np.isfinite(anim.curve[f]).all(1)]
        assert len(curve) > 10
        assert np.abs(curve @ (W[1] - W[0]) + (b[1] - b[0])).max() < 0.02 * np.linalg.norm(W[1] - W[0])
    fig = layer_animation(anim, run.dataset.y[:150], frame_ms=250)
    assert points_out_of_view(fig) == [] and len(fig.to_plotly_json()["frames"]) == 3  # no pauses


def test_three_classes_end_in_softmax_regions_bounded_by_straight_lines():
    run = train_run(PRESETS["spirals3"].config)
    assert run.history.accuracy[-1] >= 0.99 and run.dataset.n_classes == 3
    anim, labels = animation(run)
    W, b = (p.detach().numpy() for p in run.model.layers[-1].parameters())
    last = anim.curve[-1][np.isfinite(anim.curve[-1]).all(1)][:, :2]  # the 2-unit last layer
    logits = np.sort(last @ W.T + b, axis=1)
    gap = np.abs(logits[:, -1] - logits[:, -2])  # zero on a tie, i.e. on a straight line between two regions
    assert len(last) > 20 and np.median(gap) < 0.03 and np.quantile(gap, 0.9) < 0.1  # traced on an input grid
    assert points_out_of_view(layer_animation(anim, labels)) == []


# --- the other lessons' animations, built as their pages build them ---------------------------

def test_lesson_2_seed_animation_keeps_every_point_in_view():
    from vizcore.lessons.low_dimension import CLAIMS
    from vizcore.sweeps import fit_many

    claim = CLAIMS["disc"]
    ds = claim.run_config(claim.variants[0], 0).make_dataset()
    sweep = fit_many(ds, widths=(2, 2), seeds=[0], steps=300, lr=0.03)
    anim = animate(sweep.model(0), ds.X[:200], frames_per_phase=4, grid_resolution=10)
    assert points_out_of_view(layer_animation(anim, ds.y[:200])) == []


def test_vector_flow_keeps_every_point_in_view():
    from vizcore import vectorfield as vf
    from vizcore.lessons import vector_fields as lesson
    from vizcore.lessons.vector_fields import VfConfig

    run = lesson.train(VfConfig(dataset="disc_annulus", n=120, steps=20))
    X, y = run.dataset.X[:120], run.dataset.y[:120]
    anim = vf.animation(run, X, frames_per_step=2)
    assert points_out_of_view(layer_animation(anim, y, phase_seconds=3.0)) == []


def test_trajectory_animation_keeps_every_point_in_view():
    from vizcore.figures.trajectory import training_view
    from vizcore.lessons.trajectory import TrajectoryConfig, lesson_view, train_trajectory

    run = train_trajectory(TrajectoryConfig(steps=3000, n=2000))
    maps, paths = lesson_view(run, resolution=20, max_frames=30)
    assert points_out_of_view(training_view(maps, paths, error_label="RMS error", path_label="direction")) == []


def test_landscape_descent_keeps_every_point_in_view():
    from vizcore.lessons import landscape
    from vizcore.figures.landscape import descent_figure

    net = landscape.EARLY
    view = landscape.two_weights(train_run(net).model, landscape.evaluation_pool(net),
                                 landscape.LandscapeConfig(resolution=21))
    a, b = view.axes(view.surface)
    fig = descent_figure(a, b, view.surface.loss, view.descent.path, view.descent.loss, *view.names,
                         center=view.center)
    assert points_out_of_view(fig) == []
