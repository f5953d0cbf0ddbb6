"""A user's CSV: what is accepted, and what is rejected with what and where."""
from __future__ import annotations

import numpy as np
import pytest

from vizcore import UserError, datasets


def test_header_semicolons_and_text_labels():
    ds = datasets.from_csv(b"x;y;kind\n0.5;1;cat\n-1;2;dog\n3;4;cat\n")
    np.testing.assert_array_equal(ds.X, [[0.5, 1], [-1, 2], [3, 4]])
    assert list(ds.y) == [0, 1, 0] and ds.params["classes"] == ["cat", "dog"]
    assert ds.params["columns"] == ["x", "y", "kind"]


def test_no_header_integer_labels_and_1d_and_3d():
    assert datasets.from_csv("1,0\n2,1\n3,0").dim == 1
    ds = datasets.from_csv("1,2,3,0\n4,5,6,1")
    assert ds.dim == 3 and ds.task == "classification" and ds.params["classes"] == ["0", "1"]


def test_numeric_targets_are_regression():
    ds = datasets.from_csv("x,y\n0,0.5\n1,1.7\n2,2.2\n", task="regression")
    assert ds.task == "regression" and ds.y.dtype == np.float32 and ds.dim == 1


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"\n\n  \n", "empty"),
    ("a,b\nc,d\n", "Row 2, column 1 ('a') holds 'c'"),
    ("x,y,label\n1,2,a\n3,oops,b\n", "Row 3, column 2 ('y') holds 'oops'"),
    ("1,nan,0\n2,3,1", "Row 1, column 2"),
    ("1,inf,0\n2,3,1", "finite"),
    ("1,1e39,0\n2,3,1", "too large"),
    ("1,2,0\n3,4,0", "at least two classes"),
    ("\n".join(f"{i},{i},c{i}" for i in range(12)), "12 different values; at most 10"),
    ("1,2,3,4,0\n", "4 coordinate columns; at most 3"),
    ("\n".join(f"{i},0" if i % 2 else f"{i},1" for i in range(20_002)), "at most 20,000"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
    ("é,1,0".encode("latin-1"), "not UTF-8"),
    ("1,2,0\n3,4\n", "Row 2 has 2 columns"),
    ("5\n6\n", "at least two columns"),
])
def test_bad_files_say_what_and_where(data, words):
    with pytest.raises(UserError, match=words.replace("(", r"\(").replace(")", r"\)")):
        datasets.from_csv(data, task="classification")


def test_regression_target_must_be_numeric():
    with pytest.raises(UserError, match="Row 3, column 2"):
        datasets.from_csv("x,t\n1,2\n2,three\n", task="regression")
