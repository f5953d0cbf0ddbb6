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
"""
from __future__ import annotations

import gzip
import json

from ui.screen import PIXEL_RATIO_COOKIE
from ui.syllabus import PAGE_PATHS

SCRIPT = ("<script>(() => {"
          f" document.cookie = '{PIXEL_RATIO_COOKIE}=' + window.devicePixelRatio + '; path=/; SameSite=Lax';"
          " const parts = location.pathname.replace(/\\/+$/, '').split('/');"
          f" if ({json.dumps(PAGE_PATHS)}.includes(parts[parts.length - 1])) {{ parts.pop();"
          " window.__streamlit = {BACKEND_BASE_URL: location.origin + parts.join('/') + '/'}; } })();</script>")


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
