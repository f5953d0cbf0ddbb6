"""vizcore: the science behind the app, with no user interface.

Datasets, tiny MLPs, training with recorded snapshots, layer-by-layer geometry,
weight-space projections, multi-seed sweeps, k-NN heads, vector-field layers, curve
fitting and loss landscapes, as numpy/torch/scikit-learn code usable from a notebook.
``vizcore.figures`` turns their arrays into plotly figures.
"""
from __future__ import annotations

from . import config, datasets, engine, history, layers, nets, runs, sweeps, train, experiments
from . import boundary, curves, export, figures, knn, landscape, topology, trajectory, vectorfield
from .errors import UserError

__all__ = ["UserError", "boundary", "config", "curves", "datasets", "engine", "experiments", "export", "figures",
           "history", "knn", "landscape", "layers", "nets", "runs", "sweeps", "topology", "train", "trajectory",
           "vectorfield"]
