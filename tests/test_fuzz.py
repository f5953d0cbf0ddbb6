"""Fuzz the inputs a stranger controls: uploaded CSVs and link query strings.

Nothing may escape but vizcore.UserError, and whatever is accepted must be well-formed.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vizcore import UserError, datasets
from vizcore.config import _parse
from vizcore.runs import RunConfig

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cells = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.integers(-5, 5).map(str),
                  st.text(max_size=6), st.sampled_from(["", "nan", "inf", "-1e999", "a", "1,5", "\"q\""]))
rows = st.lists(st.lists(cells, min_size=1, max_size=5), min_size=0, max_size=25)


def _csv(table: list[list[str]], sep: str) -> str:
    return "\n".join(sep.join(row) for row in table)


@FUZZ
@given(table=rows, sep=st.sampled_from([",", ";"]), task=st.sampled_from(["auto", "classification", "regression"]))
def test_from_csv_accepts_well_formed_data_or_raises_user_error(table, sep, task):
    try:
        ds = datasets.from_csv(_csv(table, sep), task=task)
    except UserError:
        return
    assert 1 <= ds.dim <= 3 and ds.n >= 1 and np.isfinite(ds.X).all()
    if ds.task == "classification":
        assert 2 <= ds.n_classes <= 10 and ds.y.dtype == np.int64
    else:
        assert np.isfinite(ds.y).all()


@FUZZ
@given(data=st.binary(max_size=400))
def test_from_csv_on_arbitrary_bytes_never_raises_anything_but_user_error(data):
    try:
        datasets.from_csv(data)
    except UserError:
        pass


keys = st.sampled_from(["dataset", "n", "noise", "turns", "widths", "activation", "seed", "steps", "lr",
                        "optimizer", "data_id", "preset", "zzz", ""])
values = st.one_of(st.text(max_size=30), st.floats().map(repr), st.integers().map(str),
                   st.just("x" * 10_000), st.sampled_from(["nan", "1e999", "-1", "0", "spirals", "true"]))


@FUZZ
@given(query=st.dictionaries(keys, values, max_size=8))
def test_any_query_string_gives_a_valid_config_and_each_key_is_taken_or_warned_about(query):
    cfg, warnings = RunConfig.from_query(query)
    cfg.check()  # whatever was accepted is in range
    fields = RunConfig.__dataclass_fields__
    for key, raw in query.items():
        if any(repr(key[:40]) in w or f"{key}=" in w for w in warnings):
            continue
        assert key in fields, (key, warnings)
        assert _parse(raw, type(fields[key].default)) == getattr(cfg, key), (key, raw)


@FUZZ
@given(text=st.text(max_size=60))
def test_safe_function_compiles_or_raises_user_error_and_never_hangs(text):
    try:
        f = datasets.safe_function(text)
    except UserError:
        return
    out = f(np.linspace(-3, 3, 7))
    assert out.shape == (7,)
    assert all(isinstance(v, float) or math.isnan(v) for v in out.tolist())
