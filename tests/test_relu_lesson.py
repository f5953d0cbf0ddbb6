"""Lesson 8, what ReLU does to topology: the ReLU layer's animation ends at its fold, the claims' verdicts follow the
counts, and the page runs and round-trips its link."""
from __future__ import annotations

import numpy as np
import torch

from tests.pagetools import assert_clean, notice, open_page, sent_step_labels
from vizcore.layers import animate, canonicalise, layer_facts, linear_path
from vizcore.lessons import relu_topology as lesson
from vizcore.lessons.relu_topology import Summary, claims_of, drops, first_simple, summarise
from vizcore.nets import MLP, layer_weights
from vizcore.topology import Betti

PAGE = "70_relu_topology.py"
SMALL = {"seeds": "2", "steps": "300", "n": "200"}  # the page's pictures and table in a few seconds


def test_a_relu_layer_animation_ends_at_max_of_zero_and_wx_plus_b():
    model = MLP(2, (3, 3), 2, activation="relu", seed=4)
    X = np.random.default_rng(0).normal(size=(40, 2))
    fpp = 5
    anim = animate(model, X, frames_per_phase=fpp)
    h = X
    for k, (W, b) in enumerate(layer_weights(canonicalise(model)[0])[:-1], start=1):
        h = np.maximum(0.0, h @ W.T + b)
        end = anim.points[3 * fpp * k]  # input, then linear, shift and ReLU phases of fpp frames per layer
        np.testing.assert_allclose(end, h, atol=1e-5)
        assert anim.labels[3 * fpp * k] == f"layer {k} · relu"
        assert (end >= 0).all() and (end == 0).any()  # folded onto the orthant, some coordinates pressed to 0


def test_a_relu_layer_with_invertible_w_moves_through_invertible_frames_until_its_fold():
    model = MLP(2, (2,), 2, activation="relu", seed=1)
    twin, _ = canonicalise(model)
    W = layer_weights(twin)[0][0]
    assert layer_facts(twin, np.random.default_rng(0).normal(size=(50, 2)), [False])[0].kind == "fold"
    dets = np.linalg.det(linear_path(W, np.linspace(0.05, 1, 20)))
    assert (dets > 0).all() and np.isclose(dets[-1], np.linalg.det(W))
    with torch.no_grad():  # a W whose straight path (1 - t) I + t W passes through a flat frame: W = 2·rotation(170°)
        a = np.radians(170)
        twin.layers[0].weight.copy_(torch.tensor(2 * np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])))
    W = layer_weights(twin)[0][0]
    assert (np.linalg.det(linear_path(W, np.linspace(0, 1, 41))) > 0).all()


def test_a_class_that_a_dead_relu_layer_presses_to_one_point_reads_one_piece_no_loop():
    from vizcore.topology import betti

    assert betti(np.zeros((300, 8))) == Betti(1, 0)
    assert betti(np.c_[np.zeros((300, 7)), np.ones(300)]) == Betti(1, 0)


def _counts(*per_layer):
    """Counts of two classes from (b0, b1) pairs per representation; None for unresolved."""
    return [{0: Betti(*a) if a else Betti(None, None), 1: Betti(*b) if b else Betti(None, None)} for a, b in per_layer]


def test_first_simple_and_drops_read_the_counts_and_carry_unresolved_cells_forward():
    run = _counts(((1, 1), (1, 1)), ((1, 1), None), ((1, 0), (1, 0)), ((1, 0), (1, 0)))
    assert first_simple(run, 0) == 2 and first_simple(run, 1) == 2
    assert list(drops(run, 0)) == [0, 1, 0]
    assert list(drops(run, 1)) == [0, 1, 0]  # the unresolved layer 1 passes its change on to layer 2
    assert first_simple(_counts(((1, 1), (1, 1)), ((1, 1), (1, 1))), 0) is None


def _summary(activation, depth, first, late, end=1.0, trained=8):
    return Summary(activation, depth, 8, trained, end, first, 1.0, late, 0.5, (4.0,) * (depth + 2))


def _table(relu_first=(2.0, 2.5, 3.0), tanh_first=(3.0, 5.0, 7.0), relu_late=(0.9, 0.6, 0.2),
           tanh_late=(1.0, 1.0, 1.0), end=1.0):
    table = {}
    for i, d in enumerate(lesson.DEPTHS):
        table["relu", d] = _summary("relu", d, relu_first[i], relu_late[i], end)
        table["tanh", d] = _summary("tanh", d, tanh_first[i], tanh_late[i], end)
    return table


def verdicts(table):
    return {c.about: c.agrees for c in claims_of(table)}


def test_the_claims_verdicts_follow_the_numbers():
    base = verdicts(_table())
    assert base == {"well-trained nets": True, "ReLU against tanh": True, "shallow against deep, tanh": False,
                    "shallow against deep, ReLU": True}
    assert verdicts(_table(relu_first=(2.0, 5.5, 3.0)))["ReLU against tanh"] is False  # slower at one depth
    assert verdicts(_table(relu_late=(0.4, 0.3, 0.2)))["shallow against deep, ReLU"] is False  # shallow not late
    assert verdicts(_table(relu_late=(0.9, 0.8, 0.7)))["shallow against deep, ReLU"] is False  # deep not spread
    assert verdicts(_table(tanh_late=(1.0, 0.6, 0.3)))["shallow against deep, tanh"] is True
    assert verdicts(_table(end=0.8))["well-trained nets"] is False
    said = {c.about: c for c in claims_of(_table())}
    assert "2.5 with ReLU, 5.0 with tanh of 4" in said["ReLU against tanh"].measured
    assert all(c.source == lesson.SOURCE for c in said.values())


def test_summarise_measures_where_the_fall_happens():
    early = _counts(((1, 1), (1, 1)), ((1, 0), (1, 0)), ((1, 0), (1, 0)), ((1, 0), (1, 0)))  # all at layer 1
    late = _counts(((1, 1), (1, 1)), ((1, 1), (1, 1)), ((1, 1), (1, 1)), ((1, 0), (1, 0)))   # all at the output
    s = summarise("relu", 2, [early, late], np.array([1.0, 0.5]))
    assert s.trained == 1 and s.first == 2.0 and s.reached == 1.0 and s.late_share == 0.5
    assert s.position == 0.5 and s.per_layer == (4.0, 3.0, 3.0, 2.0) and s.simple_at_output == 1.0


def test_the_page_shows_both_nets_their_counts_and_the_claims_measured_live():
    at = assert_clean(open_page(PAGE, SMALL))
    counts = at.dataframe[0].value
    assert list(counts["representation"]) == ["input", "layer 1", "layer 2", "layer 3", "layer 4", "output"]
    assert {"tanh · class A", "ReLU · class B"} <= set(counts.columns)
    claims = next(t.value for t in at.table if "measured here" in t.value.columns)
    assert len(claims) == 4 and "agrees" in claims.columns
    assert any("Naitzat" in c for c in claims.columns)
    against = [about for about, verdict in claims["agrees"].items() if verdict.startswith("✗")]
    assert all(about in notice(at) for about in against)  # a claim the counts do not support is said plainly
    assert ("does not support the paper" in notice(at)) == bool(against)
    sweep = next(t.value for t in at.table if "first layer at (1, 0)" in t.value.columns)
    assert len(sweep) == 6 and all("of 2" in v for v in sweep["trained to 99%"])
    assert len(at.get("plotly_chart")) == 2
    at.radio(key="rt_animate").set_value("tanh").run()
    assert_clean(at)
    assert any("layer 1 · tanh" in label for label in sent_step_labels(at, "relu_animation"))


def url(at):
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def test_the_link_sets_every_widget_and_the_view_and_comes_back_the_same():
    query = {"dataset": "disc_annulus", "depth": "2", "width": "6", "n": "150", "seed": "3", "steps": "200",
             "lr": "0.03", "seeds": "2", "animate": "tanh"}
    at = assert_clean(open_page(PAGE, query))
    assert at.selectbox(key="rt_dataset").value == "disc_annulus" and at.radio(key="rt_depth").value == 2
    assert at.number_input(key="rt_width").value == 6 and at.slider(key="rt_n").value == 150
    assert at.number_input(key="rt_seed").value == 3 and at.number_input(key="rt_steps").value == 200
    assert at.select_slider(key="rt_lr").value == 0.03 and at.number_input(key="rt_seeds").value == 2
    assert at.radio(key="rt_animate").value == "tanh"
    assert len(at.dataframe[0].value) == 4  # input, 2 layers, output
    assert url(at) == query
    again = assert_clean(open_page(PAGE, url(at)))
    assert [m.value for m in again.metric] == [m.value for m in at.metric]
    assert again.dataframe[0].value.equals(at.dataframe[0].value)


def test_junk_in_the_link_falls_back_with_a_warning_naming_each_key():
    junk = {"depth": "5", "width": "99", "lr": "nan", "dataset": "moons", "animate": "sigmoid", "zzz": "1", **SMALL}
    at = assert_clean(open_page(PAGE, junk))
    text = " ".join(w.value for w in at.warning)
    for key in ("depth", "width", "lr", "dataset", "animate"):
        assert f"{key}=" in text, key
    assert "'zzz'" in text
    assert at.radio(key="rt_depth").value == 4
