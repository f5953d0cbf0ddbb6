"""Warm a server process before its first visitor: the lessons' imports, the compiled numba kernels, and what
each lesson's home link shows first.

Streamlit runs app.py only when a session connects, so everything a page imports or compiles would
otherwise be paid by the first visitor of a freshly started host, on top of the page itself: the
lessons import torch, scikit-learn, scipy, numba and ripser (3 s with a warm disk, 6 to 11 s on a
fresh host), and the kernels load from numba's disk cache in about 0.2 s (compiling them from
scratch takes 4 to 8 s on the 2-core host). Each lesson's home link then finds its result (from the shipped
files) and, where its lesson names one (``Lesson.first_picture``), its first picture in the server's caches:
lesson 7's (gradient descent and the loss surface over two weights, and their figures) was 1.0 s of its first
visitor's 1.3 s script. Plotly's first figure also imports its property validators (0.12 s) here.

``streamlit run app.py`` runs :func:`lifespan` once per process, before the server accepts a
connection (app.py defines an ``st.App``). The home page itself needs none of this (it imports
no torch), so under AppTest or an ``st.App``-less start :func:`start_warmup`, which app.py calls
on every run, loads the kernels in a background thread instead.
"""
from __future__ import annotations

import asyncio
import functools
import threading
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator


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


def warm_server() -> float:
    """Import every lesson with what its page draws with, load the kernels, and put each home link's shipped
    result and named first picture in the server's caches; returns the seconds it took."""
    from ui import lesson_page  # the page skeleton: pandas and the ui modules
    from ui.syllabus import LESSONS
    from vizcore.threads import use_one_thread

    t0 = time.perf_counter()
    for lesson in LESSONS:
        _ = lesson.lesson  # imports vizcore.lessons.<name>, and through it torch, scipy, scikit-learn...
    import ripser  # noqa: F401  (vizcore.topology imports it on first use: lesson 1's first view would pay it)
    use_one_thread()  # limits the thread pools of the libraries just loaded
    start_warmup().join()
    for lesson in LESSONS:  # lesson 7's first picture took 1.0 s of its first visitor's 1.3 s script
        lesson_page.warm_home_link(lesson)
    return time.perf_counter() - t0


@asynccontextmanager
async def lifespan(app) -> AsyncIterator[None]:
    """The server's start (st.App's lifespan): warm up, then serve."""
    seconds = await asyncio.to_thread(warm_server)
    print(f"  Warmed up in {seconds:.1f} s: lessons imported, kernels loaded, home links' first pictures made.",
          flush=True)
    yield
