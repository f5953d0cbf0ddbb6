"""Plotly figure builders: plain arrays in, a finished figure out (:class:`spec.Spec`; no training, no streamlit).

Each module is imported on first use (``vizcore.figures.layers`` loads scipy and torch through
``vizcore.layers``; ``vizcore.figures.spec`` needs only plotly).
"""
from __future__ import annotations

from ..lazy import submodules_on_first_use

__all__ = ["curves", "knn", "landscape", "layers", "low_dimension", "raster", "spec", "style", "topology", "trajectory",
           "vectorfield", "votes"]

__getattr__, __dir__ = submodules_on_first_use(__name__, __all__)
