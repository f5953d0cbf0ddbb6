"""Every experiment is a link: settings <-> URL query, presets as links, a copyable link box.

:func:`apply_link` runs before a page creates its widgets and :func:`publish_link` after it has
read them (``ui/lesson_page.py`` calls both). A URL that the page did not write itself (a shared
link, a preset link, a hand-edited address) is loaded into the widgets through their forms
(ui/form.py); each invalid value is replaced by its default and named in a warning.

A page binds one or more settings classes, each with its page default (its lesson's ``settings``
and ``view``). Their field names are the URL keys, so they must be disjoint; a key no bound class
knows is reported.

Why not Streamlit's ``bind="query-params"``: it names the URL key after the widget's key, and
widget keys are shared by every page of a session. The lessons share URL keys (``seed``,
``steps``, ``lr``, ``dataset``... with different ranges and types), and a bound value carries
over to the next page that binds the same key. The widgets do use Streamlit's
``persist_state="session"`` (ui/form.py), which keeps a page's settings when one comes back.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any, Callable, Mapping, Sequence
from urllib.parse import urlencode

import streamlit as st

from ui.common import folded, literal
from ui.form import Form
from vizcore.config import Preset, QueryConfig

SHARED_KEYS = ("preset", "present")  # handled here or by app.py, never config fields


def _written_key(page: str) -> str:
    return f"_link_written:{page}"


def check_disjoint(defaults: Sequence[QueryConfig]) -> None:
    """Raise ValueError (a programming error, not a user's) if two bound classes share a link key."""
    owner: dict[str, str] = {}
    for default in defaults:
        for f in fields(default):
            if f.name in owner or f.name in SHARED_KEYS:
                raise ValueError(f"Link key {f.name!r} of {type(default).__name__} is already used by "
                                 f"{owner.get(f.name, 'the link itself')}.")
            owner[f.name] = type(default).__name__


def _preset_configs(preset: Preset | QueryConfig, bases: list[QueryConfig]) -> list[QueryConfig]:
    """The bases with the preset's configs put in place of the bound configs of the same class."""
    given = preset.configs() if isinstance(preset, Preset) else (preset,)
    by_class = {type(c): c for c in given}
    return [by_class.get(type(base), base) for base in bases]


def read_link(defaults: Sequence[QueryConfig], query: Mapping[str, str],
              presets: Mapping[str, Preset | QueryConfig] | None = None,
              choices: Mapping[str, Sequence[Any]] | None = None) -> tuple[list[QueryConfig], str | None, list[str]]:
    """The bound configs a query describes, the preset key it started from (or None), and the warnings.

    Pure (no Streamlit): every accepted config passes ``check()``; nothing escapes but warnings.
    ``choices`` narrows a field to what this page offers (e.g. its datasets).
    """
    check_disjoint(defaults)
    warnings: list[str] = []
    bases = list(defaults)
    preset_key = query.get("preset")
    if preset_key is not None:
        if presets and preset_key in presets:
            bases = _preset_configs(presets[preset_key], bases)
        else:
            warnings.append(f"Ignored link setting preset={str(preset_key)[:40]!r}: no such preset on this page.")
            preset_key = None
    known = {f.name for base in bases for f in fields(base)}
    for key in query:
        if key not in known and key not in SHARED_KEYS:
            warnings.append(f"Ignored unknown link setting {str(key)[:40]!r}.")
    configs = []
    for base in bases:
        cfg, more = base.with_query(query, choices)
        configs.append(cfg)
        warnings += more
    return configs, preset_key, warnings


def apply_link(forms: Sequence[Form], page: str, presets: Mapping[str, Preset] | None = None,
               on_load: Callable[[list[QueryConfig], str | None], None] | None = None) -> list[str]:
    """Load the URL's settings into the forms' widgets if the URL came from outside; returns the warnings.

    ``?preset=key`` starts from that preset; other keys in the same URL override it. ``on_load(configs,
    preset_key)`` runs after loading, for widgets that are not one field each. The page's own address
    (after Back) and an address without settings (the sidebar's link to the page) change nothing: the
    widgets keep their values for the session.
    """
    query = {k: st.query_params[k] for k in st.query_params}
    written = st.session_state.get(_written_key(page))
    bare = not any(key not in SHARED_KEYS or key == "preset" for key in query)
    if query == written or (bare and written is not None):
        return []
    offers = {name: choices for form in forms for name, choices in form.offers.items()}
    configs, preset_key, warnings = read_link([form.default for form in forms], query, presets, offers)
    for cfg, form in zip(configs, forms):
        form.load(cfg, keep=bare)  # first visit without a link: keep whatever the session already set
    if presets is not None:
        forms[0].set("preset", preset_key if preset_key is not None else "custom")
    if on_load is not None:
        on_load(configs, preset_key)
    st.session_state[_written_key(page)] = query
    for w in warnings:
        st.warning(literal(w), icon=":material/link_off:")  # a link's values are a stranger's text
    return warnings


def link_params(configs: Sequence[QueryConfig], defaults: Sequence[QueryConfig] = ()) -> dict[str, str]:
    """The query of ``configs``: only the fields that differ from the defaults of the same class."""
    by_class = {type(d): d for d in defaults}
    params: dict[str, str] = {}
    for cfg in configs:
        params.update(cfg.changed(by_class.get(type(cfg))))
    return params


def write_link(configs: Sequence[QueryConfig], page: str, defaults: Sequence[QueryConfig] = ()) -> dict[str, str]:
    """Write ``configs`` into the URL, as the page's own address; returns the query.

    Only values that differ from the page's ``defaults`` go into the link.
    """
    params = link_params(configs, defaults)
    if st.session_state.get("present"):
        params["present"] = "1"
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
    st.session_state[_written_key(page)] = {k: str(v) for k, v in params.items()}
    return params


def publish_link(configs: Sequence[QueryConfig], page: str, defaults: Sequence[QueryConfig] = ()) -> str:
    """Write ``configs`` into the URL (:func:`write_link`) and show a copyable link; returns the query string."""
    query = urlencode(write_link(configs, page, defaults))
    # Drawn only while open: a code box costs the browser ~0.2 s of syntax highlighting before the first chart.
    link_box = folded("Link to this experiment", f"{page}:link_open", st.sidebar, icon=":material/link:")
    if link_box is None:
        return query
    base = (getattr(st.context, "url", None) or "").split("?")[0]
    with link_box:
        st.code(f"{base}?{query}" if query else base or "(defaults: the page address as it is)", language=None,
                wrap_lines=True)
        st.caption("Copy it with the button at the right of the box. Opening it reproduces this dataset, "
                   "net, seed and training exactly.")
    return query
