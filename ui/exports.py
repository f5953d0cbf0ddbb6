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
    buttons = []  # (label, data, file suffix, mime, key kind), drawn left to right
    if figure is not None:
        buttons.append((figure_label, lambda: standalone_html(figure(), name), ".html", "text/html", "html"))
    if table is not None:
        buttons.append(("⬇ Metrics (CSV)", table, "-metrics.csv", "text/csv", "csv"))
    if model is not None:
        buttons.append(("⬇ Weights (JSON)", lambda: weights_json(model(), settings), "-weights.json",
                        "application/json", "weights"))
    if not buttons:
        return
    row = st.container(horizontal=True)  # packed left to right, wrapping in a narrow column
    for label, data, suffix, mime, kind in buttons:
        row.download_button(label, data, file_name=f"{name}{suffix}", mime=mime, on_click="ignore",
                            key=f"dl_{kind}_{name}")
