"""Per-example SGD on :class:`~vizcore.nets.MLP`, compiled: one example, one update, no Python in between.

Why a third copy of backpropagation: per-example SGD is sequential, so nothing can be
batched. A plain PyTorch loop spends ~400 us per example dispatching ops, and even
numpy calls into preallocated buffers cost ~1 us each, about 20 us per example for
the article's 510-weight net. Here the loop over examples (forward, backward, update,
slow learning's ring of pending parts) is one numba function over scalars: about
2 us per example. It is the engine's maths (:mod:`vizcore.engine`) for a batch of one;
``tests/test_compiled.py`` pins it to ``engine.loss_and_grad``, to torch autograd and
to the engine's training loop.

The kernels are compiled on first use and cached on disk (``cache=True``, in
``vizcore/__pycache__``); :func:`warm_up` compiles them ahead of any visitor.
Every call passes the same argument types (float64 / int64 C arrays), so each
kernel has one compiled version.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .errors import UserError

ACTIVATION_CODES = {"tanh": 0, "sigmoid": 1, "softplus": 2, "relu": 3, "linear": 4}


@njit(cache=True, inline="always")
def _tanh(z: float) -> float:
    """tanh within 1e-15 (relative) at a fifth of ``math.tanh``'s cost: 5.5 ns against 28 ns here.

    Through exp(-2|z|), except near 0 where 1 - exp(-2|z|) would cancel: there its Taylor series.
    """
    a = abs(z)
    if a < 0.0625:
        s = z * z
        return z * (1.0 + s * (-1 / 3 + s * (2 / 15 + s * (-17 / 315 + s * (62 / 2835 + s * (
            -1382 / 155925 + s * (21844 / 6081075)))))))
    e = math.exp(-2.0 * a)
    r = (1.0 - e) / (1.0 + e)
    return r if z > 0.0 else -r


@njit(cache=True, inline="always")
def _act(code: int, z: float) -> float:
    if code == 0:
        return _tanh(z)
    if code == 1:
        return 0.5 * (1.0 + _tanh(0.5 * z))  # the engine's sigmoid
    if code == 2:
        return max(z, 0.0) + math.log1p(math.exp(-abs(z)))  # numpy's logaddexp(0, z)
    if code == 3:
        return max(z, 0.0)
    return z


@njit(cache=True, inline="always")
def _act_grad(code: int, z: float, h: float) -> float:
    """act'(z), given h = act(z)."""
    if code == 0:
        return 1.0 - h * h
    if code == 1:
        return (1.0 - h) * h
    if code == 2:
        return 0.5 * (1.0 + _tanh(0.5 * z))
    if code == 3:
        return 1.0 if z > 0.0 else 0.0
    return 1.0


@njit(cache=True, nogil=True)
def _loss_grad(flat, layout, act, classify, x, y, grad, h, z, d):
    """Loss of one example x [d] with target y; dLoss/dflat written into grad [P].

    layout : int64 [L, 5] per layer (inputs, outputs, weight offset, bias offset or -1,
             offset of the layer's input in h); h, z, d hold every layer's values in a row
    """
    L = layout.shape[0]
    for i in range(x.shape[0]):
        h[i] = x[i]
    for k in range(L):
        n_in, n_out, wo, bo, hi = layout[k, 0], layout[k, 1], layout[k, 2], layout[k, 3], layout[k, 4]
        ho = hi + n_in
        for o in range(n_out):
            row = wo + o * n_in
            s = 0.0
            for i in range(n_in):
                s += flat[row + i] * h[hi + i]
            if bo >= 0:
                s += flat[bo + o]
            z[ho + o] = s
            h[ho + o] = s if k == L - 1 else _act(act, s)
    n_out, out = layout[L - 1, 1], layout[L - 1, 4] + layout[L - 1, 0]
    if classify:  # softmax cross-entropy on the logits, through the log-sum-exp
        label = int(y)
        top = h[out]
        for c in range(1, n_out):
            top = max(top, h[out + c])
        total = 0.0
        for c in range(n_out):
            total += math.exp(h[out + c] - top)
        log_total = math.log(total)
        for c in range(n_out):
            d[out + c] = math.exp(h[out + c] - top - log_total)
        d[out + label] -= 1.0
        loss = log_total - (h[out + label] - top)
    else:  # squared error of the single output
        diff = h[out] - y
        d[out] = 2.0 * diff
        loss = diff * diff
    for k in range(L - 1, -1, -1):
        n_in, n_out, wo, bo, hi = layout[k, 0], layout[k, 1], layout[k, 2], layout[k, 3], layout[k, 4]
        ho = hi + n_in
        for o in range(n_out):
            g = d[ho + o]
            row = wo + o * n_in
            for i in range(n_in):
                grad[row + i] = g * h[hi + i]
            if bo >= 0:
                grad[bo + o] = g
        if k > 0:  # dLoss/dz of the layer below: (d W) * act'(z)
            for i in range(n_in):
                s = 0.0
                for o in range(n_out):
                    s += d[ho + o] * flat[wo + o * n_in + i]
                d[hi + i] = s * _act_grad(act, z[hi + i], h[hi + i])
    return loss


@njit(cache=True, nogil=True)
def _sgd(flat, layout, act, classify, X, y, order, rates, first, last, step0, pending, pending_sum, grad_sq,
         step_loss, grad, h, z, d):
    """Updates first .. last-1 of a run, in place; returns ``last``, or the index of a non-finite loss.

    Update i trains on example X[order[i]] at rate rates[i]; it is update step0 + i + 1
    of the whole run, which picks its row of the ring ``pending`` [k, P] (slow learning:
    the weights move by the mean of the last k updates; k = 1 is plain SGD).
    """
    k = pending.shape[0]
    for i in range(first, last):
        j = order[i]
        loss = _loss_grad(flat, layout, act, classify, X[j], y[j], grad, h, z, d)
        step_loss[i] = loss
        if not math.isfinite(loss):
            return i
        rate = rates[i]
        if k == 1:
            for p in range(flat.shape[0]):
                g = grad[p]
                grad_sq[p] += g * g
                flat[p] -= g * rate
        else:
            slot = (step0 + i + 1) % k
            for p in range(flat.shape[0]):
                g = grad[p]
                grad_sq[p] += g * g
                delta = g * rate
                total = pending_sum[p] - pending[slot, p]
                pending[slot, p] = delta
                total += delta
                pending_sum[p] = total
                flat[p] -= total / k
    return last


def diverged(step: int, loss: float) -> UserError:
    return UserError(f"Training diverged at step {step}: the loss became {loss:g}. "
                     "Lower the learning rate and train again.")


class ExampleGradient:
    """``grad = ExampleGradient(arch, flat, task); loss = grad(x, y)`` fills ``grad.grad`` [P].

    arch : :class:`vizcore.engine.Architecture` (sizes, activation, bias)
    flat : float64 [P] weights; read (not copied) at every call, so update it in place
    task : "regression" (squared error, one output) or "classification" (cross-entropy)

    :meth:`train` runs whole stretches of per-example SGD on ``flat`` in compiled code.
    """

    def __init__(self, arch, flat: np.ndarray, task: str):
        if flat.dtype != np.float64 or flat.ndim != 1 or not flat.flags.c_contiguous:
            raise ValueError("flat must be a contiguous float64 [P] array")
        self.flat, self.classify = flat, task == "classification"
        self.act = ACTIVATION_CODES[arch.activation]
        rows, offset, h_offset = [], 0, 0
        for n_in, n_out in zip(arch.sizes[:-1], arch.sizes[1:]):
            rows.append((n_in, n_out, offset, offset + n_in * n_out if arch.bias else -1, h_offset))
            offset += n_in * n_out + (n_out if arch.bias else 0)
            h_offset += n_in
        if offset != len(flat):
            raise ValueError(f"flat has {len(flat)} values; the architecture has {offset}")
        self.layout = np.array(rows, dtype=np.int64)
        self.grad = np.zeros_like(flat)
        self.h, self.z, self.d = (np.zeros(h_offset + arch.sizes[-1]) for _ in range(3))

    def __call__(self, x: np.ndarray, y) -> float:
        """Loss of one example x [d] with target y; writes dLoss/dw into ``self.grad``."""
        x = np.ascontiguousarray(x, dtype=np.float64)
        return _loss_grad(self.flat, self.layout, self.act, self.classify, x, float(y), self.grad, self.h,
                          self.z, self.d)

    def train(self, state, X: np.ndarray, y: np.ndarray, order: np.ndarray, rates: np.ndarray,
              step_loss: np.ndarray, stops=(), at_stop=None) -> None:
        """Per-example SGD updates i = 0 .. len(order)-1 on ``self.flat``, in place.

        state : holds step (updates so far; advanced here), pending [k, P] and pending_sum [P]
                (slow learning), grad_sq [1, P] or [P] (sum of squared gradients), all updated
        X, y : float64 [n, d] and [n] (class labels as floats); update i uses row order[i]
        rates : float64 [len(order)] the rate of each update
        step_loss : float32 [len(order)] receives each update's loss
        stops : update indices after which ``at_stop(i, rate, loss)`` is called (to record)

        Raises UserError naming the step if a loss becomes NaN or infinite.
        """
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        order = np.ascontiguousarray(order, dtype=np.int64)
        rates = np.ascontiguousarray(rates, dtype=np.float64)
        grad_sq = state.grad_sq.reshape(-1)
        step0, first = state.step, 0
        ends = sorted({int(s) + 1 for s in stops if 0 <= s < len(order)})
        called = set(ends)
        for last in [*ends, len(order)]:
            if last <= first:
                continue
            done = _sgd(self.flat, self.layout, self.act, self.classify, X, y, order, rates, first, last, step0,
                        state.pending, state.pending_sum, grad_sq, step_loss, self.grad, self.h, self.z, self.d)
            state.step = step0 + done
            if done < last:
                state.step += 1
                raise diverged(state.step, float(step_loss[done]))
            if at_stop is not None and last in called:
                at_stop(last - 1, float(rates[last - 1]), float(step_loss[last - 1]))
            first = last


def warm_up() -> None:
    """Compile (or load from the disk cache) the kernels, on a net of two units."""
    from .engine import Architecture

    arch = Architecture((2, 2, 1), "tanh", True)
    flat = np.zeros(arch.n_params)
    X, y = np.zeros((2, 2)), np.zeros(2)

    class State:
        step, pending, pending_sum, grad_sq = 0, np.zeros((1, len(flat))), np.zeros(len(flat)), np.zeros(len(flat))

    ExampleGradient(arch, flat, "regression").train(State, X, y, np.arange(2), np.full(2, 0.1),
                                                    np.zeros(2, np.float32))
