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
# Why compiled: with widths of 2 to 8, every numpy op above touches a few kilobytes and costs
# its ~2 us of dispatch, so a 2-2-2-2 sweep spent most of its time between ops (64 seeds x 2,000
# steps took 3.7 s; numpy's own float32 tanh over the same values takes 0.4 s). Here one numba
# function runs whole stretches of steps, seed after seed, over rows of [units, n] that stay in
# the L1 cache. tanh is a rational approximation (|error| < 3e-7, as close as float32 rounding
# allows) because LLVM can vectorise it, where a call to the C library's tanhf cannot be.
# ---------------------------------------------------------------------------------------------

from numba import njit  # noqa: E402

# No fastmath: with reassociation and contraction allowed, the code LLVM made in a fresh process
# rounded differently from the same kernel loaded from numba's disk cache (and would differ again
# on a CPU with wider vectors), and 2,000 steps of training grow a rounding difference into
# another net: one seed of lesson 5's tanh baseline read 84% on a fresh host and 91.5% on a warm
# one. Strict IEEE arithmetic costs 2.8x here (64 seeds of a 2-2 net: 0.46 s -> 1.3 s) and makes a
# link give the same numbers on every host.
_jit = njit(cache=True, nogil=True, error_model="numpy")
_TANH_CLAMP = np.float32(7.90531110763549805)  # beyond this tanh rounds to +-1 in float32
# Odd numerator and even denominator of a [13/6] rational approximation of tanh (as used by Eigen)
_A1, _A3, _A5, _A7 = (np.float32(c) for c in (4.89352455891786e-03, 6.37261928875436e-04,
                                               1.48572235717979e-05, 5.12229709037114e-08))
_A9, _A11, _A13 = (np.float32(c) for c in (-8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16))
_B0, _B2, _B4, _B6 = (np.float32(c) for c in (4.89352518554385e-03, 2.26843463243900e-03,
                                               1.18534705686654e-04, 1.19825839466702e-06))
OPT_CODES = {"sgd": 0, "nesterov": 1, "adam": 2}


@_jit
def fast_tanh(x):
    """float32 tanh as a vectorisable rational function (max abs error 3e-7)."""
    x = min(max(x, -_TANH_CLAMP), _TANH_CLAMP)
    x2 = x * x
    p = x * (_A1 + x2 * (_A3 + x2 * (_A5 + x2 * (_A7 + x2 * (_A9 + x2 * (_A11 + x2 * _A13))))))
    return p / (_B0 + x2 * (_B2 + x2 * (_B4 + x2 * _B6)))


@_jit
def _log1p_small(u):
    """log(1 + u) for u in [-1/2, 1], vectorisable: 2 atanh(z) with z = u / (2 + u), |z| <= 1/3."""
    z = u / (np.float32(2.0) + u)
    z2 = z * z
    return np.float32(2.0) * z * (np.float32(1.0) + z2 * (np.float32(1 / 3) + z2 * (np.float32(1 / 5) + z2 * (
        np.float32(1 / 7) + z2 * (np.float32(1 / 9) + z2 * (np.float32(1 / 11) + z2 * np.float32(1 / 13)))))))


@_jit
def _block(p, s, base, stride, c, row, row_step):
    """Up to four (weight, row) pairs, padded with weight 0 on a valid row: loops read four rows per pass."""
    w0 = p[s, base]
    w1 = p[s, base + stride] if c > 1 else np.float32(0.0)
    w2 = p[s, base + 2 * stride] if c > 2 else np.float32(0.0)
    w3 = p[s, base + 3 * stride] if c > 3 else np.float32(0.0)
    r1 = row + row_step if c > 1 else row
    r2 = row + 2 * row_step if c > 2 else row
    r3 = row + 3 * row_step if c > 3 else row
    return w0, w1, w2, w3, row, r1, r2, r3


@_jit
def _forward_rows(sizes, offsets, p, s, A):
    """Fill A's rows after the input rows with every layer's output (tanh applied, except the output layer).

    A [rows, n] holds the input (its first sizes[0] rows), then each layer's units; ``p[s]`` are
    the weights. Each pass over a row adds four inputs (a layer up to 4 wide is one pass, tanh
    included), and loops index the 2-D arrays directly: a row view costs a reference count,
    which at these sizes is as dear as a pass over the row.
    """
    n = A.shape[1]
    L = len(sizes) - 1
    first = 0  # first row of this layer's input
    for k in range(L):
        fan_in, fan_out, w0 = sizes[k], sizes[k + 1], offsets[k]
        b0 = w0 + fan_in * fan_out
        out0 = first + fan_in
        for j in range(fan_out):
            r, bj = out0 + j, p[s, b0 + j]
            for i0 in range(0, fan_in, 4):
                a, b, c, d, ra, rb, rc, rd = _block(p, s, w0 + j * fan_in + i0, 1, min(4, fan_in - i0), first + i0, 1)
                squash = k < L - 1 and i0 + 4 >= fan_in
                if i0 == 0 and squash:
                    for q in range(n):
                        A[r, q] = fast_tanh(bj + a * A[ra, q] + b * A[rb, q] + c * A[rc, q] + d * A[rd, q])
                elif i0 == 0:
                    for q in range(n):
                        A[r, q] = bj + a * A[ra, q] + b * A[rb, q] + c * A[rc, q] + d * A[rd, q]
                elif squash:
                    for q in range(n):
                        A[r, q] = fast_tanh(A[r, q] + a * A[ra, q] + b * A[rb, q] + c * A[rc, q] + d * A[rd, q])
                else:
                    for q in range(n):
                        A[r, q] += a * A[ra, q] + b * A[rb, q] + c * A[rc, q] + d * A[rd, q]
        first = out0


@_jit
def _output_grad(A, D, last, target, t, regression, want_loss):
    """dLoss/dout into D's output rows (from row ``last``); (mean loss, accuracy) if ``want_loss``, else (0, 0).

    Binary classification through the logit gap (target[t] holds +1 / -1), or squared error.
    """
    n = A.shape[1]
    loss, correct = 0.0, 0
    if regression:
        for q in range(n):
            D[last, q] = (A[last, q] - target[t, q]) * np.float32(2.0 / n)
        if want_loss:
            for q in range(n):
                d = A[last, q] - target[t, q]
                loss += d * d
        return loss / n, np.nan
    for q in range(n):
        g = (fast_tanh(np.float32(0.5) * (A[last + 1, q] - A[last, q])) - target[t, q]) * np.float32(0.5 / n)
        D[last + 1, q] = g
        D[last, q] = -g
    if want_loss:
        for q in range(n):
            margin = (A[last + 1, q] - A[last, q]) * target[t, q]
            # softplus(-margin) = max(-margin, 0) + log(1 + exp(-|margin|)), where the last term is
            # -log(sigmoid(|margin|)) = -log1p((tanh(|margin| / 2) - 1) / 2): no exp, so it vectorises
            u = (fast_tanh(np.float32(0.5) * abs(margin)) - np.float32(1.0)) * np.float32(0.5)
            loss += max(-margin, np.float32(0.0)) - _log1p_small(u)
            correct += margin > 0 or (margin == 0 and target[t, q] < 0)
    return loss / n, correct / n


@_jit
def _backward_rows(sizes, offsets, p, s, A, D, g):
    """Gradient of net ``s`` into g [P], from D's output rows; D's hidden rows are overwritten."""
    n = A.shape[1]
    L = len(sizes) - 1
    out0 = A.shape[0]
    for k in range(L - 1, -1, -1):
        fan_in, fan_out, w0 = sizes[k], sizes[k + 1], offsets[k]
        out0 -= fan_out
        first = out0 - fan_in
        b0 = w0 + fan_in * fan_out
        for j in range(fan_out):  # dW[j, i] = sum over points of dz_j * h_i, db[j] = sum of dz_j
            r = out0 + j
            for i0 in range(0, fan_in, 4):
                c = min(4, fan_in - i0)
                _, _, _, _, ra, rb, rc, rd = _block(p, s, 0, 0, c, first + i0, 1)
                tb = t0 = t1 = t2 = t3 = np.float32(0.0)
                for q in range(n):
                    dz = D[r, q]
                    tb += dz
                    t0 += dz * A[ra, q]
                    t1 += dz * A[rb, q]
                    t2 += dz * A[rc, q]
                    t3 += dz * A[rd, q]
                if i0 == 0:
                    g[b0 + j] = tb
                base = w0 + j * fan_in + i0
                g[base] = t0
                if c > 1:
                    g[base + 1] = t1
                if c > 2:
                    g[base + 2] = t2
                if c > 3:
                    g[base + 3] = t3
        if k > 0:  # dLoss/dz of the layer below: (W^T dz) * tanh'(z), with tanh' = 1 - h^2
            for i in range(fan_in):
                h = first + i
                for j0 in range(0, fan_out, 4):
                    a, b, c, d, ra, rb, rc, rd = _block(p, s, w0 + j0 * fan_in + i, fan_in, min(4, fan_out - j0),
                                                        out0 + j0, 1)
                    last = j0 + 4 >= fan_out
                    if j0 == 0 and last:
                        for q in range(n):
                            D[h, q] = ((a * D[ra, q] + b * D[rb, q] + c * D[rc, q] + d * D[rd, q])
                                       * (np.float32(1.0) - A[h, q] * A[h, q]))
                    elif j0 == 0:
                        for q in range(n):
                            D[h, q] = a * D[ra, q] + b * D[rb, q] + c * D[rc, q] + d * D[rd, q]
                    elif last:
                        for q in range(n):
                            D[h, q] = ((D[h, q] + a * D[ra, q] + b * D[rb, q] + c * D[rc, q] + d * D[rd, q])
                                       * (np.float32(1.0) - A[h, q] * A[h, q]))
                    else:
                        for q in range(n):
                            D[h, q] += a * D[ra, q] + b * D[rb, q] + c * D[rc, q] + d * D[rd, q]


@_jit
def _optimizer_step(code, p, g, m, v, s, lr, momentum, t):
    """One SGD / Nesterov / Adam update (torch.optim's rules, betas 0.9, 0.999, eps 1e-8) of p[s] in place."""
    if code == 0:
        for i in range(g.size):
            p[s, i] -= lr * g[i]
    elif code == 1:
        for i in range(g.size):
            m[s, i] = g[i] if t == 1 else momentum * m[s, i] + g[i]
            p[s, i] -= lr * (g[i] + momentum * m[s, i])
    else:
        c1 = np.float32(1.0 - 0.9 ** t)
        c2 = np.float32(1.0 - 0.999 ** t)
        for i in range(g.size):
            m[s, i] = np.float32(0.9) * m[s, i] + np.float32(0.1) * g[i]
            v[s, i] = np.float32(0.999) * v[s, i] + np.float32(0.001) * g[i] * g[i]
            p[s, i] -= lr * (m[s, i] / c1) / (np.sqrt(v[s, i] / c2) + np.float32(1e-8))


@_jit
def train_steps(sizes, flat, X, target, regression, start, stop, steps, record_every, opt_code, lr, momentum,
                m, v, grad_sq, diverged_at, rec_params, rec_loss, rec_acc, last_loss):
    """Full-batch training of S tanh nets from update ``start`` to ``stop`` (compiled, float32).

    sizes int64 [L+1]; flat float32 [S, P] (biases on, torch's order); X float32 [1 or S, d, n]
    feature-major; target float32 [1 or S, n] (+1/-1 labels of a 2-class task, or regression
    targets); m, v float32 [S, P] optimiser state; grad_sq float64 [S, P]. For each seed and
    each t in [start, stop): the weights after t updates are evaluated, recorded when t is a
    multiple of ``record_every`` or t == ``steps`` (into row t // record_every, or the last
    row), and updated unless t == ``steps``. ``last_loss[s]`` gets the loss at t = stop - 1. A
    net whose gradient or loss stops being finite is frozen: ``diverged_at[s]`` = that update.
    """
    S, P = flat.shape
    rows = 0
    for k in range(len(sizes)):
        rows += sizes[k]
    offsets = np.zeros(len(sizes) - 1, dtype=np.int64)
    for k in range(1, len(sizes) - 1):
        offsets[k] = offsets[k - 1] + sizes[k - 1] * sizes[k] + sizes[k]
    d, n = X.shape[1], X.shape[2]
    A = np.empty((rows, n), dtype=np.float32)  # input rows, then every layer's units
    D = np.empty((rows, n), dtype=np.float32)  # dLoss/dz, row for row (input rows unused)
    g = np.empty(P, dtype=np.float32)
    last_row = rows - sizes[-1]
    records = rec_loss.shape[1]
    for s in range(S):
        xs = s if X.shape[0] > 1 else 0
        ts = s if target.shape[0] > 1 else 0
        for i in range(d):
            for q in range(n):
                A[i, q] = X[xs, i, q]
        for t in range(start, stop):
            record = t % record_every == 0 or t == steps
            want_loss = record or t == stop - 1
            if diverged_at[s] > 0 and not record:
                continue
            _forward_rows(sizes, offsets, flat, s, A)
            loss, acc = _output_grad(A, D, last_row, target, ts, regression, want_loss)
            if record:
                r = t // record_every if t % record_every == 0 else records - 1
                for i in range(P):
                    rec_params[s, r, i] = flat[s, i]
                rec_loss[s, r] = loss
                rec_acc[s, r] = acc
            if t == stop - 1:
                last_loss[s] = loss
            if diverged_at[s] > 0 or t == steps:
                continue
            _backward_rows(sizes, offsets, flat, s, A, D, g)
            total = 0.0
            for i in range(P):
                total += g[i]
            if not np.isfinite(total) or (want_loss and not np.isfinite(loss)):
                diverged_at[s] = t + 1
                continue
            for i in range(P):
                grad_sq[s, i] += g[i] * g[i]
            _optimizer_step(opt_code, flat, g, m, v, s, lr, momentum, t + 1)
