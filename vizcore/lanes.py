"""Lanes for numba kernels: one float32 value per net, NETS nets as one value, one instruction per operation.

Why: a sweep trains many independent nets, and the seeds are the dimension to compute along.
Along the points a gradient is a sum, which strict IEEE arithmetic must add in order, one point
after the other, so a kernel that runs seed after seed cannot vectorise it. Across nets nothing is
summed: each net gets a lane and does exactly what it would do alone, in the same order, so no
sum is reassociated and no fastmath is needed. numba cannot be asked for that with plain loops:
it runs LLVM's loop vectorizer but not its SLP vectorizer, and LLVM unrolls a 16-long loop over
lanes into scalars before the loop vectorizer sees it (every lane operation of such loops compiled
to vmulss/vaddss). So a :data:`lanes` value is an LLVM vector <NETS x float>, and ``a * b + c`` on
two of them is one vector instruction per register, whatever the host's vector width (one AVX-512
register, two AVX2 ones): each lane's result is the same IEEE operation everywhere.

Arrays hold lanes in their last NETS values: ``load(a, k)`` reads row k of NETS lanes of a
C-contiguous float32 array (elements k*NETS .. k*NETS+NETS-1 of its data, whatever its shape).
Only operations that round once are offered: + - * / (a number operand is rounded to float32
first), comparisons into a :data:`mask`, ``select``, ``fabs``, ``sqrt`` and negation.

numba caches a kernel by its own source file: after editing this file, delete the ``__pycache__``
of the kernels that use it (their disk cache would keep the old code).
"""
from __future__ import annotations

import operator

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.typing.templates import AbstractTemplate, infer_global, signature
from numba.extending import intrinsic, lower_builtin, models, register_model

NETS = 16  # nets side by side: one AVX-512 register of float32

_FLOAT, _INT = ir.FloatType(), ir.IntType(32)
_VECTOR = ir.VectorType(_FLOAT, NETS)


class Lanes(types.Type):
    def __init__(self):
        super().__init__(name=f"lanes{NETS}xfloat32")


class Mask(types.Type):
    def __init__(self):
        super().__init__(name=f"mask{NETS}")


lanes, mask = Lanes(), Mask()


@register_model(Lanes)
class _LanesModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _VECTOR)


@register_model(Mask)
class _MaskModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, ir.VectorType(ir.IntType(1), NETS))


def _is_float32_array(a) -> bool:
    return isinstance(a, types.Array) and a.dtype == types.float32 and a.layout == "C"


def _row(context, builder, sig, args):
    """Pointer to the <NETS x float> at element row * NETS of the array args[0]."""
    data = context.make_array(sig.args[0])(context, builder, args[0]).data
    row = context.cast(builder, args[1], sig.args[1], types.intp)
    start = builder.mul(row, ir.Constant(row.type, NETS))
    return builder.bitcast(builder.gep(data, [start]), _VECTOR.as_pointer())


@intrinsic
def load(typingctx, a, row):
    """Row ``row`` of NETS lanes of the float32 array ``a``."""
    if _is_float32_array(a) and isinstance(row, types.Integer):
        return lanes(a, row), lambda context, builder, sig, args: builder.load(_row(context, builder, sig, args),
                                                                              align=4)


@intrinsic
def store(typingctx, a, row, value):
    """Write ``value`` into row ``row`` of NETS lanes of ``a``."""
    if _is_float32_array(a) and isinstance(row, types.Integer) and value == lanes:
        def codegen(context, builder, sig, args):
            builder.store(args[2], _row(context, builder, sig, args), align=4)
            return context.get_dummy_value()
        return types.none(a, row, value), codegen


def _splat(builder, value):
    first = builder.insert_element(ir.Constant(_VECTOR, ir.Undefined), value, ir.Constant(_INT, 0))
    return builder.shuffle_vector(first, ir.Constant(_VECTOR, ir.Undefined),
                                  ir.Constant(ir.VectorType(_INT, NETS), [0] * NETS))


@intrinsic
def splat(typingctx, x):
    """``x`` (rounded to float32) in every lane."""
    if isinstance(x, (types.Float, types.Integer)):
        return lanes(x), lambda context, builder, sig, args: _splat(
            builder, context.cast(builder, args[0], sig.args[0], types.float32))


@intrinsic
def select(typingctx, where, a, b):
    """Lane by lane: ``a`` where ``where`` holds, else ``b``."""
    if where == mask and a == lanes and b == lanes:
        return lanes(where, a, b), lambda context, builder, sig, args: builder.select(*args)


def _llvm_unary(name: str):
    """Codegen calling LLVM's vector intrinsic ``llvm.<name>`` on one lanes value."""
    def codegen(context, builder, sig, args):
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_VECTOR, [_VECTOR]),
                                            f"llvm.{name}.v{NETS}f32")
        return builder.call(fn, args)
    return codegen


@intrinsic
def fabs(typingctx, a):
    if a == lanes:
        return lanes(a), _llvm_unary("fabs")


@intrinsic
def sqrt(typingctx, a):
    """The square root of every lane, correctly rounded (IEEE)."""
    if a == lanes:
        return lanes(a), _llvm_unary("sqrt")


_NUMBER = (types.Float, types.Integer)


class _Operator(AbstractTemplate):
    """Typing of an operator on lanes: two lanes, or lanes and a number; ``result`` is its type."""

    result = lanes

    def generic(self, args, kws):
        if len(args) == 2 and lanes in args and all(a == lanes or isinstance(a, _NUMBER) for a in args):
            return signature(self.result, *args)


def _as_lanes(context, builder, value, value_type):
    if value_type == lanes:
        return value
    return _splat(builder, context.cast(builder, value, value_type, types.float32))


def _register(op, result, emit) -> None:
    """``op`` on two lanes, or on lanes and a number (rounded to float32), as one LLVM instruction."""
    infer_global(op)(type(f"_{op.__name__}_lanes", (_Operator,), {"key": op, "result": result}))

    def lower(context, builder, sig, args):
        a, b = (_as_lanes(context, builder, v, t) for v, t in zip(args, sig.args))
        return emit(builder, a, b)
    for left, right in ((Lanes, Lanes), (Lanes, types.Number), (types.Number, Lanes)):
        lower_builtin(op, left, right)(lower)


for _op, _name in ((operator.add, "fadd"), (operator.sub, "fsub"), (operator.mul, "fmul"),
                   (operator.truediv, "fdiv")):
    _register(_op, lanes, lambda builder, a, b, name=_name: getattr(builder, name)(a, b))
for _op, _code in ((operator.lt, "<"), (operator.gt, ">"), (operator.le, "<="), (operator.ge, ">="),
                   (operator.eq, "==")):
    _register(_op, mask, lambda builder, a, b, code=_code: builder.fcmp_ordered(code, a, b))


@infer_global(operator.neg)
class _Negative(AbstractTemplate):
    def generic(self, args, kws):
        if len(args) == 1 and args[0] == lanes:
            return signature(lanes, lanes)


@lower_builtin(operator.neg, Lanes)
def _negative(context, builder, sig, args):
    return builder.fneg(args[0])
