"""Download buttons: the animation as offline HTML, metrics as CSV, weights as JSON."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import streamlit as st

from vizcore.export import history_csv, standalone_html, weights_json

ANIMATION_LABEL = "⬇ Animation (HTML, plays offline)"


@dataclass
class Downloads:
    """A row of download buttons; each file is built only when its button is clicked.

    ``run`` (anything with ``.history`` and ``.model``) gives the metrics CSV and the weights. Results
    that are not one run give ``table`` (a callable returning CSV text, e.g. a table of seeds) and/or
    ``model`` (a callable returning the MLP to save) instead.
    """

    name: str
    figure: Any = None                    # a figure, or a callable returning one
    run: Any = None
    trajectory: Any = None                # [T, 2] weight-space path written beside the metrics
    settings: Optional[dict] = None       # saved with the weights
    table: Optional[Callable[[], str]] = None
    model: Optional[Callable[[], Any]] = None
    figure_label: str = ANIMATION_LABEL


def download_row(item: Downloads) -> None:
    table, model, figure = item.table, item.model, item.figure
    if table is None and item.run is not None:
        table = lambda: history_csv(item.run.history, item.trajectory)  # noqa: E731
    if model is None and item.run is not None:
        model = lambda: item.run.model  # noqa: E731
    buttons = []  # (label, data, file suffix, mime, key kind), drawn left to right
    if figure is not None:
        build = figure if callable(figure) else (lambda: figure)
        buttons.append((item.figure_label, lambda: standalone_html(build(), item.name), ".html", "text/html", "html"))
    if table is not None:
        buttons.append(("⬇ Metrics (CSV)", table, "-metrics.csv", "text/csv", "csv"))
    if model is not None:
        buttons.append(("⬇ Weights (JSON)", lambda: weights_json(model(), item.settings), "-weights.json",
                        "application/json", "weights"))
    if not buttons:
        return
    row = st.container(horizontal=True)  # packed left to right, wrapping in a narrow column
    for label, data, suffix, mime, kind in buttons:
        row.download_button(label, data, file_name=f"{item.name}{suffix}", mime=mime, on_click="ignore",
                            key=f"dl_{kind}_{item.name}")
