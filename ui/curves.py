"""The curve lesson's widgets that are not one settings field each: the target (a named curve, a formula or
an uploaded CSV file) and the loss curve drawn while the net trains."""
from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from ui.settings import PERSIST, field_of
from ui.uploads import stored
from vizcore.curves import TARGETS
from vizcore.lessons.curves import CurveConfig

OWN, CSV = "your formula…", "your CSV file"  # the target picker's two choices besides the named curves


def forget_missing_upload(prefix: str) -> None:
    """A link's ``data_id`` that this server no longer stores becomes "" (a warning names it)."""
    data_id = st.session_state.setdefault(prefix + "data_id", "")
    if data_id and stored("csv", data_id) is None:
        st.warning(f"Ignored link setting data_id={data_id[:16]!r}: this server no longer has that CSV file. "
                   "Upload it again (sidebar, 'Your own data') to fit it; showing the target curve instead.")
        st.session_state[prefix + "data_id"] = ""


def target_widgets(prefix: str, container) -> str:
    """The target picker and the formula box; writes the target to ``prefix + "target"`` and returns the choice.

    A preset or a link sets ``prefix + "target"`` itself: the widgets then move to it.
    """
    state, shown = st.session_state, f"_{prefix}target_shown"
    data_id, target = state.get(prefix + "data_id", ""), state[prefix + "target"]
    if target != state.get(shown) or (state.get(prefix + "target_choice") == CSV and not data_id):
        state[prefix + "target_choice"] = CSV if data_id else target if target in TARGETS else OWN
        state[prefix + "formula"] = "" if target in TARGETS else target
    choice = container.selectbox("y =", [*TARGETS, OWN, *([CSV] if data_id else [])], key=prefix + "target_choice",
                                 persist_state=PERSIST)
    if choice == OWN:
        meta = field_of(CurveConfig, "target").metadata
        container.text_input(meta["label"], key=prefix + "formula", max_chars=meta["max_chars"], help=meta["help"],
                             placeholder="e.g. x*sin(3*x) or abs(x)-1", persist_state=PERSIST)
    named = CurveConfig().target if choice == CSV else choice  # a file's link keeps the default target
    state[prefix + "target"] = state[shown] = (state[prefix + "formula"] or "x") if choice == OWN else named
    return choice


def live_loss(progress: Callable, chart) -> Callable[[int, int, float], None]:
    """A progress callback that also redraws the loss curve in ``chart`` (an st.empty) every few reports."""
    seen: list[tuple[int, float]] = []

    def report(done: int, total: int, loss: float) -> None:
        progress(done, total, loss)
        seen.append((done, loss))
        if len(seen) % 10 == 0 or done == total:
            chart.line_chart(pd.DataFrame(seen, columns=["epoch", "loss"]).set_index("epoch"), height=220,
                             x_label="epoch", y_label="mean squared error")
    return report
