"""Predict, then reveal: the class votes from their phones before a lesson's picture answers the question.

Two sides, one room (:mod:`ui.rooms` holds the rules and the votes):

- the teacher, presenting a lesson whose preset asks a question (``Lesson.questions``): :func:`ask_the_class`,
  called by the lesson skeleton (``ui/lesson_page.py``) before the picture, opens a room and shows its code, QR
  code and link, then a tally that updates itself, "Reveal", "Ask again", the next question and "Close the room".
  While the class votes the picture is held back; the reveal shows the votes against the answer the live result
  decides, then plays the animation. Only this session holds the room's secret.
- the students, on the hidden page ``/join?room=CODE`` (:func:`student_page`), made for a 390×844 phone: the
  question and a big button per choice on the first screen, their vote (changeable until the reveal), then the
  answer and the picture. A student is a random token the browser keeps in the cookie ``vz_id`` (a proxy may set
  it at the edge, deploy/nginx.conf; otherwise the page does), never a name.
"""
from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit
from dataclasses import dataclass
from typing import Any, Optional

import segno
import streamlit as st

from ui import frames
from ui.boot import require_navigation
from ui.cache import named_cache
from ui.presentation import presenting
from ui.rooms import ROOM_SECONDS, TOKEN, Room, RoomError, Rooms, StoreError, backend_from_env, normal_code
from ui.screen import chart_config
from ui.syllabus import BY_NAME, JOIN_PATH, LESSONS, Entry, page_of
from vizcore import UserError
from vizcore.figures.spec import Spec
from vizcore.figures.votes import vote_bars
from vizcore.lessons import Lesson, Question

TEACHER = "classroom_room"      # session key: the room this session opened, {"code", "secret"}
AUTOPLAY = "classroom_autoplay"  # session key: play the page's animation once, right after the reveal
VOTED = "classroom_voted"       # session key: what the phone's last vote did
SAID = "classroom_said"         # session key: a teacher's button refused, in words
SWITCH = "classroom_switch"     # session key: the page and preset of the next question, to open
VOTER_COOKIE = "vz_id"
PUBLIC_URL_ENV = "VIZCORE_PUBLIC_URL"  # the address phones use, when the teacher's browser shows another one
TALLY_SECONDS = 0.5  # the projector's tally refreshes this often: a vote shows within a second
PHONE_SECONDS = 4.0  # a phone looks for a new question or the reveal this often (200 phones: 50 looks a second)
LETTERS = "ABCD"
RAISED_HAND = ":material/front_hand:"  # the font Streamlit ships: an emoji shows as an empty box where no emoji font is
QR_PX = 340  # readable from the back of a classroom (at least 300 px on the projector)
PHONE_PICTURE_PX = 380

_ROOMS: list[Rooms] = []  # the process's store, made on first use (one per server, like its caches)


def rooms() -> Rooms:
    if not _ROOMS:
        _ROOMS.append(Rooms(backend_from_env()))
    return _ROOMS[0]


@dataclass(frozen=True)
class Asked:
    """A question of the syllabus: its lesson's entry and the preset it is about."""

    entry: Entry
    preset: str

    @property
    def question(self) -> Question:
        return self.entry.lesson.questions[self.preset]

    def settings(self):
        lesson: Lesson = self.entry.lesson
        return next((c for c in lesson.presets[self.preset].configs() if type(c) is type(lesson.settings)),
                    lesson.settings)


def all_questions() -> list[Asked]:
    """Every question, in teaching order: "Next question" walks through them."""
    return [Asked(entry, key) for entry in LESSONS for key in entry.lesson.questions]


def asked(room: Room) -> Optional[Asked]:
    entry = BY_NAME.get(room.lesson)
    return Asked(entry, room.preset) if entry is not None and room.preset in entry.lesson.questions else None


def verdict(item: Asked, result: Any) -> tuple[int, str]:
    """The right choice and why, decided by the preset's result (kept for every visitor of the same question)."""
    cache = named_cache("classroom.verdict", 64)
    return cache.get_or_compute((item.entry.name, item.preset, item.settings()), lambda: item.question.decide(result))


def app_address(url: str) -> str:
    """The app's own address from a page's ("http://host:8501/layers" -> "http://host:8501"; a base path stays)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if last := page_of(path):  # ui/page_head.py tells the browser the same address
        path = path[: -len(last) - 1]
    return f"{parts.scheme}://{parts.netloc}{path}"


def join_url(code: str) -> str:
    """The address a phone opens: this app's own address (or $VIZCORE_PUBLIC_URL), page join, the room's code."""
    base = os.environ.get(PUBLIC_URL_ENV) or app_address(getattr(st.context, "url", None) or "http://localhost:8501")
    return f"{base.rstrip('/')}/{JOIN_PATH}?room={code}"


def qr_code(url: str, px: int = QR_PX) -> str:
    """An <img> of the QR code of ``url``, ``px`` pixels wide."""
    return (f'<img src="{segno.make(url, error="m").svg_data_uri(scale=10, border=2)}" width="{px}" height="{px}" '
            f'alt="QR code of {url}" style="image-rendering: pixelated">')


TEACHER_CSS = """<style>
  .vz-prompt { font-size: 2rem; line-height: 1.3; font-weight: 600; margin: 0.2rem 0 0.8rem 0; }
  .vz-choice { font-size: 1.6rem; line-height: 1.4; margin: 0.3rem 0; }
  .vz-join { font-size: 1.6rem; line-height: 1.3; text-align: center; }
  .vz-code { font-size: 4.5rem; font-weight: 800; letter-spacing: 0.35rem; font-family: monospace;
             text-align: center; line-height: 1.1; }
  .vz-right { font-size: 1.6rem; color: #1f7a45; font-weight: 600; }
  .st-key-classroom_tally [data-testid="stMetricLabel"] p { font-size: 1.3rem !important; }  /* 14 px by default */
</style>"""


ROOM_COOKIE = "vz_room"  # the teacher's browser keeps "<code>.<secret>": a reload or another replica keeps the room


def _teacher() -> Optional[dict]:
    """The room this session opened, or the one whose secret this browser's cookie holds (after a reload, or a
    reconnection to another replica)."""
    held = st.session_state.get(TEACHER)
    if held is None:
        cookie = st.context.cookies.get(ROOM_COOKIE, "")
        code, _, secret = cookie.partition(".") if isinstance(cookie, str) else ("", "", "")
        if secret and rooms().holds(code, secret):
            held = st.session_state[TEACHER] = {"code": code, "secret": secret, "kept": True}
    return held


def _keep_in_browser(held: dict) -> None:
    """Write the room's cookie once per session (a script: Streamlit sets no cookie itself)."""
    if not held.get("kept"):
        held["kept"] = True
        st.html(f"<script>document.cookie = '{ROOM_COOKIE}={held['code']}.{held['secret']}; path=/; "
                f"max-age={ROOM_SECONDS}; samesite=strict';</script>", unsafe_allow_javascript=True)


def _forget(text: str = "") -> None:
    st.session_state.pop(TEACHER, None)
    st.html(f"<script>document.cookie = '{ROOM_COOKIE}=; path=/; max-age=0; samesite=strict';</script>",
            unsafe_allow_javascript=True)
    if text:
        st.warning(text)


def _open_and_ask(item: Asked) -> None:
    room, secret = rooms().open()
    st.session_state[TEACHER] = {"code": room.code, "secret": secret}
    rooms().ask(room.code, secret, item.entry.name, item.preset, len(item.question.choices))


def _act(action, *args) -> None:
    """A teacher's button: the room's rule or store refusing is said in words."""
    try:
        action(*args)
    except UserError as exc:
        st.session_state[SAID] = str(exc)


def ask_the_class(shown) -> bool:
    """The teacher's panel above a lesson's picture, when presenting; True while the class votes (the skeleton then
    holds the picture back, and the claims that would give the answer away)."""
    if not presenting():
        return False
    switch = st.session_state.pop(SWITCH, None)
    if switch is not None:  # "Next question" asked it: open its page on its preset
        st.switch_page(switch[0], query_params={"preset": switch[1], "present": "1"})
    st.html(TEACHER_CSS)
    here = Asked(shown.entry, shown.preset)
    question = shown.entry.lesson.questions.get(shown.preset)
    held = _teacher()
    if held is None:
        if question is not None:
            st.button("Ask the class", icon=RAISED_HAND, key="classroom_ask", type="primary", on_click=_act,
                      args=(_open_and_ask, here),
                      help="Opens a room: the class votes from their phones before the picture answers.")
        _said()
        return False
    try:
        room = rooms().room(held["code"])
    except UserError as exc:
        _forget(f"{exc} Ask again to open a new room.")
        return False
    if room.closed:
        _forget()
        return False
    _keep_in_browser(held)
    current = asked(room)
    if current is None or (current.entry.name, current.preset) != (here.entry.name, here.preset):
        _room_bar(room, held["secret"], here if question is not None else None, current)
        return False
    if not room.revealed:
        _asking(room, held["secret"], current, shown.result)
        return True
    _revealed(room, held["secret"], current)
    return False


def _said() -> None:
    text = st.session_state.pop(SAID, "")
    if text:
        st.error(text)


def _room_bar(room: Room, secret: str, here: Optional[Asked], current: Optional[Asked]) -> None:
    """The room is open for another question (or none): its code, and asking this page's question."""
    left, right = st.columns([4, 1])
    where = f" The last question was on “{current.entry.title}”." if current is not None else ""
    left.markdown(f"Room **{room.code}** is open ({join_url(room.code)}).{where}")
    if here is not None:
        left.button("Ask this question", icon=RAISED_HAND, key="classroom_ask_here", type="primary", on_click=_act,
                    args=(rooms().ask, room.code, secret, here.entry.name, here.preset, len(here.question.choices)))
    right.button("Close the room", key="classroom_close", on_click=_act, args=(rooms().close, room.code, secret))
    _said()


def _asking(room: Room, secret: str, item: Asked, result: Any) -> None:
    question = item.question
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.html(f'<div class="vz-prompt">{question.prompt}</div>' + "".join(
            f'<div class="vz-choice"><b>{LETTERS[i]}</b>&nbsp; {choice}</div>'
            for i, choice in enumerate(question.choices)))
        _live_tally(room.code)
        b1, b2, b3 = st.columns(3)
        b1.button("Reveal", key="classroom_reveal", type="primary", width="stretch", on_click=_act,
                  args=(_reveal, room.code, secret, item, result))
        b2.button("Ask again", key="classroom_reset", width="stretch", on_click=_act,
                  args=(rooms().reset, room.code, secret),
                  help="The same question from no votes.")
        b3.button("Close the room", key="classroom_close", width="stretch", on_click=_act,
                  args=(rooms().close, room.code, secret))
        _said()
    with right:
        url = join_url(room.code)
        st.html(f'<div class="vz-join">Vote on your phone: <b>{url.split("://", 1)[-1].split("?")[0]}</b></div>'
                f'<div class="vz-code">{room.code}</div><div style="text-align: center">{qr_code(url)}</div>')
        if "://localhost" in url or "://127." in url:
            st.caption(f"Phones cannot open localhost: open this page through the Network URL that Streamlit printed, "
                       f"or start the server with {PUBLIC_URL_ENV}=http://<this machine's address>:8501.")


@st.fragment(run_every=TALLY_SECONDS)
def _live_tally(code: str) -> None:
    """How many have voted, refreshed by itself (the distribution waits for the reveal: no following the crowd)."""
    try:
        room = rooms().room(code)
        with st.container(key="classroom_tally"):
            st.metric("Votes so far", f"{sum(rooms().tally(room))}")
    except UserError as exc:
        st.warning(str(exc))


def _reveal(code: str, secret: str, item: Asked, result: Any) -> None:
    answer, why = verdict(item, result)
    rooms().reveal(code, secret, answer, why)
    st.session_state[AUTOPLAY] = True


def _next_question(code: str, secret: str, item: Asked) -> None:
    order = all_questions()
    names = [(q.entry.name, q.preset) for q in order]
    nxt = order[(names.index((item.entry.name, item.preset)) + 1) % len(order)]
    rooms().ask(code, secret, nxt.entry.name, nxt.preset, len(nxt.question.choices))
    st.session_state[SWITCH] = (nxt.entry.page, nxt.preset)


def _revealed(room: Room, secret: str, item: Asked) -> None:
    question = item.question
    counts = rooms().tally(room)
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.html(f'<div class="vz-prompt">{question.prompt}</div>'
                f'<div class="vz-right">✓ {LETTERS[room.answer]}: {question.choices[room.answer]}</div>')
        st.markdown(room.why)
        b1, b2 = st.columns(2)
        b1.button("Next question ▶", key="classroom_next", type="primary", width="stretch", on_click=_act,
                  args=(_next_question, room.code, secret, item))
        b2.button("Close the room", key="classroom_close", width="stretch", on_click=_act,
                  args=(rooms().close, room.code, secret))
        _said()
    with right:
        frames.chart(st, vote_bars(question.choices, counts, room.answer, height=260), "classroom_votes",
                     width="stretch", config={"displayModeBar": False})
        st.markdown(f"{sum(counts)} votes in room {room.code}.")  # not a caption: read from the back too
    if st.session_state.pop(AUTOPLAY, False):
        st.html(PLAY_SCRIPT, unsafe_allow_javascript=True)


# After the reveal: let the votes be read for a moment, then bring the lesson's first animation into view and press
# its ▶ Play (vizcore/figures/style.py's SPEEDS), as the teacher would.
PLAY_SCRIPT = """<script>
(() => {
  const started = Date.now();
  const press = () => {
    for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
      const play = [...chart.querySelectorAll('.updatemenu-button')].find(b => b.textContent.trim() === '▶ Play');
      if (play) {
        chart.scrollIntoView({behavior: 'smooth', block: 'start'});
        setTimeout(() => play.dispatchEvent(new MouseEvent('click', {bubbles: true})), 800);
        return;
      }
    }
    if (Date.now() - started < 30000) setTimeout(press, 300);
  };
  setTimeout(press, 2500);
})();
</script>"""


# --- the students' page ---------------------------------------------------------------------------------------

PHONE_CSS = """<style>
  .stMainBlockContainer { padding: 3.6rem 0.9rem 2rem 0.9rem !important; }  /* below the header bar */
  .stMainBlockContainer h1 { font-size: 1.4rem !important; padding: 0 0 0.4rem 0 !important; }
  .vz-phone-prompt { font-size: 1.2rem; line-height: 1.4; font-weight: 600; margin-bottom: 0.3rem; }
  .stMainBlockContainer .stButton button { min-height: 3.8rem; font-size: 1.15rem !important; width: 100%;
                                           justify-content: flex-start; text-align: left; padding: 0.5rem 1rem; }
  .stMainBlockContainer .stButton button p { font-size: 1.15rem !important; text-align: left; }
</style>"""


def voter_token() -> str:
    """This browser's random voter token: the ``vz_id`` cookie (set by the proxy or, below, by this page), else a new
    one that the page then keeps in the cookie, so a reload or a reconnection to another replica votes as the
    same phone. Nothing else about the student is read or stored."""
    cookie = st.context.cookies.get(VOTER_COOKIE, "")
    if isinstance(cookie, str) and TOKEN.fullmatch(cookie):  # (Streamlit's AppTest has no browser, no cookies)
        return cookie
    token = st.session_state.setdefault("classroom_voter", secrets.token_urlsafe(16))
    st.html(f"<script>document.cookie = '{VOTER_COOKIE}={token}; path=/; max-age={ROOM_SECONDS}; samesite=lax';"
            "</script>", unsafe_allow_javascript=True)
    return token


def _join_form(code: str = "") -> None:
    typed = st.text_input("Room code", value=code, max_chars=12, placeholder="e.g. K7QFX",
                          help="The code on the projector, or scan its QR code.")
    if st.button("Join", type="primary", width="stretch") and typed:
        st.query_params["room"] = normal_code(typed)
        st.rerun()


def _state(room: Room) -> tuple:
    return room.q, room.revealed, room.closed


def student_page() -> None:
    """The page a phone opens from the projector's QR code: the question and big buttons, then the answer."""
    require_navigation()
    st.html(PHONE_CSS)
    st.title("Predict, then see")
    code = normal_code(st.query_params.get("room", ""))
    if not code:
        st.markdown("Type the code on the projector, or scan its QR code.")
        _join_form()
        return
    token = voter_token()
    try:
        room = rooms().room(code)
    except UserError as exc:
        st.error(str(exc))
        _join_form(code)
        return
    _watch(code, _state(room))
    _ballot(code, token)
    item = asked(room)
    if room.revealed and not room.closed and item is not None and item.question.picture is not None:
        # at its phone size as it is: not frames.chart, whose sizing would follow a presenting session
        st.plotly_chart(_phone_picture(item), width="stretch", key=f"picture_{room.q}", theme=None,
                        config=chart_config(displayModeBar=False, scrollZoom=False))


@st.fragment(run_every=PHONE_SECONDS)
def _watch(code: str, seen: tuple) -> None:
    """Looks every PHONE_SECONDS for a change of the room (a new question, the reveal, the end) and then redraws
    the page. It draws nothing itself: a look costs the server about 3.5 ms (100 idle phones took 0.18 CPU-s a
    second; the question and buttons redrawn every look had cost far more: 200 phones saturated a core)."""
    try:
        room = rooms().room(code)
    except UserError:
        return  # the ballot says why at the next tap
    if _state(room) != seen:
        st.rerun()


@st.fragment
def _ballot(code: str, token: str) -> None:
    """The question and a button per choice, or what to wait for; a tap reruns this part alone."""
    try:
        room = rooms().room(code)
    except UserError as exc:
        st.error(str(exc))
        return
    kind, text = st.session_state.pop(VOTED, (None, ""))
    if kind == "error":  # said whatever the page shows now: a vote pressed as the answer came is refused
        st.error(text)
    item = asked(room)
    if room.closed:
        st.info(f"Room {room.code} is closed. Thank you for voting!")
        return
    if item is None:
        st.info(f"You are in room **{room.code}**. The question appears here when your teacher asks it.")
        return
    question = item.question
    st.html(f'<div class="vz-phone-prompt">{question.prompt}</div>')
    if room.revealed:
        _phone_answer(room, token, question)
        return
    mine = rooms().my_vote(room, token)
    for i, choice in enumerate(question.choices):
        st.button(f"{LETTERS[i]} · {choice}", key=f"vote_{room.q}_{i}", type="primary" if mine == i else "secondary",
                  width="stretch", on_click=_vote, args=(room.code, room.q, token, i))
    if mine is not None and kind != "error":
        st.success(f"Your vote: **{LETTERS[mine]}**. You can change it until the answer is revealed.")


def _vote(code: str, q: int, token: str, choice: int) -> None:
    try:
        st.session_state[VOTED] = ("ok", rooms().vote(code, q, token, choice))
    except (RoomError, StoreError) as exc:
        st.session_state[VOTED] = ("error", str(exc))


def _phone_answer(room: Room, token: str, question: Question) -> None:
    mine = rooms().my_vote(room, token)
    counts = rooms().tally(room)
    right = room.answer
    st.success(f"**{LETTERS[right]}: {question.choices[right]}**")
    if mine is not None:
        st.markdown(("You were right!" if mine == right else f"You voted {LETTERS[mine]}.") +
                    f" {counts[right]} of {sum(counts)} got it right.")
    st.markdown(room.why)


def _phone_picture(item: Asked) -> Spec:
    """The question's picture at a phone's size, computed once per server (the lesson's result is shared too)."""
    from ui.lesson_page import result  # the lesson skeleton's cached, shipped computation

    cache = named_cache("classroom.picture", 16)
    fig = cache.get_or_compute((item.entry.name, item.preset), lambda: item.question.picture(
        result(item.entry, item.settings())))
    spec = fig.to_dict()
    return Spec({**spec, "layout": {**spec.get("layout", {}), "height": PHONE_PICTURE_PX, "dragmode": False}})
