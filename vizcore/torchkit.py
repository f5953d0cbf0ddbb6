"""A light Adam for tiny torch computations.

The first ``torch.optim.Adam(...)`` in a process costs about 2 s of lazy imports (measured
here), which a student would wait through on a cold page. :class:`Adam` does the same update
as ``torch.optim.Adam`` with default options, in a few tensor operations.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import torch


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
            # numpy's sqrt, not torch's: torch.sqrt of a float32 tensor goes to MKL's vector maths, which is not
            # correctly rounded (46 of 240 values off by an ulp) and rounds differently on Intel and AMD CPUs
            # (bench/cross_cpu.py: lesson 5's weights 3e-4 apart); numpy's is exact on every CPU.
            denom = (torch.from_numpy(np.sqrt(v.numpy())) / (1 - self.b2 ** t) ** 0.5).add_(self.eps)
            p.addcdiv_(m, denom, value=-self.lr / (1 - self.b1 ** t))
