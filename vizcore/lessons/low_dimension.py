"""Lesson 2, what low dimension forbids: its topology claims as data, and their multi-seed verdicts.

Each :class:`TopologyClaim` names a dataset and several architectures (:class:`Variant`), some
expected to fail whatever the seed, some expected to succeed. :func:`run_claim` trains
every variant over many seeds with :func:`vizcore.sweeps.fit_many`; :func:`summary`
turns the result into the table the lesson shows. Seed s of a variant is exactly the
run ``vizcore.runs.train_run(claim.seed_config(label, s))`` (same data sample, same
initial weights), so any row can be opened in the layer animation (lesson 1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional, Sequence

import numpy as np

from ..config import Preset, QueryConfig, setting
from ..datasets import subsample
from ..figures.layers import layer_animation
from ..figures.low_dimension import accuracy_strip
from ..figures.spec import Spec
from ..figures.style import class_name, percent  # noqa: F401  (percent: public here, pages use it)
from ..history import ProgressFn, stages
from ..layers import Animation, animate, layer_facts
from ..nets import MLP
from ..runs import RunConfig
from ..sweeps import Sweep, fit_many
from ..topology import betti_per_layer, layer_clouds
from . import Claim, Lesson, Question
from .layers import BETTI_METHOD, TOPOLOGY_POINTS, TOPOLOGY_SEED

SUCCESS = 0.99  # the accuracy line the lesson draws; a claim's words speak of 100%
SEED_COUNTS = (8, 16, 32, 64)  # seeds per architecture the lesson offers


@dataclass(frozen=True)
class Variant:
    """One architecture of a claim: hidden widths (and, for spirals, how many turns)."""

    label: str
    widths: tuple[int, ...]
    expect: str  # "fails" or "succeeds"
    turns: float = 0.75


@dataclass(frozen=True)
class TopologyClaim:
    """A statement about what low-dimensional tanh nets can or cannot separate."""

    key: str
    title: str
    statement: str
    why: str
    dataset: str
    n: int
    variants: tuple[Variant, ...]
    notes: tuple[str, str] = ("", "")  # what to see in the best failing seed, and in the last variant's best seed
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

    def seed_config(self, label: str, seed: int) -> RunConfig:
        """The single run behind seed ``seed`` of the variant named ``label``."""
        return self.run_config(self.variant(label), seed)


# Each statement speaks of 100% training accuracy: "never" means no seed reaches it, "most
# seeds" more than half of them (``Row.holds``). tests/test_experiments.py trains every claim
# over the lesson's default seeds and checks that the numbers support these words.
CLAIMS: dict[str, TopologyClaim] = {c.key: c for c in (
    TopologyClaim("disc", "A disc inside a ring",
          "Hidden layers of 2 units never reach 100% on a dense sample, however many layers; "
          "one layer of 3 units reaches 100% on most seeds.",
          "A 2-unit tanh layer whose W is invertible is a homeomorphism of the plane onto its image, the open "
          "square (−1, 1)²: it stretches and squeezes without tearing, so the ring still surrounds the disc "
          "and no straight line can split them. (The article, which states this for square, non-singular W, "
          "calls the layer a homeomorphism; onto its image is what it is, and all the argument needs.) "
          "A singular W first flattens the plane onto a line, where disc and ring points take the same "
          "values. A third unit lets the net lift the disc out of the plane, above the ring, where a flat "
          "plane cuts between them.",
          "disc_annulus", 1000,
          (Variant("1 layer × 2", (2,), "fails"), Variant("2 layers × 2", (2, 2), "fails"),
           Variant("4 layers × 2", (2, 2, 2, 2), "fails"), Variant("1 layer × 3", (3,), "succeeds")),
          notes=("The ring cannot open, so training squeezes part of it thin and lets the line cut through there.",
                 "Three units bend the plane into 3D, where a flat plane slices the disc off. Drag to rotate.")),
    TopologyClaim("aba", "A, then B, then A on a line",
          "One hidden unit never separates A-B-A; two units reach 100% on most seeds.",
          "One unit maps the line into the line by an increasing or a decreasing function (or a constant), "
          "so B stays between the two A's and no single threshold splits them. Two units bend the line "
          "into a curve in the plane, and a straight line can cut the bend.",
          "line_aba", 400,
          (Variant("1 unit", (1,), "fails"), Variant("2 units", (2,), "succeeds")),
          notes=("One unit only stretches or flips the line: one group of A stays on B's side of every cut.",
                 "Two units bend the line into a curve in the plane; the cut crosses the bend.")),
    TopologyClaim("tori", "Two linked tori",
          "Layers of 3 units never reach 100% on the linked tori, however many; two layers of 4 units reach "
          "100% on most seeds.",
          "A 3-unit tanh layer whose W is invertible is a homeomorphism of space onto its image, the open "
          "cube (−1, 1)³, so the tori stay linked, and two linked rings cannot lie on opposite sides of a "
          "plane. A singular W flattens space onto a plane or a line, where the shadows of linked rings "
          "overlap. Four units embed the tori in four dimensions, where linked rings can be pulled apart: "
          "the article says a fourth dimension is needed; here two 4-unit layers reach 100% on most seeds.",
          "linked_tori", 800,
          (Variant("1 layer × 3", (3,), "fails"), Variant("3 layers × 3", (3, 3, 3), "fails"),
           Variant("2 layers × 4", (4, 4), "succeeds")),
          notes=("Three units keep the rings linked, so some points always end on the wrong side of the plane.",
                 "Four dimensions cannot be drawn, so each frame is projected onto the same three directions; "
                 "the rings may look crossed in the picture.")),
    TopologyClaim("spirals", "Two spirals",
          "A 2-2-2-2 tanh net reaches 100% on spirals of half a turn on most seeds; at 1.25 turns it never "
          "does here; layers of 8 units reach 100% on most seeds.",
          "Topology does not forbid this one: the spirals are not linked, and a homeomorphism of the plane "
          "can unwind them. But unwinding many turns with 2 units per layer is a path that 2,000 Adam steps "
          "did not find here (the article shows the same failure on more tangled spirals); wider layers "
          "make it easy.",
          "spirals", 400,
          (Variant("2-2-2-2, 0.5 turns", (2, 2, 2, 2), "succeeds", turns=0.5),
           Variant("2-2-2-2, 1.25 turns", (2, 2, 2, 2), "fails", turns=1.25),
           Variant("8-8-8-8, 1.25 turns", (8, 8, 8, 8), "succeeds", turns=1.25)),
          notes=("Two units per layer do not unwind 1.25 turns here: part of an arm ends on the wrong side.",
                 "Eight units per layer unwind the same spirals.")),
)}


@dataclass(frozen=True)
class LowDimConfig(QueryConfig):
    """The lesson's shareable settings: which claim, and how many seeds train each of its architectures."""

    claim: str = setting("disc", choices=tuple(CLAIMS), widget="radio", horizontal=True, label="Claim",
                         names={k: c.title for k, c in CLAIMS.items()})
    seeds: int = setting(SEED_COUNTS[0], choices=SEED_COUNTS, widget="select_slider", label="Seeds per architecture",
                         help="More seeds take longer: 64 seeds of the disc take about a second.")


@dataclass(frozen=True)
class LowDimView(QueryConfig):
    """Which architecture of the claim (an index into ``CLAIMS[claim].variants``) the page offers to open in the
    layer animation; one beyond the claim's architectures is shown as 0, with a warning."""

    arch: int = setting(0, lo=0, hi=max(len(c.variants) for c in CLAIMS.values()) - 1, label="Architecture")


# What the article says of each claim ("" where the claim is this app's own measurement).
ARTICLE = {
    "disc": "that a net whose layers have two units cannot separate the disc from the ring, whatever its depth, "
            "and that its net settled in a poor local minimum at about 80% accuracy (article 003).",
    "aba": "that this 1D set cannot be classified without a layer of two or more units (article 003).",
    "tori": "that the linked tori can be separated only in a fourth dimension (article 003).",
    "spirals": "that a net with four hidden layers turns two slightly tangled spirals into linearly separable "
               "ones, that a deep net fails on more tangled ones, and that low-dimensional layers, though they "
               "can, separate spirals only with difficulty (article 003).",
}
PRESETS: dict[str, Preset] = {key: Preset(claim.title, LowDimConfig(claim=key), article=ARTICLE[key])
                              for key, claim in CLAIMS.items()}  # ?preset=disc, aba, tori, spirals


@dataclass(eq=False)
class ClaimSweeps:
    """Every architecture of ``claim`` trained over ``seeds`` seeds (one Sweep per variant label)."""

    claim: TopologyClaim
    sweeps: dict[str, Sweep]

    @property
    def rows(self) -> list[Row]:
        return summary(self.claim, self.sweeps)

    def model(self, label: str, seed: int) -> MLP:
        return seed_model(self.sweeps, label, seed)


def train(cfg: LowDimConfig, progress: Optional[ProgressFn] = None) -> ClaimSweeps:
    """Lesson 2's result: the claim's sweeps over seeds 0 .. seeds-1 (float32 for speed)."""
    cfg.check()
    claim = CLAIMS[cfg.claim]
    return ClaimSweeps(claim, run_claim(claim, range(cfg.seeds), progress=progress, dtype="float32"))
# Two animations side by side: points per frame (2D / 3D data), 6 frames per phase and a coarser grid than
# lesson 1's (4 layers × 2: 1.1 MB, not 1.8 MB).
ANIMATION_POINTS = {2: 400, 3: 300}
FRAMES_PER_PHASE = 6
GRID_RESOLUTION = 20


def run_variant(claim: TopologyClaim, variant: Variant, seeds, steps: Optional[int] = None,
                progress: Optional[ProgressFn] = None, dtype: str = "float64") -> Sweep:
    """Train ``variant`` once per seed, each on its own data sample, as one batched computation.

    float64 by default so that every seed equals, to rounding, the single run the layer
    page trains for ``claim.run_config(variant, seed)``.
    """
    configs = [claim.run_config(variant, s, steps) for s in seeds]
    data = [cfg.make_dataset() for cfg in configs]
    return fit_many(data, variant.widths, [cfg.seed for cfg in configs], steps=configs[0].steps, lr=claim.lr,
                    progress=progress, dtype=dtype)


def run_claim(claim: TopologyClaim, seeds, steps: Optional[int] = None, progress: Optional[ProgressFn] = None,
              dtype: str = "float64") -> dict[str, Sweep]:
    """One Sweep per variant label; ``progress(done, total, loss)`` counts steps over all variants."""
    reports = stages(progress, len(claim.variants))
    return {variant.label: run_variant(claim, variant, seeds, steps, report, dtype)
            for variant, report in zip(claim.variants, reports)}


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
    def perfect_rate(self) -> float:
        """Fraction of seeds that classify every point correctly."""
        return self.perfect / len(self.accuracy)

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
        """Does this row agree with the claim? "fails": no seed at 100%; "succeeds": more than half at 100%."""
        return self.perfect == 0 if self.expect == "fails" else self.perfect_rate > 0.5

    @property
    def verdict(self) -> str:
        """What was measured, in the words of the claims, e.g. "none of 8 at 100% (best 88.8%)"."""
        if self.perfect == 0:
            return f"none of {len(self.accuracy)} at 100% (best {percent(self.best)})"
        return f"{self.perfect} of {len(self.accuracy)} at 100%"


def summary(claim: TopologyClaim, sweeps: dict[str, Sweep]) -> list[Row]:
    """One Row per variant of ``claim``, in the claim's order."""
    return [Row(v.label, v.expect, sweeps[v.label].seeds, sweeps[v.label].final_accuracy,
                int((sweeps[v.label].diverged_at > 0).sum())) for v in claim.variants]


def notices(claim: TopologyClaim, rows: list[Row]) -> list[str]:
    """What to notice in ``rows``, one line each, every number taken from the rows."""
    fails = [r for r in rows if r.expect == "fails"]
    if any(r.perfect for r in fails):  # the usual words would be false: say what was measured instead
        lines = [f"Some 'fails' rows reached 100% here: {'; '.join(f'{r.label} {r.verdict}' for r in fails)}."]
    else:
        lines = [f"The 'fails' rows reach 100% on none of their {len(fails[0].seeds)} seeds. " + (
            "Here topology allows it; training does not find the way." if claim.key == "spirals" else
            "Topology forbids it: a narrow layer stretches space but never tears it, so no luck or depth helps.")]
    lines.append(f"Most of their points are still right (medians {', '.join(percent(r.median) for r in fails)}): "
                 "the net gives up only the part it cannot separate.")
    return lines + [f"{rows[-1].label}: {rows[-1].verdict}."]


EXPECTED = {"fails": "never reaches 100%, whatever the seed", "succeeds": "reaches 100% on most seeds"}


def claims(preset: str, result: ClaimSweeps, view: LowDimView | None = None) -> list[Claim]:
    """This lesson's expectation of each architecture beside its verdict over the seeds, then what the article
    says beside the accuracy (median and best seed) of each architecture expected to fail."""
    rows = result.rows
    out = [Claim(EXPECTED[r.expect], r.verdict, r.holds, about=r.label) for r in rows]  # the lesson's words
    measured = "; ".join(f"{r.label} median {percent(r.median)}, best {percent(r.best)}" for r in rows
                         if r.expect == "fails")
    out.append(Claim(ARTICLE[result.claim.key], measured + ".", about="the article", source="article 003"))
    return out


def notice(preset: str, result: ClaimSweeps, view: LowDimView | None = None) -> list[str]:
    return notices(result.claim, result.rows)


def table(rows: list[Row]) -> list[dict]:
    """The summary as plain records (architecture x seeds, then best, median, shares at 100% and ≥ 99%)."""
    records = []
    for row in rows:
        record = {"architecture": row.label, "expected": row.expect}
        record.update({f"seed {s}": round(float(a), 4) for s, a in zip(row.seeds, row.accuracy)})
        record.update({"best": round(row.best, 4), "median": round(row.median, 4),
                       "at 100%": round(row.perfect_rate, 3), f"≥ {SUCCESS:.0%}": round(row.success_rate, 3),
                       "agrees": "yes" if row.holds else "no"})
        records.append(record)
    return records


def measured(rows: list[Row]) -> str:
    """One line of what was measured, in the claim's words: "Measured over 8 seeds: **1 unit** none of 8 ..."."""
    return f"Measured over {len(rows[0].seeds)} seeds: " + "; ".join(f"**{r.label}** {r.verdict}" for r in rows) + "."


def seed_model(sweeps: dict[str, Sweep], label: str, seed: int) -> MLP:
    """The trained net of seed ``seed`` of the variant ``label``, from the sweeps of :func:`run_claim`."""
    sweep = sweeps[label]
    return sweep.model(list(sweep.seeds).index(seed))


def seed_animation(claim: TopologyClaim, label: str, seed: int, model: MLP) -> tuple[Animation, np.ndarray]:
    """The layer animation of ``model`` (seed ``seed`` of the variant ``label``) at the end of training, and the
    labels of the points it follows."""
    ds = claim.seed_config(label, seed).make_dataset()
    keep = subsample(ds.n, ANIMATION_POINTS[3 if ds.dim == 3 else 2])
    anim = animate(model, ds.X[keep], frames_per_phase=FRAMES_PER_PHASE, grid_resolution=GRID_RESOLUTION)
    return anim, ds.y[keep]


def topology_rows(claim: TopologyClaim, nets: Sequence[tuple[str, int, MLP]]) -> list[dict[str, str]]:
    """For each (label, seed, trained net): b₀, b₁ of each class in every layer (and the layer's kind), input
    first, one record each; counted on lesson 1's fresh sample of the seed's data."""
    out = []
    for label, seed, model in nets:
        cfg = claim.seed_config(label, seed)
        ds = replace(cfg, n=TOPOLOGY_POINTS * 2, seed=cfg.seed + TOPOLOGY_SEED).make_dataset()  # lesson 1's sample
        per_layer = betti_per_layer(layer_clouds(model, ds.X), ds.y)
        kinds = [""] + [f" ({f.kind})" for f in layer_facts(model, ds.X)]
        cells = {("input" if k == 0 else f"layer {k}"): " · ".join(f"{class_name(c)}: {b}" for c, b in classes.items())
                 + kinds[k] for k, classes in enumerate(per_layer)}
        out.append({"architecture (best seed)": f"{label} ({seed})", **cells})
    return out


def topology_caption(claim: TopologyClaim) -> str:
    """What the topology table shows, in words it supports."""
    words = "A layer that is a homeomorphism or an embedding keeps every count; a collapse may not."
    if claim.key == "disc":
        words += (" The ring keeps its loop in the 2-unit nets that fail and in the 3-unit net that succeeds alike, so "
                  "the counts alone do not decide whether a line can split the classes; where the loop sits does. In "
                  "the plane, a ring with its loop surrounds the disc and every line through the disc crosses it; in "
                  "3D the same loop can lie beside the disc, and a plane passes between them.")
    return words


def seed_links(claim: TopologyClaim, row: Row) -> list[tuple[str, dict[str, str]]]:
    """The best and the worst seed of ``row``: (label with its accuracy, the layer page's query of that run)."""
    links = []
    for name, seed in (("Best", row.best_seed), ("Worst", row.worst_seed)):
        accuracy = row.accuracy[list(row.seeds).index(seed)]
        links.append((f"{name} seed ({seed}: {percent(accuracy)})", claim.seed_config(row.label, seed).changed()))
    return links


def file_name(claim: TopologyClaim, label: str, seed: int) -> str:
    """A download's file name for seed ``seed`` of the variant ``label``, e.g. "disc-1-layer-3-seed4"."""
    return f"{claim.key}-{re.sub('[^A-Za-z0-9.]+', '-', label)}-seed{seed}"


def seed_animation_figure(result: ClaimSweeps, label: str, seed: int) -> tuple[Animation, Spec]:
    """The layer animation of seed ``seed`` of the architecture ``label`` at the end of training, and its figure."""
    anim, labels = seed_animation(result.claim, label, seed, result.model(label, seed))
    return anim, layer_animation(anim, labels, height=480)


def strip_figure(result: ClaimSweeps) -> Spec:
    """Every seed's final accuracy, one row of dots per architecture."""
    rows = result.rows
    return accuracy_strip([r.label for r in rows], [r.accuracy for r in rows], [r.expect for r in rows],
                          [r.seeds for r in rows], threshold=SUCCESS)


def best_topology_rows(result: ClaimSweeps) -> list[dict[str, str]]:
    """:func:`topology_rows` of each architecture's best seed."""
    return topology_rows(result.claim, [(r.label, r.best_seed, result.model(r.label, r.best_seed))
                                        for r in result.rows])


def picked(result: ClaimSweeps, view: LowDimView) -> tuple[LowDimView, str]:
    """The view with an architecture this claim has (0 if it has fewer), and a warning if it had to change."""
    count = len(result.claim.variants)
    if view.arch < count:
        return view, ""
    return LowDimView(), f"arch={view.arch} is beyond this claim's {count} architectures; showing 0."


TABLE_CAPTION = ("Final training accuracy of each seed after {steps:,} full-batch Adam steps on {n:,} points (each "
                 "seed draws its own sample). 'agrees' checks the claim's words: no seed at 100% for 'fails', more "
                 "than half the seeds at 100% for 'succeeds'.")
STRIP_CAPTION = "One dot per seed (hover for its number). Red rows are expected to fail, green rows to succeed."
def topology_words(claim: TopologyClaim) -> str:
    """The caption under the topology table."""
    return (f"For each architecture's best seed: b₀, b₁ (pieces, loops) of each class's points in every layer, "
            f"{BETTI_METHOD}. {topology_caption(claim)}")


def _row(result: ClaimSweeps, label: str) -> Row:
    return next(r for r in result.rows if r.label == label)


def _share_at_100(result: ClaimSweeps, label: str) -> int:
    """0 if no seed of ``label`` classifies every point, 1 if some (at most half) do, 2 if more than half do."""
    row = _row(result, label)
    return 0 if row.perfect == 0 else 1 + int(row.perfect_rate > 0.5)


SHARES = ("None of them", "Some, but at most half", "More than half")


def seeds_question(architecture: str, data: str, asked: str, wider: str, reason: str) -> Question:
    """How many seeds of the claim's variant ``asked`` reach 100% on ``data``, answered by the sweeps' counts and
    told beside those of the variant ``wider``."""
    return Question(f"{architecture}, trained from many random starts on {data}: how many starts reach 100%?", SHARES,
                    lambda result: _share_at_100(result, asked),
                    lambda result: f"{asked}: {_row(result, asked).verdict}; {wider}: {_row(result, wider).verdict}. "
                                   + reason, picture=strip_figure)


QUESTIONS = {  # asked from the projector before the picture answers (ui/classroom.py)
    "disc": seeds_question("Four layers of 2 tanh units", "the disc inside a ring", "4 layers × 2", "1 layer × 3",
                           "Depth does not help: each 2-unit layer keeps the ring around the disc."),
    "tori": seeds_question("Three layers of 3 tanh units", "two linked tori", "3 layers × 3", "2 layers × 4",
                           "In 3D linked rings stay linked; a fourth dimension lets them come apart."),
}


LESSON = Lesson(settings=LowDimConfig(), view=LowDimView(), compute=train, presets=PRESETS, claims=claims,
                notice=notice, keep=16, questions=QUESTIONS)
