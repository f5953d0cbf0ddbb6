"""Every lesson's links, discovered at run time: the page itself and each of its presets.

A lesson page imports its lesson module (``from vizcore.lessons import layers as lesson``),
whose ``PRESETS`` dict is keyed by link key (``?preset=<key>``); the keys are read from there,
so a preset added to a lesson is shipped and load-tested without touching this file. A page
that still imports ``PRESETS`` from elsewhere is read the same way. The syllabus's preset of
each lesson (ui/syllabus.py, the home page's link) is always included.
"""
from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def url_path(page_file: str) -> str:
    """"20_low_dimension.py" -> "low_dimension": the URL path Streamlit gives a page file."""
    return re.sub(r"^\d+[_ -]*", "", Path(page_file).stem)


def preset_modules(source: str) -> list[str]:
    """The modules a page's source takes its presets from: its lesson modules, or where it imports PRESETS."""
    found = [f"vizcore.lessons.{m}" for m in re.findall(r"from vizcore\.lessons import (\w+)", source)]
    found += re.findall(r"from (vizcore\.lessons\.\w+) import", source)
    found += re.findall(r"from ([\w.]+) import [^\n]*?\bPRESETS\b", source)
    return list(dict.fromkeys(found))


def preset_keys(page_file: str, root: Path = ROOT) -> list[str]:
    """The link keys of a page's presets, in their modules' order."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    keys: list[str] = []
    for name in preset_modules((root / "pages" / page_file).read_text()):
        try:
            presets = getattr(importlib.import_module(name), "PRESETS", None)
        except Exception as exc:  # a module mid-edit: say so, keep the other links
            print(f"[links] cannot import {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        if isinstance(presets, dict):
            keys += [k for k in presets if isinstance(k, str) and re.fullmatch(r"[\w-]+", k)]
    return list(dict.fromkeys(keys))


def lesson_links(root: Path = ROOT) -> dict[str, list[str]]:
    """{url path: [the bare page link, then "path?preset=<key>" for every preset]} for every lesson."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from ui.syllabus import LESSONS

    out = {}
    for lesson in LESSONS:
        path = url_path(lesson.file)
        keys = list(dict.fromkeys([lesson.preset, *preset_keys(lesson.file, root)]))
        out[path] = [path] + [f"{path}?preset={k}" for k in keys]
    return out


if __name__ == "__main__":
    for page, links in lesson_links().items():
        print(page, len(links), " ".join(links[1:]))
