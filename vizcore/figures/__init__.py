"""Plotly figure builders: plain arrays in, go.Figure out (no training, no streamlit)."""
from __future__ import annotations

from . import curves, experiments, knn, landscape, layers, style, trajectory, vectorfield

__all__ = ["curves", "experiments", "knn", "landscape", "layers", "style", "trajectory", "vectorfield"]
