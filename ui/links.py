"""Every experiment is a link: settings <-> URL query, presets as links, a copyable link box.

Call :func:`apply_link` before a page creates its widgets and :func:`publish_link` after
it has read them. A URL that the page did not write itself (a shared link, a preset
link, a hand-edited address) is loaded into the widgets; each invalid value is replaced
by its default and named in a warning.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Mapping
from urllib.parse import urlencode

import streamlit as st

from vizcore.config import QueryConfig

SHARED_KEYS = ("preset", "present")  # handled here or by app.py, never config fields


def _written_key(page: str) -> str:
    return f"_link_written:{page}"


def apply_link(cls: type[QueryConfig], page: str, prefix: str = "",
               presets: Mapping[str, QueryConfig] | None = None) -> list[str]:
    """Load the URL's settings into the widgets' session state if the URL came from outside.

    Returns the warnings (also shown on the page). ``?preset=key`` starts from that preset;
    other keys in the same URL override it.
    """
    query = {k: st.query_params[k] for k in st.query_params}
    if query == st.session_state.get(_written_key(page)):
        return []
    warnings = []
    base = cls()
    preset_key = query.get("preset")
    if preset_key is not None:
        if presets and preset_key in presets:
            base = presets[preset_key]
        else:
            warnings.append(f"Ignored link setting preset={preset_key[:40]!r}: no such preset on this page.")
    overrides = {k: v for k, v in query.items() if k not in SHARED_KEYS}
    cfg, more = cls.from_query({**base.to_query(), **overrides}) if overrides or preset_key else (base, [])
    warnings += more
    for f in fields(cfg):
        st.session_state[prefix + f.name] = getattr(cfg, f.name)
    if presets is not None:
        st.session_state[f"{prefix}preset"] = preset_key if preset_key in presets else "custom"
    st.session_state[_written_key(page)] = query
    for w in warnings:
        st.warning(w, icon="🔗")
    return warnings


def publish_link(cfg: QueryConfig, page: str) -> str:
    """Write ``cfg`` into the URL and show a copyable link in the sidebar; returns the query string."""
    params = cfg.changed()
    if st.session_state.get("present"):
        params["present"] = "1"
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
    st.session_state[_written_key(page)] = {k: str(v) for k, v in params.items()}
    query = urlencode(params)
    base = (getattr(st.context, "url", None) or "").split("?")[0]
    with st.sidebar.expander("🔗 Link to this experiment"):
        st.code(f"{base}?{query}" if query else base or "(defaults: the page address as it is)", language=None,
                wrap_lines=True)
        st.caption("Copy it with the button at the right of the box. Opening it reproduces this dataset, "
                   "net, seed and training exactly.")
    return query
