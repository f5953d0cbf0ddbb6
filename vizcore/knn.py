"""k-nearest neighbours instead of softmax: three heads on the same small tanh body.

1. softmax: body + linear layer, trained with cross-entropy;
2. kNN on features: that softmax-trained body with the linear layer dropped and a
   distance-weighted k-NN (scikit-learn) fitted on the training set's features;
3. kNN end to end: a body trained with :func:`soft_knn_loss`, where every example of a
   minibatch is classified by the *other* examples of the minibatch, weighted by
   1/distance or exp(-d^2/T); at test time the same k-NN head uses the training set.

Every body is trained for S seeds at once: parameters carry a leading seed axis and one
batched computation (``torch.baddbmm``) trains all of them, so five seeds cost about
as much as one. Adam acts elementwise, so this equals S separate runs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier

from . import datasets
from .config import QueryConfig, setting
from .errors import UserError
from .history import ProgressFn
from .nets import parse_widths
from .threads import one_thread

DATASETS = ("digits", "spirals", "disc_annulus")
HEADS = ("softmax", "knn_features", "knn_end_to_end")
HEAD_TITLES = {"softmax": "softmax", "knn_features": "k-NN on softmax features",
               "knn_end_to_end": "k-NN trained end to end"}
WEIGHTINGS = ("inverse", "gaussian")
NEG = -1e9  # log-weight of excluded neighbours: finite, so no NaN gradients
TINY = 1e-30  # floor of the same-class mass (loss at most about 69 per point)


@dataclass(frozen=True)
class KnnConfig(QueryConfig):
    """One k-NN-versus-softmax experiment (a shareable link)."""

    dataset: str = setting("digits", choices=DATASETS)
    widths: str = setting("32", max_chars=40)
    features: int = setting(2, choices=(2, 3, 8, 16))
    k: int = setting(5, lo=1, hi=50)
    weighting: str = setting("inverse", choices=WEIGHTINGS)
    temperature: float = setting(1.0, lo=1e-3, hi=10.0)
    seeds: int = setting(5, lo=5, hi=10)
    steps: int = setting(250, lo=10, hi=5000)  # with lr 0.025: the findings of 500 steps at 0.01 in half the time
    batch: int = setting(128, lo=16, hi=512)
    lr: float = setting(0.025, lo=1e-4, hi=1.0)
    n: int = setting(600, lo=50, hi=3000)
    noise: float = setting(0.05, lo=0.0, hi=0.3)

    def hidden_widths(self) -> tuple[int, ...]:
        return parse_widths(self.widths, max_width=128, max_layers=4)

    def check(self) -> None:
        super().check()
        self.hidden_widths()  # widths' range: whole numbers 1 to 128, at most 4 layers


# --- data --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Split:
    """A fixed train/test split. X float32 [n, d], y int64 [n]; ``names`` one label per class."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    names: tuple[str, ...]

    @property
    def n_classes(self) -> int:
        return len(self.names)


def load_split(cfg: KnnConfig) -> Split:
    """Digits: scikit-learn's 8x8 images scaled to [0, 1], 25% held out (fixed, stratified).

    Toy sets: ``cfg.n`` training points drawn with seed 0 and as many test points with seed 1.
    """
    if cfg.dataset == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
        digits = load_digits()
        X = (digits.data / 16.0).astype(np.float32)
        Xa, Xb, ya, yb = train_test_split(X, digits.target.astype(np.int64), test_size=0.25,
                                          random_state=0, stratify=digits.target)
        return Split(Xa, ya, Xb, yb, tuple(str(d) for d in range(10)))
    params = {"turns": 0.75} if cfg.dataset == "spirals" else {}
    train = datasets.make(cfg.dataset, n=cfg.n, noise=cfg.noise, seed=0, **params)
    test = datasets.make(cfg.dataset, n=cfg.n, noise=cfg.noise, seed=1, **params)
    return Split(train.X, train.y, test.X, test.y, ("A", "B"))


# --- the loss ----------------------------------------------------------------------

def soft_knn_loss(Z: torch.Tensor, y: torch.Tensor, weighting: str = "inverse", temperature: float = 1.0,
                  eps: float = 1e-3) -> torch.Tensor:
    """Minibatch k-NN loss: -log of the neighbour weight on the right class, each point excluded.

    Parameters
    ----------
    Z : float [..., B, k] features of a minibatch (leading axes, e.g. seeds, are batch axes)
    y : int [..., B] labels
    weighting : "inverse" -> w_ij = 1 / sqrt(d_ij^2 + eps^2) (the article's 1/distance, smoothed
        so coinciding points give finite weights and gradients); "gaussian" -> exp(-d_ij^2 / T)
        (soft nearest neighbours, as in neighbourhood components analysis)

    Returns
    -------
    float [...]: the mean over the points that have at least one same-class partner in the batch
    """
    if weighting not in WEIGHTINGS:
        raise UserError(f"Unknown weighting {weighting!r}; choose one of {', '.join(WEIGHTINGS)}.")
    return _SoftKnnLoss.apply(Z, y, weighting, float(temperature), float(eps))


# Why a hand-written gradient: a [5, 128, 128] loss built from torch ops cost about 2 ms per training
# step (forward and autograd), most of the k-NN page's training time; numpy does the same arithmetic
# in a third of that. tests/test_knn.py pins values and gradients to reference_soft_knn_loss.
def _knn_loss(z: np.ndarray, labels: np.ndarray, weighting: str, temperature: float, eps: float):
    """Loss [...] of features z [..., B, k] with labels [..., B], and what :func:`_knn_grad` needs."""
    B = z.shape[-2]
    norms = np.einsum("...bk,...bk->...b", z, z)
    raw = norms[..., :, None] + norms[..., None, :] - 2 * np.matmul(z, np.swapaxes(z, -1, -2))
    sq = np.maximum(raw, 0)
    if weighting == "inverse":  # 1 / sqrt(d^2 + eps^2) <= 1 / eps: no overflow, no logs needed
        w = 1 / np.sqrt(sq + np.float32(eps ** 2))
    else:  # exp(-(d^2 - nearest d^2) / T): the largest weight of a row is 1
        off = sq + np.where(np.eye(B, dtype=bool), np.inf, 0).astype(z.dtype)
        w = np.exp((off.min(-1, keepdims=True) - sq) / np.float32(temperature))
    diagonal = w.reshape(-1, B * B)[:, ::B + 1]
    diagonal[:] = 0  # a point is not its own neighbour
    same = labels[..., :, None] == labels[..., None, :]
    ws = w * same
    total, mass = w.sum(-1), ws.sum(-1)
    valid = (same.sum(-1) > 1).astype(z.dtype)  # a partner of the same class besides itself
    count = np.maximum(valid.sum(-1), 1.0)
    loss = ((np.log(total) - np.log(np.maximum(mass, TINY))) * valid).sum(-1) / count
    return np.asarray(loss, dtype=z.dtype), (z, sq, raw, w, ws, total, mass, valid, count, weighting, temperature)


def _knn_grad(saved, grad: np.ndarray) -> np.ndarray:
    """dL/dz [..., B, k] given dL/dloss [...] (``saved`` from :func:`_knn_loss`)."""
    z, sq, raw, w, ws, total, mass, valid, count, weighting, temperature = saved
    scale = (grad[..., None] * valid / count[..., None])[..., None]            # dL/dL_i  [..., B, 1]
    q = np.where((mass > TINY)[..., None], ws / np.maximum(mass, TINY)[..., None], 0)
    A = scale * (w / total[..., None] - q)                                      # dL/dlog w_ij
    A *= -0.5 * w * w if weighting == "inverse" else np.float32(-1.0 / temperature)  # dL/dsq_ij
    A *= raw > 0                                                                # the clamp at 0
    M = A + np.swapaxes(A, -1, -2)
    return (2 * (M.sum(-1, keepdims=True) * z - np.matmul(M, z))).astype(z.dtype)


class _SoftKnnLoss(torch.autograd.Function):
    @staticmethod
    def forward(ctx, Z, y, weighting, temperature, eps):
        loss, ctx.saved = _knn_loss(np.ascontiguousarray(Z.detach().numpy()), y.numpy(), weighting, temperature, eps)
        return torch.from_numpy(loss)

    @staticmethod
    def backward(ctx, grad):
        return torch.from_numpy(_knn_grad(ctx.saved, grad.numpy())), None, None, None, None


def reference_soft_knn_loss(Z: torch.Tensor, y: torch.Tensor, weighting: str = "inverse", temperature: float = 1.0,
                            eps: float = 1e-3) -> torch.Tensor:
    """:func:`soft_knn_loss` (same arguments and result) built from torch ops: autograd's reference for the
    hand-written gradient."""
    if weighting not in WEIGHTINGS:
        raise UserError(f"Unknown weighting {weighting!r}; choose one of {', '.join(WEIGHTINGS)}.")
    norms = (Z * Z).sum(-1)
    sq = (norms.unsqueeze(-1) + norms.unsqueeze(-2) - 2 * Z @ Z.transpose(-1, -2)).clamp(min=0.0)  # [..., B, B]
    log_w = -0.5 * torch.log(sq + eps ** 2) if weighting == "inverse" else -sq / temperature
    B = Z.shape[-2]
    others = ~torch.eye(B, dtype=torch.bool, device=Z.device)
    same = (y.unsqueeze(-1) == y.unsqueeze(-2)) & others
    log_w = log_w.masked_fill(~others, NEG)
    w = torch.exp(log_w - log_w.max(-1, keepdim=True).values.detach())  # the largest is 1; one exp only
    mass_same = (w * same).sum(-1).clamp(min=TINY)
    valid = same.any(-1).to(Z.dtype)
    return ((torch.log(w.sum(-1)) - torch.log(mass_same)) * valid).sum(-1) / valid.sum(-1).clamp(min=1.0)


# --- the body, batched over seeds ----------------------------------------------------

class Body(torch.nn.Module):
    """S nets at once: x -> tanh hidden layers -> linear feature layer [S, n, k] (-> logits [S, n, C]).

    The feature layer is linear so the features fill the plane: squashing them with tanh
    crowds ten digit classes into a square where no lines can part them.

    Layers are initialised like ``torch.nn.Linear`` (uniform +-1/sqrt(fan_in)), seed s from a
    ``torch.Generator`` seeded with s.
    """

    def __init__(self, sizes: tuple[int, ...], n_classes: int, seeds: list[int]):
        super().__init__()
        self.sizes, self.seeds = tuple(sizes), list(seeds)
        shapes = list(zip(sizes[:-1], sizes[1:])) + [(sizes[-1], n_classes)]
        Ws, bs = [[] for _ in shapes], [[] for _ in shapes]
        for seed in self.seeds:
            gen = torch.Generator().manual_seed(int(seed))
            for i, (a, b) in enumerate(shapes):
                bound = 1 / math.sqrt(a)
                Ws[i].append(torch.empty(a, b).uniform_(-bound, bound, generator=gen))
                bs[i].append(torch.empty(1, b).uniform_(-bound, bound, generator=gen))
        self.W = torch.nn.ParameterList(torch.nn.Parameter(torch.stack(w)) for w in Ws)
        self.b = torch.nn.ParameterList(torch.nn.Parameter(torch.stack(b)) for b in bs)

    def features(self, X: torch.Tensor) -> torch.Tensor:
        """X [S, n, d] (or [n, d], shared) -> last hidden layer [S, n, k]."""
        h = X if X.dim() == 3 else X.expand(len(self.seeds), *X.shape)
        Ws, bs = list(self.W)[:-1], list(self.b)[:-1]
        for W, b in zip(Ws[:-1], bs[:-1]):
            h = torch.tanh(torch.baddbmm(b, h, W))
        return torch.baddbmm(bs[-1], h, Ws[-1])  # linear feature layer: unbounded, drawable plane

    def logits(self, Z: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.b[-1], Z, self.W[-1])

    def part(self, nets: slice) -> "Body":
        """The bodies ``nets`` of this batch, as a Body of their own (parameters copied)."""
        twin = Body.__new__(Body)
        torch.nn.Module.__init__(twin)
        twin.sizes, twin.seeds = self.sizes, self.seeds[nets]
        twin.W = torch.nn.ParameterList(torch.nn.Parameter(w.detach()[nets].clone()) for w in self.W)
        twin.b = torch.nn.ParameterList(torch.nn.Parameter(b.detach()[nets].clone()) for b in self.b)
        return twin


def bodies_loss_and_grad(Ws: list[np.ndarray], bs: list[np.ndarray], Xb: np.ndarray, yb: np.ndarray,
                         cfg: KnnConfig) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """One minibatch for 2S bodies: softmax losses [S] of the first S, k-NN losses [S] of the rest, and the
    gradients of their sum with respect to every W [2S, a, b] and b [2S, 1, b] (layout of :class:`Body`).

    Xb [S, B, d], yb [S, B]: body s and body S + s see minibatch s.
    """
    S = len(Xb)
    hs = [np.concatenate([Xb, Xb])]
    for W, b in zip(Ws[:-2], bs[:-2]):
        hs.append(np.tanh(np.matmul(hs[-1], W) + b))
    Z = np.matmul(hs[-1], Ws[-2]) + bs[-2]
    logits = np.matmul(Z[:S], Ws[-1][:S]) + bs[-1][:S]
    logits -= logits.max(-1, keepdims=True)
    p = np.exp(logits)
    total = p.sum(-1, keepdims=True)
    p /= total
    onehot = yb[..., None] == np.arange(p.shape[-1])
    soft = -(np.take_along_axis(logits, yb[..., None], -1)[..., 0] - np.log(total[..., 0])).mean(-1)
    knn, saved = _knn_loss(Z[S:], yb, cfg.weighting, cfg.temperature, 1e-3)
    d_logits = (p - onehot) / np.float32(yb.shape[1])
    gW, gb = [np.zeros_like(W) for W in Ws], [np.zeros_like(b) for b in bs]
    gW[-1][:S] = np.matmul(np.swapaxes(Z[:S], 1, 2), d_logits)
    gb[-1][:S] = d_logits.sum(1, keepdims=True)
    dZ = np.concatenate([np.matmul(d_logits, np.swapaxes(Ws[-1][:S], 1, 2)), _knn_grad(saved, np.ones_like(knn))])
    d = dZ
    for k in range(len(Ws) - 2, -1, -1):  # the feature layer, then the tanh layers
        gW[k] = np.matmul(np.swapaxes(hs[k], 1, 2), d)
        gb[k] = d.sum(1, keepdims=True)
        if k > 0:
            d = np.matmul(d, np.swapaxes(Ws[k], 1, 2)) * (1 - hs[k] * hs[k])
    return soft, knn, gW, gb


def train_bodies(split: Split, cfg: KnnConfig, progress: Optional[ProgressFn] = None) -> tuple[Body, Body]:
    """Train ``cfg.seeds`` bodies on softmax cross-entropy and as many on the k-NN loss, with Adam.

    All 2S bodies are one batched computation in numpy (:func:`bodies_loss_and_grad`, pinned to torch
    autograd by the tests; torch spent most of a step dispatching its 40-odd small ops). Body s of
    each kind starts from seed s's weights and sees seed s's minibatches (numpy ``default_rng(s)``),
    and Adam (torch's rule) acts elementwise, so this equals training each body on its own. The k-NN
    loss sees only the minibatch; it leaves its bodies' linear heads untouched.
    """
    sizes = (split.X_train.shape[1], *cfg.hidden_widths(), cfg.features)
    S = cfg.seeds
    both = Body(sizes, split.n_classes, list(range(S)) * 2)
    params = [*both.W, *both.b]
    theta = np.concatenate([p.detach().numpy().ravel() for p in params])
    ends = np.cumsum([p.numel() for p in params])
    views = [theta[e - p.numel():e].reshape(p.shape) for p, e in zip(params, ends)]
    Ws, bs = views[:len(both.W)], views[len(both.W):]
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    b1, b2, eps = 0.9, 0.999, 1e-8
    X, y = split.X_train, split.y_train
    n, B = len(X), min(cfg.batch, len(X))
    rngs = [np.random.default_rng(s) for s in range(S)]
    perms, cursor = [r.permutation(n) for r in rngs], 0
    for step in range(1, cfg.steps + 1):
        if cursor + B > n:
            perms, cursor = [r.permutation(n) for r in rngs], 0
        idx = np.stack([p[cursor:cursor + B] for p in perms])  # [S, B]
        cursor += B
        soft, knn, gW, gb = bodies_loss_and_grad(Ws, bs, X[idx], y[idx], cfg)
        if not (np.isfinite(soft).all() and np.isfinite(knn).all()):
            raise UserError(f"Training diverged at step {step}: lower the learning rate and train again.")
        grad = np.concatenate([g.ravel() for g in (*gW, *gb)])
        m += (1 - b1) * (grad - m)
        v *= b2
        v += (1 - b2) * grad * grad
        theta -= (cfg.lr / (1 - b1 ** step)) * m / (np.sqrt(v) / np.sqrt(1 - b2 ** step) + eps)
        if progress is not None and (step % max(1, cfg.steps // 50) == 0 or step == cfg.steps):
            progress(step, cfg.steps, float(soft.mean()))
    with torch.no_grad():
        for p, view in zip(params, views):
            p.copy_(torch.from_numpy(view))
    return both.part(slice(0, S)), both.part(slice(S, 2 * S))


# --- heads ---------------------------------------------------------------------------

def knn_head(Z_train: np.ndarray, y_train: np.ndarray, k: int) -> KNeighborsClassifier:
    """scikit-learn's distance-weighted k-NN fitted on training features [n, k_dim]."""
    if not 1 <= k <= len(Z_train):
        raise UserError(f"k must be between 1 and the number of training points ({len(Z_train)}); got {k}.")
    return KNeighborsClassifier(n_neighbors=int(k), weights="distance").fit(Z_train, y_train)


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
    low, high = Z.min(0), Z.max(0)
    pad = 0.08 * np.maximum(high - low, 1e-3)
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.c_[gx.ravel(), gy.ravel()]


@torch.no_grad()
def compare_heads(cfg: KnnConfig, progress: Optional[ProgressFn] = None, resolution: int = 90) -> KnnResult:
    """Train both bodies over ``cfg.seeds`` seeds and score the three heads on the test set."""
    cfg.check()
    split = load_split(cfg)
    if cfg.k > len(split.X_train):
        raise UserError(f"k must be at most the number of training points ({len(split.X_train)}).")
    with torch.enable_grad(), one_thread():
        soft, e2e = train_bodies(split, cfg, progress)
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


def neighbour_ratio(Z: np.ndarray, y: np.ndarray) -> float:
    """How much closer a point's own class is than the others, in features Z [n, k] with labels y [n].

    Per point, distance to the nearest other point of its class over distance to the nearest point of
    another class; the median over each class, averaged over classes. Below 1: classes form compact groups.
    """
    from scipy.spatial import cKDTree
    ratios = []
    for c in np.unique(y):
        mine, rest = Z[y == c], Z[y != c]
        if len(mine) < 2 or len(rest) == 0:
            continue
        same = cKDTree(mine).query(mine, k=2)[0][:, 1]
        other = cKDTree(rest).query(mine, k=1)[0]
        ratios.append(np.median(same / np.maximum(other, 1e-12)))
    return float(np.mean(ratios))


# What the source article (003) reports, on MNIST with a two-layer CNN without dropout, in this app's words.
ARTICLE = {
    "softmax": "About 1% test error with the softmax layer.",
    "knn_features": "Dropping the softmax layer for k-NN on the same net lowered the test error by 0.1–0.2 points.",
    "knn_end_to_end": "Trained end to end, each example classified by the rest of its minibatch with 1/distance "
                      "weights: 4–5% test error at best, worse than softmax (with little tuning).",
}


def table_rows(result: KnnResult) -> list[dict[str, str]]:
    """One row per head: the article's finding beside this app's test error (mean ± std over seeds, and
    the paired change from softmax with the number of seeds where the head did better)."""
    S = result.config.seeds
    rows = []
    for head in HEADS:
        mean, std = result.summary()[head]
        measured = f"{100 * mean:.1f}% ± {100 * std:.1f} test error"
        if head == "knn_end_to_end" and result.config.weighting == "gaussian":
            measured = "with exp(-d²/T) weights, this app's addition: " + measured
        if head != "softmax":
            diff = 100 * (result.errors[head] - result.errors["softmax"])
            better = int(np.sum(diff < 0))
            measured += (f"; {diff.mean():+.1f} ± {diff.std():.1f} points against softmax, lower in {better} "
                         f"of {S} seeds")
        rows.append({"head": HEAD_TITLES[head], "the article says (MNIST, a two-layer CNN)": ARTICLE[head],
                     f"measured here ({S} seeds)": measured})
    return rows
