"""Packages whose submodules load on first use (PEP 562): ``vizcore`` and ``vizcore.figures``."""
from __future__ import annotations

import importlib
import sys
from typing import Any, Callable, Iterable


def submodules_on_first_use(package: str, names: Iterable[str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package``: reading ``package.<name>`` for one of
    ``names`` imports that submodule (it then stays an attribute of the package); other names raise
    AttributeError."""
    known = frozenset(names)

    def __getattr__(name: str) -> Any:
        if name in known:
            return importlib.import_module(f".{name}", package)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | known)

    return __getattr__, __dir__
