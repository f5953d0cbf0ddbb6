"""vizcore: the science behind the app, with no user interface.

Datasets, tiny MLPs, training with recorded snapshots, layer-by-layer geometry and
weight-space projections, as numpy/torch/scikit-learn code usable from a notebook.
"""
from __future__ import annotations

from . import config, datasets, engine, layers, nets, runs, train
from . import curves, landscape  # lessons 6 and 7: curve fitting, loss landscapes
from . import experiments, sweeps  # after train: train.py re-exports sweeps.fit_many
from . import knn, vectorfield  # lessons 4 and 5: k-NN heads, vector-field layers
from .errors import UserError

__all__ = ["UserError", "config", "datasets", "engine", "layers", "nets", "runs", "train", "sweeps", "experiments",
           "knn", "vectorfield"]
