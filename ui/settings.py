"""Widgets built from a settings class: each field's range, choices, label and help are written once,
in its :func:`vizcore.config.setting`.

A page creates the widgets of the fields it offers, where it wants them
(``setting_widgets(TrajectoryConfig(), "tr_", ["dataset", "widths"], st.sidebar)``), then reads the
whole config back with :func:`config_from_widgets`. Widget keys are ``prefix + field name``; every
widget keeps its value for the whole session (``persist_state="session"``), so a page shows the
settings it had when the user comes back to it, and a field whose widget is hidden keeps its value.
"""
from __future__ import annotations

from dataclasses import Field, fields
from typing import Any, Iterable, Mapping

import streamlit as st

from vizcore.config import Preset, QueryConfig

PERSIST = "session"  # every settings widget keeps its value across page switches


def field_of(cfg: QueryConfig | type, name: str) -> Field:
    """The dataclass field ``name`` of a settings class or instance (its metadata describes its widget)."""
    for f in fields(cfg):
        if f.name == name:
            return f
    cls = cfg if isinstance(cfg, type) else type(cfg)
    raise KeyError(f"{cls.__name__} has no field {name!r}")


def _kind(f: Field, value: Any) -> str:
    meta = f.metadata
    if meta.get("widget"):
        return meta["widget"]
    if isinstance(value, bool):
        return "toggle"
    if meta.get("choices"):
        return "select"
    return "number" if isinstance(value, (int, float)) else "text"


def field_widget(default: QueryConfig, name: str, prefix: str = "", container=None, **override: Any) -> Any:
    """One field's widget (key ``prefix + name``), built from its setting; returns its value.

    ``override`` replaces any metadata item for this page (e.g. ``choices`` the page offers now,
    ``label``); ``names`` may also be a function from a choice to its words.
    """
    f = field_of(default, name)
    meta = {**f.metadata, **override}
    key = prefix + name
    value = st.session_state.setdefault(key, getattr(default, name))
    where = container or st.sidebar
    label = meta.get("label") or name.replace("_", " ").capitalize()
    common = dict(key=key, help=meta.get("help") or None, persist_state=PERSIST)
    kind = meta.get("widget") or _kind(f, value)
    names = meta.get("names") or {}
    words = names if callable(names) else (lambda choice: names.get(choice, str(choice)))
    if kind in ("select", "radio", "select_slider"):
        choices = list(meta["choices"])
        if kind == "select_slider":
            return where.select_slider(label, choices, format_func=words, **common)
        if kind == "radio":
            return where.radio(label, choices, format_func=words, horizontal=meta.get("horizontal", False), **common)
        return where.selectbox(label, choices, format_func=words, **common)
    if kind == "toggle":
        return where.toggle(label, **common)
    if kind == "text":
        return where.text_input(label, max_chars=meta.get("max_chars"), **common)
    lo, hi, step = meta.get("lo"), meta.get("hi"), meta.get("step")
    if isinstance(getattr(default, name), int):
        lo, hi, step = (None if v is None else int(v) for v in (lo, hi, step or 1))
    build = where.slider if kind == "slider" else where.number_input
    return build(label, lo, hi, step=step, format=meta.get("format"), **common)


def setting_widgets(default: QueryConfig, prefix: str = "", names: Iterable[str] | None = None,
                    container=None) -> None:
    """The widgets of ``names`` (default: every field), in order, in ``container`` (default: the sidebar)."""
    for name in names if names is not None else (f.name for f in fields(default)):
        field_widget(default, name, prefix, container)


def config_from_widgets(default: QueryConfig, prefix: str = "") -> QueryConfig:
    """The config the widgets hold now; a field without a widget keeps its value from the link or ``default``."""
    state = st.session_state
    return type(default)(**{f.name: state.setdefault(prefix + f.name, getattr(default, f.name))
                            for f in fields(default)})


def load_into_widgets(cfg: QueryConfig, prefix: str = "") -> None:
    """Write every field of ``cfg`` into the session state of its widget."""
    for f in fields(cfg):
        st.session_state[prefix + f.name] = getattr(cfg, f.name)


def matching_preset(presets: Mapping[str, Preset], prefix: str = "") -> str:
    """The preset whose every field equals the widget value in session state, else "custom".

    The preset picked last comes first, so of two presets with the same settings the picked one is named.
    """
    state = st.session_state
    current = state.get(prefix + "preset")
    for key in sorted(presets, key=lambda k: k != current):  # stable: otherwise in the lesson's order
        if all(state.get(prefix + f.name) == getattr(cfg, f.name) for cfg in presets[key].configs()
               for f in fields(cfg)):
            return key
    return "custom"


def preset_picker(presets: Mapping[str, Preset], prefix: str = "", container=None,
                  help: str = "A ready-made experiment; each is also a link (?preset=...). Changing any control "
                              "makes it your own.") -> str:
    """A "Preset" selectbox (key ``prefix + "preset"``) that loads the chosen preset into the widgets.

    It names the preset whose settings the widgets hold now (so a page opens on its named default,
    and says "custom settings" as soon as any control departs from every preset). Returns that key.
    """
    st.session_state[prefix + "preset"] = matching_preset(presets, prefix)

    def load() -> None:
        key = st.session_state[prefix + "preset"]
        if key in presets:
            for cfg in presets[key].configs():
                load_into_widgets(cfg, prefix)

    (container or st.sidebar).selectbox(
        "Preset", ["custom", *presets], key=prefix + "preset", on_change=load, help=help,
        format_func=lambda k: presets[k].title if k in presets else "custom settings")
    return st.session_state[prefix + "preset"]
