"""Plotly figure builders: plain arrays in, a finished figure out (:class:`spec.Spec`; no training, no streamlit)."""
from __future__ import annotations

from . import curves, knn, landscape, layers, low_dimension, spec, style, trajectory, vectorfield

__all__ = ["curves", "knn", "landscape", "layers", "low_dimension", "spec", "style", "trajectory", "vectorfield"]
