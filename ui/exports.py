"""Download buttons: the animation as offline HTML, metrics as CSV, weights as JSON."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from vizcore.export import history_csv, standalone_html, weights_json


def download_row(name: str, figure: Callable | None = None, run=None, trajectory=None, settings=None) -> None:
    """A row of download buttons; each file is built only when its button is clicked."""
    columns = st.columns(3)
    if figure is not None:
        columns[0].download_button("⬇ Animation (HTML, plays offline)", lambda: standalone_html(figure(), name),
                                   file_name=f"{name}.html", mime="text/html", on_click="ignore",
                                   key=f"dl_html_{name}")
    if run is not None:
        columns[1].download_button("⬇ Metrics (CSV)", lambda: history_csv(run.history, trajectory),
                                   file_name=f"{name}-metrics.csv", mime="text/csv", on_click="ignore",
                                   key=f"dl_csv_{name}")
        columns[2].download_button("⬇ Weights (JSON)", lambda: weights_json(run.model, settings),
                                   file_name=f"{name}-weights.json", mime="application/json", on_click="ignore",
                                   key=f"dl_weights_{name}")
