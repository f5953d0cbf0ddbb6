"""One experiment = one frozen config: a dataset, a net, and how it was trained.

``RunConfig`` is what a lesson page and a shared link describe; :func:`train_run`
turns it into a trained model and its History, deterministically.
"""
from __future__ import annotations

from dataclasses import dataclass


from . import datasets
from .config import Preset, QueryConfig, setting
from .errors import UserError
from .layers import animate
from .nets import ACTIVATIONS, MLP, parse_widths
from .history import Trained
from .train import OPTIMIZERS, History, fit

LAYER_DATASETS = ("spirals", "three_spirals", "disc_annulus", "linked_tori", "line_aba")
# What lesson 1 animates: points per frame (2D / 3D data), frames per phase, points per grid line.
# Together they set the payload: 1.8 MB for the spirals' three layers.
ANIMATION_POINTS = {2: 320, 3: 250}
FRAMES_PER_PHASE = 12
GRID_RESOLUTION = 16
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)


@dataclass(frozen=True)
class RunConfig(QueryConfig):
    """Dataset, network and training settings of one experiment."""

    dataset: str = setting("spirals", choices=(*datasets.names(), "csv"), label="Dataset",
                           names={**{k: f"{k}: {v}" for k, v in datasets.DESCRIPTIONS.items()},
                                  "csv": "csv: your uploaded file"})
    n: int = setting(400, lo=50, hi=2000, step=50, widget="slider", label="Points")
    noise: float = setting(0.0, lo=0.0, hi=0.3, step=0.01, widget="slider", label="Noise")
    turns: float = setting(0.75, lo=0.25, hi=2.0, step=0.05, widget="slider", label="Spiral turns",
                           help="More turns entangle the spirals more tightly.")
    widths: str = setting("2,2,2,2", max_chars=40, label="Hidden widths",
                          help="Units per hidden layer, e.g. 2,2,2,2 or 3.")
    activation: str = setting("tanh", choices=tuple(ACTIVATIONS), label="Activation")
    seed: int = setting(0, lo=0, hi=1_000_000, label="Seed")
    steps: int = setting(2000, lo=0, hi=20_000, step=250, label="Steps", help="Full-batch updates.")
    lr: float = setting(0.03, choices=LEARNING_RATES, widget="select_slider", label="Learning rate")
    optimizer: str = setting("adam", choices=OPTIMIZERS, label="Optimiser")
    data_id: str = setting("", max_chars=16)   # fingerprint of an uploaded CSV (dataset == "csv")
    start_id: str = setting("", max_chars=16)  # fingerprint of uploaded weights training starts from

    def hidden_widths(self, max_width: int = 16) -> tuple[int, ...]:
        return parse_widths(self.widths, max_width=max_width)

    def check(self) -> None:
        super().check()
        self.hidden_widths()  # widths' range: whole numbers 1 to 16

    def make_dataset(self) -> datasets.Dataset:
        params = {"turns": self.turns} if self.dataset in ("spirals", "three_spirals") else {}
        return datasets.make(self.dataset, n=self.n, noise=self.noise, seed=self.seed, **params)

    def make_model(self, ds: datasets.Dataset) -> MLP:
        return MLP(ds.dim, self.hidden_widths(), ds.out_dim, activation=self.activation, seed=self.seed)


@dataclass(eq=False)
class Run(Trained):
    """A trained model, its dataset and the History of the run (treat as read-only: it is cached)."""

    config: RunConfig
    dataset: datasets.Dataset
    model: MLP
    history: History

    def animation(self, t: int = -1):
        """Lesson 1's animation of snapshot ``t``, and the labels of the points it follows."""
        keep = datasets.subsample(self.dataset.n, ANIMATION_POINTS[3 if self.dataset.dim == 3 else 2])
        anim = animate(self.model_at(t), self.dataset.X[keep], frames_per_phase=FRAMES_PER_PHASE,
                       grid_resolution=GRID_RESOLUTION)
        return anim, self.dataset.y[keep]


def describe(model: MLP) -> str:
    """E.g. "2-3-2 tanh": inputs, hidden widths, outputs and activation."""
    return "-".join(map(str, (model.in_dim, *model.widths, model.out_dim))) + f" {model.activation}"


def train_run(cfg: RunConfig, progress=None, dataset: datasets.Dataset | None = None,
              start: MLP | None = None) -> Run:
    """Build the dataset and the net of ``cfg`` and train it (raises UserError for bad settings).

    ``dataset`` replaces the generated one (a user's CSV, named by ``cfg.data_id``);
    ``start`` is a model whose weights training continues from (``cfg.start_id``).
    """
    cfg.check()
    if cfg.dataset == "csv" and dataset is None:
        raise UserError("This link uses a CSV file uploaded on another computer, and this server no longer "
                        "has it. Upload the same file (sidebar, 'Your own data') to reproduce the experiment.")
    ds = dataset if dataset is not None else cfg.make_dataset()
    model = cfg.make_model(ds)
    if start is not None:
        if (start.in_dim, start.out_dim) != (ds.dim, ds.out_dim):
            raise UserError(f"The loaded weights are for {start.in_dim} inputs and {start.out_dim} outputs, but "
                            f"this dataset has {ds.dim} inputs and needs {ds.out_dim} outputs.")
        if (start.widths, start.activation) != (model.widths, model.activation):
            raise UserError(f"The loaded weights are for a {describe(start)} net, but the settings ask for a "
                            f"{describe(model)} net. Set Hidden widths to {','.join(map(str, start.widths))} "
                            f"and Activation to {start.activation}, or start from fresh weights.")
        model = start.clone()
    hist = fit(model, ds, steps=cfg.steps, lr=cfg.lr, optimizer=cfg.optimizer, seed=cfg.seed, progress=progress)
    return Run(cfg, ds, model, hist)


PRESETS: dict[str, Preset] = {
    "spirals": Preset(
        "Spirals: a 2-2-2-2 tanh net untangles them", RunConfig(),
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
        ("One tanh unit maps the line onto an interval without changing the order of points (tanh is "
         "monotone), so class B stays between the two A groups.",
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
