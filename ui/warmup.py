"""Compile the numba kernels once per server process, in the background, before any visitor needs them.

The kernels are cached on disk (``cache=True``), so after the first start this only loads
them (about 0.2 s); compiling from scratch takes 4 to 8 s on the 2-core host. Either way a
visitor who opens lesson 3 at once waits at most for what is left of it, and only once.
"""
from __future__ import annotations

import functools
import threading


def _warm_sweeps() -> None:
    """fit_many's compiled kernel (lessons 2 and 5), on a few points for a few steps."""
    from vizcore import datasets, sweeps

    sweeps.fit_many(datasets.make("spirals", n=20), widths=(2,), seeds=range(2), steps=2, lr=0.03)


def _warm_all() -> None:
    from vizcore import online  # imported here: numba's import (~0.5 s) stays off the first page view

    for warm_up in (online.warm_up, _warm_sweeps):  # one per module with compiled kernels
        warm_up()


@functools.cache
def start_warmup() -> threading.Thread:
    """Start the warm-up in a daemon thread, the first time only; returns that thread (join it to wait)."""
    thread = threading.Thread(target=_warm_all, name="numba-warm-up", daemon=True)
    thread.start()
    return thread
