"""Do the trainings give the same numbers on another CPU? This machine against qemu-user's emulated CPUs.

Every numerical library picks its kernels for the CPU it finds when it is loaded (vizcore/cpu.py).
This script runs small versions of every lesson's training in a fresh process, once on this machine
and once per emulated CPU (``qemu-x86_64 -cpu <model>`` runs the same Python, and CPUID then names
the model: numpy, OpenBLAS, torch, MKL and glibc all dispatch as on that CPU), and compares the
results bit for bit: every float of every result, as tests/test_shipped.py walks them. Each run is
done twice: with vizcore's pinned kernels (the default) and with ``VIZCORE_HOST_KERNELS=1`` (each
library's own choice, as before the pin).

    apt-get install -y qemu-user
    python bench/cross_cpu.py                        # Haswell (AVX2 + FMA) and SandyBridge (AVX, no FMA)
    python bench/cross_cpu.py --cpus Haswell --only L4 L6
    python bench/cross_cpu.py --ops                  # just the library operations (seconds, not minutes)
    python bench/cross_cpu.py --cost                 # what the pin costs here: preset trainings, both ways

Emulation runs about 60x slower than this machine (an import of torch takes 25 s), so the trainings
are short: a few hundred steps. qemu's TCG has no AVX-512, so "native" is the only AVX-512 column on an
AVX-512 host. Under ``-cpu SandyBridge`` OpenBLAS's own detection picks Haswell kernels (which that CPU
cannot run), so those runs name its Sandybridge kernels (``OPENBLAS_CORETYPE``), as on a real one.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The interpreter as this process was started, not its resolved path: a venv's python is a link to the base
# interpreter, and the resolved path runs without the venv's packages (threadpoolctl, numba, torch).
PYTHON = sys.executable
CPUS = ("Haswell", "SandyBridge")
QEMU_OPENBLAS = {"SandyBridge": "Sandybridge", "IvyBridge": "Sandybridge"}  # see the docstring


# --- what is compared -----------------------------------------------------------------------------

def ops() -> dict:
    """The library operations the trainings are made of, on fixed random arrays (no torch: seconds under qemu)."""
    import numpy as np

    rng = np.random.default_rng(0)
    out = {}
    for dt in (np.float32, np.float64):
        bits = np.dtype(dt).itemsize * 8
        x = (rng.standard_normal(20_000) * 3).astype(dt)
        p = np.abs(x) + dt(0.1)
        A = rng.standard_normal((5, 64, 300)).astype(dt)
        B = rng.standard_normal((5, 300, 50)).astype(dt)
        out.update({f"np.tanh f{bits}": np.tanh(x), f"np.exp f{bits}": np.exp(x), f"np.log f{bits}": np.log(p),
                    f"np.log1p f{bits}": np.log1p(p), f"np.sqrt f{bits}": np.sqrt(p),
                    f"np.sum f{bits}": x.reshape(20, 1000).sum(1),
                    f"matmul f{bits} (OpenBLAS)": np.matmul(A, B),
                    f"matmul f{bits} small": np.matmul(A[:, :3], B[:, :, :2])})
    return out


def workloads() -> dict:
    """name -> a function training a small version of one lesson's experiment (its result is compared)."""
    import vizcore as vz
    from vizcore.lessons import curves as l6
    from vizcore.lessons import knn as l4
    from vizcore.lessons import landscape as l7
    from vizcore.lessons import vector_fields as l5

    def sweep():
        ds = vz.datasets.make("disc_annulus", n=200, seed=0)
        return vz.sweeps.fit_many(ds, widths=(2, 2), seeds=range(4), steps=300, lr=0.03)

    def per_example():
        ds = vz.datasets.make("above_graph", n=500, seed=0, signed=True, bias_input=True)
        model = vz.nets.MLP(3, (15, 15), 1, bias=False, seed=0)
        return model, vz.train.fit(model, ds, steps=20_000, lr=0.05, optimizer="sgd", batch_size=1, lr_decay=5_000)

    def landscape():
        run = vz.runs.train_run(l7.EARLY)
        return l7.two_weights(run.model, l7.evaluation_pool(l7.EARLY), l7.LandscapeConfig(resolution=21))

    return {
        "L1 spirals 2-2-2-2 (numpy f64, OpenBLAS)": lambda: vz.runs.train_run(vz.runs.RunConfig(steps=300)),
        "L1 three spirals, softmax": lambda: vz.runs.train_run(
            vz.runs.RunConfig(dataset="three_spirals", widths="4,4", steps=300)),
        "L2 sweep (numba f32)": sweep,
        "L3 per-example SGD (numba f64)": per_example,
        "L4 k-NN digits (numpy f32, OpenBLAS)": lambda: l4.compare_heads(l4.KnnConfig(dataset="digits", steps=40)),
        "L4 k-NN spirals, gaussian": lambda: l4.compare_heads(
            l4.KnnConfig(dataset="spirals", weighting="gaussian", steps=40)),
        "L5 vector field (torch + numpy)": lambda: l5.train(l5.VfConfig(steps=30)),
        "L6 curve 20 tanh, Adam": lambda: l6.train(l6.CurveConfig(optimizer="adam", lr=0.01, steps=500)),
        "L6 curve 2x50 tanh, Nesterov": lambda: l6.train(
            l6.CurveConfig(width=50, depth=2, optimizer="nesterov", lr=0.01, steps=300)),
        "L7 landscape (numpy f64)": landscape,
    }


def preset_trainings() -> dict:
    """name -> the trainer a page calls, on every preset of lessons 1, 4, 5, 6 and 7 (what --cost times)."""
    from vizcore.lessons import curves as l6
    from vizcore.lessons import knn as l4
    from vizcore.lessons import landscape as l7
    from vizcore.lessons import layers as l1
    from vizcore.lessons import low_dimension as l2
    from vizcore.lessons import vector_fields as l5

    def each(lesson, train=None):
        """Every preset's (first) settings of the lesson's own type, trained by ``train`` (default: the lesson's
        compute)."""
        configs = list(dict.fromkeys(next((c for c in p.configs() if type(c) is type(lesson.LESSON.settings)),
                                          lesson.LESSON.settings) for p in lesson.PRESETS.values()))
        run = train or lesson.LESSON.compute
        return f"({len(configs)} presets)", lambda: [run(c) for c in configs]

    jobs = {"L1 layers": each(l1), "L4 k-NN": each(l4), "L5 vector fields": each(l5, l5.train),
            "L6 curves": each(l6, l6.train), "L7 landscape nets": each(l7)}
    out = {f"{name} {count}": job for name, (count, job) in jobs.items()}
    out["L2 low dimension, disc claim (16 seeds)"] = lambda: l2.run_claim(l2.CLAIMS["disc"], range(16), dtype="float32")
    return dict(sorted(out.items()))


def cost_child(repeats: int) -> None:
    """Print {name: [CPU seconds per repeat]} of :func:`preset_trainings` in this process (warmed up once)."""
    import json

    sys.path.insert(0, str(ROOT))
    import vizcore

    vizcore.threads.use_one_thread()
    times = {}
    for name, job in preset_trainings().items():
        job()  # compile, import, fill caches of the libraries
        times[name] = []
        for _ in range(repeats):
            t0 = time.process_time()
            job()
            times[name].append(time.process_time() - t0)
    print(json.dumps({"state": vizcore.cpu.state(), "times": times}))


def cost(rounds: int, repeats: int) -> None:
    """Median CPU seconds of the preset trainings with and without the pin, fresh processes taking turns."""
    import json
    import statistics

    found = {"host": {}, "pinned": {}}
    states = {}
    for _ in range(rounds):
        for mode in ("host", "pinned"):
            unset = ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "ATEN_CPU_CAPABILITY", "MKL_CBWR",
                     "DNNL_MAX_CPU_ISA", "VIZCORE_HOST_KERNELS")
            env = {k: v for k, v in os.environ.items() if k not in unset}
            if mode == "host":
                env["VIZCORE_HOST_KERNELS"] = "1"
            done = subprocess.run([PYTHON, __file__, "--cost-child", str(repeats)], env=env, cwd=ROOT,
                                  capture_output=True, text=True, check=True)
            result = json.loads(done.stdout.splitlines()[-1])
            states[mode] = result["state"]
            for name, ts in result["times"].items():
                found[mode].setdefault(name, []).extend(ts)
    for mode, state in states.items():
        print(f"{mode:7s} kernels: {state}")
    print(f"{'CPU seconds, median of ' + str(rounds * repeats):44s} {'host':>7s} {'pinned':>7s}")
    for name in found["host"]:
        a, b = statistics.median(found["host"][name]), statistics.median(found["pinned"][name])
        print(f"{name:44s} {a:7.3f} {b:7.3f}  {100 * (b / a - 1):+5.0f}%")


def leaves(value, where: str = ""):
    """(path, numpy array or scalar) for every number in ``value`` (containers, dataclasses, torch modules)."""
    import dataclasses

    import numpy as np
    import torch

    if isinstance(value, torch.nn.Module):
        yield from leaves(dict(value.state_dict()), where)
    elif isinstance(value, torch.Tensor):
        yield where, value.detach().numpy()
    elif isinstance(value, np.random.Generator):
        yield from leaves(value.bit_generator.state, where)
    elif isinstance(value, np.ndarray):
        if value.dtype.kind in "fciub":
            yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from leaves(getattr(value, f.name), f"{where}.{f.name}")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, f"{where}[{k!r}]")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            yield from leaves(v, f"{where}[{i}]")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
        yield where, np.asarray(str(value))  # e.g. a random generator's 128-bit state
    elif isinstance(value, (bool, int, float, np.generic)):
        yield where, np.asarray(value)
    elif hasattr(value, "__dict__") and not isinstance(value, type):
        yield from leaves(vars(value), where)


def digest(value) -> dict[str, tuple[str, object]]:
    """path -> (sha1 of the bytes, the array) for every number in ``value``."""
    import numpy as np

    return {path: (hashlib.sha1(np.ascontiguousarray(a).tobytes()).hexdigest(), a) for path, a in leaves(value)}


def child(out: Path, names: list[str], only_ops: bool) -> None:
    """Compute everything asked for in this process and pickle the digests (and the kernels in use)."""
    results, seconds = {}, {}
    if only_ops:
        sys.path.insert(0, str(ROOT / "vizcore"))
        import cpu  # vizcore/cpu.py alone: the pin without importing vizcore (and torch)

        cpu.pin()
        import numpy as np
        from threadpoolctl import threadpool_info

        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

        state = {"openblas": ",".join(str(i.get("architecture")) for i in threadpool_info()
                                      if i.get("internal_api") == "openblas"),
                 "numpy": f"{np.__version__}: {' '.join(t for t in __cpu_dispatch__ if __cpu_features__.get(t))}"}
        results = {name: {"": (hashlib.sha1(np.ascontiguousarray(a).tobytes()).hexdigest(), a)}
                   for name, a in ops().items()}
    else:
        sys.path.insert(0, str(ROOT))
        import vizcore

        vizcore.threads.use_one_thread()
        state = vizcore.cpu.state()
        for name, job in workloads().items():
            if names and not any(name.startswith(n) for n in names):
                continue
            t0 = time.perf_counter()
            results[name] = digest(job())
            seconds[name] = time.perf_counter() - t0
    out.write_bytes(pickle.dumps({"state": state, "results": results, "seconds": seconds}))


# --- the comparison -------------------------------------------------------------------------------

def run(cpu: str, pinned: bool, names: list[str], only_ops: bool, tmp: Path, reuse: bool = False) -> dict:
    """One child process on ``cpu`` ("native" or a qemu model) with the kernels pinned or not.

    ``reuse``: load the result a previous run left in ``tmp`` (``--keep``) instead of computing it again."""
    out = tmp / f"{cpu}-{'pinned' if pinned else 'host'}{'-ops' if only_ops else ''}.pkl"
    if reuse and out.exists():
        found = pickle.loads(out.read_bytes())
        found.setdefault("wall", float("nan"))
        return found
    env = dict(os.environ)
    for key in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "ATEN_CPU_CAPABILITY", "MKL_CBWR", "DNNL_MAX_CPU_ISA",
                "VIZCORE_HOST_KERNELS"):
        env.pop(key, None)  # set by this process's own import of vizcore, or by the caller: each child decides
    if not pinned:
        env["VIZCORE_HOST_KERNELS"] = "1"
    command = [PYTHON, __file__, "--child", str(out), *(["--ops"] if only_ops else []), "--only", *names]
    if cpu != "native":
        command = ["qemu-x86_64", "-cpu", cpu, *command]
        if cpu in QEMU_OPENBLAS and not (pinned and cpu_pins(cpu)):
            env["OPENBLAS_CORETYPE"] = QEMU_OPENBLAS[cpu]
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join(line for line in done.stderr.splitlines() if "TCG doesn't support" not in line)[-1500:]
        raise SystemExit(f"{' '.join(command[:4])} failed ({done.returncode}):\n{tail}")
    found = pickle.loads(out.read_bytes())
    found["wall"] = time.perf_counter() - t0
    out.write_bytes(pickle.dumps(found))
    return found


def cpu_pins(cpu: str) -> bool:
    return cpu not in ("SandyBridge", "IvyBridge", "Nehalem", "Westmere")  # no AVX2 + FMA: vizcore pins nothing


def compare(base: dict, other: dict) -> str:
    """'identical', or how far the numbers are apart (and whether tests/test_shipped.py's tolerance holds)."""
    import numpy as np

    if base.keys() != other.keys():
        return "different structure"
    differ = [p for p in base if base[p][0] != other[p][0]]
    if not differ:
        return "identical"
    worst, within, exact = 0.0, True, 0
    for p in differ:
        a, b = base[p][1], other[p][1]
        if a.shape != b.shape or a.dtype.kind not in "fc":
            exact += 1  # integers (a class grid, a count) or a shape: no tolerance applies
            continue
        with np.errstate(invalid="ignore"):
            gap = np.abs(a.astype(np.float64) - b.astype(np.float64))
        worst = max(worst, float(np.nanmax(gap)) if gap.size else 0.0)
        within &= bool(np.allclose(a, b, rtol=1e-3, atol=1e-4, equal_nan=True))
    text = f"{len(differ)}/{len(base)} differ, max {worst:.1g}"
    return text + (f", {exact} int" if exact else "") + ("" if within and not exact else " (> tol)")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cpus", nargs="*", default=list(CPUS), help="qemu CPU models (qemu-x86_64 -cpu help)")
    ap.add_argument("--only", nargs="*", default=[], help="workloads whose names start with these (e.g. L4 L6)")
    ap.add_argument("--ops", action="store_true", help="compare the library operations only")
    ap.add_argument("--modes", nargs="*", default=["host", "pinned"], choices=["host", "pinned"])
    ap.add_argument("--keep", type=Path, help="keep each run's results in this directory, and reuse those there")
    ap.add_argument("--cost", action="store_true", help="time the preset trainings here, pinned and not")
    ap.add_argument("--rounds", type=int, default=3, help="--cost: fresh processes per mode, taking turns")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--cost-child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.only, args.ops)
        return 0
    if args.cost_child:
        cost_child(args.cost_child)
        return 0
    if args.cost:
        cost(args.rounds, repeats=3)
        return 0
    if args.cpus and shutil.which("qemu-x86_64") is None:
        raise SystemExit("qemu-x86_64 not found: apt-get install -y qemu-user (or --cpus with no models)")
    mismatches = 0
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        tmp.mkdir(parents=True, exist_ok=True)
        for mode in args.modes:
            pinned = mode == "pinned"
            heading = "pinned kernels (vizcore/cpu.py)" if pinned else "VIZCORE_HOST_KERNELS=1: each library picks"
            print(f"\n== {heading}")
            native = run("native", pinned, args.only, args.ops, tmp, reuse=bool(args.keep))
            others = {cpu: run(cpu, pinned, args.only, args.ops, tmp, reuse=bool(args.keep)) for cpu in args.cpus}
            for name, found in [("native", native), *others.items()]:
                slowest = max(found["seconds"].items(), key=lambda kv: kv[1], default=("", 0.0))
                print(f"   {name:12s} {found['wall']:6.0f} s in all" + (f" (slowest: {slowest[0]}, {slowest[1]:.1f} s)"
                      if slowest[0] else "") + f"  kernels: {found['state']}")
            width = max(len(n) for n in native["results"])
            print(f"   {'':{width}s}  " + "  ".join(f"{'vs ' + cpu:38s}" for cpu in args.cpus))
            for name, digests in native["results"].items():
                cells = [compare(digests, others[cpu]["results"][name]) for cpu in args.cpus]
                if pinned:
                    mismatches += sum(c != "identical" for cpu, c in zip(args.cpus, cells) if cpu_pins(cpu))
                print(f"   {name:{width}s}  " + "  ".join(f"{c:38s}" for c in cells))
    pinned_cpus = [c for c in args.cpus if cpu_pins(c)]
    if "pinned" in args.modes and pinned_cpus:
        print(f"\npinned: {'every result identical' if not mismatches else f'{mismatches} results differ'} "
              f"on {', '.join(pinned_cpus)} (AVX2 + FMA) and natively")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
