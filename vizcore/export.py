"""Files a user can take away and bring back: standalone HTML animations, CSV metrics, JSON weights.

Weights are plain JSON (architecture + a flat list of numbers), so loading them never
unpickles anything; every field is checked and a bad file raises UserError.
"""
from __future__ import annotations

import io
import json
import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

from .errors import UserError
from .nets import ACTIVATIONS, INITS, MLP, flat_params, load_flat, parse_widths
from .history import History

FORMAT = "vizcore-mlp"
MAX_WEIGHTS_BYTES = 2_000_000


def standalone_html(fig: go.Figure, title: str = "vizcore animation") -> str:
    """A complete HTML page with plotly.js embedded: plays offline, in any browser.

    It opens paused on the figure's first view (plotly's default would start playing at its own
    speed); its play buttons carry the app's speeds.
    """
    html = fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False}, auto_play=False,
                       default_width="100%", default_height="90vh")
    return html.replace("<head>", f"<head><title>{title}</title>", 1)


def history_csv(hist: History, trajectory: np.ndarray | None = None) -> str:
    """One row per recorded snapshot: step, loss, accuracy (and trajectory x, y if given)."""
    out = io.StringIO()
    header = ["snapshot", "step", "loss", "accuracy"]
    header += ["trajectory_x", "trajectory_y"] if trajectory is not None else []
    out.write(",".join(header) + "\n")
    for t in range(len(hist)):
        accuracy = "" if np.isnan(hist.accuracy[t]) else f"{hist.accuracy[t]:.6g}"
        row = [t, int(hist.step[t]), f"{hist.loss[t]:.7g}", accuracy]
        if trajectory is not None:
            row += [f"{trajectory[t, 0]:.7g}", f"{trajectory[t, 1]:.7g}"]
        out.write(",".join(map(str, row)) + "\n")
    return out.getvalue()


def weights_json(model: MLP, settings: dict[str, str] | None = None) -> str:
    """The model's architecture and weights as JSON (plus the settings that trained it)."""
    return json.dumps({
        "format": FORMAT, "version": 1,
        "in_dim": model.in_dim, "widths": list(model.widths), "out_dim": model.out_dim,
        "activation": model.activation, "bias": model.bias, "init": model.init, "seed": model.seed,
        "params": [float(v) for v in flat_params(model)],
        "settings": settings or {},
    })


def _field(doc: dict, key: str, kind: type | tuple) -> Any:
    if key not in doc or not isinstance(doc[key], kind) or isinstance(doc[key], bool) and kind is not bool:
        raise UserError(f"The weights file has no valid {key!r} field.")
    return doc[key]


def load_weights(data: bytes | str) -> tuple[MLP, dict[str, str]]:
    """Rebuild a model from :func:`weights_json` output; UserError says what is wrong."""
    if len(data) > MAX_WEIGHTS_BYTES:
        raise UserError(f"The weights file is larger than {MAX_WEIGHTS_BYTES / 1e6:.0f} MB.")
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UserError(f"This is not a weights file saved by the app (not valid JSON: {str(exc)[:80]}).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise UserError("This is not a weights file saved by the app (its 'format' field is missing).")
    in_dim, out_dim = _field(doc, "in_dim", int), _field(doc, "out_dim", int)
    widths = _field(doc, "widths", list)
    if not (1 <= in_dim <= 3 and 1 <= out_dim <= 10) or not all(isinstance(w, int) for w in widths):
        raise UserError("The weights file describes a network this app cannot draw.")
    widths = parse_widths(",".join(map(str, widths)), max_width=256)
    activation = _field(doc, "activation", str)
    if activation not in ACTIVATIONS:
        raise UserError(f"The weights file uses an unknown activation {activation[:20]!r}.")
    init = doc.get("init", "default") if doc.get("init") in INITS else "default"
    model = MLP(in_dim, widths, out_dim, activation=activation, bias=bool(doc.get("bias", True)),
                seed=int(doc.get("seed", 0)) if isinstance(doc.get("seed", 0), int) else 0, init=init)
    params = _field(doc, "params", list)
    if len(params) != model.n_params:
        raise UserError(f"The weights file has {len(params)} numbers but this network needs {model.n_params}.")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in params):
        raise UserError("The weights file contains values that are not finite numbers.")
    load_flat(model, np.asarray(params, dtype=np.float32))
    settings = doc.get("settings") if isinstance(doc.get("settings"), dict) else {}
    return model, {str(k)[:40]: str(v)[:200] for k, v in settings.items()}
