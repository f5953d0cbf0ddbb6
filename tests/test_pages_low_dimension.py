"""The low-dimension page trains its sweeps, shows table and charts, and opens a seed in the layer page."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180


@pytest.fixture(scope="module")
def page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.switch_page("pages/20_low_dimension.py")
    return at.run()


def test_default_claim_shows_a_seed_table_and_charts(page):
    assert not page.exception and not page.error
    table = page.dataframe[0].value
    assert list(table["architecture"]) == ["1 layer × 2", "2 layers × 2", "4 layers × 2", "1 layer × 3"]
    assert [c for c in table.columns if c.startswith("seed ")] == [f"seed {s}" for s in range(8)]
    assert list(table["agrees"]) == ["yes"] * 4
    charts = page.get("plotly_chart")
    assert len(charts) == 3  # accuracy strip, the thin-ring animation, the 3-unit lift


def test_other_claim_trains_when_chosen(page):
    page.radio(key="ld_claim").set_value("aba").run()
    assert not page.exception and not page.error
    assert list(page.dataframe[0].value["architecture"]) == ["1 unit", "2 units"]


def test_best_seed_button_loads_that_run_into_the_layer_page(page):
    page.radio(key="ld_claim").set_value("aba").run()
    page.selectbox(key="ld_open_aba").set_value("2 units").run()
    best = next(b for b in page.button if b.label.startswith("Best seed"))
    best.click().run()
    assert not page.exception
    assert page.session_state["widths"] == "2" and page.session_state["dataset"] == "line_aba"
    assert page.session_state["preset"] == "custom"
    assert page.title[0].value == "Layers as homeomorphisms"
