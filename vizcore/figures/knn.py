"""The learned feature plane of each head, with its decision regions."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .raster import plane_image
from .spec import Spec, finished
from .style import AXIS_BELOW, AXIS_LEFT, CLASS_COLORS, FONT, padded_range, png_data_uri

DOT_PX = 5  # a test point's diameter on a panel PANEL_PX across (it grows with the panel)
PANEL_PX = 260  # a panel's longer side in a 940 px wide page
IMAGE_SIDE = 720  # the longer side of a panel's image: a panel can be zoomed in three times before it blurs


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
    Each panel is one image of its points over its regions (figures/raster.py), both axes to one scale:
    a k-NN head measures plain Euclidean distance, so the picture must not stretch one direction.
    """
    heads = list(features)
    fig = make_subplots(rows=1, cols=len(heads), subplot_titles=[titles[h] for h in heads],
                        horizontal_spacing=0.06)
    C = len(names)
    for c in range(C):  # the legend: one empty trace per class (the points are in the images)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=names[c], hoverinfo="skip",
                                 marker=dict(size=DOT_PX, color=CLASS_COLORS[c % len(CLASS_COLORS)])), row=1, col=1)
    for col, head in enumerate(heads, start=1):
        xy, xlabel, ylabel = _plane(features[head])
        box = padded_range(xy[:, 0]), padded_range(xy[:, 1])
        (x0, x1), (y0, y1) = box
        scale = IMAGE_SIDE / max(x1 - x0, y1 - y0)  # pixels per unit
        size = max(round((x1 - x0) * scale), 1), max(round((y1 - y0) * scale), 1)
        image = plane_image(box, size, xy, labels, C, DOT_PX / 2 * IMAGE_SIDE / PANEL_PX,
                            regions.get(head) if regions else None)
        axis = "" if col == 1 else str(col)
        fig.add_layout_image(source=png_data_uri(image, palette=128), xref=f"x{axis}", yref=f"y{axis}", x=x0, y=y1,
                             sizex=x1 - x0, sizey=y1 - y0, sizing="stretch", layer="below")
        fig.update_xaxes(title=xlabel, range=[x0, x1], row=1, col=col, zeroline=False, showgrid=False,
                         constrain="domain")
        fig.update_yaxes(title=ylabel if col == 1 else None, range=[y0, y1], row=1, col=col, zeroline=False,
                         showgrid=False, scaleanchor=f"x{axis}", scaleratio=1, constrain="domain",
                         constraintoward="top")
    fig.update_layout(height=height, font=FONT, template="plotly_white",
                      margin=dict(l=AXIS_LEFT, r=10, t=83, b=AXIS_BELOW),
                      legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0, title="class",
                                  itemclick=False, itemdoubleclick=False))
    return finished(fig)
