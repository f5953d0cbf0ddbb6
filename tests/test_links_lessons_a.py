"""Lessons 2-4 as links: the low-dimension, trajectory and k-NN pages load their settings from a URL,
turn junk into defaults with warnings naming the keys, start from presets, and write the link back.
"""
from __future__ import annotations

import json
from dataclasses import fields, replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.pagetools import ROOT, TIMEOUT, assert_clean, open_page, shown
from ui.links import read_link
from vizcore import UserError
from vizcore.config import _parse
from vizcore.lessons.low_dimension import LowDimConfig
from vizcore.lessons.knn import KnnConfig
from vizcore.lessons.trajectory import TrajectoryConfig, TrajectoryView, fresh_scores, train_trajectory

JUNK = "x" * 10_000


def link(at: AppTest) -> dict[str, str]:
    """The query string the page wrote back (what its link box shows)."""
    return {k: at.query_params[k] for k in at.query_params}


def warned(at: AppTest, *keys: str) -> None:
    """Each key is named by a warning (as "key=" for a bad value, "'key'" for an unknown key)."""
    text = [shown(w.value) for w in at.warning]
    for key in keys:
        assert any(f"{key}=" in w or f"'{key}'" in w for w in text), (key, text)


def arch_label(at: AppTest) -> str:
    """The architecture the low-dimension page offers to open (its picker holds an index into the claim's)."""
    picker = at.selectbox(key="ld_arch")
    return picker.options[picker.value]


def chart_height(at: AppTest, index: int = 0) -> int:
    return json.loads(at.get("plotly_chart")[index].proto.spec)["layout"]["height"]


# --- the low-dimension page --------------------------------------------------------------

def test_low_dimension_link_sets_claim_seeds_and_architecture():
    query = {"claim": "aba", "seeds": "16", "arch": "1"}
    at = assert_clean(open_page("20_low_dimension.py", query))
    assert at.radio(key="ld_claim").value == "aba"
    assert at.select_slider(key="ld_seeds").value == 16
    assert arch_label(at) == "2 units"
    assert [c for c in at.dataframe[0].value.columns if c.startswith("seed ")] == [f"seed {s}" for s in range(16)]
    assert any(page_link.proto.label.startswith("Best seed") for page_link in at.get("page_link"))
    assert link(at) == query  # the page writes back the same link
    at.selectbox(key="ld_arch").set_value(0).run()
    assert arch_label(at) == "1 unit"
    assert link(at) == {"claim": "aba", "seeds": "16"}  # arch 0 is the default


def test_low_dimension_junk_link_warns_per_key_and_runs_the_defaults_that_remain():
    at = assert_clean(open_page("20_low_dimension.py", {"claim": "aba", "seeds": "nan", "arch": "3", "zzz": JUNK}))
    warned(at, "seeds", "arch", "zzz")
    assert at.select_slider(key="ld_seeds").value == 8 and arch_label(at) == "1 unit"
    at = assert_clean(open_page("20_low_dimension.py", {"claim": JUNK, "seeds": "1e999", "arch": "-1", "": "?"}))
    warned(at, "claim", "seeds", "arch", "")
    assert at.radio(key="ld_claim").value == "disc"


def test_low_dimension_preset_link_and_presentation_mode():
    at = assert_clean(open_page("20_low_dimension.py", {"preset": "aba"}))
    assert at.radio(key="ld_claim").value == "aba" and not at.warning
    normal = chart_height(at)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/20_low_dimension.py")
    at.query_params["preset"] = "aba"
    at.session_state["present"] = True  # what app.py sets for ?present=1 (AppTest runs the page itself)
    assert_clean(at.run())
    assert chart_height(at) > normal
    assert any(e.label == "More settings" for e in at.expander)
    assert link(at).get("present") == "1"


# --- the trajectory page -----------------------------------------------------------------

SMALL = {"n": "500", "steps": "600"}  # keeps every trajectory test quick (no slow-learning twin by default)


def test_trajectory_link_reproduces_the_run_with_its_rate_schedule_and_snapshot():
    query = {**SMALL, "seed": "3", "widths": "8,8", "batch": "16", "lr": "0.1", "halving": "1000",
             "schedule": "300: 0.02", "mode": "minibatch", "method": "rms", "window": "200",
             "layers": "true", "layer_step": "301"}
    at = assert_clean(open_page("30_trajectory.py", query))
    assert at.number_input(key="tr_steps").value == 600 and at.number_input(key="tr_n").value == 500
    assert at.text_input(key="tr_widths").value == "8,8" and at.slider(key="tr_batch").value == 16
    assert at.selectbox(key="tr_mode").value == "minibatch" and at.select_slider(key="tr_lr").value == 0.1
    assert at.text_input(key="tr_schedule").value == "300: 0.02" and at.radio(key="tr_method").value == "rms"
    assert at.toggle(key="tr_layers").value is True
    assert [c.key for c in at.get("plotly_chart")] == ["trajectory_view", "trajectory_layers"]  # trust: folded
    at.session_state["trajectory:trust"] = True  # what opening "Can the PCA picture be trusted?" does
    assert [c.key for c in assert_clean(at.run()).get("plotly_chart")] == ["trajectory_view", "trust",
                                                                           "trajectory_layers"]
    # the page trained exactly this config, rate changes included (and drew it with this view)
    (cfg, view), _, warnings = read_link([TrajectoryConfig(), TrajectoryView()], query)
    assert not warnings and (view.method, view.window, view.layers) == ("rms", 200, True)
    run = train_trajectory(cfg)
    steps, shown = [int(s) for s in run.history.step], int(link(at)["layer_step"])
    assert abs(shown - 301) == min(abs(s - 301) for s in steps)  # the nearest recorded snapshot...
    rms, _ = fresh_scores(run, steps.index(shown))
    assert float(at.metric[2].value) == pytest.approx(rms, abs=5e-4)  # ...whose numbers the page shows
    unscheduled, _ = fresh_scores(train_trajectory(replace(cfg, schedule="")))
    assert abs(unscheduled - fresh_scores(run)[0]) > 1e-4  # so the schedule did change the run
    assert link(at) == {**query, "layer_step": str(shown)}


def test_trajectory_junk_link_warns_per_key():
    junk = {"lr": "nan", "widths": "-3", "mode": "warp", "schedule": JUNK, "layer_step": "-5", "batch": "1e999",
            "window": "0", "method": "magic", "layers": "maybe", "zzz": "1"}
    at = assert_clean(open_page("30_trajectory.py", {**SMALL, **junk}))
    warned(at, *junk)
    assert at.text_input(key="tr_widths").value == "15,15,15" and at.selectbox(key="tr_mode").value == "per-example"
    assert at.number_input(key="tr_steps").value == 600
    assert link(at) == SMALL


def test_trajectory_too_much_work_in_a_link_is_a_warning_but_a_heavy_link_within_the_limit_is_kept():
    at = assert_clean(open_page("30_trajectory.py", {"n": "20000", "steps": "2000", "mode": "full-batch"}))
    warned(at, "mode")  # 2,000 updates on 20,000 examples, twice: over the limit
    assert at.selectbox(key="tr_mode").value == "per-example" and at.number_input(key="tr_steps").value == 2000
    # in the order the page writes links, mode comes last, so a full-batch link within the limit arrives whole
    query = {"n": "200", "steps": "300", "mode": "full-batch"}
    at = assert_clean(open_page("30_trajectory.py", query))
    assert not at.warning and at.selectbox(key="tr_mode").value == "full-batch"
    assert list(link(at)) == list(query)


def test_trajectory_preset_link_and_picker():
    at = assert_clean(open_page("30_trajectory.py", {"preset": "gas"}))  # the home page's link, about 1 s
    assert at.text_input(key="tr_schedule").value == "1000: 0.06, 150000: 0.02, 200000: 0.0067, 230000: 0.0022"
    assert at.number_input(key="tr_halving").value == 0 and at.number_input(key="tr_steps").value == 250_000
    assert at.selectbox(key="tr_preset").value == "gas"
    at.selectbox(key="tr_preset").set_value("rms").run()
    assert_clean(at)
    assert at.radio(key="tr_method").value == "rms"
    assert at.text_input(key="tr_schedule").value == TrajectoryConfig().schedule
    assert link(at) == {"method": "rms"}
    at = assert_clean(open_page("30_trajectory.py", {"preset": "nope", **SMALL}))
    warned(at, "preset")


# --- the k-NN page -----------------------------------------------------------------------

def test_knn_link_sets_every_widget():
    query = {"dataset": "spirals", "n": "200", "noise": "0.1", "widths": "8", "features": "3", "k": "7",
             "weighting": "gaussian", "temperature": "0.5", "seeds": "6", "steps": "30", "batch": "32", "lr": "0.02"}
    at = assert_clean(open_page("40_knn.py", query))
    assert at.selectbox(key="kn_dataset").value == "spirals" and at.number_input(key="kn_n").value == 200
    assert at.slider(key="kn_noise").value == 0.1 and at.text_input(key="kn_widths").value == "8"
    assert at.select_slider(key="kn_features").value == 3 and at.slider(key="kn_k").value == 7
    assert at.radio(key="kn_weighting").value == "gaussian" and at.number_input(key="kn_temperature").value == 0.5
    assert at.slider(key="kn_seeds").value == 6 and at.number_input(key="kn_steps").value == 30
    assert at.number_input(key="kn_batch").value == 32 and at.number_input(key="kn_lr").value == 0.02
    assert all("over 6 seeds" in m for m in at.table[0].value["measured here"])
    assert link(at) == query


def test_knn_junk_link_warns_per_key():
    junk = {"dataset": "mnist", "k": "9999", "features": "5", "temperature": "nan", "widths": "-3", "lr": "1e999",
            "seeds": JUNK, "n": "abc", "zzz": ""}
    at = assert_clean(open_page("40_knn.py", {**junk, "steps": "20"}))
    warned(at, *junk)
    assert at.selectbox(key="kn_dataset").value == "digits" and at.text_input(key="kn_widths").value == "32"
    assert link(at) == {"steps": "20"}


def test_knn_preset_link():
    at = assert_clean(open_page("40_knn.py", {"preset": "spirals"}))
    assert at.selectbox(key="kn_dataset").value == "spirals" and at.selectbox(key="kn_preset").value == "spirals"
    changed = assert_clean(open_page("40_knn.py", {"preset": "spirals", "steps": "30"}))
    assert changed.number_input(key="kn_steps").value == 30
    assert changed.selectbox(key="kn_preset").value == "custom"  # no longer the preset: the picker says so


# --- the configs: fuzzed queries and exact round trips ---------------------------------------

CONFIGS = (LowDimConfig, TrajectoryConfig, TrajectoryView, KnnConfig)
FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
values = st.one_of(st.text(max_size=20), st.floats().map(repr), st.integers().map(str), st.just(JUNK),
                   st.sampled_from(["nan", "1e999", "-1", "0", "1", "true", "minibatch", "spirals", "aba", "gaussian",
                                    "1000: 0.01", "8,8", "1.5", "16", "rms", "full-batch"]))


@pytest.mark.parametrize("cls", CONFIGS, ids=lambda c: c.__name__)
@FUZZ
@given(data=st.data())
def test_any_query_gives_a_checked_config_and_every_key_is_taken_or_named(cls, data):
    keys = st.sampled_from([f.name for f in fields(cls)] + ["preset", "zzz", ""])
    query = data.draw(st.dictionaries(keys, values, max_size=8))
    cfg, warnings = cls.from_query(query)
    cfg.check()
    for key, raw in query.items():
        if any(repr(key[:40]) in w or f"{key}=" in w for w in warnings):
            continue
        assert _parse(raw, type(cls.__dataclass_fields__[key].default)) == getattr(cfg, key), (key, raw)
    # the pages read links with ui.links.read_link (presets included): it too only warns
    (linked,), _, warnings = read_link([cls()], query, presets={"p": cls()})
    linked.check()
    assert all(isinstance(w, str) for w in warnings)


def field_values(f):
    """A strategy for valid-looking values of one field, from its range or choices."""
    meta, default = f.metadata, f.default
    if meta.get("choices"):
        return st.sampled_from(meta["choices"])
    if isinstance(default, bool):
        return st.booleans()
    if isinstance(default, int):
        return st.integers(int(meta["lo"]), int(meta["hi"]))
    if isinstance(default, float):
        return st.floats(meta["lo"], meta["hi"], allow_nan=False)
    return st.sampled_from([default, "8", "4,4", "15,15", "100: 0.01", "10: 0.1, 2000: 0.001"])


@pytest.mark.parametrize("cls", CONFIGS, ids=lambda c: c.__name__)
@FUZZ
@given(data=st.data())
def test_every_valid_config_round_trips_through_its_link(cls, data):
    cfg = cls(**{f.name: data.draw(field_values(f), label=f.name) for f in fields(cls)})
    try:
        cfg.check()
    except UserError:
        assume(False)
    again, warnings = cls.from_query(cfg.changed())
    assert not warnings and again == cfg
