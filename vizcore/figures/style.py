"""Colours and small layout helpers shared by every figure."""
from __future__ import annotations

import numpy as np

CLASS_COLORS = ["#d6404e", "#3b6fd6", "#2e9e5b", "#e39c24", "#8e5cc7",
                "#17a2b8", "#b5651d", "#e377c2", "#7f7f7f", "#6b8e23"]
GRID_COLOR = "rgba(90, 100, 120, 0.35)"
GRID_COLOR_3D = "#b9bfca"  # Scatter3d lines draw nothing with an rgba colour in Chromium: a solid light grey
BOUNDARY_COLOR = "#111111"
FONT = dict(family="Inter, Segoe UI, sans-serif", size=13)


def class_name(label: int) -> str:
    """Class 0 is "A", class 1 is "B", ... (the articles' names)."""
    return chr(ord("A") + int(label))


def percent(accuracy: float) -> str:
    """Accuracy as a percentage truncated to 0.1, so that only a perfect run shows 100.0% (99.98% shows 99.9%)."""
    return f"{np.floor(1000 * float(accuracy) + 1e-3) / 10:.1f}%"


def padded_range(values: np.ndarray, pad: float = 0.06) -> list[float]:
    """[low, high] of the finite values, widened a little so markers are not clipped."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return [-1.0, 1.0]
    low, high = float(finite.min()), float(finite.max())
    span = max(high - low, 1e-3)
    return [low - pad * span, high + pad * span]


def f32(values) -> np.ndarray:
    """float32 copy: plotly sends it base64-encoded, a quarter of the JSON text size."""
    return np.ascontiguousarray(values, dtype=np.float32)


def bends(x: np.ndarray, y: np.ndarray, every: int = 0, rtol: float = 1e-9) -> np.ndarray:
    """Indices of the polyline (x, y) that draw the same line: its ends, every point where it bends, and every
    ``every``-th point if given (plotly shows a line's hover text only near its points).

    The points dropped lie on the straight line through their neighbours (to ``rtol`` of the picture's size):
    a ReLU unit's curve on 400 points is drawn by 4 of them (and 40 more for its hover text at ``every=10``).
    """
    if len(x) < 3:
        return np.arange(len(x))
    dx, dy = np.diff(x), np.diff(y)
    turn = np.abs(dx[:-1] * dy[1:] - dy[:-1] * dx[1:])  # twice the triangle of each point and its neighbours
    finite = y[np.isfinite(y)]
    size = (np.ptp(x) + 1e-300) * ((np.ptp(finite) if finite.size else 0.0) + 1e-300)
    keep = np.r_[True, ~(turn <= rtol * size), True]  # NaN kept: it is a gap, not a straight line
    if every:
        keep[::every] = True
    return np.flatnonzero(keep)


def hex_rgb(colour: str) -> np.ndarray:
    """[3] float64 of "#rrggbb"."""
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def colorize(values: np.ndarray, scale: list, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """RGB uint8 [r, c, 3] of ``values`` [r, c] through a plotly-style colour scale [[pos, "#rrggbb"], ...]."""
    positions = np.array([p for p, _ in scale])
    rgb = np.array([hex_rgb(c) for _, c in scale])
    t = np.clip((np.nan_to_num(values) - low) / (high - low), 0, 1)
    return np.stack([np.interp(t, positions, rgb[:, k]) for k in range(3)], axis=-1).round().astype(np.uint8)


def png_data_uri(rgb: np.ndarray, palette: int = 0) -> str:
    """A PNG data URI of an RGB image whose first row is the bottom of the picture (y up).

    palette: at most this many colours (an 8-bit PNG, a third of the bytes for a picture of a few flat
    colours and their antialiased edges); 0 keeps every colour (smooth colour scales band in a palette).
    """
    import base64
    import io

    from PIL import Image

    buffer = io.BytesIO()
    image = Image.fromarray(np.ascontiguousarray(rgb[::-1]))
    if palette:
        image = image.quantize(colors=palette, method=Image.Quantize.FASTOCTREE)
    # optimize=True took 5x the encoding time for 4% fewer bytes
    image.save(buffer, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


SPEEDS = (("▶ Play", 1.0), ("▶ Slow", 2.0), ("▶▶ Fast", 0.45))  # label, frame-duration factor
# A figure's margins must hold what it draws outside its plot (legends, the play controls, tick labels,
# axis titles, colour bars): where they cannot, plotly grows them and draws the whole figure a second
# time, a third to a half of its first build. The figures' margins are what Chromium settled on at
# 1400 px (bench/margins.py prints them; tests/test_browser.py checks that no chart is drawn twice).
BUTTONS_HEIGHT = 48  # the row of play buttons, which playback() puts above its slider
SLIDER_HEIGHT = 64  # a slider with its current value above the rail, below its top pad
AXIS_BELOW = 67  # an x axis's tick labels and title
AXIS_LEFT = 84  # a y axis's tick labels (up to five characters) and title


def controls_margin(pad_top: int) -> int:
    """The bottom margin that playback(pad_top=...)'s buttons and slider need under the plot."""
    return pad_top + BUTTONS_HEIGHT + SLIDER_HEIGHT + 2


def playback(names: list[str], labels: list[str], *, frame_ms: int = 80, redraw: bool = True,
             transition_ms: int = 0, active: int = 0, x: float = 0.0, y: float = 0.0, slider_x: float = 0.0,
             prefix: str = "", pad_top: int = 8) -> dict:
    """Layout entries (updatemenus, sliders) for play buttons at three speeds, pause, and a slider.

    The buttons sit in a row under the plot and the slider under them. Frames not named in
    ``names`` (e.g. :func:`hold_frame` pauses) play but get no slider step. The slider's tick
    labels are hidden (hundreds would overlap); the current frame's label is shown above it.
    """
    still = dict(frame=dict(duration=0, redraw=redraw), mode="immediate", transition=dict(duration=0))
    plays = [dict(label=label, method="animate",
                  args=[None, dict(frame=dict(duration=int(frame_ms * factor), redraw=redraw), fromcurrent=True,
                                   mode="immediate",
                                   transition=dict(duration=int(transition_ms * factor), easing="linear"))])
             for label, factor in SPEEDS]
    pause = dict(label="❚❚ Pause", method="animate", args=[[None], still])
    return dict(
        updatemenus=[dict(type="buttons", direction="left", buttons=[*plays, pause], x=x, y=y, xanchor="left",
                          yanchor="top", pad=dict(t=pad_top, r=8), showactive=False)],
        sliders=[dict(active=active, x=slider_x, len=1 - slider_x, y=y, yanchor="top",
                      pad=dict(t=pad_top + BUTTONS_HEIGHT, b=0),
                      ticklen=0, minorticklen=0, tickwidth=0, tickcolor="rgba(0,0,0,0)",
                      font=dict(color="rgba(0,0,0,0)", size=1),
                      currentvalue=dict(prefix=prefix, font=dict(size=14, color="#1d2330"), xanchor="right"),
                      steps=[dict(method="animate", label=label, args=[[name], still])
                             for name, label in zip(names, labels)])])
