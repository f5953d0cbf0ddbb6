"""Shipped preset results (ui/shipped.py): every preset of a shipped lesson has one, a fresh training gives
the same numbers, files stay small, and a cold cache loads a shipped result instead of computing it.

Tolerance: every float of the shipped value (weights, the recorded history: snapshots, losses,
accuracies, gradient RMS) within 1e-4 absolute + 1e-3 relative of a fresh run. On every x86-64 CPU
with AVX2 and FMA the runs are bit-identical to the files (one thread, explicit seeds, and the CPU
kernels vizcore/cpu.py pins; the last tests check the pin, and under qemu that another CPU model
computes the same numbers). Integers, strings and shapes must match exactly.
"""
from __future__ import annotations

import dataclasses
import json
import lzma
import math
import os
import pickle
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from ui import cache as ui_cache
from ui import lesson_page, shipped, syllabus
from ui.syllabus import Entry
from vizcore import cpu
from vizcore.config import QueryConfig, setting
from vizcore.lessons import Lesson

ROOT = Path(__file__).resolve().parent.parent
RTOL, ATOL = 1e-3, 1e-4
MAX_FILE_KB = 2048  # lesson 1: 12-42 kB a preset; the largest, 1.5 MB: lesson 6's 2x50 net, 3,000 steps of snapshots
MAX_TOTAL_MB = 8    # what the repository carries for all presets
ENTRIES = [path for path, _ in shipped.entries()]


@dataclass(frozen=True)
class Twice(QueryConfig):
    x: int = setting(1, lo=0, hi=10)


@dataclass(frozen=True)
class FakeEntry(Entry):
    """A syllabus entry whose lesson is given, not imported."""

    lesson: Lesson = None


def differences(a, b, where: str = "value") -> list[str]:
    """Where ``a`` and ``b`` differ beyond the tolerance (recursing into containers, dataclasses, modules)."""
    if isinstance(a, torch.nn.Module):
        return [f"{where}: {type(a).__name__} vs {type(b).__name__}"] if type(a) is not type(b) else \
            differences(dict(a.state_dict()), dict(b.state_dict()), where + ".state_dict")
    if isinstance(a, torch.Tensor):
        return differences(a.detach().numpy(), b.detach().numpy(), where)
    if isinstance(a, np.random.Generator):  # e.g. the batch order of a resumable run
        return differences(a.bit_generator.state, b.bit_generator.state, where + ".state")
    if isinstance(a, np.ndarray):
        if not isinstance(b, np.ndarray) or a.shape != b.shape:
            return [f"{where}: shape {a.shape} vs {getattr(b, 'shape', type(b))}"]
        if a.dtype.kind in "fc":
            ok = np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)
            return [] if ok else [f"{where}: max |diff| {np.nanmax(np.abs(a - b)):.3g}"]
        return [] if np.array_equal(a, b) else [f"{where}: differs"]
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        if type(a) is not type(b):
            return [f"{where}: {type(a).__name__} vs {type(b).__name__}"]
        return [d for f in dataclasses.fields(a) for d in differences(getattr(a, f.name), getattr(b, f.name),
                                                                      f"{where}.{f.name}")]
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return [f"{where}: keys {sorted(map(str, a))} vs {sorted(map(str, b))}"]
        return [d for k in a for d in differences(a[k], b[k], f"{where}[{k!r}]")]
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return [f"{where}: length {len(a)} vs {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    if isinstance(a, float):
        return [] if math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL) or (math.isnan(a) and math.isnan(b)) \
            else [f"{where}: {a} vs {b}"]
    if a is None or isinstance(a, (int, str, bytes, bool, np.generic)):
        return [] if a == b else [f"{where}: {a!r} vs {b!r}"]
    if hasattr(a, "__dict__"):
        return differences(vars(a), vars(b), where)
    return [] if a == b else [f"{where}: {a!r} vs {b!r}"]


def settings_of(entry: dict):
    """The lesson and the settings a shipped file was computed for (read back from its query, as a link is)."""
    lesson = syllabus.entry(entry["lesson"]).lesson
    cfg, warnings = lesson.settings.with_query(entry["query"])
    assert not warnings and cfg.to_query() == entry["query"], warnings
    return lesson, cfg


@pytest.mark.parametrize("path", ENTRIES, ids=[f"{p.parent.name}/{p.name[:16]}" for p in ENTRIES])
def test_a_fresh_training_gives_the_shipped_numbers(path):
    entry = shipped.read(path)
    assert entry["format"] == shipped.FORMAT and entry["function"] == "compute"
    assert shipped.path_of(entry["lesson"], entry["function"], entry["query"]) == path  # what a server looks up
    lesson, cfg = settings_of(entry)
    assert differences(entry["value"], lesson.compute(cfg)) == []


@pytest.mark.parametrize("entry", [e for e in syllabus.LESSONS if e.lesson.ship], ids=lambda e: e.name)
def test_every_preset_of_a_shipped_lesson_has_its_result(entry):
    lesson = entry.lesson
    wanted = {key: next((c for c in lesson.presets[key].configs() if type(c) is type(lesson.settings)),
                        lesson.settings) for key in lesson.shipped_presets()}
    missing = [key for key, cfg in wanted.items() if not shipped.load(entry.name, "compute", cfg.to_query())[0]]
    assert missing == [], f"{entry.name}: no shipped result for {missing}: run python bench/ship_presets.py"


def test_shipped_files_stay_small():
    sizes = {f"{p.parent.name}/{p.name}": p.stat().st_size / 1024 for p in ENTRIES}
    for name, kb in sizes.items():
        print(f"{name}: {kb:.1f} kB")
    print(f"{len(sizes)} files, {sum(sizes.values()) / 1024:.2f} MB")
    assert all(kb <= MAX_FILE_KB for kb in sizes.values()), {k: round(v) for k, v in sizes.items() if v > MAX_FILE_KB}
    assert sum(sizes.values()) <= MAX_TOTAL_MB * 1024


def test_a_shipped_result_is_loaded_instead_of_computed(tmp_path, monkeypatch):
    calls = []

    def doubled(cfg: Twice, progress=None) -> int:
        calls.append(cfg.x)
        return 2 * cfg.x

    entry = FakeEntry("doubled", "", "", "", "", lesson=Lesson(settings=Twice(), compute=doubled, presets={}))
    monkeypatch.setattr(shipped, "DIR", tmp_path)
    monkeypatch.delenv(shipped.OFF_ENV, raising=False)
    monkeypatch.setenv(shipped.WRITE_ENV, "1")
    assert lesson_page.result(entry, Twice(3)) == 6 and calls == [3]   # written while VIZCORE_SHIP_WRITE is set
    monkeypatch.delenv(shipped.WRITE_ENV)
    cache = ui_cache.named_cache("doubled.compute")
    cache._items.clear()                                                 # a freshly started server
    assert lesson_page.result(entry, Twice(3)) == 6 and calls == [3] and cache.shipped == 1
    assert lesson_page.result(entry, Twice(4)) == 8 and calls == [3, 4]  # no file: computed
    monkeypatch.setenv(shipped.OFF_ENV, "1")
    cache._items.clear()
    assert lesson_page.result(entry, Twice(3)) == 6 and calls == [3, 4, 3]  # shipped files ignored


def test_a_warm_server_has_lesson_7s_first_picture_before_its_first_visitor(monkeypatch):
    """ui/warmup.py: the home link's result and its first picture (1.0 s to make) are in the caches before anyone
    asks; the page then finds them instead of making them."""
    from pagetools import assert_clean, open_page

    landscape = next(entry for entry in syllabus.LESSONS if entry.name == "landscape")
    monkeypatch.delenv(shipped.OFF_ENV, raising=False)
    results = ui_cache.named_cache("landscape.compute", landscape.lesson.keep)
    pictures = ui_cache.named_cache("vizcore.lessons.landscape.weights_picture")
    results._items.clear(), pictures._items.clear()                      # a freshly started server
    assert lesson_page.warm_home_link(landscape)
    made, loaded = pictures.computed, results.computed
    assert_clean(open_page(landscape.file, {"preset": landscape.preset}))
    assert (pictures.computed, results.computed) == (made, loaded)       # its first visitor computes nothing
    monkeypatch.setenv(shipped.OFF_ENV, "1")
    results._items.clear(), pictures._items.clear()
    assert not lesson_page.warm_home_link(landscape)                     # no shipped result: nothing is trained
    assert (pictures.computed, results.computed) == (made, loaded)


def test_a_file_for_other_settings_another_format_or_unreadable_is_a_miss(tmp_path):
    query = {"x": "1"}
    path = shipped.save("f", "compute", query, "value", root=tmp_path)
    assert shipped.load("f", "compute", query, root=tmp_path) == (True, "value")
    entry = shipped.read(path)
    shipped_file = lambda **change: path.write_bytes(lzma.compress(pickle.dumps({**entry, **change})))  # noqa: E731
    shipped_file(query={"x": "2"})  # a file whose name matches but that holds other settings
    assert shipped.load("f", "compute", query, root=tmp_path) == (False, None)
    shipped_file(format=shipped.FORMAT - 1)
    assert shipped.load("f", "compute", query, root=tmp_path) == (False, None)
    path.write_bytes(b"not xz")
    assert shipped.load("f", "compute", query, root=tmp_path) == (False, None)


needs_pin = pytest.mark.skipif(not cpu.applies(), reason="no AVX2 + FMA (or VIZCORE_HOST_KERNELS): nothing is pinned")


@needs_pin
def test_this_process_computes_with_the_pinned_cpu_kernels():
    """The kernels the shipped files were written with: conftest imports vizcore before numpy and torch load."""
    assert cpu.problems() == []
    state = cpu.state()
    assert {v for k, v in state.items() if k.startswith("openblas")} == {"Haswell"}
    assert "X86_V4" not in state["numpy"] and "AVX512" not in state["numpy"]
    assert state["torch"].endswith(": AVX2")


def _fresh_state(code: str, **env: str) -> tuple[dict, str]:
    """Run ``code`` in a fresh Python with vizcore/cpu.py importable as ``cpu`` (without the rest of vizcore's
    imports: seconds, not tens of them); returns the kernels in use afterwards, and stderr."""
    clean = {k: v for k, v in os.environ.items() if k not in cpu.settings() and k != cpu.OFF_ENV}
    prelude = f"import sys; sys.path.insert(0, {str(ROOT / 'vizcore')!r})\n"
    done = subprocess.run([sys.executable, "-c", f"{prelude}{code}\nimport json; print(json.dumps(cpu.state()))"],
                          cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1]), done.stderr


@needs_pin
def test_the_pin_wins_over_a_machine_wide_setting_and_can_be_turned_off():
    # A machine-wide OPENBLAS_CORETYPE (the development machine sets one for every process) must not decide
    # the numbers; VIZCORE_HOST_KERNELS=1 hands the choice back; numpy loaded before the pin is reported.
    pin = "import cpu; cpu.pin(); import numpy, torch"
    state, _ = _fresh_state(pin, OPENBLAS_CORETYPE="Sandybridge")
    assert {v for k, v in state.items() if k.startswith("openblas")} == {"Haswell"}
    assert state["torch"].endswith(": AVX2") and "X86_V4" not in state["numpy"]
    state, _ = _fresh_state(pin, OPENBLAS_CORETYPE="Sandybridge", VIZCORE_HOST_KERNELS="1")
    assert {v for k, v in state.items() if k.startswith("openblas")} == {"Sandybridge"}
    state, stderr = _fresh_state("import numpy, cpu; cpu.pin(); cpu.check()", OPENBLAS_CORETYPE="Sandybridge")
    assert {v for k, v in state.items() if k.startswith("openblas")} == {"Sandybridge"}
    assert "numpy was imported before vizcore" in stderr and "Not the pinned CPU kernels" in stderr


# Not a CPU difference but the emulator's bug: Debian's qemu 7.2 reads a gather whose vector index sits in ymm4 as
# "no index" (the plain SIB meaning of index 0b100; a 10-line C gather gives 10 10 10 10 under it, 10 11 12 13 on
# the host), and numpy before 2.3 looks up float64 tanh's table with such gathers (2.3 computes it with Highway's
# permutes). Every release 2.0.0-2.2.6 differs here, 2.3.0-2.4.6 match. README, "Dependencies".
_QEMU_MISREADS = {"np.tanh f64"} if cpu.numpy_version() < (2, 3) else set()


@needs_pin
@pytest.mark.skipif(shutil.which("qemu-x86_64") is None, reason="needs qemu-user (apt-get install -y qemu-user)")
def test_an_emulated_haswell_computes_what_this_cpu_computes(tmp_path):
    """qemu-user runs the same Python as an Intel Haswell (AVX2 + FMA, no AVX-512): numpy, OpenBLAS and glibc
    dispatch as on that CPU. With the pin, the operations the trainings are made of give the same bits as here;
    without it an AVX-512 host differs (numpy's own float64 exp and log, OpenBLAS's SkylakeX GEMM).
    bench/cross_cpu.py runs every lesson's training the same way (minutes under emulation)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import cross_cpu

    for pinned in (True, False):
        if not pinned and "avx512f" not in cpu.cpu_flags():
            continue  # an AVX2 host picks Haswell's kernels anyway: nothing to tell apart
        native = cross_cpu.run("native", pinned, [], True, tmp_path)["results"]
        emulated = cross_cpu.run("Haswell", pinned, [], True, tmp_path)["results"]
        verdicts = {name: cross_cpu.compare(native[name], emulated[name]) for name in native}
        if pinned:
            differ = {name for name, verdict in verdicts.items() if verdict != "identical"}
            assert differ <= _QEMU_MISREADS, verdicts
        else:
            assert verdicts["np.exp f64"] != "identical" and verdicts["matmul f64 (OpenBLAS)"] != "identical", verdicts
