"""The set-up files agree: floors and constraints-min.txt, requirements.txt and its lock, README and CI."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def requirements(name: str) -> dict[str, Requirement]:
    """The requirements a file lists, by package, following -r includes."""
    out: dict[str, Requirement] = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            out.update(requirements(line[3:].strip()))
        elif line and not line.startswith("-"):
            req = Requirement(line)
            out[canonicalize_name(req.name)] = req
    return out


def pins(name: str) -> dict[str, Version]:
    return {canonicalize_name(r.name): Version(str(next(iter(r.specifier))).removeprefix("==")) for r in
            requirements(name).values()}


def quick_start() -> list[str]:
    """The command lines of the README's Quick start, in order."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [line.split("  #", 1)[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_each_floor_is_the_version_that_ci_installs_as_the_oldest():
    floors = {}
    for name, req in requirements("requirements-dev.txt").items():
        lower = [s for s in req.specifier if s.operator == ">="]
        assert len(lower) == 1, f"{req}: one floor (>=) each, tested by constraints-min.txt"
        floors[name] = Version(lower[0].version)
    minimum = pins("constraints-min.txt")
    assert sorted(minimum) == sorted(floors)
    for name, floor in floors.items():
        assert minimum[name] == floor, f"{name}: floor {floor} but constraints-min.txt has {minimum[name]}"


def test_the_lock_pins_every_requirement_within_its_bounds_and_torchs_cpu_build():
    text = (ROOT / "requirements.lock").read_text()
    locked = pins("requirements.lock")
    for name, req in requirements("requirements.txt").items():
        assert name in locked, f"{name} is not in requirements.lock: bash bench/lock.sh"
        assert req.specifier.contains(locked[name], prereleases=True), (str(req), str(locked[name]))
    assert locked["torch"].local == "cpu"
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text.splitlines()


def test_readme_quick_start_is_what_ci_runs():
    lines = quick_start()
    ci = (ROOT / ".ci" / "run").read_text()
    torch_line = next(line for line in lines if "torch==" in line)
    test_line = lines[-1]
    assert test_line == "pip install -r requirements-dev.txt && python -m pytest"
    assert test_line in ci.splitlines()
    assert torch_line.removeprefix("pip install ") in ci  # the same CPU build from the same index
    assert any(line.startswith("python3 -m venv ") for line in lines)
    version = re.search(r"torch==([\w.+]+)", torch_line).group(1)
    assert pins("constraints-min.txt")["torch"] == Version(version)
    assert pins("requirements.lock")["torch"].public == version
    assert f"torch=={version} " in (ROOT / "bench" / "lock.sh").read_text()


def test_python_is_at_least_what_pyproject_requires():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    required = SpecifierSet(project["requires-python"])
    assert Version(".".join(map(str, sys.version_info[:3]))) in required
