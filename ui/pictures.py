"""One small picture per lesson for the home page, drawn as SVG from a few lines of NumPy.

The home page must not wait for torch, scikit-learn or numba (ui.syllabus), so these are sketches of what
each lesson shows, drawn here from seeded formulas, not its results: two spirals, a disc inside a ring, a
path through weights, points gathered by class, arrows of a flow, a curve made of straight pieces, the
level lines of a landscape with three valleys, and a ring folded flat by ReLU.
"""
from __future__ import annotations

import numpy as np

SIZE = 160  # px, square
RED, BLUE, INK, GREY = "#d6404e", "#3b6fd6", "#111111", "#c8ccd4"


def _xy(points: np.ndarray) -> np.ndarray:
    """Points in [-1, 1]^2 (y up) to SVG pixels (y down), with a 10 px margin."""
    return np.c_[(points[:, 0] + 1) * (SIZE / 2 - 10) + 10, (1 - points[:, 1]) * (SIZE / 2 - 10) + 10]


def _dots(points: np.ndarray, color: str, r: float = 2.6) -> str:
    return "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{color}"/>' for x, y in _xy(points))


def _line(points: np.ndarray, color: str = INK, width: float = 2.5, dash: str = "") -> str:
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in _xy(points))
    return (f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="{width}" '
            f'stroke-linejoin="round" stroke-linecap="round"{f" stroke-dasharray={dash!r}" if dash else ""}/>')


def _svg(body: str, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" '
            f'role="img" aria-label="{label}"><rect width="{SIZE}" height="{SIZE}" rx="8" fill="#f7f8fa"/>{body}</svg>')


def _spirals() -> str:
    t = np.linspace(0.15, 1, 40) * 1.5 * np.pi
    arm = np.c_[t * np.cos(t), t * np.sin(t)] / (1.5 * np.pi)
    return _svg(_dots(arm, RED) + _dots(-arm, BLUE), "two spirals")


def _disc_ring() -> str:
    rng = np.random.default_rng(0)
    angle, angle2 = rng.uniform(0, 2 * np.pi, 50), rng.uniform(0, 2 * np.pi, 90)
    disc = np.sqrt(rng.uniform(0, 1, 50))[:, None] * 0.4 * np.c_[np.cos(angle), np.sin(angle)]
    ring = rng.uniform(0.65, 0.95, 90)[:, None] * np.c_[np.cos(angle2), np.sin(angle2)]
    return _svg(_dots(disc, RED) + _dots(ring, BLUE), "a disc inside a ring")


def _path() -> str:
    rng = np.random.default_rng(3)
    steps = np.cumsum(rng.normal(0, 1, (300, 2)) * np.geomspace(0.08, 0.01, 300)[:, None] + [0.012, 0.004], axis=0)
    walk = (steps - steps.mean(0)) / np.abs(steps - steps.mean(0)).max() * 0.85
    return _svg(_line(walk, BLUE, 1.6) + _dots(walk[:1], INK, 4) + _dots(walk[-1:], RED, 4), "a path through weights")


def _clusters() -> str:
    rng = np.random.default_rng(1)
    centres = 0.6 * np.c_[np.cos(np.arange(5) * 2 * np.pi / 5 + 0.3), np.sin(np.arange(5) * 2 * np.pi / 5 + 0.3)]
    colors = [RED, BLUE, "#e39c24", "#2a9d63", "#8a55c9"]
    return _svg("".join(_dots(c + rng.normal(0, 0.09, (18, 2)), colors[i]) for i, c in enumerate(centres)),
                "classes gathered into clumps")


def _flow() -> str:
    g = np.linspace(-0.8, 0.8, 7)
    x, y = (a.ravel() for a in np.meshgrid(g, g))
    u, v = -y + 0.3 * x, x + 0.3 * y  # a swirl that opens outwards
    scale = 0.14 / np.hypot(u, v).max()
    body = "".join(_line(np.array([[a, b], [a + scale * c, b + scale * d]]), GREY if np.hypot(a, b) > 0.9 else INK, 1.6)
                   + _dots(np.array([[a + scale * c, b + scale * d]]), INK, 1.8) for a, b, c, d in zip(x, y, u, v))
    return _svg(body, "arrows of a flow")


def _curve() -> str:
    x = np.linspace(-1, 1, 100)
    sine = 0.6 * np.sin(3 * x)
    knots = np.linspace(-1, 1, 7)
    return _svg(_line(np.c_[x, sine], GREY, 5) + _line(np.c_[knots, 0.6 * np.sin(3 * knots)], RED, 2.2)
                + _dots(np.c_[knots, 0.6 * np.sin(3 * knots)], INK, 2.4), "a curve made of straight pieces")


def _landscape() -> str:
    g = np.linspace(-1, 1, 110)
    X, Y = np.meshgrid(g, g)
    Z = sum(-np.exp(-((X - a) ** 2 + (Y - b) ** 2) / 0.12) for a, b in ((-0.5, 0.3), (0.45, 0.45), (0.1, -0.5)))
    body = ""
    for level in np.linspace(Z.min() + 0.1, -0.3, 5):  # each level line as the grid points close to it
        near = np.abs(Z - level) < 0.012
        body += _dots(np.c_[X[near], Y[near]], "#a9793d", 0.8)
    return _svg(body, "level lines of a landscape with three valleys")


def _fold() -> str:
    rng = np.random.default_rng(2)
    angle = rng.uniform(0, 2 * np.pi, 120)
    ring = 0.55 * np.c_[np.cos(angle), np.sin(angle)] + [0.15, 0.15]
    folded = np.maximum(ring, 0) - 0.75  # ReLU presses every negative coordinate onto an axis: the loop is flattened
    axes = np.array([[-0.75, 0.2], [-0.75, -0.75], [0.2, -0.75]])
    return _svg(_line(axes, GREY, 1.4) + _dots(ring * 0.55 + [0.4, 0.4], BLUE, 2.2) + _dots(folded * 0.9, RED, 2.2),
                "a ring, and the same ring folded flat by ReLU")


PICTURES = {"layers": _spirals, "low_dimension": _disc_ring, "trajectory": _path, "knn": _clusters,
            "vector_fields": _flow, "curves": _curve, "landscape": _landscape, "relu_topology": _fold}


def picture(lesson: str) -> str:
    """The SVG markup of lesson ``lesson``'s picture ("layers", ...)."""
    return PICTURES[lesson]()


# A lesson's link on the home page drawn as a button (bordered, tinted, with an arrow): as plain text it did not
# look clickable
CARD_CSS = """<style>
  [class*="st-key-lesson_card_"] [data-testid="stPageLink"] a {
    border: 1px solid #3b6fd6; border-radius: 0.5rem; background: #eef3fd; padding: 0.3rem 0.6rem; }
  [class*="st-key-lesson_card_"] [data-testid="stPageLink"] a:hover { background: #dce6fb; }
  [class*="st-key-lesson_card_"] [data-testid="stPageLink"] p { font-weight: 600; color: #1f4fb5; }
</style>"""
