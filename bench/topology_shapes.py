"""How often vizcore.topology counts right: shapes with known Betti numbers, and lesson 1's presets.

    python bench/topology_shapes.py            # both tables (about a minute on one core)
    python bench/topology_shapes.py --shapes   # only the shapes
    python bench/topology_shapes.py --lessons  # only lesson 1's presets

Shapes (vizcore/shapes.py) at n = 60, 100, 300 and 1,000 points, seeds 0-4: each cell is one sample;
"right" means both b0 and b1 right, "unresolved" that a number was withheld and the other right,
"wrong" anything else. "same on half" compares the answer with that of a random half of the same
sample; "contradicts" counts the halves that gave a different *number* (not merely "unresolved").
Lessons: every lesson-1 preset at seeds 0-3; a cell is one class in one layer that is a homeomorphism
(or embedding) onto its image, "kept" if it reads what the class reads in the input.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vizcore.shapes import SHAPES, sample  # noqa: E402
from vizcore.topology import Betti, betti  # noqa: E402

SIZES = (60, 100, 300, 1000)
SEEDS = range(5)
LESSON_SEEDS = range(4)


def grade(found: Betti, truth: tuple[int, int]) -> str:
    pairs = list(zip((found.b0, found.b1), truth))
    if all(f == t for f, t in pairs):
        return "right"
    return "unresolved" if all(f is None or f == t for f, t in pairs) else "wrong"


def contradicts(a: Betti, b: Betti) -> bool:
    return any(x is not None and y is not None and x != y for x, y in zip((a.b0, a.b1), (b.b0, b.b1)))


def shape_cells(sizes=SIZES, seeds=SEEDS) -> list[dict]:
    """One record per (shape, n, seed): the grade, and whether a random half agrees."""
    cells = []
    for name, (_, truth) in SHAPES.items():
        for n in sizes:
            for seed in seeds:
                X = sample(name, n, seed)
                half = X[np.random.default_rng(seed + 100).permutation(n)[: n // 2]]
                full, part = betti(X), betti(half)
                cells.append(dict(shape=name, n=n, seed=seed, found=full, grade=grade(full, truth),
                                  same=full == part, contradicts=contradicts(full, part)))
    return cells


def lesson_cells(seeds=LESSON_SEEDS) -> list[dict]:
    """One record per (preset, seed, layer, class) whose layer is a homeomorphism or an embedding onto its image."""
    from vizcore.lessons.layers import PRESETS, barcodes
    from vizcore.runs import train_run

    cells = []
    for key, preset in PRESETS.items():
        for seed in seeds:
            run = train_run(replace(preset.config, seed=seed))
            per_layer, facts = barcodes(run, -1)
            for k, classes in enumerate(per_layer[1:], start=1):
                for c, code in classes.items():
                    cells.append(dict(preset=key, seed=seed, layer=k, cls=c, kind=facts[k - 1].kind,
                                      input=per_layer[0][c].betti, found=code.betti))
    return cells


def percent(flags) -> str:
    flags = list(flags)
    return f"{100 * np.mean(flags):5.1f}%" if flags else "   -  "


def print_shapes(cells: list[dict]) -> None:
    print("Shapes: share of 5 seeds right / unresolved / wrong, and the same answer on a random half")
    print(f"{'shape':16s} {'truth':6s}" + "".join(f"{'n = ' + str(n):>26s}" for n in SIZES))
    for name, (_, truth) in SHAPES.items():
        row = f"{name:16s} {str(truth):6s}"
        for n in SIZES:
            mine = [c for c in cells if c["shape"] == name and c["n"] == n]
            counts = [sum(c["grade"] == g for c in mine) for g in ("right", "unresolved", "wrong")]
            row += f"{'/'.join(map(str, counts)):>14s}  half {sum(c['same'] for c in mine)}/{len(mine)}"
        print(row)
    for n in SIZES:
        mine = [c for c in cells if c["n"] == n]
        share = {grade: percent(c["grade"] == grade for c in mine) for grade in ("right", "unresolved", "wrong")}
        print(f"n = {n:5d}: right {share['right']}, unresolved {share['unresolved']}, wrong {share['wrong']}; "
              f"same on half {percent(c['same'] for c in mine)}, "
              f"half contradicts {percent(c['contradicts'] for c in mine)}")
    big = [c for c in cells if c["n"] >= 300]
    print(f"n >= 300: right {percent(c['grade'] == 'right' for c in big)}, same on half "
          f"{percent(c['same'] for c in big)}, half contradicts {percent(c['contradicts'] for c in big)}")


def print_lessons(cells: list[dict]) -> None:
    print("Lesson 1 presets, seeds 0-3: each class through layers that are homeomorphisms (or embeddings) "
          "onto their image")
    kept = [c for c in cells if c["kind"] in ("homeomorphism", "embedding")]
    for key in dict.fromkeys(c["preset"] for c in cells):
        mine = [c for c in kept if c["preset"] == key]
        bad = [f"seed {c['seed']} layer {c['layer']} class {c['cls']}: {c['input']} -> {c['found']}"
               for c in mine if c["found"] != c["input"]]
        print(f"{key:9s} kept {sum(c['found'] == c['input'] for c in mine):3d}/{len(mine):3d}  {'; '.join(bad)}")
    print(f"all: kept {percent(c['found'] == c['input'] for c in kept)} of {len(kept)} cells; input resolved in "
          f"{percent(c['input'].resolved for c in kept)}; a different number (not unresolved) in "
          f"{percent(contradicts(c['found'], c['input']) for c in kept)}")
    other = [c for c in cells if c["kind"] not in ("homeomorphism", "embedding")]
    changed = sum(c["found"] != c["input"] for c in other)
    print(f"collapses and folds: {len(other)} cells, {changed} changed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", action="store_true")
    parser.add_argument("--lessons", action="store_true")
    args = parser.parse_args()
    both = not (args.shapes or args.lessons)
    if args.shapes or both:
        start = time.perf_counter()
        print_shapes(shape_cells())
        print(f"({time.perf_counter() - start:.1f} s)\n")
    if args.lessons or both:
        start = time.perf_counter()
        print_lessons(lesson_cells())
        print(f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
