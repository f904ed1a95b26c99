"""Loading a policy YAML file into a compiled ``Policy`` (see docs/policy-authoring.md)."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from talent.rules import expr
from talent.rules.facts import FACT_NAMES
from talent.rules.tables import Table

PROGRAMMES: dict[str, tuple[str, ...]] = {
    # programme -> its decision fields besides in_force/eligible (POLICY.md section 7)
    "privilege_card": ("valid_until", "services"),
    "housing_subsidy": ("kind", "total", "instalment_count"),
    "living_allowance": ("kind", "monthly", "months", "total"),
    "purchase_measure_2022q3": ("amount",),
    "youth_apartment": ("monthly_rent", "max_months"),
}
TOP_FIELDS = ("eligible", "tier", "track")


class PolicyError(ValueError):
    """A policy file that cannot be loaded; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class Parameter:
    name: str
    unit: str
    reference: str
    description: dict[str, str]
    values: list[tuple[int, Any]]  # (effective_from ordinal, value), sorted

    def at(self, ordinal: int) -> tuple[int, Any]:
        index = bisect.bisect_right([start for start, _ in self.values], ordinal) - 1
        if index < 0:
            raise KeyError(f"parameter {self.name} has no value on {dt.date.fromordinal(ordinal)}")
        return self.values[index]


@dataclass
class Step:
    kind: str  # "rule" | "value" | "table"
    name: str
    source: str | None
    spec: dict[str, Any]
    reads: list[str] = field(default_factory=list)
    scalar: Any = None
    table: Table | None = None
    _vector: Any = None

    def vector(self):
        if self._vector is None and self.kind != "table":
            self._vector = expr.compile_vector(self.source)
        return self._vector


@dataclass
class Policy:
    id: str
    title: dict[str, str]
    effective_from: int
    effective_to: int | None
    reference: str
    parameters: dict[str, Parameter]
    steps: list[Step]
    decision: dict[str, Any]
    path: str = ""
    change_dates: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "effective_from": dt.date.fromordinal(self.effective_from).isoformat(),
            "effective_to": None if self.effective_to is None else dt.date.fromordinal(self.effective_to).isoformat(),
            "title": dict(self.title),
        }

    def covers(self, ordinal: int) -> bool:
        return self.effective_from <= ordinal and (self.effective_to is None or ordinal <= self.effective_to)

    def parameter_values(self, ordinal: int) -> dict[str, Any]:
        return {name: parameter.at(ordinal)[1] for name, parameter in self.parameters.items()}

    def period_of(self, ordinal: int) -> int:
        """Index of the parameter period containing ``ordinal`` (cases in one period share values)."""
        return bisect.bisect_right(self.change_dates, ordinal)

    def in_force(self, programme: str) -> bool:
        return programme in self.decision.get("programmes", {})


def _ordinal(value: Any, where: str, problems: list[str]) -> int | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.toordinal()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).toordinal()
        except ValueError:
            pass
    problems.append(f"{where}: {value!r} is not a date YYYY-MM-DD")
    return None


def _parameter_value(value: Any) -> Any:
    """Lists become frozensets (membership tests); dates become ordinals; numbers stay exact."""
    if isinstance(value, list):
        return frozenset(value)
    if isinstance(value, dt.date):
        return value.toordinal()
    return value


def read_yaml(path: str | Path) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when libyaml is present
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader


def load_policy(path: str | Path) -> Policy:
    """Load and compile one policy file; raise PolicyError listing the problems."""
    try:
        document = read_yaml(path)
    except Exception as exc:  # YAML syntax errors of every kind end up as a problem, not a crash
        raise PolicyError([f"{path}: cannot be read as YAML: {exc}"]) from None
    return build_policy(document, str(path))


def build_policy(document: Any, where: str = "<policy>") -> Policy:
    problems: list[str] = []
    if not isinstance(document, dict):
        raise PolicyError([f"{where}: a policy file must be a mapping"])
    for key in ("id", "title", "effective_from", "parameters", "steps", "decision"):
        if key not in document:
            problems.append(f"{where}: missing key {key!r}")
    if problems:
        raise PolicyError(problems)
    policy_id = document["id"]
    if not isinstance(policy_id, str) or not policy_id:
        problems.append(f"{where}: id must be a non-empty text")
    title = document["title"]
    if not (isinstance(title, dict) and isinstance(title.get("zh"), str) and isinstance(title.get("en"), str)):
        problems.append(f"{where}: title needs zh and en texts")
        title = {"zh": "", "en": ""}
    start = _ordinal(document["effective_from"], f"{where}: effective_from", problems)
    end_value = document.get("effective_to")
    end = None if end_value is None else _ordinal(end_value, f"{where}: effective_to", problems)
    if start is not None and end is not None and end < start:
        problems.append(f"{where}: effective_to is before effective_from")

    parameters: dict[str, Parameter] = {}
    raw_parameters = document["parameters"] or {}
    if not isinstance(raw_parameters, dict):
        problems.append(f"{where}: parameters must be a mapping")
        raw_parameters = {}
    change_dates: set[int] = set()
    for name, spec in raw_parameters.items():
        here = f"{where}: parameter {name}"
        if not isinstance(spec, dict):
            problems.append(f"{here}: must be a mapping")
            continue
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            problems.append(f"{here}: name must be an identifier without a leading underscore")
        for key in ("reference", "unit"):
            if not isinstance(spec.get(key), str) or not spec.get(key).strip():
                problems.append(f"{here}: has no {key}")
        description = spec.get("description")
        if not (isinstance(description, dict) and description.get("zh") and description.get("en")):
            problems.append(f"{here}: needs a description with zh and en")
            description = {"zh": "", "en": ""}
        raw_values = spec.get("values")
        if not isinstance(raw_values, dict) or not raw_values:
            problems.append(f"{here}: needs dated values (effective date: value)")
            continue
        values = []
        for when, value in raw_values.items():
            ordinal = _ordinal(when, f"{here}: value date", problems)
            if isinstance(value, float):
                problems.append(f"{here}: {value!r} is a binary float; money and thresholds must be exact integers")
            if ordinal is not None:
                values.append((ordinal, _parameter_value(value)))
                change_dates.add(ordinal)
        values.sort(key=lambda item: item[0])
        if values and start is not None and values[0][0] > start:
            problems.append(f"{here}: has no value on effective_from")
        parameters[name] = Parameter(name, spec.get("unit", ""), spec.get("reference", ""), description, values)

    known: set[str] = set(FACT_NAMES) | set(parameters)
    steps: list[Step] = []
    raw_steps = document["steps"]
    if not isinstance(raw_steps, list):
        problems.append(f"{where}: steps must be a list")
        raw_steps = []
    for number, spec in enumerate(raw_steps):
        step = _build_step(spec, number, where, known, parameters, problems)
        if step is None:
            continue
        if step.name in known:
            problems.append(f"{where}: step {step.name} redefines a fact, parameter or earlier step")
        known.add(step.name)
        steps.append(step)

    decision = document["decision"]
    if not isinstance(decision, dict):
        problems.append(f"{where}: decision must be a mapping")
        decision = {}
    _check_decision(decision, known, where, problems)
    if problems:
        raise PolicyError(problems)
    policy = Policy(policy_id, dict(title), start, end, str(document.get("reference", "")), parameters, steps,
                    decision, where)
    policy.change_dates = sorted(change_dates)
    return policy


def _build_step(spec: Any, number: int, where: str, known: set[str], parameters: dict[str, Parameter],
                problems: list[str]) -> Step | None:
    here = f"{where}: step {number + 1}"
    if not isinstance(spec, dict):
        problems.append(f"{here}: must be a mapping")
        return None
    kinds = [k for k in ("rule", "value", "table") if k in spec]
    if len(kinds) != 1:
        problems.append(f"{here}: needs exactly one of rule, value, table")
        return None
    kind = kinds[0]
    name = spec[kind]
    if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
        problems.append(f"{here}: {kind} name {name!r} must be an identifier without a leading underscore")
        return None
    here = f"{where}: {kind} {name}"
    if kind in ("rule", "table"):
        for key in ("reference", "zh", "en"):
            if not isinstance(spec.get(key), str) or not spec[key].strip():
                problems.append(f"{here}: has no {key}")
        parameter = spec.get("parameter")
        if parameter is not None and parameter not in parameters:
            problems.append(f"{here}: parameter {parameter!r} is not defined")
    if kind == "table":
        try:
            table = Table.build(name, spec, known, parameters)
        except ValueError as exc:
            problems.append(f"{here}: {exc}")
            return None
        return Step("table", name, None, spec, reads=table.reads, table=table)
    source = spec.get("when" if kind == "rule" else "expr")
    if not isinstance(source, str):
        problems.append(f"{here}: needs {'when' if kind == 'rule' else 'expr'} (an expression)")
        return None
    try:
        tree = expr.parse(source)
        reads = expr.names_used(tree)
        for read in reads:
            if read not in known:
                raise expr.ExpressionError(f"unknown name {read!r} (not a fact, parameter or earlier step)")
        scalar = expr.compile_scalar(source)
    except expr.ExpressionError as exc:
        problems.append(f"{here}: {exc}")
        return None
    return Step(kind, name, source, spec, reads=reads, scalar=scalar)


def _check_decision(decision: dict, known: set[str], where: str, problems: list[str]) -> None:
    for key in decision:
        if key not in (*TOP_FIELDS, "programmes"):
            problems.append(f"{where}: decision field {key!r} is not part of the decision (POLICY.md §7)")
    if "eligible" not in decision:
        problems.append(f"{where}: decision needs eligible")
    for key in TOP_FIELDS:
        if key in decision and decision[key] not in known:
            problems.append(f"{where}: decision {key} names {decision[key]!r}, which is not defined")
    programmes = decision.get("programmes") or {}
    if not isinstance(programmes, dict):
        problems.append(f"{where}: decision programmes must be a mapping")
        return
    for programme, fields in programmes.items():
        if programme not in PROGRAMMES:
            problems.append(f"{where}: unknown programme {programme!r}")
            continue
        if not isinstance(fields, dict):
            problems.append(f"{where}: programme {programme} must map its fields to steps")
            continue
        expected = {"eligible", *PROGRAMMES[programme]}
        for missing_field in sorted(expected - set(fields)):
            problems.append(f"{where}: programme {programme} lacks field {missing_field}")
        for extra in sorted(set(fields) - expected):
            problems.append(f"{where}: programme {programme} has unknown field {extra}")
        for field_name, step_name in fields.items():
            if field_name in expected and step_name not in known:
                problems.append(f"{where}: programme {programme}.{field_name} names {step_name!r}, which is not defined")
