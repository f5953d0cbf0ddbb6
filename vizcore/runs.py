"""One experiment = one frozen config: a dataset, a net, and how it was trained.

``RunConfig`` is what a lesson page and a shared link describe; :func:`train_run`
turns it into a trained model and its History, deterministically. Lesson 1's presets and
what its page draws of a run are in :mod:`vizcore.lessons.layers`.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import datasets, drawn
from .config import QueryConfig, setting
from .errors import UserError
from .history import Trained
from .nets import ACTIVATIONS, MLP, parse_widths
from .train import OPTIMIZERS, History, fit

LAYER_DATASETS = ("spirals", "three_spirals", "disc_annulus", "linked_tori", "line_aba")
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
    # the drawing (dataset == "drawn"): vizcore.drawn's code
    points: str = setting("", max_chars=drawn.MAX_TEXT, omit_default=True, label="Drawn points")

    def __post_init__(self) -> None:
        drawn.only_when_drawn(self)

    def hidden_widths(self, max_width: int = 16) -> tuple[int, ...]:
        return parse_widths(self.widths, max_width=max_width)

    def check(self) -> None:
        super().check()
        self.hidden_widths()  # widths' range: whole numbers 1 to 16
        drawn.unpack(self.points)  # a drawing's text: whole and unchanged

    def make_dataset(self) -> datasets.Dataset:
        return datasets.make(self.dataset, n=self.n, noise=self.noise, seed=self.seed,
                             **datasets.accepted(self.dataset, turns=self.turns, points=self.points))

    def make_model(self, ds: datasets.Dataset) -> MLP:
        return MLP(ds.dim, self.hidden_widths(), ds.out_dim, activation=self.activation, seed=self.seed)


@dataclass(eq=False)
class Run(Trained):
    """A trained model, its dataset and the History of the run (treat as read-only: it is cached)."""

    config: RunConfig
    dataset: datasets.Dataset
    model: MLP
    history: History


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
