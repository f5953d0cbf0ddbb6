"""Each chart drawn at its width the first time: the widths a page's charts had when the viewer last left it.

Streamlit's chart learns its column's width only after it has been put on the page. Until then it draws the
figure hidden, at a width plotly.js picks itself, then shows it drawn again at the measured width: on a cached
reload of the landscape lesson that second drawing is a full replot of 116 to 182 ms (plotly.js draws anew when
the width changes). A figure that carries ``layout.width`` is drawn at that width, shown at once, and drawn
again only if the width measured differs (Streamlit 1.67's PlotlyChart: the figure's width is used while the
measured one is unknown, and the chart is hidden only while neither is known).

So each page's HTML (ui/page_head.py) runs :data:`RECORD_JS`: when the page is left (``pagehide``, as on a
reload or a closed tab) it keeps, in a cookie of that page, the window's width and each chart's width by its
key; when a page opens in a window of another width, the page's cookie is dropped before Streamlit connects.
The server reads the cookie from the websocket's request (``st.context.cookies``) and :func:`remembered_width`
gives ``ui.frames.chart`` the width to write into the figure. A viewer whose layout changed another way since
(the sidebar folded, a different preset's controls) sees one frame at the old width, then the chart at its
new one, as Streamlit redraws it. A first visit has no cookie and draws as before.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import streamlit as st

from ui.syllabus import page_of

COOKIE_PREFIX = "vizcore_w_"  # + the page's path ("home" for the home page): "<window width>~<key>:<width>~..."
HOME = "home"
DAYS = 30
WIDEST = 10_000  # px: a remembered width beyond this (or under Streamlit's own least, 150) is not believed
NARROWEST = 150

# A fragment of the page head's script, after its pageOf() (ui/page_head.py). A page's cookie is kept for the
# layout it was measured in: the window's width, and "p" when presenting (at load, as the link asks; when
# leaving, as the sidebar's toggle is).
RECORD_JS = (
    f" const cookieOf = () => '{COOKIE_PREFIX}' + (pageOf() || '{HOME}');"
    " const layout = (presenting) => String(window.innerWidth) + (presenting ? 'p' : '');"
    " const page = cookieOf(), kept = document.cookie.split('; ').find((c) => c.startsWith(page + '='));"
    " const linked = /[?&]present=(1|true|yes)(&|$)/.test(location.search);"
    " if (kept && kept.slice(page.length + 1).split('~')[0] !== layout(linked))"
    "   document.cookie = page + '=; path=/; max-age=0; SameSite=Lax';"
    " window.addEventListener('pagehide', () => {"
    "   const page = cookieOf(), toggle = document.querySelector('.st-key-present input');"
    "   const widths = [layout(toggle ? toggle.checked : linked)];"
    "   for (const gd of document.querySelectorAll('.js-plotly-plot')) {"
    "     const box = gd.closest('[class*=\"st-key-\"]'), width = gd.layout && gd.layout.width;"
    "     const key = box && [...box.classList].find((c) => c.startsWith('st-key-'));"
    "     if (key && width > 0) widths.push(key.slice(7) + ':' + width); }"
    f"   document.cookie = page + '=' + widths.join('~') + '; path=/; max-age={DAYS * 86400}; SameSite=Lax'; }});"
)


def css_key(key: str) -> str:
    """The class Streamlit gives an element of ``key`` (``st-key-`` and this)."""
    return re.sub(r"[^a-zA-Z0-9_-]", "-", key)


def remembered(cookie: str) -> dict[str, float]:
    """The chart widths a page's cookie holds, by the chart's :func:`css_key`; nothing it cannot read."""
    widths = {}
    for entry in cookie.split("~")[1:]:
        key, _, text = entry.partition(":")
        try:
            width = float(text)
        except ValueError:
            continue
        if key and math.isfinite(width) and NARROWEST <= width <= WIDEST:
            widths[key] = width
    return widths


def remembered_width(key: str, cookies: Mapping[str, str] | None = None, url: str | None = None) -> float | None:
    """The width at which the chart of ``key`` was last seen on this page, in this window's width (None: not
    seen). ``cookies`` and ``url``: this session's by default."""
    cookies = dict(st.context.cookies) if cookies is None else cookies  # (a plain dict: AppTest's answers anything)
    url = (getattr(st.context, "url", None) or "") if url is None else url
    page = page_of(urlsplit(url).path) or HOME
    return remembered(cookies.get(COOKIE_PREFIX + page, "")).get(css_key(key))
