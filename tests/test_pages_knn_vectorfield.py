"""The k-NN and vector-field pages run with their defaults, presets, changed widgets and bad links."""
from __future__ import annotations


from tests.pagetools import assert_clean, notice, open_page

page, ok = open_page, assert_clean


def table_with(at, column: str):
    """The first table on the page with a column named ``column``."""
    return next(t.value for t in at.table if column in t.value.columns)


def test_knn_page_opens_on_a_preset_with_the_article_beside_live_numbers():
    at = ok(page("40_knn.py"))
    assert at.selectbox(key="kn_preset").value == "digits"  # a named preset, not "custom settings"
    assert len(at.get("plotly_chart")) == 1
    table = at.table[0].value
    said = "the article says (article 003: MNIST, a two-layer CNN)"
    assert len(table) == 3 and said in table.columns and list(table.columns[-2:]) == ["measured here", "agrees"]
    measured = list(table["measured here"])
    assert "0.1–0.2 points" in table[said].iloc[1] and "points against softmax" in measured[1]
    assert all("over 5 seeds" in m for m in measured)
    assert "against softmax's" in notice(at) and measured[0].split("%")[0] in notice(at)
    assert any("This app's choices, not the article's" in c.value for c in at.caption)
    at.selectbox(key="kn_preset").set_value("spirals").run()
    ok(at)
    assert len(at.table[0].value) == 3 and "times as far" in notice(at)
    assert any("spirals (600 training" in c.value for c in at.caption)
    at.slider(key="kn_k").set_value(7).run()  # settings of no preset: the picker says so
    assert at.selectbox(key="kn_preset").value == "custom" and "Your own settings" in notice(at)


def test_knn_page_reports_bad_widths_and_bad_links():
    at = ok(page("40_knn.py", {"dataset": "spirals", "k": "9999", "steps": "50"}))
    assert at.warning and any("k" in w.value for w in at.warning)
    assert at.number_input(key="kn_steps").value == 50
    at.text_input(key="kn_widths").input("8,x").run()
    assert not at.exception and at.error and "whole number" in at.error[0].value


def test_vector_field_page_opens_on_a_preset_and_shows_the_channel():
    at = ok(page("45_vector_fields.py"))
    assert at.selectbox(key="vf_preset").value == "disc2"
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    arrows = charts[0].proto.spec
    assert "channel through the ring" in arrows and "ring points as disc" in arrows
    rows = table_with(at, "net")  # the 2D and 3D nets side by side
    assert list(rows["net"]) == ["1 vector-field layer × 24 anchors in 2D", "1 vector-field layer × 24 anchors in 3D"]
    assert list(rows["disc region cuts through the ring"])[0] == "5 of 5 seeds"
    claims = table_with(at, "measured here")
    assert "80%" in claims.iloc[1, 0] and "5 of 5 seeds" in claims.iloc[1, 1]
    metrics = {m.label: m.value for m in at.metric}
    caught = metrics["Ring points called disc (seed 0)"].split(" of ")[0]
    assert f"the {caught} fresh ring points" in notice(at)
    assert "measured only along the paths" in at.metric[3].help


def test_vector_field_page_presets_and_spirals_comparison():
    at = ok(page("45_vector_fields.py", {"preset": "disc3"}))
    assert at.selectbox(key="vf_preset").value == "disc3" and "without any channel" in notice(at)
    at.selectbox(key="vf_preset").set_value("spirals").run()
    ok(at)
    names = list(table_with(at, "net")["net"])
    assert names[1].startswith("tanh net 2-2-2-2")
    assert "very hard" in table_with(at, "measured here").iloc[-1, 0] and "of fresh points right" in notice(at)
    at.radio(key="vf_arrow_layer").set_value(1).run()
    ok(at)


def test_vector_field_page_bad_settings_are_messages():
    at = page("45_vector_fields.py", {"anchors": "64", "n": "30", "steps": "5"})
    assert not at.exception
    assert at.error and "anchors" in at.error[0].value
    at = page("45_vector_fields.py", {"lr": "nan", "method": "magic"})
    assert not at.exception and len(at.warning) >= 2
