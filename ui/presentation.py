"""Presentation mode for a projector: bigger type and charts, advanced controls tucked away."""
from __future__ import annotations

import streamlit as st

PROJECTOR_CSS = """
<style>
  .stMainBlockContainer { max-width: 100% !important; padding-left: 2rem; padding-right: 2rem; }
  .stMainBlockContainer [data-testid="stMarkdownContainer"] p,
  .stMainBlockContainer [data-testid="stMarkdownContainer"] li { font-size: 1.3rem !important; line-height: 1.5; }
  .stMainBlockContainer h1 { font-size: 3rem !important; }
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


def chart_height(normal: int) -> int:
    """Chart height in pixels, taller when presenting."""
    return int(normal * 1.35) if presenting() else normal


def sized(fig):
    """The figure at its chart height (taller when presenting); only for figures built in this run."""
    return fig.update_layout(height=chart_height(fig.layout.height or 450))


def advanced(container=None):
    """Where advanced controls go: the container itself, or a folded expander when presenting."""
    container = container or st.sidebar
    return container.expander("More settings", expanded=False) if presenting() else container
