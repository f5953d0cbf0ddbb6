"""The k-NN and vector-field pages run with their defaults, presets, changed widgets and bad links."""
from __future__ import annotations


from tests.pagetools import assert_clean, open_page

page, ok = open_page, assert_clean


def test_knn_page_defaults_show_the_table_and_three_feature_planes():
    at = ok(page("40_knn.py"))
    assert len(at.get("plotly_chart")) == 1
    table = at.dataframe[0].value
    assert len(table) == 3 and "the article (MNIST, two-layer CNN)" in table.columns
    at.selectbox(key="kn_preset").set_value("spirals").run()
    ok(at)
    assert len(at.dataframe[0].value) == 3
    assert any("spirals (600 training" in c.value for c in at.caption)


def test_knn_page_reports_bad_widths_and_bad_links():
    at = ok(page("40_knn.py", {"dataset": "spirals", "k": "9999", "steps": "50"}))
    assert at.warning and any("k" in w.value for w in at.warning)
    assert at.number_input(key="kn_steps").value == 50
    at.text_input(key="kn_widths").input("8,x").run()
    assert not at.exception and at.error and "whole number" in at.error[0].value


def test_vector_field_page_defaults_presets_and_spirals_comparison():
    at = ok(page("45_vector_fields.py"))
    assert len(at.get("plotly_chart")) == 2
    rows = at.dataframe[0].value
    assert list(rows["net"]) == ["1 vector-field layer × 24 anchors in 2D", "1 vector-field layer × 24 anchors in 3D"]
    assert list(rows["disc region cuts through the ring"])[0] == "5 of 5 seeds"
    at.selectbox(key="vf_preset").set_value("spirals").run()
    ok(at)
    names = list(at.dataframe[0].value["net"])
    assert names[1].startswith("tanh net 2-2-2-2")
    at.radio(key="vf_arrow_layer").set_value(1).run()
    ok(at)


def test_vector_field_page_bad_settings_are_messages():
    at = page("45_vector_fields.py", {"anchors": "64", "n": "30", "steps": "5"})
    assert not at.exception
    assert at.error and "anchors" in at.error[0].value
    at = page("45_vector_fields.py", {"lr": "nan", "method": "magic"})
    assert not at.exception and len(at.warning) >= 2
