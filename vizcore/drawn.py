"""Points drawn by hand: a compact text that holds them, so a drawing is a settings value and travels in a link.

A drawing lives on the plane [-PLANE, PLANE)², quantised to a grid of GRID × GRID nodes spaced STEP apart
(0 is a node, and every node is exact in float32). Each point is its two grid indices and its class (A, B or C):
10 + 10 + 2 bits. :func:`encode` packs them behind a 7-byte header (format version, point count, a CRC-32 of
the count and the points) and writes the bytes as unpadded base64url, which a URL carries as it is: 300 points
take 1,110 characters. :func:`decode` gives the points back, or a UserError that says what is wrong with a
tampered or truncated text. The drawing surface (ui/drawing.py) talks in grid indices (:func:`flat`,
:func:`from_flat`), so the browser and Python agree on every point exactly.

:func:`from_dataset` turns a preset's or an uploaded file's 2-D points into a drawing to edit (fitted into
the plane, at most MAX_POINTS of them); :func:`to_csv` writes a drawing in the upload format. A drawing trains
once every class from A to the last one drawn has MIN_PER_CLASS points (:func:`problem`).
"""
from __future__ import annotations

import base64
import re
import zlib
from dataclasses import replace
from functools import lru_cache
from typing import Sequence

import numpy as np

from .data import Dataset, subsample
from .errors import UserError

PLANE = 1.5            # the plane is [-PLANE, PLANE)²: the lessons' 2-D data lie within radius 1
GRID = 1024            # grid nodes per axis: index i is the coordinate (i - GRID // 2) * STEP
STEP = 2 * PLANE / GRID  # 3/1024: a power-of-two fraction, so every node is exact in float32
MAX_POINTS = 2000
MAX_CLASSES = 3
MIN_PER_CLASS = 5
VERSION = 1
HEADER = 7             # bytes: version, point count (2, big-endian), CRC-32 (4) of the count and the points
BITS = 22              # per point: x index (10 bits), y index (10), class (2)
NAMES = tuple("ABC"[:MAX_CLASSES])
_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")


def chars_for(n: int) -> int:
    """Characters of the text of ``n`` points."""
    return -(-(HEADER + -(-n * BITS // 8)) * 4 // 3)


MAX_CHARS = chars_for(MAX_POINTS)  # 7,343
MAX_TEXT = chars_for(2 * MAX_POINTS)  # a settings field reads texts this long, to say how many points too many


def only_when_drawn(cfg) -> None:
    """In a settings object's ``__post_init__``: its ``points`` are "" unless its ``dataset`` is "drawn".

    So settings that draw nothing are equal, have one link and one cached result, whatever drawing the session
    keeps for later (ui/drawing.py keeps it in the field while another dataset is shown).
    """
    if cfg.points and cfg.dataset != "drawn":
        object.__setattr__(cfg, "points", "")


def indices(X: np.ndarray) -> np.ndarray:
    """int [n, 2] grid indices of points X [n, 2] (each coordinate to its nearest node); UserError if any lies
    outside the plane."""
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    outside = ~np.all(np.isfinite(X) & (X >= -PLANE) & (X < PLANE), axis=1)
    if outside.any():
        raise UserError(f"{int(outside.sum()):,} of the points lie outside the drawing plane [-{PLANE:g}, {PLANE:g}]² "
                        f"(the first at ({X[outside][0, 0]:.3g}, {X[outside][0, 1]:.3g})).")
    return np.clip(np.rint(X / STEP) + GRID // 2, 0, GRID - 1).astype(np.int64)


def coordinates(ij: np.ndarray) -> np.ndarray:
    """float32 [n, 2] points at grid indices ij [n, 2]."""
    return ((np.asarray(ij, dtype=np.float64) - GRID // 2) * STEP).astype(np.float32).reshape(-1, 2)


def _check(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y).reshape(-1)
    if y.size and (y.min() < 0 or y.max() >= MAX_CLASSES or not np.all(y == np.rint(y))):
        raise UserError(f"A drawing has classes {', '.join(NAMES)} only.")
    if y.size > MAX_POINTS:
        raise UserError(f"A drawing holds at most {MAX_POINTS:,} points; this one has {y.size:,}.")
    return y.astype(np.int64)


def pack(ij: np.ndarray, y: np.ndarray) -> str:
    """The text of points at grid indices ij [n, 2] with classes y [n]."""
    y = _check(y)
    ij = np.asarray(ij, dtype=np.int64).reshape(-1, 2)
    if ij.size and (ij.min() < 0 or ij.max() >= GRID):
        raise UserError(f"Grid indices run from 0 to {GRID - 1}.")
    words = (ij[:, 0] << 12) | (ij[:, 1] << 2) | y
    bits = ((words[:, None] >> np.arange(BITS - 1, -1, -1)) & 1).astype(np.uint8).reshape(-1)
    body = len(y).to_bytes(2, "big") + np.packbits(bits).tobytes()
    return _text(bytes([VERSION]) + body[:2] + zlib.crc32(body).to_bytes(4, "big") + body[2:])


def _text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def encode(X: np.ndarray, y: np.ndarray) -> str:
    """The text of points X [n, 2] (inside the plane; each moves to its nearest grid node) with classes y [n]."""
    return pack(indices(X), y)


@lru_cache(maxsize=256)
def unpack(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Grid indices int [n, 2] and classes int [n] of a drawing's text, or UserError saying what is wrong."""
    if not text:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(text) > MAX_TEXT:
        raise UserError(f"a drawing holds at most {MAX_POINTS:,} points, far fewer than {len(text):,} characters hold")
    if not _ALPHABET.fullmatch(text):
        raise UserError("this is not a drawing's code: it has characters other than letters, digits, - and _")
    start = text[:12]  # 12 characters are 9 bytes, the header's 7 and more
    head = base64.urlsafe_b64decode(start + "=" * (-len(start) % 4)) if len(start) % 4 != 1 else b""
    if len(head) < HEADER:
        raise UserError("the drawing's code is cut short")
    if head[0] != VERSION:
        raise UserError("the drawing was written by another version of this app")
    n = int.from_bytes(head[1:3], "big")
    if n > MAX_POINTS:
        raise UserError(f"a drawing holds at most {MAX_POINTS:,} points, this one says {n:,}")
    if len(text) != chars_for(n):
        short = len(text) < chars_for(n)
        raise UserError(f"the drawing's code is cut short: {n:,} points need {chars_for(n):,} characters, it has "
                        f"{len(text):,}" if short else
                        f"the drawing's code is {len(text) - chars_for(n):,} characters too long for {n:,} points")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    # a CRC-32 catches every change of up to 32 neighbouring bits, so of any one character; the last character
    # also holds unused bits, which the decoder ignores: the text must be the one its bytes give
    if zlib.crc32(raw[1:3] + raw[HEADER:]) != int.from_bytes(raw[3:HEADER], "big") or _text(raw) != text:
        raise UserError("the drawing's code does not match its checksum: it was changed or cut")
    bits = np.unpackbits(np.frombuffer(raw[HEADER:], dtype=np.uint8))
    if bits[n * BITS:].any():
        raise UserError("the drawing's code does not match its checksum: it was changed or cut")
    words = bits[:n * BITS].reshape(n, BITS).astype(np.int64) @ (1 << np.arange(BITS - 1, -1, -1))
    y = words & 3
    if y.size and y.max() >= MAX_CLASSES:
        raise UserError(f"a drawing has classes {', '.join(NAMES)} only")
    ij = np.c_[words >> 12, (words >> 2) & (GRID - 1)]
    ij.flags.writeable = y.flags.writeable = False  # cached: shared by every caller
    return ij, y


def decode(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Points float32 [n, 2] and classes int64 [n] of a drawing's text, or UserError saying what is wrong."""
    ij, y = unpack(text)
    return coordinates(ij), y.copy()


def counts(y: np.ndarray) -> np.ndarray:
    """Points per class, for classes A to the last one drawn (at least A and B)."""
    return np.bincount(np.asarray(y, dtype=np.int64), minlength=2)


def problem(y: np.ndarray) -> str | None:
    """Why a drawing with classes y cannot train yet (a sentence for the user), or None if it can."""
    have = counts(y)
    short = [NAMES[c] for c, k in enumerate(have) if k < MIN_PER_CLASS]
    if not short:
        return None
    if not len(y):
        return (f"The plane is empty: draw at least {MIN_PER_CLASS} points of class A and {MIN_PER_CLASS} of class B "
                "(pick the class beside the plane), and the net trains on them.")
    now = ", ".join(f"{NAMES[c]} {k:,}" for c, k in enumerate(have))
    which = f"class {short[0]}" if len(short) == 1 else f"classes {' and '.join(short)}"
    why = ("a classifier needs two classes" if len(have) == 2 else
           f"every class from A to {NAMES[len(have) - 1]} needs them")
    return f"Draw at least {MIN_PER_CLASS} points of {which} to train: {why} (points now: {now})."


def dataset(text: str) -> Dataset:
    """The drawing of ``text`` as a classification Dataset named "drawn", or UserError if it cannot train."""
    X, y = decode(text)
    why = problem(y)
    if why:
        raise UserError(why)
    return Dataset(X, y, "classification", "drawn", dict(n=len(y), classes=list(NAMES[:int(y.max()) + 1])))


def split(ds: Dataset, test_share: float = 0.25, seed: int = 0) -> tuple[Dataset, Dataset]:
    """A fixed split of a drawing into training and held-out points: ``test_share`` of each class (at least one),
    chosen by ``numpy.random.default_rng(seed)``, both parts in drawing order."""
    rng = np.random.default_rng(seed)
    test = np.zeros(ds.n, dtype=bool)
    for c in range(ds.n_classes):
        members = np.flatnonzero(ds.y == c)
        test[rng.permutation(members)[:max(1, int(round(test_share * len(members))))]] = True
    part = lambda keep, n: replace(ds, X=ds.X[keep], y=ds.y[keep], params={**ds.params, "n": n})  # noqa: E731
    return part(~test, int((~test).sum())), part(test, int(test.sum()))


def fit_to_plane(X: np.ndarray, margin: float = 0.95) -> tuple[np.ndarray, str]:
    """X [n, 2] as it is if it lies in the plane; else shifted and scaled (never enlarged, the same in x and y)
    so that it fills ``margin`` of it. Returns the points and a sentence saying what was done ("" if nothing)."""
    X = np.asarray(X, dtype=np.float64)
    if len(X) == 0 or np.all((X >= -PLANE) & (X < PLANE)):
        return X, ""
    low, high = X.min(0), X.max(0)
    centre, half = (low + high) / 2, max(float((high - low).max()) / 2, 1e-12)
    scale = min(1.0, margin * PLANE / half)
    span = f"x {low[0]:.3g} to {high[0]:.3g}, y {low[1]:.3g} to {high[1]:.3g}"
    return (X - centre) * scale, (f"The points spanned {span}, beyond the drawing plane [-{PLANE:g}, {PLANE:g}]²: "
                                  f"they were moved{f' and scaled by {scale:.3g}' if scale < 1 else ''} to fit it.")


def from_dataset(ds: Dataset, seed: int = 0) -> tuple[str, list[str]]:
    """A drawing of a 2-D classification dataset with at most MAX_CLASSES classes, to edit by hand, and sentences
    on what changed on the way (a random MAX_POINTS of more points, a fit into the plane); UserError if it cannot
    be drawn."""
    if ds.task != "classification" or ds.dim != 2:
        raise UserError("Only points in the plane with class labels can be drawn on: this data has "
                        f"{ds.dim} coordinate{'s' if ds.dim != 1 else ''}"
                        f"{'' if ds.task == 'classification' else ' and numeric targets'}.")
    if ds.n_classes > MAX_CLASSES:
        raise UserError(f"A drawing has at most {MAX_CLASSES} classes ({', '.join(NAMES)}); this data has "
                        f"{ds.n_classes}.")
    notes = []
    keep = subsample(ds.n, MAX_POINTS, seed)
    if len(keep) < ds.n:
        notes.append(f"The data has {ds.n:,} points; a drawing holds at most {MAX_POINTS:,}, so a random "
                     f"{MAX_POINTS:,} of them are on the plane.")
    X, moved = fit_to_plane(ds.X[keep])
    return encode(X, ds.y[keep]), notes + ([moved] if moved else [])


def to_csv(text: str) -> str:
    """A drawing in the upload format (ui/uploads.py): x, y and the class name, one point a row.

    Each coordinate is written with the fewest digits that read back as the same float32, so an upload of
    the file trains on exactly the drawn points.
    """
    X, y = decode(text)
    rows = [f"{np.format_float_positional(a, unique=True, trim='-')},"
            f"{np.format_float_positional(b, unique=True, trim='-')},{NAMES[c]}" for (a, b), c in zip(X, y)]
    return "\n".join(["x,y,class", *rows]) + "\n"


def flat(text: str) -> list[int]:
    """The drawing as [i, j, class, i, j, class, ...]: what the drawing surface is given."""
    ij, y = unpack(text)
    return np.c_[ij, y].reshape(-1).tolist()


def from_flat(values: Sequence[int]) -> str:
    """The text of a drawing given as [i, j, class, ...] by the drawing surface; UserError if it is not one."""
    if len(values) % 3 or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise UserError("The drawing surface sent something that is not a list of points.")
    triples = np.asarray(values, dtype=np.int64).reshape(-1, 3)
    return pack(triples[:, :2], triples[:, 2])
