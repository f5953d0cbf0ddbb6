"""Uploads on the layers page: a user's CSV becomes the dataset; saved weights are continued from."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.pagetools import shown
from vizcore.export import weights_json
from vizcore.nets import MLP
from vizcore.runs import RunConfig, train_run

ROOT = Path(__file__).resolve().parent.parent


def _layers_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/10_layers.py")
    at.query_params["steps"] = "300"
    return at.run()


def _uploader(at: AppTest, key: str):
    return next(u for u in at.get("file_uploader") if u.proto.id.endswith(key) or key in u.proto.id)


def _blobs_csv() -> bytes:
    rng = np.random.default_rng(0)
    rows = [f"{x:.3f};{y:.3f};{'left' if x < 0 else 'right'}" for x, y in rng.uniform(-1, 1, (120, 2))]
    return ("x;y;side\n" + "\n".join(rows)).encode()


def test_uploaded_csv_becomes_the_dataset_and_a_bad_one_changes_nothing():
    at = _layers_page()
    _uploader(at, "csv_upload").set_value(("blobs.csv", _blobs_csv(), "text/csv")).run()
    assert not at.exception and not at.error
    assert at.sidebar.selectbox(key="dataset").value == "csv"
    good_id = at.session_state["data_id"]
    assert at.query_params["dataset"] == ["csv"] or at.query_params["dataset"] == "csv"
    assert float(at.metric[0].value.rstrip("%")) > 90  # one straight cut separates left from right

    _uploader(at, "csv_upload").set_value(("bad.csv", b"x,y,label\n1,2,a\n3,oops,b\n", "text/csv")).run()
    assert not at.exception
    messages = shown(" ".join(e.value for e in at.sidebar.error))
    assert "Row 3, column 2" in messages and "previous data" in messages
    assert at.session_state["data_id"] == good_id  # the page still shows the good upload
    assert at.sidebar.selectbox(key="dataset").value == "csv"


def test_saved_weights_are_continued_from():
    model = MLP(2, (2, 2, 2, 2), 2, seed=9)
    model.layers[0].weight.data *= 3  # far from any fresh initialisation
    at = _layers_page()
    _uploader(at, "weights_upload").set_value(("w.json", weights_json(model).encode(), "application/json")).run()
    assert not at.exception and not at.error and at.session_state["start_id"]
    cfg = RunConfig(**{f: at.session_state[f] for f in RunConfig.__dataclass_fields__})
    continued = train_run(cfg, start=model)
    fresh = train_run(replace(cfg, start_id=""))
    shown = at.metric[1].value  # "Final loss"
    assert shown == f"{continued.history.loss[-1]:.3g}" != f"{fresh.history.loss[-1]:.3g}"

    _uploader(at, "weights_upload").set_value(("w.json", b"\x80\x04pickle", "application/json")).run()
    assert not at.exception and any("not a weights file" in e.value for e in at.sidebar.error)
    assert at.metric[1].value == shown  # a bad file leaves the run as it was


def test_weights_of_another_architecture_switch_the_widgets_and_the_page_says_which_net_is_used():
    model = MLP(2, (3,), 2, seed=4)  # the page's default is 2-2-2-2
    at = _layers_page()
    _uploader(at, "weights_upload").set_value(("w.json", weights_json(model).encode(), "application/json")).run()
    assert not at.exception and not at.error
    assert at.sidebar.text_input(key="widths").value == "3"
    assert any("2-3-2 tanh" in i.value for i in at.info)
    at.sidebar.text_input(key="widths").set_value("2,2").run()  # asking for another net while they are loaded
    assert any("2-3-2 tanh" in shown(e.value) and "Hidden widths to 3" in e.value for e in at.error)
