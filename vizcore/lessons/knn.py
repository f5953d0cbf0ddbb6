"""Lesson 4, k-NN instead of softmax: its settings, presets, the three heads side by side, and the
article's claims beside the measured numbers.

:func:`compare_heads` trains one softmax body and one k-NN body per seed (:mod:`vizcore.knn`) and
scores three heads on held-out data: softmax, k-NN on the softmax body's features, and k-NN on the
body trained for it end to end.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from .. import drawn
from ..boundary import padded_box
from ..config import Preset, QueryConfig, setting
from ..data import Dataset
from ..figures.knn import feature_planes
from ..figures.spec import Spec
from ..history import ProgressFn
from ..knn import WEIGHTINGS, Split, knn_head, load_split, neighbour_ratio, train_bodies
from ..nets import parse_widths
from ..errors import UserError
from ..threads import one_thread
from . import Claim, Lesson, Question

DATASETS = ("digits", "spirals", "disc_annulus", "drawn")
DATASET_TITLES = {"digits": "digits: 8×8 handwritten digits (scikit-learn)", "spirals": "spirals: two arms in 2D",
                  "disc_annulus": "disc_annulus: a disc inside a ring", "drawn": "drawn: your own points"}
HEADS = ("softmax", "knn_features", "knn_end_to_end")
HEAD_TITLES = {"softmax": "softmax", "knn_features": "k-NN on softmax features",
               "knn_end_to_end": "k-NN trained end to end"}


@dataclass(frozen=True)
class KnnConfig(QueryConfig):
    """One k-NN-versus-softmax experiment (a shareable link)."""

    dataset: str = setting("digits", choices=DATASETS, label="Dataset", names=DATASET_TITLES)
    widths: str = setting("32", max_chars=40, label="Hidden tanh widths",
                          help="Before the feature layer, e.g. 32 or 16,16.")
    features: int = setting(2, choices=(2, 3, 8, 16), widget="select_slider", label="Feature dimensions",
                            help="2 can be drawn as it is; more are drawn through their two main directions.")
    k: int = setting(5, lo=1, hi=50, widget="slider", label="k (neighbours at test time)")
    weighting: str = setting("inverse", choices=WEIGHTINGS, widget="radio", label="Weights in the training loss",
                             names={"inverse": "1 / distance", "gaussian": "exp(-d² / T)"})
    temperature: float = setting(1.0, lo=1e-3, hi=10.0, step=0.1, label="Temperature T", format="%.3f")
    seeds: int = setting(5, lo=5, hi=10, widget="slider", label="Seeds")
    # with lr 0.025: the findings of 500 steps at 0.01 in half the time
    steps: int = setting(250, lo=10, hi=5000, step=100, label="Steps", help="Minibatch Adam updates per body.")
    batch: int = setting(128, lo=16, hi=512, step=16, label="Minibatch size")
    lr: float = setting(0.025, lo=1e-4, hi=1.0, step=0.005, label="Learning rate", format="%.4f")
    n: int = setting(600, lo=50, hi=3000, step=50, label="Training points",
                     help="The test set is as large, drawn afresh.")
    noise: float = setting(0.05, lo=0.0, hi=0.3, step=0.01, widget="slider", label="Noise")
    # the drawing (dataset == "drawn"): vizcore.drawn's code
    points: str = setting("", max_chars=drawn.MAX_TEXT, omit_default=True, label="Drawn points")

    def __post_init__(self) -> None:
        drawn.only_when_drawn(self)

    def hidden_widths(self) -> tuple[int, ...]:
        return parse_widths(self.widths, max_width=128, max_layers=4)

    def check(self) -> None:
        super().check()
        self.hidden_widths()  # widths' range: whole numbers 1 to 128, at most 4 layers
        drawn.unpack(self.points)  # a drawing's text: whole and unchanged

    def split(self) -> Split:
        """The train/test split these settings name (:func:`vizcore.knn.load_split`)."""
        return load_split(self.dataset, n=self.n, noise=self.noise, points=self.points)

    def training(self) -> dict:
        """The keyword arguments of :func:`vizcore.knn.train_bodies` these settings give."""
        return dict(widths=self.hidden_widths(), features=self.features, seeds=self.seeds, steps=self.steps,
                    batch=self.batch, lr=self.lr, weighting=self.weighting, temperature=self.temperature)


PRESETS = {  # ?preset=<key>; each notice line is formatted with the numbers of notice_values()
    "digits": Preset(
        "Digits · 1/distance (the article's)", KnnConfig(),
        ("Compare the first two panels: the same features, only the head differs, and k-NN changed the error by "
         "{diff:+.1f} points (the article: 0.1 to 0.2 points lower). Trained end to end with the article's "
         "1/distance weights, the error is {e2e:.1f}% against softmax's {soft:.1f}%: {verdict}.",),
        article="Dropping the softmax layer for k-NN lowers the test error by 0.1–0.2 points; trained end to end "
                "with 1/distance weights, k-NN does worse than softmax."),
    "digits_gaussian": Preset(
        "Digits · exp(-d²/T) (this app's)", KnnConfig(weighting="gaussian"),
        ("exp(-d²/T) weights are this app's addition, not the article's (as in neighbourhood components "
         "analysis): far points get almost no weight, so training shapes each point's own neighbourhood. End to "
         "end: {e2e:.1f}% against softmax's {soft:.1f}%, better in {better} of {seeds} seeds.",)),
    "spirals": Preset(
        "Two spirals (2D toy data)", KnnConfig(dataset="spirals"),
        ("Two spirals are easy for every head here ({soft:.1f}%, {feats:.1f}%, {e2e:.1f}% test error), so compare "
         "the shapes of seed 0's features: a point's nearest neighbour of its own class is {r_e2e:.4f} times as far "
         "as the nearest of the other class when trained for k-NN, {r_soft:.4f} in softmax features: {packing}.",)),
}
CUSTOM_NOTICE = ("Your own settings: softmax {soft:.1f}%, k-NN on its features {feats:.1f}%, k-NN end to end "
                 "{e2e:.1f}% test error (means over {seeds} seeds).",)


@dataclass(eq=False)
class KnnResult:
    """Test errors of the three heads over seeds, and seed 0's pictures.

    errors   : {head: float [S]} test error rate of each seed
    features : {head: float32 [n_test, k]} seed 0's test-set features (softmax body for both
               the softmax and the kNN-on-features head)
    regions  : {head: (xs [g], ys [g], classes int [g, g])} decision regions of seed 0 in the
               feature plane, or {} when features are not 2-D
    """

    config: KnnConfig
    split: Split
    errors: dict[str, np.ndarray]
    features: dict[str, np.ndarray]
    regions: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]

    def summary(self) -> dict[str, tuple[float, float]]:
        """{head: (mean, std)} of the test error over seeds."""
        return {h: (float(e.mean()), float(e.std())) for h, e in self.errors.items()}


def _grid(Z: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    low, high = padded_box(Z)
    xs, ys = np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.c_[gx.ravel(), gy.ravel()]


@torch.no_grad()
def compare_heads(cfg: KnnConfig, progress: Optional[ProgressFn] = None, resolution: int = 90) -> KnnResult:
    """Train both bodies over ``cfg.seeds`` seeds and score the three heads on the test set."""
    cfg.check()
    split = cfg.split()
    if cfg.k > len(split.X_train):
        raise UserError(f"k must be at most the number of training points ({len(split.X_train)}).")
    with torch.enable_grad(), one_thread():
        soft, e2e = train_bodies(split, **cfg.training(), progress=progress)
    Xtr, Xte = torch.from_numpy(split.X_train), torch.from_numpy(split.X_test)
    Zs_tr, Zs_te = soft.features(Xtr).numpy(), soft.features(Xte).numpy()
    Ze_tr, Ze_te = e2e.features(Xtr).numpy(), e2e.features(Xte).numpy()
    logits = soft.logits(torch.from_numpy(Zs_te)).numpy()
    errors = {h: np.zeros(cfg.seeds) for h in HEADS}
    heads = {}
    for s in range(cfg.seeds):
        errors["softmax"][s] = np.mean(logits[s].argmax(1) != split.y_test)
        for head, Ztr, Zte in (("knn_features", Zs_tr, Zs_te), ("knn_end_to_end", Ze_tr, Ze_te)):
            clf = knn_head(Ztr[s], split.y_train, cfg.k)
            errors[head][s] = np.mean(clf.predict(Zte[s]) != split.y_test)
            if s == 0:
                heads[head] = clf
    features = {"softmax": Zs_te[0], "knn_features": Zs_te[0], "knn_end_to_end": Ze_te[0]}
    regions = {}
    if cfg.features == 2:
        for head, Z in features.items():
            xs, ys, pts = _grid(Z, resolution)
            if head == "softmax":
                cls = soft.logits(torch.from_numpy(pts.astype(np.float32))[None].expand(cfg.seeds, -1, -1))[0]
                cls = cls.argmax(1).numpy()
            else:
                cls = heads[head].predict(pts)
            regions[head] = (xs.astype(np.float32), ys.astype(np.float32), cls.reshape(resolution, resolution))
    return KnnResult(cfg, split, errors, {h: z.astype(np.float32) for h, z in features.items()}, regions)




# What the source article (003) reports, on MNIST with a two-layer CNN without dropout, in this app's words.
ARTICLE = {
    "softmax": "About 1% test error with the softmax layer.",
    "knn_features": "Dropping the softmax layer for k-NN on the same net lowered the test error by 0.1–0.2 points.",
    "knn_end_to_end": "Trained end to end, each example classified by the rest of its minibatch with 1/distance "
                      "weights: 4–5% test error at best, worse than softmax (with little tuning).",
}


def claims(preset: str, result: KnnResult, view=None) -> list[Claim]:
    """One claim per head: the article's finding beside this app's test error (mean ± std over seeds, and
    the paired change from softmax with the number of seeds where the head did better)."""
    S = result.config.seeds
    gaussian = result.config.weighting == "gaussian"
    out = []
    for head in HEADS:
        mean, std = result.summary()[head]
        measured = f"{100 * mean:.1f}% ± {100 * std:.1f} test error over {S} seeds"
        agrees = None  # the softmax figure is for MNIST: only the direction of the differences carries over
        if head == "knn_end_to_end" and gaussian:
            measured = "with exp(-d²/T) weights, this app's addition: " + measured
        if head != "softmax":
            diff = 100 * (result.errors[head] - result.errors["softmax"])
            better = int(np.sum(diff < 0))
            measured += (f"; {diff.mean():+.1f} ± {diff.std():.1f} points against softmax, lower in {better} "
                         f"of {S} seeds")
            agrees = None if gaussian and head == "knn_end_to_end" else \
                bool(diff.mean() < 0) if head == "knn_features" else bool(diff.mean() > 0)
        out.append(Claim(ARTICLE[head], measured, agrees, about=HEAD_TITLES[head],
                         source="article 003: MNIST, a two-layer CNN"))
    return out


def notice(preset_key: str, result: KnnResult, view=None) -> list[str]:
    """What to notice in this result: the preset's lines (or the custom settings' line) with its numbers."""
    soft, feats, e2e = (100 * result.summary()[h][0] for h in HEADS)
    ratio = neighbour_ratios(result)
    lines = PRESETS[preset_key].notice if preset_key in PRESETS else CUSTOM_NOTICE
    values = dict(soft=soft, feats=feats, e2e=e2e, diff=feats - soft, seeds=result.config.seeds,
                  verdict="worse, as the article found" if e2e > soft else "better, unlike the article's finding",
                  better=int(np.sum(result.errors["knn_end_to_end"] < result.errors["softmax"])),
                  r_soft=ratio["softmax"], r_e2e=ratio["knn_end_to_end"],
                  packing=("training for k-NN packed each class tighter" if ratio["knn_end_to_end"] < ratio["softmax"]
                           else "training for k-NN did not pack the classes tighter than softmax here"))
    return [line.format(**values) for line in lines]


def neighbour_ratios(result: KnnResult) -> dict[str, float]:
    """:func:`vizcore.knn.neighbour_ratio` of seed 0's test features, for the softmax and the end-to-end body."""
    return {h: neighbour_ratio(result.features[h], result.split.y_test) for h in ("softmax", "knn_end_to_end")}


def training_points(cfg: KnnConfig) -> Dataset | None:
    """The training points of a 2-D toy set, for a drawing to start from (None for digits)."""
    if cfg.dataset not in ("spirals", "disc_annulus"):
        return None
    split = cfg.split()
    return Dataset(split.X_train, split.y_train, "classification", cfg.dataset)


def data_caption(cfg: KnnConfig) -> str:
    """Which data the table measured, and which of this app's choices differ from the article's."""
    if cfg.dataset == "drawn":
        train, test = drawn.split(drawn.dataset(cfg.points))
        data = f"your drawing ({train.n:,} training points and {test.n:,} held out for the test)"
    else:
        data = ("scikit-learn's 8×8 digits (1,347 training, 450 test images)" if cfg.dataset == "digits" else
                f"{cfg.dataset} ({cfg.n} training and {cfg.n} fresh test points)")
    return (f"Measured on {data}. This app's choices, not the article's: a tanh MLP body ({cfg.widths} units) with "
            f"a {cfg.features}-D linear feature layer, so the features can be drawn, and k = {cfg.k} distance-"
            "weighted neighbours at test time. The article used MNIST and a two-layer CNN, a far bigger problem and "
            "net: compare the direction of the differences, not the numbers.")


def plane_titles(result: KnnResult) -> dict[str, str]:
    """Each feature panel's title: the head and seed 0's test error."""
    return {h: f"{HEAD_TITLES[h]} · {100 * result.errors[h][0]:.1f}% error" for h in result.features}


def seed_rows(result: KnnResult) -> list[dict]:
    """One row per seed: the test error of each head (the CSV download)."""
    return [{"seed": s, **{f"{HEAD_TITLES[h]} test error": float(result.errors[h][s]) for h in HEADS}}
            for s in range(result.config.seeds)]


def planes_figure(result: KnnResult) -> Spec:
    """Seed 0's test set in each head's feature plane, with the regions each head predicts."""
    return feature_planes(result.features, result.split.y_test, result.split.names, plane_titles(result),
                          result.regions, height=460)


def planes_caption(result: KnnResult) -> str:
    ratio = neighbour_ratios(result)
    return (("Shaded: the class each head would predict at that point of the feature plane. The first two panels "
             "show the same features; only the head differs. Both axes of a panel are drawn to one scale: the "
             "distances a k-NN head measures are the ones you see." if result.regions else
             "Features with more than two dimensions are shown through their two main directions (decision "
             "regions are drawn only for 2-D features).")
            + f" Nearest same-class over nearest other-class distance (median, seed 0): {ratio['softmax']:.2f} in "
            f"the softmax features, {ratio['knn_end_to_end']:.2f} in the features trained for k-NN.")


def _end_to_end_vs_softmax(result: KnnResult) -> str:
    (soft, _), (e2e, _) = result.summary()["softmax"], result.summary()["knn_end_to_end"]
    better = int(np.sum(result.errors["knn_end_to_end"] < result.errors["softmax"]))
    return (f"k-NN trained end to end: {100 * e2e:.1f}% test error, softmax {100 * soft:.1f}% (means over "
            f"{result.config.seeds} seeds; k-NN lower in {better} of them).")


QUESTIONS = {  # asked from the projector before the picture answers (ui/classroom.py)
    "digits": Question(
        "The same small body, trained end to end for a k-NN head (1/distance weights) instead of softmax. On "
        "held-out digits its test error is…", ("lower than softmax's", "higher than softmax's"),
        lambda result: int(result.summary()["knn_end_to_end"][0] >= result.summary()["softmax"][0]),
        lambda result: _end_to_end_vs_softmax(result) + (
            " As the article found: with 1/distance weights far points still pull on each point, so training does not "
            "shape its own neighbourhood." if result.summary()["knn_end_to_end"][0] >= result.summary()["softmax"][0]
            else " Unlike the article's finding."),
        picture=lambda result: planes_figure(result)),
}


LESSON = Lesson(settings=KnnConfig(), compute=compare_heads, presets=PRESETS, claims=claims, notice=notice, keep=16,
                questions=QUESTIONS)
