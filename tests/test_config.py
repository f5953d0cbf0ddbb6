from __future__ import annotations

from vizcore.lessons.layers import PRESETS
from vizcore.runs import RunConfig


def test_config_round_trips_through_the_query_string():
    cfg = RunConfig(dataset="disc_annulus", widths="3", seed=7, lr=0.1, noise=0.05)
    again, warnings = RunConfig.from_query(cfg.to_query())
    assert again == cfg and warnings == []


def test_tampered_values_fall_back_to_defaults_with_a_warning_naming_the_key():
    query = {"seed": "abc", "lr": "1e999", "n": "-5", "dataset": "moons", "widths": "2" * 10_000,
             "noise": "nan", "mystery": "1", "steps": "300"}
    cfg, warnings = RunConfig.from_query(query)
    default = RunConfig()
    assert (cfg.seed, cfg.lr, cfg.n, cfg.dataset, cfg.widths, cfg.noise) == (
        default.seed, default.lr, default.n, default.dataset, default.widths, default.noise)
    assert cfg.steps == 300
    for key in ["seed", "lr", "n", "dataset", "widths", "noise", "mystery"]:
        assert any(key in w for w in warnings), key


def test_presets_are_valid_configs():
    for cfg in (p.config for p in PRESETS.values()):
        cfg.check()
        cfg.hidden_widths()


def test_the_linked_tori_preset_separates_them_on_at_least_seven_of_eight_seeds():
    from dataclasses import replace

    from vizcore.runs import train_run

    cfg = PRESETS["tori4"].config
    accuracy = [train_run(replace(cfg, seed=s)).history.accuracy[-1] for s in range(8)]
    assert sum(a == 1.0 for a in accuracy) >= 7, accuracy
