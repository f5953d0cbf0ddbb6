"""Predict, then reveal, through the pages: the teacher presenting a lesson and the students' phone page, each a
session of its own (Streamlit's AppTest), sharing one real SQLite store."""
from __future__ import annotations

import json
import re
import time

import pytest

from tests.pagetools import assert_clean, open_page
from ui import classroom
from ui.rooms import Rooms, SQLiteBackend

LESSON = "10_layers.py"


def classroom_buttons(at) -> list[str]:
    """The labels of the classroom's buttons (the lesson's own, such as "Draw on these points", left out)."""
    return [b.label for b in at.button if (b.key or "").startswith("classroom_")]


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The app's store for this test: a fresh SQLite file (the server's store is made once per process)."""
    rooms = Rooms(SQLiteBackend(tmp_path / "rooms.sqlite3"))
    monkeypatch.setattr(classroom, "_ROOMS", [rooms])
    return rooms


def present(at, run=None):
    at.session_state["present"] = True  # what app.py keeps for ?present=1 (AppTest drops the toggle's state)
    return (run or at).run()


def teacher(preset: str = "disc2"):
    at = open_page(LESSON, {"preset": preset, "present": "1"})
    return assert_clean(at)


def room_code(at) -> str:
    bodies = [h.proto.body for h in at.get("html")]
    return next(re.search(r'vz-code">(\w+)<', b).group(1) for b in bodies if "vz-code" in b)


def phone(code: str, **query):
    return assert_clean(open_page("90_join.py", {"room": code, **query}))


def vote(at, index: int):
    buttons = [b for b in at.button if b.key and b.key.startswith("vote_")]
    buttons[index].click()
    return at.run()


def test_the_class_votes_before_the_picture_and_the_reveal_shows_the_votes_then_the_picture(store):
    at = teacher()
    assert classroom_buttons(at) == ["Ask the class"] and at.get("plotly_chart")  # not asked yet: drawn
    assert at.button(key="classroom_ask").proto.icon == ":material/front_hand:"  # Streamlit's font: no empty box
    present(at, at.button(key="classroom_ask").click())
    code = room_code(at)
    assert not at.get("plotly_chart") and not at.table  # the picture and the claims wait for the reveal
    assert at.metric[0].label == "Votes so far" and at.metric[0].value == "0"
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "A tanh net" not in html and 'width="340"' in html and f"/join?room={code}" in html  # QR of the link

    phones = [phone(code) for _ in range(3)]
    for p, choice in zip(phones, (1, 1, 2)):
        vote(p, choice)
        assert "Your vote" in p.success[0].value
    vote(phones[2], 0)  # changed before the reveal: still one vote
    present(at)
    assert at.metric[0].value == "3" and sum(store.tally(store.room(code))) == 3

    present(at, at.button(key="classroom_reveal").click())
    charts = at.get("plotly_chart")
    assert charts and "classroom_votes" in [c.key for c in charts] and len(charts) > 1  # the votes, then the lesson's
    assert any("✓ B: 70% to 99.9%" in h.proto.body for h in at.get("html"))  # the live result's answer
    assert any("unsafe_allow_javascript" in str(h.proto) or "Play" in h.proto.body for h in at.get("html"))
    assert at.table  # the claims are back

    right = phones[0].run()
    assert "B: 70% to 99.9%" in right.success[0].value and "You were right" in right.markdown[0].value
    assert right.get("plotly_chart")  # the picture, phone-sized
    layout = json.loads(right.get("plotly_chart")[0].proto.spec)["layout"]
    assert layout["height"] == classroom.PHONE_PICTURE_PX and layout["dragmode"] is False  # a finger scrolls
    wrong = phones[2].run()
    assert "You voted A" in wrong.markdown[0].value and "2 of 3 got it right" in wrong.markdown[0].value


def test_next_question_opens_the_next_preset_and_the_phones_follow(store):
    at = teacher()
    present(at, at.button(key="classroom_ask").click())
    code = room_code(at)
    p = phone(code)
    present(at, at.button(key="classroom_reveal").click())
    present(at, at.button(key="classroom_next").click())
    assert_clean(at)
    assert at.sidebar.selectbox(key="preset").value == "disc3" and not at.get("plotly_chart")
    assert store.room(code).preset == "disc3" and at.metric[0].value == "0"
    p.run()
    assert "3 units" in " ".join(h.proto.body for h in p.get("html"))  # the new question's prompt


def test_a_stale_phone_a_closed_question_and_a_closed_room_count_nothing_and_say_why(store):
    at = teacher()
    present(at, at.button(key="classroom_ask").click())
    code = room_code(at)
    p = phone(code)
    present(at, at.button(key="classroom_reset").click())  # "Ask again": the phone still shows the old buttons
    vote(p, 0)
    assert "moved on" in p.error[0].value and store.tally(store.room(code)) == [0, 0, 0]
    p = phone(code)
    present(at, at.button(key="classroom_reveal").click())
    vote(p, 2)  # pressed as the answer was revealed
    assert "answer has been revealed" in p.error[0].value and sum(store.tally(store.room(code))) == 0
    present(at, at.button(key="classroom_close").click())
    closed = phone(code)
    assert "is closed" in closed.info[0].value and not [b for b in closed.button if b.key.startswith("vote_")]
    assert classroom_buttons(present(at)) == ["Ask the class"]  # the teacher may open a new room


@pytest.mark.parametrize("code, words", [("ZZZZZ", "There is no room ZZZZZ"), ("not a code!", "There is no room"),
                                         ("<b>x</b>", "There is no room")])
def test_an_unknown_room_is_said_in_words_with_the_code_box(store, code, words):
    at = open_page("90_join.py", {"room": code})
    assert not at.exception and words in at.error[0].value and at.text_input[0].label == "Room code"


def test_an_expired_room_is_said_in_words(store, monkeypatch):
    room, _ = store.open()
    monkeypatch.setattr(store, "clock", lambda: time.time() + 4 * 3600)
    at = open_page("90_join.py", {"room": room.code})
    assert not at.exception and "has expired" in at.error[0].value


def test_the_phone_page_without_a_room_asks_for_the_code_and_joins(store):
    room, secret = store.open()
    at = assert_clean(open_page("90_join.py"))
    at.text_input[0].input(room.code.lower()).run()
    at.button[0].click().run()
    assert at.query_params["room"] == room.code
    assert "question appears here" in at.info[0].value


def test_a_student_cannot_reveal_reset_or_close_the_teachers_room(store):
    at = teacher()
    present(at, at.button(key="classroom_ask").click())
    code = room_code(at)
    p = phone(code, reveal="1", secret="guess", answer="0")  # a crafted link changes nothing
    assert [b.key for b in p.button if b.key.startswith("vote_")] and not store.room(code).revealed
    student = teacher()  # a student presenting the same lesson: a session without the room's secret
    assert "classroom_reveal" not in [b.key for b in student.button]
    present(student, student.button(key="classroom_ask").click())
    assert room_code(student) != code and not store.room(code).revealed  # only a room of its own


def test_the_join_link_is_the_apps_address_whatever_page_the_teacher_is_on():
    assert classroom.app_address("http://10.0.0.5:8501/layers") == "http://10.0.0.5:8501"
    assert classroom.app_address("https://school.example/vizcore/landscape/") == "https://school.example/vizcore"
    assert classroom.app_address("http://localhost:8501") == "http://localhost:8501"
    assert classroom.app_address("http://h:8080/join") == "http://h:8080"


def test_a_vote_sent_twice_is_counted_once(store):
    at = teacher()
    present(at, at.button(key="classroom_ask").click())
    code = room_code(at)
    p = phone(code)
    vote(p, 1)
    vote(p, 1)
    assert store.tally(store.room(code)) == [0, 1, 0]
