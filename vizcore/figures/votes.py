"""The class's votes against the answer: one horizontal bar per choice, the right one in green."""
from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go

from .spec import Spec, finished
from .style import FONT

RIGHT, OTHER = "#2e9e5b", "#b7bfcc"


def vote_bars(choices: Sequence[str], counts: Sequence[int], answer: int, height: int = 300,
              font: int = 18) -> Spec:
    """``counts[i]`` votes for ``choices[i]`` (labelled A, B, …), with choice ``answer`` marked right."""
    total = max(sum(counts), 1)
    letters = [f"{'ABCD'[i]}{' ✓' if i == answer else ''}" for i in range(len(choices))]
    fig = go.Figure(go.Bar(
        y=letters, x=list(counts), orientation="h", marker_color=[RIGHT if i == answer else OTHER
                                                                  for i in range(len(choices))],
        text=[f"{n} ({n / total:.0%})" for n in counts], textposition="outside", cliponaxis=False,
        hovertext=list(choices), hoverinfo="text"))
    fig.update_layout(height=height, margin=dict(l=10, r=70, t=10, b=10), font=dict(FONT, size=font),
                      yaxis=dict(autorange="reversed", tickfont=dict(size=font + 4)),
                      xaxis=dict(visible=False, range=[0, max(max(counts, default=0), 1) * 1.15]),
                      plot_bgcolor="white", dragmode=False, showlegend=False)
    return finished(fig)
