"""Page chrome shared by every lesson: errors, progress, caching conventions."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

import streamlit as st

from vizcore import UserError

T = TypeVar("T")

@contextmanager
def user_errors() -> Iterator[None]:
    """Show a vizcore.UserError as a red message and stop the page, never a traceback."""
    try:
        yield
    except UserError as exc:
        st.error(str(exc))
        st.stop()


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar for a training loop; yields the ``progress(done, total, loss)`` callback."""
    bar = st.progress(0.0, text=label)

    def update(done: int, total: int, loss: float | None = None) -> None:
        tail = "" if loss is None else f" · loss {loss:.4f}"
        bar.progress(min(1.0, done / max(total, 1)), text=f"{label}: {done:,} / {total:,}{tail}")

    try:
        yield update
    finally:
        bar.empty()


def computed(fn: Callable[..., T], *args: Any, label: str = "Training") -> T:
    """``fn(*args, _progress=...)`` (usually a shared_cache function) under a progress bar; a UserError
    stops the page with its message."""
    with user_errors(), progress_bar(label) as progress:
        return fn(*args, _progress=progress)


def explain(text: str) -> None:
    """A short explanation under a picture."""
    st.caption(text)
