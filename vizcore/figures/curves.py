"""Figures of the curve-fitting lesson: the fit, its parts, beyond the data, small multiples."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .landscape import loss_axis
from .spec import Spec, finished
from .style import AXIS_BELOW, AXIS_LEFT, FONT, bends, f32, padded_range

DATA, FIT, TARGET, PART = "#7f8796", "#c2185b", "#2e9e5b", "rgba(59, 111, 214, 0.55)"
MAX_PARTS = 30


def _layout(fig: go.Figure, height: int, **extra) -> Spec:
    fig.update_layout(height=height, margin=dict(l=AXIS_LEFT, r=29, t=51, b=AXIS_BELOW), font=FONT,
                      template="plotly_white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), **extra)
    return finished(fig)


def fit_figure(x: np.ndarray, y: np.ndarray, grid: np.ndarray, fit: np.ndarray, parts: np.ndarray | None = None,
               kinks: np.ndarray | None = None, kink_y: np.ndarray | None = None,
               unit_notes: list[str] | None = None) -> Spec:
    """Data points, the net's curve and, below it, each hidden unit's contribution.

    x, y : [n] training data; grid, fit : [m] the net's output on a fine grid;
    parts : [m, k] contributions w'_i * h_i(x) (at most MAX_PARTS largest are drawn);
    kinks, kink_y : [q] where ReLU units switch, and the fit there;
    unit_notes : [k] text shown when hovering unit i's curve (e.g. its weight and bias).
    """
    show_parts = parts is not None and parts.shape[1] > 0
    fig = make_subplots(rows=2 if show_parts else 1, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.6, 0.4] if show_parts else None,
                        # the top panel's legend names it (a title there met a ReLU fit's four legend entries)
                        subplot_titles=("", "each hidden unit's share w′ᵢ·hᵢ(x)")
                        if show_parts else None)
    fig.add_trace(go.Scatter(x=f32(x), y=f32(y), mode="markers", name="data", marker=dict(size=4, color=DATA)))
    kept = bends(grid, fit, every=10)
    fig.add_trace(go.Scatter(x=f32(grid[kept]), y=f32(fit[kept]), mode="lines", name="the net",
                             line=dict(color=FIT, width=3)))
    if kinks is not None and len(kinks):
        fig.add_trace(go.Scatter(x=f32(kinks), y=f32(kink_y), mode="markers", name="ReLU kinks",
                                 marker=dict(symbol="x-thin", size=9, line=dict(width=2, color="#111"))))
    if show_parts:
        order = np.argsort(-np.abs(parts).max(axis=0))[:MAX_PARTS]
        for rank, i in enumerate(sorted(order)):
            kept = bends(grid, parts[:, i], every=10)
            fig.add_trace(go.Scatter(x=f32(grid[kept]), y=f32(parts[kept, i]),
                                     mode="lines", line=dict(color=PART, width=1),
                                     name="one unit each", legendgroup="parts", showlegend=rank == 0,
                                     hovertemplate=f"unit {i + 1}" + (f" · {unit_notes[i]}" if unit_notes else "")
                                     + "<br>x=%{x:.2f}<br>share=%{y:.3f}<extra></extra>"),
                          row=2, col=1)
        fig.update_yaxes(title_text="share of f(x)", row=2, col=1)
        fig.update_xaxes(title_text="x", row=2, col=1)
    else:
        fig.update_xaxes(title_text="x")
    fig.update_yaxes(title_text="y", range=padded_range(np.r_[y, fit]), row=1, col=1)
    return _layout(fig, 560 if show_parts else 380)


def beyond_figure(grid: np.ndarray, target: np.ndarray, fit: np.ndarray, low: float, high: float) -> Spec:
    """The target and the net on a wider interval, with the training interval shaded."""
    fig = go.Figure()
    fig.add_vrect(x0=low, x1=high, fillcolor="rgba(59,111,214,0.08)", line_width=0,
                  annotation_text="training interval", annotation_position="top left")
    fig.add_trace(go.Scatter(x=f32(grid), y=f32(target), mode="lines", name="target",
                             line=dict(color=TARGET, width=2, dash="dot")))
    fig.add_trace(go.Scatter(x=f32(grid), y=f32(fit), mode="lines", name="the net", line=dict(color=FIT, width=3)))
    inside = (grid >= low) & (grid <= high)
    span = padded_range(np.r_[target[inside], fit], pad=0.15)
    fig.update_xaxes(title_text="x")
    fig.update_yaxes(title_text="y", range=span)
    return _layout(fig, 380)


def loss_figure(steps: Sequence[float], losses: Sequence[float], title: str = "training loss") -> Spec:
    """Mean squared error against epoch, on a log scale."""
    fig = go.Figure(go.Scatter(x=f32(steps), y=f32(np.maximum(losses, 1e-12)), mode="lines",
                               line=dict(color="#3b6fd6", width=2), name="loss"))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="mean squared error", **loss_axis(np.maximum(losses, 1e-12)))
    return _layout(fig, 260, title=dict(text=title, font=dict(size=14)), showlegend=False)


def small_multiples(panels: Sequence[tuple[str, np.ndarray]], x: np.ndarray, y: np.ndarray, grid: np.ndarray,
                    cols: int = 3) -> Spec:
    """One small fit per panel: (title, f(grid) [m]), over the same data points."""
    rows = int(np.ceil(len(panels) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[t for t, _ in panels], shared_yaxes=True,
                        horizontal_spacing=0.04, vertical_spacing=0.12)
    span = padded_range(np.asarray(y))
    for k, (_, fit) in enumerate(panels):
        r, c = k // cols + 1, k % cols + 1
        fig.add_trace(go.Scatter(x=f32(x), y=f32(y), mode="markers", marker=dict(size=2.5, color=DATA),
                                 showlegend=False, hoverinfo="skip"), row=r, col=c)
        fig.add_trace(go.Scatter(x=f32(grid), y=f32(np.clip(fit, span[0] - 10, span[1] + 10)), mode="lines",
                                 line=dict(color=FIT, width=2), showlegend=False), row=r, col=c)
        fig.update_yaxes(range=span, row=r, col=c)
    for c in range(1, cols + 1):
        fig.update_xaxes(title_text="x", row=rows, col=c)
    fig.update_yaxes(title_text="y", col=1)
    return _layout(fig, 230 * rows + 40, showlegend=False)
