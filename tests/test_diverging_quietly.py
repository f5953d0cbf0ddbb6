"""A diverging run tells the student why (a UserError naming the step) and writes nothing to the server log.

Each trainer is driven to divergence with every warning turned into an error: a numpy RuntimeWarning
("overflow encountered in matmul") escaping from the arithmetic would then be raised instead of the
UserError, and the test would fail.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

from vizcore import UserError, datasets, landscape, sweeps
from vizcore.nets import MLP
from vizcore.train import fit

CURVE = datasets.make("curve", n=50, target="2x+5")


def _fit(batch_size):
    net = MLP(1, (8, 8), 1, activation="linear", seed=0)
    fit(net, CURVE, steps=400, lr=5.0, optimizer="sgd", batch_size=batch_size)


def _fit_many():
    sweeps.fit_many(CURVE, widths=(8, 8), seeds=range(3), steps=400, lr=5.0, activation="linear", optimizer="sgd")


def _descent():
    model = MLP(1, (8, 8), 1, activation="linear", seed=0)
    landscape.descend(model, CURVE, 0, 1, np.array([[3.0, 3.0]]), lr=100.0, steps=400)


@pytest.mark.parametrize("train", [lambda: _fit(None), lambda: _fit(1), _fit_many, _descent],
                         ids=["full batch", "per example", "fit_many", "landscape descent"])
def test_a_diverging_run_raises_its_message_and_no_warning(train):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(UserError, match="diverged"):
            train()
