"""Open a page the way a user does (through app.py's navigation), optionally from a link."""
from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 180


def open_page(name: str, query: dict | None = None, timeout: float = TIMEOUT) -> AppTest:
    """Run pages/<name> with ``query`` as its link's query string."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.switch_page(f"pages/{name}")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def assert_clean(at: AppTest) -> AppTest:
    """No exception and no error message on the page."""
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def clock_frame(at: AppTest, chart: str) -> int:
    """The frame the page shows of the animated figure ``chart`` whose slider is its clock (ui/timeline.py)."""
    spec = json.loads(next(c for c in at.get("plotly_chart") if c.key == chart).proto.spec)
    return spec["layout"]["sliders"][0]["active"]


def _beside(at: AppTest, chart: str) -> dict:
    """What the page sent beside the chart ``chart``, to the component that gives it its frames (ui/frames.py)."""
    carrier = next(c for c in at.get("bidi_component") if c.proto.component_name == "vizcore.frames"
                   and json.loads(c.proto.json)["chart"] == chart)
    return json.loads(carrier.proto.json)


def sent_frames(at: AppTest, chart: str) -> list[dict]:
    """The animation frames the page sent beside the chart ``chart`` (ui/frames.py): none sit in its figure."""
    spec = json.loads(next(c for c in at.get("plotly_chart") if c.key == chart).proto.spec)
    assert "frames" not in spec, f"{chart} was sent with its frames inside"
    return json.loads(_beside(at, chart)["frames"])


def sent_step_labels(at: AppTest, chart: str) -> list[str]:
    """The labels of the steps of the chart ``chart``'s slider, sent beside it (its figure has blanks)."""
    return _beside(at, chart)["sliders"][0]["labels"]


def move_clock(at: AppTest, chart: str, frame: int) -> AppTest:
    """What a viewer does who moves the figure ``chart``'s slider to ``frame`` and lets go: its clock reports it."""
    at.session_state[f"{chart}_clock"] = {"frame": frame}
    return at.run()


def notice(at: AppTest) -> str:
    """The page's "What to notice" lines (and any info box), as one text."""
    return " ".join([m.value for m in at.markdown] + [i.value for i in at.info])


def shown(markdown: str) -> str:
    """What a message escaped by ``ui.common.literal`` shows: its Markdown without the backslash escapes."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")
