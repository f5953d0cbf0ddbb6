"""The curve lesson's widgets that are not one settings field each: the target (a named curve, a formula or
an uploaded CSV file) and the loss curve drawn while the net trains."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import pandas as pd
import streamlit as st

from ui import first_paint
from ui.common import literal, progress_bar
from ui.form import PERSIST, Form, field_of
from ui.uploads import stored
from vizcore.curves import TARGETS
from vizcore.history import ProgressFn

OWN, CSV = "your formula…", "your CSV file"  # the target picker's two choices besides the named curves


def forget_missing_upload(form: Form) -> None:
    """A link's ``data_id`` that this server no longer stores becomes "" (a warning names it)."""
    data_id = form.value("data_id")
    if data_id and stored("csv", data_id) is None:
        st.warning(literal(f"Ignored link setting data_id={data_id[:16]!r}: this server no longer has that CSV file. "
                           "Upload it again (sidebar, 'Your own data') to fit it; showing the target curve instead."))
        form.set("data_id", "")


def target_widgets(form: Form, container) -> str:
    """The target picker and the formula box; puts the target in the form's ``target`` and returns the choice.

    A preset or a link sets the form's ``target`` itself: the widgets then move to it.
    """
    state, shown, picked, formula = (st.session_state, form.key("_target_shown"), form.key("target_choice"),
                                     form.key("formula"))
    data_id, target = form.value("data_id"), form.value("target")
    if target != state.get(shown) or (state.get(picked) == CSV and not data_id):
        state[picked] = CSV if data_id else target if target in TARGETS else OWN
        state[formula] = "" if target in TARGETS else target
    if first_paint.active():
        first_paint.placeholder(container)
        choice = state[picked]
    else:
        choice = container.selectbox("y =", [*TARGETS, OWN, *([CSV] if data_id else [])], key=picked,
                                     persist_state=PERSIST)
    if choice == OWN and not first_paint.active():
        meta = field_of(form.default, "target").metadata
        container.text_input(meta["label"], key=formula, max_chars=meta["max_chars"], help=meta["help"],
                             placeholder="e.g. x*sin(3*x) or abs(x)-1", persist_state=PERSIST)
    named = form.default.target if choice == CSV else choice  # a file's link keeps the default target
    state[shown] = (state[formula] or "x") if choice == OWN else named
    form.set("target", state[shown])
    return choice


@contextmanager
def live_loss(label: str) -> Iterator[ProgressFn]:
    """A progress bar that also draws the loss curve so far, every few reports, while the net trains; both go
    when training ends (the page then draws the whole curve where it belongs)."""
    chart = st.empty()  # above the bar
    seen: list[tuple[int, float]] = []
    with progress_bar(label) as progress:
        def report(done: int, total: int, loss: float) -> None:
            progress(done, total, loss)
            seen.append((done, loss))
            if len(seen) % 10 == 0 or done == total:
                chart.line_chart(pd.DataFrame(seen, columns=["epoch", "loss"]).set_index("epoch"), height=220,
                                 x_label="epoch", y_label="mean squared error")
        try:
            yield report
        finally:
            chart.empty()
