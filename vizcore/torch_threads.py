"""Run tiny torch computations on one thread.

On this class of machine (2 cores, shared with other sessions) torch's intra-op thread
pool spins and waits for busy cores: a tiny training step went from about 1 ms on one
thread to 40-130 ms on two under load. The nets here are far too small to gain from
threads, so their training runs inside :func:`one_thread`.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator

import torch

_LOCK = threading.Lock()
_DEPTH = 0
_SAVED = 1


@contextmanager
def one_thread() -> Iterator[None]:
    """Set torch to one intra-op thread for the duration, then restore the previous count."""
    global _DEPTH, _SAVED
    with _LOCK:
        if _DEPTH == 0:
            _SAVED = torch.get_num_threads()
            torch.set_num_threads(1)
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0:
                torch.set_num_threads(_SAVED)
