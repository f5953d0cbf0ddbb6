"""Entry point: navigation over the lessons of ui/syllabus.py, and shared page settings.

Streamlit runs this file as every session's script (``__name__ == "__main__"``). ``streamlit run app.py``
also imports it once, as a module, because it defines ``app`` below (an ``st.App``): that lets the
server import the lessons and load the compiled kernels before it takes its first visitor
(ui/warmup.py's ``lifespan``), instead of on that visitor, and tell a lesson's link where the
server is (ui/page_head.py).
"""
from __future__ import annotations

from pathlib import Path

from vizcore.threads import use_one_thread  # first: importing vizcore pins the CPU kernels before numpy loads

import streamlit as st

from ui.presentation import init_from_link, sidebar_toggle
from ui.slots import script_slot
from ui.syllabus import HOME, JOIN, JOIN_PATH, LESSONS
from ui.warmup import start_warmup

use_one_thread()  # why: vizcore/threads.py

PAGES = Path(__file__).parent / "pages"


def main() -> None:
    start_warmup()  # compiles the numba kernels once per process, in the background
    st.set_page_config(page_title="What neural networks do to space", page_icon="🌀", layout="wide")
    pages = [st.Page(str(PAGES / HOME), title="Home", default=True)]
    pages += [st.Page(str(PAGES / lesson.file), title=lesson.title) for lesson in LESSONS]
    pages.append(st.Page(str(PAGES / JOIN), title="Vote", url_path=JOIN_PATH, visibility="hidden"))  # phones, from a QR
    page = st.navigation(pages)
    init_from_link()
    sidebar_toggle()
    with script_slot():  # under load, a few scripts at a time finish sooner than all at once
        page.run()


if __name__ == "__main__":
    main()
else:  # imported by `streamlit run app.py`, before it serves
    from starlette.middleware import Middleware

    from ui.page_head import PageHead
    from ui.warmup import lifespan

    app = st.App(__file__, lifespan=lifespan, middleware=[Middleware(PageHead)])
