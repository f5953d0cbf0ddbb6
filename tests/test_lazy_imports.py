"""vizcore and vizcore.figures load their modules on first use (vizcore/lazy.py): the home page and a light
import pay for no torch, and every listed module is one attribute read away."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import vizcore
import vizcore.figures

ROOT = Path(__file__).resolve().parent.parent


def test_importing_vizcore_and_its_config_loads_no_torch_scipy_or_sklearn():
    code = ("import sys, vizcore, vizcore.config, vizcore.figures; "
            "print(sorted(m for m in ('torch', 'scipy', 'sklearn', 'numba') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("package", [vizcore, vizcore.figures])
def test_every_listed_module_is_an_attribute_and_others_are_not(package):
    for name in package.__all__:
        assert getattr(package, name) is not None and name in dir(package)
    with pytest.raises(AttributeError, match="no attribute 'no_such_module'"):
        _ = package.no_such_module
