"""ui/screen.py's one fact of the viewer's screen: the pixel ratio at which WebGL charts are drawn."""
from __future__ import annotations

import pytest

from ui.screen import PIXEL_RATIO_COOKIE, PLOTLY_GL_RATIO, gl_pixel_ratio


@pytest.mark.parametrize("cookie, ratio", [
    ("1", 1.0), ("1.25", 1.25), ("1.5", 1.5), ("2", 2.0),
    ("3", PLOTLY_GL_RATIO), ("2.625", PLOTLY_GL_RATIO),  # phones draw as plotly always drew them, no finer
    ("0.5", 1.0), ("0.9", 1.0),  # a zoomed-out page: plotly draws no coarser than one pixel per CSS pixel
])
def test_webgl_is_drawn_at_the_screens_ratio_between_1_and_plotlys_own(cookie, ratio):
    assert gl_pixel_ratio({PIXEL_RATIO_COOKIE: cookie}) == ratio


@pytest.mark.parametrize("cookie", ["", "abc", "nan", "inf", "-inf", "1e400"])
def test_an_unknown_or_unreadable_ratio_keeps_plotlys_own(cookie):
    assert gl_pixel_ratio({PIXEL_RATIO_COOKIE: cookie}) == PLOTLY_GL_RATIO
    assert gl_pixel_ratio({}) == PLOTLY_GL_RATIO
