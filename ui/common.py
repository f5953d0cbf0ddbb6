"""Page chrome shared by every lesson: errors, progress, caching conventions."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

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


def explain(text: str) -> None:
    """A short explanation under a picture."""
    st.caption(text)
