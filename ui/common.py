"""Page chrome shared by every lesson: errors, progress, caching conventions."""
from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import streamlit as st

from ui import first_paint
from vizcore import UserError

T = TypeVar("T")

_MARKDOWN = re.compile(r"([\\`*_\[\]<>~$|&])")  # emphasis, code, links, HTML, strike-through, maths, tables
_BLOCK = re.compile(r"^(\s*\d*)([#+\-.)])", re.MULTILINE)  # a heading or list marker where a line starts
_CODE = re.compile(r":(?=material/|[\w+-]+:|[a-z-]+\[)")  # Streamlit's ":material/home:", ":smile:", ":red[x]"


def literal(text: str) -> str:
    """``text`` as Markdown that renders exactly as typed: st.error, st.warning and st.markdown read Markdown, so
    a formula ``x**x**x`` came out as "xxx" and a "*" vanished from a hint.

    The characters that format (and a heading or list marker at a line's start) are backslash-escaped, as
    CommonMark allows before any punctuation, and a word joiner follows a colon that would start one of
    Streamlit's icon, emoji or colour codes, which it reads even when escaped (checked in Chromium).
    """
    return _BLOCK.sub(r"\1\\\2", _MARKDOWN.sub(r"\\\1", _CODE.sub(":\u2060", text)))


@contextmanager
def user_errors() -> Iterator[None]:
    """Show a vizcore.UserError as a red message (its text as written, see :func:`literal`) and stop the page,
    never a traceback."""
    try:
        yield
    except UserError as exc:
        first_paint.whole_now()  # a message needs the widgets that can mend it
        st.error(literal(str(exc)))
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


def folded(label: str, key: str, container=st, **kwargs):
    """A closed expander whose content is drawn only while it is open, else None: ``if (box := folded(...)):``.

    Streamlit sends a plain expander's content even when it is closed, and the browser builds every chart in it
    before it shows the page's first picture; this one reruns the page when clicked instead.
    """
    box = container.expander(label, key=key, on_change="rerun", **kwargs)
    return box if box.open else None
