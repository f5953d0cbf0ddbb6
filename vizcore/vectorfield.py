"""Vector-field layers: move every point along a learned field instead of W x + b and tanh.

A layer's field is a sum of Gaussian bumps anchored at training points,

    F(x) = sum_i v_i g_i(x),   g_i(x) = exp(-|x - a_i|^2 / (2 s_i^2)),

or, normalised, F(x) = sum_i v_i g_i(x) / (1 + sum_i g_i(x)). The layer flows space for
unit time in K steps, x <- x + F(x) / K (Euler) or by classical Runge-Kutta (RK4). A flow
of a smooth field is a homeomorphism (for Euler, as long as each step h F is a contraction
perturbation, h * |J_F| < 1), so on the plane it cannot pull a disc out of a ring around
it; given a third coordinate set to 0 it can lift the disc out.

Everything is batched over seeds: parameters carry a leading axis S and one computation
trains all S nets (see :mod:`vizcore.knn` for the same idea). Lesson 5 (its settings, presets,
comparisons and the article's claims) is :mod:`vizcore.lessons.vector_fields`.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from . import datasets
from .errors import UserError
from .history import ProgressFn
from .layers import Animation, LayerFacts, deforming_grid
from .threads import one_thread
from .torchkit import Adam

METHODS = ("euler", "rk4")
TEST_POINTS = 2000
ESCAPE_BOX = 1.6  # half-width of the input square searched by disc_region
RING = tuple(datasets.options("disc_annulus")[k] for k in ("r_inner", "r_outer"))  # the ring's radii


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
        S, m, D = self.v.shape
        va = (self.v.unsqueeze(-1) * self.anchors.unsqueeze(-2)).reshape(S, m, D * D)  # v_i a_i^T
        J = -Gv.unsqueeze(-1) * x.unsqueeze(-2) + (G @ va).reshape(*G.shape[:2], D, D)
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

    def flow(self, x: torch.Tensor, steps: int, method: str = "euler", keep: bool = False, autograd: bool = False):
        """Flow x [S, n, D] for unit time in ``steps`` steps; with ``keep`` also every state [steps + 1].

        Euler steps run in numpy (:class:`_EulerFlow`, with a hand-written backward); ``autograd``
        (and RK4) builds the same steps from torch ops instead, for torch's autograd.
        """
        if method == "euler" and not autograd:
            if keep or not torch.is_grad_enabled():
                states = _euler_states(x.detach().numpy(), *self._numpy(), steps, self.normalised, keep)[0]
                states = [torch.from_numpy(s) for s in states]
                return (states[-1], states) if keep else states[-1]
            return _EulerFlow.apply(x, self.anchors, self.log_width, self.v, steps, self.normalised)
        h, c = 1.0 / steps, self._constants()
        states = [x]
        for _ in range(steps):
            x = self.step(x, h, method, c)
            if keep:
                states.append(x)
        return (x, states) if keep else x

    def _numpy(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """anchors [S, m, D], c_i = 1 / (2 s_i^2) [S, m] and v [S, m, D] as float32 numpy arrays."""
        with torch.no_grad():
            return (self.anchors.numpy(), (0.5 * torch.exp(-2 * self.log_width)).numpy(), self.v.numpy())


# --- Euler flow in numpy ---------------------------------------------------------------------
# Why: a training step flows every point through 10 Euler steps and back. Built from torch ops that
# is about 25 small ops per step, and with S = 5, n = 300, m = 24 torch spent about 6 ms per training
# step, half of it dispatching; the same arithmetic in numpy (whose float32 exp and small batched
# matmuls ran 2-3x faster than torch's here) with the adjoint written out takes about a third of that.
# tests/test_vectorfield.py pins values and gradients to torch autograd through the torch ops.

def _augmented(a: np.ndarray, c: np.ndarray) -> np.ndarray:
    """B [S, D + 2, m] with [x, |x|^2, 1] @ B = -c_i |x - a_i|^2: the bumps' exponent in one matmul."""
    return np.concatenate([(2 * c[:, :, None] * a).transpose(0, 2, 1), -c[:, None, :],
                           -(c * np.einsum("smd,smd->sm", a, a))[:, None, :]], axis=1).astype(np.float32)


def _bumps(x: np.ndarray, B: np.ndarray) -> np.ndarray:
    """g [S, n, m] = exp(-c_i |x - a_i|^2) for x [S, n, D], B from :func:`_augmented`."""
    S, n, _ = x.shape
    x1 = np.empty((S, n, x.shape[2] + 2), dtype=np.float32)
    x1[..., :-2] = x
    np.einsum("snd,snd->sn", x, x, out=x1[..., -2])
    x1[..., -1] = 1.0
    z = np.matmul(x1, B)
    return np.exp(z, out=z)  # (rounding may give exp(1e-7): harmless)


def _euler_states(x, a, c, v, steps: int, normalised: bool, keep: bool = True, chunk: int = 2048):
    """Every state [steps + 1] of x [S, n, D] (or with ``keep=False`` the last only), and each step's
    bumps g and denominator (or None). Without ``keep``, points go through in chunks that stay in cache."""
    h = np.float32(1.0 / steps)
    B = _augmented(a, c)
    v1 = np.concatenate([v, np.ones_like(v[..., :1])], -1)  # g @ [v, 1] = (sum v g, sum g)
    x = np.ascontiguousarray(x, dtype=np.float32)
    if not keep and x.shape[1] > chunk:
        parts = [_euler_states(x[:, i:i + chunk], a, c, v, steps, normalised, keep=False)[0][-1]
                 for i in range(0, x.shape[1], chunk)]
        return [np.concatenate(parts, axis=1)], [], []
    states, gs, dens = [x], [], []
    for _ in range(steps):
        g = _bumps(states[-1], B)
        Fs = np.matmul(g, v1)
        F, den = Fs[..., :-1], None
        if normalised:
            den = 1 + Fs[..., -1:]
            F = F / den
        states.append(states[-1] + h * F)
        if keep:
            gs.append(g)
            dens.append(den)
        else:
            states = states[-1:]
    return states, gs, dens


class _EulerFlow(torch.autograd.Function):
    """x_K of x_{k+1} = x_k + h F(x_k), with dL/d(x_0, anchors, log widths, v) by the adjoint method."""

    @staticmethod
    def forward(ctx, x, anchors, log_width, v, steps, normalised):
        a, lw, vv = (t.detach().numpy() for t in (anchors, log_width, v))
        c = (0.5 * np.exp(-2 * lw)).astype(np.float32)
        states, gs, dens = _euler_states(x.detach().numpy(), a, c, vv, steps, normalised)
        ctx.saved = (states, gs, dens, a, c, vv, steps)
        return torch.from_numpy(states[-1])

    @staticmethod
    def backward(ctx, grad_out):
        states, gs, dens, a, c, v, steps = ctx.saved
        h = np.float32(1.0 / steps)
        lam = np.ascontiguousarray(grad_out.numpy(), dtype=np.float32)
        want_a, want_w = ctx.needs_input_grad[1], ctx.needs_input_grad[2]
        dv, da, dc = np.zeros_like(v), np.zeros_like(a), np.zeros_like(c)
        vT = np.ascontiguousarray(v.transpose(0, 2, 1))
        a1 = np.concatenate([a, np.ones_like(a[..., :1])], -1)  # w @ [a, 1] = (sum w a, sum w)
        hc = (h * c)[:, None, :]
        for k in range(steps - 1, -1, -1):
            x, g, den = states[k], gs[k], dens[k]
            u = np.matmul(lam, vT)                               # v_i . lambda  [S, n, m]
            if den is None:
                dv += h * np.matmul(g.transpose(0, 2, 1), lam)
            else:  # F = N / den: dF/dg_i = (v_i - F) / den
                F = (states[k + 1] - x) / h
                u -= np.einsum("snd,snd->sn", lam, F)[..., None]
                u /= den
                dv += h * np.matmul(g.transpose(0, 2, 1), lam / den)
            u *= g                                               # dL/dg_i / h, then times h c_i below
            if want_a or want_w:
                w = u * h
                wx = np.matmul(w.transpose(0, 2, 1), x)          # sum_n w_ni x_n  [S, m, D]
                ws = w.sum(1)                                    # [S, m]
                if want_a:  # dg/da_i = 2 c_i (x - a_i) g
                    da += 2 * c[:, :, None] * (wx - ws[:, :, None] * a)
                if want_w:  # dg/dc_i = -|x - a_i|^2 g
                    sq = np.einsum("snd,snd->sn", x, x)
                    dc -= np.einsum("snm,sn->sm", w, sq) - 2 * (wx * a).sum(-1) + ws * (a * a).sum(-1)
            # dg/dx = -2 c_i (x - a_i) g: lambda_k = lambda_{k+1} + h J^T lambda_{k+1}
            u *= hc
            M = np.matmul(u, a1)
            lam = lam - 2 * (M[..., -1:] * x - M[..., :-1])
        d_lw = torch.from_numpy(-2 * c * dc) if want_w else None  # dc/dlog s = -2 c
        return (torch.from_numpy(lam), torch.from_numpy(da) if want_a else None, d_lw, torch.from_numpy(dv),
                None, None)


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

    def pick(self, s: int) -> "VectorFieldNet":
        """A copy holding only seed index ``s`` (a leading seed axis of length 1): S times less work."""
        twin = copy.deepcopy(self)
        with torch.no_grad():
            for p in twin.parameters():
                p.data = p.data[s:s + 1].clone()
        twin.seeds = [self.seeds[s]]
        return twin

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
    def trajectory(self, X: np.ndarray, seed_index: int = 0, frames_per_step: int = 1) -> tuple[np.ndarray, list[str]]:
        """States [F, n, D] of one seed's flow and a label per frame ("input", "layer k · flow").

        F = 1 + layers * flow_steps * frames_per_step. Between two integration steps the frames
        move each point in a straight line: exactly an Euler step's path (for RK4, a chord of it).
        """
        net = self.pick(seed_index) if len(self.seeds) > 1 else self
        x = net.lift(X)
        states, labels = [x[0]], ["input"]
        t = torch.arange(1, frames_per_step + 1, dtype=x.dtype)[:, None, None] / frames_per_step
        for k, block in enumerate(net.blocks, start=1):
            x, inner = block.flow(x, net.flow_steps, net.method, keep=True)
            for a, b in zip(inner[:-1], inner[1:]):
                states += list(a[0] + t * (b[0] - a[0]))
            labels += [f"layer {k} · flow"] * (net.flow_steps * frames_per_step)
        return torch.stack(states).numpy(), labels


# --- training over seeds -----------------------------------------------------------------

@dataclass(eq=False)
class VfRun:
    """A trained batch of vector-field nets.

    accuracy : float [S] training accuracy per seed
    test_accuracy : float [S] accuracy on the fresh points ``test``
    escapes : bool [S] disc_annulus only (else None): whether the region of the input plane classified
        as "disc" runs from the centre out through the ring to the edge of the picture (``region.escapes``)
    region : disc_annulus only (else None): the :class:`DiscRegion` certificate behind ``escapes``
    test : the fresh points; test_predictions int8 [S, len(test)] each seed's class for them
    jacobian : float [S] root mean squared Frobenius norm of the field Jacobian at the data
    loss : float [steps + 1] cross-entropy, mean over seeds
    """

    dataset: datasets.Dataset
    net: VectorFieldNet
    accuracy: np.ndarray
    test_accuracy: np.ndarray
    escapes: np.ndarray | None
    jacobian: np.ndarray
    loss: np.ndarray
    region: DiscRegion | None = None
    test: datasets.Dataset | None = None
    test_predictions: np.ndarray | None = None

    @property
    def n_params(self) -> int:
        return self.net.n_params()

    def ring_points_as_disc(self) -> np.ndarray:
        """Per seed, how many of the fresh ring points (class 1) the net calls "disc" [S]."""
        return ((self.test_predictions == 0) & (self.test.y == 1)).sum(1)


def train(ds: datasets.Dataset, test: datasets.Dataset, *, seeds: int = 5, layers: int = 1, anchors: int = 24,
          width: float = 0.3, augment: int = 0, flow_steps: int = 10, method: str = "euler", normalised: bool = False,
          learn_widths: bool = False, learn_anchors: bool = False, contraction: float = 0.0, steps: int = 100,
          lr: float = 0.15, progress: Optional[ProgressFn] = None) -> VfRun:
    """Train ``seeds`` nets (seeds 0 .. seeds-1) full-batch with Adam on cross-entropy (+ contraction penalty).

    ds : the training points; test : fresh points of the same distribution (e.g. TEST_POINTS of them), scored
    after training. The nets are :class:`VectorFieldNet`'s; ``contraction`` weighs :meth:`VectorFieldNet.contraction`
    in the loss. On ``disc_annulus`` data the run also holds the :class:`DiscRegion` certificate.
    """
    with one_thread():
        net = VectorFieldNet(ds.X, ds.n_classes, list(range(seeds)), layers, anchors, width, augment, flow_steps,
                             method, normalised, learn_widths, learn_anchors)
        opt = Adam([p for p in net.parameters() if p.requires_grad], lr=lr)
        y = torch.from_numpy(ds.y).expand(seeds, -1)
        losses = []
        for step in range(steps + 1):
            logits, inputs = net(ds.X, with_inputs=True)
            ce = torch.nn.functional.cross_entropy(logits.transpose(1, 2), y, reduction="none").mean(-1)
            loss = ce + contraction * net.contraction(inputs) if contraction > 0 else ce
            if not torch.isfinite(loss).all():
                raise UserError(f"Training diverged at step {step}: lower the learning rate or the width "
                                "of the bumps and train again.")
            losses.append(float(ce.detach().mean()))
            if step == steps:
                break
            opt.zero_grad()
            loss.sum().backward()
            opt.step()
            if progress is not None and ((step + 1) % max(1, steps // 50) == 0 or step + 1 == steps):
                progress(step + 1, steps, losses[-1])
        with torch.no_grad():
            accuracy = (logits.argmax(-1) == y).float().mean(-1).numpy()
            jac = torch.sqrt(net.contraction(inputs)).numpy()
            predicted = net(test.X).argmax(-1).numpy().astype(np.int8)
            test_acc = (predicted == test.y).mean(-1)
            region = disc_region(net) if ds.name == "disc_annulus" else None
    return VfRun(ds, net, accuracy, test_acc, None if region is None else region.escapes, jac,
                 np.asarray(losses, dtype=np.float32), region, test, predicted)


@dataclass(eq=False)
class DiscRegion:
    """Where each seed's net says "disc" on a grid over the input square [-1.6, 1.6]^2.

    Far from every anchor the field vanishes, so far away the classifier's line splits the plane in
    two and one side is "disc". In 2D the flow is a homeomorphism (when no step folds), so the "disc"
    region is one connected deformed half-plane: it must run from the disc out through the ring,
    a channel of misclassified ring, however thin. With a third coordinate it need not.
    Cells are 4-connected, so a channel thinner than a grid cell (0.02) can be missed.

    axis     : float [r] coordinates of the grid along x and along y
    decision : float32 [S, r, r] logit(ring) - logit(disc) at (y, x); below 0 is "disc"
    channel  : bool [S, r, r] cells of the centre's "disc" region that lie within the ring's radii
    escapes  : bool [S] whether that region reaches the edge of the square
    ring_share : float [S] the channel's share of the ring's area
    """

    axis: np.ndarray
    decision: np.ndarray
    channel: np.ndarray
    escapes: np.ndarray
    ring_share: np.ndarray


@torch.no_grad()
def disc_region(net: VectorFieldNet, resolution: int = 161) -> DiscRegion:
    """The "disc" region of every seed's net over the input square, and the channel it cuts (see DiscRegion)."""
    from scipy.ndimage import label
    g = np.linspace(-ESCAPE_BOX, ESCAPE_BOX, resolution)
    gx, gy = np.meshgrid(g, g)
    logits = net(np.c_[gx.ravel(), gy.ravel()])
    decision = (logits[..., 1] - logits[..., 0]).numpy().reshape(-1, resolution, resolution)
    radius = np.hypot(gx, gy)
    band = (radius >= RING[0]) & (radius <= RING[1])
    centre = resolution // 2
    channels, escapes = [], []
    for mask in decision < 0:
        parts, _ = label(mask)
        inside = parts[centre, centre]
        region = (parts == inside) if inside else np.zeros_like(mask)
        channels.append(region & band)
        border = np.r_[parts[0], parts[-1], parts[:, 0], parts[:, -1]]
        escapes.append(bool(inside) and bool(np.any(border == inside)))
    channel = np.asarray(channels)
    return DiscRegion(g, decision.astype(np.float32), channel, np.asarray(escapes),
                      channel.sum((1, 2)) / band.sum())


def channel_spot(region: DiscRegion, seed_index: int = 0) -> tuple[float, float] | None:
    """A point in the middle of seed ``seed_index``'s channel through the ring (None without a channel)."""
    rows, cols = np.nonzero(region.channel[seed_index])
    if len(rows) == 0:
        return None
    x, y = region.axis[cols], region.axis[rows]
    best = np.argmin(np.abs(np.hypot(x, y) - np.mean(RING)))
    return float(x[best]), float(y[best])


def region_overlay(run: VfRun, seed_index: int = 0) -> dict | None:
    """Seed ``seed_index``'s certificate as :func:`vizcore.figures.vectorfield.arrow_field` draws it (disc only)."""
    reg = run.region
    if reg is None:
        return None
    wrong = run.test.X[(run.test_predictions[seed_index] == 0) & (run.test.y == 1)]
    return dict(axis=reg.axis, decision=reg.decision[seed_index], channel=reg.channel[seed_index], misplaced=wrong,
                curve=input_boundary(run, seed_index), spot=channel_spot(reg, seed_index),
                label=f"seed {seed_index}'s channel through the ring: {reg.ring_share[seed_index]:.1%} of its area")


def input_boundary(run: VfRun, seed_index: int = 0, resolution: int = 161) -> np.ndarray | None:
    """Seed ``seed_index``'s decision boundary in the input plane: polylines [m, 2] split by NaN rows.

    Two classes only (else None). On the disc data this is the certificate's grid, so the curve
    shows the channel; otherwise a grid over the data's box.
    """
    from .boundary import input_boundary as traced, zero_lines

    if run.net.W.shape[2] != 2:
        return None
    if run.region is not None:
        lines = zero_lines((run.region.axis, run.region.axis), run.region.decision[seed_index], max_points=4000)
    else:
        def decision(P: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                logits = run.net.pick(seed_index)(P)[0]
            return (logits[:, 1] - logits[:, 0]).numpy()
        lines = traced(decision, run.dataset.X, resolution, max_points=4000)
    return None if lines is None else lines.astype(np.float32)


# --- pictures ------------------------------------------------------------------------------

def arrows(run: VfRun, layer: int = 0, resolution: int = 15, seed_index: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Positions [r*r, D] over the data's box (on the plane z = 0 when augmented) and the field there [r*r, D]."""
    X = run.dataset.X
    low, high = X.min(0), X.max(0)
    pad = 0.08 * (high - low)
    axes = [np.linspace(low[i] - pad[i], high[i] + pad[i], resolution) for i in range(2)]
    gx, gy = np.meshgrid(*axes)
    P = np.c_[gx.ravel(), gy.ravel()]
    net = run.net.pick(seed_index)
    with torch.no_grad():
        x = net.lift(P)
        for block in net.blocks[:layer]:  # the field of layer k acts on layer k's input space
            x = block.flow(x, net.flow_steps, net.method)
        F = net.blocks[layer].field(x)
    return x[0].numpy(), F[0].numpy()


def _grid(points: np.ndarray, grid_lines: int, grid_resolution: int) -> np.ndarray:
    """The animation's grid polylines over the points' box (NaN rows between lines) [g, d]."""
    return deforming_grid(np.asarray(points, dtype=np.float64), grid_lines, grid_resolution).astype(np.float32)


def fold_risk(run: VfRun, points: np.ndarray, seed_index: int = 0, with_grid: bool = False,
              grid_lines: int = 11, grid_resolution: int = 30) -> list[float]:
    """Per layer, the largest h * spectral norm of the field Jacobian along ``points``' paths.

    Measured at every integration step of every path, and nowhere else: with ``with_grid`` the
    paths of the animation's grid lines over the points' box count too. Below 1, no Euler step
    folds space near those paths (a bound: RK4 is smoother); elsewhere nothing is claimed.
    """
    if with_grid:
        grid = _grid(points, grid_lines, grid_resolution)
        points = np.r_[points, grid[np.isfinite(grid).all(1)]]
    net = run.net.pick(seed_index)
    h = 1.0 / net.flow_steps
    out = []
    with torch.no_grad():
        x = net.lift(points)
        for block in net.blocks:
            _, states = block.flow(x, net.flow_steps, net.method, keep=True)
            worst = max(float(torch.linalg.matrix_norm(block.jacobian(s)[0], ord=2).max()) for s in states[:-1])
            out.append(h * worst)
            x = states[-1]
    return out


def animation(run: VfRun, points: np.ndarray, grid_lines: int = 11, grid_resolution: int = 30,
              seed_index: int = 0, risks: list[float] | None = None, frames_per_step: int = 1) -> Animation:
    """The flow of one seed's net as a :class:`~vizcore.layers.Animation` (input plane grid riding along).

    points : float [n, d] data to draw. F = 1 + layers * flow_steps * frames_per_step frames, k = D
        (2, or 3 when augmented); ``frames_per_step`` > 1 adds frames along each step's straight path.
    risks : :func:`fold_risk` of these points with their grid, if already computed
    The decision boundary of the input plane rides along as ``curve`` (two classes only).
    """
    points = np.asarray(points, dtype=np.float32)
    grid = _grid(points, grid_lines, grid_resolution)
    finite = np.isfinite(grid).all(1)
    curve = input_boundary(run, seed_index)
    curve = np.zeros((0, 2), np.float32) if curve is None else curve
    curve_ok = np.isfinite(curve).all(1)
    drawn = np.r_[points, np.where(finite[:, None], grid, 0.0), np.where(curve_ok[:, None], curve, 0.0)]
    states, labels = run.net.trajectory(drawn, seed_index, frames_per_step)
    n, g = len(points), len(grid)
    grid_states, curve_states = states[:, n:n + g].copy(), states[:, n + g:].copy()
    grid_states[:, ~finite] = np.nan
    curve_states[:, ~curve_ok] = np.nan
    risks = fold_risk(run, points, seed_index, with_grid=True) if risks is None else risks
    facts = []
    for k, risk in enumerate(risks, start=1):
        # x -> x + h·Φ(x) is one-to-one when h·Lip(Φ) < 1. Euler: Φ = v, so h·|J| < 1. RK4: Lip(Φ) is at most
        # L(1 + hL/2 + (hL)²/6 + (hL)³/24), so h·Lip(Φ) <= e^(hL) - 1, below 1 when hL < ln 2.
        limit = float(np.log(2.0)) if run.net.method == "rk4" else 1.0
        ok = risk < limit
        step = "RK4" if run.net.method == "rk4" else "Euler"
        note = (f"a flow along a smooth field; largest step stretch h·|J| = {risk:.2f} along the drawn points' "
                f"paths" + (f" < {limit:.2g}, so no {step} step folds space there" if ok else
                            f", not below {limit:.2g}: {step} steps may fold there; use more steps"))
        facts.append(LayerFacts(k, run.net.dim, run.net.dim, "homeomorphism" if ok else "fold", None, False, note))
    W = run.net.W[seed_index].detach().numpy().astype(np.float64)
    b = run.net.b[seed_index, 0].detach().numpy().astype(np.float64)
    boundary = None
    if W.shape[1] == 2:
        boundary = ((W[:, 1] - W[:, 0]).astype(np.float32), float(b[1] - b[0]))
    return Animation(states[:, :n].astype(np.float32), grid_states.astype(np.float32), labels, facts, boundary,
                     None, curve_states.astype(np.float32) if len(curve) else None)
