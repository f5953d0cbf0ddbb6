"""The trajectory lesson's pictures: output map, error curve and weight-space path, in sync."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..trajectory import MapFrames, Path
from .spec import Spec, finished, typed
from .style import (AXIS_BELOW, AXIS_LEFT, CLASS_COLORS, FONT, SLIDER_HEIGHT, colorize, controls_margin, f32,
                    padded_range, playback, png_data_uri)

# The article's colouring: red below 0, blue near 0, green above 0, deeper with |output|.
SIGNED_SCALE = [[0.0, "#7a0010"], [0.3, "#e8606a"], [0.45, "#f6c1c4"], [0.5, "#2f5fd0"],
                [0.55, "#bfe8bd"], [0.7, "#5cc05a"], [1.0, "#0c5a1c"]]
CLASS_SCALE = [[0.0, CLASS_COLORS[0]], [0.5, "#f4f4f4"], [1.0, CLASS_COLORS[1]]]
PATH_COLORS = ("#1f3b73", "#e07b00")


FRAME_MS = 250  # 80 frames play in 20 s: slow enough to say what each stretch of training does


def training_view(maps: MapFrames, paths: list[Path], error_label: str = "RMS error", path_label: str = "",
                  height: int = 540, frame_ms: int = FRAME_MS) -> Spec:
    """Three panels driven by one slider and play button: map at step t, error curve, path.

    Only the moving parts (the map, the markers, the path walked so far) are in frames,
    so scrubbing runs in the browser without asking Python. The error curve's step axis
    is logarithmic (ticks at powers of ten), like the frames' clock.
    """
    main = paths[0]
    fig = make_subplots(rows=1, cols=3, column_widths=[0.34, 0.30, 0.36], horizontal_spacing=0.09,
                        subplot_titles=("What the net computes", error_label, "Path in weight space"))
    x0, x1, y0, y1 = maps.box
    scale = SIGNED_SCALE if maps.signed else CLASS_SCALE
    # The map is a PNG layout image that frames swap: plotly drops heatmaps from a subplot as soon
    # as an animation moves scatter traces (plotly.js #4491, plotly.py #2151), images survive.
    def image(f: int) -> dict:
        return dict(source=png_data_uri(colorize(maps.values[f], scale)), xref="x", yref="y", x=x0, y=y1,
                    sizex=x1 - x0, sizey=y1 - y0, sizing="stretch", layer="below")

    # a one-point scatter carries the colour bar (scatter traces animate safely)
    fig.add_trace(go.Scatter(x=[(x0 + x1) / 2], y=[(y0 + y1) / 2], mode="markers", showlegend=False, hoverinfo="skip",
                             marker=dict(size=0.1, opacity=0, color=[0.0], cmin=-1, cmax=1, colorscale=scale,
                                         colorbar=dict(x=0.285, xanchor="left", y=0.5, len=0.8,
                                                       thickness=10, tickvals=[-1, -0.5, 0, 0.5, 1],
                                                       ticktext=["-1", "-0.5", "0", "+0.5", "+1"],
                                                       title=dict(text="output" if maps.signed else "P(B) − P(A)",
                                                                  side="top")))), 1, 1)
    if maps.curve is not None:
        fig.add_trace(go.Scatter(x=f32(maps.curve[0]), y=f32(maps.curve[1]), mode="lines", name="true curve",
                                 line=dict(color="black", width=2, dash="dot"), hoverinfo="skip"), 1, 1)
    if maps.points is not None:
        X, labels = maps.points
        colors = [CLASS_COLORS[int(c) % len(CLASS_COLORS)] for c in labels]
        fig.add_trace(go.Scatter(x=f32(X[:, 0]), y=f32(X[:, 1]), mode="markers", showlegend=False,
                                 marker=dict(color=colors, size=4, line=dict(width=0.4, color="white")),
                                 hoverinfo="skip"), 1, 1)
    for k, path in enumerate(paths):
        color = PATH_COLORS[k % len(PATH_COLORS)]
        fig.add_trace(go.Scatter(x=f32(np.maximum(path.steps, 1)), y=f32(path.error), mode="lines", name=path.name,
                                 line=dict(color=color, width=1.5), legendgroup=path.name), 1, 2)

    def view(f: int) -> tuple[np.ndarray, np.ndarray]:
        """Centre and half-size [2] of the path panel's view at frame f: the walk so far, magnified as the
        article does. The camera moves the path, not the axes: Streamlit's chart re-renders on relayout
        events and put stale axis ranges back while playing (a third of the path left the panel)."""
        t = int(maps.snapshot[f])
        so_far = np.concatenate([p.xy[:t + 1] for p in paths])
        box = np.array([padded_range(so_far[:, 0], 0.15), padded_range(so_far[:, 1], 0.15)])
        return box.mean(axis=1), (box[:, 1] - box[:, 0]) / 2

    def seen(xy: np.ndarray, f: int) -> np.ndarray:
        centre, half = view(f)
        return (xy - centre) / half

    def moving(f: int) -> list[dict]:
        # plain dicts with base64 arrays: hundreds of frames skip plotly's slow validation
        t = int(maps.snapshot[f])
        traces = []
        for k, path in enumerate(paths):
            color = PATH_COLORS[k % len(PATH_COLORS)]
            whole, walked, now = seen(path.xy, f), seen(path.xy[:t + 1], f), seen(path.xy[t:t + 1], f)
            traces += [
                dict(type="scatter", x=typed(f32(whole[:, 0])), y=typed(f32(whole[:, 1])), mode="lines",
                     showlegend=False, line=dict(color=color, width=1), opacity=0.25, hoverinfo="skip"),
                dict(type="scatter", x=typed(f32(walked[:, 0])), y=typed(f32(walked[:, 1])),
                     mode="lines+markers", line=dict(color=color, width=1.5), marker=dict(size=3, color=color),
                     showlegend=False, hoverinfo="skip"),
                dict(type="scatter", x=typed(f32(now[:, 0])), y=typed(f32(now[:, 1])),
                     mode="markers", showlegend=False, hovertemplate=f"{path.name}<extra></extra>",
                     marker=dict(size=13, color=color, line=dict(width=2, color="white"))),
                dict(type="scatter", x=typed(f32(np.maximum(path.steps[t:t + 1], 1))),  # log axis: step 0 at 1
                     y=typed(f32(path.error[t:t + 1])),
                     mode="markers", showlegend=False, hovertemplate=f"{path.name}<extra></extra>",
                     marker=dict(size=10, color=color, line=dict(width=2, color="white"))),
            ]
        return traces

    first = len(fig.data)
    F = len(maps.snapshot)
    for trace, col in zip(moving(F - 1), [3, 3, 3, 2] * len(paths)):  # open on the trained net
        fig.add_trace(trace, 1, col)
    moving_ids = list(range(first, len(fig.data)))
    # Traces on the map's subplot must be in every frame too, or plotly hides them while playing.
    on_map = [i for i, tr in enumerate(fig.data[:first]) if tr.xaxis in (None, "x") and tr.type == "scatter"]
    kept = [dict(type="scatter", x=fig.data[i].x, y=fig.data[i].y) for i in on_map]

    frames = [dict(data=moving(f) + kept, name=str(f), traces=moving_ids + on_map,
                   layout=dict(images=[image(f)])) for f in range(F)]

    total = int(main.steps[-1])
    label = [f"{int(main.steps[t]):,} of {total:,} examples" for t in maps.snapshot]
    errors = np.concatenate([p.error for p in paths])
    fig.update_layout(
        images=[image(F - 1)],
        height=height, font=FONT, template="plotly_white", margin=dict(l=80, r=37, t=80, b=controls_margin(58)),
        legend=dict(orientation="h", x=0.66, xanchor="center", y=1.2),
        **playback([str(f) for f in range(F)], label, frame_ms=frame_ms, active=F - 1, pad_top=58),
    )
    fig.update_xaxes(title="x", range=[x0, x1], constrain="domain", showgrid=False, zeroline=False, row=1, col=1)
    fig.update_yaxes(title="y", range=[y0, y1], scaleanchor="x", scaleratio=1, constrain="domain", showgrid=False,
                     zeroline=False, row=1, col=1)
    last = max(1.0, float(main.steps[-1]))
    fig.update_xaxes(title="examples seen", type="log", dtick=1, tickformat=",", range=[0, np.log10(last) + 0.05],
                     row=1, col=2)
    fig.update_yaxes(range=padded_range(errors), rangemode="tozero", row=1, col=2)
    magnified = dict(range=[-1.02, 1.02], showticklabels=False, zeroline=False)  # plane units mean nothing
    fig.update_xaxes(title=f"{path_label} 1 (magnified to the walk so far)".strip(), row=1, col=3, **magnified)
    fig.update_yaxes(title=f"{path_label} 2".strip(), row=1, col=3, **magnified)
    return finished(fig, frames)


def compact_trajectory(xy: np.ndarray, steps: np.ndarray, labels: list[str], axis_label: str = "direction",
                       height: int = 360) -> Spec:
    """The path [T, 2] in weight space, with a slider over its T snapshots that moves a marker along it and
    shows ``labels[t]`` (e.g. the step and its accuracy). It opens on the last snapshot.

    The slider moves in the browser: a page follows it with :func:`ui.timeline.clock`.
    """
    T = len(xy)

    def walked(t: int) -> list[dict]:
        return [dict(type="scatter", x=typed(f32(xy[:t + 1, 0])), y=typed(f32(xy[:t + 1, 1])),
                     customdata=typed(f32(steps[:t + 1]))),
                dict(type="scatter", x=typed(f32(xy[t:t + 1, 0])), y=typed(f32(xy[t:t + 1, 1])))]

    fig = go.Figure()
    fig.add_trace(go.Scatter(x=f32(xy[:, 0]), y=f32(xy[:, 1]), mode="lines", line=dict(color="#9aa6bd", width=1),
                             name="whole run", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=f32(xy[:, 0]), y=f32(xy[:, 1]), mode="lines+markers",
                             line=dict(color=PATH_COLORS[0], width=1.5), marker=dict(size=3), name="so far",
                             customdata=f32(steps), hovertemplate="step %{customdata:.0f}<extra></extra>"))
    fig.add_trace(go.Scatter(x=f32(xy[-1:, 0]), y=f32(xy[-1:, 1]), mode="markers", name="step shown",
                             marker=dict(size=14, color=PATH_COLORS[1], line=dict(width=2, color="white"))))
    still = dict(frame=dict(duration=0, redraw=False), mode="immediate", transition=dict(duration=0))
    fig.update_layout(height=height, font=FONT, template="plotly_white",
                      margin=dict(l=AXIS_LEFT, r=10, t=48, b=48 + SLIDER_HEIGHT + 3),  # the slider's pad, then it
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      xaxis=dict(title=f"{axis_label} 1", range=padded_range(xy[:, 0])),
                      yaxis=dict(title=f"{axis_label} 2", range=padded_range(xy[:, 1])),
                      sliders=[dict(active=T - 1, x=0, len=1, y=0, yanchor="top", pad=dict(t=48, b=0),
                                    ticklen=0, minorticklen=0, tickwidth=0, tickcolor="rgba(0,0,0,0)",
                                    font=dict(color="rgba(0,0,0,0)", size=1),
                                    currentvalue=dict(font=dict(size=14, color="#1d2330"), xanchor="right"),
                                    steps=[dict(method="animate", label=labels[t], args=[[str(t)], still])
                                           for t in range(T)])])
    return finished(fig, [dict(name=str(t), data=walked(t), traces=[1, 2]) for t in range(T)])


def plane_trust_figure(steps: np.ndarray, path_loss: np.ndarray, plane_loss: np.ndarray,
                       height: int = 320) -> Spec:
    """The loss along the real path beside the loss at its projections onto the PCA plane, per snapshot."""
    fig = go.Figure([
        go.Scatter(x=f32(np.maximum(steps, 1)), y=f32(path_loss), mode="lines", name="along the real path",
                   line=dict(color=PATH_COLORS[0], width=2)),
        go.Scatter(x=f32(np.maximum(steps, 1)), y=f32(plane_loss), mode="lines", name="where the PCA plane puts it",
                   line=dict(color=PATH_COLORS[1], width=2, dash="dash"))])
    fig.update_layout(height=height, font=FONT, template="plotly_white",
                      margin=dict(l=AXIS_LEFT, r=10, t=48, b=AXIS_BELOW),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    fig.update_xaxes(title="update", type="log", dtick=1, tickformat=",")
    fig.update_yaxes(title="loss")
    return finished(fig)
