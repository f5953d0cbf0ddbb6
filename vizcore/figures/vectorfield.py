"""A vector field drawn as arrows over the plane (cones in 3D), with the data underneath."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .style import CLASS_COLORS, FONT, class_name, f32, padded_range

ARROW_COLOR = "#333a48"


def _arrow_segments(P: np.ndarray, U: np.ndarray, head: float = 0.3) -> np.ndarray:
    """NaN-separated polylines [a*6, 2]: shaft, then the two barbs of each arrow (P, U [a, 2])."""
    tip = P + U
    back = -U * head
    normal = np.c_[-back[:, 1], back[:, 0]] * 0.5
    rows = np.stack([P, tip, np.full_like(P, np.nan), tip + back + normal, tip, tip + back - normal], 1)
    rows = np.concatenate([rows, np.full((len(P), 1, 2), np.nan)], 1)
    return rows.reshape(-1, 2)


def arrow_field(positions: np.ndarray, field: np.ndarray, X: np.ndarray, y: np.ndarray, title: str = "",
                height: int = 520) -> go.Figure:
    """Arrows of ``field`` [a, D] at ``positions`` [a, D] over data X [n, D] coloured by class y [n].

    Arrows are scaled so the longest spans about one grid spacing; D = 3 draws cones.
    """
    D = positions.shape[1]
    length = np.linalg.norm(field, axis=1)
    fig = go.Figure()
    classes = np.unique(y)
    if D == 2:
        spacing = np.min(np.ptp(positions, 0)) / max(np.sqrt(len(positions)) - 1, 1)
        scale = 0.95 * spacing / max(length.max(), 1e-12)
        for c in classes:
            fig.add_trace(go.Scatter(x=f32(X[y == c, 0]), y=f32(X[y == c, 1]), mode="markers",
                                     name=f"class {class_name(c)}", opacity=0.45,
                                     marker=dict(size=5, color=CLASS_COLORS[int(c) % len(CLASS_COLORS)])))
        seg = _arrow_segments(positions, field * scale)
        fig.add_trace(go.Scatter(x=f32(seg[:, 0]), y=f32(seg[:, 1]), mode="lines", name="field",
                                 line=dict(color=ARROW_COLOR, width=1.4), hoverinfo="skip"))
        fig.update_xaxes(title="coordinate 1", range=padded_range(positions[:, 0]), zeroline=False)
        fig.update_yaxes(title="coordinate 2", range=padded_range(positions[:, 1]), zeroline=False,
                         scaleanchor="x", scaleratio=1)
    else:
        for c in classes:
            fig.add_trace(go.Scatter3d(x=f32(X[y == c, 0]), y=f32(X[y == c, 1]), z=f32(X[y == c, 2]),
                                       mode="markers", name=f"class {class_name(c)}", opacity=0.6,
                                       marker=dict(size=3, color=CLASS_COLORS[int(c) % len(CLASS_COLORS)])))
        fig.add_trace(go.Cone(x=f32(positions[:, 0]), y=f32(positions[:, 1]), z=f32(positions[:, 2]),
                              u=f32(field[:, 0]), v=f32(field[:, 1]), w=f32(field[:, 2]), sizemode="scaled",
                              sizeref=0.35, anchor="tail", colorscale="Greys", cmin=0,
                              colorbar=dict(title="speed", thickness=12, len=0.6), name="field"))
        fig.update_layout(scene=dict(xaxis_title="coordinate 1", yaxis_title="coordinate 2",
                                     zaxis_title="coordinate 3 (added)", aspectmode="manual",
                                     aspectratio=dict(x=1, y=1, z=0.7), camera=dict(eye=dict(x=1.5, y=1.5, z=1.0))))
    fig.update_layout(title=title, height=height, font=FONT, template="plotly_white",
                      margin=dict(l=10, r=10, t=50 if title else 20, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    return fig
