"""vizcore: the science behind the app, with no user interface.

The concepts (datasets, tiny MLPs, training with recorded snapshots, layer-by-layer geometry,
weight-space projections, multi-seed sweeps, k-NN heads, vector-field layers, curve fitting,
loss landscapes) are modules of this package, usable from a notebook (``import vizcore as vz``).
``vizcore.lessons`` holds each lesson's settings, presets and the arrays it shows (import it
explicitly: the concepts never import it); ``vizcore.figures`` turns arrays into plotly figures.

The modules are imported on first use (``vz.layers`` imports :mod:`vizcore.layers`): importing
the package alone, or a light module such as ``vizcore.config``, does not load torch, scikit-learn,
scipy and numba, which took 3 s on a warm disk and 6 to 11 s on a fresh host. The app's home page
and navigation need none of them.
"""
from __future__ import annotations

from . import cpu

cpu.pin()  # first: numpy, OpenBLAS and torch read their choice of CPU kernels once, when loaded (why: vizcore/cpu.py)

import importlib  # noqa: E402  (after the pin, as everything here)
from typing import Any  # noqa: E402

from .errors import UserError  # noqa: E402

__all__ = ["UserError", "boundary", "config", "cpu", "curves", "datasets", "engine", "export", "figures", "history",
           "knn", "landscape", "layers", "nets", "runs", "shapes", "sweeps", "threads", "topology", "train",
           "trajectory", "vectorfield"]


def __getattr__(name: str) -> Any:
    """``vz.<module>``: the submodule, imported now (PEP 562); it then stays an attribute of the package."""
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
