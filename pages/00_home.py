"""Home

The syllabus: what each lesson asks and where to start.
"""
from __future__ import annotations

import streamlit as st

st.title("What neural networks do to space")
st.markdown(
    "Small networks with two or three units per layer can be watched at work: every layer moves the "
    "points of the plane around, and the classes come apart, or fail to, in ways topology predicts. "
    "Each lesson trains such a net in a second or two and shows what it did.")

st.page_link("pages/10_layers.py", label="1 · Layers as homeomorphisms",
             help="How does a tanh layer move space, and why can it never tear it?")
st.caption("How does a tanh layer move space, and why can it never tear it?")
