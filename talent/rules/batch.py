"""Vectorised evaluation of many cases (NumPy), the fast path of ``decide_many`` and ``rules eval``.

Cases are grouped by policy version and parameter period (so every parameter is one scalar in a
group), turned into columns, and each step runs once per group over whole arrays. The results are
the strict-mode results of the one-case closures; a test asserts equality on random cases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import numpy as np

from talent.rules import dates, expr
from talent.rules.engine import NOT_ELIGIBLE, Engine
from talent.rules.facts import FACT_INDEX, FACT_NAMES, KIND_OF
from talent.rules.policy import PROGRAMMES, Policy
from talent.rules.tables import Table, TableError, _resolve

_LIST_FIELDS = {"privilege_card": "services", "housing_subsidy": "instalments"}
_INT_KINDS = {"date", "history_date", "money", "count"}
_OBJECT_FILL = {"division": "", "honours": (), "enum:education": "", "enum:title": "", "enum:employer_kind": "",
                "enum:role_kind": ""}


def _column(kind: str, values: list[Any]) -> tuple[Any, Any]:
    present = [v is not None for v in values]
    known = None if all(present) else np.array(present, dtype=bool)
    if kind in ("bool", "presence"):
        return np.array([v is True for v in values], dtype=bool), known
    if kind in _INT_KINDS:
        return np.array([0 if v is None else v for v in values], dtype=np.int64), known
    if kind == "number":
        filled = [0 if v is None else v for v in values]
        if all(type(v) is int for v in filled):
            return np.array(filled, dtype=np.int64), known
        array = np.empty(len(filled), dtype=object)
        array[:] = filled
        return array, known
    fill = _OBJECT_FILL.get(kind, "")
    array = np.empty(len(values), dtype=object)
    array[:] = [fill if v is None else v for v in values]
    return array, known


def _test_mask(test, values, params, n):
    operand = _resolve(test.operand, params)
    if test.kind == "in":
        mask = np.zeros(n, dtype=bool)
        for item in operand:
            mask |= _eq(values, item, n)
        return mask
    if test.kind == "eq":
        return _eq(values, operand, n)
    import operator

    ops = {"<=": operator.le, ">=": operator.ge, "!=": operator.ne, "==": operator.eq, "<": operator.lt,
           ">": operator.gt}
    if values.dtype == object:
        return np.fromiter((v is not None and ops[test.op](v, operand) for v in values.tolist()), bool, n)
    return np.asarray(ops[test.op](values, operand), dtype=bool)


def _eq(values, operand, n):
    if not isinstance(values, np.ndarray):
        return np.full(n, values == operand and isinstance(values, bool) == isinstance(operand, bool))
    if values.dtype == bool:
        return values == operand if isinstance(operand, bool) else np.zeros(n, dtype=bool)
    if isinstance(operand, bool):
        return np.fromiter((v is operand for v in values.tolist()), bool, n) if values.dtype == object \
            else np.zeros(n, dtype=bool)
    if operand is None:
        return np.fromiter((v is None for v in values.tolist()), bool, n) if values.dtype == object \
            else np.zeros(n, dtype=bool)
    return np.asarray(values == operand, dtype=bool)


def _output_array(values: list[Any], n: int):
    if all(type(v) is int for v in values):
        return np.zeros(n, dtype=np.int64), True
    array = np.empty(n, dtype=object)
    array[:] = [None] * n
    return array, False


def _table(table: Table, env: dict[str, Any], params: dict[str, Any], n: int) -> dict[str, Any]:
    inputs = {}
    for item in table.inputs:
        values, known = item.vector()(env)
        if not isinstance(values, np.ndarray):
            values = np.broadcast_to(np.asarray(values, dtype=object if values is None or isinstance(values, str)
                                                else None), (n,))
        inputs[item.name] = (values, known)
    masks = []
    for row in table.rows:
        mask = np.ones(n, dtype=bool)
        for name, test in row.tests.items():
            values, known = inputs[name]
            mask &= _test_mask(test, values, params, n)
            if known is not None:
                mask &= known
        masks.append(mask)
    resolved = [{k: _resolve(v, params) for k, v in row.then.items()} for row in table.rows]
    default = None if table.default is None else {k: _resolve(v, params) for k, v in table.default.items()}
    results = {}
    any_match = np.logical_or.reduce(masks) if masks else np.zeros(n, dtype=bool)
    if table.hit_policy == "collect":
        for output in table.outputs:
            if table.aggregate is None:
                lists: list[list[Any]] = [[] for _ in range(n)]
                for mask, then in zip(masks, resolved, strict=True):
                    for i in np.flatnonzero(mask).tolist():
                        lists[i].append(then[output])
                array = np.empty(n, dtype=object)
                array[:] = lists
                results[output] = array
            elif table.aggregate == "count":
                results[output] = np.sum(masks, axis=0).astype(np.int64)
            elif table.aggregate == "sum":
                results[output] = np.sum([np.where(m, t[output], 0) for m, t in zip(masks, resolved, strict=True)],
                                         axis=0)
            else:
                is_max = table.aggregate == "max"
                sentinel = np.iinfo(np.int64).min if is_max else np.iinfo(np.int64).max
                stacked = np.array([np.where(m, t[output], sentinel) for m, t in zip(masks, resolved, strict=True)],
                                   dtype=np.int64)
                result = stacked.max(axis=0) if is_max else stacked.min(axis=0)
                if not any_match.all():
                    if default is None:
                        raise TableError(f"table {table.name}: no row matched")
                    result = np.where(any_match, result, default[output])
                results[output] = result
        return results
    if table.hit_policy == "unique" and (np.sum(masks, axis=0) > 1).any():
        raise TableError(f"table {table.name}: several rows match")
    if not any_match.all() and default is None:
        raise TableError(f"table {table.name}: no row matched (a gap in the table)")
    order = list(range(len(table.rows)))
    if table.hit_policy == "priority":
        rank = {value: i for i, value in enumerate(table.priority)}
        order.sort(key=lambda i: rank.get(resolved[i][table.outputs[0]], len(rank)))
    for output in table.outputs:
        candidates = [resolved[i][output] for i in order] + ([default[output]] if default else [])
        result, is_int = _output_array(candidates, n)
        if default is not None:
            result[:] = default[output] if is_int else [default[output]] * n
        for i in reversed(order):  # so that the first row in order wins
            if is_int:
                result[masks[i]] = resolved[i][output]
            else:
                result[masks[i]] = [resolved[i][output]] * int(masks[i].sum()) if isinstance(
                    resolved[i][output], list) else resolved[i][output]
        results[output] = result
    return results


def evaluate_group(policy: Policy, records: list[list[Any]], params: dict[str, Any]) -> dict[str, Any]:
    """Run every step over the group's columns; return name -> (values, known)."""
    n = len(records)
    env: dict[str, Any] = {"__n__": n}
    for name, value in params.items():
        env[name] = (value, None)
    columns = list(zip(*records, strict=True))
    for index, name in enumerate(FACT_NAMES):
        env[name] = _column(KIND_OF[name], list(columns[index]))
    for step in policy.steps:
        if step.kind == "table":
            outputs = _table(step.table, env, params, n)
            for output, name in zip(step.table.outputs, step.table.output_names(), strict=True):
                env[name] = (outputs[output], None)
            continue
        values, known = step.vector()(env)
        if step.kind == "rule":
            values = np.broadcast_to(np.asarray(values, dtype=bool), (n,))
            if known is not None:
                values = values & known
            env[step.name] = (values, None)
        else:
            env[step.name] = (values, known)
    return env


def _as_list(value: Any, n: int) -> list[Any]:
    values = value[0] if isinstance(value, tuple) else value
    if isinstance(values, np.ndarray):
        if values.shape == ():
            return [values.item()] * n
        return values.tolist()
    return [values] * n


def shape_group(policy: Policy, records: list[list[Any]], env: dict[str, Any]) -> list[dict[str, Any]]:
    """Build the decisions of one group (same shape as Engine._shape)."""
    n = len(records)
    mapping = policy.decision
    application = [r[FACT_INDEX["application_date"]] for r in records]
    births = [r[FACT_INDEX["birth_date"]] for r in records]
    application_iso = dates.v_iso(application)
    ages = dates.v_age_on(births, application).tolist()
    eligible = _as_list(env[mapping["eligible"]], n)
    tier = _as_list(env[mapping["tier"]], n) if "tier" in mapping else [None] * n
    track = _as_list(env[mapping["track"]], n) if "track" in mapping else [None] * n
    programme_columns = []
    for programme, fields in PROGRAMMES.items():
        spec = mapping.get("programmes", {}).get(programme)
        if spec is None:
            programme_columns.append((programme, None, None))
            continue
        flags = _as_list(env[spec["eligible"]], n)
        columns = {}
        for field_name in fields:
            value = env[spec[field_name]]
            column = _as_list(value, n)
            if programme == "privilege_card" and field_name == "valid_until":
                column = dates.v_iso(np.asarray(column, dtype=np.int64))
            columns[field_name] = column
        programme_columns.append((programme, flags, columns))
    decisions = []
    for i in range(n):
        programmes = {}
        for programme, flags, columns in programme_columns:
            if flags is None or not flags[i]:
                result = {"in_force": flags is not None, "eligible": False, **NOT_ELIGIBLE[programme]}
                if programme in _LIST_FIELDS:  # fresh lists: callers may change one decision
                    result[_LIST_FIELDS[programme]] = []
                programmes[programme] = result
            else:
                result = {"in_force": True, "eligible": True}
                for field_name, column in columns.items():
                    value = column[i]
                    if field_name == "instalment_count":
                        from talent.rules.engine import split_instalments

                        result["instalments"] = split_instalments(int(columns["total"][i]), int(value),
                                                                  application[i])
                        continue
                    if isinstance(value, tuple):
                        value = list(value)
                    elif isinstance(value, Decimal):
                        value = int(value) if value == int(value) else str(value)
                    result[field_name] = value
                programmes[programme] = result
        decisions.append({
            "policy": policy.id,
            "application_date": application_iso[i],
            "eligible": bool(eligible[i]),
            "tier": tier[i],
            "track": track[i],
            "age": ages[i],
            "programmes": programmes,
        })
    return decisions


def decide_records(engine: Engine, records: Iterable[tuple[int, list[Any], Policy]],
                   chunk: int = 10_000) -> Iterator[tuple[int, dict[str, Any] | Exception]]:
    """Yield (position, decision) for normalised records, evaluated in vectorised groups."""
    groups: dict[tuple[str, int], list[tuple[int, list[Any], Policy]]] = {}
    for item in records:
        position, record, policy = item
        key = (policy.id, policy.period_of(record[FACT_INDEX["application_date"]]))
        groups.setdefault(key, []).append(item)
    for items in groups.values():
        for start in range(0, len(items), chunk):
            part = items[start:start + chunk]
            policy = part[0][2]
            group_records = [record for _, record, _ in part]
            params = policy.parameter_values(group_records[0][FACT_INDEX["application_date"]])
            try:
                env = evaluate_group(policy, group_records, params)
                decisions = shape_group(policy, group_records, env)
            except expr.EvaluationError:
                # a table gap or an evaluation error in this chunk: decide one by one to isolate it
                for position, record, item_policy in part:
                    yield position, engine._guarded(record, item_policy, False)
                continue
            for (position, _, _), decision in zip(part, decisions, strict=True):
                yield position, decision
