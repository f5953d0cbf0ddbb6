"""A safe evaluator for one-variable formulas typed by a user, such as "2*sin(x)+5".

The text is parsed with :mod:`ast` and only a whitelist of node types is accepted;
nothing is ever passed to ``eval`` or ``exec``. Numbers become float64, so no
computation can grow without bound (``9**9**9`` is rejected before it is evaluated).
"""
from __future__ import annotations

import ast
import operator
import re
from typing import Callable

import numpy as np

from .errors import UserError

FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin, "cos": np.cos, "exp": np.exp, "log": np.log,
    "abs": np.abs, "tanh": np.tanh, "sqrt": np.sqrt,
}
CONSTANTS = {"pi": np.pi, "e": np.e}
MAX_CHARS = 200
MAX_NODES = 100
MAX_EXPONENT = 100.0

_IMPLICIT_PRODUCT = re.compile(r"(\d)\s*([a-zA-Z_]\w*|\()")
_NODE_WORDS = {
    "Attribute": "a dot (attribute access)", "Lambda": "lambda", "Compare": "a comparison",
    "Subscript": "square brackets", "BoolOp": "and/or", "IfExp": "if/else", "NamedExpr": ":=",
    "JoinedStr": "an f-string", "List": "a list", "Tuple": "a tuple", "Dict": "a dict", "Set": "a set",
    "Starred": "*", "FloorDiv": "//", "Mod": "%", "BitXor": "^ as xor", "LShift": "<<", "RShift": ">>",
}
# ** is numpy's operator, not np.power: the operator squares for x**2 (and takes sqrt for x**0.5), which
# np.power did not do on NumPy 2.0, so a typed x**2 differed from numpy's x**2 in the last bit there.
_BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
           ast.Div: np.divide, ast.Pow: operator.pow}
_UNARY = {ast.USub: np.negative, ast.UAdd: np.positive}


def safe_function(text: str) -> Callable[[np.ndarray], np.ndarray]:
    """Compile a formula in ``x`` into a numpy-callable, or raise :class:`UserError`.

    Allowed: numbers, ``x``, ``pi``, ``e``, ``+ - * / **``, parentheses and the
    functions sin, cos, exp, log, abs, tanh, sqrt.
    """
    if not isinstance(text, str) or not text.strip():
        raise UserError("The formula is empty: type something like 2*sin(x)+5.")
    if len(text) > MAX_CHARS:
        raise UserError(f"The formula is {len(text)} characters long; at most {MAX_CHARS} are allowed.")
    try:
        tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    except SyntaxError as exc:
        hint = _IMPLICIT_PRODUCT.search(text)
        tip = f" Write products with *, e.g. {hint.group(1)}*{hint.group(2)}." if hint else ""
        raise UserError(f"Cannot read the formula {text!r}: {exc.msg} {_where(text, exc.offset)}.{tip}") from None
    except (ValueError, RecursionError, MemoryError):  # null bytes, absurd nesting
        raise UserError(f"Cannot read the formula {text[:40]!r}: use numbers, x, + - * / ** and brackets.") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise UserError(f"The formula is too complex ({len(nodes)} parts; at most {MAX_NODES}).")
    _check(tree.body)

    def f(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            return np.broadcast_to(_eval(tree.body, x), x.shape).astype(np.float64)

    f.__doc__ = f"f(x) = {text.strip()}"
    return f


def _where(text: str, offset: int | None) -> str:
    """Where a syntax error is, in the user's own text: Python counts in the stripped text with ^ as **."""
    stripped = text.strip()
    source = [i for i, ch in enumerate(stripped) for _ in range(2 if ch == "^" else 1)]  # parsed char -> typed char
    if not offset or not 1 <= offset <= len(source):  # Python gives 0 (or one past the end) when the input stops early
        return "at the end (something is missing there)"
    at = len(text) - len(text.lstrip()) + source[offset - 1]
    return f"at character {at + 1} ({text[at]!r})"


def check_finite(text: str, low: float, high: float) -> None:
    """Raise :class:`UserError` unless the formula is finite at every x in [low, high], saying where it is not.

    Checked on a grid with 20,001 points, and, between grid points, every divisor, logarithm argument and
    base of a negative power is searched for a zero: 1/(x - 0.1234) fails although no grid point hits it.
    """
    f = safe_function(text)
    x = np.linspace(low, high, 20_001)
    bad = ~np.isfinite(f(x))
    if bad.any():
        raise UserError(f"The formula {text.strip()!r} is not finite at x = {x[bad][0]:.4g}; choose one defined "
                        f"on the whole interval [{low:g}, {high:g}].")
    tree = ast.parse(text.strip().replace("^", "**"), mode="eval")
    for node, what in _singular_parts(tree.body):
        zero = _zero_between(lambda t, node=node: np.broadcast_to(_eval(node, np.asarray(t, dtype=np.float64)),
                                                                np.shape(t)), x)
        if zero is not None:
            raise UserError(f"The formula {text.strip()!r} {what} at x = {zero:.4g}, so it is not finite on the "
                            f"whole interval [{low:g}, {high:g}]; choose one that is.")


def _singular_parts(node: ast.AST) -> list[tuple[ast.AST, str]]:
    """Sub-expressions whose zeros make the formula infinite, with what happens there."""
    parts = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Div):
            parts.append((sub.right, "divides by zero"))
        elif isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Pow):
            exponent = _constant_value(sub.right)
            if exponent is None or exponent < 0:
                parts.append((sub.left, "raises zero to a negative power"))
        elif isinstance(sub, ast.Call) and sub.func.id == "log":  # type: ignore[attr-defined]
            parts.append((sub.args[0], "takes the logarithm of zero"))
    return parts


def _zero_between(g: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> float | None:
    """An x where g crosses or touches zero between grid points of ``x``, or None."""
    with np.errstate(all="ignore"):
        v = g(x)
        sign = np.sign(v)
        crossing = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
        if crossing.size:  # bisect the first crossing to the last float
            lo, hi = x[crossing[0]], x[crossing[0] + 1]
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if np.sign(g(np.array([mid]))[0]) == sign[crossing[0]] else (lo, mid)
            return float(np.round(lo, 10)) + 0.0  # + 0.0: no "-0"
        m = np.abs(v)
        dips = np.nonzero((m[1:-1] <= m[:-2]) & (m[1:-1] <= m[2:]))[0] + 1  # local minima of |g|: touching zero?
        for i in dips[np.argsort(m[dips])][:5]:
            from scipy.optimize import minimize_scalar

            best = minimize_scalar(lambda t: abs(float(g(np.array([t]))[0])), bounds=(x[i - 1], x[i + 1]),
                                   method="bounded", options={"xatol": 1e-12})
            if best.fun <= 1e-9 * (1.0 + float(m.max())):
                return float(np.round(best.x, 10)) + 0.0
    return None


def _check(node: ast.AST) -> None:
    """Raise UserError for anything outside the whitelist."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise UserError(f"Only numbers are allowed as constants, not {str(node.value)[:20]!r}.")
        try:
            float(node.value)
        except OverflowError:
            raise UserError("A number in the formula is too large.") from None
    elif isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise UserError(f"{node.id} is a function: give it an argument in brackets, like {node.id}(x).")
        if node.id != "x" and node.id not in CONSTANTS:
            raise UserError(f"Unknown name {node.id!r}: use x, pi, e or one of {', '.join(FUNCTIONS)}.")
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left)
        _check(node.right)
        if isinstance(node.op, ast.Pow):
            exponent = _constant_value(node.right)
            if exponent is not None and abs(exponent) > MAX_EXPONENT:
                raise UserError(f"The power {exponent:g} is too large; exponents up to {MAX_EXPONENT:g} are allowed.")
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check(node.operand)
    elif isinstance(node, ast.Call):
        if isinstance(node.func, ast.Constant):
            raise UserError(f"Write products with *, e.g. {node.func.value}*(...), not {node.func.value}(...).")
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise UserError(f"Only these functions are allowed: {', '.join(FUNCTIONS)}.")
        if len(node.args) != 1 or node.keywords:
            raise UserError(f"{node.func.id}() takes exactly one argument.")
        _check(node.args[0])
    else:
        kind = type(node.op).__name__ if isinstance(node, (ast.BinOp, ast.UnaryOp)) else type(node).__name__
        word = _NODE_WORDS.get(kind, kind)
        raise UserError(f"{word[0].upper() + word[1:]} is not allowed in a formula: use numbers, x, pi, e, "
                        f"+ - * / ** and {', '.join(FUNCTIONS)}.")


def _constant_value(node: ast.AST) -> float | None:
    """The value of a constant sub-expression (numbers and unary minus/powers only), else None."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        inner = _constant_value(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        base, exp = _constant_value(node.left), _constant_value(node.right)
        if base is None or exp is None:
            return None
        if abs(exp) > MAX_EXPONENT:
            raise UserError(f"The power {exp:g} is too large; exponents up to {MAX_EXPONENT:g} are allowed.")
        with np.errstate(all="ignore"):
            return float(np.power(np.float64(base), np.float64(exp)))
    return None


def _eval(node: ast.AST, x: np.ndarray) -> np.ndarray:
    if isinstance(node, ast.Constant):
        return np.float64(node.value)
    if isinstance(node, ast.Name):
        return x if node.id == "x" else np.float64(CONSTANTS[node.id])
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, x), _eval(node.right, x))
    if isinstance(node, ast.UnaryOp):
        return _UNARY[type(node.op)](_eval(node.operand, x))
    return FUNCTIONS[node.func.id](_eval(node.args[0], x))  # type: ignore[attr-defined]
