"""The same arithmetic on every x86-64 CPU: which kernels numpy, OpenBLAS, PyTorch and MKL may pick.

Why: a link (and a shipped preset result, ui/shipped.py) promises the numbers of the machine that
made it. Every numerical library here picks its code for the CPU it finds when it is loaded, and
the kernels round differently: the shipped lesson 4 and 6 results, written on an Intel AVX-512
machine, failed tests/test_shipped.py on an AMD EPYC (knn test error off by 0.015, curve weights by
0.2), and passed bit for bit on that AMD once OpenBLAS was told to use the Intel machine's kernels
(``OPENBLAS_CORETYPE=SkylakeX``). Measured with bench/cross_cpu.py, on the AMD natively and under
qemu-user as other CPUs:

- OpenBLAS (numpy's matmul) picks a GEMM kernel per CPU: SkylakeX on Intel AVX-512, Haswell on
  AMD Zen and on Intel AVX2, Sandybridge or Nehalem on older ones; each sums in its own order.
  Lessons 1, 4, 6 and 7 train through these products.
- numpy dispatches its loops at import to the best of X86_V3 (AVX2 + FMA), X86_V4 (AVX-512),
  AVX512_ICL, AVX512_SPR. Only AVX-512 has numpy's own float64 exp and log and an SVML log1p,
  which round differently from the C library's: lesson 1's three-class softmax and every recorded
  loss go through them.
- PyTorch dispatches its vectorised kernels (exp, reductions, Adam's arithmetic in lesson 5) to
  AVX-512 or AVX2 (``ATEN_CPU_CAPABILITY``), and its matrix products go to MKL, which picks a code
  path per CPU unless ``MKL_CBWR`` names one.

So, before any of them is loaded, this module asks each for its AVX2 + FMA code on every CPU that
has AVX2 and FMA (Intel since Haswell, 2013; AMD since Zen, 2017): numpy without its AVX-512
loops, OpenBLAS's Haswell kernels, torch's AVX2 kernels, MKL's AVX2 branch, oneDNN at most AVX2.
Then those CPUs give the same numbers bit for bit. What it costs on an AVX-512 machine (this AMD,
one thread): lesson 6's default fit 0.20 -> 0.27 s and its 2x50 net 0.80 -> 1.18 s (numpy's AVX2
float64 tanh is the slower one), lesson 1's default 0.22 -> 0.25 s, lessons 2, 4 and 5 within
noise. An AVX2 machine pays nothing: these are its own kernels.

A CPU without AVX2 and FMA keeps every library's own choice: its C library computes exp, log and
tanh without FMA and rounds differently anyway (measured under qemu as a Sandy Bridge), so no
setting here would make it agree. Nothing is changed on other systems (macOS, Windows, ARM), whose
libraries differ altogether.

Where it must run: before the first ``import numpy`` or ``import torch`` of the process, because
each library reads these variables once, when it is loaded. ``vizcore/__init__.py`` imports this
module first, so ``import vizcore`` (app.py, the tests' conftest, the bench scripts, a notebook)
pins them, as long as nothing imported numpy or torch before it. :func:`check` (called by
``threads.use_one_thread``) says which library did not take the setting. The pin replaces a value
already in the environment (this project's development machine sets OPENBLAS_CORETYPE=Haswell for
every process, which alone made its numbers differ from CI's); ``VIZCORE_HOST_KERNELS=1`` turns all
of this off (to measure the difference, or for speed when nothing needs to match).
The variables are inherited by child processes (a bench script's server, a test's subprocess).
"""
from __future__ import annotations

import os
import platform
import sys
import warnings
from importlib import metadata

OFF_ENV = "VIZCORE_HOST_KERNELS"  # set: let every library pick its kernels for this CPU (as before)
OPENBLAS_CORE = "Haswell"
TORCH_CAPABILITY = "avx2"


def numpy_version() -> tuple[int, int] | None:
    """(major, minor) of the installed numpy, read without importing it; None if there is none or it is unreadable."""
    try:
        major, minor = (int(part) for part in metadata.version("numpy").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return None
    return major, minor


def _numpy_avx512_targets() -> str:
    """numpy's dispatch targets above AVX2, by the names of the installed numpy (read without importing it)."""
    version = numpy_version()
    if version is None:
        return ""
    if version >= (2, 4):  # targets grouped by x86-64 level
        return "X86_V4 AVX512_ICL AVX512_SPR"
    return "AVX512F AVX512CD AVX512_KNL AVX512_KNM AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL AVX512_SPR"


def cpu_flags() -> set[str]:
    """The CPU's features, from the CPUID instruction as LLVM reads it (llvmlite comes with numba; 30 ms,
    numpy not loaded); from /proc/cpuinfo without llvmlite. (Under qemu-user /proc/cpuinfo is the host's.)"""
    try:
        from llvmlite import binding

        return {name for name, on in binding.get_host_cpu_features().items() if on}
    except Exception:  # no llvmlite, or no host CPU information: Linux's list
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def applies() -> bool:
    """Whether this machine is one the pinned kernels make agree: x86-64 Linux with AVX2 and FMA."""
    return (not os.environ.get(OFF_ENV) and sys.platform.startswith("linux")
            and platform.machine() in ("x86_64", "AMD64") and {"avx2", "fma"} <= cpu_flags())


def settings() -> dict[str, str]:
    """The environment variables that pin every library's kernels (empty where :func:`applies` is false)."""
    if not applies():
        return {}
    pinned = {
        "OPENBLAS_CORETYPE": OPENBLAS_CORE,          # numpy's (and scipy's) OpenBLAS GEMM kernels
        "NPY_DISABLE_CPU_FEATURES": _numpy_avx512_targets(),
        "ATEN_CPU_CAPABILITY": TORCH_CAPABILITY,     # torch's vectorised kernels
        "MKL_CBWR": "COMPATIBLE",                    # torch's matrix products and exp/log (MKL): see above
        "DNNL_MAX_CPU_ISA": "AVX2",                  # torch's oneDNN, where it is used
    }
    return {k: v for k, v in pinned.items() if v}


def pin() -> dict[str, str]:
    """Set :func:`settings` in ``os.environ`` (over any value there: a machine-wide OPENBLAS_CORETYPE would
    otherwise decide the numbers); returns them. Warns if numpy or torch is already loaded: those keep the
    kernels they chose."""
    wanted = settings()
    late = [name for name in ("numpy", "torch") if name in sys.modules]
    if wanted and late and any(os.environ.get(k) != v for k, v in wanted.items()):
        warnings.warn(f"{' and '.join(late)} was imported before vizcore, so it keeps the kernels it chose for this "
                      f"CPU, and results may differ in the last bits from other machines' (vizcore/cpu.py). "
                      f"Import vizcore first, or set {' '.join(f'{k}={v}' for k, v in wanted.items())}.",
                      RuntimeWarning, stacklevel=3)
    os.environ.update(wanted)
    return wanted


def state() -> dict[str, str]:
    """What the loaded libraries actually use: OpenBLAS core, numpy's highest active target, torch's capability."""
    import numpy as np
    import torch
    from threadpoolctl import threadpool_info

    out = {f"openblas ({lib.get('prefix', '')})": str(lib.get("architecture"))
           for lib in threadpool_info() if lib.get("internal_api") == "openblas"}
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    active = [t for t in __cpu_dispatch__ if __cpu_features__.get(t)]
    out["numpy"] = f"{np.__version__}: {' '.join(active) or 'baseline only'}"
    out["torch"] = f"{torch.__version__}: {torch.backends.cpu.get_cpu_capability()}"
    return out


def problems() -> list[str]:
    """Which loaded library does not use the pinned kernels (empty if all do, or if nothing is pinned)."""
    if not applies():
        return []
    import torch

    found = state()
    bad = [f"{name} uses {core}, not {OPENBLAS_CORE}" for name, core in found.items()
           if name.startswith("openblas") and core.lower() != OPENBLAS_CORE.lower()]
    targets = set(_numpy_avx512_targets().split())
    numpy_active = set(found["numpy"].split(": ", 1)[1].split())
    if numpy_active & targets:
        bad.append(f"numpy dispatches to {' '.join(sorted(numpy_active & targets))}")
    if torch.backends.cpu.get_cpu_capability().lower() != TORCH_CAPABILITY:
        bad.append(f"torch uses {torch.backends.cpu.get_cpu_capability()}, not {TORCH_CAPABILITY.upper()}")
    return bad


def check() -> list[str]:
    """Warn (once per call) if a library escaped the pin, e.g. because it was loaded before vizcore."""
    bad = problems()
    if bad:
        warnings.warn("Not the pinned CPU kernels (vizcore/cpu.py): " + "; ".join(bad) + ". Results may differ in "
                      "the last bits from other machines'; import vizcore before numpy and torch.",
                      RuntimeWarning, stacklevel=2)
    return bad
