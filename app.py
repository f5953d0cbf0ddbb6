"""Entry point: navigation over pages/*.py and shared page settings.

Each page's sidebar title is the first line of its module docstring; the file name's
numeric prefix sets the teaching order.
"""
from __future__ import annotations

import ast
from pathlib import Path

import streamlit as st
import torch
from threadpoolctl import threadpool_limits

from ui.presentation import init_from_link, sidebar_toggle
from ui.warmup import start_warmup

# Tiny nets gain nothing from intra-op threads, and a shared host serves many sessions: on a busy
# 2-core machine a second BLAS or torch thread waits for a core (a 300x50 matmul took 2.9 ms with two
# OpenBLAS threads and 0.065 ms with one), so every session computes on one thread.
torch.set_num_threads(1)
threadpool_limits(1)

PAGES = Path(__file__).parent / "pages"


def page_title(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or path.stem
    return doc.strip().splitlines()[0]


def main() -> None:
    start_warmup()  # compiles the numba kernels once per process, in the background
    st.set_page_config(page_title="What neural networks do to space", page_icon="🌀", layout="wide")
    files = sorted(p for p in PAGES.glob("*.py") if not p.name.startswith("_"))
    pages = [st.Page(str(p), title=page_title(p), default=(i == 0)) for i, p in enumerate(files)]
    page = st.navigation(pages)
    init_from_link()
    sidebar_toggle()
    page.run()


main()
