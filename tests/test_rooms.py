"""Rooms and votes on both real stores (SQLite, Redis): one vote per voter and question, only the teacher reveals,
every bad input refused in words with nothing counted twice, and no vote lost to concurrency or a restart."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.rooms_backends import backend, redis_or_skip  # noqa: F401  (a fixture)
from ui.rooms import (ALPHABET, CODE_LENGTH, REFUSED, RedisBackend, RoomError, Rooms, SQLiteBackend, StoreError,
                      backend_from_env, normal_code)

ROOT = Path(__file__).resolve().parent.parent
TOKENS = [f"voter-token-{i:06d}-abcdef" for i in range(400)]


class Clock:
    """Time that a test moves on (from now: Redis expires its keys by the real clock)."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def asked(backend, clock=None, choices: int = 3):
    rooms = Rooms(backend, clock or Clock())
    room, secret = rooms.open()
    return rooms, rooms.ask(room.code, secret, "layers", "disc2", choices), secret


def test_a_room_has_a_short_readable_code_and_stores_only_its_secrets_hash(backend):
    rooms = Rooms(backend)
    room, secret = rooms.open()
    assert len(room.code) == CODE_LENGTH and set(room.code) <= set(ALPHABET)
    assert secret not in room.to_json() and room.secret_hash
    assert rooms.room(f" {room.code[:2].lower()}-{room.code[2:].lower()} ").code == room.code  # as typed on a phone


def test_one_vote_per_voter_and_question_changeable_until_the_reveal(backend):
    rooms, room, secret = asked(backend)
    assert rooms.vote(room.code, room.q, TOKENS[0], 1) == "counted"
    assert rooms.vote(room.code, room.q, TOKENS[0], 1) == "same"  # replayed: stored once
    assert rooms.vote(room.code, room.q, TOKENS[0], 2) == "changed"
    assert rooms.vote(room.code, room.q, TOKENS[1], 2) == "counted"
    assert rooms.tally(room) == [0, 0, 2] and rooms.my_vote(room, TOKENS[0]) == 2
    revealed = rooms.reveal(room.code, secret, 2, "because")
    with pytest.raises(RoomError, match="answer has been revealed"):
        rooms.vote(room.code, room.q, TOKENS[0], 0)
    with pytest.raises(RoomError, match="answer has been revealed"):
        rooms.vote(room.code, room.q, TOKENS[5], 0)
    assert rooms.tally(revealed) == [0, 0, 2]
    assert (revealed.answer, revealed.why) == (2, "because")
    assert rooms.reveal(room.code, secret, 0, "again").answer == 2  # revealing twice keeps the first answer


def test_only_the_secrets_holder_can_ask_reveal_reset_or_close(backend):
    rooms, room, secret = asked(backend)
    rooms.vote(room.code, room.q, TOKENS[0], 0)
    for wrong in ("", "a-students-guess", secret[:-1]):
        for action in (lambda w=wrong: rooms.reveal(room.code, w, 0, "x"), lambda w=wrong: rooms.reset(room.code, w),
                       lambda w=wrong: rooms.close(room.code, w),
                       lambda w=wrong: rooms.ask(room.code, w, "knn", "digits", 2)):
            with pytest.raises(RoomError, match="Only the teacher who opened room"):
                action()
    now = rooms.room(room.code)
    assert now == room and rooms.tally(now) == [1, 0, 0]  # nothing changed


def test_a_new_question_or_a_reset_starts_from_no_votes_and_ends_the_old_one(backend):
    rooms, room, secret = asked(backend)
    rooms.vote(room.code, room.q, TOKENS[0], 0)
    again = rooms.reset(room.code, secret)
    assert again.q == room.q + 1 and rooms.tally(again) == [0, 0, 0]
    with pytest.raises(RoomError, match="moved on"):
        rooms.vote(room.code, room.q, TOKENS[0], 1)  # a phone still showing the old question
    nxt = rooms.ask(room.code, secret, "knn", "digits", 2)
    assert (nxt.lesson, nxt.preset, nxt.choices, nxt.revealed) == ("knn", "digits", 2, False)
    assert rooms.tally(nxt) == [0, 0]


@pytest.mark.parametrize("code, words", [("ZZZZZ", "There is no room ZZZZZ"), ("", "There is no room"),
                                         ("<script>", "There is no room"), ("A" * 500, "There is no room")])
def test_an_unknown_or_malformed_room_is_refused_in_words(backend, code, words):
    with pytest.raises(RoomError, match=words):
        Rooms(backend).room(code)
    with pytest.raises(RoomError, match=words):
        Rooms(backend).vote(code, 1, TOKENS[0], 0)


def test_an_expired_room_says_so_and_counts_nothing(backend):
    clock = Clock()
    rooms, room, secret = asked(backend, clock)
    rooms.vote(room.code, room.q, TOKENS[0], 0)
    clock.now += 3 * 3600 + 1
    for action in (lambda: rooms.room(room.code), lambda: rooms.vote(room.code, room.q, TOKENS[1], 0),
                   lambda: rooms.reveal(room.code, secret, 0, "")):
        with pytest.raises(RoomError, match="has expired"):
            action()
    clock.now -= 2
    assert rooms.tally(rooms.room(room.code)) == [1, 0, 0]


def test_a_closed_room_takes_no_votes_and_no_more_questions(backend):
    rooms, room, secret = asked(backend)
    rooms.close(room.code, secret)
    assert rooms.room(room.code).closed
    with pytest.raises(RoomError, match="is closed"):
        rooms.vote(room.code, room.q, TOKENS[0], 0)
    with pytest.raises(RoomError, match="is closed"):
        rooms.ask(room.code, secret, "knn", "digits", 2)


@pytest.mark.parametrize("choice", [3, -1, 99, True, "1", 1.0, None])
def test_a_tampered_choice_is_refused_and_nothing_is_counted(backend, choice):
    rooms, room, _ = asked(backend)
    with pytest.raises(RoomError, match="not one of this question's choices"):
        rooms.vote(room.code, room.q, TOKENS[0], choice)
    assert rooms.tally(room) == [0, 0, 0]


def test_a_vote_without_a_proper_voter_token_is_refused(backend):
    rooms, room, _ = asked(backend)
    for token in ("", "short", "x" * 65, "name with spaces and a long tail"):
        with pytest.raises(RoomError, match="no voter token"):
            rooms.vote(room.code, room.q, token, 0)
    assert rooms.tally(room) == [0, 0, 0]


def test_two_hundred_voters_at_once_are_all_counted_and_none_after_the_reveal(backend):
    rooms, room, secret = asked(backend)
    outcomes: list[str] = []

    def vote(i: int) -> None:
        for _ in range(2):  # each phone sends its vote twice: replays are stored once
            try:
                outcomes.append(rooms.vote(room.code, room.q, TOKENS[i], i % 3))
            except RoomError:
                outcomes.append("refused")

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("counted") == 200 and outcomes.count("same") == 200
    assert rooms.tally(room) == [67, 67, 66]
    late = [threading.Thread(target=vote, args=(i,)) for i in range(200, 260)]
    for t in late[:30]:
        t.start()
    rooms.reveal(room.code, secret, 0, "")  # while votes arrive: each is counted before it, or refused after it
    at_reveal = rooms.tally(room)
    for t in late[30:]:
        t.start()
    for t in late:
        t.join()
    assert rooms.tally(room) == at_reveal
    assert sum(at_reveal) == outcomes.count("counted") and outcomes.count("refused") >= 2 * 30


def test_votes_in_redis_are_shared_by_every_replica():
    url = redis_or_skip()
    one, two = RedisBackend(url, prefix="vztest:shared:"), RedisBackend(url, prefix="vztest:shared:")
    try:
        first, second = Rooms(one), Rooms(two)
        room, secret = first.open()
        room = first.ask(room.code, secret, "layers", "disc2", 2)
        first.vote(room.code, room.q, TOKENS[0], 0)
        assert second.vote(room.code, room.q, TOKENS[0], 0) == "same"  # the student's phone, moved to replica two
        second.vote(room.code, room.q, TOKENS[1], 1)
        assert first.tally(room) == second.tally(room) == [1, 1]
        second.reveal(room.code, secret, 1, "the teacher on replica two")
        assert first.room(room.code).revealed
    finally:
        keys = list(one.client.scan_iter("vztest:shared:*"))
        one.client.delete(*keys) if keys else None


VOTER = """
import sys
from ui.rooms import Rooms, SQLiteBackend
rooms = Rooms(SQLiteBackend(sys.argv[1]))
for i in range(10_000):
    rooms.vote(sys.argv[2], int(sys.argv[3]), f"voter-token-{i:06d}-abcdef", i % 2)
    print(i + 1, flush=True)  # acknowledged: the vote is committed
"""


def test_a_server_killed_mid_question_loses_no_acknowledged_vote(tmp_path):
    path = tmp_path / "data" / "rooms.sqlite3"
    rooms, room, secret = asked(SQLiteBackend(path), time.time, choices=2)
    proc = subprocess.Popen([sys.executable, "-c", VOTER, str(path), room.code, str(room.q)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    acknowledged = 0
    for line in proc.stdout:
        acknowledged = int(line)
        if acknowledged == 300:
            proc.kill()  # SIGKILL: no clean shutdown, as when a host dies
            break
    proc.wait()
    acknowledged = max([acknowledged] + [int(line) for line in proc.stdout.read().split()])
    restarted = Rooms(SQLiteBackend(path))
    counted = sum(restarted.tally(restarted.room(room.code)))
    assert acknowledged <= counted <= acknowledged + 1  # the last one may be committed, not yet printed
    assert restarted.reveal(room.code, secret, 0, "after the restart").revealed


def test_the_sqlite_file_holds_no_voter_token_and_runs_in_wal_mode(tmp_path):
    store = SQLiteBackend(tmp_path / "rooms.sqlite3")
    rooms, room, _ = asked(store)
    rooms.vote(room.code, room.q, TOKENS[0], 1)
    store._read("PRAGMA wal_checkpoint(FULL)", ())
    data = (tmp_path / "rooms.sqlite3").read_bytes()
    assert TOKENS[0].encode() not in data and b"voter-token" not in data
    assert store._read("PRAGMA journal_mode", ()) == [("wal",)]


def test_a_store_that_does_not_answer_is_reported_in_words(tmp_path):
    dead = Rooms(RedisBackend("redis://127.0.0.1:9/0"))  # the discard port: nothing listens
    with pytest.raises(StoreError, match="does not answer"):
        dead.open()
    assert isinstance(backend_from_env({"VIZCORE_DATA": str(tmp_path)}), SQLiteBackend)
    assert isinstance(backend_from_env({"VIZCORE_REDIS_URL": "redis://127.0.0.1:9/0"}), RedisBackend)
    assert normal_code("k7q fx") == "K7QFX" and set(REFUSED) >= {"unknown", "expired", "closed", "over", "choice"}
