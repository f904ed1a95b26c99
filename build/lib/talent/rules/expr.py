"""The safe condition language: a small subset of Python expressions, checked with ``ast``.

Allowed: names (facts, parameters, earlier rules and values), constants (str, int, bool, None),
lists/tuples of those, ``and or not``, comparisons (``== != < <= > >= in not in is None``),
``+ - * // %`` on numbers, ``x if c else y`` and calls of the registered pure functions below.
Everything else (attribute access, subscripts, lambdas, comprehensions, f-strings, walrus,
``**``, ``/`` which would make floats, dunder or underscore names) is refused when the expression
is compiled, so a policy file can never reach Python's object model.

Absent facts are *unknown*. Logic is three-valued (Kleene): ``False and unknown`` is False,
``True and unknown`` is unknown, comparisons with an unknown are unknown. Wherever a decision is
taken (a rule holds, a table row matches, the test of ``x if c else y``) the engine in strict mode
counts unknown as "not held", which is POLICY.md's "an absent fact makes every condition that reads
it fail". In analysis mode an unknown remembers the facts it came from, so the engine can list
exactly the absent facts that could change the outcome (``missing``).

Two compilers share one validated tree: ``compile_scalar`` builds closures for one case;
``compile_vector`` builds closures over NumPy arrays for many cases (each node returns
``(values, known)`` where ``known`` is None when every element is known).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from talent.rules import dates

MAX_EXPRESSION_LENGTH = 2000
MAX_NODES = 400
MAX_DEPTH = 30
MAX_INT_BITS = 128  # a bigger intermediate means a runaway computation, not a policy amount


class ExpressionError(ValueError):
    """An expression that is not allowed or does not compile (raised at policy load / check)."""


class EvaluationError(ValueError):
    """An allowed expression failed on a value (e.g. a number grew beyond MAX_INT_BITS)."""


class Unknown:
    """An unknown value; ``facts`` are the absent facts it depends on (analysis mode)."""

    __slots__ = ("facts",)

    def __init__(self, facts: frozenset[str] = frozenset()) -> None:
        self.facts = facts

    def __repr__(self) -> str:
        return f"Unknown({sorted(self.facts)})"


UNKNOWN = Unknown()


def merge_unknown(*values: Any) -> Unknown:
    facts: frozenset[str] = frozenset()
    for value in values:
        if isinstance(value, Unknown):
            facts = facts | value.facts
    return Unknown(facts) if facts else UNKNOWN


# --- registered pure functions -----------------------------------------------------------


def _floor(value: Any) -> int:
    return int(value // 1)


def _percent_of(amount: Any, percent: Any) -> int:
    """``percent`` % of ``amount``, rounded down to the whole yuan, exactly."""
    return _floor(Decimal(amount) * Decimal(percent) / 100) if not isinstance(amount, int) or not isinstance(
        percent, int
    ) else (amount * percent) // 100


def _any_in(items: Any, allowed: Any) -> bool:
    return not frozenset(items).isdisjoint(allowed)


def _v_floor(values):
    import numpy as np

    if values.dtype == object:
        return np.fromiter(map(_floor, values.tolist()), dtype=np.int64, count=len(values))
    return values


def _v_percent_of(amounts, percent):
    import numpy as np

    amounts, percent = np.asarray(amounts), np.asarray(percent)
    if amounts.dtype != object and percent.dtype != object:
        return (amounts.astype(np.int64) * percent.astype(np.int64)) // 100
    percents = np.broadcast_to(percent, amounts.shape).tolist()
    return np.fromiter((_percent_of(a, p) for a, p in zip(amounts.tolist(), percents, strict=True)),
                       dtype=np.int64, count=len(amounts))


def per_distinct(values: list[Any], test: Callable[[Any], bool]):
    """``test(v)`` for each value as a bool array, computed once per distinct value.

    Only for tests that give equal values the same answer (membership, comparisons, ``is None``): a
    column of tiers or district codes has a handful of distinct values among thousands.
    """
    import numpy as np

    try:
        answers = {value: test(value) for value in set(values)}
    except TypeError:  # an unhashable value
        return np.fromiter(map(test, values), dtype=bool, count=len(values))
    return np.fromiter(map(answers.__getitem__, values), dtype=bool, count=len(values))


def _v_any_in(item_lists, allowed):
    allowed = frozenset(allowed)
    items = item_lists.tolist() if hasattr(item_lists, "tolist") else list(item_lists)
    return per_distinct(items, lambda codes: not allowed.isdisjoint(codes))


def _v_min(a, b):
    import numpy as np

    return np.minimum(a, b)


def _v_max(a, b):
    import numpy as np

    return np.maximum(a, b)


class Function:
    def __init__(self, name: str, arity: int, scalar: Callable, vector: Callable, doc: str) -> None:
        self.name, self.arity, self.scalar, self.vector, self.doc = name, arity, scalar, vector, doc


FUNCTIONS: dict[str, Function] = {
    f.name: f
    for f in (
        Function("age_on", 2, dates.age_on, dates.v_age_on, "age_on(birth_date, day): completed years"),
        Function("add_years", 2, dates.add_years, dates.v_add_years, "add_years(date, n): keeps the day, 29 Feb -> 28 Feb"),
        Function("add_months", 2, dates.add_months, dates.v_add_months, "add_months(date, n): calendar months, day clamped"),
        Function("min", 2, min, _v_min, "min(a, b)"),
        Function("max", 2, max, _v_max, "max(a, b)"),
        Function("floor", 1, _floor, _v_floor, "floor(x): rounded down to an integer"),
        Function("percent_of", 2, _percent_of, _v_percent_of, "percent_of(amount, pct): pct % of amount rounded down"),
        Function("any_in", 2, _any_in, _v_any_in, "any_in(list, allowed): some item of list is in allowed"),
    )
}

_ALLOWED_NODES = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.Compare, ast.Eq,
    ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.BinOp, ast.Add,
    ast.Sub, ast.Mult, ast.FloorDiv, ast.Mod, ast.IfExp, ast.Call, ast.Name, ast.Load, ast.Constant,
    ast.List, ast.Tuple,
)


def parse(source: str) -> ast.Expression:
    """Parse and validate; raise ExpressionError naming what is refused.

    Trees are remembered by source (the loader, the one-case and the vector compilers each ask for the
    same expressions); they are never changed after parsing.
    """
    if isinstance(source, str) and source in _PARSED:
        return _PARSED[source]
    tree = _parse(source)
    if len(_PARSED) < 10_000:
        _PARSED[source] = tree
    return tree


_PARSED: dict[str, ast.Expression] = {}


def _parse(source: str) -> ast.Expression:
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be a string, got {type(source).__name__}")
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_EXPRESSION_LENGTH} characters")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"expression refused: {exc}") from None
    count = 0

    def visit(node: ast.AST, depth: int) -> None:
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"expression has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression nested deeper than {MAX_DEPTH}")
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(f"{type(node).__name__} is not allowed in a policy expression")
        if isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise ExpressionError(f"name {node.id!r} is not allowed (leading underscore)")
        elif isinstance(node, ast.Constant):
            if not (node.value is None or isinstance(node.value, str | bool | int)):
                raise ExpressionError(
                    f"constant {node.value!r} is not allowed (only text, integers, true/false, None;"
                    " money is exact: use integers or percent_of)"
                )
            if isinstance(node.value, int) and node.value.bit_length() > 64:
                raise ExpressionError("integer constant too large")
            if isinstance(node.value, str) and len(node.value) > 200:
                raise ExpressionError("text constant longer than 200 characters")
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                name = node.func.id if isinstance(node.func, ast.Name) else type(node.func).__name__
                raise ExpressionError(f"call of {name!r} is not allowed; functions: {', '.join(sorted(FUNCTIONS))}")
            if node.keywords:
                raise ExpressionError("keyword arguments are not allowed")
            function = FUNCTIONS[node.func.id]
            if len(node.args) != function.arity:
                raise ExpressionError(f"{function.name} takes {function.arity} arguments, got {len(node.args)}")
            for argument in node.args:
                visit(argument, depth + 1)
            return
        elif isinstance(node, ast.Compare):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.Is | ast.IsNot) and not (
                    isinstance(right, ast.Constant) and right.value is None
                ):
                    raise ExpressionError("'is' / 'is not' may only compare with None")
        elif isinstance(node, ast.List | ast.Tuple):
            for element in node.elts:
                if not isinstance(element, ast.Constant):
                    raise ExpressionError("list elements must be constants")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and isinstance(side.value, str) or isinstance(
                    side, ast.List | ast.Tuple
                ):
                    raise ExpressionError("repetition of text or lists is not allowed")
        for child in ast.iter_child_nodes(node):
            visit(child, depth + 1)

    visit(tree, 0)
    return tree


def names_used(tree: ast.AST) -> list[str]:
    """Variable names read by an expression (function names excluded), in first-use order."""
    seen: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            continue
        if isinstance(node, ast.Name) and node.id not in FUNCTIONS:
            seen.setdefault(node.id, None)
    # ast.walk reaches function names too; drop those used only as callees
    callees = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return [name for name in seen if name not in callees or name not in FUNCTIONS]


# --- scalar compiler ------------------------------------------------------------------------


def _check_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise EvaluationError(f"arithmetic on {type(value).__name__} is not allowed")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise EvaluationError("number too large")
    return value


def _kleene_and(values: list[Any]) -> Any:
    unknowns = []
    for value in values:
        if isinstance(value, Unknown):
            unknowns.append(value)
        elif not value:
            return False
    return merge_unknown(*unknowns) if unknowns else True


def _kleene_or(values: list[Any]) -> Any:
    unknowns = []
    for value in values:
        if isinstance(value, Unknown):
            unknowns.append(value)
        elif value:
            return True
    return merge_unknown(*unknowns) if unknowns else False


_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}
_ARITH = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}

Env = dict[str, Any]
ScalarFn = Callable[[Env], Any]


def compile_scalar(source: str, known_names: set[str] | None = None) -> ScalarFn:
    """Compile to a closure ``f(env) -> value`` (three-valued; Unknown for unknowns).

    ``known_names``: when given, every name must be one of them (unknown names are refused).
    ``env["__strict__"]``: when true, the test of ``x if c else y`` counts unknown as false.
    """
    tree = parse(source)
    if known_names is not None:
        for name in names_used(tree):
            if name not in known_names:
                raise ExpressionError(f"unknown name {name!r}")
    return _scalar(tree.body)


def _scalar(node: ast.AST) -> ScalarFn:
    if isinstance(node, ast.Constant):
        value = node.value
        return lambda env: value
    if isinstance(node, ast.List | ast.Tuple):
        value = frozenset(e.value for e in node.elts)  # only used as the right side of `in`
        return lambda env: value
    if isinstance(node, ast.Name):
        name = node.id

        def read(env: Env) -> Any:
            try:
                return env[name]
            except KeyError:
                raise EvaluationError(f"name {name!r} has no value") from None

        return read
    if isinstance(node, ast.BoolOp):
        parts = [_scalar(v) for v in node.values]
        if isinstance(node.op, ast.And):

            def both(env: Env) -> Any:
                unknowns = []
                for part in parts:
                    value = part(env)
                    if isinstance(value, Unknown):
                        unknowns.append(value)
                    elif not value:
                        return False
                return merge_unknown(*unknowns) if unknowns else True

            return both

        def either(env: Env) -> Any:
            unknowns = []
            for part in parts:
                value = part(env)
                if isinstance(value, Unknown):
                    unknowns.append(value)
                elif value:
                    return True
            return merge_unknown(*unknowns) if unknowns else False

        return either
    if isinstance(node, ast.UnaryOp):
        operand = _scalar(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda env: v if isinstance(v := operand(env), Unknown) else not v

        def negate(env: Env) -> Any:
            value = operand(env)
            return value if isinstance(value, Unknown) else -_check_number(value)

        return negate
    if isinstance(node, ast.Compare):
        left = _scalar(node.left)
        pairs = [(_COMPARE[type(op)], _scalar(right)) for op, right in zip(node.ops, node.comparators, strict=True)]

        def compare(env: Env) -> Any:
            a = left(env)
            results = []
            for op, right in pairs:
                b = right(env)
                if isinstance(a, Unknown) or isinstance(b, Unknown):
                    results.append(merge_unknown(a, b))
                else:
                    try:
                        results.append(op(a, b))
                    except TypeError as exc:
                        raise EvaluationError(f"cannot compare: {exc}") from None
                a = b
            return results[0] if len(results) == 1 else _kleene_and(results)

        return compare
    if isinstance(node, ast.BinOp):
        op = _ARITH[type(node.op)]
        left, right = _scalar(node.left), _scalar(node.right)

        def arith(env: Env) -> Any:
            a, b = left(env), right(env)
            if isinstance(a, Unknown) or isinstance(b, Unknown):
                return merge_unknown(a, b)
            try:
                return _check_number(op(_check_number(a), _check_number(b)))
            except ZeroDivisionError:
                raise EvaluationError("division by zero") from None

        return arith
    if isinstance(node, ast.IfExp):
        test, body, orelse = _scalar(node.test), _scalar(node.body), _scalar(node.orelse)

        def choose(env: Env) -> Any:
            condition = test(env)
            if isinstance(condition, Unknown):
                if env.get("__strict__"):
                    return orelse(env)
                a, b = body(env), orelse(env)
                if not isinstance(a, Unknown) and not isinstance(b, Unknown) and a == b:
                    return a
                return merge_unknown(condition, a, b)
            return body(env) if condition else orelse(env)

        return choose
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id].scalar
        arguments = [_scalar(a) for a in node.args]

        def call(env: Env) -> Any:
            values = [a(env) for a in arguments]
            if any(isinstance(v, Unknown) for v in values):
                return merge_unknown(*values)
            try:
                return function(*values)
            except (TypeError, ValueError, OverflowError, ArithmeticError) as exc:
                raise EvaluationError(f"{node.func.id}: {exc}") from None

        return call
    raise ExpressionError(f"{type(node).__name__} is not allowed")  # parse() already refused it


# --- vector compiler ------------------------------------------------------------------------
# A node returns (values, known): ``known`` is None when all elements are known, else a bool
# array. Unknown slots hold a harmless filler (0, False, "", ()) so NumPy never sees None.

VectorFn = Callable[[dict[str, Any]], tuple[Any, Any]]


def _and_known(*knowns):
    result = None
    for known in knowns:
        if known is not None:
            result = known if result is None else result & known
    return result


def compile_vector(source: str, known_names: set[str] | None = None) -> VectorFn:
    tree = parse(source)
    if known_names is not None:
        for name in names_used(tree):
            if name not in known_names:
                raise ExpressionError(f"unknown name {name!r}")
    return _vector(tree.body)


def _as_bool(values):
    import numpy as np

    values = np.asarray(values)
    return values if values.dtype == bool else values.astype(bool)


def _vector(node: ast.AST) -> VectorFn:
    import numpy as np

    if isinstance(node, ast.Constant):
        value = node.value
        return lambda env: (value, None)
    if isinstance(node, ast.List | ast.Tuple):
        value = frozenset(e.value for e in node.elts)
        return lambda env: (value, None)
    if isinstance(node, ast.Name):
        name = node.id
        return lambda env: env[name]
    if isinstance(node, ast.BoolOp):
        parts = [_vector(v) for v in node.values]
        is_and = isinstance(node.op, ast.And)

        def combine(env):
            n = env["__n__"]
            # decided: positions whose result is fixed (a known False for and / True for or)
            value = np.full(n, is_and)
            all_known = np.ones(n, dtype=bool)
            decided = np.zeros(n, dtype=bool)
            for part in parts:
                v, k = part(env)
                v = np.broadcast_to(_as_bool(v), (n,))
                known = np.ones(n, dtype=bool) if k is None else k
                if is_and:
                    decided |= known & ~v
                else:
                    decided |= known & v
                all_known &= known
                value = (value & v) if is_and else (value | v)
            known_result = decided | all_known
            result = np.where(decided, not is_and, value)
            return result, (None if known_result.all() else known_result)

        return combine
    if isinstance(node, ast.UnaryOp):
        operand = _vector(node.operand)
        if isinstance(node.op, ast.Not):

            def invert(env):
                v, k = operand(env)
                return ~np.broadcast_to(_as_bool(v), (env["__n__"],)), k

            return invert

        def negate(env):
            v, k = operand(env)
            return -v, k

        return negate
    if isinstance(node, ast.Compare):
        left = _vector(node.left)
        pairs = [(type(op), _vector(right)) for op, right in zip(node.ops, node.comparators, strict=True)]

        def compare(env):
            n = env["__n__"]
            a, ka = left(env)
            values, knowns = [], []
            for op, right in pairs:
                b, kb = right(env)
                values.append(np.broadcast_to(_v_compare(op, a, b, n), (n,)))
                knowns.append(_and_known(ka, kb))
                a, ka = b, kb
            if len(values) == 1:
                return values[0], knowns[0]
            result = values[0]
            for v in values[1:]:
                result = result & v
            return result, _and_known(*knowns)

        return compare
    if isinstance(node, ast.BinOp):
        op = _ARITH[type(node.op)]
        left, right = _vector(node.left), _vector(node.right)

        def arith(env):
            a, ka = left(env)
            b, kb = right(env)
            for side in (a, b):
                if isinstance(side, str | bool) or (isinstance(side, np.ndarray) and side.dtype.kind in "bUS"):
                    raise EvaluationError("arithmetic on text or true/false is not allowed")
            with np.errstate(divide="raise"):
                try:
                    return op(a, b), _and_known(ka, kb)
                except (ZeroDivisionError, FloatingPointError):
                    raise EvaluationError("division by zero") from None

        return arith
    if isinstance(node, ast.IfExp):
        test, body, orelse = _vector(node.test), _vector(node.body), _vector(node.orelse)

        def choose(env):
            n = env["__n__"]
            t, kt = test(env)
            t = np.broadcast_to(_as_bool(t), (n,))
            if kt is not None:  # strict: an unknown test takes the else branch
                t = t & kt
            a, ka = body(env)
            b, kb = orelse(env)
            values = np.where(t, _broadcast(a, n), _broadcast(b, n))
            if ka is None and kb is None:
                return values, None
            ka = np.ones(n, dtype=bool) if ka is None else ka
            kb = np.ones(n, dtype=bool) if kb is None else kb
            known = np.where(t, ka, kb)
            return values, (None if known.all() else known)

        return choose
    if isinstance(node, ast.Call):
        function = FUNCTIONS[node.func.id].vector
        arguments = [_vector(a) for a in node.args]

        def call(env):
            n = env["__n__"]
            evaluated = [a(env) for a in arguments]
            values = [v for v, _ in evaluated]
            if node.func.id != "any_in":
                values = [_broadcast(v, n) if not isinstance(v, frozenset) else v for v in values]
            return function(*values), _and_known(*(k for _, k in evaluated))

        return call
    raise ExpressionError(f"{type(node).__name__} is not allowed")


def _broadcast(value, n):
    import numpy as np

    if isinstance(value, np.ndarray):
        return value
    if value is None or isinstance(value, str | tuple | list | frozenset | Decimal):
        array = np.empty(n, dtype=object)
        array[:] = [value] * n
        return array
    return np.full(n, value)


def _is_none(value: Any) -> bool:
    return value is None


def _v_compare(op, a, b, n):
    import numpy as np

    if op in (ast.In, ast.NotIn):
        if isinstance(b, frozenset):
            if isinstance(a, np.ndarray):
                result = per_distinct(a.tolist(), b.__contains__)
            else:
                result = np.full(n, a in b)
        else:
            raise EvaluationError("'in' needs a list on its right side")
        return ~result if op is ast.NotIn else result
    if op in (ast.Is, ast.IsNot):
        if isinstance(a, np.ndarray):
            result = per_distinct(a.tolist(), _is_none) if a.dtype == object else np.zeros(len(a), dtype=bool)
        else:
            result = np.full(n, a is None)
        return ~result if op is ast.IsNot else result
    result = _COMPARE[op](a, b)
    if isinstance(result, np.ndarray):
        return result.astype(bool) if result.dtype != bool else result
    return np.full(n, bool(result))
