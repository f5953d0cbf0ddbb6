from __future__ import annotations

import json

import numpy as np
import pytest

from vizcore import UserError, datasets
from vizcore.export import history_csv, load_weights, standalone_html, weights_json
from vizcore.figures.layers import layer_animation
from vizcore.layers import animate
from vizcore.nets import MLP
from vizcore.train import fit


@pytest.fixture(scope="module")
def trained():
    ds = datasets.make("disc_annulus", n=100, seed=0)
    model = MLP(2, (3,), 2, seed=1)
    return ds, model, fit(model, ds, steps=50)


def test_weights_round_trip_predicts_identically(trained):
    ds, model, _ = trained
    again, settings = load_weights(weights_json(model, {"dataset": "disc_annulus"}))
    np.testing.assert_array_equal(again.predict(ds.X), model.predict(ds.X))
    assert settings == {"dataset": "disc_annulus"} and again.widths == (3,)


@pytest.mark.parametrize("mutate, words", [
    (lambda d: d.update(format="pickle"), "not a weights file"),
    (lambda d: d.update(params=d["params"][:-1]), "numbers but this network needs"),
    (lambda d: d["params"].__setitem__(0, float("inf")), "not finite"),
    (lambda d: d.update(activation="exec"), "unknown activation"),
    (lambda d: d.update(widths=[2, "x"]), "cannot draw"),
    (lambda d: d.update(in_dim=9), "cannot draw"),
])
def test_bad_weights_files_raise_user_error(trained, mutate, words):
    doc = json.loads(weights_json(trained[1]))
    mutate(doc)
    with pytest.raises(UserError, match=words):
        load_weights(json.dumps(doc, allow_nan=True))


@pytest.mark.parametrize("junk", [b"\x80\x04\x95 pickle", b"[1, 2]", b"{" * 5000])
def test_junk_is_rejected_without_unpickling(junk):
    with pytest.raises(UserError):
        load_weights(junk)


def test_history_csv_has_one_row_per_snapshot(trained):
    _, _, hist = trained
    lines = history_csv(hist, np.zeros((len(hist), 2))).strip().splitlines()
    assert lines[0].startswith("snapshot,step,loss,accuracy,trajectory_x")
    assert len(lines) == len(hist) + 1 and lines[-1].split(",")[1] == "50"


def test_standalone_html_embeds_plotly_and_the_frames(trained):
    ds, model, _ = trained
    html = standalone_html(layer_animation(animate(model, ds.X[:20]), ds.y[:20]))
    assert "<html>" in html and "Plotly.newPlot" in html and "Plotly.addFrames" in html
    assert '<script src="http' not in html and len(html) > 1_000_000  # plotly.js is inside: plays offline
