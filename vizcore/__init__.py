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

from .errors import UserError  # noqa: E402  (after the pin, as everything here)
from .lazy import submodules_on_first_use  # noqa: E402

__all__ = ["UserError", "boundary", "config", "cpu", "curves", "datasets", "drawn", "engine", "export", "figures",
           "history", "knn", "landscape", "layers", "nets", "runs", "shapes", "sweeps", "threads", "topology", "train",
           "trajectory", "vectorfield"]

__getattr__, __dir__ = submodules_on_first_use(__name__, __all__)  # ``vz.<module>`` imports it when first read
