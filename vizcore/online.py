"""Per-example gradients of :class:`~vizcore.nets.MLP`, one example at a time, fast.

Why a third copy of backpropagation: per-example SGD is sequential, so nothing can be
batched, and a plain PyTorch loop spends ~400 us per example dispatching ops. This is
the engine's maths (:mod:`vizcore.engine`) for a batch of one, unrolled into numpy
calls that write into preallocated buffers (about 1 us each). ``tests/test_trajectory.py``
pins it to ``engine.loss_and_grad`` and to torch autograd.
"""
from __future__ import annotations

import numpy as np

from .engine import ACTIVATIONS


def layer_views(sizes: tuple[int, ...], bias: bool, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """(W [out, in], b [out] or None) per layer, as views into the 1-D ``flat`` [P] (torch's order)."""
    views, offset = [], 0
    for i, o in zip(sizes[:-1], sizes[1:]):
        W = flat[offset: offset + o * i].reshape(o, i)
        offset += o * i
        b = None
        if bias:
            b = flat[offset: offset + o]
            offset += o
        views.append((W, b))
    return views


class ExampleGradient:
    """``grad = ExampleGradient(arch, flat, task); loss = grad(x, y)`` fills ``grad.grad`` [P].

    arch : :class:`vizcore.engine.Architecture` (sizes, activation, bias)
    flat : float64 [P] weights; read (not copied) at every call, so update it in place
    task : "regression" (squared error, one output) or "classification" (cross-entropy)
    """

    def __init__(self, arch, flat: np.ndarray, task: str):
        self.task = task
        self.grad = np.zeros_like(flat)
        act, act_grad = ACTIVATIONS[arch.activation]
        tanh = arch.activation == "tanh"
        inputs = [np.empty(i) for i in arch.sizes[:-1]]  # what each layer reads (the example, then hiddens)
        z = [np.empty(o) for o in arch.sizes[1:]]
        d = [np.empty(o) for o in arch.sizes[1:]]  # dLoss/dz of each layer
        layers = layer_views(arch.sizes, arch.bias, flat)
        grads = layer_views(arch.sizes, arch.bias, self.grad)
        last = len(layers) - 1
        # One tuple per layer, so the per-example loops only unpack locals.
        self.x, self.out, self.d_out = inputs[0], z[last], d[last]
        self.forward_plan = [(W, b, inputs[k], z[k], None if k == last else inputs[k + 1])
                             for k, (W, b) in enumerate(layers)]
        self.backward_plan = [(d[k], d[k][:, None], inputs[k], grads[k][0], grads[k][1], layers[k][0],
                               d[k - 1] if k else None, np.empty(arch.sizes[k]), z[k - 1] if k else None)
                              for k in range(last, -1, -1)]
        self.tanh, self.act, self.act_grad = tanh, act, act_grad

    def __call__(self, x: np.ndarray, y) -> float:
        """Loss of one example x [d] with target y; writes dLoss/dw into ``self.grad``."""
        tanh, dot, multiply = self.tanh, np.dot, np.multiply
        self.x[:] = x
        for W, b, h_in, z, h_out in self.forward_plan:
            dot(W, h_in, out=z)
            if b is not None:
                np.add(z, b, out=z)
            if h_out is not None:
                if tanh:
                    np.tanh(z, out=h_out)
                else:
                    h_out[:] = self.act(z)
        if self.task == "regression":
            diff = float(self.out[0]) - float(y)
            self.d_out[0] = 2.0 * diff
            loss = diff * diff
        else:
            loss = self._cross_entropy_grad(self.out, int(y), self.d_out)
        for d_k, d_col, h_in, gW, gb, W, d_prev, slope, z_prev in self.backward_plan:
            multiply(d_col, h_in, out=gW)
            if gb is not None:
                gb[:] = d_k
            if d_prev is not None:  # dLoss/dz of the layer below: (d W) * act'(z)
                dot(d_k, W, out=d_prev)
                if tanh:
                    multiply(h_in, h_in, out=slope)
                    np.subtract(1.0, slope, out=slope)
                else:
                    slope[:] = self.act_grad(z_prev, h_in)
                multiply(d_prev, slope, out=d_prev)
        return loss

    @staticmethod
    def _cross_entropy_grad(out: np.ndarray, label: int, d: np.ndarray) -> float:
        """Cross-entropy of one example on logits ``out``; dLoss/dout written into d (the engine's formulas)."""
        shifted = out - out.max()
        log_p = shifted - np.log(np.exp(shifted).sum())
        np.exp(log_p, out=d)
        d[label] -= 1.0
        return float(-log_p[label])
