"""Trained results that ship with the app, so a preset link on a cold server draws without training.

A free host stops an idle app; the next visitor starts a fresh process with empty caches.
For ``@shared_cache(ship=True)`` functions (ui/cache.py), the results of every preset are
stored here by bench/ship_presets.py, one file per (function, arguments):
``ui/shipped_results/<cache name>/<sha256 of repr(arguments)>.pkl.xz``, an xz-compressed
pickle of ``{"name", "key", "key_repr", "value"}``. ``key`` holds the arguments (a
tuple ``(args, sorted keyword items)``), so tests/test_shipped.py can train each entry again
and compare. The files are produced by us only (pickle runs code when loaded: never ship a
file from elsewhere). A file that fails to load, or was written for other arguments, is a
miss: the value is computed as if nothing shipped.
"""
from __future__ import annotations

import hashlib
import lzma
import os
import pickle
import sys
from pathlib import Path
from typing import Any, Iterator

DIR = Path(__file__).resolve().parent / "shipped_results"
WRITE_ENV = "VIZCORE_SHIP_WRITE"  # set: ship=True functions write what they compute (bench/ship_presets.py)
OFF_ENV = "VIZCORE_SHIP_OFF"      # set: ignore shipped files (to measure a cold server without them)


def writing() -> bool:
    return bool(os.environ.get(WRITE_ENV))


def path_of(name: str, key: Any, root: Path | None = None) -> Path | None:
    """Where the result of ``name`` for ``key`` ships; None if ``repr(key)`` is not stable across processes."""
    text = repr(key)
    if " at 0x" in text:  # an object's default repr names its address: no file could ever match
        return None
    return (root or DIR) / name / f"{hashlib.sha256(text.encode()).hexdigest()[:24]}.pkl.xz"


def load(name: str, key: Any, root: Path | None = None) -> tuple[bool, Any]:
    """(True, value) if a result of ``name`` for ``key`` ships, else (False, None)."""
    if os.environ.get(OFF_ENV) or writing():
        return False, None
    path = path_of(name, key, root)
    if path is None or not path.exists():
        return False, None
    try:
        entry = read(path)
    except Exception as exc:  # e.g. a class that moved since the file was written: train instead
        print(f"[shipped] cannot load {path.name} of {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return False, None
    return (True, entry["value"]) if entry.get("key_repr") == repr(key) else (False, None)


def read(path: Path) -> dict[str, Any]:
    with lzma.open(path, "rb") as f:
        return pickle.load(f)


def save(name: str, key: Any, value: Any, root: Path | None = None) -> Path | None:
    """Write the result; returns its path (None if the key has no stable repr or the value cannot be pickled)."""
    path = path_of(name, key, root)
    if path is None:
        print(f"[shipped] {name}: arguments without a stable repr, not shipped", file=sys.stderr)
        return None
    try:
        data = pickle.dumps({"name": name, "key": key, "key_repr": repr(key), "value": value}, protocol=5)
    except Exception as exc:
        print(f"[shipped] {name}: cannot pickle the result ({exc}), not shipped", file=sys.stderr)
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
