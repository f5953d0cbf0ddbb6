"""The layer animation: a deforming grid with the data riding on it, frame by frame."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..layers import Animation
from .spec import Spec, finished, hold_frame
from .style import (BOUNDARY_COLOR, CLASS_COLORS, FONT, GRID_COLOR, GRID_COLOR_3D, class_name, controls_margin, f32,
                    padded_range, playback)


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


PHASE_SECONDS = 1.5  # one phase of a layer at normal speed: long enough to talk over
PAUSE_SECONDS = 1.0  # stillness between two layers
MIN_FRAME_MS = 40
SMOOTHING = 1  # frames either side whose extent a frame's view also covers, so the framing glides
VIEW = 1.0  # the data stays in the square [-VIEW, VIEW]² of camera coordinates
# plotly.js hides text outside the axis range even with cliponaxis=False: the axes reach a little
# beyond the data's square, and the tick labels sit in that strip
X_RANGE, Y_RANGE, TICK_AT = [-1.3, 1.03], [-1.16, 1.03], -1.05
TICK_COLOR = "#5b6270"


def view_ranges(points: np.ndarray, pad: float = 0.08, smoothing: int = SMOOTHING) -> np.ndarray:
    """Axis ranges [F, k, 2] (frame, axis, low/high) that hold every point of every frame [F, n, k].

    Each frame's view covers the points of the frames within ``smoothing`` of it, so the view moves
    as smoothly as the data does. An axis whose points barely spread (a line drawn in the plane) gets
    at least a tenth of the widest axis's span, so it never shows a micro-scale.
    """
    low = np.nanmin(points, axis=1)
    high = np.nanmax(points, axis=1)
    F = len(points)
    win_low = np.array([low[max(0, f - smoothing):f + smoothing + 1].min(0) for f in range(F)])
    win_high = np.array([high[max(0, f - smoothing):f + smoothing + 1].max(0) for f in range(F)])
    span = win_high - win_low
    span = np.maximum(span, np.maximum(0.1 * span.max(1, keepdims=True), 0.05))
    centre = (win_low + win_high) / 2
    half = span * (0.5 + pad)
    return np.stack([centre - half, centre + half], axis=-1)


def camera(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame centre [F, 2] and scale [F] that put every point of [F, n, 2] inside the view square.

    The picture moves the data, never the axes: plotly.js (and Streamlit's chart, which re-renders
    on relayout events) lag behind when an animation changes axis ranges every frame, which let
    the data leave the chart on Play. One scale for both axes keeps shapes undistorted.
    """
    ranges = view_ranges(points)
    centre = ranges.mean(axis=2)
    scale = (ranges[:, :, 1] - ranges[:, :, 0]).max(axis=1) / (2 * VIEW)
    return centre, scale


def nice_ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    """Round numbers (1, 2 or 5 times a power of ten apart) between low and high."""
    raw = (high - low) / count
    power = 10.0 ** np.floor(np.log10(raw))
    step = power * min((m for m in (1, 2, 5, 10) if m * power >= raw), default=10)
    return np.arange(np.ceil(low / step) * step, high + step * 1e-9, step)


def _tick_label(value: float, step: float) -> str:
    decimals = max(0, -int(np.floor(np.log10(step)))) if step < 1 else 0
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else text.replace("-", "−")


def _ticks(centre: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Tick labels of the true coordinates around the view square, in camera coordinates, and where
    each label sits relative to its point."""
    xs, ys, texts, where = [], [], [], []
    for axis in range(2):
        low, high = centre[axis] - VIEW * scale, centre[axis] + VIEW * scale
        values = nice_ticks(low, high)
        step = values[1] - values[0] if len(values) > 1 else high - low
        at = (values - centre[axis]) / scale
        edge = np.full_like(at, TICK_AT)
        xs.append(at if axis == 0 else edge)
        ys.append(edge if axis == 0 else at)
        texts += [_tick_label(v, step) for v in values]
        where += ["bottom center" if axis == 0 else "middle left"] * len(values)
    return np.concatenate(xs), np.concatenate(ys), texts, where


def _layer_ends(labels: list[str]) -> list[int]:
    """Indices of the last frame of each layer except the final one (where a pause goes)."""
    layer = [label.split(" · ")[0] for label in labels]
    return [f for f in range(1, len(labels) - 1) if layer[f] != layer[f + 1] and layer[f] != "input"]


def _frames_per_phase(labels: list[str]) -> int:
    runs = [label for f, label in enumerate(labels) if f == 0 or label != labels[f - 1]]
    return max(1, (len(labels) - 1) // max(1, len(runs) - 1))


def layer_animation(anim: Animation, labels: np.ndarray, title: str = "", height: int = 560,
                    phase_seconds: float = PHASE_SECONDS, pause_seconds: float = PAUSE_SECONDS,
                    frame_ms: int | None = None) -> Spec:
    """Plotly animation over every frame of ``anim``: play at three speeds, pause, and a labelled slider.

    labels: int [n] class of each point (colours). Each phase lasts ``phase_seconds`` at normal
    speed, with ``pause_seconds`` of stillness between layers (``frame_ms`` instead: every frame
    that long, no pauses, as for frames that are moments of training). In 2D a camera (:func:`camera`) follows
    the data, so it never leaves the picture while it plays; tick labels along the left and bottom
    edges give the true coordinates of every frame. The decision boundary, pulled back to the input,
    rides along in every frame; the output layer's straight line (plane in 3D) joins in the last frame.
    """
    three_d = anim.dim == 3
    classes = np.unique(labels)
    F = len(anim.labels)
    pause_after = set() if frame_ms else set(_layer_ends(anim.labels))
    frame_ms = frame_ms or max(MIN_FRAME_MS, int(1000 * phase_seconds / _frames_per_phase(anim.labels)))
    keys = ("x", "y", "z") if three_d else ("x", "y")
    scatter = go.Scatter3d if three_d else go.Scatter
    if three_d:
        centre, scale = np.zeros((F, 3)), np.ones(F)
    else:
        centre, scale = camera(anim.points)

    def coords(arr: np.ndarray, f: int) -> dict:
        view = (arr - centre[f]) / scale[f]
        return {k: f32(view[:, i]) for i, k in enumerate(keys)}

    curve = anim.curve
    curve_is_line = curve is not None and np.isnan(curve[0]).any()  # a polyline, not a cloud of points
    last_box = [padded_range(np.r_[anim.points[-1], anim.grid[-1]][:, i]) for i in range(anim.dim)]

    kind = "scatter3d" if three_d else "scatter"

    def moving(f: int) -> list[dict]:
        """The traces that move in frame f, as plain dicts (plotly's validation would take most of the time)."""
        traces = [dict(type=kind, **coords(anim.grid[f], f))]
        if curve is not None:
            traces.append(dict(type=kind, **coords(curve[f], f)))
        traces += [dict(type=kind, **coords(anim.points[f][labels == c], f)) for c in classes]
        if not three_d:
            x, y, text, where = _ticks(centre[f], scale[f])
            traces.append(dict(type="scatter", x=f32(x), y=f32(y), text=text, textposition=where))
        return traces

    def output_boundary(f: int) -> dict:
        show = anim.boundary is not None and f == F - 1
        if three_d:
            if anim.boundary is None:
                return dict(type="mesh3d", x=[], y=[], z=[], i=[], j=[], k=[])
            return dict(type="mesh3d", **_plane(*anim.boundary, last_box), visible=show)
        if not show:
            return dict(type="scatter", x=f32([np.nan, np.nan]), y=f32([np.nan, np.nan]))
        box = [[c - VIEW * scale[f] * 1.5, c + VIEW * scale[f] * 1.5] for c in centre[f]]
        xs, ys = _boundary_segment(*anim.boundary, box[0], box[1])
        return dict(type="scatter", **coords(np.c_[xs, ys], f))

    fig = go.Figure()
    fig.add_trace(scatter(**coords(anim.grid[0], 0), mode="lines", name="grid: space itself", hoverinfo="skip",
                          line=dict(color=GRID_COLOR_3D if three_d else GRID_COLOR, width=2 if three_d else 1)))
    if curve is not None:
        look = (dict(mode="lines", line=dict(color=BOUNDARY_COLOR, width=3 if not three_d else 5)) if curve_is_line
                else dict(mode="markers", marker=dict(color=BOUNDARY_COLOR if not three_d else "#6b7280",
                                                      size=2 if three_d else 9, symbol="diamond",
                                                      opacity=0.45 if three_d else 1)))
        fig.add_trace(scatter(**coords(curve[0], 0), name="decision boundary", hoverinfo="skip", **look))
    for c in classes:
        fig.add_trace(scatter(**coords(anim.points[0][labels == c], 0), mode="markers", name=f"class {class_name(c)}",
                              marker=dict(color=CLASS_COLORS[int(c) % len(CLASS_COLORS)], size=3 if three_d else 6,
                                          line=dict(width=0.5, color="white") if not three_d else None)))
    if not three_d:
        x, y, text, where = _ticks(centre[0], scale[0])
        fig.add_trace(go.Scatter(x=f32(x), y=f32(y), text=text, textposition=where, mode="text", cliponaxis=False,
                                 showlegend=False, hoverinfo="skip", textfont=dict(color=TICK_COLOR)))
    out = output_boundary(0)
    has_line = anim.boundary is not None  # two classes; with more, the regions' edges are the boundary curves
    if three_d:
        out.update(color="rgba(20,20,20,0.25)", name="output layer's plane", showlegend=has_line, hoverinfo="skip")
    else:
        out.update(mode="lines", name="output layer's line", line=dict(color=BOUNDARY_COLOR, width=2, dash="dash"),
                   showlegend=has_line)
    fig.add_trace(out)
    moving_ids = list(range(len(fig.data)))

    holds = max(1, round(1000 * pause_seconds / frame_ms))
    frames = []
    for f in range(F):
        frames.append(dict(data=moving(f) + [output_boundary(f)], name=str(f), traces=moving_ids))
        if f in pause_after:
            frames += [hold_frame(f"{f}-hold{h}") for h in range(holds)]

    pad_top = 10 if three_d else 58  # 2D: room for the axis titles under the plot
    legend_rows = 50 if three_d else 68  # 2D has more entries in its half-width column: two rows
    fig.update_layout(
        title=title, height=height, font=FONT, template="plotly_white",
        margin=dict(l=10, r=10, t=legend_rows + (20 if title else 0), b=controls_margin(pad_top)),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        **playback([str(f) for f in range(F)], anim.labels, frame_ms=frame_ms, redraw=three_d,
                   transition_ms=0 if three_d else frame_ms,  # 2D glides between frames; 3D cannot (plotly.js)
                   prefix="showing: ", pad_top=pad_top),
    )
    if three_d:
        axes = dict(showbackground=False, zeroline=False)
        fig.update_layout(scene=dict(xaxis=dict(title="coordinate 1", **axes), yaxis=dict(title="coordinate 2", **axes),
                                     zaxis=dict(title="coordinate 3", **axes), aspectmode="cube",
                                     camera=dict(eye=dict(x=1.5, y=-1.5, z=0.9), center=dict(x=0, y=0, z=-0.2))))
    else:
        hidden = dict(showticklabels=False, showgrid=False, zeroline=False, constrain="domain")
        fig.update_xaxes(title=dict(text="coordinate 1", standoff=4), range=X_RANGE, **hidden)
        fig.update_yaxes(title=dict(text="coordinate 2", standoff=4), range=Y_RANGE, scaleanchor="x", scaleratio=1,
                         **hidden)
    return finished(fig, frames)


def tour_views(points: np.ndarray, frames: int, seed: int = 0) -> np.ndarray:
    """The grand tour's views [frames + 1, n, 3] of ``points`` [n, k]: the last is the first again (see
    :func:`grand_tour`), and every view lies in the unit ball."""
    from scipy.linalg import expm
    from scipy.stats import ortho_group

    X = np.asarray(points, dtype=np.float64)
    X = X - X.mean(0)
    X = X / max(float(np.linalg.norm(X, axis=1).max()), 1e-12)  # a rotation keeps norms: in the ball for ever
    k = X.shape[1]
    Q = ortho_group.rvs(k, random_state=seed) if k > 1 else np.eye(1)
    B = np.zeros((k, k))
    for plane in range(k // 2):
        B[2 * plane + 1, 2 * plane] = plane + 1.0  # plane p turns p + 1 times per tour: whole turns, a closed loop
        B[2 * plane, 2 * plane + 1] = -(plane + 1.0)
    A = Q @ B @ Q.T  # skew-symmetric: expm(tA) is a rotation, and expm(2π A) = I
    return np.stack([X @ expm(2 * np.pi * f / frames * A)[:, :3] for f in range(frames + 1)])


def grand_tour(points: np.ndarray, labels: np.ndarray, frames: int = 90, seed: int = 0, height: int = 520,
               frame_ms: int = 70) -> Spec:
    """A smooth rotation of ``points`` [n, k] (k > 3) seen through 3D: every direction of the k-dimensional
    representation comes into view (a "grand tour", as in Li, Zhao and Scheidegger, Distill 2020).

    The view at time t is the points' first three coordinates after the rotation expm(t·A), with A a
    seeded skew-symmetric generator that turns k/2 random planes at 1, 2, ... turns per tour: every
    direction comes into view, and after the last frame the tour is back at the first (one full turn,
    so the "turn x %" labels are true). The points are scaled by their largest norm, so that every
    view of every frame lies inside the unit ball, inside the fixed box.
    """
    views = tour_views(points, frames, seed)[:frames]
    classes = np.unique(labels)

    def traces(view: np.ndarray) -> list[dict]:
        return [dict(type="scatter3d", x=f32(view[labels == c, 0]), y=f32(view[labels == c, 1]),
                     z=f32(view[labels == c, 2])) for c in classes]

    fig = go.Figure([go.Scatter3d(**{k: v for k, v in t.items() if k != "type"}, mode="markers",
                                  name=f"class {class_name(c)}",
                                  marker=dict(size=3, color=CLASS_COLORS[int(c) % len(CLASS_COLORS)]))
                     for c, t in zip(classes, traces(views[0]))])
    box = dict(range=[-1.05, 1.05], showbackground=False, zeroline=False, showticklabels=False, title="")
    fig.update_layout(height=height, font=FONT, template="plotly_white",
                      margin=dict(l=0, r=0, t=50, b=controls_margin(10)),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
                      scene=dict(xaxis=box, yaxis=box, zaxis=box, aspectmode="cube",
                                 camera=dict(eye=dict(x=1.4, y=-1.4, z=0.8))),
                      **playback([str(f) for f in range(frames)], [f"turn {f / frames:.0%}" for f in range(frames)],
                                 frame_ms=frame_ms, redraw=True, prefix="tour: ", pad_top=10))
    return finished(fig, [dict(data=traces(v), name=str(f), traces=list(range(len(classes))))
                          for f, v in enumerate(views)])
