"""One time axis for a page: an animated figure's own slider and Play buttons are the clock the rest follows.

The figure plays and scrubs in the browser, with no round trip. When the viewer lets go of its
slider or pauses it, a small component (Streamlit's components v2, no iframe) reports the frame
the figure shows, and the page runs again with that moment: its numbers and any picture of the
net at that moment follow. The moment is one field of the page's view settings, so a link opens
the page there; the figure is then drawn opened at that frame (:meth:`Spec.at_frame`).

Why not a Streamlit slider: the figure would be sent and drawn again for every notch (1.4 MB
and 1.1 to 2.4 s a notch on lesson 3), and its own slider would still show another moment.
"""
from __future__ import annotations

import functools
from typing import Any, Sequence

import streamlit as st

from ui import frames
from ui.form import Form
from vizcore.figures.spec import Spec

# The component finds the figure by its element key, listens to plotly's events and reports the
# slider's active step (window.Plotly is the plotly.js that Streamlit's chart element loaded).
# During Play plotly_animated fires only when the animation ends; while the slider is dragged it
# fires for every step, hence the wait before reporting.
CLOCK_JS = """
export default function (component) {
  const { data, setStateValue } = component;
  const wanted = data.frame;
  // Streamlit runs this again when the data changes without calling the cleanup it returned: the newest run
  // for a chart is the one that listens and reports, an older one lets go (every one had reported each move)
  const newest = (window.__vizcoreClockOf = window.__vizcoreClockOf || {}), me = {};
  newest[data.chart] = me;
  let gd = null, sent = wanted, timer = 0, poll = 0, gone = false;
  const stale = () => { if (newest[data.chart] !== me) stop(); return gone; };
  const active = () => {
    const sliders = gd && gd._fullLayout && gd._fullLayout.sliders;
    return sliders && sliders.length ? sliders[0].active : undefined;
  };
  const report = (wait) => () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (stale()) return;
      const now = active();
      if (now !== undefined && now !== sent) { sent = now; setStateValue("frame", now); }
    }, wait);
  };
  const settled = report(400), released = report(150);
  const detach = () => {
    if (!gd || !gd.removeListener) return;  // Plotly.purge takes the event methods away with the chart
    gd.removeListener("plotly_animated", settled);
    gd.removeListener("plotly_sliderend", released);
    gd.removeListener("plotly_animationinterrupted", released);
  };
  const attach = () => {
    if (stale()) return;
    const found = document.querySelector(`.st-key-${data.chart} .js-plotly-plot`);
    if (found && found._fullLayout && found !== gd) {
      detach();
      gd = found;
      gd.on("plotly_animated", settled);
      gd.on("plotly_sliderend", released);
      gd.on("plotly_animationinterrupted", released);
      const step = gd.layout.sliders && gd.layout.sliders[0].steps[wanted];
      if (step && active() !== wanted && window.Plotly) window.Plotly.animate(gd, ...step.args);
    }
    poll = setTimeout(attach, gd ? 1000 : 100);  // the chart may be drawn after this, or drawn anew
  };
  const stop = () => { gone = true; clearTimeout(poll); clearTimeout(timer); detach(); };
  attach();
  return stop;
}
"""


def _moment(key: str, form: Form, field: str, steps: list[int], run_of: Any) -> tuple[int, Any]:
    """(the step index the clock ``key`` shows in this run, the frame its component last reported), read only."""
    state, last = st.session_state, len(steps) - 1
    seen = state.get(f"_clock:{key}") or {"run": run_of, "told": None}
    wanted = form.value(field) if seen["run"] == run_of else -1
    index = steps.index(wanted) if wanted in steps else last
    told = (state.get(f"{key}_clock") or {}).get("frame")
    if told is not None and told != seen["told"] and 0 <= told <= last:
        index = told  # the viewer moved the figure's slider or paused it since the last run
    return index, told


def moment(key: str, form: Form, field: str, steps: Sequence[int], run_of: Any) -> int:
    """The step index :func:`clock` would show for these arguments, without drawing it (a page's first picture
    is drawn before its clock: ui/first_paint.py)."""
    return _moment(key, form, field, [int(s) for s in steps], run_of)[0]


@functools.cache
def _clock_component():
    return st.components.v2.component("vizcore.clock", js=CLOCK_JS)


def clock(fig: Spec, key: str, form: Form, field: str, steps: Sequence[int], run_of: Any, fill: bool = False,
          **chart: Any) -> int:
    """Draw ``fig`` (its slider step i shows training step ``steps[i]``) as the page's clock; returns the step
    index of the moment shown.

    The moment is the form's ``field`` (a training step; -1, a step the figure lacks or a new ``run_of``: the
    end). A moment the viewer settled on in the figure is put into ``field`` for the rest of the page and the
    link. The figure opens at the moment it had when it was first drawn in this session, so that following
    the viewer does not send and draw it again; ``fill`` as for :func:`ui.presentation.sized`, ``chart`` goes to
    ``st.plotly_chart``.
    """
    state, steps = st.session_state, [int(s) for s in steps]
    last, own = len(steps) - 1, f"_clock:{key}"
    index, told = _moment(key, form, field, steps, run_of)
    seen = state.get(own) or {"opened": None}
    opened = seen["opened"] if seen["opened"] and seen["opened"][0] == id(fig) else (id(fig), index)
    state[own] = {"run": run_of, "told": told, "opened": opened}
    frames.chart(st, fig if opened[1] == last else fig.at_frame(opened[1]), key, fill=fill, **chart)
    _clock_component()(key=f"{key}_clock", data={"chart": key, "frame": index}, default={"frame": None},
                       on_frame_change=lambda: None, height=0)
    form.set(field, -1 if index == last else steps[index])
    return index
