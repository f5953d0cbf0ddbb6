"""The lessons in teaching order: the one list that the navigation (app.py) and the home page read."""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Lesson:
    file: str       # under pages/, "<order>_<name>.py"; <name> is also its module under vizcore/lessons/
    title: str      # sidebar and home page
    question: str   # what the lesson answers (home page)
    preset: str     # the preset the home page links to (?preset=...)

    @property
    def link(self) -> dict[str, str]:
        return {"preset": self.preset}

    @property
    def name(self) -> str:
        """"20_low_dimension.py" -> "low_dimension": the page's URL path and its lesson module."""
        return re.sub(r"^\d+_", "", Path(self.file).stem)

    def presets(self) -> dict:
        """The lesson's PRESETS, keyed by link key (imported on demand: the navigation does not need them)."""
        return importlib.import_module(f"vizcore.lessons.{self.name}").PRESETS


HOME = "00_home.py"
LESSONS = (
    Lesson("10_layers.py", "Layers as homeomorphisms",
           "How does a tanh layer move space, and why can it never tear it?", "spirals"),
    Lesson("20_low_dimension.py", "What low dimension forbids",
           "Why can no net with 2 units per layer cut a disc out of a ring, however deep?", "disc"),
    Lesson("30_trajectory.py", "The training trajectory",
           "What does the path of 510 weights through weight space tell us about training?", "gas"),
    Lesson("40_knn.py", "k-NN instead of softmax",
           "Must the last layer make classes separable by a line, or just close together?", "digits_gaussian"),
    Lesson("45_vector_fields.py", "Vector-field layers",
           "Can a layer that flows space along arrows untangle data better than tanh(Wx + b)?", "disc3"),
    Lesson("50_curves.py", "Fitting curves neuron by neuron",
           "How do a few tanh or ReLU units add up to a curve, and what happens outside the data?", "relu100"),
    Lesson("60_landscape.py", "The loss landscape",
           "What does the loss look like over two weights, and how does gradient descent walk on it?", "descent"),
)
