"""What a page shows of a trained run (a link's view state, not training): the pages' own settings."""
from __future__ import annotations

from dataclasses import dataclass

from vizcore.config import QueryConfig, setting
from vizcore.curves import COMPARISONS


@dataclass(frozen=True)
class LayersView(QueryConfig):
    """What the layers page shows of a run: the training step (-1 = the end of training)."""

    step: int = setting(-1, lo=-1, hi=1_000_000)


@dataclass(frozen=True)
class VfView(QueryConfig):
    """What the vector-field page shows of a trained batch (a link's view state, not training)."""

    # the page offers the seeds and layers of its run: choices=range(cfg.seeds), range(cfg.layers)
    draw_seed: int = setting(0, lo=0, hi=9, widget="select", label="Seed to draw")
    arrow_layer: int = setting(0, lo=0, hi=3, widget="radio", label="Arrows of layer")
    compare_penalty: bool = setting(False, label="Show the effect of the contraction penalty (trains once more "
                                                 "without it)")


@dataclass(frozen=True)
class CurveView(QueryConfig):
    """What the curve page shows of a trained fit: the small multiples compare epochs or a sweep."""

    sweep: str = setting("epochs", choices=COMPARISONS, widget="radio", label="Compare",
                         names={"epochs": "epochs (this run)", "width": "widths", "optimizer": "optimisers",
                                "init": "initialisations", "depth": "depths"})
