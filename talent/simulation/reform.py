"""A reform: dated parameter overrides in the policy files' own format, applied to the shipped policies.

A reform file is YAML::

    id: tier-c-400k
    title: {zh: C类人才年薪门槛降至40万元, en: "Tier C salary threshold lowered to 400,000"}
    policies: [CC-2024]            # optional: the versions it changes (default: every version with the parameter)
    parameters:
      tier_c_min_annual_salary:
        values: {2025-01-01: 400000}

Each overridden parameter keeps its unit, reference and description from the policy file; the reform's dated
values replace the parameter's own from the reform's first date on (the policy's values before that date stay).
The reformed policy documents then go through the same loader and
static checker as the shipped files (`talent rules check --reform FILE`), so a reform cannot do what a policy file
could not.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talent.rules.checker import Problem, check_policy
from talent.rules.engine import SHIPPED_POLICIES, Engine, load_engine
from talent.rules.policy import Policy, PolicyError, build_policy, read_yaml


class ReformError(ValueError):
    """A reform file that cannot be applied; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class Reform:
    id: str
    title: dict[str, str]
    parameters: dict[str, dict[dt.date, Any]]
    policies: list[str] | None = None


def _as_date(value: Any, where: str, problems: list[str]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def parse_reform(document: Any, where: str = "<reform>") -> Reform:
    """Read a reform document (the parsed YAML); raise ReformError naming every problem."""
    problems: list[str] = []
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ReformError([f"{where}: a reform must be a mapping"])
    unknown = set(document) - {"id", "title", "description", "reference", "policies", "parameters"}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(map(str, unknown))}")
    reform_id = str(document.get("id") or "reform")
    title = document.get("title") or {"zh": reform_id, "en": reform_id}
    if not (isinstance(title, dict) and isinstance(title.get("zh"), str) and isinstance(title.get("en"), str)):
        problems.append(f"{where}: title needs zh and en texts")
        title = {"zh": reform_id, "en": reform_id}
    policies = document.get("policies")
    if policies is not None and not (isinstance(policies, list) and all(isinstance(p, str) for p in policies)):
        problems.append(f"{where}: policies must be a list of policy ids")
        policies = None
    raw = document.get("parameters") or {}
    if not isinstance(raw, dict):
        problems.append(f"{where}: parameters must be a mapping")
        raw = {}
    parameters: dict[str, dict[dt.date, Any]] = {}
    for name, spec in raw.items():
        here = f"{where}: parameter {name}"
        if not isinstance(spec, dict) or not isinstance(spec.get("values"), dict) or not spec["values"]:
            problems.append(f"{here}: needs dated values (effective date: value)")
            continue
        extra = set(spec) - {"values", "description", "reference", "unit"}
        if extra:
            problems.append(f"{here}: unknown keys {sorted(map(str, extra))}")
        values: dict[dt.date, Any] = {}
        for when, value in spec["values"].items():
            day = _as_date(when, f"{here}: value date", problems)
            if day is not None:
                values[day] = value
        parameters[str(name)] = values
    if problems:
        raise ReformError(problems)
    return Reform(reform_id, dict(title), parameters, policies)


def load_reform(path: str | Path) -> Reform:
    try:
        document = read_yaml(path)
    except Exception as exc:  # every YAML syntax error is a problem of the file, not a crash
        raise ReformError([f"{path}: cannot be read as YAML: {exc}"]) from None
    return parse_reform(document, str(path))


_DOCUMENTS: dict[str, list[tuple[str, dict[str, Any]]]] = {}


def policy_documents(policy_dir: str | Path | None = None) -> list[tuple[str, dict[str, Any]]]:
    """(file name, parsed document) of every policy file, in file order (parsed once per directory; callers
    must not change them — apply_reform works on copies)."""
    directory = (Path(policy_dir) if policy_dir is not None else SHIPPED_POLICIES).resolve()
    key = str(directory)
    if key not in _DOCUMENTS:
        _DOCUMENTS[key] = [(path.name, read_yaml(path)) for path in sorted(directory.glob("*.yaml"))]
    return _DOCUMENTS[key]


def apply_reform(reform: Reform, documents: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """The policy documents with the reform's dated values merged in (the inputs are not changed)."""
    problems: list[str] = []
    known_ids = {document.get("id") for _, document in documents}
    for wanted in reform.policies or []:
        if wanted not in known_ids:
            problems.append(f"reform {reform.id}: no policy version {wanted!r}")
    used: set[str] = set()
    reformed = []
    for name, document in documents:
        document = copy.deepcopy(document)
        if reform.policies is None or document.get("id") in reform.policies:
            parameters = document.get("parameters") or {}
            for parameter, values in reform.parameters.items():
                if parameter not in parameters:
                    continue
                used.add(parameter)
                # the reform's first date replaces every value of the policy from then on
                start = min(values)
                merged = {day: value for day, value in (
                    (_as_date(k, "", []), v) for k, v in (parameters[parameter].get("values") or {}).items())
                    if day is not None and day < start}
                merged.update(values)
                parameters[parameter]["values"] = {day.isoformat(): merged[day] for day in sorted(merged)}
        reformed.append((name, document))
    for parameter in reform.parameters:
        if parameter not in used:
            problems.append(f"reform {reform.id}: parameter {parameter!r} is in none of the policies it changes")
    if problems:
        raise ReformError(problems)
    return reformed


def reformed_policies(reform: Reform, policy_dir: str | Path | None = None) -> tuple[list[Policy], list[Problem]]:
    """The policies with the reform applied, and every problem the loader and the static checker find in them.

    Only the versions the reform changes are rebuilt and checked (the others are the shipped, checked ones); a
    reform changes parameter values only, so the checks across versions (ids, effective dates) stay as they were.
    """
    base = {policy.id: policy for policy in load_engine(policy_dir)._policies}
    documents = policy_documents(policy_dir)
    try:
        reformed = apply_reform(reform, documents)
    except ReformError as exc:
        return [], [Problem(reform.id, message) for message in exc.problems]
    policies: list[Policy] = []
    problems: list[Problem] = []
    for (name, document), (_, original) in zip(reformed, documents, strict=True):
        if document == original and document.get("id") in base:
            policies.append(base[document["id"]])
            continue
        where = f"{reform.id} → {name}"
        try:
            policy = build_policy(document, where)
        except PolicyError as exc:
            problems.extend(Problem(where, message.removeprefix(f"{where}: ")) for message in exc.problems)
            continue
        problems.extend(Problem(where, message) for message in check_policy(policy))
        policies.append(policy)
    return policies, problems


def check_reform(reform: Reform, policy_dir: str | Path | None = None) -> list[Problem]:
    """Every problem the loader and the static checker find in the reformed policies (none: the reform is sound)."""
    return reformed_policies(reform, policy_dir)[1]


def reformed_engine(reform: Reform, policy_dir: str | Path | None = None) -> Engine:
    """The engine over the reformed policies; raise ReformError when the reform does not check."""
    policies, problems = reformed_policies(reform, policy_dir)
    if problems:
        raise ReformError([str(problem) for problem in problems])
    return Engine(policies)
