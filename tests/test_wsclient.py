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
