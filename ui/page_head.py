"""What each page's HTML tells the browser before Streamlit's frontend starts: where the server is, and how
finely the screen draws.

**Where the server is.** Streamlit's frontend does not know the server's base path. Opened at ``/knn``, it
first asks ``/knn/_stcore/health`` and ``/knn/_stcore/host-config``, gets two 404s, waits its minimum retry
delay and asks ``/_stcore/...``: 110 to 170 ms before the websocket opens, on every visit to a lesson's
link, a third of the floor's whole cached first view (bench/first_view.py). Streamlit reads
``window.__streamlit.BACKEND_BASE_URL`` before it looks (its config for hosts that embed it), so the
script sets it to the URL Streamlit would have found on its second try: the page's URL without its last
segment, when that segment is one of this app's pages (``ui.syllabus.PAGE_PATHS``;
``ui.classroom.app_address`` finds the app's address by the same rule). Behind a proxy that adds a path
prefix this is still right; at any other path nothing is set and Streamlit looks as it always did.

**How finely the screen draws.** Plotly draws a 3D scene at twice its size on every screen
(``plotGlPixelRatio``, default 2), four times the pixels a screen of pixel ratio 1 shows. The script
stores the screen's ``devicePixelRatio`` in a cookie before the websocket opens, so the server sees it
from the first run and draws 3D at the screen's own resolution (``ui.screen.chart_config``).

**Each chart's width.** The script also keeps, when the page is left, the width each chart had, for the next
visit to draw it at (ui/widths.py).

**The chart code, fetched with the page.** Streamlit's frontend loads its plotly code (one 4.7 MB module,
``PlotlyChart.<hash>.js``) only when the first chart's message has arrived and React renders it. Even from
the HTTP cache that fetch took 80 to 100 ms, then the module waited to be compiled: the chart's build began
0.5 s after navigation where a cached reload of the floor is painted at 0.46 s. On a page that shows charts
(a lesson or the class's phone page, not the home page) the script adds a ``modulepreload`` link for that
module, so the browser fetches and compiles it while the websocket connects and the script runs. The
module still runs when Streamlit imports it, once (the same URL is the same module). It moved the build's
start 50 to 70 ms earlier; one run of 5 visits interleaved with the commit before, cached: trajectory 1.68x ->
1.51x, k-NN 1.72x -> 1.53x (bench/first_view.py; README, "The chart code, fetched with the page").
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import streamlit

from ui.screen import PIXEL_RATIO_COOKIE
from ui.syllabus import PAGE_PATHS
from ui.widths import RECORD_JS

STATIC_JS = Path(streamlit.__file__).parent / "static" / "static" / "js"  # served at ./static/js/ beside the page
# Streamlit's plotly element, split out of its bundle under a content hash (none found: nothing is preloaded)
CHART_MODULES = tuple(sorted(path.name for path in STATIC_JS.glob("PlotlyChart.*.js")))

SCRIPT = ("<script>(() => {"
          f" document.cookie = '{PIXEL_RATIO_COOKIE}=' + window.devicePixelRatio + '; path=/; SameSite=Lax';"
          # pageOf: the page a path opens by its last segment, '' for home (ui.syllabus.page_of; RECORD_JS uses it)
          " const pageOf = () => { const last = location.pathname.replace(/\\/+$/, '').split('/').pop();"
          f" return {json.dumps(PAGE_PATHS)}.includes(last) ? last : ''; }};"
          " const parts = location.pathname.replace(/\\/+$/, '').split('/');"
          " if (pageOf()) { parts.pop();"
          " const base = location.origin + parts.join('/') + '/'; window.__streamlit = {BACKEND_BASE_URL: base};"
          f" for (const name of {json.dumps(CHART_MODULES)}) {{ const link = document.createElement('link');"
          " link.rel = 'modulepreload'; link.crossOrigin = ''; link.href = base + 'static/js/' + name;"
          f" document.head.appendChild(link); }} }} {RECORD_JS} }})();</script>")


def with_script(html: bytes) -> bytes:
    """The page ``html`` with :data:`SCRIPT` first in its head, where it runs before Streamlit's bundle."""
    return html.replace(b"<head>", b"<head>" + SCRIPT.encode(), 1)


class PageHead:
    """ASGI middleware: every HTML answer to a GET carries :data:`SCRIPT` (``st.App(middleware=...)``).

    It sits outside Streamlit's own middleware, so the page may reach it gzipped; the body is
    read whole (Streamlit's index.html, 8 kB), changed and sent again with its new length. Its ETag
    and Last-Modified name the file on disk, not this answer, and are dropped (the page is sent
    with ``Cache-Control: no-cache`` anyway).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        start, body = None, []

        async def with_head(message):
            nonlocal start
            if message["type"] == "http.response.start":
                if dict(message.get("headers", [])).get(b"content-type", b"").startswith(b"text/html"):
                    start = message  # held until the whole body is here
                    return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            zipped = dict(start["headers"]).get(b"content-encoding") == b"gzip"
            html = with_script(gzip.decompress(b"".join(body)) if zipped else b"".join(body))
            html = gzip.compress(html) if zipped else html
            headers = [(k, v) for k, v in start["headers"] if k not in (b"content-length", b"etag", b"last-modified")]
            await send({**start, "headers": headers + [(b"content-length", str(len(html)).encode())]})
            await send({"type": "http.response.body", "body": html})

        await self.app(scope, receive, with_head)
