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


def _as_list(value: Any, n: int) -> list[Any]:
    values = value[0] if isinstance(value, tuple) else value
    if isinstance(values, np.ndarray):
        if values.shape == ():
            return [values.item()] * n
        return values.tolist()
    return [values] * n


def _plain(value: Any) -> Any:
    """A programme field value as the decision holds it (lists, whole yuan as int, other decimals as text)."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else str(value)
    return value


@dataclass
class _ProgrammeColumns:
    name: str
    eligible: list[Any] | None  # None: the programme is not in force in this version
    fields: dict[str, list[Any]]  # decision field -> values (instalment_count: the number of parts)


@dataclass
class _DecisionColumns:
    """The decisions of one group, field by field, before they become dicts or JSON text."""

    policy: str
    application: list[int]
    application_iso: list[str]
    eligible: list[Any]
    tier: list[Any]
    track: list[Any]
    age: list[int]
    programmes: list[_ProgrammeColumns]

    def instalments(self, fields: dict[str, list[Any]], i: int) -> list[dict[str, Any]]:
        return split_instalments(int(fields["total"][i]), int(fields["instalment_count"][i]), self.application[i])


def _decision_columns(policy: Policy, env: dict[str, Any]) -> _DecisionColumns:
    mapping = policy.decision
    application = env["application_date"][0]
    n = len(application)
    programmes = []
    for programme, fields in PROGRAMMES.items():
        spec = mapping.get("programmes", {}).get(programme)
        if spec is None:
            programmes.append(_ProgrammeColumns(programme, None, {}))
            continue
        values = {}
        for field_name in fields:
            column = _as_list(env[spec[field_name]], n)
            if programme == "privilege_card" and field_name == "valid_until":
                column = dates.v_iso(np.asarray(column, dtype=np.int64))
            values[field_name] = column
        programmes.append(_ProgrammeColumns(programme, _as_list(env[spec["eligible"]], n), values))
    return _DecisionColumns(
        policy=policy.id,
        application=application.tolist(),
        application_iso=dates.v_iso(application),
        eligible=_as_list(env[mapping["eligible"]], n),
        tier=_as_list(env[mapping["tier"]], n) if "tier" in mapping else [None] * n,
        track=_as_list(env[mapping["track"]], n) if "track" in mapping else [None] * n,
        age=dates.v_age_on(env["birth_date"][0], application).tolist(),
        programmes=programmes,
    )


def _not_eligible(programme: str, in_force: bool) -> dict[str, Any]:
    result = {"in_force": in_force, "eligible": False, **NOT_ELIGIBLE[programme]}
    if programme in _LIST_FIELDS:  # fresh lists: callers may change one decision
        result[_LIST_FIELDS[programme]] = []
    return result


def _eligible_fields(columns: _DecisionColumns, programme: _ProgrammeColumns, i: int) -> dict[str, Any]:
    result: dict[str, Any] = {"in_force": True, "eligible": True}
    for field_name, column in programme.fields.items():
        if field_name == "instalment_count":
            result["instalments"] = columns.instalments(programme.fields, i)
        else:
            result[field_name] = _plain(column[i])
    return result


def shape_group(policy: Policy, env: dict[str, Any]) -> list[dict[str, Any]]:
    """The decisions of one evaluated group as dicts (same shape as Engine._shape)."""
    decided = _decision_columns(policy, env)
    decisions = []
    for i in range(len(decided.application)):
        programmes = {}
        for programme in decided.programmes:
            if programme.eligible is None or not programme.eligible[i]:
                programmes[programme.name] = _not_eligible(programme.name, programme.eligible is not None)
            else:
                programmes[programme.name] = _eligible_fields(decided, programme, i)
        decisions.append({
            "policy": decided.policy,
            "application_date": decided.application_iso[i],
            "eligible": bool(decided.eligible[i]),
            "tier": decided.tier[i],
            "track": decided.track[i],
            "age": decided.age[i],
            "programmes": programmes,
        })
    return decisions


# --- the same decisions as JSON text (``rules eval``) -------------------------------------------
# Byte for byte what ``dumps(decision)`` writes for the dicts of shape_group, without building the
# dicts: the parts that are the same in every decision of a group are written once into a %-template,
# and each column is turned into JSON text once per distinct value.

def _dumps_text(value: Any) -> str:
    return _dumps(value).decode()


def _json_texts(values: list[Any], plain: bool = False) -> list[str]:
    """The JSON text of each value (of each ``_plain(value)`` with ``plain``)."""
    kinds = set(map(type, values))
    if kinds == {int} and _INT64_MIN <= min(values) and max(values) <= _UINT64_MAX:
        return list(map(str, values))
    if kinds <= {str, _NONE_TYPE}:
        texts = {value: _dumps_text(value) for value in set(values)}
        return list(map(texts.__getitem__, values))
    if kinds == {bool}:
        return ["true" if value else "false" for value in values]
    return [_dumps_text(_plain(value) if plain else value) for value in values]


def _template_text(value: Any) -> str:
    """JSON text of a constant, ready to stand in a %-template."""
    return _dumps_text(value).replace("%", "%%")


def _programme_texts(decided: _DecisionColumns, programme: _ProgrammeColumns) -> list[str] | str:
    """The JSON text of one programme in each decision (one text when it is the same in all)."""
    name = programme.name
    if programme.eligible is None:
        return _template_text(_not_eligible(name, False))
    not_eligible = _dumps_text(_not_eligible(name, True))
    chosen = [i for i, flag in enumerate(programme.eligible) if flag]
    if not chosen:
        return not_eligible.replace("%", "%%")
    texts = [not_eligible] * len(programme.eligible)
    parts = []
    for field_name, column in programme.fields.items():
        if field_name == "instalment_count":
            parts.append(("instalments", [_dumps_text(decided.instalments(programme.fields, i)) for i in chosen]))
        else:
            parts.append((field_name, _json_texts([column[i] for i in chosen], plain=True)))
    template = _template_text({"in_force": True, "eligible": True})[:-1] + "".join(
        f",{_template_text(field_name)}:%s" for field_name, _ in parts) + "}"
    for i, text in zip(chosen, map(template.__mod__, zip(*(column for _, column in parts), strict=True)),
                       strict=True):
        texts[i] = text
    return texts


def encode_group(policy: Policy, env: dict[str, Any]) -> list[str]:
    """The decisions of one evaluated group as JSON text: ``dumps(d).decode()`` for each d of shape_group."""
    decided = _decision_columns(policy, env)
    varying: list[list[str]] = [
        _json_texts(decided.application_iso),
        ["true" if flag else "false" for flag in decided.eligible],
        _json_texts(decided.tier),
        _json_texts(decided.track),
        _json_texts(decided.age),
    ]
    programme_parts = []
    for programme in decided.programmes:
        texts = _programme_texts(decided, programme)
        if isinstance(texts, str):
            programme_parts.append(f"{_template_text(programme.name)}:{texts}")
        else:
            programme_parts.append(f"{_template_text(programme.name)}:%s")
            varying.append(texts)
    template = (
        f'{{"policy":{_template_text(decided.policy)},"application_date":%s,"eligible":%s,"tier":%s,'
        f'"track":%s,"age":%s,"programmes":{{{",".join(programme_parts)}}}}}'
    )
    return list(map(template.__mod__, zip(*varying, strict=True)))


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
