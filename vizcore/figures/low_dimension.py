"""Charts of multi-seed sweeps: where the seeds of each architecture end up."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .spec import Spec, finished
from .style import AXIS_BELOW, AXIS_LEFT, CLASS_COLORS, FONT, f32

EXPECT_COLORS = {"fails": CLASS_COLORS[0], "succeeds": CLASS_COLORS[2]}


def accuracy_strip(labels: list[str], accuracies: list[np.ndarray], expects: list[str], seeds: list[np.ndarray],
                   threshold: float = 0.99, height: int = 260) -> Spec:
    """One row of dots per architecture, one dot per seed at its final accuracy.

    labels, expects : one per architecture; accuracies, seeds : arrays [S] per architecture.
    A dashed line marks ``threshold``; hovering a dot names its seed.
    """
    fig = go.Figure()
    rng = np.random.default_rng(0)  # vertical jitter so equal accuracies stay visible
    for k, (label, acc, expect, s) in enumerate(zip(labels, accuracies, expects, seeds)):
        jitter = rng.uniform(-0.18, 0.18, len(acc))
        fig.add_trace(go.Scatter(
            x=f32(100 * np.asarray(acc)), y=f32(k + jitter), mode="markers", name=f"{label} ({expect})",
            marker=dict(size=9, color=EXPECT_COLORS.get(expect, "#555"), opacity=0.75,
                        line=dict(width=0.5, color="white")),
            customdata=np.asarray(s), hovertemplate="seed %{customdata}: %{x:.1f}%<extra>" + label + "</extra>"))
    low = min(float(np.min(a)) for a in accuracies) if accuracies else 0.5
    fig.add_vline(x=100 * threshold, line=dict(dash="dash", color="#333", width=1),
                  annotation_text=f"{threshold:.0%}", annotation_position="top")
    fig.update_layout(
        height=height, font=FONT, showlegend=False, margin=dict(l=AXIS_LEFT, r=10, t=30, b=AXIS_BELOW),
        xaxis=dict(title="final training accuracy (%)", range=[100 * min(low, 0.9) - 2, 101]),
        yaxis=dict(tickvals=list(range(len(labels))), ticktext=labels, range=[-0.6, len(labels) - 0.4],
                   autorange="reversed", title=None))
    return finished(fig)
