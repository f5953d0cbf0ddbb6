"""The thread policy, in one place: every computation here runs on one thread.

The nets are tiny, and a shared host serves many sessions. On a busy 2-core machine a second
BLAS or torch thread only waits for a core: a 300x50 matmul took 2.9 ms with two OpenBLAS
threads and 0.065 ms with one, and a tiny torch training step went from about 1 ms on one
thread to 40-130 ms on two under load (both measured here). The app and the tests call
:func:`use_one_thread` once per process; library code that may run in someone else's process
(a notebook) wraps its heavy loops in :func:`one_thread`, which restores their settings after.

Two algorithms split independent work over a few Python threads of their own, each computing on
one BLAS thread: ``sweeps.fit_many`` (blocks of seeds) and ``landscape.surface`` (rows of the
grid). numpy releases the GIL in their large operations, so two cores serve one request.

The policy does not import torch: the app's home page needs neither torch nor scipy. Libraries
loaded later read it from the environment (``OMP_NUM_THREADS`` and the like, set here), and
:func:`use_one_thread` limits those already loaded; call it again after importing one (cheap).
"""
from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

from threadpoolctl import threadpool_limits

from . import cpu

# read once, when a library loads: OpenMP (torch, scikit-learn), OpenBLAS (numpy, scipy), MKL, numba
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")

_LOCK = threading.Lock()
_DEPTH = 0
_SAVED = 1


_LIMITED: set[str] = set()  # the modules loaded when use_one_thread last limited the thread pools


def use_one_thread() -> None:
    """For this whole process: torch and every BLAS library compute on one thread.

    Libraries loaded afterwards start with one thread (environment variables); those already
    loaded are limited now. Cheap when nothing new was loaded since the last call: app.py runs on
    every rerun, and threadpoolctl scans the loaded libraries each time it is asked (about 25 ms).
    Also checks, once torch is loaded, that the libraries took vizcore's CPU kernels (vizcore/cpu.py):
    the thread count and the kernels together make a run's numbers.
    """
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    loaded = {name for name in ("numpy", "scipy", "sklearn", "torch", "numba") if name in sys.modules}
    if loaded <= _LIMITED:
        return
    if "torch" in loaded:
        sys.modules["torch"].set_num_threads(1)
    threadpool_limits(1)
    _LIMITED.update(loaded)
    if "torch" in loaded:  # the check imports torch: the home page loads none of it
        cpu.check()  # warns if numpy or torch escaped the pinned CPU kernels (loaded before vizcore)


@contextmanager
def one_thread() -> Iterator[None]:
    """One torch and one BLAS thread for the duration, then the previous counts."""
    global _DEPTH, _SAVED
    import torch

    with _LOCK:
        if _DEPTH == 0:
            _SAVED = torch.get_num_threads()
            torch.set_num_threads(1)
        _DEPTH += 1
    try:
        with threadpool_limits(1, user_api="blas"):
            yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0:
                torch.set_num_threads(_SAVED)
