"""vizcore: the science behind the app, with no user interface.

The concepts (datasets, tiny MLPs, training with recorded snapshots, layer-by-layer geometry,
weight-space projections, multi-seed sweeps, k-NN heads, vector-field layers, curve fitting,
loss landscapes) are modules of this package, usable from a notebook (``import vizcore as vz``).
``vizcore.lessons`` holds each lesson's settings, presets and the arrays it shows (import it
explicitly: the concepts never import it); ``vizcore.figures`` turns arrays into plotly figures.
"""
from __future__ import annotations

from . import boundary, config, curves, datasets, engine, export, history, knn, landscape, layers, nets, runs
from . import shapes, sweeps, threads, topology, train, trajectory, vectorfield
from . import figures
from .errors import UserError

__all__ = ["UserError", "boundary", "config", "curves", "datasets", "engine", "export", "figures", "history", "knn",
           "landscape", "layers", "nets", "runs", "shapes", "sweeps", "threads", "topology", "train", "trajectory",
           "vectorfield"]
