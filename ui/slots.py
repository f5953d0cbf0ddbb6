"""At most a few lesson scripts compute at once in one server process; the others wait their turn.

Streamlit runs every session's script in a thread of its own, and one process runs Python on
one core at a time. With 250 sessions opening links at once, 250 threads passed the interpreter
lock around and the server burned 60 CPU-seconds on what took 34 when the same sessions were
dealt over two processes (bench/load_test.py). A waiting script sleeps without the lock, so the
few that run finish sooner and the queue drains faster; a session waits with its sidebar drawn.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

SLOTS = int(os.environ.get("VIZCORE_SCRIPT_SLOTS", "3"))  # scripts computing at once, per process
_RUNNING = threading.BoundedSemaphore(SLOTS)


@contextmanager
def script_slot() -> Iterator[None]:
    """Hold one of the process's script slots for the duration."""
    with _RUNNING:
        yield
