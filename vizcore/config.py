"""Frozen settings dataclasses that round-trip through a URL query string.

A lesson's settings are one ``QueryConfig`` subclass. Fields are declared with
:func:`setting`, which records the allowed range or choices and how the field is offered
as a widget (label, help, step, widget kind: ``ui/form.py`` builds the widget from
these, so a range is written once); ``from_query`` reads a
query mapping, keeps every valid value, and replaces anything invalid (text where a
number goes, NaN, 1e999, out of range, unknown names, huge strings, unknown keys)
by the default together with a warning that names the key.

A value in a link may be at most ``MAX_VALUE_CHARS`` long, or its field's ``max_chars`` if that is more
(a drawing's points need thousands). A field declared ``omit_default=True`` is left out of
``to_query()`` while it holds its default: a field added that way changes no existing query, so the
results shipped for the presets (keyed by their whole query) and the saved settings stay as they were.
"""
from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, Mapping, Sequence, TypeVar

from .errors import UserError

MAX_VALUE_CHARS = 200  # the longest link value, unless its field's max_chars allows more
C = TypeVar("C", bound="QueryConfig")


WIDGETS = ("number", "slider", "select", "select_slider", "radio", "text", "toggle")


def setting(default: Any, *, lo: float | None = None, hi: float | None = None,
            choices: Sequence[Any] | None = None, max_chars: int = 100, label: str = "", help: str = "",
            step: float | None = None, widget: str = "", names: Mapping[Any, str] | None = None,
            format: str | None = None, horizontal: bool = False, preset: bool = True,
            omit_default: bool = False) -> Any:
    """A dataclass field with its allowed range (numbers) or choices, kept in its metadata.

    The rest describes its widget: ``label`` (default: the field name), ``help``, ``step``,
    ``widget`` (one of WIDGETS; default: toggle for a bool, select for choices, number for a
    number, text for a string), ``names``, the words shown for some choices, ``format`` (printf-style,
    for numbers, e.g. "%.4f") and ``horizontal`` (radio choices side by side). ``preset=False``: where the
    viewer is in a result (a moment of training), which no preset sets and which never makes a page's
    settings "custom". ``omit_default``: left out of ``to_query()`` while at its default (see the module's doc).
    """
    if widget and widget not in WIDGETS:
        raise ValueError(f"widget must be one of {WIDGETS}; got {widget!r}")
    return field(default=default, metadata={"lo": lo, "hi": hi, "choices": tuple(choices) if choices else None,
                                            "max_chars": max_chars, "label": label, "help": help, "step": step,
                                            "widget": widget, "names": dict(names or {}), "format": format,
                                            "horizontal": horizontal, "preset": preset, "omit_default": omit_default})


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _parse(raw: str, kind: type) -> Any:
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError("expected true or false")
    if kind is int:
        value = float(raw)
        if not value.is_integer():
            raise ValueError("expected a whole number")
        return int(value)
    if kind is float:
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return value
    return raw


@dataclass(frozen=True)
class QueryConfig:
    """Base class: subclasses are frozen dataclasses whose fields use :func:`setting`."""

    def check(self) -> None:
        """Raise UserError naming the first field outside its range or choices."""
        for f in fields(self):
            value, meta = getattr(self, f.name), f.metadata
            if meta.get("choices") and value not in meta["choices"]:
                raise UserError(f"{f.name} must be one of {', '.join(map(str, meta['choices']))}; got {value!r}.")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if not math.isfinite(value):
                    raise UserError(f"{f.name} must be a finite number.")
                if meta.get("lo") is not None and value < meta["lo"]:
                    raise UserError(f"{f.name} must be at least {meta['lo']:g}; got {value:g}.")
                if meta.get("hi") is not None and value > meta["hi"]:
                    raise UserError(f"{f.name} must be at most {meta['hi']:g}; got {value:g}.")
            if isinstance(value, str) and len(value) > meta.get("max_chars", 100):
                raise UserError(f"{f.name} is too long ({len(value)} characters).")

    def to_query(self) -> dict[str, str]:
        """Every field as a string, for ``st.query_params`` (an ``omit_default`` field only when it is set)."""
        return {f.name: _text(getattr(self, f.name)) for f in fields(self)
                if not (f.metadata.get("omit_default") and getattr(self, f.name) == f.default)}

    def changed(self, base: QueryConfig | None = None) -> dict[str, str]:
        """Only the fields that differ from ``base`` (default: the class's defaults): short links."""
        mine, theirs = self.to_query(), (base if base is not None else type(self)()).to_query()
        return {f.name: _text(getattr(self, f.name)) for f in fields(self) if mine.get(f.name) != theirs.get(f.name)}

    def with_query(self: C, query: Mapping[str, str], allowed: Mapping[str, Sequence[Any]] | None = None
                   ) -> tuple[C, list[str]]:
        """This config with the query's values for its fields, and a warning per rejected value.

        Values that parse are first applied together and checked once (a field's range may
        depend on another's); only if that fails is each applied on its own, in field order,
        keeping this config's value where it does not fit. Keys that are not fields are skipped.
        ``allowed`` narrows a field to the values a page offers.
        """
        allowed = allowed or {}
        kinds = {f.name: type(f.default) for f in fields(self) if f.default is not MISSING}
        longest = {f.name: max(MAX_VALUE_CHARS, f.metadata.get("max_chars") or 0) for f in fields(self)}
        parsed, raws, warnings = {}, {}, []
        for key, raw in query.items():
            if key not in kinds:
                continue
            raw = str(raw)
            try:
                if len(raw) > longest[key]:
                    raise ValueError(f"{len(raw)} characters is too long")
                value = _parse(raw, kinds[key])
                if key in allowed and value not in allowed[key]:
                    raise ValueError("not offered on this page")
            except (ValueError, OverflowError) as exc:
                warnings.append(self._ignored(key, raw, exc))
                continue
            parsed[key], raws[key] = value, raw
        try:
            together = replace(self, **parsed)
            together.check()
            return together, warnings + together._set_aside(parsed, raws)
        except UserError:
            pass
        cfg, taken = self, {}
        for key in (f.name for f in fields(self) if f.name in parsed):
            try:
                candidate = replace(cfg, **{key: parsed[key]})
                candidate.check()
            except UserError as exc:
                warnings.append(cfg._ignored(key, raws[key], exc))
                continue
            cfg, taken[key] = candidate, parsed[key]
        return cfg, warnings + cfg._set_aside(taken, raws)

    def _set_aside(self, taken: Mapping[str, Any], raws: Mapping[str, str]) -> list[str]:
        """A warning for each value of ``taken`` that this config does not hold: its class sets a value aside where
        it does not apply (a drawing's points while another dataset is shown)."""
        return [f"Ignored link setting {key}={raws[key][:40]!r}: it does not apply with this link's other settings."
                for key, value in taken.items() if getattr(self, key) != value]

    def _ignored(self, key: str, raw: str, reason: Exception) -> str:
        return (f"Ignored link setting {key}={raw[:40]!r} ({str(reason)[:120]}); "
                f"using {getattr(self, key)!r}.")

    @classmethod
    def from_query(cls: type[C], query: Mapping[str, str], ignore: Sequence[str] = ()) -> tuple[C, list[str]]:
        """Settings from a query mapping, and one warning per key that was ignored."""
        known = {f.name for f in fields(cls)}
        unknown = [f"Ignored unknown link setting {key[:40]!r}." for key in query if key not in known
                   and key not in ignore]
        cfg, warnings = cls().with_query({k: v for k, v in query.items() if k not in ignore})
        return cfg, unknown + warnings


@dataclass(frozen=True)
class Preset:
    """A named, linkable experiment (``?preset=<key>``, the key it has in its lesson's PRESETS) and what to
    notice in it.

    ``config`` is one settings object, or a tuple of them when a page binds several classes
    (e.g. the net and the view); a page's classes that a preset leaves out keep their defaults.
    """

    title: str
    config: QueryConfig | tuple[QueryConfig, ...]
    notice: tuple[str, ...] = ()
    article: str = ""  # what the source article claims about this experiment ("" if it is the app's own)

    def configs(self) -> tuple[QueryConfig, ...]:
        return self.config if isinstance(self.config, tuple) else (self.config,)

    def bullets(self) -> str:
        """The notice lines as a markdown list."""
        return "\n".join(f"- {line}" for line in self.notice)

    def article_says(self) -> str:
        """What the source article claims of this experiment, or that the preset is this app's own."""
        return self.article or "nothing about this case: the preset is this app’s own."
