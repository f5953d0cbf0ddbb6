"""Lesson 8, what ReLU does to topology: the same data through tanh and ReLU nets, each class's Betti numbers
layer by layer, and Naitzat, Zhitnikov & Lim's claims (JMLR 2020) measured over seeds and depths.

``compute`` trains one seed of a tanh net and a ReLU net of the chosen depth and counts every representation
(the page's first view); :func:`sweep` does the same for ``seeds`` seeds at each of DEPTHS (the claims' table).
Everything is counted by :mod:`vizcore.topology`'s rule on fresh points, "unresolved" included, and what the
claims say is computed from the counts alone (:func:`summarise`, :func:`claims_of`), so the test can change
the numbers and watch the verdicts follow.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Sequence

import numpy as np
import plotly.graph_objects as go

from .. import datasets
from ..config import Preset, QueryConfig, setting
from ..data import Dataset
from ..datasets import subsample
from ..figures.layers import layer_animation
from ..figures.spec import Spec, finished
from ..figures.style import class_name, percent
from ..history import ProgressFn, stages
from ..layers import Animation, animate
from ..nets import MLP
from ..sweeps import fit_many
from ..threads import one_thread
from ..topology import Betti, betti_per_layer, layer_clouds
from . import Claim, Lesson, Question

ACTIVATIONS = ("tanh", "relu")
NAMES = {"tanh": "tanh", "relu": "ReLU"}
DEPTHS = (2, 4, 6)     # hidden layers of the claims' table: shallow to deep
DATASETS = ("linked_tori", "disc_annulus")  # both have a class with a loop: something for a net to simplify
TOPOLOGY_POINTS = 300  # fresh points per class counted: right in 91% of bench/topology_shapes.py's cells at 300, and
                       # 0.05 s a count (400: 0.11 s): the table's 496 counts and 48 nets took 15 CPU-s
TOPOLOGY_SEED = 1_000_003  # the counted sample's seed: the run's seed plus this
TRAINED = 0.99         # a net counts as well trained from this training accuracy on
ANIMATION_POINTS = 250
FRAMES_PER_PHASE = 6  # as lesson 2's 3D nets: every frame costs the browser time before the first picture
SOURCE = "Naitzat, Zhitnikov & Lim 2020"


@dataclass(frozen=True)
class ReluConfig(QueryConfig):
    """The data, the two nets (the same but for their activation) and how they train."""

    dataset: str = setting("linked_tori", choices=DATASETS, label="Dataset",
                           names={k: f"{k}: {datasets.DESCRIPTIONS[k]}" for k in DATASETS})
    depth: int = setting(4, choices=DEPTHS, widget="radio", horizontal=True, label="Hidden layers",
                         help="The depth of both nets on this page's pictures (the table below measures all three).")
    width: int = setting(8, lo=3, hi=10, label="Units per layer",
                         help="Naitzat et al. used 15 to 50; 8 is the narrowest that trained every seed here.")
    n: int = setting(400, lo=100, hi=1000, step=50, widget="slider", label="Training points")
    seed: int = setting(0, lo=0, hi=1_000_000, label="Seed", help="The seed of the nets and data drawn above.")
    steps: int = setting(2000, lo=100, hi=10_000, step=250, label="Steps", help="Full-batch Adam updates.")
    lr: float = setting(0.01, choices=(0.003, 0.01, 0.03), widget="select_slider", label="Learning rate")
    seeds: int = setting(8, lo=2, hi=16, label="Seeds in the table",
                         help="Each seed trains a tanh and a ReLU net of every depth; the table averages them.")

    def widths(self, depth: Optional[int] = None) -> tuple[int, ...]:
        return (self.width,) * (self.depth if depth is None else depth)

    def data(self, seed: int, n: Optional[int] = None, offset: int = 0) -> Dataset:
        return datasets.make(self.dataset, n=n or self.n, seed=seed + offset)


@dataclass(frozen=True)
class ReluView(QueryConfig):
    """Which of the two nets the animation plays."""

    animate: str = setting("relu", choices=ACTIVATIONS, widget="radio", horizontal=True, label="Animate",
                           names=NAMES)


Counts = list  # per representation (input, hidden layers, output): {class: Betti}


@dataclass(eq=False)
class Pair:
    """One seed's tanh and ReLU nets of one depth and their counts (treat as read-only: it is cached)."""

    config: ReluConfig
    dataset: Dataset                # the training points
    nets: dict[str, MLP]
    accuracy: dict[str, float]      # final training accuracy
    counts: dict[str, Counts]       # each class's Betti numbers in every representation
    table: Optional[dict] = None    # the sweep's summaries, once the page has measured them (:func:`with_sweep`)


def train_nets(cfg: ReluConfig, depth: int, seeds: Sequence[int], activation: str,
               progress: Optional[ProgressFn] = None):
    """``activation`` nets of ``depth`` hidden layers, one per seed, each on its own sample, as one batch."""
    data = [cfg.data(s) for s in seeds]
    with one_thread():
        return fit_many(data, cfg.widths(depth), list(seeds), steps=cfg.steps, lr=cfg.lr, activation=activation,
                        progress=progress, threads=1), data


def count(model: MLP, sample: Dataset, given: dict) -> Counts:
    """Each class's Betti numbers in the input (``given``: counted once for both nets), every hidden layer (tanh:
    before its tanh, ReLU: after its fold) and the output."""
    layers = [*layer_clouds(model, sample.X)[1:], model.predict(sample.X).astype(np.float64)]
    return [given, *betti_per_layer(layers, sample.y)]


def count_input(sample: Dataset) -> dict:
    return betti_per_layer([sample.X], sample.y)[0]


def counted_sample(cfg: ReluConfig, seed: int) -> Dataset:
    """TOPOLOGY_POINTS fresh points per class, drawn like the training set of ``seed``."""
    return cfg.data(seed, n=2 * TOPOLOGY_POINTS, offset=TOPOLOGY_SEED)


def compute(cfg: ReluConfig, progress: Optional[ProgressFn] = None) -> Pair:
    """The first view: seed ``cfg.seed``'s tanh and ReLU nets of ``cfg.depth`` hidden layers, trained and counted."""
    cfg.check()
    nets, accuracy, counts = {}, {}, {}
    sample = counted_sample(cfg, cfg.seed)
    given = count_input(sample)
    for activation, report in zip(ACTIVATIONS, stages(progress, len(ACTIVATIONS))):
        sweep, data = train_nets(cfg, cfg.depth, [cfg.seed], activation, report)
        nets[activation], accuracy[activation] = sweep.model(0), float(sweep.final_accuracy[0])
        counts[activation] = count(nets[activation], sample, given)
    return Pair(cfg, data[0], nets, accuracy, counts)


@dataclass(frozen=True)
class Measured:
    """Every seed's counts and accuracy for each (activation, depth)."""

    counts: dict[tuple[str, int], list[Counts]]
    accuracy: dict[tuple[str, int], np.ndarray]


def table_settings(cfg: ReluConfig) -> ReluConfig:
    """The settings :func:`sweep` depends on: ``cfg`` with the depth and seed drawn (which it ignores) at their
    defaults."""
    return replace(cfg, depth=ReluConfig.depth, seed=ReluConfig.seed)


def sweep(cfg: ReluConfig, progress: Optional[ProgressFn] = None) -> Measured:
    """``cfg.seeds`` seeds of tanh and ReLU nets at every depth of DEPTHS, each class counted in every representation
    (the seeds 0, 1, …; ``cfg.depth`` and ``cfg.seed`` are not used).

    8 seeds (48 nets, 496 counts) took 15.1 CPU-s (the first view: 0.7-1.9), so the page runs it after its first view.
    """
    seeds = range(cfg.seeds)
    samples = [counted_sample(cfg, s) for s in seeds]
    given = [count_input(sample) for sample in samples]
    jobs = [(a, d) for d in DEPTHS for a in ACTIVATIONS]
    counts, accuracy = {}, {}
    for (activation, depth), report in zip(jobs, stages(progress, len(jobs))):
        nets, _ = train_nets(cfg, depth, seeds, activation)
        counts[activation, depth] = []
        for i in seeds:
            counts[activation, depth].append(count(nets.model(i), samples[i], given[i]))
            if report:
                report(i + 1, len(seeds))
        accuracy[activation, depth] = np.asarray(nets.final_accuracy, dtype=float)
    return Measured(counts, accuracy)


# --- what the counts say ----------------------------------------------------------------------------------

def complexity(b: Betti) -> Optional[int]:
    """b₀ + b₁, or None if either is unresolved."""
    return None if not b.resolved else b.b0 + b.b1


def first_simple(counts: Counts, c: int) -> Optional[int]:
    """The first representation after the input (1 = layer 1, L + 1 = the output) where class ``c`` reads (1, 0)."""
    return next((k for k in range(1, len(counts)) if counts[k][c] == Betti(1, 0)), None)


def drops(counts: Counts, c: int) -> np.ndarray:
    """How much class ``c``'s b₀ + b₁ falls at each step [L + 1] (layer 1 … output), against the last resolved count
    (an unresolved representation passes its change on to the next resolved one); a rise is a negative drop."""
    out, last = np.zeros(len(counts) - 1), complexity(counts[0][c])
    for k in range(1, len(counts)):
        now = complexity(counts[k][c])
        if now is not None and last is not None:
            out[k - 1] = last - now
        last = now if now is not None else last
    return out


@dataclass(frozen=True)
class Summary:
    """What the counts of one (activation, depth) say, over seeds and classes.

    trained : seeds trained to TRAINED;  simple_at_output : share of their classes reading (1, 0) at the output
    first : mean first layer at (1, 0) (L + 1 = the output) over the cases that reach it;  reached : their share
    late_share : share of the fall in b₀ + b₁ that happens in the last hidden layer and the output
    position : mean position of the fall, 0 = layer 1, 1 = the output
    per_layer : mean total b₀ + b₁ per representation
    """

    activation: str
    depth: int
    seeds: int
    trained: int
    simple_at_output: float
    first: float
    reached: float
    late_share: float
    position: float
    per_layer: tuple[float, ...]


def summarise(activation: str, depth: int, counts: list[Counts], accuracy: np.ndarray) -> Summary:
    classes = sorted(counts[0][0])
    cases = [(run, c) for run in counts for c in classes]
    trained = np.asarray(accuracy) >= TRAINED
    ends = [run[-1][c] == Betti(1, 0) for run, ok in zip(counts, trained) if ok for c in classes]
    firsts = [f for f in (first_simple(run, c) for run, c in cases) if f is not None]
    fall = np.sum([np.clip(drops(run, c), 0, None) for run, c in cases], axis=0)
    steps = np.arange(depth + 1) / depth
    per_layer = []
    for k in range(depth + 2):
        totals = [sum(map(complexity, run[k].values())) for run in counts if all(b.resolved for b in run[k].values())]
        per_layer.append(float(np.mean(totals)) if totals else float("nan"))
    total = fall.sum()
    return Summary(activation, depth, len(counts), int(trained.sum()),
                   float(np.mean(ends)) if ends else float("nan"),
                   float(np.mean(firsts)) if firsts else float("nan"), len(firsts) / len(cases),
                   float(fall[-2:].sum() / total) if total else float("nan"),
                   float(fall @ steps / total) if total else float("nan"), tuple(per_layer))


def summaries(result: Measured) -> dict[tuple[str, int], Summary]:
    return {key: summarise(*key, counts, result.accuracy[key]) for key, counts in result.counts.items()}


def _layer(s: Summary, value: float) -> str:
    return "never" if np.isnan(value) else f"{value:.1f}"


def sweep_rows(table: dict[tuple[str, int], Summary]) -> list[dict[str, str]]:
    """The claims' table: one row per (activation, depth)."""
    return [{"net": f"{NAMES[s.activation]}, {s.depth} hidden layers", "trained to 99%": f"{s.trained} of {s.seeds}",
             "mean b₀+b₁ of both classes, input → output": " → ".join("?" if np.isnan(v) else f"{v:.1f}"
                                                                      for v in s.per_layer),
             "first layer at (1, 0)": f"{_layer(s, s.first)} of {s.depth} + output ({s.reached:.0%} reach it)",
             "fall in the last layer + output": "—" if np.isnan(s.late_share) else f"{s.late_share:.0%}",
             "(1, 0) at the output": f"{s.simple_at_output:.0%}"}
            for s in sorted(table.values(), key=lambda s: (s.depth, s.activation))]


SAID = {
    "simple": "that a well-trained network reduces each class to the topology of a point: b₀ = 1 and b₁ = 0 at "
              "its end, nearly always",
    "faster": "that the reduction in Betti numbers is significantly faster for ReLU activation than for hyperbolic "
              "tangent activation, since ReLU's maps are not homeomorphisms",
    "late": "that a shallow network changes topology only in its final layers, while a deep one spreads the "
            "changes more evenly across its layers",
}


def claims_of(table: dict[tuple[str, int], Summary]) -> list[Claim]:
    """The paper's three claims beside the summaries, with ``agrees`` computed from them."""
    depths = sorted({d for _, d in table})
    shallow, deep = depths[0], depths[-1]
    every = [s for s in table.values() if s.trained]
    end = np.average([s.simple_at_output for s in every], weights=[s.trained for s in every]) if every else np.nan
    out = [Claim(SAID["simple"], f"{end:.0%} of the classes of the {sum(s.trained for s in every)} nets trained to "
                                 f"99% (of {sum(s.seeds for s in table.values())}) read (1, 0) at the output.",
                 bool(end >= 0.9), "well-trained nets", SOURCE)]
    first = {d: (table["relu", d].first, table["tanh", d].first) for d in depths}
    faster = all(r < t for r, t in first.values())
    out.append(Claim(SAID["faster"], "A class first reads (1, 0) at layer " + "; ".join(
        f"{_layer(table['relu', d], r)} with ReLU, {_layer(table['tanh', d], t)} with tanh of {d} + output"
        for d, (r, t) in first.items()) + f" ({len(depths)} depths).", bool(faster), "ReLU against tanh", SOURCE))
    for activation in ACTIVATIONS:
        a, b = table[activation, shallow], table[activation, deep]
        agrees = bool(a.late_share >= 0.5 > b.late_share)  # shallow: mostly late; deep: mostly not
        out.append(Claim(SAID["late"], f"{NAMES[activation]}: the last hidden layer and the output take "
                                       f"{a.late_share:.0%} of the fall at {shallow} layers and {b.late_share:.0%} at "
                                       f"{deep}; the fall's mean position (0 = layer 1, 1 = output) is "
                                       f"{a.position:.2f} and {b.position:.2f}.",
                         agrees, f"shallow against deep, {NAMES[activation]}", SOURCE))
    return out


def claims(preset: str, pair: Pair, view=None) -> list[Claim]:
    """The claims, once the page has joined the sweep to the result (:func:`with_sweep`); none before."""
    return claims_of(pair.table) if pair.table else []


def with_sweep(pair: Pair, result: Measured) -> Pair:
    """The pair with the sweep's summaries beside it, for the claims."""
    return replace(pair, table=summaries(result))


# --- what the page draws ------------------------------------------------------------------------------------

def topology_rows(pair: Pair) -> list[dict[str, str]]:
    """Each class's b₀, b₁ in every representation, tanh beside ReLU."""
    depth = pair.config.depth
    rows = []
    for k in range(depth + 2):
        row = {"representation": "input" if k == 0 else "output" if k == depth + 1 else f"layer {k}"}
        for activation in ACTIVATIONS:
            for c, b in pair.counts[activation][k].items():
                row[f"{NAMES[activation]} · class {class_name(c)}"] = str(b)
        rows.append(row)
    return rows


def complexity_figure(pair: Pair) -> Spec:
    """Total b₀ + b₁ of both classes per representation, tanh and ReLU (this seed)."""
    depth = pair.config.depth
    names = ["input", *[f"layer {k}" for k in range(1, depth + 1)], "output"]
    # the legend inside the plot, bottom left: both classes always count at least 2 there, and a legend
    # below the axis was cut off in the page's narrow column
    fig = go.Figure(layout=dict(height=320, margin=dict(l=64, r=20, t=40, b=40),
                                title="b₀ + b₁ of both classes, layer by layer (this seed)",
                                yaxis=dict(title="b₀ + b₁", rangemode="tozero", dtick=1),
                                legend=dict(x=0.01, y=0.02, xanchor="left", yanchor="bottom",
                                            bgcolor="rgba(255,255,255,0.8)")))
    for activation, dash, colour in zip(ACTIVATIONS, ("dot", "solid"), ("#0068c9", "#83c9ff")):
        y = [None if any(not b.resolved for b in layer.values()) else sum(map(complexity, layer.values()))
             for layer in pair.counts[activation]]
        fig.add_scatter(x=names, y=y, mode="lines+markers", name=f"{NAMES[activation]} "
                        f"({percent(pair.accuracy[activation])} trained)", line=dict(dash=dash, color=colour))
    return finished(fig)


def animation_figure(pair: Pair, activation: str) -> tuple[Animation, Spec]:
    """The layer animation of the ``activation`` net: linear, shift, then tanh or ReLU (the fold onto the orthant)."""
    keep = subsample(pair.dataset.n, ANIMATION_POINTS)
    anim = animate(pair.nets[activation], pair.dataset.X[keep], frames_per_phase=FRAMES_PER_PHASE,
                   grid_resolution=12)
    return anim, layer_animation(anim, pair.dataset.y[keep], height=560)


def data_caption(pair: Pair) -> str:
    cfg = pair.config
    shape = "-".join(map(str, (pair.dataset.dim, *cfg.widths(), pair.dataset.out_dim)))
    return (f"{cfg.dataset} ({cfg.n} training points), nets {shape} with tanh or ReLU, {cfg.steps:,} Adam steps "
            f"at rate {cfg.lr}, seed {cfg.seed}. Betti numbers are "
            f"counted on {TOPOLOGY_POINTS} fresh points per class by the rule of lesson 1 (every length against the "
            "sampling, after undoing any linear stretch); a hidden tanh layer is counted before its tanh, a ReLU "
            "layer after its fold. Naitzat et al. trained wider nets (15 to 50 units) on their own data sets; 8 "
            "units keep the table's 48 nets and 496 counts to about 15 s of one core.")


TABLE_CAPTION = ("Each cell is b₀, b₁ (pieces, loops) of one class. A tanh layer with invertible W is a "
                 "homeomorphism onto its image, so its counts can change only where a layer loses a dimension (the "
                 "output, 2 numbers); a ReLU layer folds space onto the orthant and may merge pieces or close loops "
                 "anywhere. \"Unresolved\": the points cannot tell.")
ANIMATION_CAPTION = ("Each hidden layer plays as its linear map, its shift by b, then its activation: tanh squeezes "
                     "every coordinate into (−1, 1); ReLU folds every negative coordinate onto 0, flattening whole "
                     "regions onto the faces of the orthant. 8 units are shown through a fixed 3D projection.")
SWEEP_CAPTION = ("Measured live over the seeds, for three depths: the mean total b₀ + b₁ in each representation "
                 "(where both classes are resolved), the first layer at which a class reads (1, 0), and how much of "
                 "the fall happens in the last hidden layer and the output.")


def tanh_line(pair: Pair) -> str:
    """What the tanh net's hidden layers did to the counts, in words."""
    counts, depth = pair.counts["tanh"], pair.config.depth
    changed = [k for k in range(1, depth + 1) if counts[k] != counts[0]]
    if not changed:
        return ("The tanh net keeps every class's counts through every hidden layer: a layer with invertible W is a "
                f"homeomorphism, so only the output, where {pair.config.width} numbers become 2, can change them.")
    return (f"The tanh net's counts differ from the input's at layer {', '.join(map(str, changed))}. A homeomorphism "
            "cannot change them, so there the points could not tell: a saturated layer squeezed a class thinner than "
            "their spacing (or \"unresolved\" stood in for a number).")


def notice(preset: str, pair: Pair, view=None) -> list[str]:
    """What to notice, with this seed's counts."""
    depth = pair.config.depth
    firsts = {a: [first_simple(pair.counts[a], c) for c in sorted(pair.counts[a][0])] for a in ACTIVATIONS}
    where = {a: ", ".join("never" if f is None else "the output" if f == depth + 1 else f"layer {f}"
                          for f in firsts[a]) for a in ACTIVATIONS}
    lines = [f"In this seed each class first reads (1, 0) at {where['relu']} with ReLU and at {where['tanh']} "
             "with tanh (class A, then B).",
             tanh_line(pair),
             "Press ▶ on the ReLU net and watch the last phase of each layer: whole regions are pressed flat "
             "onto the faces of the orthant; that is where a loop can be crushed."]
    if PRESETS.get(preset) is not None:
        lines += list(PRESETS[preset].notice)
    against = [c.about for c in claims(preset, pair) if c.agrees is False]
    if against:
        lines.append(f"**Where this measurement does not support the paper: {'; '.join(against)}** (see the table "
                     "above: a ✗ is computed from these counts, not written in advance).")
    return lines


PRESETS: dict[str, Preset] = {
    "tori": Preset("Linked tori through 4 hidden layers of 8 units", ReluConfig(),
                   ("Both classes start as solid tori, b₀, b₁ = 1, 1: four in all.",),
                   "that ReLU nets change topology faster than tanh nets (Naitzat et al. 2020)."),
    "tori_shallow": Preset("Linked tori, 2 hidden layers: changes at the end", ReluConfig(depth=2),
                           ("With two hidden layers even the ReLU net does most of its simplifying in its last "
                            "layer and the output.",),
                           "that shallow nets change topology mostly in their final layers (Naitzat et al. 2020)."),
    "tori_deep": Preset("Linked tori, 6 hidden layers: changes spread out", ReluConfig(depth=6),
                        ("With six hidden layers the ReLU net's loops close in its middle layers.",),
                        "that deep nets spread topological change over their layers (Naitzat et al. 2020)."),
    "disc": Preset("Disc in a ring through 4 hidden layers", ReluConfig(dataset="disc_annulus"),
                   ("Only the ring (class B) has a loop: b₀ + b₁ starts at 1 + 2 = 3.",)),
}


def simple_from(pair: Pair, activation: str) -> int:
    """The representation (1 = layer 1, L + 1 = the output, L + 2 = never) from which every class of the
    ``activation`` net has read (1, 0): one piece, no loop."""
    counts, never = pair.counts[activation], pair.config.depth + 2
    return max((first_simple(counts, c) or never) for c in sorted(counts[0]))


def _where(pair: Pair, activation: str) -> str:
    k, depth = simple_from(pair, activation), pair.config.depth
    return "never" if k > depth + 1 else "at the output" if k == depth + 1 else f"at layer {k} of {depth}"


def _totals(pair: Pair, activation: str) -> str:
    return ", ".join("?" if any(not b.resolved for b in layer.values()) else str(sum(map(complexity, layer.values())))
                     for layer in pair.counts[activation])


FASTER = ("The ReLU net", "The tanh net", "Both at the same layer")


def sooner(relu: int, tanh: int) -> int:
    """FASTER's index for the layers from which each net makes every class simple."""
    return 0 if relu < tanh else 1 if tanh < relu else 2
QUESTIONS = {  # asked from the projector before the picture answers (ui/classroom.py)
    "tori": Question(
        "Two linked tori go through 4 hidden layers of 8 units, once with tanh, once with ReLU. Which net first "
        "makes each class one piece without a loop?", FASTER,
        lambda pair: sooner(simple_from(pair, "relu"), simple_from(pair, "tanh")),
        lambda pair: f"ReLU: {_where(pair, 'relu')}; tanh: {_where(pair, 'tanh')}. b₀ + b₁ of both classes, input "
                     f"to output: ReLU {_totals(pair, 'relu')}; tanh {_totals(pair, 'tanh')} (?: the points cannot "
                     "tell). A tanh layer with invertible W cannot change the counts; a ReLU layer folds space and "
                     "can.",
        picture=complexity_figure),
}


LESSON = Lesson(settings=ReluConfig(), view=ReluView(), compute=compute, presets=PRESETS, claims=claims,
                notice=notice, keep=16, questions=QUESTIONS)
