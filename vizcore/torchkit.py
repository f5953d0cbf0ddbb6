"""Helpers for tiny torch computations: one intra-op thread, and a light Adam.

One thread. On this class of machine (2 cores, shared with other sessions) torch's intra-op thread
pool spins and waits for busy cores: a tiny training step went from about 1 ms on one
thread to 40-130 ms on two under load. The nets here are far too small to gain from
threads, so their training runs inside :func:`one_thread`.

Adam. The first ``torch.optim.Adam(...)`` in a process costs about 2 s of lazy imports
(measured here), which a student would wait through on a cold page. :class:`Adam` does the
same update as ``torch.optim.Adam`` with default options, in a few tensor operations.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterable, Iterator

import torch

_LOCK = threading.Lock()
_DEPTH = 0
_SAVED = 1


@contextmanager
def one_thread() -> Iterator[None]:
    """Set torch to one intra-op thread for the duration, then restore the previous count."""
    global _DEPTH, _SAVED
    with _LOCK:
        if _DEPTH == 0:
            _SAVED = torch.get_num_threads()
            torch.set_num_threads(1)
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0:
                torch.set_num_threads(_SAVED)


class Adam:
    """``torch.optim.Adam`` (default betas, eps, no weight decay) for a list of parameters.

    Parameters whose ``.grad`` is None are skipped, as torch does.
    """

    def __init__(self, params: Iterable[torch.nn.Parameter], lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params = [p for p in params]
        self.lr, (self.b1, self.b2), self.eps = float(lr), betas, eps
        self.state = [None] * len(self.params)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            if self.state[i] is None:
                self.state[i] = [0, torch.zeros_like(p), torch.zeros_like(p)]
            st = self.state[i]
            st[0] += 1
            t, m, v = st
            m.lerp_(p.grad, 1 - self.b1)
            v.mul_(self.b2).addcmul_(p.grad, p.grad, value=1 - self.b2)
            denom = (v.sqrt() / (1 - self.b2 ** t) ** 0.5).add_(self.eps)
            p.addcdiv_(m, denom, value=-self.lr / (1 - self.b1 ** t))
