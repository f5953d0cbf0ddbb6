"""Entry point: navigation over the lessons of ui/syllabus.py, and shared page settings."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import torch
from threadpoolctl import threadpool_limits

from ui.presentation import init_from_link, sidebar_toggle
from ui.syllabus import HOME, LESSONS
from ui.warmup import start_warmup

# Tiny nets gain nothing from intra-op threads, and a shared host serves many sessions: on a busy
# 2-core machine a second BLAS or torch thread waits for a core (a 300x50 matmul took 2.9 ms with two
# OpenBLAS threads and 0.065 ms with one), so every session computes on one thread.
torch.set_num_threads(1)
threadpool_limits(1)

PAGES = Path(__file__).parent / "pages"


def main() -> None:
    start_warmup()  # compiles the numba kernels once per process, in the background
    st.set_page_config(page_title="What neural networks do to space", page_icon="🌀", layout="wide")
    pages = [st.Page(str(PAGES / HOME), title="Home", default=True)]
    pages += [st.Page(str(PAGES / lesson.file), title=lesson.title) for lesson in LESSONS]
    page = st.navigation(pages)
    init_from_link()
    sidebar_toggle()
    page.run()


main()
