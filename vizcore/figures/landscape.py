"""Figures of the loss-landscape lesson: surface and contour, animated descent, side-by-side contours."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .spec import Spec, finished
from .style import AXIS_BELOW, AXIS_LEFT, FONT, colorize, f32, playback, png_data_uri

PATH_COLORS = ["#111111", "#d6404e", "#3b6fd6"]
DASHES = ["solid", "dash", "dot"]
COLORSCALE = "Earth"
MAX_FRAMES = 36  # frames of the descent animation, TAIL_FRAMES of them after the points have nearly stopped
TAIL_FRAMES = 6


def display_cap(loss: np.ndarray) -> float:
    """Upper end of the colour and height scale: the 95th percentile, so a far-off cliff does not flatten the valley."""
    finite = loss[np.isfinite(loss)]
    return float(np.quantile(finite, 0.95)) if finite.size else 1.0


def _layout(fig: go.Figure, height: int, margin: dict | None = None, **extra) -> Spec:
    fig.update_layout(height=height, margin=margin or dict(l=AXIS_LEFT, r=77, t=53, b=AXIS_BELOW), font=FONT,
                      template="plotly_white", **extra)
    return finished(fig)


def _scene(xlabel: str, ylabel: str) -> dict:
    """The surface's 3D axes: the two weights' names alone ("W[1,0]"), four ticks each, no loss axis (the contour
    map's colour bar and the cost panel give the loss), and a camera that fits the cube's labels in a third of a
    1,400 px page. Nearer than eye (1.75, -1.75, 1.15) the labels were cut off at the scene's edge; from (1.9,
    -1.9, 1.3) 9 px ticks drew about 6 px high. It looks a little below the centre: room for the lowest labels."""
    xlabel, ylabel = xlabel.split(" (")[0].split()[-1], ylabel.split(" (")[0].split()[-1]  # 3D axes have little room
    small = dict(title_font=dict(size=FONT["size"]), tickfont=dict(size=FONT["size"] - 1), nticks=4)
    return dict(xaxis=dict(title_text=xlabel, **small), yaxis=dict(title_text=ylabel, **small),
                zaxis=dict(title_text="", showticklabels=False), aspectmode="cube",
                camera=dict(eye=dict(x=1.75, y=-1.75, z=1.15), center=dict(x=0, y=0, z=-0.12)))


def landscape_figure(a: np.ndarray, b: np.ndarray, loss: np.ndarray, xlabel: str, ylabel: str,
                     path: np.ndarray | None = None, path_loss: np.ndarray | None = None) -> Spec:
    """3D surface and contour map of ``loss`` [len(b), len(a)] over axes a, b; optionally a path [T, 2].

    The path (e.g. training projected onto a PCA plane) is drawn on both, its end marked.
    """
    cap = display_cap(loss)
    shown = np.minimum(loss, cap)
    fig = make_subplots(rows=1, cols=2, specs=[[{"type": "scene"}, {"type": "xy"}]], column_widths=[0.5, 0.5],
                        subplot_titles=("loss surface", "contour map (seen from above)"), horizontal_spacing=0.06)
    fig.add_trace(go.Surface(x=f32(a), y=f32(b), z=f32(shown), colorscale=COLORSCALE, showscale=False,
                             name="loss", hovertemplate="%{x:.3g}, %{y:.3g}<br>loss %{z:.4g}<extra></extra>"),
                  row=1, col=1)
    _contour(fig, a, b, loss, 1, 2, cap)
    if path is not None:
        z = np.minimum(path_loss, cap) if path_loss is not None else np.full(len(path), cap)
        fig.add_trace(go.Scatter3d(x=f32(path[:, 0]), y=f32(path[:, 1]), z=f32(z), mode="lines",
                                   line=dict(color="#d6404e", width=5), name="training path"), row=1, col=1)
        fig.add_trace(go.Scatter(x=f32(path[:, 0]), y=f32(path[:, 1]), mode="lines+markers",
                                 marker=dict(size=3), line=dict(color="#d6404e", width=2), name="training path"),
                      row=1, col=2)
        fig.add_trace(go.Scatter(x=f32(path[[0, -1], 0]), y=f32(path[[0, -1], 1]), mode="markers+text",
                                 text=["<b>start</b>", "<b>end</b>"], textposition="top center",
                                 textfont=dict(color="#111", size=13), marker=dict(size=9, color="#111"),
                                 showlegend=False), row=1, col=2)
    fig.update_xaxes(title_text=xlabel, row=1, col=2)
    fig.update_yaxes(title_text=ylabel, row=1, col=2)
    return _layout(fig, 470, scene=_scene(xlabel, ylabel), showlegend=False)


def loss_axis(values) -> dict:
    """Axis settings for a loss: log with a tick at each power of ten when it spans a factor of 10 or more,
    else linear; numbers written plainly or as powers of ten, never with SI prefixes such as µ."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size and v.max() >= 10 * v.min():
        return dict(type="log", dtick=1, exponentformat="power", showexponent="all")
    return dict(type="linear", exponentformat="power", showexponent="all")


def _colorbar(fig: go.Figure, row: int, col: int, title: str = "loss") -> dict:
    """A colour bar just right of the subplot at (row, col), titled, as tall as the plot."""
    x0, x1 = fig.get_subplot(row, col).xaxis.domain
    return dict(title=dict(text=title, side="top"), x=x1 + 0.008, xanchor="left", len=0.8, y=0.45,
                thickness=12, tickformat=".3~g")


def _contour(fig: go.Figure, a, b, loss, row: int, col: int, cap: float) -> None:
    fig.add_trace(go.Contour(x=f32(a), y=f32(b), z=f32(np.minimum(loss, cap)), colorscale=COLORSCALE,
                             ncontours=20, colorbar=_colorbar(fig, row, col), name="loss",
                             hovertemplate="%{x:.3g}, %{y:.3g}<br>loss %{z:.4g}<extra></extra>"), row=row, col=col)


def _hex_scale(name: str) -> list:
    """A named plotly colour scale as [[position, "#rrggbb"], ...] (what style.colorize reads)."""
    from plotly.colors import get_colorscale, unlabel_rgb

    return [[pos, "#%02x%02x%02x" % tuple(int(v) for v in unlabel_rgb(c))] for pos, c in get_colorscale(name)]


def _map_picture(fig: go.Figure, a, b, loss, row: int, col: int, cap: float) -> None:
    """The contour map as parts plotly.js keeps while an animation plays: it blanks contour and heatmap
    traces mid-play (plotly.js #4491; the map vanished for most frames of the descent). The filled loss
    is a PNG layout image, its level lines one scatter trace, and an invisible point carries the colour bar."""
    from contourpy import contour_generator

    shown = np.minimum(loss, cap)
    low = float(shown.min())
    sub = fig.get_subplot(row, col)
    xref, yref = sub.yaxis.anchor, sub.xaxis.anchor  # each axis is anchored to the other
    fig.add_layout_image(source=png_data_uri(colorize(shown, _hex_scale(COLORSCALE), low, cap)), xref=xref,
                         yref=yref, x=float(a[0]), y=float(b[-1]), sizex=float(a[-1] - a[0]),
                         sizey=float(b[-1] - b[0]), sizing="stretch", layer="below")
    levels = contour_generator(a, b, shown)
    lines = [line for level in np.linspace(low, cap, 22)[1:-1] for line in levels.lines(level) if len(line) > 1]
    xy = np.concatenate([np.r_[line, [[np.nan, np.nan]]] for line in lines]) if lines else np.empty((0, 2))
    fig.add_trace(go.Scatter(x=f32(xy[:, 0]), y=f32(xy[:, 1]), mode="lines", hoverinfo="skip", showlegend=False,
                             line=dict(color="rgba(40, 40, 40, 0.35)", width=0.8)), row=row, col=col)
    fig.add_trace(go.Scatter(x=[float(np.mean(a))], y=[float(np.mean(b))], mode="markers", hoverinfo="skip",
                             showlegend=False, marker=dict(size=0.1, opacity=0, color=[low], cmin=low, cmax=cap,
                                                           colorscale=COLORSCALE, colorbar=_colorbar(fig, row, col))),
                  row=row, col=col)
    fig.update_xaxes(range=[float(a[0]), float(a[-1])], showgrid=False, zeroline=False, row=row, col=col)
    fig.update_yaxes(range=[float(b[0]), float(b[-1])], showgrid=False, zeroline=False, row=row, col=col)


def _frame_heads(paths: np.ndarray, spans: np.ndarray) -> np.ndarray:
    """Where each frame's moving points are, as fractional epochs [F] from 0 to T - 1: after equal stretches of
    the way the descents go (summed over the starts, each weight in units of its axis), so the points move at
    one steady pace for most of the play, then TAIL_FRAMES spread evenly over the epochs left, where they
    barely move.

    Frames spread by epoch (dense at first, then even) had the descent over in 1.3 s of a 5.9 s play: it goes
    99% of its way in the first 50 of 400 epochs, 14% in the first alone (hence fractional epochs).
    """
    K, T, _ = paths.shape
    step = np.nan_to_num(np.linalg.norm(np.diff(paths / spans, axis=1), axis=2)).sum(0)  # [T - 1]
    way = np.r_[0.0, np.cumsum(step)]
    if way[-1] <= 0:
        return np.linspace(0, T - 1, MAX_FRAMES)
    moving = MAX_FRAMES - TAIL_FRAMES
    heads = np.interp(np.linspace(0, way[-1], moving)[:-1], way, np.arange(T))  # the start, then equal stretches
    heads = np.r_[heads, np.linspace(heads[-1], T - 1, TAIL_FRAMES + 1)[1:]]
    return np.unique(heads.round(2))


def _until(values: np.ndarray, head: float) -> np.ndarray:
    """``values`` [T, ...] per epoch up to the fractional epoch ``head``: the whole epochs, then one entry
    interpolated at ``head``."""
    n = int(np.floor(head))
    if head - n < 1e-9 or n + 1 >= len(values):
        return values[:n + 1]
    return np.concatenate([values[:n + 1], values[n:n + 1] + (head - n) * (values[n + 1:n + 2] - values[n:n + 1])])


def _epoch_name(head: float) -> str:
    return str(int(head)) if float(head).is_integer() else f"{head:.2f}"


PANELS = ("surface", "map", "cost")  # the descent figure's panels, left to right
_PANEL = {"surface": ("scene", 0.36, "loss surface"), "map": ("xy", 0.36, "contour map"),
          "cost": ("xy", 0.28, "cost per epoch")}  # subplot type, share of the width, title


def descent_figure(a: np.ndarray, b: np.ndarray, loss: np.ndarray, paths: np.ndarray, path_loss: np.ndarray,
                   xlabel: str, ylabel: str, center: np.ndarray | None = None,
                   panels: Sequence[str] = PANELS) -> Spec:
    """Gradient descent from several starts, animated on the surface, the contour and the cost curve at once.

    a, b : [R] axes; loss : [R, R]; paths : [K, T, 2] weight values per epoch; path_loss : [K, T];
    center : [2] the net's own values of the two weights, marked with a star; panels : which of
    :data:`PANELS` to draw, in that order. Press play or drag the slider: each frame moves only the path traces.
    A figure of the surface alone has no play buttons or slider: its frames are named as the others', so a
    page can play it beside the 2D panels (ui.frames.chart's ``follows``), a 3D scene after a 2D first picture.
    """
    K, T, _ = paths.shape
    cap = display_cap(loss)
    col = {name: n + 1 for n, name in enumerate(panels)}
    kinds, widths, titles = zip(*(_PANEL[name] for name in panels))
    fig = make_subplots(rows=1, cols=len(panels), specs=[[{"type": kind} for kind in kinds]],
                        column_widths=[w / sum(widths) for w in widths], horizontal_spacing=0.13 if len(panels) > 2
                        else 0.22, subplot_titles=titles)  # room for the map's colour bar
    if "surface" in col:
        fig.add_trace(go.Surface(x=f32(a), y=f32(b), z=f32(np.minimum(loss, cap)), colorscale=COLORSCALE,
                                 showscale=False, opacity=0.9, hoverinfo="skip"), row=1, col=col["surface"])
    if "map" in col:
        _map_picture(fig, a, b, loss, 1, col["map"], cap)
        for k in range(K):  # start markers, static
            style = dict(color=PATH_COLORS[k % 3])
            fig.add_trace(go.Scatter(x=f32(paths[k, :1, 0]), y=f32(paths[k, :1, 1]), mode="markers",
                                     marker=dict(size=10, symbol="circle-open", line=dict(width=2), **style),
                                     name=f"start {k + 1}", showlegend=False), row=1, col=col["map"])
        if center is not None:
            fig.add_trace(go.Scatter(x=f32(center[:1]), y=f32(center[1:]), mode="markers", name="the net's values",
                                     marker=dict(symbol="star", size=14, color="#e39c24", line=dict(width=1))),
                          row=1, col=col["map"])
        fig.update_xaxes(title_text=xlabel, row=1, col=col["map"])
        fig.update_yaxes(title_text=ylabel, row=1, col=col["map"])
    if "cost" in col:
        fig.update_xaxes(title_text="epoch", row=1, col=col["cost"])
        fig.update_yaxes(title_text="cost", row=1, col=col["cost"], **loss_axis(path_loss))
    heads = _frame_heads(paths, np.array([a[-1] - a[0], b[-1] - b[0]], dtype=float))
    on = {name: dict(xaxis=sub.yaxis.anchor, yaxis=sub.xaxis.anchor)  # each axis is anchored to the other
          for name in ("map", "cost") if name in col for sub in [fig.get_subplot(1, col[name])]}
    epochs = np.arange(T)
    legend = "map" if "map" in col else "cost"  # the 2D panel whose paths name the starts in the legend

    def moving(head: float) -> list[dict]:
        """The path traces up to the fractional epoch ``head``, as plain dicts (validating them as go objects is
        slow): per start, in each 2D or 3D panel, the way as a line and where it is now as one dot. (One trace of
        lines and markers, every marker but the last of size 0, took the map's first drawing 147 ms, not 84.)"""
        traces = []
        for k in range(K):
            color = PATH_COLORS[k % 3]
            style = dict(color=color, dash=DASHES[k % 3], width=3)
            p, cost = _until(paths[k], head), _until(path_loss[k], head)
            z = np.minimum(cost, cap)
            name, now = f"start {k + 1}", f"start {k + 1} now"
            if "surface" in col:
                traces.append(dict(type="scatter3d", x=f32(p[:, 0]), y=f32(p[:, 1]), z=f32(z), mode="lines",
                                   scene="scene", line=dict(color=color, width=6), name=name, showlegend=False))
                traces.append(dict(type="scatter3d", x=f32(p[-1:, 0]), y=f32(p[-1:, 1]), z=f32(z[-1:]),
                                   mode="markers", scene="scene", name=now, showlegend=False,
                                   marker=dict(size=5.4, color=color, line=dict(width=0))))
            if "map" in col:
                traces.append(dict(type="scatter", x=f32(p[:, 0]), y=f32(p[:, 1]), mode="lines", line=style,
                                   name=name, showlegend=legend == "map", **on["map"]))
                traces.append(dict(type="scatter", x=f32(p[-1:, 0]), y=f32(p[-1:, 1]), mode="markers",
                                   marker=dict(size=9, color=color), name=now, showlegend=False, **on["map"]))
            if "cost" in col:
                traces.append(dict(type="scatter", x=f32(_until(epochs, head)), y=f32(cost), mode="lines",
                                   line=style, name=name, showlegend=legend == "cost", **on["cost"]))
        return traces

    indices = list(range(len(fig.data), len(fig.data) + len(moving(0))))
    names = [_epoch_name(head) for head in heads]
    controls = set(col) != {"surface"}
    under = panels[0] == "surface"  # the controls under the surface, or under the map's axis title
    if controls:
        fig.update_layout(**playback(names, [str(int(head)) for head in heads], frame_ms=120, active=len(names) - 1,
                                     y=-0.08 if under else -0.17, slider_x=0.16 if len(panels) > 2 else 0.3,
                                     prefix="epoch "))
    _layout(fig, 520 if under and controls else 550, margin=dict(l=16 if under else AXIS_LEFT, r=10, t=67,
                                                    b=(146 if under else 175) if controls else 20),
            legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0.4 if "surface" in col else 0),
            showlegend=controls, **(dict(scene=_scene(xlabel, ylabel)) if "surface" in col else {}))
    out = go.Figure(dict(data=[*fig.data, *moving(T - 1)], layout=fig.layout), _validate=False)
    return finished(out, [dict(data=moving(head), traces=indices, name=name)  # 0.25 s if validated
                          for head, name in zip(heads, names)])


def contour_pair(a: np.ndarray, b: np.ndarray, losses: Sequence[np.ndarray], titles: Sequence[str],
                 xlabel: str, ylabel: str, paths: Sequence[np.ndarray] | None = None) -> Spec:
    """Contour maps side by side over the same axes (e.g. the loss on N = 100 examples and on all of them).

    paths : optionally, per map, descent paths [K, T, 2] drawn on it with their ends marked.
    """
    fig = make_subplots(rows=1, cols=len(losses), subplot_titles=list(titles), horizontal_spacing=0.12)
    for k, loss in enumerate(losses):
        _contour(fig, a, b, loss, 1, k + 1, display_cap(loss))
        for n, p in enumerate(paths[k] if paths is not None else []):
            style = dict(color=PATH_COLORS[n % 3])
            fig.add_trace(go.Scatter(x=f32(p[:, 0]), y=f32(p[:, 1]), mode="lines", showlegend=False,
                                     line=dict(dash=DASHES[n % 3], width=2, **style), name=f"start {n + 1}"),
                          row=1, col=k + 1)
            fig.add_trace(go.Scatter(x=f32(p[-1:, 0]), y=f32(p[-1:, 1]), mode="markers", showlegend=False,
                                     marker=dict(size=9, **style), name=f"end {n + 1}"), row=1, col=k + 1)
        fig.update_xaxes(title_text=xlabel, row=1, col=k + 1)
    fig.update_yaxes(title_text=ylabel, row=1, col=1)
    return _layout(fig, 400)
