"""The one skeleton of every lesson page: link in, preset picker, widgets, computed call, view widgets, link out,
the drawing, the claims, what to notice, the downloads.

A page calls :func:`lesson_page` with its words and two functions: ``controls(form)`` places the
settings widgets (:class:`ui.form.Form`) and ``draw(shown)`` draws the result, placing the view
widgets (``shown.view_form``) where they belong in the drawing. Everything else, and the order of
it, is the same on every page. :class:`Shown` is what ``draw`` gets: the settings, the view form,
the result, and :meth:`Shown.derived` for anything computed from the result that is worth keeping
for the next visitor (a figure, a table).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager, Optional, Sequence

import pandas as pd
import streamlit as st

from ui import first_paint, shipped
from ui.boot import require_navigation
from ui.cache import SharedCache, log, named_cache
from ui.classroom import ask_the_class
from ui.common import progress_bar, user_errors
from ui.exports import Downloads, download_row
from ui.form import Form, preset_picker
from ui.links import apply_link, publish_link, read_link, write_link
from ui.presentation import presenting
from ui.screen import PROGRESS
from ui.syllabus import Entry, entry as entry_of
from ui.uploads import stored
from vizcore.config import QueryConfig
from vizcore.history import ProgressFn
from vizcore.lessons import Claim, Lesson

COMPUTE = "compute"  # the lesson function whose results are cached and shipped


ProgressDisplay = Callable[[str], ContextManager[ProgressFn]]  # label -> a context that yields the progress callback


def cached_with_progress(cache: SharedCache, key: Any, compute: Callable[[Any], Any], label: str,
                         display: ProgressDisplay = progress_bar) -> Any:
    """The value ``cache`` holds under ``key``, or ``compute(progress)`` under a progress bar (``display``) and kept
    there: a hit draws no bar. A UserError stops the page with its message."""
    hit, value = cache.lookup(key)
    if hit:
        return value
    with user_errors(), display(label) as progress:
        return cache.get_or_compute(key, lambda: compute(progress))


def _results(entry: Entry) -> SharedCache:
    """The server's cache of ``entry``'s lesson results, by settings."""
    return named_cache(f"{entry.name}.{COMPUTE}", entry.lesson.keep)


def result(entry: Entry, cfg: QueryConfig, label: str = "Training", display: ProgressDisplay = progress_bar) -> Any:
    """``entry.lesson.compute(cfg)`` under a progress bar (or ``display``), from the server's cache or the shipped
    results.

    Sessions asking for the same settings share one computation. A UserError stops the page with its message.
    """
    lesson: Lesson = entry.lesson
    cache = _results(entry)
    files = {kind: stored(kind, getattr(cfg, name)) for name, kind in lesson.uploads.items()}
    ships = bool(lesson.ship) and not any(getattr(cfg, name) for name in lesson.uploads)

    def compute(progress) -> Any:
        query = cfg.to_query()
        if ships:
            found, value = shipped.load(entry.name, COMPUTE, query)
            if found:
                cache.shipped += 1
                log(f"shipped {cache.name}")
                return value
        log(f"computing {cache.name}")
        value = lesson.compute(cfg, progress, **{kind: obj for kind, obj in files.items() if obj is not None})
        if ships and shipped.writing() and lesson.ships(cfg):
            shipped.save(entry.name, COMPUTE, query, value)
        return value

    return cached_with_progress(cache, cfg, compute, label, display)


@dataclass
class Shown:
    """What a page draws: its lesson, the settings, the view, the result, and the preset picked ("custom").

    ``draw`` may put in ``result`` the result joined with what it computed beside it (lesson 5's net in the
    other dimension, from :meth:`compute`): the claims and the notice read ``result`` after the drawing.
    """

    entry: Entry
    settings: QueryConfig
    view_form: Optional[Form]
    result: Any
    preset: str
    downloads: list[Downloads] = field(default_factory=list)

    @property
    def view(self) -> Optional[QueryConfig]:
        """The view settings the view widgets hold now."""
        return None if self.view_form is None else self.view_form.config()

    def derived(self, fn: Callable[..., Any], *args: Any, keep: int = 32, label: str = "") -> Any:
        """``fn(result, *args)``, kept in a shared cache under (these settings, ``args``).

        For figures and tables made from the result: the next visitor of the same link gets them at once.
        With ``label``, ``fn`` also gets a ``progress`` callback shown as a bar.
        """
        cache = named_cache(f"{fn.__module__}.{fn.__qualname__}", keep)
        key = (self.settings, args)
        if not label:
            with user_errors():
                return cache.get_or_compute(key, lambda: fn(self.result, *args))
        return cached_with_progress(cache, key, lambda progress: fn(self.result, *args, progress=progress), label)

    def beside(self, fn: Callable[..., Any], settings: QueryConfig, label: str, keep: int = 8) -> Any:
        """``fn(settings, progress)`` under a progress bar, kept in a shared cache under ``settings`` alone.

        For a longer computation next to the result that depends on fewer settings than the page's (lesson 8's
        table over seeds and depths ignores the depth and seed drawn): pass them with the others at their
        defaults, and changing those others reuses it.
        """
        cache = named_cache(f"{fn.__module__}.{fn.__qualname__}", keep)
        return cached_with_progress(cache, settings, lambda progress: fn(settings, progress=progress), label)

    def first_picture_drawn(self) -> None:
        """Everything drawn so far is the page's first picture: a browser's first view of the page ends here until
        the browser has painted it, then runs again whole (ui/first_paint.py)."""
        first_paint.picture_drawn()

    def compute(self, settings: QueryConfig, label: str = "Training") -> Any:
        """The lesson's result for other settings (a comparison the page draws beside this one)."""
        return result(self.entry, settings, label)


def warm_home_link(entry: Entry) -> bool:
    """Put into the server's caches what the first visitor of ``entry``'s home link would wait for: its shipped
    result and the first picture its lesson names (``Lesson.first_picture``). Returns whether the result ships;
    one that does not is left to its visitor (training here would hold up the server's start)."""
    lesson: Lesson = entry.lesson
    defaults = [lesson.settings] + ([lesson.view] if lesson.view is not None else [])
    configs, _, _ = read_link(defaults, {"preset": entry.preset}, lesson.presets, lesson.offers)
    found, value = shipped.load(entry.name, COMPUTE, configs[0].to_query())
    if not found:
        return False
    value = _results(entry).get_or_compute(configs[0], lambda: value)
    if lesson.first_picture is not None:
        Shown(entry, configs[0], None, value, entry.preset).derived(lesson.first_picture, *configs[1:])
    return True


def _attributed(who: str, said: str) -> str:
    """ "Article 003 says that …" for words written to follow "the article says", else "This app: …"."""
    return f"{who} says {said}" if said.startswith("that ") else f"{who}: {said}"


def claims_table(claims: Sequence[Claim]) -> pd.DataFrame:
    """One row per claim: what it is about (if any says), what is said and by whom, what was measured here,
    and whether the two agree (if any claim is a yes or no)."""
    sources = {c.source for c in claims}
    if "" in sources:  # some are this app's own words
        said = "said"
        words = {c: _attributed(c.source[0].upper() + c.source[1:], c.said) if c.source else
                 _attributed("This app", c.said) for c in claims}
    else:
        said = "the article says" + (f" ({next(iter(sources))})" if len(sources) == 1 else "")
        words = {c: c.said if len(sources) == 1 else f"{c.source}: {c.said}" for c in claims}
    rows = []
    for c in claims:
        row = {"": c.about} if any(x.about for x in claims) else {}
        row[said] = words[c]
        row["measured here"] = c.measured
        if any(x.agrees is not None for x in claims):
            row["agrees"] = {True: "✓ yes", False: "✗ no", None: "—"}[c.agrees]
        rows.append(row)
    return pd.DataFrame(rows)


def show_claims(claims: Sequence[Claim], title: str = "The article says … / measured here") -> None:
    """The claims as one table, the same on every page."""
    if claims:
        st.subheader(title)
        table = claims_table(claims)
        st.table(table.set_index("") if "" in table else table, hide_index="" not in table)


def show_notice(lines: Sequence[str]) -> None:
    if lines:
        st.subheader("What to notice")
        st.markdown("\n".join(line if line.startswith(("-", "*", "#")) else f"- {line}" for line in lines))


def lesson_page(page_file: str, *, intro: str, controls: Callable[[Form], Optional[QueryConfig]],
                draw: Callable[[Shown], Optional[QueryConfig]], label: Callable[[QueryConfig], str] | str = "Training",
                on_link: Callable[[list[QueryConfig], Optional[str]], None] | None = None,
                progress: ProgressDisplay = progress_bar, preset_help: str = "") -> Shown:
    """The lesson of ``page_file`` (a page's ``__file__``) as a page; returns what was shown (for tests).

    ``controls(form)`` places the settings widgets and may return the settings (default: what the form
    holds); ``draw(shown)`` draws, places the view widgets, may add ``Downloads`` to ``shown.downloads``
    and may return the view (default: what the view form holds). ``progress`` shows the computation's
    progress while it runs (default: a bar; lesson 6 also draws its loss curve live, ui/curves.live_loss);
    ``preset_help`` replaces the preset picker's help text.
    """
    require_navigation()
    entry = entry_of(page_file)
    lesson: Lesson = entry.lesson
    st.title(entry.title)
    st.markdown(intro)
    forms = [Form(lesson.settings, entry.prefix, lesson.offers)]
    if lesson.view is not None:
        forms.append(Form(lesson.view, entry.prefix if entry.view_prefix is None else entry.view_prefix))
    apply_link(forms, entry.name, lesson.presets, on_load=on_link)
    asked = forms[0].config()  # a file or a drawing is checked by its widgets, which part 1 leaves out
    first_paint.start(entry.name, allowed=not presenting() and getattr(asked, "dataset", "") != "drawn"
                      and not any(getattr(asked, name) for name in lesson.uploads))
    preset = preset_picker(forms, lesson.presets, st.sidebar, **({"help": preset_help} if preset_help else {}))
    settings = controls(forms[0]) or forms[0].config()
    # the address holds the settings while they compute, and if they stop the page (a drawing too small to train)
    write_link([settings, *(form.config() for form in forms[1:])], entry.name, lesson.configs())
    with st.container(key=PROGRESS):  # in one place, shown or not: the first picture stays where it is
        computed = result(entry, settings, label(settings) if callable(label) else label, progress)
    shown = Shown(entry, settings, forms[1] if len(forms) > 1 else None, computed, preset)
    voting = ask_the_class(shown)  # presenting: the class predicts before the picture (and the claims) answer
    view = None
    try:
        view = None if voting else draw(shown)
    finally:  # also when the drawing stops the page with a message: the link still says what was asked
        view = view or shown.view
        publish_link([c for c in (settings, view) if c is not None], entry.name, lesson.configs())
    if voting:
        return shown
    shown.first_picture_drawn()  # a page that did not say where its first picture ends: all of its drawing
    show_claims(lesson.claims(preset, shown.result, view))
    show_notice(lesson.notice(preset, shown.result, view))
    for item in shown.downloads:
        download_row(item)
    return shown
