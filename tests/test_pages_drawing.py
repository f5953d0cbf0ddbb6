"""Drawn data on the pages that take 2-D data, as a user meets it: from a preset's points or a link, with undo,
clear, a CSV, and clear messages for what cannot train. The strokes themselves are tested in a real browser
(tests/test_browser_drawing.py)."""
from __future__ import annotations

import numpy as np

from tests.pagetools import assert_clean, open_page
from tests.test_uploads_layers import _blobs_csv, _uploader
from vizcore import datasets, drawn
from vizcore.runs import RunConfig, train_run


def _drawing(n: int = 120, seed: int = 0) -> str:
    """A disc in a ring, as a drawing."""
    return drawn.from_dataset(datasets.make("disc_annulus", n=n, seed=seed, noise=0.02))[0]


def _points(at) -> str:
    return at.session_state["points"]


def _button(at, label: str):
    return next(b for b in at.button if b.label == label)


def test_a_drawing_in_a_link_is_what_lesson_1_trains_on_with_every_view_of_it():
    text = _drawing()
    at = assert_clean(open_page("10_layers.py", {"dataset": "drawn", "points": text, "steps": "300"}))
    run = train_run(RunConfig(dataset="drawn", points=text, steps=300))
    assert np.array_equal(run.dataset.X, drawn.decode(text)[0])
    assert at.metric[0].value == f"{run.history.accuracy[-1]:.1%}"
    assert "Topology of each class, layer by layer" in {s.value for s in at.subheader}
    assert "training_movie" not in [c.key for c in at.get("plotly_chart")]  # folded: built only when opened
    at.session_state["layers:movie"] = True  # what opening the "Training as one animation" expander does
    assert "training_movie" in [c.key for c in assert_clean(at.run()).get("plotly_chart")]
    assert any("A 60 · " in c.value and "B 60 · 120 of at most 2,000 points" in c.value for c in at.caption)
    assert any("Your drawing: 120 points in 2 classes" in m.value for m in at.markdown)
    assert at.query_params["points"] in (text, [text])


def test_a_preset_goes_on_the_plane_and_undo_brings_back_what_clear_took():
    at = assert_clean(open_page("10_layers.py", {"steps": "300"}))
    _button(at, "Draw on these points").click().run()
    assert at.sidebar.selectbox(key="dataset").value == "drawn"
    X, y = drawn.decode(_points(at))
    spirals = RunConfig().make_dataset()
    assert len(y) == 400 and np.abs(X - spirals.X).max() <= drawn.STEP / 2 and np.array_equal(y, spirals.y)
    drawing = _points(at)
    _button(at, "Clear").click().run()
    assert _points(at) == "" and "The plane is empty" in at.error[0].value
    _button(at, "Undo").click().run()
    assert _points(at) == drawing and not at.error

    at.sidebar.selectbox(key="dataset").set_value("spirals").run()  # away: the drawing is kept aside
    assert at.sidebar.selectbox(key="preset").value == "custom"  # steps=300 is not the preset's
    assert "points" not in at.query_params
    at.sidebar.selectbox(key="dataset").set_value("drawn").run()  # and back
    assert _points(at) == drawing and assert_clean(at)


def test_picking_a_preset_while_a_drawing_is_kept_aside_names_the_preset():
    at = open_page("10_layers.py", {"dataset": "drawn", "points": _drawing(), "steps": "300"})
    at.sidebar.selectbox(key="preset").set_value("disc3").run()
    assert_clean(at)
    at.sidebar.selectbox(key="preset").set_value("spirals").run()
    assert at.sidebar.selectbox(key="preset").value == "spirals" and dict(at.query_params) == {}


def test_a_drawing_too_small_to_train_says_what_is_missing_and_stays_in_the_link():
    text = drawn.encode(np.random.default_rng(1).uniform(-1, 1, (12, 2)), np.zeros(12, dtype=int))
    at = open_page("10_layers.py", {"dataset": "drawn", "points": text})
    assert not at.exception
    assert at.error[0].value.startswith("Draw at least 5 points of class B to train")
    assert at.query_params["points"] in (text, [text])  # a reload or a shared link keeps what was drawn


def test_a_tampered_drawing_in_a_link_is_named_and_opens_an_empty_plane():
    text = _drawing()
    at = open_page("10_layers.py", {"dataset": "drawn", "points": text[:-6] + "AAAAAA"})
    assert any("points=" in w.value and "checksum" in w.value for w in at.warning)
    assert _points(at) == "" and "The plane is empty" in at.error[0].value


def test_an_uploaded_csv_can_be_edited_by_drawing():
    at = open_page("10_layers.py", {"steps": "300"})
    _uploader(at, "csv_upload").set_value(("blobs.csv", _blobs_csv(), "text/csv")).run()
    assert at.sidebar.selectbox(key="dataset").value == "csv"
    _button(at, "Draw on these points").click().run()
    assert_clean(at)
    X, y = drawn.decode(_points(at))
    upload = datasets.from_csv(_blobs_csv())
    assert len(y) == 120 and np.abs(X - upload.X).max() <= drawn.STEP / 2 and np.array_equal(y, upload.y)
    assert float(at.metric[0].value.rstrip("%")) > 90


def test_knn_and_vector_fields_train_on_a_drawing_and_test_on_its_held_out_quarter():
    text = _drawing(160)
    knn = assert_clean(open_page("40_knn.py", {"dataset": "drawn", "points": text, "seeds": "5", "steps": "60"}))
    assert any("your drawing (120 training points and 40 held out for the test)" in c.value for c in knn.caption)
    flow = assert_clean(open_page("45_vector_fields.py", {"dataset": "drawn", "points": text}))
    assert any("the 40 points of your drawing held out from training" in c.value for c in flow.caption)
    bare = assert_clean(open_page("40_knn.py", {"dataset": "spirals", "n": "200", "steps": "60"}))
    _button(bare, "Draw on these points").click().run()
    assert len(drawn.decode(bare.session_state["kn_points"])[1]) == 200 and assert_clean(bare)
