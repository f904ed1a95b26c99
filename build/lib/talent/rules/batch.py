"""Vectorised evaluation of many cases (NumPy), the fast path of ``decide_many`` and ``rules eval``.

Cases (validated column by column, see columns.py) are grouped by policy version and parameter period
(so every parameter is one scalar in a group), and each step runs once per group over whole arrays.
The results are the strict-mode results of the one-case closures; a test asserts equality on random
cases. The decisions come out as dicts (``decide_many``) or directly as JSON text (``rules eval``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from typing import Any

import numpy as np

from talent.rules import dates, expr
from talent.rules.columns import NormalisedFacts, fact_array
from talent.rules.engine import NOT_ELIGIBLE, Engine, split_instalments
from talent.rules.expr import _is_none, per_distinct
from talent.rules.facts import FACT_INDEX, FACT_NAMES, KIND_OF, InputError
from talent.rules.policy import PROGRAMMES, Policy
from talent.rules.tables import Table, TableError, _resolve

try:
    from orjson import dumps as _dumps
except ImportError:  # orjson is a speed-up; the standard library writes the same text for these values
    import json

    def _dumps(value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

_NONE_TYPE = type(None)
_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1  # the integers orjson writes
_LIST_FIELDS = {"privilege_card": "services", "housing_subsidy": "instalments"}


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
        compare = ops[test.op]
        return per_distinct(values.tolist(), lambda v: v is not None and compare(v, operand))
    return np.asarray(ops[test.op](values, operand), dtype=bool)


def _eq(values, operand, n):
    if not isinstance(values, np.ndarray):
        return np.full(n, values == operand and isinstance(values, bool) == isinstance(operand, bool))
    if values.dtype == bool:
        return values == operand if isinstance(operand, bool) else np.zeros(n, dtype=bool)
    if isinstance(operand, bool):  # by identity: a 1 is not true (so not per distinct value: 1 == True)
        return np.fromiter((v is operand for v in values.tolist()), bool, n) if values.dtype == object \
            else np.zeros(n, dtype=bool)
    if operand is None:
        return per_distinct(values.tolist(), _is_none) if values.dtype == object else np.zeros(n, dtype=bool)
    return np.asarray(values == operand, dtype=bool)


def _output_array(values: list[Any], n: int):
    if all(type(v) is int for v in values):
        return np.zeros(n, dtype=np.int64), True
    array = np.empty(n, dtype=object)
    array[:] = [None] * n
    return array, False


def _distinct_codes(values: np.ndarray, env: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """(distinct values, code of each value) of a column of texts and None, else None.

    A row test then runs on the few distinct values and reaches every case by its code: a tier or a
    degree column has a handful of values among thousands of cases, and several tables test it.
    """
    cache = env.setdefault("__distinct__", {})
    if id(values) in cache and cache[id(values)][0] is values:
        return cache[id(values)][1]
    coded = None
    if values.dtype == object and values.ndim == 1:
        items = values.tolist()
        if set(map(type, items)) <= {str, _NONE_TYPE}:  # values equal only when the same: tests agree on them
            index = {key: i for i, key in enumerate(dict.fromkeys(items))}
            coded = (np.fromiter(index, dtype=object, count=len(index)),
                     np.fromiter(map(index.__getitem__, items), dtype=np.int64, count=len(items)))
    cache[id(values)] = (values, coded)
    return coded


def _table(table: Table, env: dict[str, Any], params: dict[str, Any], n: int) -> dict[str, Any]:
    inputs = {}
    for item in table.inputs:
        values, known = item.vector()(env)
        if not isinstance(values, np.ndarray):
            values = np.broadcast_to(np.asarray(values, dtype=object if values is None or isinstance(values, str)
                                                else None), (n,))
        inputs[item.name] = (values, known, _distinct_codes(values, env))
    masks = []
    for row in table.rows:
        mask = np.ones(n, dtype=bool)
        for name, test in row.tests.items():
            values, known, coded = inputs[name]
            if coded is None:
                mask &= _test_mask(test, values, params, n)
            else:
                distinct, codes = coded
                mask &= _test_mask(test, distinct, params, len(distinct))[codes]
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


def evaluate_arrays(policy: Policy, facts: list[tuple], params: dict[str, Any], n: int) -> dict[str, Any]:
    """Run every step over the group's fact arrays (FACT_NAMES order, see fact_array); name -> (values, known)."""
    env: dict[str, Any] = {"__n__": n}
    for name, value in params.items():
        env[name] = (value, None)
    env.update(zip(FACT_NAMES, facts, strict=True))
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


def evaluate_group(policy: Policy, records: list[list[Any]], params: dict[str, Any]) -> dict[str, Any]:
    """``evaluate_arrays`` for normalised records (one list per case)."""
    columns = [list(column) for column in zip(*records, strict=True)]
    facts = [fact_array(KIND_OF[name], column) for name, column in zip(FACT_NAMES, columns, strict=True)]
    return evaluate_arrays(policy, facts, params, len(records))


def _group_arrays(arrays: list[tuple], positions: np.ndarray) -> list[tuple]:
    """The fact arrays at ``positions``, as fact_array would make them from those cases alone."""
    group = []
    for name, (values, known) in zip(FACT_NAMES, arrays, strict=True):
        values = values[positions]
        if known is not None:
            known = known[positions]
            if known.all():
                known = None
        if values.dtype == object and KIND_OF[name] == "number" and set(map(type, values.tolist())) <= {int}:
            values = values.astype(np.int64)
        group.append((values, known))
    return group


def _values(value: Any, n: int, rows: np.ndarray | None = None) -> list[Any]:
    """The values of an evaluated name (an ``env`` entry), at ``rows`` (all n when None), as a list."""
    values = value[0] if isinstance(value, tuple) else value
    if isinstance(values, np.ndarray):
        if values.shape != ():
            return (values if rows is None else values[rows]).tolist()
        values = values.item()
    return [values] * (n if rows is None else len(rows))


def _flags(value: Any, n: int) -> np.ndarray:
    """An evaluated condition as one bool per case (truth of each value)."""
    values = value[0] if isinstance(value, tuple) else value
    if isinstance(values, np.ndarray) and values.dtype == bool and values.shape == (n,):
        return values
    return np.array([bool(v) for v in _values(value, n)], dtype=bool)


def _iso_dates(ordinals: np.ndarray) -> list[str]:
    """ISO text of each ordinal, converting each distinct day once (a group has few application days)."""
    distinct, inverse = np.unique(ordinals, return_inverse=True)
    return np.array(dates.v_iso(distinct), dtype=object)[inverse.reshape(-1)].tolist()


def _plain(value: Any) -> Any:
    """A programme field value as the decision holds it (lists, whole yuan as int, other decimals as text)."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else str(value)
    return value


@dataclass
class _Programme:
    """One programme of one evaluated group: which cases are eligible, and how to read its fields."""

    name: str
    in_force: bool
    eligible: np.ndarray  # bool per case (all false when not in force)
    fields: dict[str, Any]  # decision field -> env entry (instalment_count: the number of parts)

    def field_values(self, field_name: str, n: int, rows: np.ndarray) -> list[Any]:
        values = _values(self.fields[field_name], n, rows)
        if self.name == "privilege_card" and field_name == "valid_until":
            return dates.v_iso(np.asarray(values, dtype=np.int64))
        return values

    def eligible_values(self, n: int, rows: np.ndarray, applications: np.ndarray) -> list[dict[str, Any]]:
        """The fields of the eligible programme, for the cases at ``rows`` (as the decision holds them)."""
        columns = {field_name: self.field_values(field_name, n, rows) for field_name in self.fields}
        results = []
        for k, application in enumerate(applications[rows].tolist()):
            result: dict[str, Any] = {"in_force": True, "eligible": True}
            for field_name, column in columns.items():
                if field_name == "instalment_count":
                    result["instalments"] = split_instalments(int(columns["total"][k]), int(column[k]), application)
                else:
                    result[field_name] = _plain(column[k])
            results.append(result)
        return results


def _programmes(policy: Policy, env: dict[str, Any], n: int) -> list[_Programme]:
    programmes = []
    for programme, fields in PROGRAMMES.items():
        spec = policy.decision.get("programmes", {}).get(programme)
        if spec is None:
            programmes.append(_Programme(programme, False, np.zeros(n, dtype=bool), {}))
        else:
            programmes.append(_Programme(programme, True, _flags(env[spec["eligible"]], n),
                                         {field_name: env[spec[field_name]] for field_name in fields}))
    return programmes


def _top_values(policy: Policy, env: dict[str, Any], n: int) -> dict[str, list[Any]]:
    """The decision fields before ``programmes``, in decision order, one list each (but ``policy``)."""
    mapping = policy.decision
    application = env["application_date"][0]
    return {
        "application_date": _iso_dates(application),
        "eligible": _flags(env[mapping["eligible"]], n).tolist(),
        "tier": _values(env[mapping["tier"]], n) if "tier" in mapping else [None] * n,
        "track": _values(env[mapping["track"]], n) if "track" in mapping else [None] * n,
        "age": dates.v_age_on(env["birth_date"][0], application).tolist(),
    }


def _not_eligible(programme: str, in_force: bool) -> dict[str, Any]:
    result = {"in_force": in_force, "eligible": False, **NOT_ELIGIBLE[programme]}
    if programme in _LIST_FIELDS:  # fresh lists: callers may change one decision
        result[_LIST_FIELDS[programme]] = []
    return result


def shape_group(policy: Policy, env: dict[str, Any]) -> list[dict[str, Any]]:
    """The decisions of one evaluated group as dicts (same shape as Engine._shape)."""
    n = len(env["application_date"][0])
    top = _top_values(policy, env, n)
    programmes = _programmes(policy, env, n)
    eligible_values = {}
    for programme in programmes:
        rows = np.flatnonzero(programme.eligible)
        eligible_values[programme.name] = dict(zip(
            rows.tolist(), programme.eligible_values(n, rows, env["application_date"][0]), strict=True))
    decisions = []
    for i, (application, eligible, tier, track, age) in enumerate(zip(*top.values(), strict=True)):
        decisions.append({
            "policy": policy.id,
            "application_date": application,
            "eligible": eligible,
            "tier": tier,
            "track": track,
            "age": age,
            "programmes": {
                programme.name: eligible_values[programme.name].get(i)
                or _not_eligible(programme.name, programme.in_force)
                for programme in programmes
            },
        })
    return decisions


# --- the same decisions as JSON text (``rules eval``) -------------------------------------------
# Byte for byte what ``dumps(decision)`` writes for the dicts of shape_group, without building the
# dicts: each column becomes JSON text once per distinct value, and each decision is joined from those
# texts and the constant text between them (str.join copies; %-formatting would parse the template
# again for every decision).

def _dumps_text(value: Any) -> str:
    return _dumps(value).decode()


def _json_texts(values: list[Any]) -> list[str]:
    """The JSON text of each value."""
    kinds = set(map(type, values))
    if kinds == {int} and _INT64_MIN <= min(values) and max(values) <= _UINT64_MAX:
        return list(map(str, values))
    if kinds <= {str, _NONE_TYPE}:
        texts = {value: _dumps_text(value) for value in set(values)}
        return list(map(texts.__getitem__, values))
    if kinds == {bool}:
        return ["true" if value else "false" for value in values]
    return list(map(_dumps_text, values))


def encode_group(policy: Policy, env: dict[str, Any]) -> list[str]:
    """The decisions of one evaluated group as JSON text: ``dumps(d).decode()`` for each d of shape_group."""
    application = env["application_date"][0]
    n = len(application)
    top = _top_values(policy, env, n)
    programmes = _programmes(policy, env, n)
    # the programmes object: one text shared by the decisions where no programme is eligible
    not_eligible = [f"{_dumps_text(p.name)}:{_dumps_text(_not_eligible(p.name, p.in_force))}" for p in programmes]
    texts = ["{" + ",".join(not_eligible) + "}"] * n
    any_eligible = np.logical_or.reduce([p.eligible for p in programmes])
    rows = np.flatnonzero(any_eligible)
    if len(rows):
        parts: list[list[str]] = []
        for programme, constant in zip(programmes, not_eligible, strict=True):
            part = [constant] * len(rows)
            chosen = np.flatnonzero(programme.eligible[rows])
            eligible = programme.eligible_values(n, rows[chosen], application)
            for k, value in zip(chosen.tolist(), eligible, strict=True):
                part[k] = f"{_dumps_text(programme.name)}:{_dumps_text(value)}"
            parts.append(part)
        for i, text in zip(rows.tolist(), map(",".join, zip(*parts, strict=True)), strict=True):
            texts[i] = "{" + text + "}"
    pieces: list[Any] = [repeat(f"{{{_dumps_text('policy')}:{_dumps_text(policy.id)}")]
    for name, values in top.items():
        pieces += [repeat(f",{_dumps_text(name)}:"), _json_texts(values)]
    pieces += [repeat(f",{_dumps_text('programmes')}:"), texts, repeat("}")]
    return list(map("".join, zip(*pieces, strict=False)))  # (the repeats are endless)


# --- many cases ------------------------------------------------------------------------------

def decide_normalised(engine: Engine, normalised: NormalisedFacts, *, as_json: bool = False,
                      group_size: int = 20_000) -> Iterator[tuple[list[int], list[Any]]]:
    """Yield (positions, decisions) group by group; a decision is a dict, or its JSON text with ``as_json``.

    A group that a table gap or an evaluation error stops is decided case by case, so that only the
    cases concerned get an InputError (in place of their decision).
    """
    shape = encode_group if as_json else shape_group
    for policy, all_positions in normalised.groups:
        for start in range(0, len(all_positions), group_size):
            positions = all_positions[start:start + group_size]
            facts = _group_arrays(normalised.arrays, positions)
            params = policy.parameter_values(int(facts[FACT_INDEX["application_date"]][0][0]))
            try:
                decisions = shape(policy, evaluate_arrays(policy, facts, params, len(positions)))
            except expr.EvaluationError:
                decisions = []
                for position in positions.tolist():
                    decision = engine._guarded(normalised.record(position), policy, False)
                    if as_json and not isinstance(decision, InputError):
                        decision = _dumps_text(decision)
                    decisions.append(decision)
            yield positions.tolist(), decisions
