"""Every experiment is a link: settings <-> URL query, presets as links, a copyable link box.

Call :func:`apply_link` before a page creates its widgets and :func:`publish_link` after
it has read them. A URL that the page did not write itself (a shared link, a preset
link, a hand-edited address) is loaded into the widgets; each invalid value is replaced
by its default and named in a warning.

Why not Streamlit's ``bind="query-params"``: it names the URL key after the widget's key, and
widget keys are shared by every page of a session. The lessons share URL keys (``seed``,
``steps``, ``lr``, ``dataset``... with different ranges and types), and a bound value carries
over to the next page that binds the same key. The widgets do use Streamlit's
``persist_state="session"`` (ui/settings.py), which keeps a page's settings when one comes back.

A page may bind one settings class (``apply_link(RunConfig, page=...)``) or several at
once, each with its page default and widget-key prefix
(``apply_link([(NET, "ls_"), (LandscapeConfig, "ls_")], page=...)``). Their field names
are the URL keys, so they must be disjoint; a key no bound class knows is reported.
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any, Callable, Mapping, Sequence, Union
from urllib.parse import urlencode

import streamlit as st

from vizcore.config import Preset, QueryConfig

SHARED_KEYS = ("preset", "present")  # handled here or by app.py, never config fields

Bindable = Union[type, QueryConfig]  # a QueryConfig subclass (default: its defaults) or the page's default instance
PresetLike = Union[Preset, QueryConfig, Sequence[QueryConfig]]  # a Preset, or its config(s) (matched by class)


def _written_key(page: str) -> str:
    return f"_link_written:{page}"


def _defaults_key(page: str) -> str:
    return f"_link_defaults:{page}"


def bindings(cls: Bindable | Sequence[tuple[Bindable, str]], prefix: str = "") -> list[tuple[QueryConfig, str]]:
    """[(default config, widget-key prefix)] from a class, a default instance or a sequence of such pairs.

    Raises ValueError (a programming error, not a user's) if two bound classes share a key.
    """
    pairs = [(cls, prefix)] if isinstance(cls, (type, QueryConfig)) else list(cls)
    out, owner = [], {}
    for item, pre in pairs:
        default = item() if isinstance(item, type) else item
        for f in fields(default):
            if f.name in owner or f.name in SHARED_KEYS:
                raise ValueError(f"Link key {f.name!r} of {type(default).__name__} is already used by "
                                 f"{owner.get(f.name, 'the link itself')}.")
            owner[f.name] = type(default).__name__
        out.append((default, pre))
    return out


def _preset_configs(preset: PresetLike, bases: list[QueryConfig]) -> list[QueryConfig]:
    """The bases with the preset's configs put in place of the bound configs of the same class."""
    given = (list(preset.configs()) if isinstance(preset, Preset) else [preset] if isinstance(preset, QueryConfig)
             else list(preset))
    by_class = {type(c): c for c in given}
    return [by_class.get(type(base), base) for base in bases]


def read_link(pairs: Sequence[tuple[QueryConfig, str]], query: Mapping[str, str],
              presets: Mapping[str, PresetLike] | None = None, choices: Mapping[str, Sequence[Any]] | None = None
              ) -> tuple[list[QueryConfig], str | None, list[str]]:
    """The bound configs a query describes, the preset key it started from (or None), and the warnings.

    Pure (no Streamlit): every accepted config passes ``check()``; nothing escapes but warnings.
    ``choices`` narrows a field to what this page offers (e.g. its datasets).
    """
    warnings: list[str] = []
    bases = [default for default, _ in pairs]
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


def apply_link(cls: Bindable | Sequence[tuple[Bindable, str]], page: str, prefix: str = "",
               presets: Mapping[str, PresetLike] | None = None, *, choices: Mapping[str, Sequence[Any]] | None = None,
               on_load: Callable[[list[QueryConfig], str | None], None] | None = None) -> list[str]:
    """Load the URL's settings into the widgets' session state if the URL came from outside.

    ``cls``: a QueryConfig class, the page's default instance of one, or a sequence of
    ``(class or default instance, widget-key prefix)`` pairs with disjoint fields. Returns the
    warnings (also shown on the page). ``?preset=key`` starts from that preset; other keys in
    the same URL override it. The preset picker's key is ``prefix + "preset"``. ``on_load(configs,
    preset_key)`` runs after loading, for widgets that are not one field each.

    The page's own address (after Back) and an address without settings (the sidebar's link to
    the page) change nothing: the widgets keep their values for the session (ui/settings.py).
    """
    pairs = bindings(cls, prefix)
    st.session_state[_defaults_key(page)] = {type(d): d for d, _ in pairs}
    query = {k: st.query_params[k] for k in st.query_params}
    written = st.session_state.get(_written_key(page))
    bare = not any(key not in SHARED_KEYS or key == "preset" for key in query)
    if query == written or (bare and written is not None):
        return []
    configs, preset_key, warnings = read_link(pairs, query, presets, choices)
    for cfg, (_, pre) in zip(configs, pairs):
        for f in fields(cfg):
            if bare:  # first visit without a link: keep whatever the session already set
                st.session_state.setdefault(pre + f.name, getattr(cfg, f.name))
            else:
                st.session_state[pre + f.name] = getattr(cfg, f.name)
    if presets is not None:
        st.session_state[f"{prefix}preset"] = preset_key if preset_key is not None else "custom"
    if on_load is not None:
        on_load(configs, preset_key)
    st.session_state[_written_key(page)] = query
    for w in warnings:
        st.warning(w, icon=":material/link_off:")
    return warnings


def link_params(configs: QueryConfig | Sequence[QueryConfig],
                defaults: QueryConfig | Sequence[QueryConfig] | None = None) -> dict[str, str]:
    """The query of ``configs``: only the fields that differ from the defaults (of the same class)."""
    configs = [configs] if isinstance(configs, QueryConfig) else list(configs)
    given = [] if defaults is None else [defaults] if isinstance(defaults, QueryConfig) else list(defaults)
    by_class = {type(d): d for d in given}
    params: dict[str, str] = {}
    for cfg in configs:
        base = by_class.get(type(cfg)) or type(cfg)()
        default = base.to_query()
        params.update({k: v for k, v in cfg.to_query().items() if default[k] != v})
    return params


def publish_link(cfg: QueryConfig | Sequence[QueryConfig], page: str,
                 defaults: QueryConfig | Sequence[QueryConfig] | None = None) -> str:
    """Write ``cfg`` (one config or several) into the URL and show a copyable link; returns the query string.

    Only values that differ from the page's defaults (those given to :func:`apply_link`, or
    ``defaults``) go into the link.
    """
    if defaults is None:
        defaults = list(st.session_state.get(_defaults_key(page), {}).values())
    params = link_params(cfg, defaults)
    if st.session_state.get("present"):
        params["present"] = "1"
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
    st.session_state[_written_key(page)] = {k: str(v) for k, v in params.items()}
    query = urlencode(params)
    base = (getattr(st.context, "url", None) or "").split("?")[0]
    with st.sidebar.expander("Link to this experiment", icon=":material/link:"):
        st.code(f"{base}?{query}" if query else base or "(defaults: the page address as it is)", language=None,
                wrap_lines=True)
        st.caption("Copy it with the button at the right of the box. Opening it reproduces this dataset, "
                   "net, seed and training exactly.")
    return query
