"""Forward, backward and optimiser steps of :class:`~vizcore.nets.MLP` in numpy, batched over seeds.

Why a second implementation: these nets are so small that PyTorch spends its time
dispatching ops (about 15 us each on a 2-core machine), not computing. Numpy ops on
arrays this size cost a few microseconds, and a leading "seed" axis lets many nets
train as one computation. ``tests/test_engine.py`` pins every number here to PyTorch
autograd and ``torch.optim``: same outputs, gradients and optimiser steps.

Parameters live in one array ``flat`` of shape [S, P] laid out exactly like
``torch.cat([p.flatten() for p in model.parameters()])`` for each of S nets. The
arithmetic runs in ``flat``'s dtype: float64 for single runs, float32 for big sweeps
(numpy's float32 tanh and exp are several times faster than its float64 ones).

Internally activations are kept feature-major, [S, width, n], so every unit's values
over the data are contiguous: the matrix products become small-by-long products and
the sums over the data run along memory. The public functions take and return the
natural [S, n, width] layout (as transposed views, which cost nothing).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import UserError


def _sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def _tanh_grad(z: np.ndarray, h: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.multiply(h, h, out=out)
    return np.subtract(1.0, out, out=out)


def _sigmoid_grad(z: np.ndarray, h: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.subtract(1.0, h, out=out)
    out *= h
    return out


# name -> (act(z, out), act'(z, h, out)); ``out`` may be None (allocate) or an array to fill
ACTIVATIONS = {
    "tanh": (lambda z, out=None: np.tanh(z, out=out), _tanh_grad),
    "sigmoid": (_sigmoid, _sigmoid_grad),
    "softplus": (lambda z, out=None: np.logaddexp(0.0, z, out=out), lambda z, h, out=None: _sigmoid(z, out)),
    "relu": (lambda z, out=None: np.maximum(z, 0.0, out=out),
             lambda z, h, out=None: np.greater(z, 0.0, out=out, casting="unsafe")),
    "linear": (lambda z, out=None: z, lambda z, h, out=None: np.ones_like(z)),
}


class Workspace:
    """Scratch arrays reused from one training step to the next.

    A sweep's temporaries are [S, width, n] arrays of hundreds of kilobytes. Allocating
    them afresh every step costs more than the arithmetic (the memory allocator hands
    big blocks back to the system, and touching new pages is slow), so a training loop
    passes one Workspace to every call. Arrays returned by :func:`forward` and
    :func:`loss_and_output_grad` then live in the workspace and are overwritten by the
    next call with the same workspace. Without one, every call allocates fresh arrays.
    """

    def __init__(self):
        self._arrays: dict[tuple, np.ndarray] = {}

    def get(self, tag, shape: tuple[int, ...], dtype) -> np.ndarray:
        key = (tag, tuple(shape), np.dtype(dtype))
        array = self._arrays.get(key)
        if array is None:
            array = self._arrays[key] = np.empty(shape, dtype=dtype)
        return array


@dataclass(frozen=True)
class Architecture:
    """Layer sizes (input, hidden..., output), activation and whether layers have biases."""

    sizes: tuple[int, ...]
    activation: str = "tanh"
    bias: bool = True

    @classmethod
    def of(cls, model) -> "Architecture":
        return cls((model.in_dim, *model.widths, model.out_dim), model.activation, model.bias)

    @property
    def n_params(self) -> int:
        return sum(o * i + (o if self.bias else 0) for i, o in zip(self.sizes[:-1], self.sizes[1:]))

    def unflatten(self, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Views (W [S, out, in], b [S, out] or None) per layer into ``flat`` [S, P]."""
        out, offset = [], 0
        for i, o in zip(self.sizes[:-1], self.sizes[1:]):
            W = flat[:, offset: offset + o * i].reshape(-1, o, i)
            offset += o * i
            b = None
            if self.bias:
                b = flat[:, offset: offset + o]
                offset += o
            out.append((W, b))
        return out


def _feature_major(X: np.ndarray, dtype) -> np.ndarray:
    """Inputs [n, d] or [S, n, d] as a contiguous [1 or S, d, n] array of ``dtype``."""
    X = X if X.ndim == 3 else X[None]
    return np.ascontiguousarray(X.transpose(0, 2, 1), dtype=dtype)


def forward(arch: Architecture, flat: np.ndarray, X: np.ndarray,
            ws: Workspace | None = None) -> tuple[np.ndarray, list]:
    """Outputs [S, n, out] for inputs X [n, d] (shared) or [S, n, d], and the cache for backward.

    The cache holds, per layer, (input, pre-activation, output), each [S, width, n].
    """
    ws = ws or Workspace()
    act, _ = ACTIVATIONS[arch.activation]
    layers = arch.unflatten(flat)
    h = _feature_major(X, flat.dtype)
    S, n = flat.shape[0], h.shape[2]
    cache = []
    for k, (W, b) in enumerate(layers):
        z = np.matmul(W, h, out=ws.get(("z", k), (S, W.shape[1], n), flat.dtype))
        if b is not None:
            z += b[:, :, None]
        new_h = z if k == len(layers) - 1 else act(z, out=ws.get(("h", k), z.shape, z.dtype))
        cache.append((h, z, new_h))
        h = new_h
    return h.transpose(0, 2, 1), cache


def _onehot(y: np.ndarray, classes: int, dtype) -> np.ndarray:
    """[1 or S, classes, n] indicator of the labels y [n] or [S, n]."""
    y = y if y.ndim == 2 else y[None]
    return (y[:, None, :] == np.arange(classes)[None, :, None]).astype(dtype)


def loss_and_output_grad(task: str, out: np.ndarray, y: np.ndarray, with_loss: bool = True,
                         ws: Workspace | None = None) -> tuple[np.ndarray | None, np.ndarray]:
    """Per-net mean loss [S] (None unless ``with_loss``) and dLoss/dout [S, n, out]; y is [n] or [S, n].

    Cross-entropy of the softmax for classification, mean squared error for regression.
    """
    outT = out.transpose(0, 2, 1)  # [S, out, n]
    n = outT.shape[2]
    if task != "classification":
        diff = outT[:, 0] - y
        loss = (diff * diff).mean(axis=1) if with_loss else None
        return loss, ((2.0 / n) * diff)[:, :, None]
    if outT.shape[1] == 2:
        return _binary_cross_entropy(outT, y, with_loss, ws or Workspace())
    shifted = outT - outT.max(axis=1, keepdims=True)
    p = np.exp(shifted)
    total = p.sum(axis=1, keepdims=True)
    p /= total
    onehot = _onehot(y, outT.shape[1], outT.dtype)
    loss = None
    if with_loss:
        log_p_true = (shifted * onehot).sum(axis=1) - np.log(total[:, 0])  # [S, n]
        loss = -log_p_true.sum(axis=1) / n
    p -= onehot
    p *= 1.0 / n
    return loss, p.transpose(0, 2, 1)


def _binary_cross_entropy(outT: np.ndarray, y: np.ndarray, with_loss: bool,
                          ws: Workspace) -> tuple[np.ndarray | None, np.ndarray]:
    """Two-class softmax cross-entropy through the logit gap d = out_1 - out_0 (half the work).

    p_1 = sigmoid(d) = (1 + tanh(d / 2)) / 2, and the loss of a point is softplus(-m)
    with margin m = d for class 1 and -d for class 0.
    """
    n = outT.shape[2]
    S = outT.shape[0]
    d = np.subtract(outT[:, 1], outT[:, 0], out=ws.get("gap", (S, n), outT.dtype))  # [S, n]
    sign = (2 * y - 1).astype(outT.dtype)  # +1 for class 1, -1 for class 0
    loss = None
    if with_loss:
        m = d * sign
        loss = (np.maximum(-m, 0.0) + np.log(1.0 + np.exp(-np.abs(m)))).sum(axis=1) / n
    # dLoss/d out_1 = (p_1 - y) / n = (tanh(d/2) - sign) / (2n); dLoss/d out_0 is its negative
    g = np.multiply(d, 0.5, out=ws.get("p", (S, n), outT.dtype))
    np.tanh(g, out=g)
    g -= sign
    g *= 0.5 / n
    grad = ws.get("d_out", outT.shape, outT.dtype)
    grad[:, 1] = g
    np.negative(g, out=grad[:, 0])
    return loss, grad.transpose(0, 2, 1)


def backward(arch: Architecture, flat: np.ndarray, cache: list, d_out: np.ndarray,
             ws: Workspace | None = None) -> np.ndarray:
    """Gradient [S, P] of the loss with respect to ``flat``, given dLoss/dout [S, n, out]."""
    ws = ws or Workspace()
    _, act_grad = ACTIVATIONS[arch.activation]
    layers = arch.unflatten(flat)
    grad = np.empty_like(flat)
    grad_layers = arch.unflatten(grad)
    d_z = d_out.transpose(0, 2, 1)  # [S, out, n]
    for k in range(len(layers) - 1, -1, -1):
        W, _ = layers[k]
        gW, gb = grad_layers[k]
        h_in = cache[k][0]
        np.matmul(d_z, h_in.transpose(0, 2, 1), out=gW)
        if gb is not None:
            np.sum(d_z, axis=2, out=gb)
        if k > 0:
            _, z_prev, h_prev = cache[k - 1]
            d_h = np.matmul(W.transpose(0, 2, 1), d_z, out=ws.get(("d_h", k), h_prev.shape, flat.dtype))
            d_h *= act_grad(z_prev, h_prev, out=ws.get(("act'", k), h_prev.shape, flat.dtype))
            d_z = d_h
    return grad


def loss_and_grad(arch: Architecture, flat: np.ndarray, X: np.ndarray, y: np.ndarray,
                  task: str, ws: Workspace | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Loss [S] and gradient [S, P] for every net at once."""
    ws = ws or Workspace()
    out, cache = forward(arch, flat, X, ws)
    loss, d_out = loss_and_output_grad(task, out, y, ws=ws)
    return loss, backward(arch, flat, cache, d_out, ws)


def accuracy(task: str, out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fraction of correct argmax predictions per net [S] (NaN for regression)."""
    if task != "classification":
        return np.full(out.shape[0], np.nan)
    outT = out.transpose(0, 2, 1)  # [S, out, n]: compare along contiguous rows
    predicted = outT[:, 1] > outT[:, 0] if outT.shape[1] == 2 else outT.argmax(axis=1)
    return (predicted == y).mean(axis=1)


class Optimizer:
    """SGD, SGD with Nesterov momentum, or Adam, with PyTorch's update rules, on [S, P].

    ``lr`` is one number, or one per net [S] (a net with lr 0 stays where it is).
    The state has the dtype of ``dtype`` (float64 unless told).
    """

    NAMES = ("sgd", "nesterov", "adam")

    def __init__(self, name: str, shape: tuple[int, int], lr: float | np.ndarray, momentum: float = 0.9,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, dtype=np.float64):
        if name not in self.NAMES:
            raise UserError(f"Unknown optimiser {name!r}; choose one of {', '.join(self.NAMES)}.")
        self.name, self.lr, self.momentum, self.betas, self.eps = name, lr, momentum, betas, eps
        self.t = 0
        self.m = np.zeros(shape, dtype=dtype)
        self.v = np.zeros(shape, dtype=dtype) if name == "adam" else None

    def step(self, flat: np.ndarray, grad: np.ndarray) -> None:
        """Update ``flat`` in place."""
        self.t += 1
        lr = np.asarray(self.lr)[..., None] if np.ndim(self.lr) else self.lr
        if self.name == "sgd":
            flat -= lr * grad
        elif self.name == "nesterov":
            self.m = grad.copy() if self.t == 1 else self.momentum * self.m + grad
            flat -= lr * (grad + self.momentum * self.m)
        else:
            b1, b2 = self.betas
            self.m *= b1
            self.m += (1 - b1) * grad
            self.v *= b2
            self.v += (1 - b2) * grad * grad
            m_hat = self.m / (1 - b1 ** self.t)
            denom = np.sqrt(self.v / (1 - b2 ** self.t))
            denom += self.eps
            flat -= lr * m_hat / denom


# ---------------------------------------------------------------------------------------------
# Compiled training of many tiny tanh nets (float32), used by vizcore.sweeps.fit_many.
#
# Why compiled: with widths of 2 to 8, every numpy op above touches a few kilobytes and costs its
# ~2 us of dispatch (64 seeds x 2,000 steps of a 2-2-2-2 net took 3.7 s). Here one numba function
# runs whole stretches of steps, its nets side by side as lanes (vizcore.lanes: 16 nets x 8 points
# per operation): forward, backward and the update, on a few kilobytes that stay in the L1 cache.
#
# Strict IEEE arithmetic, no fastmath: with fastmath a kernel compiled in a fresh process rounded
# differently from the same kernel loaded from numba's disk cache, and 2,000 steps grow a rounding
# difference into another net (one seed of lesson 5's tanh baseline read 84% on a fresh host and
# 91.5% on a warm one). Every operation here is one IEEE operation rounded once (fma included:
# called explicitly, never contracted by the compiler), and nothing is summed across lanes, so a
# net's numbers depend neither on the host's vector width nor on which nets share its lanes. A
# gradient's sum over the points runs as SLOTS partial sums (point i into partial i % SLOTS),
# added in slot order at the end of the step. No libm call either (glibc picks FMA or SSE2 code
# for exp and pow by the CPU): tanh is below, and Adam's beta**t is computed by squaring.
# ---------------------------------------------------------------------------------------------

from numba import njit  # noqa: E402

from .lanes import NETS, SLOTS, WIDTH, copysign, fabs, fma, load, load_nets, pow2, select, splat, store  # noqa: E402

_jit = njit(cache=True, nogil=True, error_model="numpy")
_inline = njit(error_model="numpy")  # left to LLVM to inline: numba's own inlining copied the IR, 10 s of compile
OPT_CODES = {"sgd": 0, "nesterov": 1, "adam": 2}
TILE = 8  # rows of lanes per pass, layer by layer (the speed only: each lane's operations stay the same)
_f32 = np.float32
# tanh, |x| < 1: x + x s P(s) with s = x^2, P minimax for (tanh(x) / x - 1) / s on s in [0, 1] (weighted as
# tanh's relative error: 2^-27.7), fitted by reweighted least squares on Chebyshev nodes, its float32
# coefficients rounded one at a time with the rest refitted. |x| >= 1: 1 - 2E / (1 + E), E = exp(-2|x|) =
# 2^k exp(r) with |r| <= ln(2) / 2, exp(r) minimax (2^-23.2) and 1 / (1 + E) minimax on [0, e^-2] (2^-23.9).
# bench/bench_tanh.py checks every float32 against float64 tanh.
_TANH_SMALL = tuple(_f32(c) for c in (-0.33333295583724976, 0.13332347571849823, -0.0538799874484539,
                                      0.021487176418304443, -0.007946845144033432, 0.0023018845822662115,
                                      -0.0003585958620533347))
_EXP = tuple(_f32(c) for c in (1.0, 1.0, 0.4999922811985016, 0.16667114198207855, 0.041890617460012436,
                               0.008312676101922989))
_RECIPROCAL = tuple(_f32(c) for c in (0.9999999403953552, -0.999976634979248, 0.998584508895874,
                                      -0.9696570038795471, 0.7247956991195679))
_INV_LN2, _LN2_HI, _LN2_LO = _f32(1.4426950408889634), _f32(0.693359375), _f32(-2.12194440e-4)  # ln 2 = HI + LO
_ROUND = _f32(1.5 * 2 ** 23)  # (y + _ROUND) - _ROUND is y rounded to a whole number, for |y| < 2^22
_TINY = _f32(2.0 ** -12)  # below this, tanh(x) rounds to x


@_inline
def _horner(coefficients, x):
    """c0 + x (c1 + x (c2 + ...)) on lanes, one fma per coefficient."""
    y = splat(coefficients[len(coefficients) - 1])
    for i in range(len(coefficients) - 2, -1, -1):
        y = fma(y, x, splat(coefficients[i]))
    return y


@_inline
def tanh(x):
    """tanh of lanes, within 1 ulp of the correctly rounded value, with no division and no libm.

    Checked on every float32 in [2^-12, 10.5] (bench/bench_tanh.py): at most 1 ulp from float64
    tanh rounded to float32, and 97.6% equal to it (numpy's float32 tanh: at most 1 ulp, 97.1%).
    ±0 and |x| < 2^-12 give x, ±inf give ±1, NaN gives NaN. About 37 operations; a version with
    one division made a sweep twice as slow.
    """
    ax = fabs(x)
    s = x * x
    small = fma(ax, s * _horner(_TANH_SMALL, s), ax)
    a = select(ax < _f32(10.0), ax, splat(_f32(10.0))) * _f32(-2.0)  # and NaN -> 10: pow2 sees no NaN
    k = fma(a, splat(_INV_LN2), splat(_ROUND)) - _ROUND
    r = fma(k, splat(-_LN2_LO), fma(k, splat(-_LN2_HI), a))
    E = _horner(_EXP, r) * pow2(k)
    large = _f32(1.0) - (E + E) * _horner(_RECIPROCAL, E)
    return select(ax >= _TINY, copysign(select(ax < _f32(1.0), small, large), x), x)


_ATANH = tuple(_f32(1 / (2 * i + 1)) for i in range(7))


@_jit
def _tanh_rows(x, out):
    for row in range(x.shape[0]):
        store(out, row, tanh(load(x, row)))


def lane_tanh(x: np.ndarray) -> np.ndarray:
    """float32 tanh of any array through the kernels' :func:`tanh` (for tests and bench/bench_tanh.py)."""
    flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    rows = np.zeros((-(-flat.size // WIDTH), WIDTH), dtype=np.float32)
    rows.reshape(-1)[:flat.size] = flat
    out = np.empty_like(rows)
    _tanh_rows(rows, out)
    return out.reshape(-1)[:flat.size].reshape(np.shape(x))


@_inline
def _log1p_small(u):
    """log(1 + u) for lanes u in [-1/2, 0], no libm: 2 atanh(z) with z = u / (2 + u), |z| <= 1/3."""
    z = u / (_f32(2.0) + u)
    return _f32(2.0) * z * _horner(_ATANH, z * z)


@_inline
def _layer_input(k, X, A, q0, first, fan_in):
    """Where layer k reads unit i of tile row r: row h0 + i * unit + r * row of lanes of the array h.

    The first layer reads the data X [n_rows, d, WIDTH] itself; the others read A [rows, TILE, WIDTH].
    """
    if k == 0:
        return X, q0 * fan_in, 1, fan_in
    return A, first * TILE, TILE, 1


@_inline
def _tile_pass(sizes, p, X, target, weight, q0, count, A, D, G, regression, want_loss, backward, loss,
               correct):
    """Forward and backward pass of rows q0 .. q0 + count - 1 of lanes (count <= TILE), layer by layer.

    p [P, NETS] weights (torch's order, biases on); X [n_rows, d, WIDTH], target and weight [n_rows,
    WIDTH] (weight: dLoss/dout per unit error, 0 for padding points). A and D [rows, TILE, WIDTH]
    get every unit's value and dLoss/dz (rows of the input units unused) for each row of the tile; dLoss/dweight
    is added into G [P, WIDTH], row after row; when ``want_loss``, so are each point's loss and whether it
    was classified right into the lanes ``loss`` and ``correct``, returned.
    A tile's rows are independent, so the processor overlaps their chains of dependent operations.
    """
    L = len(sizes) - 1
    units = A.shape[0]
    first, w = 0, 0  # first row of the layer's input, its first weight
    for k in range(L):
        fan_in, fan_out = sizes[k], sizes[k + 1]
        bias = w + fan_in * fan_out
        h, h0, h_unit, h_row = _layer_input(k, X, A, q0, first, fan_in)
        for j in range(fan_out):
            out = (first + fan_in + j) * TILE
            for r in range(count):
                z = load_nets(p, bias + j)
                for i in range(fan_in):
                    z = fma(load_nets(p, w + j * fan_in + i), load(h, h0 + i * h_unit + r * h_row), z)
                store(A, out + r, tanh(z) if k < L - 1 else z)
        first += fan_in
        w = bias + fan_out
    zero, one = splat(_f32(0.0)), splat(_f32(1.0))
    last = (units - 1) * TILE
    for r in range(count):
        t, scale = load(target, q0 + r), load(weight, q0 + r)
        if regression:  # squared error of the one output
            error = load(A, last + r) - t
            store(D, last + r, error * scale)
            if want_loss:
                loss = loss + select(scale > zero, error * error, zero)
        else:  # two logits: through their gap d, p_1 = sigmoid(d) = (1 + tanh(d / 2)) / 2 and t = +1 / -1
            gap = load(A, last + r) - load(A, last - TILE + r)
            half = tanh(_f32(0.5) * gap)
            g = (half - t) * scale
            store(D, last + r, g)
            store(D, last - TILE + r, -g)
            if want_loss:  # softplus(-margin) = max(-margin, 0) - log(sigmoid(|margin|)), margin = gap * t
                margin = gap * t
                valid = scale > zero
                loss = loss + select(valid, select(margin < zero, -margin, zero)
                                     - _log1p_small((fabs(half) - _f32(1.0)) * _f32(0.5)), zero)
                says_one = select(gap > zero, one, zero)
                correct = correct + select(valid, select(t > zero, says_one, one - says_one), zero)
    if not backward:
        return loss, correct
    out = units
    for k in range(L - 1, -1, -1):
        fan_in, fan_out = sizes[k], sizes[k + 1]
        out -= fan_out
        first = out - fan_in
        w -= fan_in * fan_out + fan_out
        bias = w + fan_in * fan_out
        h, h0, h_unit, h_row = _layer_input(k, X, A, q0, first, fan_in)
        for j in range(fan_out):  # dW[j, i] = sum over points of dz_j h_i, in the order of the points
            total = load(G, bias + j)
            for r in range(count):
                total = total + load(D, (out + j) * TILE + r)
            store(G, bias + j, total)
            for i in range(fan_in):
                total = load(G, w + j * fan_in + i)
                for r in range(count):
                    total = fma(load(D, (out + j) * TILE + r), load(h, h0 + i * h_unit + r * h_row), total)
                store(G, w + j * fan_in + i, total)
        if k > 0:  # dLoss/dz of the layer below: (W^T dz) * tanh'(z), with tanh' = 1 - h^2
            for i in range(fan_in):
                for r in range(count):
                    back = load_nets(p, w + i) * load(D, out * TILE + r)
                    for j in range(1, fan_out):
                        back = fma(load_nets(p, w + j * fan_in + i), load(D, (out + j) * TILE + r), back)
                    h = load(A, (first + i) * TILE + r)
                    store(D, (first + i) * TILE + r, back * fma(-h, h, one))
    return loss, correct


@_inline
def _power(base, t):
    """base ** t for a whole t >= 0, by squaring (libm's pow differs between hosts)."""
    result, square = 1.0, base
    while t > 0:
        if t & 1:
            result *= square
        square *= square
        t >>= 1
    return result


@_inline
def _optimizer_step(code, p, g, m, v, grad_sq, alive, lr, momentum, t):
    """One SGD / Nesterov / Adam update (torch.optim's rules, betas 0.9, 0.999, eps 1e-8) of every net
    with ``alive`` 0, in place; its squared gradient is added into ``grad_sq``.

    p, g, m, v [P, NETS] float32 (g the gradient), grad_sq float64; t the update's number (from 1).
    """
    c1 = _f32(1.0 - _power(0.9, t))
    c2 = _f32(1.0 - _power(0.999, t))
    for i in range(p.shape[0]):
        for s in range(NETS):
            if alive[s] != 0:
                continue
            gi = g[i, s]
            grad_sq[i, s] += gi * gi
            if code == 0:
                p[i, s] -= lr * gi
            elif code == 1:
                m[i, s] = gi if t == 1 else momentum * m[i, s] + gi
                p[i, s] -= lr * (gi + momentum * m[i, s])
            else:
                m[i, s] = _f32(0.9) * m[i, s] + _f32(0.1) * gi
                v[i, s] = _f32(0.999) * v[i, s] + _f32(0.001) * gi * gi
                p[i, s] -= lr * (m[i, s] / c1) / (np.sqrt(v[i, s] / c2) + _f32(1e-8))


@_jit
def train_steps(sizes, flat, X, target, weight, n, regression, start, stop, steps, record_every, opt_code, lr,
                momentum, m, v, grad_sq, diverged_at, rec_params, rec_loss, rec_acc, last_loss):
    """Full-batch training of B x NETS tanh nets from update ``start`` to ``stop`` (compiled, float32).

    Lanes as in :mod:`vizcore.lanes`: lane ``slot * NETS + net``. sizes int64 [L+1]; flat float32
    [B, P, NETS] weights (torch's order, biases on); X float32 [1 or B, n_rows, d, WIDTH], target and
    weight float32 [1 or B, n_rows, WIDTH]: point ``q * SLOTS + slot`` of net ``net`` (of block b, or
    of every block), its target (+1 / -1 for 2 classes, or the value) and dLoss/dout per unit error
    (0.5 / n or 2 / n; 0 on the padding points after the n real ones). m, v float32 [B, P, NETS]
    optimiser state; grad_sq float64 [B, P, NETS]; diverged_at int64 [B, NETS] (0: training, -1: a
    padding net, never updated). For each t in [start, stop): the weights after t updates are
    evaluated, recorded when t is a multiple of ``record_every`` or t == ``steps`` (into row
    t // record_every, or the last row), and updated unless t == ``steps``. ``last_loss`` gets the
    loss at t = stop - 1. A net whose gradient or loss stops being finite is frozen:
    ``diverged_at`` = that update.
    """
    B, P = flat.shape[0], flat.shape[1]
    rows = 0
    for size in sizes:
        rows += size
    A = np.zeros((rows, TILE, WIDTH), dtype=np.float32)
    D = np.zeros((rows, TILE, WIDTH), dtype=np.float32)
    G = np.zeros((P, WIDTH), dtype=np.float32)
    g = np.zeros((P, NETS), dtype=np.float32)
    per_lane = np.zeros((2, WIDTH), dtype=np.float32)
    net_loss, net_correct, total = np.zeros(NETS), np.zeros(NETS), np.zeros(NETS)
    records = rec_loss.shape[1]
    for b in range(B):
        p, alive = flat[b], diverged_at[b]
        Xb, tb, wb = X[min(b, X.shape[0] - 1)], target[min(b, target.shape[0] - 1)], weight[min(b, weight.shape[0] - 1)]
        for t in range(start, stop):
            record = t % record_every == 0 or t == steps
            want_loss = record or t == stop - 1
            if not record and not (alive == 0).any():
                continue
            update = t < steps
            zero = splat(_f32(0.0))
            for i in range(P):
                store(G, i, zero)
            loss, correct = zero, zero
            n_rows = tb.shape[0]
            for q0 in range(0, n_rows, TILE):
                loss, correct = _tile_pass(sizes, p, Xb, tb, wb, q0, min(TILE, n_rows - q0), A, D, G, regression,
                                           want_loss, update, loss, correct)
            store(per_lane, 0, loss)
            store(per_lane, 1, correct)
            for s in range(NETS):  # each net's loss and accuracy: its lanes added in slot order
                net_loss[s], net_correct[s], total[s] = 0.0, 0.0, 0.0
                for slot in range(SLOTS):
                    net_loss[s] += per_lane[0, slot * NETS + s]
                    net_correct[s] += per_lane[1, slot * NETS + s]
                net_loss[s] /= n
                if record:
                    r = t // record_every if t % record_every == 0 else records - 1
                    for i in range(P):
                        rec_params[b, r, i, s] = p[i, s]
                    rec_loss[b, r, s] = net_loss[s]
                    rec_acc[b, r, s] = np.nan if regression else net_correct[s] / n
                if t == stop - 1:
                    last_loss[b, s] = net_loss[s]
            if not update:
                continue
            for i in range(P):  # each net's gradient: its SLOTS partial sums, added in slot order
                for s in range(NETS):
                    g[i, s] = G[i, s]
                for slot in range(1, SLOTS):
                    for s in range(NETS):
                        g[i, s] += G[i, slot * NETS + s]
                for s in range(NETS):
                    total[s] += g[i, s]
            for s in range(NETS):
                if alive[s] == 0 and not (np.isfinite(total[s]) and (not want_loss or np.isfinite(net_loss[s]))):
                    alive[s] = t + 1
            _optimizer_step(opt_code, p, g, m[b], v[b], grad_sq[b], alive, lr, momentum, t + 1)
