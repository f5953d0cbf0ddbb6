"""Trained results that ship with the app, so a preset link on a cold server draws without training.

A free host stops an idle app; the next visitor starts a fresh process with empty caches.
For every lesson whose ``LESSON.ship`` is set, bench/ship_presets.py stores the result of
``compute`` for each preset's settings, one file per (lesson, function, settings):
``ui/shipped_results/<lesson>/<function>-<hash of the settings' query>.pkl.xz``, an xz-compressed
pickle of ``{"format", "lesson", "function", "query", "value"}``. ``query`` is the settings'
whole link query (every field), so a file written for other settings, or by an older format,
is a miss: the value is computed as if nothing shipped. Renaming a page or moving a class
does not change a file's name; a class that no longer unpickles makes it a miss, and
tests/test_shipped.py then names every preset that lacks its result. The files are produced by
us only (pickle runs code when loaded: never ship a file from elsewhere).
"""
from __future__ import annotations

import hashlib
import lzma
import os
import pickle
import sys
from pathlib import Path
from typing import Any, Iterator, Mapping
from urllib.parse import urlencode

DIR = Path(__file__).resolve().parent / "shipped_results"
FORMAT = 2  # bump when the layout of the files changes: older files become misses
WRITE_ENV = "VIZCORE_SHIP_WRITE"  # set: shipped lessons write what they compute (bench/ship_presets.py)
OFF_ENV = "VIZCORE_SHIP_OFF"      # set: ignore shipped files (to measure a cold server without them)


def writing() -> bool:
    return bool(os.environ.get(WRITE_ENV))


def path_of(lesson: str, function: str, query: Mapping[str, str], root: Path | None = None) -> Path:
    """Where ``function`` of ``lesson`` ships its result for the settings whose link query is ``query``."""
    digest = hashlib.sha256(urlencode(sorted(query.items())).encode()).hexdigest()[:16]
    return (root or DIR) / lesson / f"{function}-{digest}.pkl.xz"


def load(lesson: str, function: str, query: Mapping[str, str], root: Path | None = None) -> tuple[bool, Any]:
    """(True, value) if a result of ``function`` of ``lesson`` ships for ``query``, else (False, None)."""
    if os.environ.get(OFF_ENV) or writing():
        return False, None
    path = path_of(lesson, function, query, root)
    if not path.exists():
        return False, None
    try:
        entry = read(path)
    except Exception as exc:  # e.g. a class that moved since the file was written: compute instead
        print(f"[shipped] cannot load {path.relative_to(path.parents[1])}: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return False, None
    same = entry.get("format") == FORMAT and entry.get("query") == dict(query)
    return (True, entry["value"]) if same else (False, None)


def read(path: Path) -> dict[str, Any]:
    with lzma.open(path, "rb") as f:
        return pickle.load(f)


def save(lesson: str, function: str, query: Mapping[str, str], value: Any, root: Path | None = None) -> Path | None:
    """Write the result; returns its path (None if the value cannot be pickled)."""
    path = path_of(lesson, function, query, root)
    entry = {"format": FORMAT, "lesson": lesson, "function": function, "query": dict(query), "value": value}
    try:
        data = pickle.dumps(entry, protocol=5)
    except Exception as exc:
        print(f"[shipped] {lesson}.{function}: cannot pickle the result ({exc}), not shipped", file=sys.stderr)
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with lzma.open(tmp, "wb", preset=9 | lzma.PRESET_EXTREME) as f:
        f.write(data)
    tmp.replace(path)
    return path


def entries(root: Path | None = None) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every shipped file and its content."""
    for path in sorted((root or DIR).glob("*/*.pkl.xz")):
        yield path, read(path)
