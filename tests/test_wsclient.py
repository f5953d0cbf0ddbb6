"""The load and soak tests' light client (bench/wsclient.py) against a real `streamlit run` server."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from wsclient import Server, Session  # noqa: E402


async def _two_views(base_ws: str):
    async with Session(base_ws) as session:
        home = await session.open("", timeout=60)
        missing = await session.open("no_such_page", timeout=60)
        return home, missing, dict(session.pages)


def test_a_light_client_opens_a_page_until_its_script_has_finished(tmp_path):
    with Server(tmp_path / "server.log") as server:
        home, missing, pages = asyncio.run(_two_views(server.ws))
        assert server.memory_mb("VmHWM") > server.memory_mb() * 0.5 > 0
    assert home.ok and home.status == "finished" and home.messages > 3, home
    assert "layers" in pages and len(pages) >= 8  # the navigation's pages, for sidebar clicks
    assert missing.status == "page_not_found" and not missing.ok


async def _one_view(base_ws: str, page: str):
    async with Session(base_ws) as session:
        return await session.open(page, timeout=180)


def test_a_deep_link_as_a_fresh_servers_first_view_computes_with_the_pinned_cpu_kernels(tmp_path):
    """A shared link to a sleeping demo: its page is the server's first script. If numpy loaded before vizcore
    pinned the kernels (vizcore/cpu.py), the server's log would say so; a machine-wide OPENBLAS_CORETYPE must
    not win either."""
    log = tmp_path / "server.log"
    with Server(log, env={"OPENBLAS_CORETYPE": "Sandybridge", "VIZCORE_HOST_KERNELS": ""}) as server:
        view = asyncio.run(_one_view(server.ws, "layers?preset=aba1"))
    text = log.read_text()
    assert view.ok and view.status == "finished", view
    assert "imported before vizcore" not in text and "Not the pinned CPU kernels" not in text, text[-3000:]
