"""DMN-style decision tables: typed inputs, rows of unary tests, hit policies.

Hit policies: ``unique`` (at most one row may match), ``first`` (the first matching row in order),
``priority`` (the matching row whose first output ranks highest in ``priority``), ``collect`` (all
matching rows; with ``aggregate`` sum, max, min or count, otherwise the list of outputs in row order).

A row test for one input is: a literal (equality; ``null`` matches an absent value only when it is a
known null), a list (membership), or a text ``"<op> <operand>"`` with op one of ``< <= > >= != ==`` and
the operand a literal integer or a ``$parameter``. Inputs a row does not name match anything.
Outputs are literals or ``$parameter`` references.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from talent.rules import expr

HIT_POLICIES = ("unique", "first", "priority", "collect")
AGGREGATES = ("sum", "max", "min", "count")
_OPERATORS = {"<=": operator.le, ">=": operator.ge, "!=": operator.ne, "==": operator.eq, "<": operator.lt,
              ">": operator.gt}


class TableError(expr.EvaluationError):
    """No row matched a table without default, or several matched a unique table."""


def _same(a: Any, b: Any) -> bool:
    # True == 1 in Python; a table row for `true` must not match the number 1
    return a == b and isinstance(a, bool) == isinstance(b, bool)


@dataclass
class Test:
    kind: str  # "eq" | "in" | "cmp"
    operand: Any
    op: str = "=="

    def describe(self) -> str:
        return {"eq": repr(self.operand), "in": repr(self.operand)}.get(self.kind, f"{self.op} {self.operand}")


def _operand(value: Any, parameters: dict) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in parameters:
            raise ValueError(f"parameter {value[1:]!r} is not defined")
        return ("param", value[1:])
    return value


def _resolve(operand: Any, params: dict[str, Any]) -> Any:
    if isinstance(operand, tuple) and len(operand) == 2 and operand[0] == "param":
        return params[operand[1]]
    return operand


def parse_test(value: Any, parameters: dict) -> Test:
    if isinstance(value, list):
        return Test("in", list(value))
    if isinstance(value, str):
        for symbol in ("<=", ">=", "!=", "==", "<", ">"):
            if value.startswith(symbol + " "):
                text = value[len(symbol):].strip()
                if text.startswith("$"):
                    return Test("cmp", _operand(text, parameters), symbol)
                try:
                    return Test("cmp", int(text), symbol)
                except ValueError:
                    raise ValueError(f"test {value!r}: operand must be an integer or $parameter") from None
        if value.startswith("$"):
            return Test("eq", _operand(value, parameters))
    if isinstance(value, float):
        raise ValueError(f"test {value!r}: binary floats are not allowed, use integers")
    if isinstance(value, dict):
        raise ValueError(f"test {value!r} is not a literal, list or comparison")
    return Test("eq", value)


def _apply(test: Test, value: Any, params: dict[str, Any]) -> bool:
    operand = _resolve(test.operand, params)
    if test.kind == "eq":
        return _same(value, operand)
    if test.kind == "in":
        return any(_same(value, item) for item in operand)
    if value is None:
        return False
    try:
        return bool(_OPERATORS[test.op](value, operand))
    except TypeError:
        return False


@dataclass
class Row:
    tests: dict[str, Test]
    then: dict[str, Any]
    number: int  # 1-based, for messages


@dataclass
class Input:
    name: str
    source: str
    scalar: Any
    values: list[Any] | None  # declared domain (for the checker), None when open
    _vector: Any = None

    def vector(self):
        if self._vector is None:
            self._vector = expr.compile_vector(self.source)
        return self._vector


class Table:
    def __init__(self, name: str, hit_policy: str, inputs: list[Input], outputs: list[str], rows: list[Row],
                 aggregate: str | None, priority: list[Any] | None, default: dict[str, Any] | None,
                 reads: list[str]) -> None:
        self.name, self.hit_policy, self.inputs, self.outputs, self.rows = name, hit_policy, inputs, outputs, rows
        self.aggregate, self.priority, self.default, self.reads = aggregate, priority, default, reads

    @classmethod
    def build(cls, name: str, spec: dict, known: set[str], parameters: dict) -> Table:
        hit_policy = spec.get("hit_policy")
        if hit_policy not in HIT_POLICIES:
            raise ValueError(f"hit_policy must be one of {', '.join(HIT_POLICIES)}, got {hit_policy!r}")
        aggregate = spec.get("aggregate")
        if aggregate is not None and (hit_policy != "collect" or aggregate not in AGGREGATES):
            raise ValueError(f"aggregate must be one of {', '.join(AGGREGATES)} and needs hit_policy collect")
        raw_inputs = spec.get("inputs")
        if not isinstance(raw_inputs, dict) or not raw_inputs:
            raise ValueError("inputs must be a mapping name -> {expr, values}")
        inputs, reads = [], []
        for input_name, input_spec in raw_inputs.items():
            if not isinstance(input_spec, dict) or not isinstance(input_spec.get("expr"), str):
                raise ValueError(f"input {input_name}: needs expr")
            tree = expr.parse(input_spec["expr"])
            for read in expr.names_used(tree):
                if read not in known:
                    raise ValueError(f"input {input_name}: unknown name {read!r}")
                if read not in reads:
                    reads.append(read)
            values = input_spec.get("values")
            if values is not None and not isinstance(values, list):
                raise ValueError(f"input {input_name}: values must be a list")
            inputs.append(Input(input_name, input_spec["expr"], expr.compile_scalar(input_spec["expr"]), values))
        outputs = spec.get("outputs")
        if not isinstance(outputs, list) or not outputs or not all(isinstance(o, str) for o in outputs):
            raise ValueError("outputs must be a non-empty list of names")
        input_names = {i.name for i in inputs}
        rows = []
        raw_rows = spec.get("rows")
        if not isinstance(raw_rows, list) or not raw_rows:
            raise ValueError("rows must be a non-empty list")
        for number, raw in enumerate(raw_rows, start=1):
            if not isinstance(raw, dict) or not isinstance(raw.get("when", {}), dict) or not isinstance(
                    raw.get("then"), dict):
                raise ValueError(f"row {number}: needs when (mapping) and then (mapping)")
            tests = {}
            for input_name, test in (raw.get("when") or {}).items():
                if input_name not in input_names:
                    raise ValueError(f"row {number}: unknown input {input_name!r}")
                tests[input_name] = parse_test(test, parameters)
            if set(raw["then"]) != set(outputs):
                raise ValueError(f"row {number}: then must give exactly the outputs {outputs}")
            then = {k: _operand(v, parameters) for k, v in raw["then"].items()}
            for value in then.values():
                if isinstance(value, float):
                    raise ValueError(f"row {number}: binary floats are not allowed, use integers")
            rows.append(Row(tests, then, number))
        priority = spec.get("priority")
        if hit_policy == "priority" and not isinstance(priority, list):
            raise ValueError("hit_policy priority needs priority: the first output's values, best first")
        default = spec.get("default")
        if default is not None:
            if not isinstance(default, dict) or set(default) != set(outputs):
                raise ValueError(f"default must give exactly the outputs {outputs}")
            default = {k: _operand(v, parameters) for k, v in default.items()}
        return cls(name, hit_policy, inputs, outputs, rows, aggregate, priority, default, reads)

    # --- names the table defines ---------------------------------------------------------
    def output_names(self) -> list[str]:
        if len(self.outputs) == 1:
            return [self.name]
        return [f"{self.name}_{output}" for output in self.outputs]

    # --- one case --------------------------------------------------------------------------
    def row_status(self, row: Row, values: dict[str, Any], params: dict[str, Any]) -> Any:
        """True, False or an Unknown (a tested input is unknown)."""
        unknowns = []
        for input_name, test in row.tests.items():
            value = values[input_name]
            if isinstance(value, expr.Unknown):
                unknowns.append(value)
            elif not _apply(test, value, params):
                return False
        return expr.merge_unknown(*unknowns) if unknowns else True

    def decide(self, statuses: list[Any], params: dict[str, Any]) -> dict[str, Any]:
        """Outputs when unknown rows count as not matching."""
        matched = [row for row, status in zip(self.rows, statuses, strict=True) if status is True]
        return self._outputs(matched, params)

    def _outputs(self, matched: list[Row], params: dict[str, Any]) -> dict[str, Any]:
        then = lambda row: {k: _resolve(v, params) for k, v in row.then.items()}  # noqa: E731
        if self.hit_policy == "collect":
            if self.aggregate is None:
                return {o: [then(row)[o] for row in matched] for o in self.outputs}
            result = {}
            for output in self.outputs:
                values = [then(row)[output] for row in matched]
                if self.aggregate == "count":
                    result[output] = len(values)
                elif self.aggregate == "sum":
                    result[output] = sum(values)
                elif values:
                    result[output] = (max if self.aggregate == "max" else min)(values)
                elif self.default is not None:
                    result[output] = _resolve(self.default[output], params)
                else:
                    raise TableError(f"table {self.name}: no row matched")
            return result
        if not matched:
            if self.default is None:
                raise TableError(f"table {self.name}: no row matched (a gap in the table)")
            return {k: _resolve(v, params) for k, v in self.default.items()}
        if self.hit_policy == "unique" and len(matched) > 1:
            raise TableError(f"table {self.name}: rows {', '.join(str(r.number) for r in matched)} all match")
        if self.hit_policy == "priority":
            first_output = self.outputs[0]
            rank = {value: i for i, value in enumerate(self.priority)}
            matched = sorted(matched, key=lambda row: rank.get(_resolve(row.then[first_output], params), len(rank)))
        return then(matched[0])

    def evaluate(self, env: dict[str, Any], params: dict[str, Any], strict: bool) -> tuple[dict, dict, Any]:
        """Return (outputs, input values, matched-any) for one case.

        In analysis mode an output that depends on an unknown row becomes an Unknown carrying the
        facts of the unknown inputs, unless every possible outcome gives the same value.
        """
        values = {i.name: i.scalar(env) for i in self.inputs}
        statuses = [self.row_status(row, values, params) for row in self.rows]
        strict_statuses = [s if s is True else False for s in statuses]
        try:
            outputs = self.decide(strict_statuses, params)
        except TableError:
            if strict or not any(isinstance(s, expr.Unknown) for s in statuses):
                raise
            outputs = {o: expr.UNKNOWN for o in self.outputs}
        if not strict and any(isinstance(s, expr.Unknown) for s in statuses):
            taint = expr.merge_unknown(*(s for s in statuses if isinstance(s, expr.Unknown)))
            unknown_positions = [i for i, s in enumerate(statuses) if isinstance(s, expr.Unknown)]
            # try each unknown row as matching (alone and with the strict matches); differing outputs -> unknown
            alternatives = []
            for position in unknown_positions:
                trial = list(strict_statuses)
                trial[position] = True
                try:
                    alternatives.append(self.decide(trial, params))
                except TableError:
                    alternatives.append(None)
            for output in self.outputs:
                if any(alt is None or alt[output] != outputs[output] for alt in alternatives):
                    outputs[output] = taint
        matched_any = any(s is True for s in statuses)
        return outputs, values, matched_any
