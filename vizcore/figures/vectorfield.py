"""A vector field drawn as arrows over the plane (cones in 3D), with the data underneath."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .spec import Spec, finished
from .style import AXIS_BELOW, AXIS_LEFT, CLASS_COLORS, FONT, class_name, f32, padded_range

ARROW_COLOR = "#333a48"
REGION_COLOR = "rgba(214, 64, 78, 0.12)"  # the "disc" class colour, faint
CHANNEL_COLOR = "rgba(245, 160, 0, 0.9)"  # amber: stands out against both classes


def _arrow_segments(P: np.ndarray, U: np.ndarray, head: float = 0.3) -> np.ndarray:
    """NaN-separated polylines [a*6, 2]: shaft, then the two barbs of each arrow (P, U [a, 2])."""
    tip = P + U
    back = -U * head
    normal = np.c_[-back[:, 1], back[:, 0]] * 0.5
    rows = np.stack([P, tip, np.full_like(P, np.nan), tip + back + normal, tip, tip + back - normal], 1)
    rows = np.concatenate([rows, np.full((len(P), 1, 2), np.nan)], 1)
    return rows.reshape(-1, 2)


def _region_traces(region: dict) -> list:
    """The "disc" region shaded, its channel through the ring in amber, the boundary and the misplaced points."""
    axis, inside, channel = region["axis"], region["decision"] < 0, region["channel"]
    z = np.where(channel, 2, np.where(inside, 1, 0)).astype(np.float32)
    scale = [[0, "rgba(0,0,0,0)"], [0.33, "rgba(0,0,0,0)"], [0.34, REGION_COLOR], [0.66, REGION_COLOR],
             [0.67, CHANNEL_COLOR], [1, CHANNEL_COLOR]]
    traces = [go.Heatmap(x=f32(axis), y=f32(axis), z=z, zmin=0, zmax=2, colorscale=scale, showscale=False,
                         hoverinfo="skip", name="classified as disc"),
              go.Scatter(x=[None], y=[None], mode="markers", name="channel", legendrank=3,
                         marker=dict(symbol="square", size=12, color=CHANNEL_COLOR))]
    curve = region.get("curve")
    if curve is not None:
        traces.append(go.Scatter(x=f32(curve[:, 0]), y=f32(curve[:, 1]), mode="lines", name="boundary",
                                 line=dict(color="#111111", width=1.5), hoverinfo="skip", legendrank=5))
    wrong = region.get("misplaced")
    if wrong is not None and len(wrong):
        traces.append(go.Scatter(x=f32(wrong[:, 0]), y=f32(wrong[:, 1]), mode="markers",
                                 name=f"ring points as disc ({len(wrong)})", legendrank=4,
                                 marker=dict(symbol="x-thin", size=9, line=dict(width=2, color="#111111"))))
    return traces


def arrow_field(positions: np.ndarray, field: np.ndarray, X: np.ndarray, y: np.ndarray, title: str = "",
                height: int = 520, region: dict | None = None) -> Spec:
    """Arrows of ``field`` [a, D] at ``positions`` [a, D] over data X [n, D] coloured by class y [n].

    Arrows are scaled so the longest spans about one grid spacing; D = 3 draws cones.
    region (2D only): the input plane's "disc" region to paint underneath, a dict with ``axis`` [r],
    ``decision`` [r, r] (below 0: disc), ``channel`` bool [r, r], optional ``curve`` [m, 2] (the
    boundary), ``misplaced`` [k, 2] (ring points called disc), ``spot`` (x, y) and ``label`` for an
    arrow pointing at the channel.
    """
    D = positions.shape[1]
    length = np.linalg.norm(field, axis=1)
    fig = go.Figure()
    classes = np.unique(y)
    if D == 2:
        for trace in _region_traces(region) if region else []:
            fig.add_trace(trace)
        spacing = np.min(np.ptp(positions, 0)) / max(np.sqrt(len(positions)) - 1, 1)
        scale = 0.95 * spacing / max(length.max(), 1e-12)
        for c in classes:
            fig.add_trace(go.Scatter(x=f32(X[y == c, 0]), y=f32(X[y == c, 1]), mode="markers",
                                     name=f"class {class_name(c)}", opacity=0.45, legendrank=1,
                                     marker=dict(size=5, color=CLASS_COLORS[int(c) % len(CLASS_COLORS)])))
        seg = _arrow_segments(positions, field * scale)
        fig.add_trace(go.Scatter(x=f32(seg[:, 0]), y=f32(seg[:, 1]), mode="lines", name="field", showlegend=False,
                                 line=dict(color=ARROW_COLOR, width=1.4), hoverinfo="skip"))
        if region and region.get("spot") is not None:
            sx, sy = region["spot"]
            fig.add_annotation(x=sx, y=sy, text=region.get("label", ""), showarrow=True, arrowhead=2, arrowwidth=2,
                               ax=-40 if sx > 0 else 40, ay=70 if sy <= 0 else -70, bgcolor="rgba(255,255,255,0.9)",
                               bordercolor=CHANNEL_COLOR, borderwidth=2, font=dict(size=FONT["size"] + 1))
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
                              sizeref=0.25, anchor="tail", colorscale="Greys", cmin=0, showscale=False,
                              name="field (cone size: speed)", showlegend=True))
        fig.update_layout(scene=dict(xaxis_title="coordinate 1", yaxis_title="coordinate 2",
                                     zaxis_title="coordinate 3", aspectmode="manual",
                                     aspectratio=dict(x=1, y=1, z=0.6), domain=dict(x=[0.0, 1.0], y=[0.0, 1.0]),
                                     # far enough back that every tick label stays inside a half-width column
                                     camera=dict(eye=dict(x=1.75, y=-1.75, z=1.2), center=dict(x=0, y=0, z=-0.15))))
    fig.update_layout(title=title, height=height, font=FONT, template="plotly_white",
                      margin=dict(l=AXIS_LEFT, r=10, t=80 + (30 if title else 0), b=AXIS_BELOW) if D == 2
                      else dict(l=30, r=10, t=61, b=30),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, entrywidth=0.5,
                                  entrywidthmode="fraction"))
    return finished(fig)
