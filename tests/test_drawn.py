"""A drawing as a settings value: its code in a link, what it refuses, and the data it becomes."""
from __future__ import annotations

import string

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vizcore import UserError, datasets, drawn
from vizcore.csvdata import from_csv
from vizcore.lessons.knn import KnnConfig
from vizcore.lessons.vector_fields import VfConfig
from vizcore.runs import RunConfig

ALPHABET = string.ascii_letters + string.digits + "-_"


def _points(n: int, seed: int = 0, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-drawn.PLANE, drawn.PLANE, (n, 2)), rng.integers(0, classes, n)


def test_300_points_fit_in_a_link_of_under_two_kilobytes():
    text = drawn.encode(*_points(300))
    link = f"https://example.org/layers?dataset=drawn&points={text}"
    assert len(text) == drawn.chars_for(300) == 1110
    assert len(link) <= 2048 and set(text) <= set(ALPHABET)  # base64url: nothing to escape in a URL


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, drawn.MAX_POINTS), seed=st.integers(0, 10_000))
def test_a_drawing_decodes_to_its_points_within_half_a_grid_cell_and_with_the_same_classes(n, seed):
    X, y = _points(n, seed)
    back, labels = drawn.decode(drawn.encode(X, y))
    assert back.dtype == np.float32 and back.shape == (n, 2)
    edge = X >= drawn.PLANE - drawn.STEP / 2  # beyond the last node: the plane is [-PLANE, PLANE)
    assert np.all(np.abs(back - X) <= np.where(edge, drawn.STEP, drawn.STEP / 2) + 1e-6) and np.array_equal(labels, y)
    assert drawn.encode(back, labels) == drawn.encode(X, y)  # decoded points are grid nodes: encoding is stable


def test_every_one_character_change_and_every_cut_of_a_code_is_refused():
    text = drawn.encode(*_points(120, seed=4))
    for i, old in enumerate(text):
        for new in ALPHABET[i % 7::7]:  # nine of the 63 other characters at each place
            if new != old:
                with pytest.raises(UserError, match="checksum|version|points|short"):
                    drawn.unpack.__wrapped__(text[:i] + new + text[i + 1:])
    for cut in range(1, len(text)):
        with pytest.raises(UserError, match="cut short"):
            drawn.unpack.__wrapped__(text[:cut])
    with pytest.raises(UserError, match="too long"):
        drawn.unpack.__wrapped__(text + "AAAA")
    with pytest.raises(UserError, match="characters other than"):
        drawn.unpack.__wrapped__(text[:50] + "+/=" + text[53:])


def test_more_than_the_maximum_number_of_points_is_refused_with_the_numbers():
    with pytest.raises(UserError, match="at most 2,000 points; this one has 2,001"):
        drawn.encode(*_points(drawn.MAX_POINTS + 1))
    # a code whose header claims more is refused on reading, before anything else is looked at
    forged = drawn._text(bytes([drawn.VERSION]) + (2001).to_bytes(2, "big") + bytes(4) + bytes(5600))
    with pytest.raises(UserError, match="at most 2,000 points, this one says 2,001"):
        drawn.unpack.__wrapped__(forged)


def test_points_outside_the_plane_are_refused_by_encode_and_moved_in_by_from_dataset():
    with pytest.raises(UserError, match="1 of the points lie outside the drawing plane"):
        drawn.encode(np.array([[0.0, 0.0], [2.0, 0.0]]), np.array([0, 1]))
    far = datasets.Dataset(np.array([[0, 0], [100, 50], [40, 10], [60, 20]], dtype=np.float32),
                           np.array([0, 1, 0, 1]), "classification", "csv")
    text, notes = drawn.from_dataset(far)
    X, y = drawn.decode(text)
    assert np.all(np.abs(X) < drawn.PLANE) and list(y) == [0, 1, 0, 1]
    assert "x 0 to 100" in notes[0] and "scaled" in notes[0]
    ratio = (X[1] - X[0]) / np.array([100, 50])  # one scale in x and y: the shape is kept
    assert ratio[0] == pytest.approx(ratio[1], abs=2 * drawn.STEP / 50)


def test_from_dataset_keeps_at_most_the_maximum_and_refuses_what_cannot_be_drawn():
    text, notes = drawn.from_dataset(datasets.make("spirals", n=5000, seed=1))
    assert len(drawn.decode(text)[1]) == drawn.MAX_POINTS and "5,000 points" in notes[0]
    with pytest.raises(UserError, match="3 coordinates"):
        drawn.from_dataset(datasets.make("linked_tori", n=100))
    four = datasets.Dataset(np.zeros((8, 2), dtype=np.float32), np.arange(8) % 4, "classification", "csv")
    with pytest.raises(UserError, match="at most 3 classes"):
        drawn.from_dataset(four)


def test_a_drawing_trains_once_each_class_has_enough_points_and_says_what_is_missing():
    assert "The plane is empty" in drawn.problem(np.zeros(0, dtype=int))
    assert "of class B to train: a classifier needs two classes (points now: A 30, B 0)" in drawn.problem(
        np.zeros(30, dtype=int))
    assert "class B" in drawn.problem(np.r_[np.zeros(9), np.ones(4)].astype(int))
    assert "every class from A to C" in drawn.problem(np.r_[np.zeros(9), np.full(9, 2)].astype(int))
    assert drawn.problem(np.r_[np.zeros(5), np.ones(5)].astype(int)) is None
    X, y = _points(40, classes=2)
    ds = datasets.make("drawn", points=drawn.encode(X, y), n=999, noise=0.3, seed=7)  # n, noise, seed do not apply
    assert ds.n == 40 and ds.name == "drawn" and np.array_equal(ds.y, y)
    assert np.array_equal(ds.X, drawn.decode(drawn.encode(X, y))[0])


def test_a_drawing_downloads_as_a_csv_that_uploads_back_to_the_same_points():
    X, y = _points(200, seed=3)
    text = drawn.encode(X, y)
    csv = drawn.to_csv(text)
    assert csv.splitlines()[0] == "x,y,class"
    ds = from_csv(csv)
    assert ds.params["classes"] == ["A", "B", "C"]
    assert np.array_equal(ds.X, drawn.decode(text)[0]) and np.array_equal(ds.y, y)
    assert drawn.from_dataset(ds) == (text, [])  # and draws as the same drawing


def test_the_held_out_part_is_a_quarter_of_each_class_and_always_the_same():
    X, y = _points(203, seed=5)
    ds = datasets.make("drawn", points=drawn.encode(X, y))
    train, test = drawn.split(ds)
    again = drawn.split(ds)[1]
    assert train.n + test.n == 203 and np.array_equal(test.X, again.X)
    for c in range(3):
        assert (test.y == c).sum() == round((ds.y == c).sum() / 4)


@pytest.mark.parametrize("cls", [RunConfig, KnnConfig, VfConfig])
def test_a_drawing_travels_in_the_link_and_adds_nothing_to_other_links(cls):
    text = drawn.encode(*_points(300, classes=2))
    assert "points" not in cls().to_query()  # the presets' whole queries (their shipped results' keys) are as before
    mine = cls(dataset="drawn", points=text)
    assert mine.changed() == {"dataset": "drawn", "points": text}
    back, warnings = cls.from_query(mine.changed())
    assert back == mine and warnings == []
    other = cls(dataset=cls().dataset, points=text)  # a drawing kept aside while another dataset is shown
    assert other == cls() and other.changed() == {}


def test_a_tampered_drawing_in_a_link_is_named_and_the_rest_of_the_link_is_kept():
    text = drawn.encode(*_points(50, classes=2))
    cfg, warnings = RunConfig.from_query({"dataset": "drawn", "points": text[:-4], "seed": "3"})
    assert cfg.dataset == "drawn" and cfg.points == "" and cfg.seed == 3
    assert len(warnings) == 1 and "points=" in warnings[0] and "cut short" in warnings[0]
    cfg, warnings = RunConfig.from_query({"dataset": "spirals", "points": text})
    assert cfg == RunConfig() and "points=" in warnings[0] and "does not apply" in warnings[0]
    cfg, warnings = RunConfig.from_query({"dataset": "drawn", "points": "A" * (drawn.MAX_TEXT + 1)})
    assert cfg.points == "" and "characters is too long" in warnings[0]


def test_an_unchanged_link_value_limit_for_every_other_field():
    cfg, warnings = RunConfig.from_query({"widths": "2," * 150})  # 300 characters: refused as before
    assert cfg.widths == RunConfig().widths and "300 characters is too long" in warnings[0]
