"""Plotly figure builders: plain arrays in, a finished figure out (:class:`spec.Spec`; no training, no streamlit).

Each module is imported on first use (``vizcore.figures.layers`` loads scipy and torch through
``vizcore.layers``; ``vizcore.figures.spec`` needs only plotly).
"""
from __future__ import annotations

import importlib
from typing import Any

__all__ = ["curves", "knn", "landscape", "layers", "low_dimension", "spec", "style", "topology", "trajectory",
           "vectorfield"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
