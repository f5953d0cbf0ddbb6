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
