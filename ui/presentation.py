"""Presentation mode for a projector: bigger type and charts, advanced controls tucked away."""
from __future__ import annotations

import streamlit as st

from vizcore.figures.style import frozen, projector_fonts

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
    st.sidebar.toggle("Presentation mode", key="present",
                      help="For a projector: larger text and charts, advanced controls folded away. "
                           "Add ?present=1 to a link to open it this way.")
    if presenting():
        st.html(PROJECTOR_CSS)


SCREEN_FILL = 800  # a lesson's main animation when presenting: title, intro and Play fit in 1080 px


def chart_height(normal: int, fill: bool = False) -> int:
    """Chart height in pixels, taller when presenting; ``fill``: the lesson's main animation, which then
    takes the screen's height."""
    if not presenting():
        return normal
    return SCREEN_FILL if fill else int(normal * 1.35)


def sized(fig, fill: bool = False):
    """The figure at its chart height and, when presenting, with text of at least 16 px; frozen (its
    dict built once, see vizcore.figures.style.frozen), so sizing it again for the same mode is free.

    Changes ``fig`` in place: pass a figure built in this run, or a cached one whose cache key
    includes the height (so presenting and normal sessions never share it).
    """
    mode = (presenting(), fill)
    if getattr(fig, "_sized_for", None) == mode:
        return fig
    fig.update_layout(height=chart_height(fig.layout.height or 450, fill))
    if presenting():
        projector_fonts(fig)
    fig._sized_for = mode
    return frozen(fig)


def advanced(container=None):
    """Where advanced controls go: the container itself, or a folded expander when presenting."""
    container = container or st.sidebar
    return container.expander("More settings", expanded=False) if presenting() else container
