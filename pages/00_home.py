"""Home

The syllabus: the lessons in teaching order, each with the question it answers.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.boot import require_navigation

require_navigation()

# (page file, lesson title, the question it answers, query of its best preset)
SYLLABUS = [
    ("10_layers.py", "Layers as homeomorphisms",
     "How does a tanh layer move space, and why can it never tear it?", {"preset": "spirals"}),
    ("20_low_dimension.py", "What low dimension forbids",
     "Why can no net with 2 units per layer cut a disc out of a ring, however deep?", {"preset": "disc"}),
    ("30_trajectory.py", "The training trajectory",
     "What does the path of 510 weights through weight space tell us about training?", {"preset": "gas"}),
    ("40_knn.py", "k-NN instead of softmax",
     "Must the last layer make classes separable by a line, or just close together?",
     {"preset": "digits_gaussian"}),
    ("45_vector_fields.py", "Vector-field layers",
     "Can a layer that flows space along arrows untangle data better than tanh(Wx + b)?", {"preset": "disc3"}),
    ("50_curves.py", "Fitting curves neuron by neuron",
     "How do a few tanh or ReLU units add up to a curve, and what happens outside the data?",
     {"preset": "relu100"}),
    ("60_landscape.py", "The loss landscape",
     "What does the loss look like over two weights, and how does gradient descent walk on it?",
     {"preset": "descent"}),
]
PAGES = Path(__file__).parent

st.title("What neural networks do to space")
st.markdown(
    "Networks with only two or three units per layer can be watched at work. Each layer moves the points "
    "of the plane, and the classes come apart, or fail to, exactly as topology predicts. Every lesson "
    "trains such a net in a second or two and shows what it did. Start at the top; each link opens the "
    "lesson's best example, and every page can be shared as a link that reproduces it.")

st.subheader("Lessons")
number = 0
for file, title, question, query in SYLLABUS:
    if not (PAGES / file).exists():
        continue
    number += 1
    st.page_link(f"pages/{file}", label=f"**{number} · {title}**", query_params=query or None)
    st.caption(question)

st.subheader("For teachers")
st.markdown(
    "- **Presentation mode** (sidebar toggle, or `?present=1` in a link) enlarges text and charts and "
    "folds the advanced controls away.\n"
    "- **Links**: every page keeps its settings in the address bar; the sidebar's *Link to this experiment* "
    "box gives a copyable link. Presets are links too, e.g. `layers?preset=disc2`.\n"
    "- Nothing is downloaded at run time; all data is generated from a seed.")
