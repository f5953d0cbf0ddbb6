"""Forward, backward and optimiser steps of :class:`~vizcore.nets.MLP` in numpy, batched over seeds.

Why a second implementation: these nets are so small that PyTorch spends its time
dispatching ops (about 15 us each on a 2-core machine), not computing. Numpy ops on
arrays this size cost a few microseconds, and a leading "seed" axis lets many nets
train as one computation. ``tests/test_engine.py`` pins every number here to PyTorch
autograd and ``torch.optim``: same outputs, gradients and optimiser steps.

Parameters live in one float64 array ``flat`` of shape [S, P] laid out exactly like
``torch.cat([p.flatten() for p in model.parameters()])`` for each of S nets.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import UserError


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


ACTIVATIONS = {
    "tanh": (np.tanh, lambda z, h: 1.0 - h * h),
    "sigmoid": (_sigmoid, lambda z, h: h * (1.0 - h)),
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z, h: _sigmoid(z)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, h: (z > 0).astype(z.dtype)),
    "linear": (lambda z: z, lambda z, h: np.ones_like(z)),
}


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


def forward(arch: Architecture, flat: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, list]:
    """Outputs [S, n, out] for inputs X [n, d] (shared) or [S, n, d], and the cache for backward."""
    act, _ = ACTIVATIONS[arch.activation]
    layers = arch.unflatten(flat)
    h = X if X.ndim == 3 else X[None]
    cache = []
    for k, (W, b) in enumerate(layers):
        z = h @ W.transpose(0, 2, 1)
        if b is not None:
            z = z + b[:, None, :]
        last = k == len(layers) - 1
        new_h = z if last else act(z)
        cache.append((h, z, new_h))
        h = new_h
    return h, cache


def loss_and_output_grad(task: str, out: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-net mean loss [S] and dLoss/dout [S, n, out]; y is [n] or [S, n]."""
    n = out.shape[1]
    if task == "classification":
        shifted = out - out.max(axis=2, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
        onehot = np.zeros_like(out)
        np.put_along_axis(onehot, np.broadcast_to(y, out.shape[:2])[..., None], 1.0, axis=2)
        loss = -(log_p * onehot).sum(axis=(1, 2)) / n
        return loss, (np.exp(log_p) - onehot) / n
    diff = out[..., 0] - y
    return (diff * diff).mean(axis=1), (2.0 / n) * diff[..., None]


def backward(arch: Architecture, flat: np.ndarray, cache: list, d_out: np.ndarray) -> np.ndarray:
    """Gradient [S, P] of the loss with respect to ``flat``, given dLoss/dout."""
    _, act_grad = ACTIVATIONS[arch.activation]
    layers = arch.unflatten(flat)
    grads = []
    d_z = d_out
    for k in range(len(layers) - 1, -1, -1):
        W, b = layers[k]
        h_in, _, _ = cache[k]
        layer_grads = [(d_z.transpose(0, 2, 1) @ h_in).reshape(d_z.shape[0], -1)]
        if b is not None:
            layer_grads.append(d_z.sum(axis=1))
        grads = layer_grads + grads
        if k > 0:
            _, z_prev, h_prev = cache[k - 1]
            d_z = (d_z @ W) * act_grad(z_prev, h_prev)
    return np.concatenate(grads, axis=1)


def loss_and_grad(arch: Architecture, flat: np.ndarray, X: np.ndarray, y: np.ndarray,
                  task: str) -> tuple[np.ndarray, np.ndarray]:
    """Loss [S] and gradient [S, P] for every net at once."""
    out, cache = forward(arch, flat, X)
    loss, d_out = loss_and_output_grad(task, out, y)
    return loss, backward(arch, flat, cache, d_out)


def accuracy(task: str, out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fraction of correct argmax predictions per net [S] (NaN for regression)."""
    if task != "classification":
        return np.full(out.shape[0], np.nan)
    return (out.argmax(axis=2) == y).mean(axis=1)


class Optimizer:
    """SGD, SGD with Nesterov momentum, or Adam, with PyTorch's update rules, on [S, P]."""

    NAMES = ("sgd", "nesterov", "adam")

    def __init__(self, name: str, shape: tuple[int, int], lr: float | np.ndarray, momentum: float = 0.9,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        if name not in self.NAMES:
            raise UserError(f"Unknown optimiser {name!r}; choose one of {', '.join(self.NAMES)}.")
        self.name, self.lr, self.momentum, self.betas, self.eps = name, lr, momentum, betas, eps
        self.t = 0
        self.m = np.zeros(shape)
        self.v = np.zeros(shape) if name == "adam" else None

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
            self.m = b1 * self.m + (1 - b1) * grad
            self.v = b2 * self.v + (1 - b2) * grad * grad
            m_hat = self.m / (1 - b1 ** self.t)
            v_hat = self.v / (1 - b2 ** self.t)
            flat -= lr * m_hat / (np.sqrt(v_hat) + self.eps)
