"""The low-dimension page trains its sweeps, shows table and charts, and opens a seed in the layer page."""
from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from streamlit.testing.v1 import AppTest

from pagetools import assert_clean, open_page
from vizcore.lessons.low_dimension import CLAIMS


@pytest.fixture(scope="module")
def page() -> AppTest:
    return open_page("20_low_dimension.py")


def seed_links(at: AppTest) -> dict[str, dict[str, str]]:
    """{"Best" | "Worst": the query of that seed's link to the layer page}."""
    return {link.proto.label.split()[0]: dict(parse_qsl(link.proto.query_string)) for link in at.get("page_link")
            if link.proto.page == "layers"}


def test_default_claim_shows_its_measurements_animations_and_table(page):
    assert_clean(page)
    table = page.dataframe[0].value
    assert list(table["architecture"]) == ["1 layer × 2", "2 layers × 2", "4 layers × 2", "1 layer × 3"]
    assert [c for c in table.columns if c.startswith("seed ")] == [f"seed {s}" for s in range(8)]
    assert list(table["agrees"]) == ["yes"] * 4
    measured = next(m.value for m in page.markdown if m.value.startswith("Measured over 8 seeds"))
    assert "**1 layer × 2** none of 8 at 100%" in measured
    charts = page.get("plotly_chart")
    assert len(charts) == 3  # the best failing seed and the best 3-unit seed, animated, then the accuracy strip


def test_other_claim_trains_when_chosen(page):
    page.radio(key="ld_claim").set_value("aba").run()
    assert_clean(page)
    assert list(page.dataframe[0].value["architecture"]) == ["1 unit", "2 units"]
    assert page.subheader[0].value == CLAIMS["aba"].statement


def test_seed_links_open_that_run_in_the_layer_page(page):
    page.radio(key="ld_claim").set_value("aba").run()
    page.selectbox(key="ld_arch").set_value(1).run()  # "2 units"
    best = seed_links(page)["Best"]
    assert best["dataset"] == "line_aba" and best["widths"] == "2"
    layers = assert_clean(open_page("10_layers.py", best))
    assert layers.title[0].value == "Layers as homeomorphisms"
    assert layers.session_state["widths"] == "2" and layers.session_state["dataset"] == "line_aba"
    assert layers.session_state["seed"] == int(best.get("seed", 0))
    assert not layers.warning, [w.value for w in layers.warning]


def test_coming_back_to_the_address_the_page_wrote_keeps_its_settings():
    """Browser Back from the layer page: the same address again, after Streamlit forgot the page's widgets."""
    at = open_page("20_low_dimension.py", {"claim": "tori", "arch": "2"})
    link = seed_links(at)["Best"]
    at.switch_page("pages/10_layers.py")
    at.query_params.clear()
    at.query_params.update(link)
    at.run()
    at.switch_page("pages/20_low_dimension.py")
    at.query_params.clear()
    at.query_params.update({"claim": "tori", "arch": "2"})
    at.run()
    assert_clean(at)
    assert not at.warning, [w.value for w in at.warning]
    picker = at.selectbox(key="ld_arch")
    assert at.radio(key="ld_claim").value == "tori" and picker.options[picker.value] == "2 layers × 4"


def test_topology_table_shows_each_architectures_classes_layer_by_layer():
    at = assert_clean(open_page("20_low_dimension.py", {"claim": "disc", "seeds": "8"}))
    assert not any("architecture (best seed)" in d.value.columns for d in at.dataframe)  # off until asked for
    at.toggle(key="ld_topology").set_value(True).run()
    table = next(d.value for d in at.dataframe if "architecture (best seed)" in d.value.columns)
    assert len(table) == len(CLAIMS["disc"].variants)
    assert set(table["input"]) == {"A: 1, 0 · B: 1, 1"}  # the disc and the ring, for every architecture's seed
