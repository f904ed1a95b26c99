"""The engine: picks the version in force, evaluates its steps, shapes the decision (POLICY.md §7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from talent.rules import dates, expr
from talent.rules.facts import (
    FACT_INDEX,
    FACT_NAMES,
    KIND_OF,
    NEVER,
    PATH_OF,
    InputError,
    normalise,
)
from talent.rules.names import HONOURS
from talent.rules.policy import PROGRAMMES, Policy, PolicyError, Step, load_policy

# Not-eligible (and not-in-force) values of each programme's fields; see docs/policy-notes.md.
NOT_ELIGIBLE: dict[str, dict[str, Any]] = {
    "privilege_card": {"valid_until": None, "services": []},
    "housing_subsidy": {"kind": None, "total": 0, "instalments": []},
    "living_allowance": {"kind": None, "monthly": 0, "months": 0, "total": 0},
    "purchase_measure_2022q3": {"amount": 0},
    "youth_apartment": {"monthly_rent": 0, "max_months": 0},
}
DATE_FIELDS = {("privilege_card", "valid_until")}
_HONOUR_CODES = frozenset(HONOURS)


def split_instalments(total: int, count: int, start: int) -> list[dict[str, Any]]:
    """Equal whole-yuan parts, the remainder on the first; part k due ``start`` + k years."""
    base, remainder = divmod(total, count)
    return [
        {"due_date": dates.iso(dates.add_years(start, k)), "amount": base + (remainder if k == 0 else 0)}
        for k in range(count)
    ]


def _display(name: str, value: Any) -> Any:
    """A value as it appears in ``reasons`` (JSON: dates ISO, sets sorted, unknown null)."""
    if isinstance(value, expr.Unknown) or value is None:
        return None
    kind = KIND_OF.get(name)
    if kind in ("date", "history_date"):
        return None if value == NEVER else dates.iso(value)
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, tuple):
        return list(value)
    if not isinstance(value, bool | int | str | float):
        return str(value)  # Decimal: exact text
    return value


class Engine:
    """Decides facts under the policy versions of one directory."""

    def __init__(self, policies: list[Policy]) -> None:
        self._policies = sorted(policies, key=lambda p: p.effective_from)

    # --- versions ---------------------------------------------------------------------------
    def policies(self) -> list[dict[str, Any]]:
        return [policy.summary() for policy in self._policies]

    def policy_on(self, ordinal: int) -> Policy | None:
        for policy in self._policies:
            if policy.covers(ordinal):
                return policy
        return None

    def _policy_for(self, record: list[Any]) -> Policy:
        application = record[FACT_INDEX["application_date"]]
        policy = self.policy_on(application)
        if policy is None:
            raise self.no_policy_error(application)
        return policy

    @staticmethod
    def no_policy_error(application: int) -> InputError:
        day = dates.iso(application)
        return InputError({"application_date": [f"no policy version is in force on {day}"]},
                          {"application_date": [f"{day} 无有效的政策版本"]})

    def normalise(self, facts: Any) -> tuple[list[Any], Policy]:
        record = normalise(facts, _HONOUR_CODES)
        return record, self._policy_for(record)

    # --- one case ---------------------------------------------------------------------------
    def decide(self, facts: dict, *, reasons: bool = True) -> dict[str, Any]:
        """The decision for one set of facts (POLICY.md §7). Raises InputError."""
        record, policy = self.normalise(facts)
        return self.decide_record(record, policy, reasons=reasons)

    def decide_record(self, record: list[Any], policy: Policy, *, reasons: bool) -> dict[str, Any]:
        application = record[FACT_INDEX["application_date"]]
        params = policy.parameter_values(application)
        env, trace = self._run(policy, record, params, strict=True, trace=reasons)
        decision = self._shape(policy, record, env)
        if reasons:
            decision["reasons"] = trace
            decision["missing"] = self._missing(policy, record, params)
        return decision

    def _environment(self, record: list[Any], params: dict[str, Any], strict: bool) -> dict[str, Any]:
        env: dict[str, Any] = dict(params)
        for name, value in zip(FACT_NAMES, record, strict=True):
            if value is None:
                value = expr.UNKNOWN if strict else expr.Unknown(frozenset((PATH_OF[name],)))
            env[name] = value
        env["__strict__"] = strict
        return env

    def _run(self, policy: Policy, record: list[Any], params: dict[str, Any], *, strict: bool,
             trace: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        env = self._environment(record, params, strict)
        reasons: list[dict[str, Any]] = []
        application = record[FACT_INDEX["application_date"]]
        for step in policy.steps:
            if step.kind == "table":
                outputs, inputs, matched = step.table.evaluate(env, params, strict)
                for output, name in zip(step.table.outputs, step.table.output_names(), strict=True):
                    env[name] = outputs[output]
                if trace:
                    values = {k: _display(k, v) for k, v in inputs.items()}
                    values.update({f"{step.name}.{k}" if len(outputs) > 1 else step.name: _display(k, v)
                                   for k, v in outputs.items()})
                    reasons.append(self._reason(policy, step, matched, values, application))
                continue
            value = step.scalar(env)
            if step.kind == "rule":
                if isinstance(value, expr.Unknown):
                    if strict:
                        value = False
                elif not isinstance(value, bool):
                    raise expr.EvaluationError(f"rule {step.name} gave {value!r}, not true/false")
                if trace:
                    values = {name: _display(name, env[name]) for name in step.reads if name not in params}
                    reasons.append(self._reason(policy, step, value is True, values, application))
            env[step.name] = value
        return env, reasons

    @staticmethod
    def _reason(policy: Policy, step: Step, held: bool, values: dict[str, Any], application: int) -> dict[str, Any]:
        parameter = None
        name = step.spec.get("parameter")
        if name:
            start, value = policy.parameters[name].at(application)
            if policy.parameters[name].unit == "date":
                value = dates.iso(value)
            parameter = {"name": name, "value": _display(name, value), "effective_from": dates.iso(start)}
        zh, en = step.spec["zh"], step.spec["en"]
        return {
            "rule": step.name,
            "held": held,
            "values": values,
            "parameter": parameter,
            "zh": f"{step.name}：{zh}——{'成立' if held else '不成立'}。",
            "en": f"{step.name}: {en} — {'held' if held else 'did not hold'}.",
        }

    def _shape(self, policy: Policy, record: list[Any], env: dict[str, Any]) -> dict[str, Any]:
        mapping = policy.decision
        application = record[FACT_INDEX["application_date"]]

        def get(name: str | None) -> Any:
            if name is None:
                return None
            value = env[name]
            return None if isinstance(value, expr.Unknown) else value

        programmes: dict[str, Any] = {}
        for programme, fields in PROGRAMMES.items():
            spec = mapping.get("programmes", {}).get(programme)
            if spec is None:
                programmes[programme] = {"in_force": False, "eligible": False, **_copy(NOT_ELIGIBLE[programme])}
                continue
            eligible = get(spec["eligible"]) is True
            result: dict[str, Any] = {"in_force": True, "eligible": eligible}
            if not eligible:
                result.update(_copy(NOT_ELIGIBLE[programme]))
            else:
                for field_name in fields:
                    value = get(spec[field_name])
                    if field_name == "instalment_count":
                        result["instalments"] = split_instalments(get(spec["total"]), value, application)
                        continue
                    if (programme, field_name) in DATE_FIELDS and value is not None:
                        value = dates.iso(value)
                    elif isinstance(value, list | tuple):
                        value = list(value)
                    result[field_name] = value
            programmes[programme] = result
        return {
            "policy": policy.id,
            "application_date": dates.iso(application),
            "eligible": get(mapping["eligible"]) is True,
            "tier": get(mapping.get("tier")),
            "track": get(mapping.get("track")),
            "age": dates.age_on(record[FACT_INDEX["birth_date"]], application),
            "programmes": programmes,
        }

    def _missing(self, policy: Policy, record: list[Any], params: dict[str, Any]) -> list[dict[str, str]]:
        """Absent facts that could change the outcome (three-valued evaluation, see expr)."""
        if all(value is not None for value in record):
            return []
        env, _ = self._run(policy, record, params, strict=False, trace=False)
        facts: set[str] = set()

        def collect(name: str | None) -> Any:
            if name is None:
                return None
            value = env[name]
            if isinstance(value, expr.Unknown):
                facts.update(value.facts)
            return value

        mapping = policy.decision
        for key in ("eligible", "tier", "track"):
            collect(mapping.get(key))
        for programme, spec in mapping.get("programmes", {}).items():
            eligible = collect(spec["eligible"])
            if eligible is False:
                continue  # the amounts of a programme that cannot be granted do not matter
            for field_name in PROGRAMMES[programme]:
                collect(spec[field_name])
        order = {PATH_OF[name]: i for i, name in enumerate(FACT_NAMES)}
        return [
            {"fact": fact, "zh": f"未提供 {fact}；补充后审核结果可能改变。",
             "en": f"{fact} was not given; adding it could change the decision."}
            for fact in sorted(facts, key=lambda f: order.get(f, len(order)))
        ]

    # --- many cases -------------------------------------------------------------------------
    def decide_many(self, facts_list: list[Any], *, reasons: bool = False) -> list[dict[str, Any] | InputError]:
        """Decisions in order; an InputError object in place of each refused case.

        The same decisions as ``decide`` one by one, validated column by column and evaluated with NumPy
        (see columns.py and batch.py).
        """
        if reasons:
            results: list[Any] = []
            for facts in facts_list:
                try:
                    record, policy = self.normalise(facts)
                except InputError as error:
                    results.append(error)
                    continue
                results.append(self._guarded(record, policy, True))
            return results
        return self._decide_many_fast(facts_list, as_json=False)

    def decide_many_json(self, facts_list: list[Any]) -> list[str | InputError]:
        """``decide_many`` without reasons, each decision as its compact JSON text (orjson's, UTF-8 unescaped)."""
        return self._decide_many_fast(facts_list, as_json=True)

    def _decide_many_fast(self, facts_list: list[Any], *, as_json: bool) -> list[Any]:
        from talent.rules.batch import decide_normalised
        from talent.rules.columns import normalise_many

        normalised = normalise_many(self, facts_list)
        results: list[Any] = [None] * len(facts_list)
        for position, error in normalised.errors.items():
            results[position] = error
        for positions, decisions in decide_normalised(self, normalised, as_json=as_json):
            for position, decision in zip(positions, decisions, strict=True):
                results[position] = decision
        return results

    def _guarded(self, record: list[Any], policy: Policy, reasons: bool) -> dict[str, Any] | InputError:
        try:
            return self.decide_record(record, policy, reasons=reasons)
        except expr.EvaluationError as exc:
            return InputError({"": [f"the policy could not decide these facts: {exc}"]},
                              {"": ["政策无法对这些事实作出决定"]})


def _copy(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (list(v) if isinstance(v, list) else v) for k, v in values.items()}


SHIPPED_POLICIES = Path(__file__).resolve().parent / "policies"
_CACHE: dict[str, Engine] = {}


def load_engine(policy_dir: str | Path | None = None) -> Engine:
    """The engine over every ``*.yaml`` policy in ``policy_dir`` (default: the shipped ones, cached)."""
    directory = Path(policy_dir) if policy_dir is not None else SHIPPED_POLICIES
    key = str(directory.resolve())
    if policy_dir is None and key in _CACHE:
        return _CACHE[key]
    policies, problems = [], []
    for path in sorted(directory.glob("*.yaml")):
        try:
            policies.append(load_policy(path))
        except PolicyError as exc:
            problems.extend(exc.problems)
    if problems:
        raise PolicyError(problems)
    engine = Engine(policies)
    if policy_dir is None:
        _CACHE[key] = engine
    return engine


def today_iso() -> str:
    return dt.date.today().isoformat()
