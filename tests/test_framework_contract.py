"""What this app relies on in Streamlit and plotly beyond their documented APIs, pinned so an upgrade that
changes it fails here first, and a check that nothing else reaches into their internals."""
from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from vizcore.figures.spec import Spec, finished, typed

ROOT = Path(__file__).resolve().parent.parent
PRIVATE = re.compile(r"_plotly_utils|streamlit\.runtime|_frame_objs|__dict__\[|\._sized_for|PagesManager")


def test_only_ui_boot_reaches_into_framework_internals():
    sources = [p for folder in ("app.py", "ui", "vizcore", "pages") for p in
               ([ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py"))]
    users = sorted(str(p.relative_to(ROOT)) for p in sources if PRIVATE.search(p.read_text()))
    assert users == ["ui/boot.py"]


def test_streamlit_still_runs_a_lone_page_while_its_pages_directory_flag_is_set():
    # ui/boot.require_navigation clears this flag so that a server's first deep link runs app.py's navigation;
    # no public setting turns Streamlit's old pages/ mode off (Streamlit 1.67)
    assert "uses_pages_directory" in vars(PagesManager)
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner)


def _chart_of_a_finished_figure():
    import numpy as np
    import plotly.graph_objects as go
    import streamlit as st

    from vizcore.figures.spec import finished, typed

    fig = go.Figure(go.Scatter(x=np.arange(3.0), y=np.arange(3.0)), layout=dict(height=300))
    st.plotly_chart(finished(fig, [dict(name="0", data=[dict(x=typed(np.array([1.0], np.float32)))], traces=[0])]))


def test_streamlit_sends_a_finished_figure_as_its_own_dict_through_its_public_to_dict(monkeypatch):
    calls = []
    original = Spec.to_dict
    monkeypatch.setattr(Spec, "to_dict", lambda self: calls.append(self) or original(self))
    at = AppTest.from_function(_chart_of_a_finished_figure).run()
    sent = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert calls and all(isinstance(c, Spec) for c in calls)  # Streamlit read the figure through to_dict
    assert sent["layout"]["height"] == 300 and sent["frames"][0]["name"] == "0"
    assert sent["frames"][0]["data"][0]["x"] == typed(np.array([1.0], np.float32))


def test_a_resized_figure_shares_the_traces_and_frames_and_leaves_the_original_as_it_was():
    fig = finished(go.Figure(go.Heatmap(z=[[1, 2]], colorbar=dict(title="loss")), layout=dict(height=300)),
                   [dict(name="0", data=[], traces=[])])
    big = fig.resized(480, min_font=18)
    assert big.to_dict()["frames"] is fig.to_dict()["frames"]
    assert fig.height == 300 and big.height == 480 and fig.to_dict()["layout"]["font"]["size"] == 12  # the look's
    layout = big.to_dict()["layout"]
    assert layout["font"]["size"] == 18 and layout["xaxis"]["tickfont"]["size"] == 16
    assert big.to_dict()["data"][0]["colorbar"]["tickfont"]["size"] == 16


def test_every_lesson_is_exactly_its_module_its_page_and_its_syllabus_entry():
    # the README's "adding a lesson, in three steps": nothing else names a lesson
    from ui.syllabus import HOME, JOIN, LESSONS
    from vizcore.lessons import Lesson

    modules = sorted(p.stem for p in (ROOT / "vizcore" / "lessons").glob("*.py") if p.stem != "__init__")
    pages = sorted(re.sub(r"^\d+_", "", p.stem) for p in (ROOT / "pages").glob("*.py")
                   if p.name not in (HOME, JOIN))  # the home page and the students' voting page are no lessons
    assert modules == pages == sorted(entry.name for entry in LESSONS) and len(LESSONS) == 8
    for entry in LESSONS:
        page = (ROOT / entry.page).read_text()
        assert len(page.splitlines()) <= 80 and "session_state" not in page, entry.page
        assert "lesson_page(__file__" in page and isinstance(entry.lesson, Lesson), entry.page
