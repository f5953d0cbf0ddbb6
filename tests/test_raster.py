"""Points painted over a class map (vizcore/figures/raster.py) and lesson 4's panels made of them."""
from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from vizcore.figures.knn import feature_planes
from vizcore.figures.raster import REGION_ALPHA, class_rgb, plane_image

BOX = ([0.0, 10.0], [0.0, 5.0])


def test_a_point_is_a_disc_of_its_class_colour_with_a_soft_rim_over_white():
    # 10 px per unit: the point sits on the centre of pixel (row 25, column 50)
    image = plane_image(BOX, (100, 50), np.array([[5.05, 2.55]]), np.array([1]), 2, radius=4.0).astype(float)
    blue = class_rgb(2)[1]
    assert np.array_equal(image[25, 50], blue) and np.array_equal(image[25, 53], blue)  # inside the disc
    assert np.array_equal(image[25, 55], [255, 255, 255]) and np.array_equal(image[0, 0], [255, 255, 255])
    rim = image[25, 54]  # the pixel whose centre the rim crosses: half covered
    assert np.allclose(rim, (blue + 255) / 2, atol=1)


def test_regions_tint_each_pixel_by_the_nearest_grid_class_and_later_classes_paint_over_earlier():
    xs, ys = np.linspace(0, 10, 11), np.linspace(0, 5, 6)
    classes = (xs[None, :] > 5).astype(int).repeat(6, axis=0)  # class 0 left of x=5, class 1 right
    points = np.array([[5.0, 2.5], [5.5, 2.5]])
    image = plane_image(BOX, (100, 50), points, np.array([1, 0]), 2, radius=4.0, regions=(xs, ys, classes))
    colours = class_rgb(2)
    tint = np.rint(255 - REGION_ALPHA * (255 - colours)).astype(int)
    assert np.array_equal(image[5, 10], tint[0]) and np.array_equal(image[5, 90], tint[1])
    # class 1's point is painted after class 0's although it comes first: where the discs overlap it is on top
    assert np.array_equal(image[25, 52], colours[1])


def _decoded(source: str) -> np.ndarray:
    """RGB [h, w, 3] of a PNG data URI, first row at the top (as the browser shows it)."""
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))


def test_each_panel_is_one_image_of_its_points_drawn_to_scale_and_the_legend_names_every_class():
    rng = np.random.default_rng(3)
    centres = np.array([[-8.0, 0.0], [8.0, 0.0], [0.0, 3.0]])  # x spans about 5 times y
    labels = np.repeat(np.arange(3), 5)
    features = {"softmax": centres[labels] + rng.normal(scale=0.05, size=(15, 2))}
    spec = feature_planes(features, labels, ("a", "b", "c"), {"softmax": "softmax head"}).to_dict()
    layout = spec["layout"]
    assert [t["name"] for t in spec["data"]] == ["a", "b", "c"]  # the legend: one entry per class...
    assert all(t["x"] == [None] for t in spec["data"])  # ...and no points drawn as SVG markers
    (image,) = layout["images"]
    (x0, x1), (y0, y1) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (x0, y1, x1 - x0, y1 - y0)
    assert layout["yaxis"]["scaleanchor"] == "x" and layout["yaxis"]["scaleratio"] == 1  # one unit, one length
    pixels = _decoded(image["source"])
    h, w, _ = pixels.shape
    assert abs(w / h - (x1 - x0) / (y1 - y0)) < 0.01
    colours = class_rgb(3)
    for (x, y), c in zip(features["softmax"], labels):  # each point's pixel shows its class (palette: within 3)
        row, col = int((y1 - y) / (y1 - y0) * h), int((x - x0) / (x1 - x0) * w)
        assert np.abs(pixels[row, col] - colours[c]).max() <= 3, (x, y, c)


def test_points_that_are_not_numbers_or_outside_the_box_paint_nothing():
    points = np.array([[np.nan, 1.0], [np.inf, 2.0], [-50.0, 2.0], [5.05, 2.55]])  # a diverged net's features
    image = plane_image(BOX, (100, 50), points, np.array([0, 0, 0, 1]), 2, radius=4.0)
    painted = np.any(image != 255, axis=-1)
    assert painted.sum() == np.any(plane_image(BOX, (100, 50), points[3:], np.array([1]), 2, 4.0) != 255, -1).sum()
