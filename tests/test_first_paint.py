"""A browser's first view of a lesson: its first picture alone, then the whole page around it (ui/first_paint.py).

AppTest sends no user agent, so it never sees part 1 unless it pretends to be a browser (``as_a_browser``).
The browser itself is checked in tests/test_browser.py.
"""
from __future__ import annotations

import json

import pytest

from pagetools import assert_clean, open_page, sent_frames
from ui import first_paint

FIRST_VIEWS = {  # page file -> (its link, the chart that is its first picture)
    "10_layers.py": ({"preset": "spirals"}, "layer_animation"),
    "20_low_dimension.py": ({}, "anim_disc_4 layers × 2"),
    "30_trajectory.py": ({}, "trajectory_view"),
    "40_knn.py": ({}, "feature_planes"),
    "45_vector_fields.py": ({}, "flow"),
    "50_curves.py": ({}, "fit"),
    "60_landscape.py": ({}, "descent"),
    "70_relu_topology.py": ({}, "relu_animation"),
}
WIDGETS = ("selectbox", "slider", "select_slider", "number_input", "radio", "toggle", "text_input", "button",
           "file_uploader", "checkbox")


@pytest.fixture
def as_a_browser(monkeypatch):
    monkeypatch.setattr(first_paint, "_browser", lambda: True)


def charts(at) -> dict[str, tuple[int, ...]]:
    """Each plotly chart's key -> where it sits in the page (its indices from the main area down)."""
    found = {}

    def walk(block, path):
        for index, child in block.children.items():
            if getattr(child, "type", "") == "plotly_chart":
                found[child.key] = (*path, index)
            if hasattr(child, "children"):
                walk(child, (*path, index))

    walk(at.main, ())
    return found


def spec_of(at, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.key == key).proto.spec)


def widgets(at) -> list[str]:
    """The labels of the page's widgets, but app.py's own toggles in the sidebar (shown on every page)."""
    return [w.label for kind in WIDGETS for w in at.get(kind) if w.key not in ("present", "explore_touch")]


@pytest.mark.parametrize("page", FIRST_VIEWS)
def test_a_browsers_first_view_sends_the_first_picture_alone_and_the_whole_page_keeps_it_in_place(as_a_browser,
                                                                                                  page):
    query, picture = FIRST_VIEWS[page]
    at = assert_clean(open_page(page, query))
    first = charts(at)
    assert list(first) == [picture], first
    assert widgets(at) == [], widgets(at)  # every widget waits as an empty placeholder
    components = [c.proto.component_name for c in at.get("bidi_component")]
    assert components[-1] == "vizcore.first_paint" and "vizcore.frames" not in components  # no frames yet
    assert not at.table and not at.dataframe
    sent = spec_of(at, picture)

    at.session_state[first_paint.PAINTED] = page.split("_", 1)[1].removesuffix(".py")
    assert_clean(at.run())  # what the probe's rerun does once the browser has painted the picture
    whole = charts(at)
    assert whole[picture] == first[picture]  # same place: the browser keeps the chart it has drawn
    assert spec_of(at, picture) == sent  # the same figure: the browser has nothing to draw again
    steps = [step["args"][0][0] for slider in sent["layout"].get("sliders", []) for step in slider["steps"]]
    if steps:  # an animation: its frames come now, beside the chart
        assert set(steps) <= {frame["name"] for frame in sent_frames(at, picture)}
    assert len(whole) > 1 or at.table or at.dataframe
    assert widgets(at), "the second run draws the widgets"
    assert "vizcore.first_paint" not in [c.proto.component_name for c in at.get("bidi_component")]


def test_a_headless_run_is_never_split():
    at = assert_clean(open_page("10_layers.py", {"preset": "spirals"}))
    assert len(charts(at)) > 1 and widgets(at)
    assert "vizcore.first_paint" not in [c.proto.component_name for c in at.get("bidi_component")]


def test_a_second_run_of_a_painted_page_and_a_link_with_a_drawing_are_whole(as_a_browser):
    at = open_page("10_layers.py", {"preset": "spirals"})
    at.session_state[first_paint.PAINTED] = "layers"
    at.run()
    assert widgets(at)
    drawn = open_page("45_vector_fields.py", {"dataset": "drawn"})
    assert widgets(drawn), "a drawing is checked by its widgets: no first part"


def test_a_first_view_that_stops_with_a_message_reruns_whole_so_its_widgets_are_there_to_mend_it(as_a_browser,
                                                                                                    monkeypatch):
    from ui import lesson_page
    from ui.common import user_errors
    from vizcore import UserError

    def refuse(*args, **kwargs):
        with user_errors():  # as the computation of a drawing with too few points refuses it
            raise UserError("These settings cannot be trained.")

    monkeypatch.setattr(lesson_page, "result", refuse)
    at = open_page("50_curves.py", {"seed": "31337"})  # settings no one computed or shipped
    assert [e.value for e in at.error] == ["These settings cannot be trained."] and widgets(at)
    assert "vizcore.first_paint" not in [c.proto.component_name for c in at.get("bidi_component")]
