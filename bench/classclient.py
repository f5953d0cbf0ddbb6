"""A light client that does what a phone or the projector's browser does on the classroom pages, without a browser.

Beyond bench/wsclient.py's page views: it keeps cookies (the page's own GET first, so a proxy's Set-Cookie lands in
its jar and goes with the websocket), presses buttons by their key (a ``rerun_script`` whose widget state is the
button's trigger), runs the fragments that ask to be rerun (``auto_rerun``: a ``rerun_script`` with the fragment's
id every interval, as Streamlit's frontend does), and reads what the classroom pages show: the room code, the
tally metric with the time each value arrived, the voting buttons, errors. The voter cookie that the page's
script would set in a browser (ui/classroom.py ``voter_token``) is taken from that script.
(Read from streamlit 1.67: runtime/fragment.py ``auto_rerun``, proto/ClientState.proto, proto/WidgetStates.proto.)
"""
from __future__ import annotations

import asyncio
import re
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from websockets.asyncio.client import connect

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from wsclient import MAX_MESSAGE, split_link

FINISHED = ForwardMsg.ScriptFinishedStatus
KEY = re.compile(r"-([A-Za-z0-9_]+)$")  # a widget id ends with its user key: "$$ID-<hash>-vote_3_1"
COOKIE_SCRIPT = re.compile(r"document\.cookie = '(\w+)=([A-Za-z0-9_.-]+);")


@dataclass
class Seen:
    """What the pages showed this client, as it arrived."""

    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (widget id, its fragment's id)
    metrics: list[tuple[float, str, str]] = field(default_factory=list)  # (time, label, value)
    errors: list[str] = field(default_factory=list)
    code: str = ""
    served_by: str = ""   # the replica behind the proxy, when its test config names it (X-Upstream)


class Client:
    """``async with Client(http_base) as c: await c.open("join?room=K7QFX"); await c.click("vote_1_2")``."""

    def __init__(self, http_base: str, cookies: dict[str, str] | None = None):
        self.http = http_base.rstrip("/")
        self.cookies = dict(cookies or {})
        self.seen = Seen()
        self.page_hash, self.query = "", ""
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._reruns: dict[str, asyncio.Task] = {}
        self._finished = asyncio.Event()
        self._status = None
        self.closed = asyncio.Event()

    async def __aenter__(self) -> "Client":
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _get_page(self) -> None:
        request = urllib.request.Request(self.http + "/", headers=self._cookie_header())
        with urllib.request.urlopen(request, timeout=30) as response:
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
            self.seen.served_by = response.headers.get("X-Upstream", "")

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar = SimpleCookie()
            jar.load(header)
            self.cookies.update({k: m.value for k, m in jar.items()})

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    async def connect(self) -> None:
        """Load the page (its cookies), then open the websocket with them, as a browser tab does."""
        await asyncio.to_thread(self._get_page)
        ws_url = self.http.replace("http", "ws", 1) + "/_stcore/stream"
        self._ws = await connect(ws_url, subprotocols=["streamlit"], max_size=MAX_MESSAGE, open_timeout=60,
                                 ping_interval=None, compression=None, additional_headers=self._cookie_header())
        served = self._ws.response.headers.get("X-Upstream", "")
        self.seen.served_by = served or self.seen.served_by
        self.closed.clear()
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        for task in self._reruns.values():
            task.cancel()
        self._reruns.clear()
        if self._reader:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()

    async def _send(self, *, page_name: str | None = None, trigger: str | None = None, fragment: str = "",
                    auto: bool = False) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        if page_name is not None:
            state.page_name = page_name
        else:
            state.page_script_hash = self.page_hash
        if trigger:
            widget = state.widget_states.widgets.add()
            widget.id, widget.trigger_value = trigger, True
        if fragment:  # a button inside a fragment reruns that fragment alone, as in the browser
            state.fragment_id, state.is_auto_rerun = fragment, auto
        await self._ws.send(msg.SerializeToString())

    async def open(self, link: str, timeout: float = 60) -> bool:
        """Open ``link`` and wait until its script has finished; False if it did not in time or the socket closed."""
        path, self.query = split_link(link)
        return await self._run(self._send(page_name=path), timeout)

    async def click(self, key: str, timeout: float = 60) -> bool:
        """Press the button with user key ``key`` (from the latest run) and wait for the run it starts."""
        widget, fragment = self.seen.buttons[key]
        return await self._run(self._send(trigger=widget, fragment=fragment), timeout)

    async def _run(self, sending, timeout: float) -> bool:
        self._finished.clear()
        await sending
        try:
            await asyncio.wait_for(self._finished.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        return self._status != "closed"

    async def _read(self) -> None:
        try:
            while True:
                fwd = ForwardMsg()
                fwd.ParseFromString(await self._ws.recv())
                self._on(fwd)
        except asyncio.CancelledError:
            raise
        except Exception:  # the server went away: what a browser shows as "Connecting…"
            self._status = "closed"
            self._finished.set()
            self.closed.set()

    def _on(self, fwd: ForwardMsg) -> None:
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = fwd.new_session.page_script_hash or self.page_hash
        elif kind == "navigation":
            self.page_hash = fwd.navigation.page_script_hash or self.page_hash
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            self._element(fwd.delta.new_element, fwd.delta.fragment_id)
        elif kind == "auto_rerun":
            self._schedule(fwd.auto_rerun.fragment_id, fwd.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment in fwd.stop_auto_rerun.fragment_ids or list(self._reruns):
                task = self._reruns.pop(fragment, None)
                task.cancel() if task else None
        elif kind == "script_finished" and fwd.script_finished != FINISHED.FINISHED_EARLY_FOR_RERUN:
            self._status = "finished"
            self._finished.set()

    def _element(self, element, fragment: str) -> None:
        kind = element.WhichOneof("type")
        if kind == "button":
            match = KEY.search(element.button.id)
            if match:
                self.seen.buttons[match.group(1)] = (element.button.id, fragment)
        elif kind == "metric":
            self.seen.metrics.append((time.perf_counter(), element.metric.label, element.metric.body))
        elif kind == "alert" and element.alert.format == Alert.ERROR:
            self.seen.errors.append(element.alert.body)
        elif kind == "exception":
            self.seen.errors.append(f"exception {element.exception.type}: {element.exception.message[:200]}")
        elif kind == "html":
            body = element.html.body
            code = re.search(r'vz-code">(\w+)<', body)
            if code:
                self.seen.code = code.group(1)
            cookie = COOKIE_SCRIPT.search(body)
            if cookie and cookie.group(1) not in self.cookies:  # what the page's script sets in a browser
                self.cookies[cookie.group(1)] = cookie.group(2)

    def _schedule(self, fragment: str, interval: float) -> None:
        if fragment in self._reruns:
            return

        async def rerun() -> None:
            while True:
                await asyncio.sleep(interval)
                try:
                    await self._send(fragment=fragment, auto=True)
                except Exception:
                    return

        self._reruns[fragment] = asyncio.create_task(rerun())

    def stop_reruns(self) -> None:
        for task in self._reruns.values():
            task.cancel()
        self._reruns.clear()

    def tally(self) -> list[tuple[float, int]]:
        """(arrival time, votes) of every "Votes so far" the projector showed."""
        return [(t, int(v)) for t, label, v in self.seen.metrics if label == "Votes so far" and v.isdigit()]
