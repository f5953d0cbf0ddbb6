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

    # the page offers only its run's seeds and layers (VfConfig.seeds, VfConfig.layers)
    draw_seed: int = setting(0, choices=range(10), label="Seed to draw")
    arrow_layer: int = setting(0, choices=range(4), widget="radio", horizontal=True, label="Arrows of layer",
                               names={i: f"layer {i + 1}" for i in range(4)})
    compare_penalty: bool = setting(False, label="Show the effect of the contraction penalty (trains once more "
                                                 "without it)")


@dataclass(frozen=True)
class CurveView(QueryConfig):
    """What the curve page shows of a trained fit: the small multiples compare epochs or a sweep."""

    sweep: str = setting("epochs", choices=COMPARISONS, widget="radio", horizontal=True, label="Compare",
                         names={"epochs": "epochs (this run)", "width": "widths", "optimizer": "optimisers",
                                "init": "initialisations", "depth": "depths"})
