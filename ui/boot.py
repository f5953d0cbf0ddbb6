"""Make sure a page runs inside app.py's navigation, even on a server's very first visit."""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_navigation() -> None:
    """Re-run through app.py if Streamlit started this page in its legacy ``pages/`` mode.

    Until some session has called ``st.navigation``, Streamlit treats a ``pages/`` folder next to
    the main script as an old-style multipage app, so the first deep link after a server starts
    (a shared link to a sleeping demo) would run its page alone: no titles in the sidebar, no
    presentation mode, no thread limits. Clearing that flag and re-running hands the same URL to
    app.py, whose ``st.navigation`` opens the intended page.

    Only a session's first run is re-routed: no click or widget change can be pending then,
    so nothing is lost. (Streamlit's AppTest resets the flag before every run; re-running on
    each of them would swallow the button clicks a test makes.)
    """
    first_run = "_navigation_checked" not in st.session_state
    st.session_state["_navigation_checked"] = True
    if PagesManager.uses_pages_directory and first_run:
        PagesManager.uses_pages_directory = False
        st.rerun()
