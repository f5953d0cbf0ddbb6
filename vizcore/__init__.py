"""vizcore: the science behind the app, with no user interface.

The concepts (datasets, tiny MLPs, training with recorded snapshots, layer-by-layer geometry,
weight-space projections, multi-seed sweeps, k-NN heads, vector-field layers, curve fitting,
loss landscapes) are modules of this package, usable from a notebook. ``vizcore.lessons``
holds each lesson's settings, presets and the arrays it shows; ``vizcore.figures`` turns
arrays into plotly figures. Submodules are imported where they are used.
"""
from __future__ import annotations

from .errors import UserError

__all__ = ["UserError"]
