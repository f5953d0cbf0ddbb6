"""A point cloud over a class map, painted into one image.

In plotly's SVG every marker is an element of its own, styled one by one: about 40 µs of the browser's
main thread per point, 60 of the 145 ms that lesson 4's three panels of 450 test points took to draw.
One layout image is one element whatever it shows.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from .style import CLASS_COLORS, hex_rgb

REGION_ALPHA = 0.22  # a decision region's tint: its class colour at this opacity over white


def class_rgb(n_classes: int) -> np.ndarray:
    """[C, 3] the class colours, CLASS_COLORS repeated."""
    return np.array([hex_rgb(CLASS_COLORS[c % len(CLASS_COLORS)]) for c in range(n_classes)])


@njit(cache=True)
def _paint_discs(image: np.ndarray, cx: np.ndarray, cy: np.ndarray, colours: np.ndarray, radius: float) -> None:
    """Discs centred at pixel coordinates (cx, cy), each over the last, their edges antialiased (coverage
    falls from 1 to 0 over the pixel at the rim)."""
    h, w = image.shape[0], image.shape[1]
    for p in range(cx.shape[0]):
        for i in range(max(int(cy[p] - radius - 1), 0), min(int(cy[p] + radius + 2), h)):
            for j in range(max(int(cx[p] - radius - 1), 0), min(int(cx[p] + radius + 2), w)):
                cover = min(max(radius + 0.5 - math.hypot(j + 0.5 - cx[p], i + 0.5 - cy[p]), 0.0), 1.0)
                for k in range(3):
                    image[i, j, k] += cover * (colours[p, k] - image[i, j, k])


def plane_image(box: tuple[list[float], list[float]], size: tuple[int, int], points: np.ndarray, labels: np.ndarray,
                n_classes: int, radius: float, regions: tuple | None = None) -> np.ndarray:
    """RGB uint8 [h, w, 3] of ``box`` = ([x0, x1], [y0, y1]) at ``size`` = (w, h), first row at y0 (y up).

    points [n, 2] in the box's units, coloured by ``labels`` and painted in class order (class 0 first);
    ``radius`` in pixels. regions: (xs [g], ys [g], class int [g, g]) on a regular grid, each pixel tinted by
    its nearest grid point's class; white without.
    """
    (x0, x1), (y0, y1) = box
    w, h = size
    colours = class_rgb(n_classes)
    if regions is None:
        image = np.full((h, w, 3), 255.0)
    else:
        xs, ys, cls = regions
        px = x0 + (np.arange(w) + 0.5) * (x1 - x0) / w
        py = y0 + (np.arange(h) + 0.5) * (y1 - y0) / h
        col = np.clip(np.rint((px - xs[0]) / (xs[-1] - xs[0]) * (len(xs) - 1)), 0, len(xs) - 1).astype(int)
        row = np.clip(np.rint((py - ys[0]) / (ys[-1] - ys[0]) * (len(ys) - 1)), 0, len(ys) - 1).astype(int)
        image = 255.0 - REGION_ALPHA * (255.0 - colours[np.asarray(cls)[row][:, col]])
    order = np.argsort(labels, kind="stable")
    _paint_discs(image, (points[order, 0] - x0) * w / (x1 - x0), (points[order, 1] - y0) * h / (y1 - y0),
                 colours[labels[order]], float(radius))
    return image.round().astype(np.uint8)
