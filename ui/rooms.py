"""Rooms where a class votes: a short code, the teacher's secret, one question at a time, one vote per voter.

No Streamlit here (``ui/classroom.py`` draws the teacher's panel and the students' page). A :class:`Rooms`
holds the rules; a backend holds the data, behind one small interface (:class:`Backend`):

- :class:`SQLiteBackend`, the default: one file in the data folder (``VIZCORE_DATA``, default ``data/``), in WAL
  mode, every vote committed before it is acknowledged, so a server that restarts mid-question loses none;
- :class:`RedisBackend` when ``VIZCORE_REDIS_URL`` names a server (``redis://host:6379/0``), so that replicas
  behind a load balancer share their rooms.

A vote is checked and written in one atomic step of the backend (an IMMEDIATE transaction, a Lua script): a vote
and the reveal cannot cross, and a vote sent twice is stored once. Nothing personal is stored: a voter is a hash
of the room's code and a random token the browser keeps, and a room is forgotten a day after it expires.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, Optional, Protocol

from vizcore import UserError

ROOT = Path(__file__).resolve().parent.parent
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread from the back of the room
CODE_LENGTH = 5  # 32⁵ = 33 million codes
ROOM_SECONDS = 3 * 3600  # a room lasts a lesson, then expires
REMEMBER_SECONDS = 24 * 3600  # an expired room is kept a day longer, so a late phone hears "expired", not "unknown"
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")  # the browser's voter token (ui/classroom.py makes one of 22)
REDIS_ENV, DATA_ENV = "VIZCORE_REDIS_URL", "VIZCORE_DATA"
VOTED = ("counted", "changed", "same")  # what a vote that is accepted did


class RoomError(UserError):
    """Something a student or a teacher can cause (a wrong code, a late vote); its message is shown as it is."""


class StoreError(UserError):
    """The vote store does not answer (a stopped Redis, a full disk): said in words, never as a traceback."""


@dataclass(frozen=True)
class Room:
    """A room's state. ``q`` numbers the questions asked in it (0: none yet); each ask, or reset, is a new q.

    lesson, preset : the question being asked (``ui.syllabus`` name and preset key); choices: how many it has
    revealed, answer, why : after the reveal, the right choice's index and the numbers that decided it
    """

    code: str
    secret_hash: str
    created: float
    expires: float
    closed: bool = False
    q: int = 0
    lesson: str = ""
    preset: str = ""
    choices: int = 0
    revealed: bool = False
    answer: int = -1
    why: str = ""

    @property
    def asking(self) -> bool:
        """A question is open for votes."""
        return self.q > 0 and not self.revealed and not self.closed

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Room":
        return cls(**json.loads(text))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def voter_id(code: str, token: str) -> str:
    """What is stored of a voter: a hash of the room and the browser's random token (another room, another id)."""
    return _hash(f"{code}:{token}")[:32]


def normal_code(text: str) -> str:
    """A typed code as stored: upper case, without spaces or dashes ("k7q fx" -> "K7QFX")."""
    return re.sub(r"[\s-]", "", str(text)).upper()[:20]


class Backend(Protocol):
    """Where rooms and votes live. ``vote`` checks and writes in one atomic step and returns what it did (one of
    VOTED) or why it refused: "unknown", "expired", "closed", "revealed", "over" (another question is asked now),
    "choice" (not one of the question's choices)."""

    def create(self, room: Room) -> bool: ...                            # False: the code is taken
    def load(self, code: str) -> Optional[Room]: ...
    def save(self, room: Room) -> None: ...
    def vote(self, code: str, q: int, voter: str, choice: int, now: float) -> str: ...
    def tally(self, code: str, q: int) -> dict[int, int]: ...              # choice -> votes
    def choice_of(self, code: str, q: int, voter: str) -> Optional[int]: ...


def refusal(room: Optional[Room], q: int, choice: int, now: float) -> Optional[str]:
    """Why a vote for ``choice`` on question ``q`` of ``room`` is refused, or None (the SQLite backend's check;
    the Redis backend's Lua script makes the same one)."""
    if room is None:
        return "unknown"
    if now >= room.expires:
        return "expired"
    if room.closed:
        return "closed"
    if q != room.q:
        return "over"
    if room.revealed:
        return "revealed"
    if not 0 <= choice < room.choices:
        return "choice"
    return None


class SQLiteBackend:
    """Rooms and votes in one SQLite file, in WAL mode: readers never wait for the writer, and each vote is a
    committed transaction before it is acknowledged (synchronous=NORMAL: a crashed or restarted server loses no
    vote; only a power cut may lose the last ones).

    Streamlit runs every script run on a thread of its own, so connections are pooled rather than kept per thread
    (a new connection for every run of 200 phones), and this process's writers queue on one lock instead of in
    SQLite's busy handler, which sleeps up to 100 ms between tries while 200 threads wait for the GIL."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._pool: list[sqlite3.Connection] = []
        self._pool_lock, self._write_lock = threading.Lock(), threading.Lock()
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS rooms (code TEXT PRIMARY KEY, expires REAL NOT NULL, "
                       "state TEXT NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS votes (code TEXT NOT NULL, q INTEGER NOT NULL, voter TEXT NOT NULL, "
                       "choice INTEGER NOT NULL, PRIMARY KEY (code, q, voter))")

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._pool_lock:
            db = self._pool.pop() if self._pool else None
        if db is None:
            db = sqlite3.connect(self.path, timeout=15, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")  # transactions by hand (isolation_level=None)
            db.execute("PRAGMA synchronous=NORMAL")
        try:
            yield db
        finally:
            with self._pool_lock:
                self._pool.append(db)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE), so a check and the write after it see the same
        data; another process (a second replica on the same file) waits in SQLite's busy timeout."""
        with self._write_lock, self._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _read(self, sql: str, args: tuple) -> list[tuple]:
        with self._connection() as db:
            return db.execute(sql, args).fetchall()

    def create(self, room: Room) -> bool:
        with self._write() as db:
            db.execute("DELETE FROM rooms WHERE expires < ?", (room.created - REMEMBER_SECONDS,))  # forgotten
            db.execute("DELETE FROM votes WHERE code NOT IN (SELECT code FROM rooms)")
            cur = db.execute("INSERT OR IGNORE INTO rooms VALUES (?, ?, ?)", (room.code, room.expires, room.to_json()))
            return cur.rowcount == 1

    def load(self, code: str) -> Optional[Room]:
        rows = self._read("SELECT state FROM rooms WHERE code = ?", (code,))
        return Room.from_json(rows[0][0]) if rows else None

    def save(self, room: Room) -> None:
        with self._write() as db:
            db.execute("UPDATE rooms SET state = ? WHERE code = ?", (room.to_json(), room.code))

    def vote(self, code: str, q: int, voter: str, choice: int, now: float) -> str:
        with self._write() as db:
            row = db.execute("SELECT state FROM rooms WHERE code = ?", (code,)).fetchone()
            refused = refusal(None if row is None else Room.from_json(row[0]), q, choice, now)
            if refused:
                return refused
            old = db.execute("SELECT choice FROM votes WHERE code = ? AND q = ? AND voter = ?",
                             (code, q, voter)).fetchone()
            db.execute("INSERT OR REPLACE INTO votes VALUES (?, ?, ?, ?)", (code, q, voter, choice))
            return "counted" if old is None else "same" if old[0] == choice else "changed"

    def tally(self, code: str, q: int) -> dict[int, int]:
        rows = self._read("SELECT choice, COUNT(*) FROM votes WHERE code = ? AND q = ? GROUP BY choice", (code, q))
        return {int(c): int(n) for c, n in rows}

    def choice_of(self, code: str, q: int, voter: str) -> Optional[int]:
        rows = self._read("SELECT choice FROM votes WHERE code = ? AND q = ? AND voter = ?", (code, q, voter))
        return int(rows[0][0]) if rows else None


# The Redis vote: the same checks as refusal(), then HSET, in one script (Redis runs a script atomically).
VOTE_SCRIPT = """
local raw = redis.call('GET', KEYS[1])
if not raw then return 'unknown' end
local room = cjson.decode(raw)
local q, choice, now = tonumber(ARGV[1]), tonumber(ARGV[3]), tonumber(ARGV[4])
if now >= room.expires then return 'expired' end
if room.closed then return 'closed' end
if q ~= room.q then return 'over' end
if room.revealed then return 'revealed' end
if choice < 0 or choice >= room.choices then return 'choice' end
local old = redis.call('HGET', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[2], choice)
redis.call('EXPIREAT', KEYS[2], math.floor(room.expires + tonumber(ARGV[5])))
if not old then return 'counted' end
if tonumber(old) == choice then return 'same' end
return 'changed'
"""


class RedisBackend:
    """Rooms and votes in Redis: a room is a JSON string under ``vz:room:<code>``, a question's votes one hash
    ``vz:votes:<code>:<q>`` (voter -> choice); every key expires a day after its room."""

    def __init__(self, url: str, prefix: str = "vz:"):
        import redis  # only a host that names a Redis server needs the client

        self.url, self.prefix = url, prefix
        # at most 32 connections per replica, a script run waiting up to 10 s for one: 200 phones voting at once
        # no longer get "Too many connections" (redis-py 8's default pool refused 80 of 200)
        pool = redis.BlockingConnectionPool.from_url(url, max_connections=32, timeout=10, decode_responses=True,
                                                     socket_timeout=5, socket_connect_timeout=3)
        self.client = redis.Redis(connection_pool=pool)
        self._vote = self.client.register_script(VOTE_SCRIPT)

    def _room(self, code: str) -> str:
        return f"{self.prefix}room:{code}"

    def _votes(self, code: str, q: int) -> str:
        return f"{self.prefix}votes:{code}:{q}"

    def create(self, room: Room) -> bool:
        return bool(self.client.set(self._room(room.code), room.to_json(), nx=True,
                                    exat=int(room.expires + REMEMBER_SECONDS)))

    def load(self, code: str) -> Optional[Room]:
        raw = self.client.get(self._room(code))
        return None if raw is None else Room.from_json(raw)

    def save(self, room: Room) -> None:
        self.client.set(self._room(room.code), room.to_json(), xx=True, keepttl=True)

    def vote(self, code: str, q: int, voter: str, choice: int, now: float) -> str:
        return str(self._vote(keys=[self._room(code), self._votes(code, q)],
                              args=[q, voter, choice, repr(now), REMEMBER_SECONDS]))

    def tally(self, code: str, q: int) -> dict[int, int]:
        counts: dict[int, int] = {}
        for choice in self.client.hvals(self._votes(code, q)):
            counts[int(choice)] = counts.get(int(choice), 0) + 1
        return counts

    def choice_of(self, code: str, q: int, voter: str) -> Optional[int]:
        value = self.client.hget(self._votes(code, q), voter)
        return None if value is None else int(value)


def backend_from_env(env: Optional[dict] = None) -> Backend:
    """Redis if ``VIZCORE_REDIS_URL`` is set, else SQLite in ``$VIZCORE_DATA/rooms.sqlite3`` (default ``data/``)."""
    env = os.environ if env is None else env
    if env.get(REDIS_ENV):
        return RedisBackend(env[REDIS_ENV])
    return SQLiteBackend(Path(env.get(DATA_ENV) or ROOT / "data") / "rooms.sqlite3")


REFUSED = {  # why a vote was not counted, in a student's words ({code}: the room)
    "unknown": "There is no room {code}. Check the code on the projector.",
    "expired": "Room {code} has expired (rooms last 3 hours). Ask your teacher for the new code.",
    "closed": "Room {code} is closed: the teacher has ended the vote.",
    "revealed": "Voting on this question has ended: the answer has been revealed. Nothing was counted.",
    "over": "That question is over: the teacher has moved on. Nothing was counted; vote on the new one.",
    "choice": "That vote is not one of this question's choices. Nothing was counted.",
}
TEACHER_ONLY = "Only the teacher who opened room {code} can reveal, reset or close it."


class Rooms:
    """The rules of rooms over a backend: only the holder of a room's secret asks, reveals, resets or closes;
    anyone with the code votes, once per question, changeable until the reveal."""

    def __init__(self, backend: Backend, clock: Callable[[], float] = time.time, seconds: float = ROOM_SECONDS):
        self.backend, self.clock, self.seconds = backend, clock, seconds

    def _call(self, fn, *args):
        try:
            return fn(*args)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"The vote store does not answer ({type(exc).__name__}: {exc}). Try again in a moment."
                             ) from exc
        except Exception as exc:  # redis.RedisError, without importing redis where it is not used
            if type(exc).__module__.startswith("redis"):
                raise StoreError("The vote store (Redis) does not answer. Try again in a moment.") from exc
            raise

    def open(self) -> tuple[Room, str]:
        """A new room with a fresh code, and its secret (only its hash is stored)."""
        secret = secrets.token_urlsafe(24)
        now = self.clock()
        for _ in range(20):
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            room = Room(code, _hash(secret), now, now + self.seconds)
            if self._call(self.backend.create, room):
                return room, secret
        raise StoreError("No free room code was found; try again.")

    def room(self, code: str) -> Room:
        """The room of ``code`` (typed as it may be); RoomError if there is none or it has expired."""
        code = normal_code(code)
        room = self._call(self.backend.load, code) if re.fullmatch(f"[{ALPHABET}]{{{CODE_LENGTH}}}", code) else None
        if room is None:
            raise RoomError(REFUSED["unknown"].format(code=code or "with no code"))
        if self.clock() >= room.expires:
            raise RoomError(REFUSED["expired"].format(code=code))
        return room

    def _teachers(self, code: str, secret: str) -> Room:
        room = self.room(code)
        if not hmac.compare_digest(room.secret_hash, _hash(str(secret or ""))):
            raise RoomError(TEACHER_ONLY.format(code=room.code))
        if room.closed:
            raise RoomError(REFUSED["closed"].format(code=room.code))
        return room

    def holds(self, code: str, secret: str) -> bool:
        """Whether ``secret`` is the secret of the open room ``code`` (a teacher's browser coming back)."""
        try:
            return not self._teachers(code, secret).closed
        except RoomError:
            return False

    def ask(self, code: str, secret: str, lesson: str, preset: str, choices: int) -> Room:
        """Ask a question (a new ``q``: no votes yet); the previous one, if any, takes no more votes."""
        room = self._teachers(code, secret)
        room = replace(room, q=room.q + 1, lesson=lesson, preset=preset, choices=int(choices), revealed=False,
                       answer=-1, why="")
        self._call(self.backend.save, room)
        return room

    def reset(self, code: str, secret: str) -> Room:
        """Ask the current question again, from no votes."""
        room = self._teachers(code, secret)
        return self.ask(code, secret, room.lesson, room.preset, room.choices)

    def reveal(self, code: str, secret: str, answer: int, why: str) -> Room:
        """Close the current question's vote and store its answer; revealing twice keeps the first answer."""
        room = self._teachers(code, secret)
        if room.q == 0 or room.revealed:
            return room
        room = replace(room, revealed=True, answer=int(answer), why=str(why))
        self._call(self.backend.save, room)
        return room

    def close(self, code: str, secret: str) -> Room:
        room = replace(self._teachers(code, secret), closed=True)
        self._call(self.backend.save, room)
        return room

    def vote(self, code: str, q: int, token: str, choice: object) -> str:
        """Count ``token``'s vote for ``choice`` on question ``q``: "counted", "changed" or "same" (a vote sent
        again is stored once); RoomError, with nothing counted, for any vote that does not fit."""
        room = self.room(code)
        if not TOKEN.fullmatch(str(token)):
            raise RoomError("This phone has no voter token yet: reload the page and vote again.")
        if not isinstance(choice, int) or isinstance(choice, bool) or not isinstance(q, int):
            raise RoomError(REFUSED["choice"])
        outcome = self._call(self.backend.vote, room.code, q, voter_id(room.code, token), choice, self.clock())
        if outcome not in VOTED:
            raise RoomError(REFUSED[outcome].format(code=room.code))
        return outcome

    def tally(self, room: Room) -> list[int]:
        """Votes per choice of the room's current question."""
        counts = self._call(self.backend.tally, room.code, room.q) if room.q else {}
        return [counts.get(i, 0) for i in range(room.choices)]

    def my_vote(self, room: Room, token: str) -> Optional[int]:
        """The choice ``token`` voted for on the current question, if any."""
        if not room.q or not TOKEN.fullmatch(str(token)):
            return None
        return self._call(self.backend.choice_of, room.code, room.q, voter_id(room.code, token))
