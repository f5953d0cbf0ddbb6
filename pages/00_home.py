"""Home

The syllabus: the lessons in teaching order, each with the question it answers.
"""
from __future__ import annotations

import streamlit as st

from ui.boot import require_navigation
from ui.pictures import CARD_CSS, SIZE, picture
from ui.syllabus import LESSONS

require_navigation()

st.title("What neural networks do to space")
st.markdown(
    "Networks with only two or three units per layer can be watched at work. Each layer moves the points "
    "of the plane, and the classes come apart, or fail to, exactly as topology predicts. Every lesson "
    "trains such a net in a second or two and shows what it did. Start at the top; each link opens the "
    "lesson's best example, and every page can be shared as a link that reproduces it.")

st.subheader("Lessons")
st.html(CARD_CSS)
for row in range(0, len(LESSONS), 3):
    for column, (number, lesson) in zip(st.columns(3), enumerate(LESSONS[row:row + 3], start=row + 1)):
        with column.container(border=True, key=f"lesson_card_{number}"):
            st.image(picture(lesson.name), width=SIZE)
            st.page_link(lesson.page, label=f"{number} · {lesson.title}", icon=":material/arrow_forward:",
                         query_params=lesson.link)
            st.caption(lesson.question)

st.subheader("For teachers")
st.markdown(
    "- **Presentation mode** (sidebar toggle, or `?present=1` in a link) enlarges text and charts and "
    "folds the advanced controls away.\n"
    "- **Links**: every page keeps its settings in the address bar; the sidebar's *Link to this experiment* "
    "box gives a copyable link. Presets are links too, e.g. `layers?preset=disc2`.\n"
    "- Nothing is downloaded at run time; all data is generated from a seed.")
