"""The layer animation: a deforming grid with the data riding on it, frame by frame."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..layers import Animation
from .style import BOUNDARY_COLOR, CLASS_COLORS, FONT, GRID_COLOR, class_name, f32, padded_range, playback


def _boundary_segment(normal: np.ndarray, offset: float, xr: list, yr: list) -> tuple[np.ndarray, np.ndarray]:
    """Endpoints of the line normal . p + offset = 0 inside the box xr x yr (NaN if it misses)."""
    a, b = float(normal[0]), float(normal[1])
    if abs(b) >= abs(a):
        xs = np.array(xr, dtype=float)
        return xs, -(a * xs + offset) / b
    ys = np.array(yr, dtype=float)
    return -(b * ys + offset) / a, ys


def _plane(normal: np.ndarray, offset: float, box: list[list[float]]) -> dict:
    """A square patch of the plane normal . p + offset = 0 covering the box (for Mesh3d)."""
    n = np.asarray(normal, dtype=float)
    n_hat = n / np.linalg.norm(n)
    centre = np.array([np.mean(r) for r in box])
    centre = centre - (n @ centre + offset) / (n @ n) * n
    helper = np.eye(3)[np.argmin(np.abs(n_hat))]
    e1 = np.cross(n_hat, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(n_hat, e1)
    half = 0.5 * np.linalg.norm([r[1] - r[0] for r in box])
    corners = np.array([centre + half * (sx * e1 + sy * e2) for sx, sy in [(-1, -1), (1, -1), (1, 1), (-1, 1)]])
    return dict(x=f32(corners[:, 0]), y=f32(corners[:, 1]), z=f32(corners[:, 2]), i=[0, 0], j=[1, 2], k=[2, 3])


def layer_animation(anim: Animation, labels: np.ndarray, title: str = "", height: int = 560,
                    frame_ms: int = 70) -> go.Figure:
    """Plotly animation over every frame of ``anim``, play/pause and a labelled slider.

    labels: int [n] class of each point (colours); the decision boundary appears in the
    last frame only.
    """
    three_d = anim.dim == 3
    classes = np.unique(labels)
    F = len(anim.labels)

    def coords(arr: np.ndarray) -> dict:
        keys = ("x", "y", "z") if three_d else ("x", "y")
        return {k: f32(arr[:, i]) for i, k in enumerate(keys)}

    def frame_traces(f: int) -> list:
        scatter = go.Scatter3d if three_d else go.Scatter
        traces = [scatter(**coords(anim.grid[f]))]
        traces += [scatter(**coords(anim.points[f][labels == c])) for c in classes]
        return traces

    last = np.r_[anim.points[-1], anim.grid[-1]]
    box = [padded_range(last[:, i]) for i in range(anim.dim)]

    def boundary_trace(f: int):
        show = anim.boundary is not None and f == F - 1
        if three_d:
            if anim.boundary is None:
                return go.Mesh3d(x=[], y=[], z=[], i=[], j=[], k=[])
            return go.Mesh3d(**_plane(*anim.boundary, box), visible=show)
        if not show:
            return go.Scatter(x=f32([np.nan, np.nan]), y=f32([np.nan, np.nan]))
        xs, ys = _boundary_segment(*anim.boundary, box[0], box[1])
        return go.Scatter(x=f32(xs), y=f32(ys))

    fig = go.Figure()
    scatter = go.Scatter3d if three_d else go.Scatter
    marker_size = 3 if three_d else 6
    fig.add_trace(scatter(**coords(anim.grid[0]), mode="lines", name="grid", hoverinfo="skip",
                          line=dict(color=GRID_COLOR, width=2 if three_d else 1)))
    for c in classes:
        fig.add_trace(scatter(**coords(anim.points[0][labels == c]), mode="markers", name=f"class {class_name(c)}",
                              marker=dict(color=CLASS_COLORS[int(c) % len(CLASS_COLORS)], size=marker_size,
                                          line=dict(width=0.5, color="white") if not three_d else None)))
    b0 = boundary_trace(0)
    if three_d:
        b0.update(color="rgba(20,20,20,0.25)", name="decision plane", showlegend=True, hoverinfo="skip")
    else:
        b0.update(mode="lines", name="decision line", line=dict(color=BOUNDARY_COLOR, width=3, dash="dash"))
    fig.add_trace(b0)

    frames = []
    for f in range(F):
        pts = np.r_[anim.points[f], anim.grid[f]]
        data = frame_traces(f) + [boundary_trace(f)]
        if three_d:
            layout = go.Layout()
        else:
            layout = go.Layout(xaxis=dict(range=padded_range(pts[:, 0])), yaxis=dict(range=padded_range(pts[:, 1])))
        frames.append(go.Frame(data=data, name=str(f), layout=layout, traces=list(range(len(data)))))
    fig.frames = frames

    fig.update_layout(
        title=title, height=height, font=FONT, template="plotly_white",
        margin=dict(l=10, r=10, t=50 if title else 30, b=90),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        **playback([str(f) for f in range(F)], anim.labels, frame_ms=frame_ms, redraw=three_d,
                   transition_ms=0 if three_d else int(frame_ms * 0.8), prefix="showing: ", pad_top=50),
    )
    first = np.r_[anim.points[0], anim.grid[0]]
    if three_d:
        axes = dict(range=None, showbackground=False, zeroline=False)
        fig.update_layout(scene=dict(xaxis=dict(title="unit 1", **axes), yaxis=dict(title="unit 2", **axes),
                                     zaxis=dict(title="unit 3", **axes), aspectmode="cube"))
    else:
        fig.update_xaxes(range=padded_range(first[:, 0]), title="coordinate 1", zeroline=False)
        fig.update_yaxes(range=padded_range(first[:, 1]), title="coordinate 2", zeroline=False,
                         scaleanchor="x", scaleratio=1)
    return fig
