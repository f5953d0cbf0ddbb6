"""A chart whose animation frames travel beside it, not inside it.

Streamlit sends a plotly figure as one JSON text, and the browser then copies it twice more to theme it
(a JSON round trip with some forty string replacements over the whole text) before plotly draws it.
An animation's frames are most of its bytes (lesson 1's: 961 of 989 kB) and none of the picture it opens
on. So :func:`chart` sends the figure without them (:meth:`Spec.still`), and a tiny component beside the
chart gives them to plotly (``Plotly.addFrames``) once the chart is drawn, and again whenever the chart
is drawn anew. The picture is drawn without waiting for its frames, and a first view's two parts
(ui/first_paint.py) send the same figure, so the browser keeps the picture it drew first.

A slider's step labels travel beside it too (:meth:`Spec.unlabelled`): plotly.js measures each step's label
when it draws a slider, so the picture is drawn with blank ones and its current value transparent, and the
component puts them back (``Plotly.relayout``) once the frames are given, which is when ▶ and the slider can
play.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
from typing import Any

import streamlit as st
from plotly.io.json import to_json_plotly

from ui import first_paint
from ui.presentation import sized
from ui.screen import chart_config
from ui.widths import remembered_width
from vizcore.figures.spec import Spec

# Every 250 ms: the chart's frames are this component's, or they are replaced. A chart drawn anew (its
# figure changed, or Streamlit built it again) has none, and gets them within 250 ms. Streamlit runs the
# function again when its data changes, without the cleanup it returned (README, "Drawing your own data"):
# the newest data's loop is the one that runs, an older one stops. A chart that ``follows`` another shows the frame
# of the same name whenever the other's animation or slider shows one (plotly_animatingframe).
FRAMES_JS = """
const BLANK = "\u00a0";  // vizcore.figures.spec.BLANK_LABEL
const STILL = { mode: "immediate", frame: { duration: 0, redraw: true }, transition: { duration: 0 } };
export default function ({ data }) {
  let frames = null, poll = 0, gone = false, follow = null;
  const css = data.chart.replace(/[^a-zA-Z0-9_-]/g, "-");  // the element's class, as Streamlit makes it of a key
  const newest = (window.__vizcoreFramesOf = window.__vizcoreFramesOf || {});
  newest[css] = data.token;
  const label = (gd) => {  // the slider labels back, once the chart can play
    if (gone || newest[css] !== data.token || gd.__vizcoreFrames !== data.token || !window.Plotly) return;
    const blank = data.sliders.some(({ index }) => {
      const slider = ((gd.layout && gd.layout.sliders) || [])[index];
      return slider && slider.steps && slider.steps.length && slider.steps[0].label === BLANK;
    });
    if (!blank) return;
    const labels = {};
    for (const { index, labels: texts, color } of data.sliders) {
      labels[`sliders[${index}].currentvalue.font.color`] = color;
      texts.forEach((text, step) => { labels[`sliders[${index}].steps[${step}].label`] = text; });
    }
    window.Plotly.relayout(gd, labels).catch(() => {});
  };
  const give = () => {
    if (gone || newest[css] !== data.token) return;
    const gd = document.querySelector(`.st-key-${css} .js-plotly-plot`);
    const have = gd && gd._transitionData && gd._transitionData._frames;
    if (have && window.Plotly && (gd.__vizcoreFrames !== data.token || !have.length)) {
      gd.__vizcoreFrames = data.token;
      frames = frames || JSON.parse(data.frames);
      // one at a time from the end: Plotly.deleteFrames sorts a list of indices as text (10 before 2)
      const clear = (n) => (n ? window.Plotly.deleteFrames(gd, [n - 1]).then(() => clear(n - 1)) : Promise.resolve());
      clear(have.length).then(() => window.Plotly.addFrames(gd, frames));
    }
    const leader = data.follows && document.querySelector(`.st-key-${data.follows} .js-plotly-plot`);
    const link = leader && leader.__vizcoreFollow;
    if (leader && leader.on && gd && !(link && link.gd === gd && link.token === data.token)) {
      const mine = (follow = { leader, gd, token: data.token });  // a chart drawn anew is followed anew
      leader.__vizcoreFollow = mine;
      leader.on("plotly_animatingframe", (event) => {
        if (leader.__vizcoreFollow === mine && gd.isConnected)
          window.Plotly.animate(gd, [event.name], STILL).catch(() => {});  // its frames may not be there yet
      });
    }
    if (gd && gd.on && !gd.__vizcoreRedrawn) {  // a chart drawn anew (same frames) gets its labels back at once
      gd.__vizcoreRedrawn = true;
      gd.on("plotly_afterplot", () => gd.__vizcoreLabel && gd.__vizcoreLabel());
    }
    if (gd) (gd.__vizcoreLabel = () => label(gd))();
    poll = setTimeout(give, gd && gd.__vizcoreFrames === data.token ? 250 : 50);
  };
  give();
  return () => {
    gone = true;
    clearTimeout(poll);
    if (follow && follow.leader.__vizcoreFollow === follow) follow.leader.__vizcoreFollow = null;
  };
}
"""


@functools.cache
def _component():
    return st.components.v2.component("vizcore.frames", js=FRAMES_JS)


def chart(where: Any, fig: Spec, key: str, fill: bool = False, config: dict | None = None, follows: str = "",
          **kwargs: Any) -> None:
    """``where.plotly_chart(sized(fig, fill), key=key, **kwargs)`` (``where``: ``st`` or a container), with
    ``fig``'s frames sent beside it, plotly's ``config`` for this viewer's screen (ui/screen.py) and the width the
    chart last had on this page in this window, if known (ui/widths.py). Every
    chart of the app is shown by it but the students' phone picture (ui/classroom.py). A first view's part 1
    sends the picture alone; part 2 brings the frames. ``follows``: the key of a chart whose play buttons and
    slider this one's frames follow (it has none of its own)."""
    fig = sized(fig, fill, remembered_width(key))  # drawn shown at once, at its width (ui/widths.py)
    still, sliders = fig.still().unlabelled() if fig.frame_dicts else (fig.still(), [])
    # theme=None: the look is in the figure (vizcore/figures/look.py), so a fresh copy costs plotly.js no second build
    where.plotly_chart(still.redrawable(), key=key, theme=None, config=chart_config(**(config or {})), **kwargs)
    if not fig.frame_dicts:
        return
    inside = where if hasattr(where, "__enter__") else contextlib.nullcontext()
    with inside:
        if first_paint.active():
            st.empty()  # where the frames will be: the chart before it keeps its place
            return
        text = to_json_plotly(fig.frame_dicts)
        token = hashlib.blake2b(text.encode(), digest_size=8).hexdigest()
        _component()(key=f"{key}_frames", data={"chart": key, "frames": text, "token": token,
                                                             "follows": follows, "sliders": sliders}, height=0)
