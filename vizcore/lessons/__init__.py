"""One module per lesson, each exporting ``LESSON``: a :class:`Lesson`, the contract between a lesson and its page.

A lesson is data and functions, no Streamlit: its settings (a default :class:`~vizcore.config.QueryConfig`,
which is also its link), its presets, one ``compute(settings, progress) -> result`` that the app caches,
shares between sessions and ships trained for the presets, and functions from that result to the
claims the page checks and the lines it asks the reader to notice, and the questions a class answers before
the picture does (:class:`Question`, asked from the projector by ``ui/classroom.py``). A page (``pages/``) only places
the widgets of the settings and draws the result (``ui/lesson_page.py`` does the rest the same way for
every lesson). Concepts live one level up, in :mod:`vizcore`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Mapping, Optional, Sequence, TypeVar

from ..config import Preset, QueryConfig

S = TypeVar("S", bound=QueryConfig)
R = TypeVar("R")


@dataclass(frozen=True)
class Claim:
    """One thing a page states, beside what this run measured.

    said     : what the source article states (or, with ``source=""``, what this app expects)
    measured : what was measured here, with its numbers
    agrees   : whether the measurement supports the statement; None where no yes/no applies
    about    : what the claim is about, when a page lists several (a head, an architecture)
    source   : e.g. "article 003"; "" for this app's own statement
    """

    said: str
    measured: str
    agrees: Optional[bool] = None
    about: str = ""
    source: str = ""


def band(value: float, edges: Sequence[float]) -> int:
    """How many of the ascending ``edges`` ``value`` reaches: the index of its choice when the choices are ranges
    in ascending order (``band(0.9, (0.7, 1.0))`` is 1, the choice "70% to 99.9%")."""
    return sum(value >= edge for edge in edges)


@dataclass(frozen=True)
class Question:
    """A question the class answers before the picture does; the live result decides which choice is right.

    prompt  : the question, about the preset it belongs to
    choices : two to four short answers
    answer  : ``answer(result) -> index`` of the right choice, from this result's numbers (never written by hand)
    why     : ``why(result) -> str``: the numbers that decided it, in a sentence or two
    picture : ``picture(result) -> figure``, what a phone shows after the reveal (None: the answer alone)
    """

    prompt: str
    choices: tuple[str, ...]
    answer: Callable[[Any], int]
    why: Callable[[Any], str]
    picture: Optional[Callable[[Any], Any]] = None

    def __post_init__(self) -> None:
        if not 2 <= len(self.choices) <= 4:
            raise ValueError(f"a question has 2 to 4 choices; {self.prompt[:40]!r} has {len(self.choices)}")

    def decide(self, result: Any) -> tuple[int, str]:
        """The index of the right choice for ``result``, and why."""
        index = int(self.answer(result))
        if not 0 <= index < len(self.choices):
            raise ValueError(f"answer {index} is not one of the {len(self.choices)} choices of {self.prompt[:40]!r}")
        return index, self.why(result)


def no_claims(preset: str, result: Any, view: Any = None) -> Sequence[Claim]:
    return ()


def no_notice(preset: str, result: Any = None, view: Any = None) -> Sequence[str]:
    return ()


def preset_notice(presets: Mapping[str, Preset], custom: Sequence[str] = ()) -> Callable[..., Sequence[str]]:
    """A ``notice`` function that gives the picked preset's lines as they are (``custom`` for other settings)."""
    def notice(preset: str, result: Any = None, view: Any = None) -> Sequence[str]:
        return presets[preset].notice if preset in presets else tuple(custom)
    return notice


@dataclass(frozen=True)
class Lesson(Generic[S, R]):
    """What a page needs of a lesson.

    settings : the default settings; their fields are the link's keys, and ``compute`` depends on them alone
    compute  : ``compute(settings, progress=None) -> result``, deterministic; the app caches it by settings
    presets  : named settings (``?preset=<key>``), each with what to notice in it
    view     : the default view settings, if the page offers any: what it shows of a result (a step, a seed, a
               projection); also in the link, never a reason to compute again
    claims   : ``claims(preset_key, result, view) -> [Claim]``, rendered as one table on every page
    notice   : ``notice(preset_key, result, view) -> [markdown line]``: what to notice (key "custom": no preset)
    keep     : how many results a server keeps in memory (shared by its sessions)
    ship     : the presets' results ship with the app (``ui/shipped_results``), so a cold server draws them at once;
               or the keys of the presets whose results ship (a lesson whose results are large ships its home link's)
    offers   : the choices this lesson offers for some settings fields, when fewer than the field allows
    uploads  : the settings fields that name an uploaded file, and its kind (``{"data_id": "csv"}``): ``compute``
               then takes the stored objects as keyword arguments, e.g. ``compute(cfg, progress, csv=dataset)``
    questions: ``{preset_key: Question}``, what a class can be asked before that preset's picture answers it
    first_picture: ``first_picture(result, view)``, what the page derives from its result (``Shown.derived``) for
               its first picture, when that takes long: a server computes it for the home link before it serves
    """

    settings: S
    compute: Callable[..., R]
    presets: Mapping[str, Preset]
    view: Optional[QueryConfig] = None
    claims: Callable[..., Sequence[Claim]] = no_claims
    notice: Callable[..., Sequence[str]] = no_notice
    keep: int = 32
    ship: bool | tuple[str, ...] = True
    offers: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    uploads: Mapping[str, str] = field(default_factory=dict)
    questions: Mapping[str, Question] = field(default_factory=dict)
    first_picture: Optional[Callable[..., Any]] = None

    def shipped_presets(self) -> tuple[str, ...]:
        """The keys of the presets whose results ship with the app."""
        return tuple(self.presets) if self.ship is True else tuple(self.ship or ())

    def ships(self, settings: QueryConfig) -> bool:
        """Whether a result computed for ``settings`` on a preset's page ships (``ship=True``: all of them, also
        what a page computes beside its preset; else only the named presets' own settings)."""
        if self.ship is True:
            return True
        return any(settings in self.presets[key].configs() for key in self.shipped_presets())

    def configs(self) -> tuple[QueryConfig, ...]:
        """The default settings and view: the classes a link of this lesson binds."""
        return (self.settings,) if self.view is None else (self.settings, self.view)
