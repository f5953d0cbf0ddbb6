"""The learned feature plane of each head, with its decision regions."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .spec import Spec, finished
from .style import AXIS_BELOW, AXIS_LEFT, CLASS_COLORS, FONT, f32, padded_range


def _region_colorscale(n_classes: int, alpha: float = 0.22) -> list:
    """A stepped colour scale: class c gets CLASS_COLORS[c], faded."""
    scale = []
    for c in range(n_classes):
        hex_ = CLASS_COLORS[c % len(CLASS_COLORS)].lstrip("#")
        r, g, b = (int(hex_[i:i + 2], 16) for i in (0, 2, 4))
        colour = f"rgba({r},{g},{b},{alpha})"
        scale += [[c / n_classes, colour], [(c + 1) / n_classes, colour]]
    return scale


def _plane(Z: np.ndarray) -> tuple[np.ndarray, str, str]:
    """2-D features as they are; more dimensions through their two principal directions."""
    if Z.shape[1] == 2:
        return Z, "feature 1", "feature 2"
    centred = Z - Z.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T, "principal direction 1", "principal direction 2"


def feature_planes(features: dict[str, np.ndarray], labels: np.ndarray, names: tuple[str, ...],
                   titles: dict[str, str], regions: dict[str, tuple] | None = None, height: int = 460) -> Spec:
    """One panel per head: test points [n, k] in the learned feature space, coloured by true class.

    regions: {head: (xs [g], ys [g], class int [g, g])} painted underneath when the features are 2-D.
    """
    heads = list(features)
    fig = make_subplots(rows=1, cols=len(heads), subplot_titles=[titles[h] for h in heads],
                        horizontal_spacing=0.06)
    C = len(names)
    for col, head in enumerate(heads, start=1):
        xy, xlabel, ylabel = _plane(features[head])
        if regions and head in regions:
            xs, ys, cls = regions[head]
            fig.add_trace(go.Heatmap(x=f32(xs), y=f32(ys), z=f32(cls), zmin=-0.5, zmax=C - 0.5,
                                     colorscale=_region_colorscale(C), showscale=False, hoverinfo="skip"),
                          row=1, col=col)
        for c in range(C):
            pts = xy[labels == c]
            fig.add_trace(go.Scatter(x=f32(pts[:, 0]), y=f32(pts[:, 1]), mode="markers", name=names[c],
                                     legendgroup=names[c], showlegend=col == 1,
                                     marker=dict(size=5, color=CLASS_COLORS[c % len(CLASS_COLORS)]),
                                     hovertemplate=f"class {names[c]}<extra></extra>"),
                          row=1, col=col)
        fig.update_xaxes(title=xlabel, range=padded_range(xy[:, 0]), row=1, col=col, zeroline=False)
        fig.update_yaxes(title=ylabel if col == 1 else None, range=padded_range(xy[:, 1]), row=1, col=col,
                         zeroline=False)
    fig.update_layout(height=height, font=FONT, template="plotly_white",
                      margin=dict(l=AXIS_LEFT, r=10, t=83, b=AXIS_BELOW),
                      legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0, title="class"))
    return finished(fig)
