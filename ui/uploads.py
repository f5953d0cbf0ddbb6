"""Upload widgets: a user's CSV as the dataset, saved weights to continue from.

Uploaded content is parsed by vizcore (never evaluated or unpickled) and kept in a
bounded store shared by the server's sessions, under a short fingerprint that goes
into the page's settings and link. A bad upload shows its error and changes nothing.
"""
from __future__ import annotations

import hashlib
from typing import Any, Mapping, Sequence

import streamlit as st

from ui import first_paint
from ui.cache import SharedCache
from ui.common import literal
from ui.form import Form
from vizcore import UserError, datasets
from vizcore.csvdata import MAX_BYTES
from vizcore.export import load_weights

STORE = SharedCache(max_entries=64, ttl=24 * 3600)


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def stored(kind: str, key: str):
    """The uploaded dataset or model stored under ``key``, or None."""
    if not key:
        return None
    return STORE.get((kind, key))


def _accept(kind: str, upload, parse, form: Form, field: str, select: Mapping[str, Any]) -> None:
    data = upload.getvalue()
    key = fingerprint(data)
    state, seen, error = st.session_state, form.key(f"_{kind}_seen"), form.key(f"_{kind}_error")
    if state.get(seen) == key:
        return
    state[seen] = key
    try:
        value = parse(data)
    except UserError as exc:
        state[error] = f"{upload.name}: {exc}"
        return
    state.pop(error, None)
    STORE.get_or_compute((kind, key), lambda: value)
    form.set(field, key)
    if kind == "weights":  # the widgets show the architecture the weights belong to
        select = {"widths": ",".join(map(str, value.widths)), "activation": value.activation, **select}
    for name, chosen in select.items():
        form.set(name, chosen)


def _csv_parser(task: str, dims: Sequence[int]):
    return lambda data: datasets.from_csv(data, task=task, coords=dims)


CSV_HELP = {
    "classification": "1 to 3 numeric coordinate columns, then a label column; comma or semicolon separated, "
                      "header optional, at most 20,000 rows and 10 classes.",
    "regression": "One numeric x column, then a numeric target y; comma or semicolon separated, header optional, "
                  "points at 2 or more different x, at most 20,000 rows.",
}


def upload_controls(form: Form, task: str = "classification", dims: Sequence[int] = (1, 2, 3),
                    weights: bool = True, select: Mapping[str, Any] | None = None) -> None:
    """Sidebar expander with the CSV (and weights) uploaders; call before the widgets it sets.

    A good CSV is stored under its fingerprint in the form's ``data_id`` and the widgets in
    ``select`` (default: the dataset picker) are switched to it; good weights go to its
    ``start_id``. ``dims``: the numbers of coordinate columns the page accepts.
    """
    if first_paint.active():
        first_paint.placeholder()
        return
    select = {"dataset": "csv"} if select is None else select
    title = "Your own data and saved weights" if weights else "Your own data"
    with st.sidebar.expander(title):
        csv_file = st.file_uploader(f"CSV file (at most {MAX_BYTES // 1_000_000} MB)", type=["csv", "txt"],
                                    key=form.key("csv_upload"),
                                    help=CSV_HELP.get(task, CSV_HELP["classification"]))
        if csv_file is not None:
            _accept("csv", csv_file, _csv_parser(task, tuple(dims)), form, "data_id", select)
        if weights:
            weights_file = st.file_uploader(f"Weights (.json saved by this app, at most {MAX_BYTES // 1_000_000} MB)",
                                            type=["json"],
                                            key=form.key("weights_upload"),
                                            help="Training continues from these weights instead of a fresh start.")
            if weights_file is not None:
                _accept("weights", weights_file, lambda d: load_weights(d)[0], form, "start_id", {})
            if form.value("start_id") and st.button("Start from fresh weights again", key=form.key("forget_weights")):
                form.set("start_id", "")
                st.session_state.pop(form.key("_weights_seen"), None)
    for kind in ("csv", "weights"):
        error = st.session_state.get(form.key(f"_{kind}_error"))
        if error:
            st.sidebar.error(literal(error) + " The previous data is still in use.")  # a file's name, as written
