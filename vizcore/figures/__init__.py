"""Plotly figure builders: plain arrays in, go.Figure out (no training, no streamlit)."""
from __future__ import annotations

from . import curves, knn, landscape, layers, low_dimension, style, trajectory, vectorfield

__all__ = ["curves", "knn", "landscape", "layers", "low_dimension", "style", "trajectory", "vectorfield"]
