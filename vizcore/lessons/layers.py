"""Lesson 1, layers as homeomorphisms: its presets, and what its page draws of a trained run.

The run itself is :class:`vizcore.runs.Run` (``train_run(RunConfig)``); this module turns it into the
animation of one training snapshot, the training movie, the grand tour's points, the tables of layer
facts and Betti numbers, and the "what to notice" text with its live measurements.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..config import Preset, QueryConfig, setting
from ..data import Dataset
from ..datasets import subsample
from ..figures.layers import grand_tour, layer_animation
from ..figures.spec import Spec
from ..figures.style import class_name
from ..figures.trajectory import compact_trajectory
from ..layers import Animation, LayerFacts, animate, layer_facts, movie_drawable, training_frames
from ..runs import LAYER_DATASETS, Run, RunConfig, train_run
from ..topology import GAP, LOOP_RATIO, Barcode, barcodes_per_layer, layer_clouds
from ..trajectory import project
from . import Claim, Lesson, Question, band

# What the animation follows: points per frame (2D / 3D data), frames per phase, points per grid line.
# Together they set the payload: 1.8 MB for the spirals' three layers.
ANIMATION_POINTS = {2: 320, 3: 250}
# In 2D plotly glides linearly between frames, so four per phase draw each curved path as four chords;
# 3D has no transitions and needs more. Every frame costs the browser time before the first picture.
FRAMES_PER_PHASE = {2: 4, 3: 12}
GRID_RESOLUTION = 16
MOVIE_MOMENTS = 40  # snapshots in the training movie, on a log scale of steps
TOUR_POINTS = 300   # points turned by the grand tour

TOPOLOGY_POINTS = 2000    # fresh points per class the Betti numbers are counted on (the training set has 200)
TOPOLOGY_SEED = 1_000_003  # their sample's seed: the run's seed plus this, far from any training sample


@dataclass(frozen=True)
class LayersView(QueryConfig):
    """What the layers page shows of a run: the training step (-1 = the end of training)."""

    step: int = setting(-1, lo=-1, hi=1_000_000)


def train(cfg: RunConfig, progress=None, csv=None, weights=None) -> Run:
    """Lesson 1's result: the run of ``cfg``, on an uploaded CSV or from uploaded weights if the settings name them."""
    return train_run(cfg, progress=progress, dataset=csv, start=weights)


def snapshot_of(run: Run, step: int) -> int:
    """The snapshot recorded at training step ``step`` (-1, or a step never recorded: the last)."""
    steps = [int(v) for v in run.history.step]
    return steps.index(step) if step in steps else len(steps) - 1


def animation(run: Run, t: int = -1) -> tuple[Animation, np.ndarray]:
    """The layer animation of snapshot ``t`` of ``run``, and the labels of the points it follows."""
    keep = subsample(run.dataset.n, ANIMATION_POINTS[3 if run.dataset.dim == 3 else 2])
    drawn_dim = 3 if max(run.model.in_dim, *run.model.widths) >= 3 else 2  # 1D is drawn in 2D, wider in 3D
    anim = animate(run.model_at(t), run.dataset.X[keep], frames_per_phase=FRAMES_PER_PHASE[drawn_dim],
                   grid_resolution=GRID_RESOLUTION)
    return anim, run.dataset.y[keep]


def has_training_movie(run: Run) -> bool:
    """Whether :func:`training_movie` can draw ``run``'s net (its last hidden layer has 1 to 3 units)."""
    return movie_drawable(run.model)


def training_movie(run: Run) -> tuple[Animation | None, np.ndarray]:
    """The last hidden layer at MOVIE_MOMENTS moments of training (None if it is wider than 3), and the labels."""
    keep = subsample(run.dataset.n, ANIMATION_POINTS[2])  # the last layer is drawn in 2D or 3D alike
    T = len(run.history)
    snapshots = np.unique(np.geomspace(1, T, MOVIE_MOMENTS).round().astype(int) - 1)  # early training changes fastest
    anim = training_frames(run.model, run.history, run.dataset.X[keep], snapshots, run.history.step)
    return anim, run.dataset.y[keep]


def tour_points(run: Run, t: int) -> tuple[np.ndarray, np.ndarray]:
    """The last hidden layer of snapshot ``t`` on TOUR_POINTS points [n, width], and their labels."""
    keep = subsample(run.dataset.n, TOUR_POINTS)
    return run.model_at(t).hidden(run.dataset.X[keep])[-1], run.dataset.y[keep]


def topology_sample(cfg: RunConfig, dataset: Dataset) -> Dataset:
    """The points the Betti numbers are counted on: TOPOLOGY_POINTS fresh ones per class drawn like ``dataset``
    (an uploaded CSV: its own points). More points resolve thinner features than the training sample can."""
    if cfg.dataset == "csv" or dataset.name == "csv":
        return dataset
    return replace(cfg, n=TOPOLOGY_POINTS * dataset.n_classes, seed=cfg.seed + TOPOLOGY_SEED).make_dataset()


def barcodes(run: Run, t: int) -> tuple[list[dict[int, Barcode]], list[LayerFacts]]:
    """Each class's barcode in the input and every hidden layer of snapshot ``t``, and the layers' facts."""
    model = run.model_at(t)
    sample = topology_sample(run.config, run.dataset)
    facts = layer_facts(model, run.dataset.X)
    return barcodes_per_layer(layer_clouds(model, sample.X), sample.y), facts


def topology_rows(per_layer: list[dict[int, Barcode]], facts: list[LayerFacts]) -> list[dict[str, str]]:
    """b₀, b₁ of each class per representation, and what the layer allows: one record per representation."""
    return [{"representation": "input" if k == 0 else f"layer {k}",
             **{f"class {class_name(c)}": str(code.betti) for c, code in classes.items()},
             "the layer": "" if k == 0 else allows(facts[k - 1].kind)}
            for k, classes in enumerate(per_layer)]


def allows(kind: str) -> str:
    """What a layer of this kind may do to the counts, in words."""
    if kind in ("homeomorphism", "embedding"):
        return f"{kind} onto its image: keeps every count"
    if kind == "collapse":
        return "collapse: may merge pieces or close loops"
    if kind == "fold":
        return "fold (ReLU): may merge pieces or close loops"
    return f"{kind}: passes through a flat frame, may change counts"


def barcode_figure(per_layer: list[dict[int, Barcode]]):
    """Each class's strongest gaps and loops in every representation, against their counting lines."""
    from ..figures.topology import barcode_grid

    classes = list(per_layer[0])
    return barcode_grid([[layer[c].gaps / layer[c].gap_bar for layer in per_layer] for c in classes],
                        [[layer[c].loop_ratio for layer in per_layer] for c in classes],
                        [f"class {class_name(c)}" for c in classes],
                        ["input" if k == 0 else f"layer {k}" for k in range(len(per_layer))], GAP, LOOP_RATIO)


BARCODE_CAPTION = ("How to read the bars: each is one feature of that class's points, its length how many times "
                   "it outlasts what random sampling leaves. A **gap** bar is a break between pieces, measured in the "
                   "largest gaps that as many random points along a curve leave; a **loop** bar is a loop's lifetime, "
                   "the scale at which it fills in divided by the scale at which it closes. A bar past the black line "
                   "counts (class colour); one in the amber band is too close to call (\"unresolved\"); grey ones are "
                   "sampling noise. A homeomorphic layer may lengthen or shorten a bar, but a counted one stays past "
                   "the line.")

BETTI_METHOD = (f"counted on {TOPOLOGY_POINTS:,} fresh points of each class drawn like the training set; every "
                "length is compared with the spacing of the points around it, after undoing any linear stretch, so "
                "how much a layer stretched space does not change a count; a hidden layer is measured on W·h + b, "
                "just before its tanh, which maps it homeomorphically onto the layer's output")


def facts_rows(facts: list[LayerFacts]) -> list[dict[str, object]]:
    """What each hidden layer does (shape, det W, shift b, kind and why), one record per layer, named as the
    topology table names it ("layer 1"): a bare 1, 2, 3 … index was taken for a row count and hidden."""
    return [{"layer": f"layer {f.index}", "shape": f"{f.in_dim} → {f.out_dim}",
             "det W": "—" if f.det is None else f"{f.det:.3g}",
             "shift b": "(" + ", ".join(f"{v:.2f}" for v in f.bias) + ")", "kind": f.kind, "why": f.note}
            for f in facts]


def layer_kinds(run: Run, t: int = -1) -> list[str]:
    """What each hidden layer of snapshot ``t`` does (homeomorphism, embedding, collapse, fold)."""
    return [f.kind for f in layer_facts(run.model_at(t), run.dataset.X)]


def notice(preset_key: str, run: Run, view: LayersView | None = None) -> list[str]:
    """The "what to notice" lines: the preset's, or for custom settings general hints."""
    preset = PRESETS.get(preset_key)
    if run.config.dataset == "drawn":
        ds, kinds = run.dataset, layer_kinds(run)
        return [f"Your drawing: {ds.n:,} points in {ds.n_classes} classes, {run.history.accuracy[-1]:.1%} of them on "
                f"the right side after {int(run.history.step[-1]):,} steps. Its layers: {', '.join(kinds)}.",
                "Draw where the net is wrong, or erase, and lift your finger: the net trains again and every layer's "
                "motion shows what it does to your points.",
                "A ring of one class around another cannot be cut out by 2-unit layers, however deep: try a third unit "
                "(Hidden widths 3)."]
    if preset is None:
        return ["Custom settings: pick a preset in the sidebar for a guided example.",
                "A homeomorphic layer never folds a grid cell over; a collapse or a fold (see the table) can."]
    return list(preset.notice)


def claims(preset_key: str, run: Run, view: LayersView | None = None) -> list[Claim]:
    """What the article says of the picked preset beside what this run measured (its final accuracy and its
    layers' kinds); nothing for custom settings."""
    preset = PRESETS.get(preset_key)
    if preset is None:
        return []
    measured = (f"This net reaches {run.history.accuracy[-1]:.1%} training accuracy after "
                f"{int(run.history.step[-1]):,} steps; its layers: {', '.join(layer_kinds(run))}.")
    return [Claim(preset.article or "Nothing about this case: the preset is this app's own.", measured,
                  source="article 003" if preset.article else "")]


def animation_figure(run: Run, t: int) -> tuple[Animation, Spec]:
    """The layer animation of snapshot ``t`` and its figure."""
    anim, labels = animation(run, t)
    return anim, layer_animation(anim, labels, height=600)


def training_movie_figure(run: Run) -> Spec | None:
    """The training movie's figure, or None when the last layer is wider than 3."""
    anim, labels = training_movie(run)
    return None if anim is None else layer_animation(anim, labels, height=520, frame_ms=250)


def weight_path(run: Run):
    """The weights' path through weight space [T, 2], each weight along its own random direction."""
    return project(run.history, "random", seed=run.config.seed)


def path_figure(run: Run) -> Spec:
    """The weights' path with a slider over the recorded steps, each labelled with its accuracy and loss."""
    hist = run.history
    labels = [f"step {int(s):,}: accuracy {a:.1%}, loss {loss:.3g}"
              for s, a, loss in zip(hist.step, hist.accuracy, hist.loss)]
    return compact_trajectory(weight_path(run), hist.step, labels, axis_label="random direction", height=440)


def tour_figure(run: Run, t: int) -> Spec:
    return grand_tour(*tour_points(run, t))


PATH_CAPTION = ("The weights' path during training (each weight pushes along its own random direction). Its slider "
                "picks a moment of training: the orange marker shows where the weights were then, and when you let go "
                "the animation on the left and the tables below redraw the net of step {step:,}.")
ANIMATION_CAPTION = ("The grid is the input space carried along by each layer. The black curve is the decision "
                     "boundary, pulled back to the input and carried through every frame; in the last frame it lies "
                     "on the output layer's dashed line (plane in 3D). The view follows the data, so read the axes "
                     "for the scale.")
TOUR_CAPTION = ("The last layer's points turned smoothly through all its dimensions and seen in 3D, so each direction "
                "comes into view in turn.")
NO_MOVIE = ("No training movie for this net: the movie draws the last layer's space, and its {width} dimensions "
            "cannot be drawn; the grand tour above turns the trained net's last layer instead.")


def tour_caption(rows: list[dict[str, str]]) -> str:
    """The grand tour's caption, with the last layer's loop counts from the topology table's ``rows``.

    The tour shows tanh's output, where saturated units crowd each ring into corners of the cube: the linked
    tori's rings read as two clumps there, while the caption spoke of rings. The counts are taken just before
    the squashing (W·h + b), where a ring is still a ring."""
    last = rows[-1]
    counts = "; ".join(f"{key} b₀, b₁ = {value}" for key, value in last.items() if key.startswith("class "))
    return (f"{TOUR_CAPTION} Saturated tanh units crowd the points into corners of the cube, so a ring can look "
            f"like a clump here; counted just before the squashing, {last['representation']} has {counts} "
            "(b₁ counts loops: 1 is one ring).")


MOVIE_CAPTION = ("Each frame is the last layer's picture at one moment of training (steps on a log scale, since early "
                 "training changes fastest): the grid and the data as the net of that moment places them, and the "
                 "decision boundary, which always lies on a straight line here. Play it to watch the classes come "
                 "apart.")
CANONICAL_CAPTION = ("Some layers had det W < 0. Swapping two hidden units (and the matching columns of the next "
                     "layer) gives a net that computes exactly the same function with det W > 0, so it can be animated "
                     "without passing through a flattened frame.")
TOPOLOGY_CAPTION = (f"Each cell is b₀, b₁: the number of pieces and of loops of that class's points, {BETTI_METHOD}. "
                    "A homeomorphic layer cannot change the numbers; a collapse or a fold can (the last column says "
                    "which). \"Unresolved\" means the points are too few to tell: a limit of the measurement, not a "
                    "tear.")


def topology_view(run: Run, t: int) -> tuple[list[dict[str, str]], Spec]:
    """The topology table of snapshot ``t`` and its barcodes."""
    per_layer, facts = barcodes(run, t)
    return topology_rows(per_layer, facts), barcode_figure(per_layer)


PRESETS: dict[str, Preset] = {
    "spirals": Preset(
        "Spirals: a 2-2-2-2 tanh net untangles them on 6 of 16 seeds (this one is seed 0)", RunConfig(),
        ("Each linear phase only rotates and stretches; each tanh phase squeezes space into the square "
         "(-1, 1)². Neither tears the grid.",
         "Follow the black decision boundary: it starts as an S-shaped curve between the arms and is "
         "straightened, layer by layer, into the output layer's dashed line.",
         "The arms are pulled apart by bending, never cut: neighbours in the input stay neighbours."),
        "that a net with four hidden layers (of two units each in its pictures) turns two slightly tangled "
        "spirals into linearly separable ones (article 003)."),
    "spirals3": Preset(
        "Three spirals: three classes, softmax regions", RunConfig(dataset="three_spirals", widths="3,3,2"),
        ("With three classes the output layer's softmax splits the last layer's plane into three regions, "
         "each bounded by straight lines where two classes' scores tie.",
         "Follow the black boundaries: pulled back to the input they wind between the arms; the layers "
         "straighten them until, in the last frame, they are three straight half-lines meeting at a point.",
         "The first layer lifts the plane into 3D (an embedding); the last drops back to 2D (a collapse), "
         "which is harmless once the arms no longer overlap.")),
    "disc2": Preset(
        "Disc in a ring, 2 units: cannot be separated",
        RunConfig(dataset="disc_annulus", widths="2", seed=5, lr=0.003, steps=1000),
        ("A 2-unit tanh layer is a homeomorphism of the plane onto the open square: the ring stays a ring "
         "around the disc, so no line can cut the disc out.",
         "The net does the best it can: it stretches space so that the disc and part of the ring go into "
         "one corner; the output line cuts off that corner and misclassifies the part of the ring inside it.",
         "Training accuracy stays near 90%: more steps only push points harder into the corners."),
        "that a net whose layers have two units cannot separate the disc from the ring, whatever its depth, and "
        "that its net settled in a poor local minimum at about 80% accuracy (article 003)."),
    "disc3": Preset(
        "Disc in a ring, 3 units: lifted apart in 3D", RunConfig(dataset="disc_annulus", widths="3"),
        ("The linear phase lays the flat input sheet into 3D; nothing is merged.",
         "After tanh the disc sits on one side of the bent sheet and the ring on the other, so a flat plane "
         "(grey, last frame) separates them.",
         "The black decision boundary, a closed loop around the disc in the input, ends up lying in that plane."),
        "that with a third hidden unit the problem becomes easy (article 003)."),
    "tori4": Preset(
        "Linked tori: two 4-unit layers pull them apart", RunConfig(dataset="linked_tori", widths="4,4"),
        ("Two linked rings cannot be unlinked by any continuous deformation of 3D space; the first 4-unit "
         "layer embeds them in 4D, where they can be, and the second pulls them apart (a single 4-unit "
         "layer reached 100% on 1 of 8 seeds here; two reach it on 7 of 8).",
         "The picture shows 4D through a fixed 3D projection whose first axis is the output's decision "
         "direction, so the decision plane stays flat."),
        "that the linked tori can be separated only in a fourth dimension (article 003). It does not say "
        "how many 4-unit layers; this preset's two are this app's choice."),
    "aba1": Preset(
        "A-B-A on a line, 1 unit: impossible", RunConfig(dataset="line_aba", widths="1"),
        ("One tanh unit maps the line onto an interval by a monotone function: it keeps the order of the points "
         "or, with a negative weight, reverses it, so class B stays between the two A groups.",
         "In the last frame B and one A group look like one dot: to put its threshold between B and the other A "
         "group, training made the weight so large that tanh squashes them both into the last 2% of the "
         "interval's end. The order is still A, B, A, only too close to see.",
         "A single threshold (the black diamond) can only split the line in two: one A group is always "
         "on B's side."),
        "that this 1D set cannot be classified without a layer of two or more units (article 003)."),
    "aba2": Preset(
        "A-B-A on a line, 2 units: bend the line", RunConfig(dataset="line_aba", widths="2"),
        ("Two units lay the line into the plane as a curve; tanh bends it so that the B part bulges out.",
         "The two black diamonds mark where the input line is cut; in the last frame a straight line "
         "separates the bulge from both ends."),
        "that with two units the net learns a curve on which a line separates the classes (article 003)."),
}


def _final(run: Run) -> str:
    accuracy, steps = run.history.accuracy[-1], int(run.history.step[-1])
    return f"This net ends at {accuracy:.1%} training accuracy after {steps:,} steps"


ACCURACY_BANDS = ("Under 70%: hardly better than guessing", "70% to 99.9%: most points, not all",
                  "100%: every point right")
QUESTIONS = {  # asked from the projector before the picture answers (ui/classroom.py)
    "disc2": Question(
        "A net whose tanh layers have 2 units trains on a disc inside a ring. Where does its training accuracy end?",
        ACCURACY_BANDS, lambda run: band(run.history.accuracy[-1], (0.7, 1.0)),
        lambda run: f"{_final(run)}. A 2-unit tanh layer bends the plane without tearing it, so the ring still "
                    "surrounds the disc and no line can cut the disc out.",
        picture=lambda run: animation_figure(run, -1)[1]),
    "disc3": Question(
        "The same disc and ring, but now the layer has 3 units. Where does its training accuracy end?",
        ACCURACY_BANDS, lambda run: band(run.history.accuracy[-1], (0.7, 1.0)),
        lambda run: f"{_final(run)}. A third unit lifts the disc out of the plane, and a flat plane cuts it off.",
        picture=lambda run: animation_figure(run, -1)[1]),
}


LESSON = Lesson(settings=RunConfig(), view=LayersView(), compute=train, presets=PRESETS, claims=claims,
                notice=notice, uploads={"data_id": "csv", "start_id": "weights"}, questions=QUESTIONS,
                offers={"dataset": (*LAYER_DATASETS, "csv", "drawn")})
