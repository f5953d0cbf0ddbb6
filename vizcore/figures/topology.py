"""The evidence behind the Betti numbers: each class's strongest gaps and loops per layer, as bars."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from .style import CLASS_COLORS, FONT

SHOWN = 3  # bars of each kind per panel: the counted ones stand out against the strongest noise
NOISE_COLOR, UNSURE_COLOR = "rgba(120, 120, 120, 0.10)", "rgba(227, 156, 36, 0.22)"


def barcode_grid(gaps: Sequence[Sequence[np.ndarray]], loops: Sequence[Sequence[np.ndarray]],
                 rows: Sequence[str], columns: Sequence[str], gap_band: tuple[float, float],
                 loop_band: tuple[float, float], height_per_row: int = 150) -> go.Figure:
    """Small multiples, one row per class and one column per representation.

    gaps[r][c] : float [g] gap lengths in the unit their band is given in (largest first)
    loops[r][c] : float [l] death/birth of each loop (largest first)
    gap_band, loop_band : (unresolved from, counted from) in those units

    Each bar is drawn relative to its kind's counting line, on a log scale: a bar that crosses the
    line counts, one in the amber band is unresolved, one in the grey zone is sampling noise.
    """
    from plotly.subplots import make_subplots

    R, C = len(rows), len(columns)
    fig = make_subplots(R, C, shared_xaxes=True, shared_yaxes=True, horizontal_spacing=0.015,
                        vertical_spacing=0.08 if R > 1 else 0.0, column_titles=list(columns))
    lanes = [f"gap {k + 1}" for k in range(SHOWN)] + [f"loop {k + 1}" for k in range(SHOWN)]
    low = 0.2
    for r in range(R):
        for c in range(C):
            parts = [(np.asarray(gaps[r][c], float)[:SHOWN] / gap_band[1], "gap", gap_band),
                     (np.asarray(loops[r][c], float)[:SHOWN] / loop_band[1], "loop", loop_band)]
            for values, kind, band in parts:
                values = np.clip(values[np.isfinite(values)], low, 50)
                names = [f"{kind} {k + 1}" for k in range(len(values))]
                colour = [CLASS_COLORS[r % len(CLASS_COLORS)] if v >= 1 else
                          ("#e39c24" if v >= band[0] / band[1] else "#9a9a9a") for v in values]
                raw = values * band[1]
                fig.add_trace(go.Bar(x=values - low, base=low, y=names, orientation="h", marker_color=colour,
                                     customdata=raw, showlegend=False, width=0.7,
                                     hovertemplate=f"{rows[r]}, {columns[c]}: %{{y}} %{{customdata:.2f}}"
                                                   + (" bars" if kind == "gap" else " death/birth")
                                                   + "<extra></extra>"),
                              r + 1, c + 1)
            for kind, band in (("gap", gap_band), ("loop", loop_band)):
                y0, y1 = (-0.5, SHOWN - 0.5) if kind == "gap" else (SHOWN - 0.5, 2 * SHOWN - 0.5)
                fig.add_shape(type="rect", x0=low, x1=band[0] / band[1], y0=y0, y1=y1, fillcolor=NOISE_COLOR,
                              line_width=0, layer="below", row=r + 1, col=c + 1)
                fig.add_shape(type="rect", x0=band[0] / band[1], x1=1, y0=y0, y1=y1, fillcolor=UNSURE_COLOR,
                              line_width=0, layer="below", row=r + 1, col=c + 1)
            fig.add_vline(x=1, line=dict(color="#333", width=1.5), row=r + 1, col=c + 1)
        fig.update_yaxes(title_text=rows[r], row=r + 1, col=1)
    fig.update_xaxes(type="log", range=[np.log10(low), np.log10(20)], tickvals=[1], ticktext=["counts"],
                     showgrid=False)
    fig.update_yaxes(categoryorder="array", categoryarray=lanes[::-1], range=[-0.5, len(lanes) - 0.5], showgrid=False,
                     tickfont_size=11)
    fig.update_layout(height=60 + height_per_row * R, font=FONT, template="plotly_white", bargap=0.2,
                      margin=dict(l=10, r=10, t=40, b=20))
    return fig
