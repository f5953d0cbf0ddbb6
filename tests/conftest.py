"""Compute on one thread, as the app does (see app.py): faster and steadier on a busy 2-core host."""
from __future__ import annotations

import torch
from threadpoolctl import threadpool_limits

torch.set_num_threads(1)
threadpool_limits(1)
