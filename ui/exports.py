"""Download buttons: the animation as offline HTML, metrics as CSV, weights as JSON."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from vizcore.export import history_csv, standalone_html, weights_json

ANIMATION_LABEL = "⬇ Animation (HTML, plays offline)"


def download_row(name: str, figure: Callable | None = None, run=None, trajectory=None, settings=None,
                 table: Callable[[], str] | None = None, model: Callable | None = None,
                 figure_label: str = ANIMATION_LABEL) -> None:
    """A row of download buttons; each file is built only when its button is clicked.

    ``run`` (anything with ``.history`` and ``.model``) gives the metrics CSV and the weights.
    Pages whose results are not one run pass ``table`` (a callable returning CSV text, e.g. a
    table of seeds) and/or ``model`` (a callable returning the MLP to save) instead.
    """
    if table is None and run is not None:
        table = lambda: history_csv(run.history, trajectory)  # noqa: E731
    if model is None and run is not None:
        model = lambda: run.model  # noqa: E731
    columns = st.columns(3)
    if figure is not None:
        columns[0].download_button(figure_label, lambda: standalone_html(figure(), name),
                                   file_name=f"{name}.html", mime="text/html", on_click="ignore",
                                   key=f"dl_html_{name}")
    if table is not None:
        columns[1].download_button("⬇ Metrics (CSV)", table,
                                   file_name=f"{name}-metrics.csv", mime="text/csv", on_click="ignore",
                                   key=f"dl_csv_{name}")
    if model is not None:
        columns[2].download_button("⬇ Weights (JSON)", lambda: weights_json(model(), settings),
                                   file_name=f"{name}-weights.json", mime="application/json", on_click="ignore",
                                   key=f"dl_weights_{name}")
