"""The topology claims of lesson 3 as data, and their multi-seed verdicts.

Each :class:`Claim` names a dataset and several architectures (:class:`Variant`), some
expected to fail whatever the seed, some expected to succeed. :func:`run_claim` trains
every variant over many seeds with :func:`vizcore.sweeps.fit_many`; :func:`summary`
turns the result into the table the lesson shows. Seed s of a variant is exactly the
run ``vizcore.runs.train_run(claim.run_config(variant, s))`` (same data sample, same
initial weights), so any row can be opened in the layer animation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from .config import QueryConfig, setting
from .errors import UserError
from .runs import RunConfig
from .sweeps import Sweep, fit_many
from .train import ProgressFn

SUCCESS = 0.99  # a run "separates" the classes when at least this fraction is right
SEED_COUNTS = (8, 16, 32, 64)  # seeds per architecture the lesson offers


@dataclass(frozen=True)
class Variant:
    """One architecture of a claim: hidden widths (and, for spirals, how many turns)."""

    label: str
    widths: tuple[int, ...]
    expect: str  # "fails" or "succeeds"
    turns: float = 0.75


@dataclass(frozen=True)
class Claim:
    """A statement about what low-dimensional tanh nets can or cannot separate."""

    key: str
    title: str
    statement: str
    why: str
    dataset: str
    n: int
    variants: tuple[Variant, ...]
    steps: int = 2000
    lr: float = 0.03
    noise: float = 0.0

    def run_config(self, variant: Variant, seed: int, steps: Optional[int] = None) -> RunConfig:
        """The single run behind seed ``seed`` of ``variant`` (for the layer animation page)."""
        return RunConfig(dataset=self.dataset, n=self.n, noise=self.noise, turns=variant.turns,
                         widths=",".join(map(str, variant.widths)), activation="tanh", seed=int(seed),
                         steps=int(steps or self.steps), lr=self.lr, optimizer="adam")

    def variant(self, label: str) -> Variant:
        return next(v for v in self.variants if v.label == label)


CLAIMS: dict[str, Claim] = {c.key: c for c in (
    Claim("disc", "A disc inside a ring",
          "Hidden layers of 2 units never reach 100% on a dense sample, however many layers; "
          "one layer of 3 units nearly always does.",
          "Every 2-unit tanh layer is a homeomorphism of the plane (or a collapse), and no homeomorphism "
          "of the plane takes the disc out of the ring, so no straight line can split them. A third "
          "dimension lets the net lift the disc above the ring.",
          "disc_annulus", 1000,
          (Variant("1 layer × 2", (2,), "fails"), Variant("2 layers × 2", (2, 2), "fails"),
           Variant("4 layers × 2", (2, 2, 2, 2), "fails"), Variant("1 layer × 3", (3,), "succeeds"))),
    Claim("aba", "A, then B, then A on a line",
          "One hidden unit cannot separate A-B-A; two units can.",
          "One unit maps the line to the line keeping or reversing its order, so B stays between the two "
          "A's and no single threshold splits them. Two units bend the line into a curve in the plane, "
          "and a straight line can cut the bend.",
          "line_aba", 400,
          (Variant("1 unit", (1,), "fails"), Variant("2 units", (2,), "succeeds"))),
    Claim("tori", "Two linked tori",
          "Layers of 3 units cannot pull the linked tori apart cleanly, however many; layers of 4 units can.",
          "A 3-unit layer is a homeomorphism of space (unless it collapses it), and no homeomorphism of "
          "space unlinks a link. In 4 dimensions there is room to pass one ring past the other; a second "
          "4-unit layer then makes the unlinked rings separable by a flat cut.",
          "linked_tori", 800,
          (Variant("1 layer × 3", (3,), "fails"), Variant("3 layers × 3", (3, 3, 3), "fails"),
           Variant("2 layers × 4", (4, 4), "succeeds"))),
    Claim("spirals", "Two spirals",
          "A 2-2-2-2 tanh net separates slightly entangled spirals; with more turns it fails; more width "
          "fixes it.",
          "The plane is enough in principle (the spirals are not linked), but unwinding tight turns with "
          "only 2 units per layer is a hard path for training to find; wider layers give it room.",
          "spirals", 400,
          (Variant("2-2-2-2, 0.5 turns", (2, 2, 2, 2), "succeeds", turns=0.5),
           Variant("2-2-2-2, 1.25 turns", (2, 2, 2, 2), "fails", turns=1.25),
           Variant("8-8-8-8, 1.25 turns", (8, 8, 8, 8), "succeeds", turns=1.25))),
)}


@dataclass(frozen=True)
class LowDimConfig(QueryConfig):
    """The lesson's shareable settings: which claim, how many seeds, and which architecture is picked.

    ``arch`` indexes ``CLAIMS[claim].variants`` (the architecture whose best or worst seed
    can be opened in the layer animation).
    """

    claim: str = setting("disc", choices=tuple(CLAIMS))
    seeds: int = setting(SEED_COUNTS[0], choices=SEED_COUNTS)
    arch: int = setting(0, lo=0, hi=max(len(c.variants) for c in CLAIMS.values()) - 1)

    def check(self) -> None:
        super().check()
        count = len(CLAIMS[self.claim].variants)
        if self.arch >= count:
            raise UserError(f"arch must be below {count} for the claim {self.claim!r}; got {self.arch}.")


def run_variant(claim: Claim, variant: Variant, seeds, steps: Optional[int] = None,
                progress: Optional[ProgressFn] = None, dtype: str = "float64") -> Sweep:
    """Train ``variant`` once per seed, each on its own data sample, as one batched computation.

    float64 by default so that every seed equals, to rounding, the single run the layer
    page trains for ``claim.run_config(variant, seed)``.
    """
    configs = [claim.run_config(variant, s, steps) for s in seeds]
    data = [cfg.make_dataset() for cfg in configs]
    return fit_many(data, variant.widths, [cfg.seed for cfg in configs], steps=configs[0].steps, lr=claim.lr,
                    progress=progress, dtype=dtype)


def run_claim(claim: Claim, seeds, steps: Optional[int] = None, progress: Optional[ProgressFn] = None,
              dtype: str = "float64") -> dict[str, Sweep]:
    """One Sweep per variant label; ``progress(done, total, loss)`` counts steps over all variants."""
    total = len(claim.variants) * int(steps or claim.steps)
    sweeps = {}
    for k, variant in enumerate(claim.variants):
        offset = k * int(steps or claim.steps)
        report = None if progress is None else (lambda done, _, loss, o=offset: progress(o + done, total, loss))
        sweeps[variant.label] = run_variant(claim, variant, seeds, steps, report, dtype)
    return sweeps


@dataclass(frozen=True)
class Row:
    """Verdict of one variant over its seeds.

    accuracy : float32 [S] final training accuracy of each seed
    """

    label: str
    expect: str
    seeds: np.ndarray
    accuracy: np.ndarray
    diverged: int

    @property
    def best(self) -> float:
        return float(self.accuracy.max())

    @property
    def median(self) -> float:
        return float(np.median(self.accuracy))

    @property
    def success_rate(self) -> float:
        """Fraction of seeds at or above :data:`SUCCESS`."""
        return float((self.accuracy >= SUCCESS).mean())

    @property
    def best_seed(self) -> int:
        return int(self.seeds[int(np.argmax(self.accuracy))])

    @property
    def worst_seed(self) -> int:
        return int(self.seeds[int(np.argmin(self.accuracy))])

    @property
    def perfect(self) -> int:
        """How many seeds classify every point correctly."""
        return int((self.accuracy >= 1.0).sum())

    @property
    def holds(self) -> bool:
        """Does this row agree with the claim? "fails": no seed perfect; "succeeds": most seeds ≥ 99%."""
        return self.perfect == 0 if self.expect == "fails" else self.success_rate >= 0.5


def summary(claim: Claim, sweeps: dict[str, Sweep]) -> list[Row]:
    """One Row per variant of ``claim``, in the claim's order."""
    return [Row(v.label, v.expect, sweeps[v.label].seeds, sweeps[v.label].final_accuracy,
                int((sweeps[v.label].diverged_at > 0).sum())) for v in claim.variants]


def table(rows: list[Row]) -> list[dict]:
    """The summary as plain records (architecture x seeds, then best, median, share ≥ 99%)."""
    records = []
    for row in rows:
        record = {"architecture": row.label, "expected": row.expect}
        record.update({f"seed {s}": round(float(a), 4) for s, a in zip(row.seeds, row.accuracy)})
        record.update({"best": round(row.best, 4), "median": round(row.median, 4),
                       f"≥ {SUCCESS:.0%}": round(row.success_rate, 3), "agrees": "yes" if row.holds else "no"})
        records.append(record)
    return records
