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
# steps took 3.7 s). Here one numba function runs whole stretches of steps with NETS nets side by
# side as the lanes of one vector (vizcore.lanes): every operation of a net is one lane of one
# vector instruction, on a tile of TILE points at a time that stays in the L1 cache. The kernel
# before it ran seed after seed and vectorised along the points where it could, but not its
# gradient sums over the points (strict arithmetic adds them in order): 64 seeds of a 2-2-2 net
# took 1.5 s on one core, in lanes 0.5 s (bench/bench_sweep.py). Each lane does the operations,
# in the order, that kernel did for its seed, so the numbers are the same bit for bit (it also
# added zero-weight products to fill its groups of four; those can change only the sign of a
# zero sum, which no later sum or recorded number keeps). tanh is a rational approximation
# (|error| < 3e-7, as close as float32 rounding allows) because it vectorises, where a call to
# the C library's tanhf cannot.
# ---------------------------------------------------------------------------------------------

from numba import njit  # noqa: E402

from .lanes import NETS, fabs, load, select, splat, sqrt, store  # noqa: E402

# No fastmath: with reassociation and contraction allowed, the code LLVM made in a fresh process
# rounded differently from the same kernel loaded from numba's disk cache (and would differ again
# on a CPU with wider vectors), and 2,000 steps of training grow a rounding difference into
# another net: one seed of lesson 5's tanh baseline read 84% on a fresh host and 91.5% on a warm
# one. Strict IEEE arithmetic makes a link give the same numbers on every host.
_jit = njit(cache=True, nogil=True, error_model="numpy")
_inline = njit(error_model="numpy", inline="always")  # helpers of train_steps, inlined into it
_TANH_CLAMP = np.float32(7.90531110763549805)  # beyond this tanh rounds to +-1 in float32
# Odd numerator and even denominator of a [13/6] rational approximation of tanh (as used by Eigen)
_A1, _A3, _A5, _A7 = (np.float32(c) for c in (4.89352455891786e-03, 6.37261928875436e-04,
                                               1.48572235717979e-05, 5.12229709037114e-08))
_A9, _A11, _A13 = (np.float32(c) for c in (-8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16))
_B0, _B2, _B4, _B6 = (np.float32(c) for c in (4.89352518554385e-03, 2.26843463243900e-03,
                                               1.18534705686654e-04, 1.19825839466702e-06))
_ZERO, _ONE, _HALF, _TWO = np.float32(0.0), np.float32(1.0), np.float32(0.5), np.float32(2.0)
OPT_CODES = {"sgd": 0, "nesterov": 1, "adam": 2}
TILE = 32  # points per pass over the layers, to share each loop over units among them (8: 0.85 s, 16: 0.65, 32: 0.54)


@_jit
def fast_tanh(x):
    """float32 tanh as a vectorisable rational function (max abs error 3e-7)."""
    x = min(max(x, -_TANH_CLAMP), _TANH_CLAMP)
    x2 = x * x
    p = x * (_A1 + x2 * (_A3 + x2 * (_A5 + x2 * (_A7 + x2 * (_A9 + x2 * (_A11 + x2 * _A13))))))
    return p / (_B0 + x2 * (_B2 + x2 * (_B4 + x2 * _B6)))


@_inline
def _tanh(x):
    """:func:`fast_tanh` of every lane, operation for operation (numba's max(a, b) is b if b > a else a)."""
    x = select(-_TANH_CLAMP > x, splat(-_TANH_CLAMP), x)
    x = select(_TANH_CLAMP < x, splat(_TANH_CLAMP), x)
    x2 = x * x
    p = x * (_A1 + x2 * (_A3 + x2 * (_A5 + x2 * (_A7 + x2 * (_A9 + x2 * (_A11 + x2 * _A13))))))
    return p / (_B0 + x2 * (_B2 + x2 * (_B4 + x2 * _B6)))


@_inline
def _log1p_small(u):
    """log(1 + u) for lanes u in [-1/2, 1], vectorisable: 2 atanh(z) with z = u / (2 + u), |z| <= 1/3."""
    z = u / (_TWO + u)
    z2 = z * z
    return _TWO * z * (_ONE + z2 * (np.float32(1 / 3) + z2 * (np.float32(1 / 5) + z2 * (
        np.float32(1 / 7) + z2 * (np.float32(1 / 9) + z2 * (np.float32(1 / 11) + z2 * np.float32(1 / 13)))))))


@_inline
def _products(p, w, stride, count, A, src, dst, tile, prior, bias, finish, H):
    """For every point r < tile: A[dst + r] = finish(z) with z built from the products
    p[w + c stride] A[src + c TILE + r], c < count <= 4, added left to right onto ``prior``:

    prior 0: nothing (z = w_0 x_0 + w_1 x_1 + ...); 1: the lanes ``bias``; 2: A[dst + r];
    3: A[dst + r] + (the products' own sum). finish 0: z; 1: tanh(z); 2: z (1 - H[dst + r]^2).
    """
    w0 = load(p, w)
    w1 = load(p, w + stride * min(1, count - 1))
    w2 = load(p, w + stride * min(2, count - 1))
    w3 = load(p, w + stride * min(3, count - 1))
    for r in range(tile):
        z = w0 * load(A, src + r)
        if prior == 1:
            z = bias + z
        elif prior == 2:
            z = load(A, dst + r) + z
        if count > 1:
            z = z + w1 * load(A, src + TILE + r)
        if count > 2:
            z = z + w2 * load(A, src + 2 * TILE + r)
        if count > 3:
            z = z + w3 * load(A, src + 3 * TILE + r)
        if prior == 3:
            z = load(A, dst + r) + z
        if finish == 1:
            z = _tanh(z)
        elif finish == 2:
            h = load(H, dst + r)
            z = z * (_ONE - h * h)
        store(A, dst + r, z)


@_inline
def _forward(sizes, p, H, tile):
    """Fill H's rows after the input rows with every layer's output for a tile of points (tanh except the output
    layer's).

    H [rows * TILE, NETS]: row u * TILE + r holds unit u of point r (the input units, then every
    layer's); p [P, NETS] the weights (torch's order). z_j = b_j + w_j0 h_0 + w_j1 h_1 + ..., added
    left to right in groups of four inputs, each group after the first added as one sum except the
    last of a hidden layer: the order of the kernel before this one (which passed over the points
    once per four inputs), so that the numbers are the same.
    """
    L = len(sizes) - 1
    first, w = 0, 0  # first unit of the layer's input, its first weight
    for k in range(L):
        fan_in, fan_out = sizes[k], sizes[k + 1]
        bias = w + fan_in * fan_out
        hidden = k < L - 1
        for j in range(fan_out):
            out = (first + fan_in + j) * TILE
            for i0 in range(0, fan_in, 4):
                last = i0 + 4 >= fan_in
                prior = 1 if i0 == 0 else (2 if hidden and last else 3)
                _products(p, w + j * fan_in + i0, 1, min(4, fan_in - i0), H, (first + i0) * TILE, out, tile, prior,
                          load(p, bias + j), 1 if hidden and last else 0, H)
        first += fan_in
        w = bias + fan_out


@_inline
def _output_grad(H, D, T, last, target, q0, tile, scale, regression, want_loss):
    """dLoss/dout of a tile of points (from q0 on) into D's output rows (from unit ``last``), and when
    ``want_loss`` each point's loss into T's row r and whether it is classified right (1 or 0) into row TILE + r.

    Binary classification through the logit gap (``target`` +1 / -1), or squared error; ``scale`` is
    dLoss/dout per unit error (0.5 / n or 2 / n).
    """
    o = last * TILE
    for r in range(tile):
        y = load(target, q0 + r)
        if regression:
            store(D, o + r, (load(H, o + r) - y) * scale)
            if want_loss:
                d = load(H, o + r) - y
                store(T, r, d * d)
            continue
        gap = load(H, o + TILE + r) - load(H, o + r)
        half = _tanh(_HALF * gap)
        g = (half - y) * scale
        store(D, o + TILE + r, g)
        store(D, o + r, -g)
        if want_loss:
            margin = gap * y
            # softplus(-margin) = max(-margin, 0) + log(1 + exp(-|margin|)), where the last term is
            # -log(sigmoid(|margin|)) = -log1p((tanh(|margin| / 2) - 1) / 2): no exp, so it vectorises
            # (tanh(|margin| / 2) is |half| exactly: |margin| = |gap|, and fast_tanh is odd bit for bit)
            u = (fabs(half) - _ONE) * _HALF
            store(T, r, select(_ZERO > -margin, splat(_ZERO), -margin) - _log1p_small(u))
            right = select(margin == _ZERO, select(y < _ZERO, splat(_ONE), splat(_ZERO)), splat(_ZERO))
            store(T, TILE + r, select(margin > _ZERO, splat(_ONE), right))


@_inline
def _backward(sizes, p, H, D, G, tile):
    """Add a tile's gradient into G [P, NETS], point after point, from D's output rows; D's hidden rows are
    overwritten.

    dW_ji += dz_j h_i and db_j += dz_j; dz of the layer below is (w_0i dz_0 + w_1i dz_1 + ...) (1 - h_i^2),
    its sum in groups of four as in :func:`_forward` (a group after the first and before the last as one sum).
    """
    L = len(sizes) - 1
    out, w = H.shape[0] // TILE, G.shape[0]
    for k in range(L - 1, -1, -1):
        fan_in, fan_out = sizes[k], sizes[k + 1]
        out -= fan_out
        first = out - fan_in
        w -= fan_in * fan_out + fan_out
        bias = w + fan_in * fan_out
        for j in range(fan_out):
            dz = (out + j) * TILE
            for i0 in range(0, fan_in, 4):  # up to four weights per pass over the points, and the bias
                c, h = min(4, fan_in - i0), (first + i0) * TILE
                g = w + j * fan_in + i0
                tb, t0, t1, t2, t3 = (load(G, bias + j), load(G, g), load(G, g + min(1, c - 1)),
                                      load(G, g + min(2, c - 1)), load(G, g + min(3, c - 1)))
                for r in range(tile):
                    e = load(D, dz + r)
                    tb = tb + e
                    t0 = t0 + e * load(H, h + r)
                    if c > 1:
                        t1 = t1 + e * load(H, h + TILE + r)
                    if c > 2:
                        t2 = t2 + e * load(H, h + 2 * TILE + r)
                    if c > 3:
                        t3 = t3 + e * load(H, h + 3 * TILE + r)
                if i0 == 0:
                    store(G, bias + j, tb)
                store(G, g, t0)
                if c > 1:
                    store(G, g + 1, t1)
                if c > 2:
                    store(G, g + 2, t2)
                if c > 3:
                    store(G, g + 3, t3)
        if k > 0:
            zero = splat(_ZERO)
            for i in range(fan_in):
                h = (first + i) * TILE
                for j0 in range(0, fan_out, 4):
                    last = j0 + 4 >= fan_out
                    prior = 0 if j0 == 0 else (2 if last else 3)
                    _products(p, w + j0 * fan_in + i, fan_in, min(4, fan_out - j0), D, (out + j0) * TILE, h, tile,
                              prior, zero, 2 if last else 0, H)


@_inline
def _optimizer_step(code, p, g, m, v, frozen, lr, momentum, t):
    """One SGD / Nesterov / Adam update (torch.optim's rules, betas 0.9, 0.999, eps 1e-8) in place of every net
    (lane of p, m, v [P, NETS]) but the ``frozen`` ones; g [P, NETS] is the gradient, t the update's number."""
    c1 = np.float32(1.0 - 0.9 ** t)
    c2 = np.float32(1.0 - 0.999 ** t)
    for i in range(p.shape[0]):
        gi, pi, mi, vi = load(g, i), load(p, i), load(m, i), load(v, i)
        if code == 0:
            new = pi - lr * gi
        elif code == 1:
            mi = gi if t == 1 else momentum * mi + gi
            new = pi - lr * (gi + momentum * mi)
        else:
            mi = np.float32(0.9) * mi + np.float32(0.1) * gi
            vi = np.float32(0.999) * vi + np.float32(0.001) * gi * gi
            new = pi - lr * (mi / c1) / (sqrt(vi / c2) + np.float32(1e-8))
        store(p, i, select(frozen, pi, new))
        store(m, i, select(frozen, load(m, i), mi))
        store(v, i, select(frozen, load(v, i), vi))


@_jit
def _tanh_rows(x, out):
    for row in range(x.shape[0]):
        store(out, row, _tanh(load(x, row)))


def lane_tanh(x: np.ndarray) -> np.ndarray:
    """float32 tanh of any array through the kernel's tanh on lanes (for tests: it must be :func:`fast_tanh`)."""
    flat = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    rows = np.zeros((-(-flat.size // NETS), NETS), dtype=np.float32)
    rows.reshape(-1)[:flat.size] = flat
    out = np.empty_like(rows)
    _tanh_rows(rows, out)
    return out.reshape(-1)[:flat.size].reshape(np.shape(x))


def lane_array(a: np.ndarray) -> np.ndarray:
    """A C-contiguous float32 copy of ``a`` that starts on a 64-byte boundary (see :func:`_lane_rows`)."""
    raw = np.empty(a.size + NETS, dtype=np.float32)
    skip = (-(raw.ctypes.data // 4)) % NETS
    out = raw[skip: skip + a.size].reshape(a.shape)
    out[...] = a
    return out


@_inline
def _lane_rows(rows):
    """float32 zeros [rows, NETS] starting on a 64-byte boundary: a row of lanes that straddles two cache lines
    costs two loads (numba's arrays start 32 bytes into one; this kernel ran 1.4x slower on them)."""
    raw = np.zeros((rows + 1) * NETS, dtype=np.float32)
    skip = (-(raw.ctypes.data // 4)) % NETS
    return raw[skip: skip + rows * NETS].reshape(rows, NETS)


@_jit
def train_steps(sizes, flat, X, target, regression, start, stop, steps, record_every, opt_code, lr, momentum,
                m, v, grad_sq, diverged_at, rec_params, rec_loss, rec_acc, last_loss):
    """Full-batch training of B x NETS tanh nets from update ``start`` to ``stop`` (compiled, float32).

    Net s of block b is lane s of every [..., NETS] array. sizes int64 [L+1]; flat float32 [B, P, NETS]
    (biases on, torch's order); X float32 [1 or B, n, d, NETS]; target float32 [1 or B, n, NETS]
    (+1/-1 labels of a 2-class task, or regression targets); m, v float32 [B, P, NETS] optimiser
    state (these five on 64-byte boundaries: :func:`lane_array`); grad_sq float64 [B, P, NETS];
    diverged_at int64 [B, NETS] (-1: a padding lane, never updated nor recorded). For each net and
    each t in [start, stop): the weights after t updates are evaluated, recorded when t is a
    multiple of ``record_every`` or t == ``steps`` (into rec_params [B, records, P, NETS] and
    rec_loss, rec_acc [B, records, NETS], row t // record_every or the last row), and updated
    unless t == ``steps``. ``last_loss`` [B, NETS] gets the loss at t = stop - 1. A net whose
    gradient or loss stops being finite is frozen: ``diverged_at`` = that update.
    """
    B, P = flat.shape[0], flat.shape[1]
    d, n = X.shape[2], X.shape[1]
    rows = 0
    for k in range(len(sizes)):
        rows += sizes[k]
    H = _lane_rows(rows * TILE)  # a tile of points: input units, then every layer's
    D = _lane_rows(rows * TILE)  # dLoss/dz, row for row (input rows unused)
    T = _lane_rows(2 * TILE)  # each point's loss and whether it is right
    G = _lane_rows(P)
    U = _lane_rows(1)  # 1 for the nets the update leaves alone
    loss, correct = np.zeros(NETS), np.zeros(NETS, dtype=np.int64)
    last = rows - sizes[-1]
    scale = np.float32(2.0 / n) if regression else np.float32(0.5 / n)
    records = rec_loss.shape[1]
    for b in range(B):
        p, alive = flat[b], diverged_at[b]
        Xb, tb = X[min(b, X.shape[0] - 1)], target[min(b, target.shape[0] - 1)]
        for t in range(start, stop):
            record = t % record_every == 0 or t == steps
            want_loss = record or t == stop - 1
            training = False
            for s in range(NETS):
                training |= alive[s] == 0
            if not (record or training):
                continue
            backward = training and t < steps
            G[:] = 0.0
            loss[:] = 0.0
            correct[:] = 0
            for q0 in range(0, n, TILE):
                tile = min(TILE, n - q0)
                for i in range(d):
                    for r in range(tile):
                        store(H, i * TILE + r, load(Xb, (q0 + r) * d + i))
                _forward(sizes, p, H, tile)
                _output_grad(H, D, T, last, tb, q0, tile, scale, regression, want_loss)
                if want_loss:
                    for r in range(tile):
                        for s in range(NETS):
                            loss[s] += T[r, s]
                            correct[s] += T[TILE + r, s] > 0
                if backward:
                    _backward(sizes, p, H, D, G, tile)
            updated = False
            for s in range(NETS):
                U[0, s] = _ONE  # frozen, unless updated below
                if alive[s] < 0 or (alive[s] > 0 and not record):
                    continue
                net_loss = loss[s] / n
                if record:
                    r = t // record_every if t % record_every == 0 else records - 1
                    for i in range(P):
                        rec_params[b, r, i, s] = p[i, s]
                    rec_loss[b, r, s] = net_loss
                    rec_acc[b, r, s] = np.nan if regression else correct[s] / n
                if t == stop - 1:
                    last_loss[b, s] = net_loss
                if alive[s] > 0 or not backward:
                    continue
                total = 0.0
                for i in range(P):
                    total += G[i, s]
                if not np.isfinite(total) or (want_loss and not np.isfinite(net_loss)):
                    alive[s] = t + 1
                    continue
                for i in range(P):
                    grad_sq[b, i, s] += G[i, s] * G[i, s]
                U[0, s] = _ZERO
                updated = True
            if updated:
                _optimizer_step(opt_code, p, G, m[b], v[b], load(U, 0) > _ZERO, lr, momentum, t + 1)
