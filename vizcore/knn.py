"""k-nearest neighbours instead of softmax: three heads on the same small tanh body.

1. softmax: body + linear layer, trained with cross-entropy;
2. kNN on features: that softmax-trained body with the linear layer dropped and a
   distance-weighted k-NN (scikit-learn) fitted on the training set's features;
3. kNN end to end: a body trained with :func:`soft_knn_loss`, where every example of a
   minibatch is classified by the *other* examples of the minibatch, weighted by
   1/distance or exp(-d^2/T); at test time the same k-NN head uses the training set.

Every body is trained for S seeds at once: parameters carry a leading seed axis and one
batched computation (``torch.baddbmm``) trains all of them, so five seeds cost about
as much as one. Adam acts elementwise, so this equals S separate runs. Lesson 4 (its settings,
presets and the three heads side by side) is :mod:`vizcore.lessons.knn`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
from sklearn.neighbors import KNeighborsClassifier

from . import datasets, drawn
from .errors import UserError
from .history import ProgressFn

WEIGHTINGS = ("inverse", "gaussian")
NEG = -1e9  # log-weight of excluded neighbours: finite, so no NaN gradients
TINY = 1e-30  # floor of the same-class mass (loss at most about 69 per point)


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


def load_split(dataset: str, n: int = 400, noise: float = 0.0, points: str = "") -> Split:
    """Digits: scikit-learn's 8x8 images scaled to [0, 1], 25% held out (fixed, stratified).

    Toy sets: ``n`` training points drawn with seed 0 and as many test points with seed 1. A drawing
    (``dataset="drawn"``, its code in ``points``): a quarter of each class held out for the test
    (:func:`vizcore.drawn.split`).
    """
    if dataset == "digits":
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
        digits = load_digits()
        X = (digits.data / 16.0).astype(np.float32)
        Xa, Xb, ya, yb = train_test_split(X, digits.target.astype(np.int64), test_size=0.25,
                                          random_state=0, stratify=digits.target)
        return Split(Xa, ya, Xb, yb, tuple(str(d) for d in range(10)))
    if dataset == "drawn":
        train, test = drawn.split(datasets.make("drawn", points=points))
        return Split(train.X, train.y, test.X, test.y, drawn.NAMES[:train.n_classes])
    params = datasets.accepted(dataset, turns=0.75)
    train = datasets.make(dataset, n=n, noise=noise, seed=0, **params)
    test = datasets.make(dataset, n=n, noise=noise, seed=1, **params)
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
                         weighting: str = "inverse", temperature: float = 1.0
                         ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
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
    knn, saved = _knn_loss(Z[S:], yb, weighting, temperature, 1e-3)
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


def train_bodies(split: Split, *, widths: tuple[int, ...], features: int, seeds: int, steps: int, batch: int,
                 lr: float, weighting: str = "inverse", temperature: float = 1.0,
                 progress: Optional[ProgressFn] = None) -> tuple[Body, Body]:
    """Train ``seeds`` bodies (hidden ``widths``, then ``features`` outputs) on softmax cross-entropy and as many
    on the k-NN loss (``weighting``, ``temperature``: :func:`soft_knn_loss`), with Adam at rate ``lr`` on
    minibatches of ``batch`` points for ``steps`` updates.

    All 2S bodies are one batched computation in numpy (:func:`bodies_loss_and_grad`, pinned to torch
    autograd by the tests; torch spent most of a step dispatching its 40-odd small ops). Body s of
    each kind starts from seed s's weights and sees seed s's minibatches (numpy ``default_rng(s)``),
    and Adam (torch's rule) acts elementwise, so this equals training each body on its own. The k-NN
    loss sees only the minibatch; it leaves its bodies' linear heads untouched.
    """
    sizes = (split.X_train.shape[1], *widths, features)
    S = seeds
    both = Body(sizes, split.n_classes, list(range(S)) * 2)
    params = [*both.W, *both.b]
    theta = np.concatenate([p.detach().numpy().ravel() for p in params])
    ends = np.cumsum([p.numel() for p in params])
    views = [theta[e - p.numel():e].reshape(p.shape) for p, e in zip(params, ends)]
    Ws, bs = views[:len(both.W)], views[len(both.W):]
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    b1, b2, eps = 0.9, 0.999, 1e-8
    X, y = split.X_train, split.y_train
    n, B = len(X), min(batch, len(X))
    rngs = [np.random.default_rng(s) for s in range(S)]
    perms, cursor = [r.permutation(n) for r in rngs], 0
    for step in range(1, steps + 1):
        if cursor + B > n:
            perms, cursor = [r.permutation(n) for r in rngs], 0
        idx = np.stack([p[cursor:cursor + B] for p in perms])  # [S, B]
        cursor += B
        soft, knn, gW, gb = bodies_loss_and_grad(Ws, bs, X[idx], y[idx], weighting, temperature)
        if not (np.isfinite(soft).all() and np.isfinite(knn).all()):
            raise UserError(f"Training diverged at step {step}: lower the learning rate and train again.")
        grad = np.concatenate([g.ravel() for g in (*gW, *gb)])
        m += (1 - b1) * (grad - m)
        v *= b2
        v += (1 - b2) * grad * grad
        theta -= (lr / (1 - b1 ** step)) * m / (np.sqrt(v) / np.sqrt(1 - b2 ** step) + eps)
        if progress is not None and (step % max(1, steps // 50) == 0 or step == steps):
            progress(step, steps, float(soft.mean()))
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
