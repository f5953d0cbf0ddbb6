"""The lessons in teaching order: the one list that the navigation (app.py), the home page, the lesson pages,
the links between lessons and the bench scripts read.

An entry names its page file and the words the home page and sidebar show; its lesson
(``vizcore/lessons/<name>.py``'s ``LESSON``) is imported when first asked for, so the navigation
and the home page do not wait for torch, scikit-learn and numba.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


@dataclass(frozen=True)
class Entry:
    file: str       # under pages/, "<order>_<name>.py"; <name> is also its module under vizcore/lessons/
    title: str      # sidebar and home page
    question: str   # what the lesson answers (home page)
    preset: str     # the preset the home page links to (?preset=...)
    prefix: str     # its widgets' session keys start with this (keeps the lessons' fields apart)
    view_prefix: str | None = None  # the same for its view settings, if not ``prefix``

    @property
    def name(self) -> str:
        """"20_low_dimension.py" -> "low_dimension": the page's URL path and its lesson module."""
        return re.sub(r"^\d+_", "", Path(self.file).stem)

    @property
    def page(self) -> str:
        """The page script, as st.page_link and st.switch_page name it."""
        return f"pages/{self.file}"

    @property
    def link(self) -> dict[str, str]:
        """The home page's link to it: its best preset."""
        return {"preset": self.preset}

    @property
    def lesson(self):
        """The lesson's :class:`vizcore.lessons.Lesson` (imported on first use)."""
        return importlib.import_module(f"vizcore.lessons.{self.name}").LESSON

    def presets(self) -> Mapping:
        return self.lesson.presets


HOME = "00_home.py"
JOIN = "90_join.py"  # the students' voting page (ui/classroom.py): in the navigation, hidden from the sidebar
JOIN_PATH = "join"  # its URL path (app.py names it; the lessons' are their names)
LESSONS = (
    Entry("10_layers.py", "Layers as homeomorphisms",
          "How does a tanh layer move space, and why can it never tear it?", "spirals", "", "layers_"),
    Entry("20_low_dimension.py", "What low dimension forbids",
          "Why can no net with 2 units per layer cut a disc out of a ring, however deep?", "disc", "ld_"),
    Entry("30_trajectory.py", "The training trajectory",
          "What does the path of 510 weights through weight space tell us about training?", "gas", "tr_"),
    Entry("40_knn.py", "k-NN instead of softmax",
          "Must the last layer make classes separable by a line, or just close together?", "digits_gaussian", "kn_"),
    Entry("45_vector_fields.py", "Vector-field layers",
          "Can a layer that flows space along arrows untangle data better than tanh(Wx + b)?", "disc3", "vf_"),
    Entry("50_curves.py", "Fitting curves neuron by neuron",
          "How do a few tanh or ReLU units add up to a curve, and what happens outside the data?", "relu100", "cv_"),
    Entry("60_landscape.py", "The loss landscape",
          "What does the loss look like over two weights, and how does gradient descent walk on it?", "descent", "ls_"),
    Entry("70_relu_topology.py", "What ReLU does to topology",
          "Does a ReLU net simplify the shape of each class faster than a tanh net, and in which layers?", "tori",
          "rt_"),
)
BY_NAME = {entry.name: entry for entry in LESSONS}
# The URL paths of the pages one segment below the app's root: what a link's last segment is when it names a page.
PAGE_PATHS = tuple(sorted([*BY_NAME, JOIN_PATH]))


def page_of(path: str) -> str:
    """The page a URL's path opens by its last segment ("/app/knn/" -> "knn"); "" for the home page (any other path)."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return last if last in PAGE_PATHS else ""


def entry(name: str) -> Entry:
    """The lesson named ``name`` ("knn"), or the one whose page file is ``name`` (``__file__`` of a page)."""
    return BY_NAME[re.sub(r"^\d+_", "", Path(name).stem)]
