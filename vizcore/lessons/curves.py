"""Lesson 6, fitting curves neuron by neuron: its settings, presets (article 001's steps) and what its page draws.

The concept (training a 1D fit, its units, kinks and saturation) is :mod:`vizcore.curves`; this module trains
the fit of its settings (:func:`compute`), sweeps one setting over several values, and turns the fit into
the figures, tables and words of the page, and article 001's claims beside what the fit shows.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from vizcore import curves
from vizcore import datasets
from vizcore.config import Preset, QueryConfig, setting
from vizcore.curves import HIGH, LOW, TARGETS, WIDE, CurveRun, collapsed_line, contributions, first_layer_units, \
    kinks, most_switches, predict, saturation, snapshots, switches
from vizcore.datasets import Dataset, curve_target
from vizcore.errors import UserError
from vizcore.expr import check_finite
from vizcore.figures import curves as figures
from vizcore.figures.curves import MAX_PARTS
from vizcore.figures.spec import Spec
from vizcore.history import ProgressFn, stages
from vizcore.lessons import Claim, Lesson, Question, band
from vizcore.nets import ACTIVATIONS, INITS, MLP
from vizcore.train import OPTIMIZERS

LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3)  # the slider's stops (a link may add one)


@dataclass(frozen=True)
class CurveConfig(QueryConfig):
    """One curve-fitting experiment. ``width=0`` means no hidden layer: a single linear neuron."""

    target: str = setting("piecewise", max_chars=120, label="Formula in x",
                          help="Numbers, x, pi, e, + - * / ** and sin cos exp log abs tanh sqrt.")
    n: int = setting(300, lo=10, hi=1000, step=10, widget="slider", label=f"Points on [{LOW:g}, {HIGH:g}]")
    noise: float = setting(0.0, lo=0.0, hi=1.0, step=0.05, widget="slider")
    width: int = setting(20, lo=0, hi=200, label="Hidden units per layer (0 = one linear neuron)")
    depth: int = setting(1, lo=1, hi=3, choices=(1, 2, 3), widget="radio", horizontal=True, label="Hidden layers")
    activation: str = setting("tanh", choices=tuple(ACTIVATIONS))
    init: str = setting("he", choices=INITS, label="Initial weights",
                        help="default: uniform ±1/√fan-in; glorot: normal, spread √(2/(in+out)); he: √(2/in).")
    optimizer: str = setting("nesterov", choices=OPTIMIZERS, label="Optimiser",
                             names={"sgd": "SGD", "nesterov": "SGD + Nesterov momentum", "adam": "Adam"})
    lr: float = setting(0.03, lo=1e-5, hi=1.0, widget="select_slider", label="Learning rate")
    steps: int = setting(3000, lo=1, hi=20_000, step=250, label="Epochs")
    seed: int = setting(0, lo=0, hi=1_000_000)
    data_id: str = setting("", max_chars=16)  # fingerprint of an uploaded CSV that replaces the target's points

    def check(self) -> None:
        super().check()
        if not self.data_id and self.target not in TARGETS:  # a formula must parse and be finite on [LOW, HIGH]
            check_finite(self.target, LOW, HIGH)  # (UserError says why not, and where)

    @property
    def widths(self) -> tuple[int, ...]:
        return () if self.width == 0 else (self.width,) * self.depth

    def make_dataset(self) -> Dataset:
        return datasets.make("curve", n=self.n, noise=self.noise, seed=self.seed, target=self.target,
                             low=LOW, high=HIGH)

    def make_model(self) -> MLP:
        activation = "linear" if self.width == 0 else self.activation
        return MLP(1, self.widths, 1, activation=activation, seed=self.seed, init=self.init)


SWEEPS = {  # what the small multiples can sweep: a setting and its values, all else as set
    "width": (1, 2, 5, 10, 20, 50),
    "optimizer": OPTIMIZERS,
    "init": ("default", "glorot", "he"),
    "depth": (1, 2),
}
COMPARISONS = ("epochs", *SWEEPS)  # what the small multiples compare: one run's epochs, or a sweep


@dataclass(frozen=True)
class CurveView(QueryConfig):
    """What the curve page shows of a trained fit: the small multiples compare epochs or a sweep."""

    sweep: str = setting("epochs", choices=COMPARISONS, widget="radio", horizontal=True, label="Compare",
                         names={"epochs": "epochs (this run)", "width": "widths", "optimizer": "optimisers",
                                "init": "initialisations", "depth": "depths"})


def train(cfg: CurveConfig, progress: ProgressFn | None = None, csv: Dataset | None = None) -> CurveRun:
    """The net of ``cfg`` trained on the target's points, or on the uploaded points ``csv`` that ``cfg.data_id``
    names (full batch: one step = one epoch)."""
    cfg.check()
    if cfg.data_id and csv is None:
        raise UserError("This link uses a CSV file uploaded on another computer, and this server no longer "
                        "has it. Upload the same file (sidebar, 'Your own data') to reproduce the experiment.")
    ds = csv if csv is not None else cfg.make_dataset()
    return curves.train(ds, cfg.make_model(), steps=cfg.steps, lr=cfg.lr, optimizer=cfg.optimizer, seed=cfg.seed,
                        progress=progress)


@dataclass(eq=False)
class CurveResult:
    """Lesson 6's result: the settings and their trained fit."""

    config: CurveConfig
    run: CurveRun


def compute(cfg: CurveConfig, progress: ProgressFn | None = None, csv: Dataset | None = None) -> CurveResult:
    return CurveResult(cfg, train(cfg, progress, csv))


def sweep(result: CurveResult, kind: str, progress: ProgressFn | None = None) -> list[tuple[str, np.ndarray, float]]:
    """Train one net per value of ``kind`` (width, optimizer, init, depth), all else from ``result``'s settings
    (and on its points); ``progress`` counts the steps of all of them.

    Returns (label, f(x) [m] on the fit's grid, final loss) per value.
    """
    if kind not in SWEEPS:
        raise UserError(f"Unknown sweep {kind!r}; choose one of {', '.join(SWEEPS)}.")
    cfg, x = result.config, grids(result)[0]
    csv = result.run.dataset if cfg.data_id else None
    values = SWEEPS[kind]
    panels = []
    for value, report in zip(values, stages(progress, len(values))):
        changed = replace(cfg, **{kind: value})
        if kind != "width" and cfg.width == 0:
            changed = replace(changed, width=20)
        run = train(changed, report, csv)
        label = f"{kind} = {value}" if kind != "depth" else f"{value} hidden layer{'s' if value > 1 else ''}"
        panels.append((label, predict(run.model, x), float(run.history.loss[-1])))
    return panels


def learning_rates(current: float) -> list[float]:
    """The learning-rate slider's stops, with ``current`` among them (a link may ask for any rate)."""
    return sorted({*LEARNING_RATES, current})


# In the order of article 001. The article trained with Keras: mini-batches of 32, SGD with rate 0.01
# (Nesterov momentum 0.9 from the 100-unit ReLU net on), Glorot-uniform weights and zero biases by
# default. Here every step is full batch; each preset's `article` says what follows the article.
# Steps 6 to 10 are the defaults (20 tanh units, He, Nesterov at 0.03, 3,000 steps) with one change each.
SINE = "2sin(x)+5"
PRESETS: dict[str, Preset] = {
    "linear1": Preset("1 · One linear neuron", CurveConfig(target=SINE, width=0, optimizer="sgd", lr=0.05,
                                                           steps=500), (
        "One neuron without activation is a straight line w·x + b.",
        "It fits 2x+5 exactly and the sine only on average (slope about 0.7, intercept 5).")),
    "linear5": Preset("2 · Five linear neurons", CurveConfig(target=SINE, width=5, activation="linear", init="glorot",
                                                            optimizer="sgd", lr=0.02, steps=1000), (
        "Five linear units plus an output unit still give a straight line: a sum of lines is a line.",)),
    "relu5": Preset("3 · ReLU, 5 units", CurveConfig(target=SINE, width=5, activation="relu", init="glorot",
                                                     optimizer="sgd", lr=0.01, steps=3000), (
        "ReLU bends the line.",
        "Each unit of a single hidden layer switches on at one x, so 5 units make at most 5 kinks and 6 straight "
        "pieces."), article="Plain SGD at rate 0.01 with Glorot weights (uniform there, normal here)."),
    "relu100": Preset("4 · ReLU, 100 units", CurveConfig(target=SINE, width=100, activation="relu", init="glorot",
                                                         optimizer="nesterov", lr=0.01, steps=3000), (
        "A hundred units, up to a hundred kinks: a polyline that hugs the sine.",),
        article="SGD with Nesterov momentum 0.9 at rate 0.01."),
    "relu-piecewise": Preset("5 · ReLU on the piecewise curve", CurveConfig(
        target="piecewise", width=100, activation="relu", init="glorot", optimizer="nesterov", lr=0.01, steps=3000), (
        "The same net on the article's harder curve: the segments cut the corners of the waves on the left.",)),
    "glorot": Preset("6 · tanh, 20 units, Glorot init", CurveConfig(init="glorot"), (
        "Glorot's initial weights are small here (spread √(2/21) ≈ 0.31 for 1 input and 20 units): every tanh "
        "starts as a gentle slope.",
        "The waves on the left are only partly caught."),
        article="Nesterov momentum; rate 0.03 and 3,000 steps are this app's."),
    "he": Preset("7 · tanh, 20 units, He init", CurveConfig(), (
        "He's initial weights are larger (spread √(2/1) ≈ 1.4), so every tanh starts as a steeper step.",
        "All biases start at zero, so every step starts centred at x = 0; training moves them apart.",
        "The fit catches more of the waves.")),
    "sgd": Preset("8 · plain SGD", CurveConfig(optimizer="sgd"), (
        "The same net with plain gradient descent: progress is slow and the waves stay rough.",
        "(This comparison of optimisers is this app's.)")),
    "nesterov": Preset("9 · SGD with Nesterov momentum", CurveConfig(), (
        "Momentum keeps moving the weights in a consistent direction and takes the bends better.",)),
    "adam": Preset("10 · Adam", CurveConfig(optimizer="adam", lr=0.01), (
        "Adam scales each weight's step by its own gradient history: the best fit of the three here.",)),
    "deep": Preset("11 · two hidden layers of 50", CurveConfig(width=50, depth=2, lr=0.01), (
        "A second layer combines the first layer's steps into new shapes: the centre and the edges improve.",),
        article="He weights and Nesterov momentum at rate 0.01."),
}
OPENING = "he"  # the preset a first visit opens on; CurveConfig() is its config
NOTICE = (  # what to notice whatever the settings
    "One linear neuron, or any number of them, is a straight line: activations are what bend it.",
    "ReLU units make a polyline. In the first hidden layer each unit adds at most one kink, where w·x + b = 0; "
    "units of a deeper layer can add several.",
    "tanh units are smooth steps; each one takes charge of a stretch of x and is flat elsewhere.",
    "He initialisation starts with steeper steps than Glorot's (all centred at x = 0: biases start at zero) and "
    "here fits the waves better.",
    "Past the data, the net does not know the function: it just keeps its last slope or level.",
)


@dataclass(frozen=True, eq=False)
class FitView:
    """What the page draws of a trained fit: the curve on the training interval and beyond, and its units.

    grid [m] spans the data's x range [low, high]; wide [w] twice as wide. parts [m, k] are the last hidden
    layer's shares (their sum + bias is fit); units hold each first-layer unit's w, b and centre.
    """

    grid: np.ndarray
    wide: np.ndarray
    low: float
    high: float
    fit: np.ndarray
    parts: np.ndarray
    bias: float
    kinks: np.ndarray
    kink_y: np.ndarray
    units: list[dict[str, float]]
    wide_fit: np.ndarray
    wide_target: np.ndarray  # NaN where there is no formula to continue (an uploaded file)

    @property
    def interval(self) -> str:
        return f"[{self.low:.3g}, {self.high:.3g}]"


def grids(result: CurveResult) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Where the curve is drawn: [LOW, HIGH] and [-WIDE, WIDE], or an uploaded x range and twice as wide."""
    if not result.config.data_id:
        return np.linspace(LOW, HIGH, 400), np.linspace(-WIDE, WIDE, 600), LOW, HIGH
    x = result.run.dataset.X[:, 0]
    low, high = float(x.min()), float(x.max())
    half = max(high - low, 1e-3) / 2
    return np.linspace(low, high, 400), np.linspace(low - half, high + half, 600), low, high


def fit_view(result: CurveResult) -> FitView:
    """The arrays of :class:`FitView` for a trained fit."""
    grid, wide, low, high = grids(result)
    cfg, model = result.config, result.run.model
    parts, bias = contributions(model, grid)
    kinked = kinks(model, grid)
    target = np.full(len(wide), np.nan) if cfg.data_id else curve_target(cfg.target)(wide)
    return FitView(grid, wide, low, high, predict(model, grid), parts, bias, kinked, predict(model, kinked),
                   first_layer_units(model), predict(model, wide), np.where(np.isfinite(target), target, np.nan))


def metrics(run: CurveRun, view: FitView) -> list[tuple[str, str]]:
    """(label, value) of the numbers above the fit: its error, its size, its kinks (ReLU) or units."""
    model, relu = run.model, run.model.activation == "relu"
    return [("Final mean squared error", f"{run.history.loss[-1]:.4f}"), ("Parameters", str(model.n_params)),
            (f"ReLU kinks on {view.interval}", str(len(view.kinks))) if relu else
            ("Hidden units", str(sum(model.widths)))]


def fit_caption(view: FitView) -> str:
    """What the fit figure shows, for a net with hidden units."""
    return ("Top: the training points and the net's curve. Below: every unit of the last hidden layer times its output "
            f"weight; these thin curves plus the output bias ({view.bias:.2f}) add up to the thick one"
            + (f" (the {MAX_PARTS} largest are drawn)." if view.parts.shape[1] > MAX_PARTS else "."))


def beyond_caption(view: FitView) -> str:
    return (f"The net only ever saw x between {view.low:.3g} and {view.high:.3g}. Outside, tanh units flatten into "
            "constants and ReLU units continue as straight lines, so the net extrapolates a constant or a line, "
            "whatever the target does.")


def unit_notes(view: FitView, depth: int) -> list[str] | None:
    """Hover text per drawn unit: with one hidden layer, the units drawn are the first layer's."""
    if depth != 1 or not view.units:
        return None
    return [f"w = {u['w']:.2f}, b = {u['b']:.2f}, centred at x = {u['centre']:.2f}" for u in view.units]


def unit_rows(view: FitView) -> list[dict[str, str]]:
    """The first layer's units as table rows: weight, bias (the shift) and centre."""
    return [{"unit": i + 1, "w": f"{u['w']:.3f}", "b (shift)": f"{u['b']:.3f}",
             "centred at x = −b/w": f"{u['centre']:.3f}"} for i, u in enumerate(view.units)]


UNITS_CAPTION = ("Unit i computes act(wᵢ·x + bᵢ): the bias slides its curve along x, centring it at x = −bᵢ/wᵢ. "
                 "With biases starting at zero every unit starts centred at x = 0; training moves them apart.")


def line_text(result: CurveResult) -> str:
    """For a net without activation, the one line it computes, in words; "" for any other net."""
    run = result.run
    if run.model.activation != "linear":
        return ""
    slope, intercept = collapsed_line(run.model)
    if result.config.width == 0:
        return f"**One neuron, one line:** f(x) = w·x + b = **{slope:.3f}·x + {intercept:.3f}**."
    return ("**Still a line.** Without an activation every unit is a line w·x + b, and a weighted sum of lines is a "
            "line: f(x) = Σᵢ w′ᵢ(wᵢ·x + bᵢ) + b = (Σᵢ w′ᵢwᵢ)·x + (Σᵢ w′ᵢbᵢ + b) "
            f"= **{slope:.3f}·x + {intercept:.3f}** for this net.")


def epoch_panels(run: CurveRun, grid: np.ndarray) -> tuple[list[tuple[str, np.ndarray]], str]:
    """Small multiples of one run at a few epochs: (title, f(grid)) per panel, and what they show."""
    panels = [(f"epoch {step}", y) for step, y in snapshots(run, grid)]
    return panels, f"The same run at {len(panels)} moments: the broad shape comes first, the details last."


def sweep_panels(results: list[tuple[str, np.ndarray, float]], kind: str) -> tuple[list[tuple[str, np.ndarray]], str]:
    """Small multiples of a :func:`sweep`: (title, f(grid)) per net, and what they show."""
    return ([(f"{label} · MSE {loss:.3f}", y) for label, y, loss in results],
            f"Every net has your settings except the {kind}; each trains from the same seed.")


def file_caption(dataset: Dataset) -> str:
    columns = dataset.params.get("columns") or ["x", "y"]
    return f"Your file: {dataset.n:,} points, {columns[0]!r} as x and {columns[-1]!r} as y."


def claims(preset_key: str, result: CurveResult, view: CurveView | None = None) -> list[Claim]:
    """What article 001 says beside what this net shows, for the article's claims this net can test."""
    grid, wide, _, _ = grids(result)
    return [Claim(said, seen, source="article 001")
            for said, seen in article_checks(result.run.model, grid, (wide[0], wide[-1]))]


def notice(preset_key: str, result: CurveResult | None = None, view: CurveView | None = None) -> list[str]:
    """What to notice: the preset's lines and the article's settings it follows (if any), then the lesson's."""
    preset = PRESETS.get(preset_key)
    if preset is None:
        return list(NOTICE)
    return [*preset.notice, *([f"- **The article:** {preset.article}"] if preset.article else []), *NOTICE]


def article_checks(model: MLP, grid: np.ndarray, far: tuple[float, float]) -> list[tuple[str, str]]:
    """(what article 001 says, what this net shows) for the article's claims this net can test.

    grid : the training interval's grid (where kinks are counted); far : two x far outside it.
    """
    if not model.widths:
        return []
    where = f"[{grid[0]:.3g}, {grid[-1]:.3g}]"
    if model.activation == "relu":
        per, kinked = switches(model, grid), kinks(model, grid)
        later = "".join(f"; layer {k + 2}'s {w} units switch at {len(p)} points"
                        for k, (w, p) in enumerate(zip(model.widths[1:], per[1:])))
        busiest = most_switches(model, grid)[1:]
        deeper = (f" A unit of a later layer sees an already bent input: here the busiest one switches "
                  f"{max(busiest)} times." if busiest else "")
        return [("that the most straight segments a hidden layer can make equals its number of units.",
                 f"one layer of n ReLU units has at most n kinks, so at most n + 1 segments, one more than the "
                 f"article says. This net's {model.widths[0]} first-layer units switch at {len(per[0])} points on "
                 f"{where}{later}; its curve has {len(kinked)} kinks there, {len(kinked) + 1} straight pieces."
                 + deeper)]
    if model.activation == "tanh":
        values = np.r_[saturation(model, far[0]), saturation(model, far[1])]
        return [("that outside its stretch each tanh falls to zero or one and just shifts the output.",
                 f"tanh runs from −1 to +1 (zero to one is the sigmoid's range). At x = {far[0]:.3g} and "
                 f"{far[1]:.3g}, {np.sum(values < -0.99)} of this net's {values.size} first-layer values are below "
                 f"−0.99 and {np.sum(values > 0.99)} above +0.99.")]
    return []


# --- the figures (through the page's shared cache: ``shown.derived(fn, ...)``) --------------------

def fit_figure(result: CurveResult) -> Spec:
    """The data and the fit and, below it, each unit's share (for a net with hidden units)."""
    view, run = fit_view(result), result.run
    widths = run.model.widths
    return figures.fit_figure(run.dataset.X[:, 0], run.dataset.y, view.grid, view.fit, view.parts if widths else None,
                              view.kinks, view.kink_y, unit_notes=unit_notes(view, len(widths)))


def loss_figure(result: CurveResult) -> Spec:
    return figures.loss_figure(result.run.history.step, result.run.history.loss)


def beyond_figure(result: CurveResult) -> Spec:
    view = fit_view(result)
    return figures.beyond_figure(view.wide, view.wide_target, view.wide_fit, view.low, view.high)


def multiples(result: CurveResult, kind: str, progress: ProgressFn | None = None) -> tuple[Spec, str]:
    """The small multiples of one run's epochs (``kind`` "epochs") or of a :func:`sweep` of ``kind``, and what
    they show."""
    grid, ds = grids(result)[0], result.run.dataset
    panels, note = epoch_panels(result.run, grid) if kind == "epochs" else \
        sweep_panels(sweep(result, kind, progress), kind)
    return figures.small_multiples(panels, ds.X[:, 0], ds.y, grid), note


def straight_pieces(result: CurveResult) -> int:
    """How many straight pieces the fitted curve has on the data's interval (its kinks there, plus one)."""
    return len(kinks(result.run.model, grids(result)[0])) + 1


QUESTIONS = {  # asked from the projector before the picture answers (ui/classroom.py)
    "relu5": Question(
        "Five ReLU units in one hidden layer fit 2·sin(x) + 5. How many straight pieces does the fitted curve have "
        "where the data is?", ("1 or 2", "3 to 6", "more than 6"),
        lambda result: band(straight_pieces(result), (3, 7)),
        lambda result: f"{straight_pieces(result)} pieces: each unit of one layer switches on at one x at most, so "
                       f"{result.run.model.widths[0]} units make at most {result.run.model.widths[0] + 1} pieces"
                       + (", and some switch outside the data or not at all." if straight_pieces(result) <=
                          result.run.model.widths[0] else "."),
        picture=lambda result: fit_figure(result)),
}


LESSON = Lesson(settings=CurveConfig(), view=CurveView(), compute=compute, presets=PRESETS, claims=claims,
                notice=notice, uploads={"data_id": "csv"}, questions=QUESTIONS)
