"""A settings form: the widgets of one settings class on one page, and the only place that knows their keys.

Each field's range, choices, label and help are written once, in its :func:`vizcore.config.setting`;
the form builds its widget from them. A page places the widgets it offers where it wants them
(``form.widget("k", st.sidebar)`` returns the value, as a Streamlit widget does) and reads the whole
config back with :meth:`Form.config`. A link or a preset is loaded with :meth:`Form.load`.

Widget keys are ``prefix + field name`` (prefixes keep the lessons' fields apart in one session).
Every widget keeps its value for the whole session (``persist_state="session"``), so a page shows the
settings it had when the user comes back to it, and a field whose widget is hidden keeps its value.
"""
from __future__ import annotations

from dataclasses import Field, fields
from typing import Any, Callable, Iterable, Mapping, Sequence

import streamlit as st

from ui import first_paint
from vizcore.config import Preset, QueryConfig

PERSIST = "session"  # every settings widget keeps its value across page switches


def field_of(cfg: QueryConfig | type, name: str) -> Field:
    """The dataclass field ``name`` of a settings class or instance (its metadata describes its widget)."""
    for f in fields(cfg):
        if f.name == name:
            return f
    cls = cfg if isinstance(cfg, type) else type(cfg)
    raise KeyError(f"{cls.__name__} has no field {name!r}")


def _kind(meta: Mapping[str, Any], value: Any) -> str:
    if meta.get("widget"):
        return meta["widget"]
    if isinstance(value, bool):
        return "toggle"
    if meta.get("choices"):
        return "select"
    return "number" if isinstance(value, (int, float)) else "text"


class Form:
    """The widgets of the settings ``default`` (an instance: its values are the defaults) under ``prefix``."""

    def __init__(self, default: QueryConfig, prefix: str = "", offers: Mapping[str, Sequence[Any]] | None = None):
        self.default, self.prefix = default, prefix
        self.offers = dict(offers or {})  # choices narrowed to what the page offers (e.g. its datasets)
        self.names = tuple(f.name for f in fields(default))

    def key(self, name: str) -> str:
        """The session key of the widget ``name`` (a field, or a widget of the page's own such as "preset")."""
        return self.prefix + name

    def value(self, name: str) -> Any:
        """What the widget of field ``name`` holds (or the link's or default value, before it is drawn)."""
        return st.session_state.get(self.key(name), getattr(self.default, name))

    def set(self, name: str, value: Any) -> None:
        """Put ``value`` in the widget of ``name`` (before the widget is drawn in this run)."""
        st.session_state[self.key(name)] = value

    def load(self, cfg: QueryConfig, keep: bool = False) -> None:
        """Every field of ``cfg`` into its widget (with ``keep``, only where the session has no value yet)."""
        for name in self.names:
            if keep:
                st.session_state.setdefault(self.key(name), getattr(cfg, name))
            else:
                self.set(name, getattr(cfg, name))

    def holds(self, cfg: QueryConfig) -> bool:
        """Whether the widgets hold the settings ``cfg``, read as :meth:`config` reads them, in every field a preset
        sets (``setting(preset=True)``, the default; a field its class sets aside, such as a drawing kept while
        another dataset is shown, does not count)."""
        now = self.config()
        return all(getattr(now, f.name) == getattr(cfg, f.name) for f in fields(cfg) if f.metadata.get("preset", True))

    def config(self) -> QueryConfig:
        """The settings the widgets hold now; a field without a widget keeps its value from the link or default."""
        return type(self.default)(**{name: self.value(name) for name in self.names})

    def widget(self, name: str, where=None, *, label_visibility: str = "visible", **override: Any) -> Any:
        """The widget of field ``name`` in ``where`` (default: the sidebar); returns its value.

        ``override`` replaces any metadata item for this page (e.g. the ``choices`` it offers now, a
        ``label``); ``names`` may also be a function from a choice to its words.
        """
        if first_paint.active():
            first_paint.placeholder(where)
            return self.value(name)
        f = field_of(self.default, name)
        meta = {**f.metadata, **({"choices": self.offers[name]} if name in self.offers else {}), **override}
        key = self.key(name)
        value = st.session_state.setdefault(key, getattr(self.default, name))
        where = where or st.sidebar
        label = meta.get("label") or name.replace("_", " ").capitalize()
        common = dict(key=key, help=meta.get("help") or None, persist_state=PERSIST, label_visibility=label_visibility)
        kind = _kind(meta, value)
        names = meta.get("names") or {}
        words: Callable[[Any], str] = names if callable(names) else (lambda choice: names.get(choice, str(choice)))
        if kind in ("select", "radio", "select_slider"):
            choices = list(meta["choices"])
            if kind == "select_slider":
                return where.select_slider(label, choices, format_func=words, **common)
            if kind == "radio":
                return where.radio(label, choices, format_func=words, horizontal=meta.get("horizontal", False),
                                   **common)
            return where.selectbox(label, choices, format_func=words, **common)
        if kind == "toggle":
            return where.toggle(label, **common)
        if kind == "text":
            return where.text_input(label, max_chars=meta.get("max_chars"), **common)
        lo, hi, step = meta.get("lo"), meta.get("hi"), meta.get("step")
        if isinstance(getattr(self.default, name), int):
            lo, hi, step = (None if v is None else int(v) for v in (lo, hi, step or 1))
        build = where.slider if kind == "slider" else where.number_input
        return build(label, lo, hi, step=step, format=meta.get("format"), **common)

    def widgets(self, names: Iterable[str] | None = None, where=None) -> None:
        """The widgets of ``names`` (default: every field), in order, in ``where`` (default: the sidebar)."""
        for name in self.names if names is None else names:
            self.widget(name, where)


def _of_class(forms: Sequence[Form], cfg: QueryConfig) -> Form | None:
    return next((form for form in forms if type(form.default) is type(cfg)), None)


def matching_preset(forms: Sequence[Form], presets: Mapping[str, Preset]) -> str:
    """The preset whose every setting the forms' widgets hold, else "custom".

    The preset picked last comes first, so of two presets with the same settings the picked one is named.
    """
    current = st.session_state.get(forms[0].key("preset"))
    for key in sorted(presets, key=lambda k: k != current):  # stable: otherwise in the lesson's order
        if all(form is not None and form.holds(cfg)
               for cfg in presets[key].configs() for form in [_of_class(forms, cfg)]):
            return key
    return "custom"


def load_preset(forms: Sequence[Form], preset: Preset) -> None:
    """The preset's settings into the widgets of the forms of the same class (not the fields no preset sets)."""
    for cfg in preset.configs():
        form = _of_class(forms, cfg)
        if form is not None:
            for f in fields(cfg):
                if f.metadata.get("preset", True):
                    form.set(f.name, getattr(cfg, f.name))


def preset_picker(forms: Sequence[Form], presets: Mapping[str, Preset], where=None,
                  help: str = "A ready-made experiment; each is also a link (?preset=...). Changing any control "
                              "makes it your own.") -> str:
    """A "Preset" selectbox (key ``preset`` of the first form) that loads the chosen preset into the widgets.

    It names the preset whose settings the widgets hold now (so a page opens on its named default, and
    says "custom settings" as soon as any control departs from every preset). Returns that key.
    """
    key = forms[0].key("preset")
    st.session_state[key] = matching_preset(forms, presets)

    def load() -> None:
        if st.session_state[key] in presets:
            load_preset(forms, presets[st.session_state[key]])

    if first_paint.active():
        first_paint.placeholder(where)
        return st.session_state[key]
    (where or st.sidebar).selectbox(
        "Preset", ["custom", *presets], key=key, on_change=load, help=help,
        format_func=lambda k: presets[k].title if k in presets else "custom settings")
    return st.session_state[key]
