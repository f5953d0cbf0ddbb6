"""Links on the vector-field, curve and landscape pages: every setting and view round-trips through the URL,
junk in a link becomes defaults plus warnings naming the keys, presets are links, and a user's CSV is a curve.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.pagetools import shown
from ui.links import check_disjoint, link_params, read_link
from ui.syllabus import LESSONS
from vizcore.config import _parse
from vizcore.lessons import curves as l6
from vizcore.lessons import vector_fields as vf
from vizcore.lessons.landscape import LandscapeConfig
from vizcore.runs import RunConfig

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180
NET = RunConfig(dataset="disc_annulus", widths="3", steps=20)  # the landscape page's default net
PAGES = {entry.file: (entry.lesson.configs(), entry.lesson.offers) for entry in LESSONS}  # what each lesson binds


def open_page(name: str, query: dict[str, str]) -> AppTest:
    """Open a page from a link, the way a browser does: through app.py's navigation."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page(f"pages/{name}")
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def url(at: AppTest) -> dict[str, str]:
    return {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}


def clean(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def warned_about(at: AppTest, keys) -> None:
    text = shown(" ".join(w.value for w in at.warning))
    for key in keys:
        assert f"{key}=" in text or repr(key) in text, (key, text)


# --- opening a page from a link with non-default values ------------------------------------------

def test_vector_field_link_sets_every_widget_and_the_view():
    query = {"layers": "2", "n": "60", "anchors": "8", "steps": "20", "flow_steps": "4", "method": "rk4",
             "augment": "1", "draw_seed": "3", "arrow_layer": "1", "compare_penalty": "true"}
    at = clean(open_page("45_vector_fields.py", query))
    assert at.number_input(key="vf_layers").value == 2 and at.number_input(key="vf_n").value == 60
    assert at.number_input(key="vf_anchors").value == 8 and at.number_input(key="vf_flow_steps").value == 4
    assert at.radio(key="vf_method").value == "rk4" and at.radio(key="vf_augment").value == 1
    assert at.selectbox(key="vf_draw_seed").value == 3 and at.radio(key="vf_arrow_layer").value == 1
    assert at.toggle(key="vf_compare_penalty").value is True
    assert "seed 3" in at.metric[0].label
    assert len(at.table) == 3  # the article-vs-measured rows, the 2D/3D comparison, the with/without penalty table
    assert url(at) == query  # the page writes back exactly the link it was opened with


def test_curve_link_sets_every_widget_and_reopening_it_reproduces_the_fit():
    query = {"target": "x*sin(3*x)", "width": "7", "depth": "2", "activation": "relu", "init": "glorot",
             "optimizer": "sgd", "lr": "0.05", "steps": "40", "n": "50", "noise": "0.1", "seed": "3",
             "sweep": "depth"}
    at = clean(open_page("50_curves.py", query))
    assert at.selectbox(key="cv_target_choice").value == "your formula…"
    assert at.text_input(key="cv_formula").value == "x*sin(3*x)"
    assert (at.number_input(key="cv_width").value, at.radio(key="cv_depth").value) == (7, 2)
    assert at.selectbox(key="cv_activation").value == "relu" and at.selectbox(key="cv_init").value == "glorot"
    assert at.selectbox(key="cv_optimizer").value == "sgd" and at.select_slider(key="cv_lr").value == 0.05
    assert at.number_input(key="cv_steps").value == 40 and at.slider(key="cv_n").value == 50
    assert at.slider(key="cv_noise").value == 0.1 and at.number_input(key="cv_seed").value == 3
    assert at.radio(key="cv_sweep").value == "depth"
    assert url(at) == query
    again = clean(open_page("50_curves.py", url(at)))  # the copied link in a fresh browser
    assert [m.value for m in again.metric] == [m.value for m in at.metric]


def test_landscape_link_sets_the_net_and_the_view():
    query = {"dataset": "spirals", "n": "100", "widths": "5", "steps": "100", "seed": "2", "view": "plane",
             "plane": "random", "plane_seed": "5", "plane_range": "2.5", "resolution": "21"}
    at = clean(open_page("60_landscape.py", query))
    assert at.selectbox(key="ls_dataset").value == "spirals" and at.text_input(key="ls_widths").value == "5"
    assert at.number_input(key="ls_steps").value == 100 and at.number_input(key="ls_seed").value == 2
    assert at.slider(key="ls_n").value == 100
    assert at.radio(key="ls_view").value == "plane" and at.radio(key="ls_plane").value == "random"
    assert at.number_input(key="ls_plane_seed").value == 5 and at.slider(key="ls_plane_range").value == 2.5
    assert at.slider(key="ls_resolution").value == 21
    assert any("trained for 100 steps on 100 points" in c.value for c in at.caption)
    assert url(at) == query


# --- junk in a link -------------------------------------------------------------------------------

JUNK = {
    "45_vector_fields.py": {"n": "abc", "lr": "1e999", "layers": "-3", "method": "magic", "noise": "nan",
                            "anchors": "9" * 10_000, "draw_seed": "nan", "zzz": "1", "preset": "nope"},
    "50_curves.py": {"target": "__import__('os')", "width": "-5", "lr": "nan", "steps": "1e999",
                     "activation": "x" * 10_000, "sweep": "magic", "data_id": "deadbeef", "zzz": "1"},
    "60_landscape.py": {"widths": "-2", "dataset": "curve", "view": "x", "weight_a": "99999", "n": "1e999",
                        "starts": "(1,2,3)", "gd_lr": "1e999", "resolution": "12", "data_id": "abc", "zzz": "1"},
}


@pytest.mark.parametrize("name", list(JUNK))
def test_junk_links_fall_back_to_defaults_with_warnings_naming_each_key(name):
    at = clean(open_page(name, JUNK[name]))
    warned_about(at, JUNK[name])
    assert at.metric or at.caption  # the page went on with its defaults


# --- presets are links -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, query, widget, value, picker", [
    ("45_vector_fields.py", {"preset": "disc3", "steps": "20", "n": "60", "anchors": "8"}, ("radio", "vf_augment"),
     1, ("vf_preset", "custom")),  # the picker names a preset only while the settings are exactly that preset
    ("50_curves.py", {"preset": "relu5", "steps": "40"}, ("number_input", "cv_width"), 5,
     ("cv_preset", "custom")),
    ("60_landscape.py", {"preset": "pca", "steps": "50"}, ("radio", "ls_view"), "plane", ("ls_preset", "custom")),
])
def test_a_preset_link_opens_that_preset_and_other_keys_override_it(name, query, widget, value, picker):
    at = clean(open_page(name, query))
    assert getattr(at, widget[0])(key=widget[1]).value == value
    if picker:
        assert at.selectbox(key=picker[0]).value == picker[1]
    assert url(at)["steps"] == query["steps"] and "preset" not in url(at)


# --- a user's CSV on the curve page ----------------------------------------------------------------

def _uploader(at: AppTest):
    return next(u for u in at.get("file_uploader") if "cv_csv_upload" in u.proto.id)


def test_an_uploaded_csv_is_fitted_and_a_bad_one_changes_nothing():
    at = clean(open_page("50_curves.py", {"steps": "300"}))
    x = np.linspace(-1, 1, 40)
    good = "x;y\n" + "\n".join(f"{a:.4f};{2 * a + 1:.4f}" for a in x)
    _uploader(at).set_value(("line.csv", good.encode(), "text/csv")).run()
    clean(at)
    assert at.selectbox(key="cv_target_choice").value == "your CSV file"
    data_id = url(at)["data_id"]
    assert len(data_id) == 16
    assert any("40 points" in c.value for c in at.caption)
    assert float(at.metric[0].value) < 0.05  # a straight line is easy for 20 tanh units

    _uploader(at).set_value(("plane.csv", b"x,z,y\n1,2,3\n2,3,4\n", "text/csv")).run()
    assert not at.exception
    messages = shown(" ".join(e.value for e in at.sidebar.error))
    assert "needs exactly two: x, then a numeric target y" in messages and "previous data" in messages
    assert url(at)["data_id"] == data_id and at.selectbox(key="cv_target_choice").value == "your CSV file"

    wide = b"a,b,c,d,e\n1,2,3,4,5\n2,3,4,5,6\n"  # lesson 1's limit ("at most 3 can be drawn") is not this page's
    _uploader(at).set_value(("wide.csv", wide, "text/csv")).run()
    messages = shown(" ".join(e.value for e in at.sidebar.error))
    assert "has 5 columns" in messages and "exactly two" in messages and "can be drawn" not in messages

    for name, rows in (("one.csv", b"x,y\n1.5,2\n"), ("same.csv", b"x,y\n1,2\n1,3\n1,4\n")):
        _uploader(at).set_value((name, rows, "text/csv")).run()  # was fitted with error 0.0000 and no curve
        messages = shown(" ".join(e.value for e in at.sidebar.error))
        assert "2 or more different x" in messages, messages
        assert url(at)["data_id"] == data_id

    _uploader(at).set_value(("text.csv", b"x,y\n1,2\n2,oops\n", "text/csv")).run()
    assert "row 3, column 2" in shown(" ".join(e.value for e in at.sidebar.error)).lower()
    assert url(at)["data_id"] == data_id


# --- the link machinery itself, without Streamlit ----------------------------------------------------

def test_bound_classes_must_have_disjoint_keys():
    with pytest.raises(ValueError, match="dataset"):
        check_disjoint([RunConfig(), RunConfig()])
    for defaults, _ in PAGES.values():
        check_disjoint(defaults)  # every lesson's settings and view


def test_a_page_default_is_the_base_of_its_link_and_of_its_warnings():
    pairs = PAGES["60_landscape.py"][0]
    assert pairs[0] == NET  # the landscape lesson's own default net, not RunConfig's
    (net, view), _, warnings = read_link(pairs, {"widths": "junk", "view": "plane"})
    assert net == NET and view == LandscapeConfig(view="plane")
    assert any("widths='junk'" in w and "'3'" in w for w in warnings)
    mine = RunConfig(dataset="disc_annulus", widths="2,2,2,2", steps=20)
    params = link_params([mine, view], [NET, LandscapeConfig()])
    assert params == {"widths": "2,2,2,2", "view": "plane"}  # the class default differs from the page's
    assert read_link(pairs, params)[0] == [mine, view]


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
values = st.one_of(st.text(max_size=30), st.floats().map(repr), st.integers().map(str), st.just("x" * 10_000),
                   st.sampled_from(["nan", "1e999", "-1", "0", "1", "2", "true", "spirals", "plane", "relu", "x**2"]))


def _keys(name: str) -> list[str]:
    return [f for default in PAGES[name][0] for f in type(default).__dataclass_fields__] + [
        "preset", "present", "zzz"]


@pytest.mark.parametrize("name", list(PAGES))
def test_fuzzed_links_give_valid_configs_and_every_key_is_taken_or_warned_about(name):
    pairs = PAGES[name][0]
    fields = {f: c for c in pairs for f in type(c).__dataclass_fields__}

    @FUZZ
    @given(query=st.dictionaries(st.sampled_from(_keys(name)), values, max_size=8))
    def check(query):
        configs, preset, warnings = read_link(pairs, query, choices=PAGES[name][1])
        for cfg in configs:
            cfg.check()  # whatever was accepted is in range
        for key, raw in query.items():
            if key in ("present",) or any(repr(key[:40]) in w or f"{key}=" in w for w in warnings):
                continue
            assert key in fields, (key, warnings)
            taken = next(c for c in configs if key in type(c).__dataclass_fields__)
            assert _parse(raw, type(type(taken).__dataclass_fields__[key].default)) == getattr(taken, key)

    check()


@pytest.mark.parametrize("cls", [vf.VfConfig, vf.VfView, l6.CurveConfig, l6.CurveView, LandscapeConfig])
def test_fuzzed_from_query_of_each_page_config_never_raises(cls):
    @FUZZ
    @given(query=st.dictionaries(st.sampled_from([*cls.__dataclass_fields__, "zzz"]), values, max_size=6))
    def check(query):
        cfg, _ = cls.from_query(query)
        cfg.check()

    check()
