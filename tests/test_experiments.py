"""The lesson-3 claims hold over many seeds, and every seed is a run the layer page can replay."""
from __future__ import annotations

import numpy as np

from vizcore import experiments
from vizcore.experiments import CLAIMS, run_claim, run_variant, summary, table
from vizcore.runs import train_run


def test_a_seed_of_a_sweep_is_exactly_the_layer_pages_run():
    claim = CLAIMS["disc"]
    variant = claim.variant("1 layer × 3")
    sweep = run_variant(claim, variant, [4, 9], steps=60, dtype="float64")
    for i, seed in enumerate([4, 9]):
        run = train_run(claim.run_config(variant, seed, steps=60))
        np.testing.assert_allclose(sweep[i].params[-1], run.history.params[-1], rtol=1e-6, atol=1e-7)
        assert sweep[i].accuracy[-1] == run.history.accuracy[-1]


def test_one_unit_never_separates_aba_and_two_units_always_do():
    claim = CLAIMS["aba"]
    rows = {r.label: r for r in summary(claim, run_claim(claim, range(6)))}
    assert rows["1 unit"].perfect == 0 and rows["1 unit"].best < 0.9
    assert rows["2 units"].success_rate == 1.0
    assert all(r.holds for r in rows.values())


def test_two_units_never_reach_100_percent_on_the_dense_disc_but_three_units_do():
    claim = CLAIMS["disc"]
    seeds = range(6)
    two = run_variant(claim, claim.variant("1 layer × 2"), seeds, dtype="float32").final_accuracy
    three = run_variant(claim, claim.variant("1 layer × 3"), seeds, dtype="float32").final_accuracy
    assert claim.n >= 1000  # dense: no gap in the ring for a thin line to slip through
    assert (two < 1.0).all() and two.max() > 0.8  # fails, but not by much: the ring is stretched thin
    assert (three >= experiments.SUCCESS).mean() >= 0.5


def test_summary_table_has_one_row_per_architecture_and_one_column_per_seed():
    claim = CLAIMS["aba"]
    rows = summary(claim, run_claim(claim, [3, 5, 8], steps=200))
    records = table(rows)
    assert [r["architecture"] for r in records] == [v.label for v in claim.variants]
    for row, record in zip(rows, records):
        assert [record[f"seed {s}"] for s in (3, 5, 8)] == [round(float(a), 4) for a in row.accuracy]
        assert record["best"] >= record["median"] and 0 <= record["≥ 99%"] <= 1
        assert row.accuracy[list(row.seeds).index(row.best_seed)] == row.accuracy.max()
        assert row.accuracy[list(row.seeds).index(row.worst_seed)] == row.accuracy.min()


def test_every_claim_has_a_failing_and_a_succeeding_architecture_the_layer_page_accepts():
    for claim in CLAIMS.values():
        assert {v.expect for v in claim.variants} == {"fails", "succeeds"}
        for v in claim.variants:
            claim.run_config(v, 123).check()  # within the layer page's ranges
