"""Upload widgets: a user's CSV as the dataset, saved weights to continue from.

Uploaded content is parsed by vizcore (never evaluated or unpickled) and kept in a
bounded store shared by the server's sessions, under a short fingerprint that goes
into the page's settings and link. A bad upload shows its error and changes nothing.
"""
from __future__ import annotations

import hashlib

import streamlit as st

from ui.cache import SharedCache
from vizcore import UserError, datasets
from vizcore.export import load_weights

STORE = SharedCache(max_entries=64, ttl=24 * 3600)


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def stored(kind: str, key: str):
    """The uploaded dataset or model stored under ``key``, or None."""
    if not key:
        return None
    hit = STORE.contains((kind, key))
    return STORE.get_or_compute((kind, key), lambda: None) if hit else None


def _accept(kind: str, upload, parse, prefix: str, field: str) -> None:
    data = upload.getvalue()
    key = fingerprint(data)
    seen = st.session_state.get(f"_{prefix}{kind}_seen")
    if seen == key:
        return
    st.session_state[f"_{prefix}{kind}_seen"] = key
    try:
        value = parse(data)
    except UserError as exc:
        st.session_state[f"_{prefix}{kind}_error"] = f"{upload.name}: {exc}"
        return
    st.session_state.pop(f"_{prefix}{kind}_error", None)
    STORE.get_or_compute((kind, key), lambda: value)
    st.session_state[prefix + field] = key
    if kind == "csv":
        st.session_state[prefix + "dataset"] = "csv"


def upload_controls(prefix: str = "", task: str = "classification") -> None:
    """Sidebar expander with the CSV and weights uploaders; call before the dataset widget."""
    with st.sidebar.expander("Your own data and saved weights"):
        csv_file = st.file_uploader(
            "CSV file", type=["csv", "txt"], key=f"{prefix}csv_upload",
            help="1 to 3 numeric coordinate columns, then a label column; comma or semicolon separated, "
                 "header optional, at most 20,000 rows and 10 classes.")
        if csv_file is not None:
            _accept("csv", csv_file, lambda d: datasets.from_csv(d, task=task), prefix, "data_id")
        weights_file = st.file_uploader("Weights (.json saved by this app)", type=["json"],
                                        key=f"{prefix}weights_upload",
                                        help="Training continues from these weights instead of a fresh start.")
        if weights_file is not None:
            _accept("weights", weights_file, lambda d: load_weights(d)[0], prefix, "start_id")
        if st.session_state.get(prefix + "start_id") and st.button("Start from fresh weights again",
                                                                   key=f"{prefix}forget_weights"):
            st.session_state[prefix + "start_id"] = ""
            st.session_state.pop(f"_{prefix}weights_seen", None)
    for kind in ("csv", "weights"):
        if st.session_state.get(f"_{prefix}{kind}_error"):
            st.sidebar.error(st.session_state[f"_{prefix}{kind}_error"] + " The previous data is still in use.")
