"""Join: the page a student's phone opens from the projector's QR code (/join?room=CODE).

Not a lesson, so not in the sidebar: the question the teacher asks, a big button per choice, then the answer
and the picture (ui/classroom.py).
"""
from __future__ import annotations

from ui.classroom import student_page

student_page()
