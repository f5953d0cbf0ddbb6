"""Vector-field layers: move every point along a learned field instead of W x + b and tanh.

A layer's field is a sum of Gaussian bumps anchored at training points,

    F(x) = sum_i v_i g_i(x),   g_i(x) = exp(-|x - a_i|^2 / (2 s_i^2)),

or, normalised, F(x) = sum_i v_i g_i(x) / (1 + sum_i g_i(x)). The layer flows space for
unit time in K steps, x <- x + F(x) / K (Euler) or by classical Runge-Kutta (RK4). A flow
of a smooth field is a homeomorphism (for Euler, as long as each step h F is a contraction
perturbation, h * |J_F| < 1), so on the plane it cannot pull a disc out of a ring around
it; given a third coordinate set to 0 it can lift the disc out.

Everything is batched over seeds: parameters carry a leading axis S and one computation
trains all S nets (see :mod:`vizcore.knn` for the same idea).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import torch

from . import datasets
from .config import QueryConfig, setting
from .errors import UserError
from .layers import Animation, LayerFacts, deforming_grid
from .torchkit import Adam, one_thread

DATASETS = ("disc_annulus", "spirals")
METHODS = ("euler", "rk4")
TEST_POINTS = 2000
ESCAPE_BOX = 1.6  # half-width of the input square searched by disc_region_escapes
ProgressFn = Callable[[int, int, float], None]


@dataclass(frozen=True)
class VfConfig(QueryConfig):
    """One vector-field experiment (a shareable link)."""

    dataset: str = setting("disc_annulus", choices=DATASETS)
    n: int = setting(300, lo=20, hi=2000)
    noise: float = setting(0.0, lo=0.0, hi=0.3)
    turns: float = setting(0.75, lo=0.25, hi=2.0)
    augment: int = setting(0, choices=(0, 1))
    layers: int = setting(1, lo=1, hi=4)
    anchors: int = setting(24, lo=2, hi=64)
    width: float = setting(0.3, lo=0.02, hi=3.0)
    flow_steps: int = setting(10, lo=1, hi=40)
    method: str = setting("euler", choices=METHODS)
    normalised: bool = setting(False)
    learn_widths: bool = setting(False)
    learn_anchors: bool = setting(False)
    contraction: float = setting(0.01, lo=0.0, hi=1.0)
    seeds: int = setting(5, lo=5, hi=10)
    steps: int = setting(150, lo=1, hi=3000)
    lr: float = setting(0.1, lo=1e-4, hi=1.0)

    def make_dataset(self, n: int | None = None, seed: int = 0) -> datasets.Dataset:
        """The training points (seed 0), or with ``seed=1`` fresh test points."""
        params = {"turns": self.turns} if self.dataset == "spirals" else {}
        return datasets.make(self.dataset, n=n or self.n, noise=self.noise, seed=seed, **params)


@dataclass(frozen=True)
class VfView(QueryConfig):
    """What the vector-field page shows of a trained batch (a link's view state, not training)."""

    draw_seed: int = setting(0, lo=0, hi=9)      # which seed's net is drawn (below VfConfig.seeds)
    arrow_layer: int = setting(0, lo=0, hi=3)    # whose arrows are drawn (below VfConfig.layers)
    compare_penalty: bool = setting(False)       # also train without the contraction penalty


# --- the layer -------------------------------------------------------------------------

class FlowLayer(torch.nn.Module):
    """S vector-field layers in R^D: anchors [S, m, D], log widths [S, m], vectors v [S, m, D].

    ``v`` starts at 0, so a fresh layer is the identity.
    """

    def __init__(self, anchors: torch.Tensor, width: float, normalised: bool = False,
                 learn_widths: bool = False, learn_anchors: bool = False):
        super().__init__()
        S, m, D = anchors.shape
        self.anchors = torch.nn.Parameter(anchors.clone(), requires_grad=learn_anchors)
        self.log_width = torch.nn.Parameter(torch.full((S, m), math.log(width)), requires_grad=learn_widths)
        self.v = torch.nn.Parameter(torch.zeros(S, m, D))
        self.normalised = normalised

    def _constants(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """What every evaluation shares: anchors transposed [S, D, m], |a_i|^2 [S, 1, m], 1/(2 s_i^2) [S, 1, m]."""
        a = self.anchors
        return a.transpose(1, 2), (a * a).sum(-1).unsqueeze(1), (0.5 * torch.exp(-2 * self.log_width)).unsqueeze(1)

    def bumps(self, x: torch.Tensor, constants=None) -> torch.Tensor:
        """g [S, n, m] at points x [S, n, D]."""
        aT, a2, coef = constants or self._constants()
        sq = torch.baddbmm(a2 + (x * x).sum(-1, keepdim=True), x, aT, alpha=-2.0)
        return torch.exp(-sq.clamp(min=0.0) * coef)

    def field(self, x: torch.Tensor, constants=None) -> torch.Tensor:
        """F(x) [S, n, D]."""
        g = self.bumps(x, constants)
        F = g @ self.v
        return F / (1 + g.sum(-1, keepdim=True)) if self.normalised else F

    def jacobian(self, x: torch.Tensor) -> torch.Tensor:
        """dF/dx [S, n, D, D] in closed form (rows: components of F)."""
        g = self.bumps(x)
        G = g * torch.exp(-2 * self.log_width).unsqueeze(1)  # g_i / s_i^2
        # grad g_i = -G_i (x - a_i): sum_i v_i grad g_i^T = -(G v) x^T + sum_i G_i v_i a_i^T
        Gv = G @ self.v
        J = -Gv.unsqueeze(-1) * x.unsqueeze(-2) + torch.einsum("snm,smp,smq->snpq", G, self.v, self.anchors)
        if not self.normalised:
            return J
        D = 1 + g.sum(-1)[..., None, None]
        grad_D = -(G.sum(-1, keepdim=True) * x - G @ self.anchors)  # [S, n, D]
        N = g @ self.v
        return J / D - N.unsqueeze(-1) * grad_D.unsqueeze(-2) / D ** 2

    def step(self, x: torch.Tensor, h: float, method: str, constants=None) -> torch.Tensor:
        c = constants or self._constants()
        if method == "euler":
            return x + h * self.field(x, c)
        k1 = self.field(x, c)
        k2 = self.field(x + 0.5 * h * k1, c)
        k3 = self.field(x + 0.5 * h * k2, c)
        k4 = self.field(x + h * k3, c)
        return x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)

    def flow(self, x: torch.Tensor, steps: int, method: str = "euler", keep: bool = False):
        """Flow x [S, n, D] for unit time in ``steps`` steps; with ``keep`` also every state [steps + 1]."""
        h, c = 1.0 / steps, self._constants()
        states = [x]
        for _ in range(steps):
            x = self.step(x, h, method, c)
            if keep:
                states.append(x)
        return (x, states) if keep else x


class VectorFieldNet(torch.nn.Module):
    """Zero-pad the input by ``augment`` coordinates, flow through each layer, then a linear classifier.

    Parameters
    ----------
    X_train : float [n, d] training points; layer anchors are ``anchors`` of them, drawn per seed
        with ``numpy.random.default_rng(seed)`` (zero-padded like the data)
    """

    def __init__(self, X_train: np.ndarray, n_classes: int, seeds: list[int], layers: int = 1, anchors: int = 24,
                 width: float = 0.3, augment: int = 0, flow_steps: int = 10, method: str = "euler",
                 normalised: bool = False, learn_widths: bool = False, learn_anchors: bool = False):
        super().__init__()
        if method not in METHODS:
            raise UserError(f"Unknown integration method {method!r}; choose euler or rk4.")
        n, d = X_train.shape
        if anchors > n:
            raise UserError(f"At most {n} anchors: they are taken from the {n} training points.")
        self.seeds, self.augment, self.flow_steps, self.method = list(seeds), int(augment), int(flow_steps), method
        D = d + self.augment
        blocks = []
        for _ in range(layers):
            picks = [np.random.default_rng([s, len(blocks)]).choice(n, anchors, replace=False) for s in self.seeds]
            A = torch.from_numpy(np.stack([X_train[p] for p in picks]).astype(np.float32))
            A = torch.nn.functional.pad(A, (0, self.augment))
            blocks.append(FlowLayer(A, width, normalised, learn_widths, learn_anchors))
        self.blocks = torch.nn.ModuleList(blocks)
        gen = [torch.Generator().manual_seed(int(s)) for s in self.seeds]
        bound = 1 / math.sqrt(D)
        self.W = torch.nn.Parameter(torch.stack([torch.empty(D, n_classes).uniform_(-bound, bound, generator=g)
                                                 for g in gen]))
        self.b = torch.nn.Parameter(torch.stack([torch.empty(1, n_classes).uniform_(-bound, bound, generator=g)
                                                 for g in gen]))

    @property
    def dim(self) -> int:
        return int(self.W.shape[1])

    def n_params(self) -> int:
        """Trainable numbers of one seed's net."""
        return sum(p[0].numel() for p in self.parameters() if p.requires_grad)

    def lift(self, X: np.ndarray | torch.Tensor) -> torch.Tensor:
        """X [n, d] -> [S, n, D]: zero-padded and repeated for every seed."""
        X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        return torch.nn.functional.pad(X, (0, self.augment)).expand(len(self.seeds), -1, -1)

    def forward(self, X, with_inputs: bool = False):
        """Logits [S, n, C]; with ``with_inputs`` also each layer's input [S, n, D]."""
        x, inputs = self.lift(X), []
        for block in self.blocks:
            inputs.append(x)
            x = block.flow(x, self.flow_steps, self.method)
        logits = torch.baddbmm(self.b, x, self.W)
        return (logits, inputs) if with_inputs else logits

    def contraction(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        """Mean squared Frobenius norm of each layer's field Jacobian at its data, per seed [S]."""
        return sum((b.jacobian(x) ** 2).sum((-1, -2)).mean(-1) for b, x in zip(self.blocks, inputs)) / len(self.blocks)

    @torch.no_grad()
    def trajectory(self, X: np.ndarray, seed_index: int = 0) -> tuple[np.ndarray, list[str]]:
        """States [F, n, D] of one seed's flow: the input, then every step of every layer, and frame labels."""
        x, states, labels = self.lift(X), [], ["input"]
        states.append(x[seed_index])
        for k, block in enumerate(self.blocks, start=1):
            x, inner = block.flow(x, self.flow_steps, self.method, keep=True)
            states += [s[seed_index] for s in inner[1:]]
            labels += [f"layer {k} · step {j}/{self.flow_steps}" for j in range(1, self.flow_steps + 1)]
        return torch.stack(states).numpy(), labels


# --- training over seeds -----------------------------------------------------------------

@dataclass(eq=False)
class VfRun:
    """A trained batch of vector-field nets.

    accuracy : float [S] training accuracy per seed
    test_accuracy : float [S] accuracy on 2,000 fresh points of the same distribution (seed 1)
    escapes : bool [S] disc_annulus only (else None): whether the region of the input plane classified
        as "disc" runs from the centre out through the ring to the edge of the picture (see
        :func:`disc_region_escapes`)
    jacobian : float [S] root mean squared Frobenius norm of the field Jacobian at the data
    loss : float [steps + 1] cross-entropy, mean over seeds
    """

    config: VfConfig
    dataset: datasets.Dataset
    net: VectorFieldNet
    accuracy: np.ndarray
    test_accuracy: np.ndarray
    escapes: np.ndarray | None
    jacobian: np.ndarray
    loss: np.ndarray

    @property
    def n_params(self) -> int:
        return self.net.n_params()


def make_net(cfg: VfConfig, ds: datasets.Dataset) -> VectorFieldNet:
    return VectorFieldNet(ds.X, ds.n_classes, list(range(cfg.seeds)), cfg.layers, cfg.anchors, cfg.width,
                          cfg.augment, cfg.flow_steps, cfg.method, cfg.normalised, cfg.learn_widths,
                          cfg.learn_anchors)


def train(cfg: VfConfig, progress: Optional[ProgressFn] = None, progress_offset: int = 0,
          progress_total: Optional[int] = None) -> VfRun:
    """Train ``cfg.seeds`` nets full-batch with Adam on cross-entropy (+ contraction penalty)."""
    cfg.check()
    ds = cfg.make_dataset()
    with one_thread():
        net = make_net(cfg, ds)
        opt = Adam([p for p in net.parameters() if p.requires_grad], lr=cfg.lr)
        y = torch.from_numpy(ds.y).expand(cfg.seeds, -1)
        total, losses = progress_total or cfg.steps, []
        for step in range(cfg.steps + 1):
            logits, inputs = net(ds.X, with_inputs=True)
            ce = torch.nn.functional.cross_entropy(logits.transpose(1, 2), y, reduction="none").mean(-1)
            loss = ce + cfg.contraction * net.contraction(inputs) if cfg.contraction > 0 else ce
            if not torch.isfinite(loss).all():
                raise UserError(f"Training diverged at step {step}: lower the learning rate or the width "
                                "of the bumps and train again.")
            losses.append(float(ce.detach().mean()))
            if step == cfg.steps:
                break
            opt.zero_grad()
            loss.sum().backward()
            opt.step()
            if progress is not None and ((step + 1) % max(1, cfg.steps // 50) == 0 or step + 1 == cfg.steps):
                progress(progress_offset + step + 1, total, losses[-1])
        with torch.no_grad():
            accuracy = (logits.argmax(-1) == y).float().mean(-1).numpy()
            jac = torch.sqrt(net.contraction(inputs)).numpy()
            test = cfg.make_dataset(n=TEST_POINTS, seed=1)
            test_acc = (net(test.X).argmax(-1) == torch.from_numpy(test.y)).float().mean(-1).numpy()
            edge = disc_region_escapes(net) if cfg.dataset == "disc_annulus" else None
    return VfRun(cfg, ds, net, accuracy, test_acc, edge, jac, np.asarray(losses, dtype=np.float32))


@torch.no_grad()
def disc_region_escapes(net: VectorFieldNet, resolution: int = 161) -> np.ndarray:
    """Per seed, whether the "disc" region of the input plane connects the centre to the far field.

    Far from every anchor the field vanishes, so far away the classifier's line splits the plane in
    two and one side is "disc". In 2D the flow is a homeomorphism (when no step folds), so the "disc"
    region is one connected deformed half-plane: it must run from the disc out through the ring,
    misclassifying a channel of ring points, however thin. With a third coordinate it need not.
    Computed on a grid over [-1.6, 1.6]^2 (4-connected components), so a channel thinner than a
    grid cell can be missed.
    """
    from scipy.ndimage import label
    g = np.linspace(-ESCAPE_BOX, ESCAPE_BOX, resolution)
    gx, gy = np.meshgrid(g, g)
    disc = (net(np.c_[gx.ravel(), gy.ravel()]).argmax(-1) == 0).numpy().reshape(-1, resolution, resolution)
    centre = resolution // 2
    out = []
    for mask in disc:
        parts, _ = label(mask)
        inside = parts[centre, centre]
        border = np.r_[parts[0], parts[-1], parts[:, 0], parts[:, -1]]
        out.append(bool(inside) and bool(np.any(border == inside)))
    return np.asarray(out)


# --- pictures ------------------------------------------------------------------------------

def arrows(run: VfRun, layer: int = 0, resolution: int = 15, seed_index: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Positions [r*r, D] over the data's box (on the plane z = 0 when augmented) and the field there [r*r, D]."""
    X = run.dataset.X
    low, high = X.min(0), X.max(0)
    pad = 0.08 * (high - low)
    axes = [np.linspace(low[i] - pad[i], high[i] + pad[i], resolution) for i in range(2)]
    gx, gy = np.meshgrid(*axes)
    P = np.c_[gx.ravel(), gy.ravel()]
    with torch.no_grad():
        x = run.net.lift(P)
        for block in run.net.blocks[:layer]:  # the field of layer k acts on layer k's input space
            x = block.flow(x, run.net.flow_steps, run.net.method)
        F = run.net.blocks[layer].field(x)
    return x[seed_index].numpy(), F[seed_index].numpy()


def fold_risk(run: VfRun, points: np.ndarray, seed_index: int = 0) -> list[float]:
    """Per layer, the largest h * spectral norm of the field Jacobian over ``points``' path.

    Below 1, every Euler step is invertible, so the drawn flow cannot fold (a bound: RK4 is smoother).
    """
    h = 1.0 / run.net.flow_steps
    out = []
    with torch.no_grad():
        x = run.net.lift(points)
        for block in run.net.blocks:
            _, states = block.flow(x, run.net.flow_steps, run.net.method, keep=True)
            worst = max(float(torch.linalg.matrix_norm(block.jacobian(s)[seed_index], ord=2).max()) for s in states[:-1])
            out.append(h * worst)
            x = states[-1]
    return out


def animation(run: VfRun, points: np.ndarray, grid_lines: int = 11, grid_resolution: int = 30,
              seed_index: int = 0, risks: list[float] | None = None) -> Animation:
    """The flow of one seed's net as a :class:`~vizcore.layers.Animation` (input plane grid riding along).

    points : float [n, d] data to draw. F = 1 + layers * flow_steps frames, k = D (2, or 3 when augmented).
    risks : :func:`fold_risk` of these points, if already computed
    """
    points = np.asarray(points, dtype=np.float32)
    grid = deforming_grid(points.astype(np.float64), grid_lines, grid_resolution).astype(np.float32)
    finite = np.isfinite(grid).all(1)
    states, labels = run.net.trajectory(np.r_[points, np.where(finite[:, None], grid, 0.0)], seed_index)
    n = len(points)
    grid_states = states[:, n:].copy()
    grid_states[:, ~finite] = np.nan
    risks = fold_risk(run, points, seed_index) if risks is None else risks
    facts = []
    for k, risk in enumerate(risks, start=1):
        ok = risk < 1 or run.net.method == "rk4"
        note = (f"a flow along a smooth field; largest step stretch h·|J| = {risk:.2f}"
                + (" < 1, so no step folds" if risk < 1 else ", above 1: Euler steps may fold; use more steps"))
        facts.append(LayerFacts(k, run.net.dim, run.net.dim, "homeomorphism" if ok else "fold", None, False, note))
    W = run.net.W[seed_index].detach().numpy().astype(np.float64)
    b = run.net.b[seed_index, 0].detach().numpy().astype(np.float64)
    boundary = None
    if W.shape[1] == 2:
        boundary = ((W[:, 1] - W[:, 0]).astype(np.float32), float(b[1] - b[0]))
    return Animation(states[:, :n].astype(np.float32), grid_states.astype(np.float32), labels, facts, boundary, None)


# --- the side-by-side comparisons ----------------------------------------------------------

@dataclass(eq=False)
class TanhBaseline:
    """Lesson 1's tanh net on the same data over the same seeds: accuracies [S] and parameter count."""

    widths: tuple[int, ...]
    accuracy: np.ndarray
    test_accuracy: np.ndarray
    n_params: int


def tanh_baseline(cfg: VfConfig, widths: tuple[int, ...] = (2, 2, 2, 2), steps: int = 2000, lr: float = 0.03,
                  progress: Optional[ProgressFn] = None) -> TanhBaseline:
    """Lesson 1's default net (2-2-2-2 tanh, Adam, 2000 full-batch steps), one per seed, on ``cfg``'s data."""
    from .nets import MLP
    from .train import fit
    ds, test = cfg.make_dataset(), cfg.make_dataset(n=TEST_POINTS, seed=1)
    accs, test_accs, n_params = [], [], 0
    for s in range(cfg.seeds):
        model = MLP(ds.dim, widths, ds.out_dim, activation="tanh", seed=s)
        hist = fit(model, ds, steps=steps, lr=lr, optimizer="adam", seed=s)
        accs.append(float(hist.accuracy[-1]))
        test_accs.append(float(np.mean(model.predict(test.X).argmax(1) == test.y)))
        n_params = model.n_params
        if progress is not None:
            progress(s + 1, cfg.seeds, float(hist.loss[-1]))
    return TanhBaseline(tuple(widths), np.asarray(accs), np.asarray(test_accs), n_params)


def _spread(values: np.ndarray) -> str:
    return f"{100 * np.mean(values):.1f}% ± {100 * np.std(values):.1f}"


def run_row(title: str, run: VfRun) -> dict[str, str]:
    """A table row: parameters, accuracies over seeds, and the topological check where it applies."""
    row = {"net": title, "parameters": str(run.n_params), "training accuracy": _spread(run.accuracy),
           "test accuracy": _spread(run.test_accuracy), "RMS |J| at the data": f"{np.mean(run.jacobian):.2f}"}
    if run.escapes is not None:
        row["disc region cuts through the ring"] = f"{int(run.escapes.sum())} of {len(run.escapes)} seeds"
    return row


def baseline_row(base: TanhBaseline) -> dict[str, str]:
    return {"net": f"tanh net {'-'.join(map(str, base.widths))} (lesson 1)", "parameters": str(base.n_params),
            "training accuracy": _spread(base.accuracy), "test accuracy": _spread(base.test_accuracy),
            "RMS |J| at the data": "—"}


def describe(cfg: VfConfig) -> str:
    """A short name of the architecture, e.g. "2 vector-field layers × 24 anchors in 3D"."""
    layers = f"{cfg.layers} vector-field layer{'s' if cfg.layers > 1 else ''}"
    return f"{layers} × {cfg.anchors} anchors in {2 + cfg.augment}D"
