"""A light client of Streamlit's own websocket protocol: one session is one websocket, no browser.

A browser tab opening ``/layers?preset=spirals`` connects to ``ws://host/_stcore/stream`` and
sends one ``BackMsg.rerun_script`` whose ClientState names the page by its URL path
(``page_name``, "" for the main page) and carries the query string; the server answers
with ForwardMsgs (new_session, deltas, ...) until ``script_finished``. Clicking a page in
the sidebar sends the same message with that page's ``page_script_hash`` from the
``navigation`` message. This client does exactly that, and counts the exception and error
elements in the deltas, so one process can hold hundreds of sessions.
(Read from streamlit 1.67: web/server/starlette/starlette_websocket.py, runtime/app_session.py
``request_rerun``, runtime/pages_manager.py ``_resolve_page_script``.)

A run ended by ``st.rerun()`` (``FINISHED_EARLY_FOR_RERUN``, e.g. ui/boot.py's first-run
re-route) is not the end of a visit: the visit ends at a run that finished successfully.
"""
from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
MAX_MESSAGE = 256 * 2**20  # a layers page sends one ~2 MB plotly message; websockets' default limit is 1 MB
FINISHED = ForwardMsg.ScriptFinishedStatus


@dataclass
class Visit:
    """What one page view cost and showed."""

    link: str
    seconds: float = float("nan")   # from sending the rerun to the successful script_finished
    status: str = "pending"         # "finished", "timeout", "late", "closed", "compile_error", "page_not_found"
    errors: list[str] = field(default_factory=list)    # exception and error elements' text
    warnings: list[str] = field(default_factory=list)
    messages: int = 0
    bytes: int = 0

    @property
    def ok(self) -> bool:
        return self.status == "finished" and not self.errors


def split_link(link: str) -> tuple[str, str]:
    """"layers?preset=spirals" -> ("layers", "preset=spirals"); "" or "/" -> the main page."""
    path, _, query = link.lstrip("/").partition("?")
    return path, query


class Session:
    """One light client session: ``async with Session(url) as s: visit = await s.open("layers?preset=x")``."""

    def __init__(self, base_ws: str):
        self.url = base_ws.rstrip("/") + "/_stcore/stream"
        self.pages: dict[str, str] = {}  # url path -> page_script_hash, from the navigation message
        self._ws = None

    async def __aenter__(self) -> "Session":
        self._ws = await connect(self.url, subprotocols=["streamlit"], max_size=MAX_MESSAGE,
                                 open_timeout=120, ping_interval=None, compression=None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def open(self, link: str, timeout: float = 60.0) -> Visit:
        """Open ``link`` (path and query) as the browser does; read until its script has finished."""
        path, query = split_link(link)
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        if path in self.pages:  # a sidebar click: the page's hash, as the browser sends it
            state.page_script_hash = self.pages[path]
        else:                   # a typed or shared address: the page's URL path
            state.page_name = path
        visit = Visit(link)
        t0 = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._read_until_finished(visit), timeout)
        except asyncio.TimeoutError:
            visit.status = "timeout"
        except Exception as exc:  # the server closed or broke the connection
            visit.status, visit.errors = "closed", visit.errors + [f"{type(exc).__name__}: {exc}"]
        visit.seconds = time.perf_counter() - t0
        return visit

    async def finish(self, visit: Visit, timeout: float) -> bool:
        """Keep reading a timed-out visit for up to ``timeout`` more seconds; True (status "late") if it finished."""
        t0 = time.perf_counter()
        try:
            await asyncio.wait_for(self._read_until_finished(visit), timeout)
        except (asyncio.TimeoutError, Exception):
            return False
        visit.status, visit.seconds = "late", visit.seconds + time.perf_counter() - t0
        return True

    async def _read_until_finished(self, visit: Visit) -> None:
        while True:
            data = await self._ws.recv()
            visit.messages += 1
            visit.bytes += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta":
                self._read_delta(fwd.delta, visit)
            elif kind == "navigation":
                self.pages.update({p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages})
            elif kind == "page_not_found":
                visit.status = "page_not_found"
                visit.errors.append(f"page not found: {fwd.page_not_found.page_name!r}")
            elif kind == "script_finished":
                if fwd.script_finished == FINISHED.FINISHED_EARLY_FOR_RERUN:
                    visit.errors.clear()  # that run's elements are replaced by the rerun's
                    visit.warnings.clear()
                    continue
                if visit.status == "pending":
                    visit.status = ("compile_error" if fwd.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR
                                    else "finished")
                return

    @staticmethod
    def _read_delta(delta, visit: Visit) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            visit.errors.append(f"exception {element.exception.type}: {element.exception.message[:200]}")
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            visit.errors.append(f"error: {element.alert.body[:200]}")
        elif kind == "alert" and element.alert.format == Alert.WARNING:
            visit.warnings.append(element.alert.body[:200])


async def open_once(base_ws: str, link: str, timeout: float = 60.0) -> Visit:
    """One fresh session opening one link."""
    async with Session(base_ws) as session:
        return await session.open(link, timeout)


# --- the server under test -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
        except OSError:
            pass
    return out


def memory_mb(pid: int, field_name: str = "VmRSS") -> float:
    """``field_name`` (VmRSS now, VmHWM peak) of ``pid`` plus its children, in MB."""
    total = 0
    for p in _tree(pid):
        try:
            total += int(re.search(rf"{field_name}:\s+(\d+) kB", Path(f"/proc/{p}/status").read_text()).group(1))
        except (OSError, AttributeError):
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its children so far, in seconds."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


class Server:
    """``streamlit run app.py`` on a free port with the cache log on; a context manager.

    ``log`` collects the server's output; ``ready_seconds`` is the time until /_stcore/health answered.
    """

    def __init__(self, log: Path, env: dict[str, str] | None = None, app: str = "app.py", cwd: Path = ROOT):
        self.port, self.log, self.app, self.cwd = free_port(), log, app, cwd
        self.env = dict(os.environ, VIZCORE_CACHE_LOG="1", **(env or {}))
        self.proc: subprocess.Popen | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._sink = open(self.log, "w")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", self.app, "--server.port", str(self.port),
             "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=self.cwd, env=self.env, stdout=self._sink, stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                urllib.request.urlopen(self.http + "/_stcore/health", timeout=2)
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the server exited; see {self.log}") from None
                time.sleep(0.1)
        self.ready_seconds = time.perf_counter() - self.started
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._sink.close()

    def memory_mb(self, field_name: str = "VmRSS") -> float:
        return memory_mb(self.proc.pid, field_name)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def log_lines(self) -> list[str]:
        self._sink.flush()
        return self.log.read_text(errors="replace").splitlines()


def cache_report(lines: list[str]) -> dict[str, dict[str, int]]:
    """Per shared cache, from ui/cache.py's log lines: computed, shipped (loaded), and the largest size/bound."""
    out: dict[str, dict[str, int]] = {}
    for line in lines:
        m = re.match(r"\[cache\] (computing|shipped) (\S+)(?: size (\d+)/(\d+))?", line)
        if m:
            row = out.setdefault(m.group(2), {"computed": 0, "shipped": 0, "size": 0, "bound": 0})
            row["computed" if m.group(1) == "computing" else "shipped"] += 1
        m = re.match(r"\[cache\] stored (\S+) size (\d+)/(\d+)", line)
        if m:
            row = out.setdefault(m.group(1), {"computed": 0, "shipped": 0, "size": 0, "bound": 0})
            row["size"], row["bound"] = max(row["size"], int(m.group(2))), int(m.group(3))
    return out


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] if values else float("nan")
