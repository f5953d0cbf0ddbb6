"""Every lesson's links: the page itself and each of its presets (``?preset=<key>``).

The presets are read from each lesson's module (ui/syllabus.py names it), so a preset added
to a lesson is shipped and load-tested without touching this file.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lesson_links(root: Path = ROOT) -> dict[str, list[str]]:
    """{url path: [the bare page link, then "path?preset=<key>" for every preset]} for every lesson."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from ui.syllabus import LESSONS

    out = {}
    for lesson in LESSONS:
        keys = list(dict.fromkeys([lesson.preset, *lesson.presets()]))
        out[lesson.name] = [lesson.name] + [f"{lesson.name}?preset={k}" for k in keys]
    return out


if __name__ == "__main__":
    for page, links in lesson_links().items():
        print(page, len(links), " ".join(links[1:]))
