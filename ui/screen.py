"""The page's style for every viewer's screen: phones, touch screens, and words where Streamlit shows only an icon.

The server cannot see the screen (Streamlit tells a script neither its width nor whether it is touched), so
all of this is CSS that the browser applies to itself through media queries:

- **Phones** (at most 640 px wide): a smaller title and top margin, rows of metrics kept as rows, and what a
  page marks with :func:`later` or :func:`columns_second_first` reordered, so the main picture and its ▶ Play
  are on the first screen of a 390×844 phone.
- **Touch screens** (no hover, coarse pointer): a finger dragged over a chart scrolls the page. Plotly's zoom,
  pan and 3D turning caught every touch on a chart, so a phone could not scroll past one that filled its screen;
  the charts' drag layers now let touches through, and the mode bar, which plotly shows there all the time
  over the legend, is hidden. The sidebar's "Explore charts by touch" toggle (shown on touch screens only)
  gives the charts back their touch gestures and mode bar.
- **Pixel ratio**: the one thing of the screen a script does learn, from a cookie that each page's HTML sets
  before Streamlit connects (ui/page_head.py). Plotly draws a 3D scene (and any WebGL trace) at twice its
  size whatever the screen; :func:`chart_config` has it drawn at the screen's own ratio.
- **Uploads**: a file over the size limit was a red icon whose reason only a mouse's hover could read; the
  reason is now written under the file's name.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import streamlit as st

EXPLORE = "explore_touch"  # session key: the charts take touch gestures again
LATER = "phone_later"  # a container that phones show after the element that follows it
SECOND_FIRST = "phone_second_first"  # a container whose second column phones show first
PROGRESS = "progress_slot"  # the container of a computation's progress: it takes no room while empty

PIXEL_RATIO_COOKIE = "vizcore_dpr"  # the screen's devicePixelRatio, set by each page's HTML (ui/page_head.py)
# Plotly's own plotGlPixelRatio, kept when the screen is unknown (no cookie: a headless client, cookies off) and
# as the most: a phone of ratio 3 draws as it did, not 2.25 times the pixels
PLOTLY_GL_RATIO = 2.0

TOUCH = "(hover: none) and (pointer: coarse)"
PHONE = "(max-width: 640px)"

METRIC_ROW = ('[data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] > [data-testid="stVerticalBlock"] > '
              '[data-testid="stElementContainer"] > [data-testid="stMetric"])')  # columns holding only metrics
LATER_BOX = f'[data-testid="stLayoutWrapper"]:has(> .st-key-{LATER})'
# px above a chart with a legend, where plotly's mode bar shows (it covered the legend there). A margin of the
# chart's element container, not a padding of plotly's div: Streamlit gives the container the figure's height,
# so padding inside it cut the strip's height off the figure's bottom (half of every slider under a legend).
MODEBAR_STRIP = 30

PAGE_CSS = f"""
<style>
  .stElementContainer:has(> div > .stPlotlyChart .legend) {{ margin-top: {MODEBAR_STRIP}px; }}
  .stPlotlyChart:has(.legend) .modebar-container {{ top: -{MODEBAR_STRIP}px !important; }}
  [data-testid="stFileChip"][aria-invalid="true"] {{ flex-wrap: wrap; }}
  [data-testid="stFileChip"][aria-invalid="true"] [role="alert"] {{
    position: static !important; clip: auto !important; clip-path: none !important; width: 100% !important;
    height: auto !important; overflow: visible !important; white-space: normal !important;
    margin: 0.2rem 0 0 0 !important; padding: 0 !important; color: #b42318; font-size: 0.875rem; }}
  @media not all and {TOUCH} {{ .st-key-touch_only {{ display: none; }} }}
  [data-testid="stLayoutWrapper"]:has(> .st-key-{PROGRESS}):not(:has([data-testid="stProgress"])) {{ display: none; }}
  @media {PHONE} {{
    .stMainBlockContainer {{ padding-top: 3.25rem !important; padding-left: 0.75rem !important;
                             padding-right: 0.75rem !important; }}
    .stMainBlockContainer h1 {{ font-size: 1.6rem !important; padding-bottom: 0.25rem !important; }}
    .stMainBlockContainer [data-testid="stVerticalBlock"] {{ gap: 0.6rem; }}
    .stMainBlockContainer h2, .stMainBlockContainer h3 {{ font-size: 1.25rem !important; }}
    {METRIC_ROW} {{ flex-wrap: nowrap !important; gap: 0.5rem; }}
    {METRIC_ROW} > [data-testid="stColumn"] {{ min-width: 0 !important; width: auto !important;
                                              flex: 1 1 0 !important; }}
    .st-key-{SECOND_FIRST} [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:nth-child(2) {{ order: -1; }}
    {LATER_BOX} ~ * {{ order: 3; }}
    {LATER_BOX} {{ order: 2; }}
    {LATER_BOX} + * {{ order: 1; }}
    [data-testid="stMetricValue"] {{ font-size: 1.35rem !important; }}
    [data-testid="stMetricLabel"] p {{ font-size: 0.8rem !important; }}
  }}
</style>
"""

TOUCH_CSS = f"""
<style>
  @media {TOUCH} {{
    .js-plotly-plot .draglayer, .js-plotly-plot .draglayer *, .js-plotly-plot .gl-container,
    .js-plotly-plot .gl-container * {{ pointer-events: none !important; }}
    .js-plotly-plot .modebar-container {{ display: none !important; }}
    .stElementContainer:has(> div > .stPlotlyChart .legend) {{ margin-top: 0; }}
  }}
</style>
"""


def gl_pixel_ratio(cookies: Mapping[str, str] | None = None) -> float:
    """The resolution at which WebGL charts are drawn for this viewer: the screen's pixel ratio (from
    ``cookies``, default this session's), at least 1 and at most plotly's own 2.

    At ratio 1 plotly's default drew four times the pixels the screen shows; in a browser without a graphics
    card (software WebGL) that was 0.2 to 0.3 s of a 3D picture's 0.6 to 1.4 s in a blank page (README, "The
    first picture").
    """
    cookies = dict(st.context.cookies) if cookies is None else cookies  # (a plain dict: AppTest's answers anything)
    try:
        ratio = float(cookies.get(PIXEL_RATIO_COOKIE, ""))
    except ValueError:
        return PLOTLY_GL_RATIO
    return min(max(ratio, 1.0), PLOTLY_GL_RATIO) if math.isfinite(ratio) else PLOTLY_GL_RATIO


def chart_config(**config) -> dict:
    """Plotly's ``config`` for a chart shown to this viewer: ``config`` with WebGL drawn at the screen's ratio."""
    return {"plotGlPixelRatio": gl_pixel_ratio(), **config}


def later():
    """A container that a phone shows after the element that follows it: words that introduce a picture on a
    wide screen wait below it on a phone, so the picture and its ▶ Play are on the first screen."""
    return st.container(key=LATER)


def columns_second_first(spec):
    """``st.columns(spec)`` whose second column a phone, which stacks the columns, shows first."""
    return st.container(key=SECOND_FIRST).columns(spec)


def exploring() -> bool:
    """Whether this viewer asked for the charts' touch gestures (zoom, pan, turning) back."""
    return bool(st.session_state.get(EXPLORE, False))


def page_style() -> None:
    """The style of every page, and the toggle that gives touch screens their chart gestures back (in the
    sidebar, which shows it on touch screens only)."""
    st.html(PAGE_CSS)
    with st.sidebar.container(key="touch_only"):
        st.toggle("Explore charts by touch", key=EXPLORE,
                  help="Off: a finger dragged over a chart scrolls the page. On: it zooms, pans and turns the "
                       "charts, and their tool bar comes back.")
    if not exploring():
        st.html(TOUCH_CSS)
