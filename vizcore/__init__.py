"""vizcore: the science behind the app, with no user interface.

The concepts (datasets, tiny MLPs, training with recorded snapshots, layer-by-layer geometry,
weight-space projections, multi-seed sweeps, k-NN heads, vector-field layers, curve fitting,
loss landscapes) are modules of this package, usable from a notebook (``import vizcore as vz``).
``vizcore.lessons`` holds each lesson's settings, presets and the arrays it shows (import it
explicitly: the concepts never import it); ``vizcore.figures`` turns arrays into plotly figures.
"""
from __future__ import annotations

from . import cpu

cpu.pin()  # first: numpy, OpenBLAS and torch read their choice of CPU kernels once, when loaded (why: vizcore/cpu.py)

# (the imports below come after the pin on purpose)
from . import boundary, config, curves, datasets, engine, export, history, knn, landscape, layers, nets, runs  # noqa: E402
from . import shapes, sweeps, threads, topology, train, trajectory, vectorfield  # noqa: E402
from . import figures  # noqa: E402
from .errors import UserError  # noqa: E402

__all__ = ["UserError", "boundary", "config", "cpu", "curves", "datasets", "engine", "export", "figures", "history",
           "knn", "landscape", "layers", "nets", "runs", "shapes", "sweeps", "threads", "topology", "train", "trajectory",
           "vectorfield"]
