"""Every chart's look written into its figure (vizcore/figures/look.py), and figures sent as plotly.js redraws them
cheaply (Spec.redrawable)."""
from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from vizcore.figures.look import THEMED, themed_template, written_in
from vizcore.figures.spec import Spec, finished

WHITE = pio.templates["plotly_white"].to_plotly_json()


def test_a_template_is_written_into_every_axis_scene_annotation_and_trace_and_the_figures_own_values_win():
    spec = {"layout": {"title": "a title", "xaxis2": {"gridcolor": "red"}, "annotations": [{"text": "note"}]},
            "data": [{"type": "scatter", "x": [1], "y": [2], "xaxis": "x2", "yaxis": "y3"},
                     {"type": "scatter3d", "x": [1], "y": [2], "z": [3], "scene": "scene2", "marker": {"size": 3}},
                     {"type": "scatter3d", "x": [1], "y": [2], "z": [3], "marker": {"colorscale": "Greys"}},
                     {"type": "heatmap", "z": [[1]], "colorscale": "Greys"}]}
    out = written_in(spec, WHITE)
    layout = out["layout"]
    assert "template" not in layout
    assert layout["xaxis2"]["gridcolor"] == "red" and layout["xaxis2"]["ticks"] == ""   # its own, then the template's
    assert layout["yaxis3"]["gridcolor"] == WHITE["layout"]["yaxis"]["gridcolor"]      # named by a trace only
    assert layout["xaxis"]["gridcolor"] == WHITE["layout"]["xaxis"]["gridcolor"]       # the heatmap's default axes
    assert layout["scene2"]["xaxis"]["backgroundcolor"] == "white"
    assert layout["annotations"][0] == {**WHITE["layout"]["annotationdefaults"], "text": "note"}
    assert layout["title"] == {**WHITE["layout"]["title"], "text": "a title"}
    assert layout["colorway"] == WHITE["layout"]["colorway"]
    heatmap = out["data"][3]
    assert heatmap["colorscale"] == "Greys" and heatmap["colorbar"] == WHITE["data"]["heatmap"][0]["colorbar"]
    # a colour bar only where there is a colour scale: plotly.js shows one wherever a trace holds one
    assert "colorbar" not in out["data"][1]["marker"] and out["data"][2]["marker"]["colorbar"]["ticks"] == ""
    assert "fillpattern" not in out["data"][0] and "line" not in out["data"][1]  # nor a dict the trace lacks


def test_a_finished_figure_carries_the_apps_look_and_no_template_whatever_the_default_template():
    default, pio.templates.default = pio.templates.default, "plotly_dark"  # Streamlit sets its own as the default
    try:
        fig = make_subplots(rows=1, cols=2)
    finally:
        pio.templates.default = default
    fig.add_trace(go.Scatter(x=[1, 2], y=[3, 4]), row=1, col=2)
    fig.update_layout(font=dict(size=13), xaxis2=dict(showgrid=True))
    layout = finished(fig).to_dict()["layout"]
    assert "template" not in layout
    assert layout["font"]["size"] == 13 and layout["font"]["color"] == THEMED["font"]["color"]
    assert layout["xaxis"]["showgrid"] is False and layout["xaxis2"]["showgrid"] is True
    assert layout["yaxis2"]["tickfont"] == THEMED["yaxis"]["tickfont"]
    assert layout["xaxis"]["showline"] is False  # plotly_white's line colour, written in, would have shown it
    themed = themed_template(WHITE)["layout"]
    assert themed["xaxis"]["linecolor"] == WHITE["layout"]["xaxis"]["linecolor"]  # plotly_white's, beneath the theme
    assert themed["xaxis"]["title"]["standoff"] == THEMED["xaxis"]["title"]["standoff"]


def test_a_redrawable_figure_sends_plain_numbers_and_a_data_revision_that_follows_the_data():
    def figure(y):
        return finished(go.Figure(go.Scatter(x=np.arange(3, dtype=np.float32), y=np.asarray(y, np.float32),
                                             marker=dict(color=np.array([0.5, 1, 2], np.float32)))))

    fig = figure([1, 2, 3])
    sent = json.loads(pio.to_json(fig.redrawable(), validate=False))
    trace = sent["data"][0]
    assert trace["x"] == [0, 1, 2] and trace["y"] == [1, 2, 3] and trace["marker"]["color"] == [0.5, 1, 2]
    assert "bdata" not in json.dumps(sent)
    revision = sent["layout"]["datarevision"]
    assert figure([1, 2, 3]).redrawable().to_dict()["layout"]["datarevision"] == revision
    assert figure([1, 2, 4]).redrawable().to_dict()["layout"]["datarevision"] != revision
    assert "datarevision" not in fig.to_dict()["layout"]  # the figure itself is left as it was


def test_a_typed_array_with_a_shape_comes_back_as_its_matrix():
    z = np.arange(6, dtype=np.float32).reshape(2, 3)
    typed = {"dtype": "f4", "bdata": base64.b64encode(z.tobytes()).decode(), "shape": "2, 3"}
    spec = Spec({"data": [{"type": "heatmap", "z": typed}], "layout": {}})
    assert np.array_equal(spec.redrawable().to_dict()["data"][0]["z"], z)


def test_an_unlabelled_slider_keeps_its_steps_and_place_and_says_how_to_label_it_again():
    from vizcore.figures.spec import BLANK_LABEL
    from vizcore.figures.style import playback

    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1]))
    fig.update_layout(**playback(["0", "1", "2"], ["epoch 0", "epoch 1", "epoch 2"], active=2, prefix="at "))
    spec = finished(fig, [dict(name=str(n), data=[dict(x=[n], y=[n])], traces=[0]) for n in range(3)])
    blank, restore = spec.unlabelled()
    before, after = spec.to_dict()["layout"]["sliders"][0], blank.to_dict()["layout"]["sliders"][0]
    assert [step["label"] for step in after["steps"]] == [BLANK_LABEL] * 3  # one label to measure, a line high
    assert [step["args"] for step in after["steps"]] == [step["args"] for step in before["steps"]]
    assert after["currentvalue"]["font"]["color"] == "rgba(0,0,0,0)" and after["currentvalue"]["prefix"] == "at "
    assert {k: v for k, v in after.items() if k not in ("steps", "currentvalue")} == \
        {k: v for k, v in before.items() if k not in ("steps", "currentvalue")}  # pad, place, active: as they were
    assert restore == [{"index": 0, "labels": ["epoch 0", "epoch 1", "epoch 2"], "color": "#1d2330"}]
    assert before["steps"][0]["label"] == "epoch 0"  # the shared figure is not changed
    hidden = Spec({"layout": {"sliders": [{**before, "currentvalue": {"visible": False}}]}})
    assert hidden.unlabelled() == (hidden, [])  # plotly.js would not draw a current value shown later
