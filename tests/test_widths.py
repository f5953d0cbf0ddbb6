"""What the server reads of a page's remembered chart widths (ui/widths.py). The browser side (the cookie
written when a page is left, dropped in a window of another width, the chart drawn shown at once) is checked
by tests/test_browser.py against the real server."""
from __future__ import annotations

import pytest

from ui.syllabus import page_of
from ui.widths import COOKIE_PREFIX, css_key, remembered, remembered_width

LANDSCAPE = {COOKIE_PREFIX + "landscape": "1400~descent:593.609375~descent_surface:296.796875~pair:940"}


def test_a_page_is_named_by_its_links_last_segment_and_anything_else_is_home():
    assert page_of("/knn") == page_of("/vizcore/knn/") == "knn"
    assert page_of("/") == page_of("") == page_of("/vizcore") == page_of("/knn/extra") == ""


def test_the_widths_are_read_exactly_by_the_class_streamlit_gives_the_key():
    url = "http://host:8501/landscape"
    assert remembered_width("descent", LANDSCAPE, url) == 593.609375  # the fraction a column measures, kept
    assert remembered_width("pair", LANDSCAPE, "https://school.example/app/landscape/") == 940.0
    assert remembered_width("plane", LANDSCAPE, url) is None  # not seen last time
    assert remembered_width("descent", LANDSCAPE, "http://host:8501/knn") is None  # another page's cookie
    assert css_key("grid (a, b)") == "grid--a--b-"
    assert remembered(f"900~{css_key('grid (a, b)')}:300") == {"grid--a--b-": 300.0}


@pytest.mark.parametrize("cookie", ["", "1400", "1400~", "descent:500", "1400~descent", "1400~descent:wide",
                                    "1400~descent:nan", "1400~descent:inf", "1400~descent:-5", "1400~descent:20",
                                    "1400~descent:1e9", "1400~:500"])
def test_a_cookie_that_says_no_believable_width_gives_none(cookie):
    assert remembered(cookie) == {}
    assert remembered_width("descent", {COOKIE_PREFIX + "home": cookie}, "http://host/") is None


def test_a_readable_entry_survives_its_unreadable_neighbours():
    assert remembered("1400~a:wide~b:640.5~:7~c") == {"b": 640.5}
