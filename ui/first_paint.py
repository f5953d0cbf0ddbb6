"""A page's first picture painted before the rest of the page is sent.

Streamlit sends a page's elements as fast as the script makes them (0.1 s for a lesson), and the browser
then builds every chart and widget of the page in one long task before it paints any of them: the first
picture waits for the last widget (README, "The first picture"). So a browser's first view of a lesson
page runs in two parts:

1. The page runs as always, but every settings widget is an empty placeholder that returns the value the
   link or the session holds (:func:`placeholder`), and the run ends where the page says its first picture
   is drawn (:func:`picture_drawn`). A tiny component there waits until the browser has painted a chart.
   An animated picture's frames wait too, as an empty slot beside it (ui/frames.py).
2. It then asks for a rerun, which draws the whole page. The placeholders keep every element where it
   will be, so the browser keeps the picture it has and only adds the rest.

Later reruns of the same page (a slider moved) are whole. A headless run (Streamlit's AppTest, a websocket
client) paints nothing and is never split; a browser is what sends a ``Mozilla/5.0`` user agent.
"""
from __future__ import annotations

import functools

import streamlit as st

PAINTED = "first_paint:page"  # session key: the page whose first picture this browser has painted
ACTIVE = "first_paint:active"  # session key: the page whose part 1 this run is, or None; set by every lesson's run
GIVE_UP_MS = 4000  # a browser that never paints a chart (a background tab, a page without one) reruns anyway

_JS = """
export default function ({ setTriggerValue, data }) {
  let done = false;
  const send = () => { if (!done) { done = true; setTriggerValue("painted", true); } };
  const drawn = () => [...document.querySelectorAll(".js-plotly-plot")]
      .some((chart) => chart.getBoundingClientRect().height > 0 && getComputedStyle(chart).visibility !== "hidden");
  // a frame that shows a chart (Streamlit draws it hidden until it knows its width, then again, shown), then the
  // next frame: by then the first one was painted
  const look = () => { if (!done) requestAnimationFrame(drawn() ? () => requestAnimationFrame(send) : look); };
  requestAnimationFrame(look);
  const timer = setTimeout(send, data.give_up_ms);
  return () => { done = true; clearTimeout(timer); };
}
"""


def _browser() -> bool:
    return "Mozilla/" in (st.context.headers.get("User-Agent") or "")


def start(page: str, allowed: bool = True) -> None:
    """Decide, at the start of a lesson's run, whether it is part 1 of a browser's first view of ``page``
    (``allowed`` False: never, e.g. for uploaded files, which the widgets check)."""
    first = bool(allowed) and st.session_state.get(PAINTED) != page and _browser()
    st.session_state[ACTIVE] = page if first else None


def active() -> bool:
    """Whether this run draws only the first picture, with placeholders for the widgets."""
    return bool(st.session_state.get(ACTIVE))


def whole_now() -> None:
    """In part 1, rerun the page whole at once (it stops with a message, which needs its widgets beside it)."""
    if active():
        st.session_state[PAINTED] = st.session_state[ACTIVE]
        st.rerun()


def placeholder(where=None) -> None:
    """An empty element where a widget will be (``where``: its container, default the sidebar)."""
    (where or st.sidebar).empty()


@functools.cache
def _probe():
    return st.components.v2.component("vizcore.first_paint", js=_JS)


def picture_drawn() -> None:
    """Everything the page has drawn so far is its first picture: in part 1, end the run here until the browser
    has painted it (or for ``GIVE_UP_MS``), then rerun it whole."""
    if not active():
        return
    page = st.session_state[ACTIVE]

    def painted() -> None:
        st.session_state[PAINTED] = page

    _probe()(key=f"first_paint:{page}", data={"give_up_ms": GIVE_UP_MS}, height=0, on_painted_change=painted)
    st.stop()
