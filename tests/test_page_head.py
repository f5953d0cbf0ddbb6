"""ui/page_head.py in front of Starlette's own static files and gzip, as Streamlit serves its index.html.

The browser side (no request to /<page>/_stcore/, the websocket at the root, the sidebar still
leading on) is checked by tests/test_browser.py's deep-link test against the real server.
"""
from __future__ import annotations

import asyncio
import gzip

import pytest
from starlette.middleware.gzip import GZipMiddleware
from starlette.staticfiles import StaticFiles

from ui.page_head import CHART_MODULES, SCRIPT, STATIC_JS, PageHead
from ui.screen import PIXEL_RATIO_COOKIE
from ui.syllabus import LESSONS, PAGE_PATHS

PAGE = b"<!DOCTYPE html><html><head><title>app</title></head><body>" + b"<p>lesson</p>" * 200 + b"</body></html>"
BUNDLE = b"console.log('bundle');" * 100


@pytest.fixture()
def served(tmp_path):
    (tmp_path / "index.html").write_bytes(PAGE)
    (tmp_path / "bundle.js").write_bytes(BUNDLE)
    return PageHead(GZipMiddleware(StaticFiles(directory=tmp_path, html=True), minimum_size=100))


def get(app, path: str, gzipped: bool, method: str = "GET") -> tuple[dict, bytes]:
    """One request through the ASGI app: (its headers, its body as sent)."""
    headers = [(b"accept-encoding", b"gzip")] if gzipped else []
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": headers, "root_path": "", "scheme": "http", "server": ("test", 80), "http_version": "1.1"}
    sent, asked = [], []

    async def receive():  # the request, then a client that stays connected until the answer is sent
        if asked:
            await asyncio.Event().wait()
        asked.append(1)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return dict(start["headers"]), b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_page_starts_with_the_script_and_says_its_new_length(served, gzipped):
    headers, body = get(served, "/", gzipped)
    assert (headers.get(b"content-encoding") == b"gzip") == gzipped
    html = gzip.decompress(body) if gzipped else body
    assert html == PAGE.replace(b"<head>", b"<head>" + SCRIPT.encode())
    assert int(headers[b"content-length"]) == len(body)
    assert b"etag" not in headers  # the file's ETag would let a browser keep an answer without the script


@pytest.mark.parametrize("gzipped", [False, True])
def test_other_files_and_other_methods_pass_untouched(served, gzipped):
    headers, body = get(served, "/bundle.js", gzipped)
    assert (gzip.decompress(body) if gzipped else body) == BUNDLE
    assert b"etag" in headers
    headers, body = get(served, "/", gzipped, method="HEAD")
    assert body == b"" and b"etag" in headers


def test_the_script_names_every_page_one_segment_below_the_root_and_stores_the_screens_pixel_ratio():
    assert set(PAGE_PATHS) == {lesson.name for lesson in LESSONS} | {"join"}
    assert "knn" in SCRIPT and "BACKEND_BASE_URL" in SCRIPT
    # the cookie ui.screen reads (its browser side: tests/test_browser.py's 3D resolution test)
    assert f"document.cookie = '{PIXEL_RATIO_COOKIE}=' + window.devicePixelRatio" in SCRIPT


def test_the_script_preloads_streamlits_chart_module_which_this_streamlit_has():
    # a Streamlit whose plotly element is named otherwise (or split in two) makes this fail, not silently slower
    assert len(CHART_MODULES) == 1 and (STATIC_JS / CHART_MODULES[0]).is_file()
    assert "modulepreload" in SCRIPT and f'["{CHART_MODULES[0]}"]' in SCRIPT
