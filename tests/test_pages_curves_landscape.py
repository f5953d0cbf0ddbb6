"""The curve-fitting and landscape pages run with their defaults, presets, changed widgets and bad input."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests.pagetools import assert_clean, notice, open_page, shown
from vizcore.lessons.curves import PRESETS

page, ok = open_page, assert_clean


def charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


def claims(at: AppTest):
    """The table of what the article says beside what was measured here."""
    return next(t.value for t in at.table if "measured here" in t.value.columns)


def test_curves_page_defaults_presets_and_sweeps():
    at = ok(page("50_curves.py"))
    assert charts(at) == 4  # fit, loss, beyond, small multiples
    preset = PRESETS[at.selectbox(key="cv_preset").value]
    assert preset.title == "7 · tanh, 20 units, He init" and all(line in notice(at) for line in preset.notice)
    assert "zero to one is the sigmoid" in claims(at)["measured here"].iloc[0]  # the article's tanh claim, measured
    moments = next(c.value for c in at.caption if "moments" in c.value)
    panels = at.get("plotly_chart")[-1].proto.spec.count('"text":"epoch ')  # one subplot title per panel
    assert f"at {panels} moments" in moments
    at.selectbox(key="cv_preset").set_value("linear5").run()
    ok(at)
    assert any("Still a line" in m.value for m in at.markdown)
    at.selectbox(key="cv_preset").set_value("relu5").run()
    ok(at)
    kinks = int(next(m.value for m in at.metric if "kinks" in m.label))
    line = claims(at)["measured here"].iloc[0]
    assert "at most n + 1 segments" in line and f"{kinks} kinks there, {kinks + 1} straight pieces" in line
    at.radio(key="cv_sweep").set_value("init").run()
    ok(at)
    assert charts(at) == 4


def test_curves_page_reports_a_bad_formula():
    at = ok(page("50_curves.py"))
    at.selectbox(key="cv_target_choice").set_value("your formula…").run()
    at.text_input(key="cv_formula").input("__import__('os')").run()
    assert not at.exception
    assert at.error and "allowed" in at.error[0].value
    at.text_input(key="cv_formula").input("x*sin(3*x)").run()
    ok(at)


def as_rendered(markdown: str) -> str:
    """What Markdown whose every special character is backslash-escaped shows: the text without the backslashes."""
    assert not re.search(r"(?<!\\)[*_`\[\]<>$~|]", markdown), f"unescaped Markdown in {markdown!r}"
    return shown(markdown)


@pytest.mark.parametrize("formula, shown", [
    ("2x", "Write products with *, e.g. 2*x."),
    ("x**x**x", "The formula 'x**x**x' is not finite"),  # was echoed as 'xxx'
])
def test_a_formula_error_shows_the_formula_and_its_hint_as_typed(formula, shown):
    at = ok(page("50_curves.py", {"steps": "300"}))
    at.selectbox(key="cv_target_choice").set_value("your formula…").run()
    at.text_input(key="cv_formula").input(formula).run()
    assert not at.exception
    assert shown in as_rendered(at.error[0].value)


def test_curves_page_warns_about_bad_link_settings():
    at = page("50_curves.py", {"width": "lots", "lr": "1e999", "steps": "300"})
    assert not at.exception and not at.error
    assert len(at.warning) >= 2
    assert at.number_input(key="cv_steps").value == 300


def noticed(at: AppTest, key: str) -> bool:
    """Whether the landscape page's "What to notice" says what its preset ``key`` asks the reader to notice."""
    from vizcore.lessons.landscape import PRESETS as LANDSCAPE

    return all(line in notice(at) for line in LANDSCAPE[key].notice)


def test_landscape_page_opens_on_its_first_preset_with_the_article_checked():
    at = ok(page("60_landscape.py"))
    assert charts(at) == 3  # animated descent (maps, then the surface that follows them), N = 100 beside all
    assert at.selectbox(key="ls_preset").value == "descent" and noticed(at, "descent")  # named, and what to notice
    table = claims(at)
    measured = list(table["measured here"])
    assert len(measured) == 5 and all(measured)  # each of the article's five claims, measured here
    assert list(table.columns) == ["the article says (article 002)", "measured here"]
    assert "a saddle point." in measured[-1] and "3 local minima" in measured[0]
    at.radio(key="ls_sample").set_value(30).run()  # no preset's N (N = all is the "all-examples" preset)
    ok(at)
    assert not noticed(at, "descent")  # the settings are no longer the preset's, so its words are not shown
    assert "What to notice" not in [h.value for h in at.subheader]


def test_a_landscape_link_whose_settings_equal_a_preset_names_it():
    at = ok(page("60_landscape.py", {"sample": "0"}))
    assert at.selectbox(key="ls_preset").value == "all-examples" and noticed(at, "all-examples")
    assert any("N = 10,000 (all)" in c.value for c in at.caption)


def test_landscape_page_two_weights_then_planes():
    at = ok(page("60_landscape.py"))
    at.radio(key="ls_view").set_value("plane").run()
    ok(at)
    assert charts(at) == 1  # the plane; "Can this picture be trusted?" is folded, built only when opened
    at.session_state["landscape:trust"] = True
    assert charts(ok(at.run())) == 2  # and the path's loss beside the plane's
    assert any("PCA" in c.value for c in at.caption)
    shares = at.table[-1].value
    assert list(shares.index) == ["PC1", "PC2", "PC3"]
    assert shares.columns.tolist() == ["this run", "a random walk seen at the same steps"]
    spec = at.get("plotly_chart")[0].proto.spec
    assert f"PC1 ({shares['this run'].iloc[0]} of" in spec  # one PC1 share on the page: the axis names the table's
    at.radio(key="ls_plane").set_value("random").run()
    ok(at)
    at.selectbox(key="ls_preset").set_value("random-plane").run()
    ok(at)
    assert noticed(at, "random-plane") and at.text_input(key="ls_widths").value == "8,8"


def test_landscape_page_reports_bad_start_points():
    at = ok(page("60_landscape.py"))
    at.text_input(key="ls_starts").input("(1, 2, 3)").run()
    assert not at.exception
    assert at.error and "start point" in at.error[0].value


def test_curves_page_shows_each_units_weight_and_bias():
    from vizcore import curves
    from vizcore.nets import MLP

    model = MLP(1, (3,), 1, seed=0)
    units = curves.first_layer_units(model)
    w, b = model.layers[0].weight.detach().numpy()[:, 0], model.layers[0].bias.detach().numpy()
    assert [u["centre"] for u in units] == pytest.approx(list(-b / w), rel=1e-6)
    at = ok(page("50_curves.py"))
    assert not at.dataframe  # the units' table is folded until asked for
    at.session_state["curves:units"] = True
    at = ok(at.run())
    table = next(d.value for d in at.dataframe if "b (shift)" in d.value.columns)
    units_shown = int(next(m.value for m in at.metric if m.label == "Hidden units"))
    assert len(table) == units_shown == 20  # the opening preset: one layer of 20 tanh units
