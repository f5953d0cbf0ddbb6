"""Presentation mode for a projector: bigger type and charts, advanced controls tucked away."""
from __future__ import annotations

import streamlit as st

from ui.screen import page_style
from vizcore.figures.spec import Spec, finished

PROJECTOR_CSS = """
<style>
  .stMainBlockContainer { max-width: 100% !important; padding: 2.5rem 2rem 2rem 2rem !important; }
  .stMainBlockContainer [data-testid="stCaptionContainer"] { font-size: 1.15rem !important; color: #30343c !important; }
  .stMainBlockContainer [data-testid="stMarkdownContainer"] p,
  .stMainBlockContainer [data-testid="stMarkdownContainer"] li { font-size: 1.3rem !important; line-height: 1.5; }
  .stMainBlockContainer h1 { font-size: 2.6rem !important; padding-top: 0 !important; }
  .stMainBlockContainer [data-testid="stMetricValue"],
  .stMainBlockContainer [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {
    font-size: 2.6rem !important; line-height: 1.2; }
  .stMainBlockContainer [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {
    font-size: 1.1rem !important; }
</style>
"""


def init_from_link() -> None:
    """``?present=1`` in a link switches presentation mode on for this session."""
    if "present" not in st.session_state:
        st.session_state["present"] = st.query_params.get("present", "") in ("1", "true", "yes")


def presenting() -> bool:
    return bool(st.session_state.get("present", False))


def sidebar_toggle() -> None:
    """The sidebar's viewing toggles (presentation mode; on touch screens, exploring charts by touch) and the
    page style they and the viewer's screen call for (ui/screen.py)."""
    st.sidebar.toggle("Presentation mode", key="present",
                      help="For a projector: larger text and charts, advanced controls folded away. "
                           "Add ?present=1 to a link to open it this way.")
    page_style()
    if presenting():
        st.html(PROJECTOR_CSS)


SCREEN_FILL = 760  # a lesson's main animation when presenting: title, intro and Play fit in 1080 px, 40 px to spare


def chart_height(normal: int, fill: bool = False) -> int:
    """Chart height in pixels, taller when presenting; ``fill``: the lesson's main animation, which then
    takes the screen's height."""
    if not presenting():
        return normal
    return SCREEN_FILL if fill else int(normal * 1.35)


PROJECTOR_FONT = 18  # chart text when presenting: ticks 16 px, the rest 18 px or more


def sized(fig, fill: bool = False, width: float | None = None) -> Spec:
    """The figure for this viewer: at its chart height (and ``width``, if given) and, when presenting, with text of
    at least 16 px.

    A new :class:`~vizcore.figures.spec.Spec` that shares the traces and frames of ``fig`` (a figure
    from a shared cache stays as it is, whoever views it); a plain ``go.Figure`` is finished first.
    """
    fig = finished(fig)
    return fig.resized(chart_height(fig.height or 450, fill), PROJECTOR_FONT if presenting() else None, width)


def advanced(container=None):
    """Where advanced controls go: the container itself, or a folded expander when presenting."""
    container = container or st.sidebar
    return container.expander("More settings", expanded=False) if presenting() else container
