"""A safe evaluator for one-variable formulas typed by a user, such as "2*sin(x)+5".

The text is parsed with :mod:`ast` and only a whitelist of node types is accepted;
nothing is ever passed to ``eval`` or ``exec``. Numbers become float64, so no
computation can grow without bound (``9**9**9`` is rejected before it is evaluated).
"""
from __future__ import annotations

import ast
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
_BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
           ast.Div: np.divide, ast.Pow: np.power}
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
        raise UserError(f"Cannot read the formula {text!r}: {exc.msg} at character {exc.offset}.{tip}") from None
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
