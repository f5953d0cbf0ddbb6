"""A user's CSV file turned into a Dataset, or a UserError that says what and where.

Accepted: 1 to 3 numeric coordinate columns, then a label column (class names or
integers) or a numeric target; comma or semicolon separated; with or without a header.
The file is parsed as text with the csv module: nothing is evaluated or unpickled.
"""
from __future__ import annotations

import csv
import math
from typing import Sequence

import numpy as np

from .data import Dataset
from .errors import UserError

MAX_BYTES = 2_000_000
MAX_ROWS = 20_000
MAX_COORDS = 3
MAX_CLASSES = 10
MIN_CURVE_XS = 2  # different x values a curve (y over one x) needs
MAX_ABS = 1e30  # beyond float32's range (3.4e38) a value would turn into infinity


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        text = data
    else:
        if len(data) > MAX_BYTES:
            raise UserError(f"The file is {len(data) / 1e6:.1f} MB; at most {MAX_BYTES / 1e6:.0f} MB is accepted.")
        if b"\x00" in data[:4096]:
            raise UserError("This does not look like a text CSV file (it contains binary data).")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UserError(f"The file is not UTF-8 text (byte {exc.start} cannot be read). "
                            "Save it as 'CSV UTF-8' and upload it again.") from None
    if len(text) > MAX_BYTES:
        raise UserError(f"The file is too large; at most {MAX_BYTES / 1e6:.0f} MB is accepted.")
    if any(ch in text[:4096] for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"):
        raise UserError("This does not look like a text CSV file (it contains control characters).")
    return text


def _number(cell: str) -> float | None:
    try:
        return float(cell.strip())
    except ValueError:
        return None


def _rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise UserError("The file is empty.")
    if len(lines) > MAX_ROWS + 1:
        raise UserError(f"The file has {len(lines):,} rows; at most {MAX_ROWS:,} are accepted.")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    rows = [[cell.strip() for cell in row] for row in csv.reader(lines, delimiter=delimiter)]
    width = len(rows[0])
    for i, row in enumerate(rows, start=1):
        if len(row) != width:
            raise UserError(f"Row {i} has {len(row)} columns but row 1 has {width}; every row needs the same number.")
    return rows


def _columns_wanted(found: int, coords: Sequence[int], task: str) -> str:
    """Why a file with ``found`` coordinate columns does not fit a page that takes ``coords`` of them."""
    last = "a numeric target y" if task == "regression" else "a label"
    if tuple(coords) == (1,):
        return (f"The file has {found + 1} columns; this page fits y over one x, so it needs exactly two: x, "
                f"then {last}.")
    if found > MAX_COORDS and tuple(coords) == tuple(range(1, MAX_COORDS + 1)):
        return f"The file has {found} coordinate columns; at most {MAX_COORDS} can be drawn."
    wanted = " or ".join(map(str, coords))
    plural = "s" if max(coords) > 1 else ""
    return f"This page needs {wanted} coordinate column{plural} before {last}; the file has {found}."


def _split_header(rows: list[list[str]], coords: Sequence[int], task: str) -> tuple[list[str] | None, list[list[str]]]:
    """The header (a row whose coordinates are not numbers, or whose label is text above a number) and the
    data rows."""
    first = rows[0]
    header = any(_number(c) is None for c in first[:-1]) or (
        len(rows) > 1 and _number(first[-1]) is None and _number(rows[1][-1]) is not None)
    body = rows[1:] if header else rows
    if len(first) < 2:
        raise UserError("The file needs at least two columns: one or more coordinates, then a label.")
    if len(first) - 1 not in coords:
        raise UserError(_columns_wanted(len(first) - 1, coords, task))
    if not body:
        raise UserError("The file has a header but no data rows.")
    if len(body) > MAX_ROWS:
        raise UserError(f"The file has {len(body):,} data rows; at most {MAX_ROWS:,} are accepted.")
    return (first if header else None), body


def _coordinates(body: list[list[str]], names: list[str], first_row: int) -> np.ndarray:
    """Every row's coordinate cells as finite numbers within ±MAX_ABS, or a UserError naming the cell."""
    X = np.empty((len(body), len(names) - 1))
    for i, row in enumerate(body):
        for j, cell in enumerate(row[:-1]):
            value = _number(cell)
            where = f"Row {first_row + i}, column {j + 1} ({names[j]!r})"
            if value is None:
                raise UserError(f"{where} holds {cell[:30]!r}, which is not a number.")
            if not math.isfinite(value):
                raise UserError(f"{where} is {cell!r}; only finite numbers are accepted.")
            if abs(value) > MAX_ABS:
                raise UserError(f"{where} is {cell!r}, too large: coordinates must stay within ±{MAX_ABS:g}.")
            X[i, j] = value
    return X


def _labels(labels: list[str], task: str, where) -> tuple[np.ndarray, str, list[str]]:
    """Class indices or regression targets from the label column, the task they make, and the class names.

    ``where(i)`` names row i's label cell in messages.
    """
    numbers = [_number(v) for v in labels]
    numeric = all(v is not None for v in numbers)
    if numeric:
        for i, v in enumerate(numbers):
            if not math.isfinite(v) or abs(v) > MAX_ABS:
                raise UserError(f"{where(i)} is {labels[i]!r}; only finite numbers within ±{MAX_ABS:g} are accepted.")
    integer_like = numeric and all(float(v).is_integer() for v in numbers)
    if task == "auto":
        task = "classification" if not numeric or (integer_like and len(set(numbers)) <= MAX_CLASSES) else "regression"
    if task == "regression":
        if not numeric:
            bad = next(i for i, v in enumerate(numbers) if v is None)
            raise UserError(f"{where(bad)} holds {labels[bad][:30]!r}, but a regression target must be a number.")
        return np.asarray(numbers, dtype=np.float32), task, []
    keys = numbers if integer_like else labels
    classes = sorted(set(keys), key=lambda k: (isinstance(k, str), k))
    if len(classes) < 2:
        only = classes[0]
        raise UserError(f"Every row has the label {f'{only:g}' if isinstance(only, float) else only!r}: "
                        "a classifier needs at least two classes.")
    if len(classes) > MAX_CLASSES:
        raise UserError(f"The label column has {len(classes)} different values; at most {MAX_CLASSES} "
                        "classes are accepted.")
    index = {k: i for i, k in enumerate(classes)}
    names = [f"{k:g}" if isinstance(k, float) else str(k) for k in classes]
    return np.asarray([index[k] for k in keys], dtype=np.int64), task, names


def from_csv(data: bytes | str, task: str = "auto", coords: Sequence[int] = (1, 2, 3)):
    """Parse a user's CSV into a :class:`~vizcore.datasets.Dataset`.

    Parameters
    ----------
    data : the file's bytes (UTF-8) or text
    task : "auto" (integers with at most 10 values or text labels -> classification,
        other numbers -> regression), "classification" or "regression"
    coords : the numbers of coordinate columns accepted (a page that fits y over x takes (1,))

    Returns
    -------
    Dataset with X float32 [n, d] (d in 1..3), y int64 class indices or float32 targets,
    and ``params["classes"]`` naming the classes in index order.
    """
    header, body = _split_header(_rows(_decode(data)), coords, task)
    first_row, n_cols = (2 if header else 1), len(body[0])
    names = header or [f"column {j + 1}" for j in range(n_cols)]
    X = _coordinates(body, names, first_row)
    y, task, classes = _labels([row[-1] for row in body], task,
                               lambda i: f"Row {first_row + i}, column {n_cols} ({names[-1]!r})")
    xs = np.unique(X[:, 0])
    if task == "regression" and X.shape[1] == 1 and len(xs) < MIN_CURVE_XS:  # one row was "fitted" with error 0
        found = "1 data row" if len(body) == 1 else f"{len(body):,} data rows, all at x = {xs[0]:g}"
        raise UserError(f"The file has {found}: a curve needs points at {MIN_CURVE_XS} or more different x to be "
                        "fitted and drawn.")
    return Dataset(X.astype(np.float32), y, task, "csv", dict(n=len(body), columns=list(names), classes=classes))
