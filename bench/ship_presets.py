"""Regenerate the preset results that ship with the app (ui/shipped_results/, see ui/shipped.py).

Opens every lesson page bare and from each of its preset links (bench/lessonlinks.py) through
Streamlit's AppTest, with VIZCORE_SHIP_WRITE set, so every result a shipped lesson computes there
(its presets, and what their pages compute beside them, such as lesson 5's partner net) is
written. The old files of the lessons it opens are removed first: what is left is exactly what the presets need.
Prints each file and its size; fails if a page shows an exception or an error.

Writes only where vizcore's pinned CPU kernels are in force (vizcore/cpu.py: x86-64 with AVX2 and FMA), so
the files hold the numbers every such machine computes.

Run from the project root after changing a preset, a trainer or a shipped class:
    python bench/ship_presets.py [--root DIR] [--only layers]
then python -m pytest tests/test_shipped.py, and commit ui/shipped_results/.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, default=ROOT, help="project to regenerate (default: this one)")
    ap.add_argument("--only", nargs="*", help="url paths of the lessons to open (default: all)")
    args = ap.parse_args()
    root = args.root.resolve()
    os.chdir(root)
    sys.path.insert(0, str(root))
    os.environ["VIZCORE_SHIP_WRITE"] = "1"
    import vizcore  # first: it pins the CPU kernels (vizcore/cpu.py), so the files hold what every AVX2 CPU computes

    vizcore.threads.use_one_thread()
    if not vizcore.cpu.applies() or vizcore.cpu.problems():
        print(f"Not writing: this machine does not compute with the pinned CPU kernels "
              f"({'; '.join(vizcore.cpu.problems()) or 'no AVX2 + FMA, or VIZCORE_HOST_KERNELS is set'}), "
              "so its results would differ from every other machine's (vizcore/cpu.py).", file=sys.stderr)
        return 1
    from streamlit.testing.v1 import AppTest

    from lessonlinks import lesson_links  # bench/ is this script's directory
    from ui import shipped
    from ui.syllabus import LESSONS

    files = {lesson.name: lesson.file for lesson in LESSONS}
    for name in files:  # with --only, the other lessons' files stay as they are
        if not args.only or name in args.only:
            shutil.rmtree(shipped.DIR / name, ignore_errors=True)
    failures = 0
    for page, links in lesson_links(root).items():
        if args.only and page not in args.only:
            continue
        for link in links:
            t0 = time.perf_counter()
            at = AppTest.from_file(str(root / "app.py"), default_timeout=300)
            at.switch_page(f"pages/{files[page]}")
            query = link.partition("?")[2]
            for pair in filter(None, query.split("&")):
                key, _, value = pair.partition("=")
                at.query_params[key] = value
            at.run()
            problems = [e.message for e in at.exception] + [e.value for e in at.error]
            problems += [w.value for w in at.warning if "preset" in str(w.value)]
            failures += bool(problems)
            print(f"{link:40s} {time.perf_counter() - t0:5.1f} s {'; '.join(map(str, problems))[:300]}")
    total = 0
    for path, entry in shipped.entries():
        size = path.stat().st_size
        total += size
        print(f"{path.relative_to(root)}  {size / 1024:.1f} kB  {entry['lesson']}.{entry['function']} "
              f"{entry['query']}"[:200])
    print(f"{len(list(shipped.DIR.glob('*/*.pkl.xz')))} files, {total / 1024:.0f} kB in all; {failures} links failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
