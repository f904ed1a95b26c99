"""A decision of the rule engine in plain words, in Chinese and English: what each programme gives, the reasons
with every rule, value and parameter named for people, and which yes/no answers would change the result.

Pure (no request state): pages, PDFs and the CLI pick the language. Names come from talent.names.
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from talent.names.codes import (
    DIVISIONS,
    EDUCATION_NAMES,
    EMPLOYER_KIND_NAMES,
    ROLE_KIND_NAMES,
    TITLE_NAMES,
    code_label,
    division_label,
    english_list,
)
from talent.names.policy import (
    FACT_LABELS,
    HONOURS,
    KIND_NAMES,
    PROGRAMMES,
    PROGRAMMES_IN_SENTENCE_EN,
    SERVICES,
    STEP_NAMES,
    fact_label,
    step_name,
    tier_label,
    word,
)
from talent.rules import EvaluationError, InputError, load_engine
from talent.rules.facts import KIND_OF as FACT_KINDS
from talent.rules.facts import PATH_OF as FACT_PATHS

# Yes/no facts whose opposite answer is worth trying when explaining what would change the result.
_BOOLEAN_FACTS = (
    "full_time_degree",
    "employment.full_time",
    "employment.social_insurance_local",
    "conduct.disciplinary_sanction",
    "conduct.credit_blacklisted",
    "housing.owns_home_in_city",
    "housing.purchase.new_commodity_housing",
    "housing.purchase.first_home",
)

__all__ = ["FACT_LABELS", "STEP_NAMES", "fact_label", "tier_label"]


# --- plain-language summaries -------------------------------------------------------------------------


def _yuan(amount: int) -> str:
    return f"¥{int(amount):,}"


@dataclass(frozen=True)
class ProgrammeSummary:
    """One programme of a decision in plain words."""

    key: str
    name: dict[str, str]
    in_force: bool
    eligible: bool
    text: dict[str, str]


def summarise_programmes(decision: dict[str, Any]) -> list[ProgrammeSummary]:
    """Each programme of `decision` with one sentence in Chinese and English saying what the person gets."""
    programmes = decision["programmes"]
    return [
        ProgrammeSummary(key, PROGRAMMES[key], result["in_force"], result["eligible"],
                         _programme_text(key, result, decision))
        for key, result in programmes.items()
        if key in PROGRAMMES
    ]


def _programme_text(key: str, result: dict[str, Any], decision: dict[str, Any]) -> dict[str, str]:
    policy = decision["policy"]
    if not result["in_force"]:
        return {"zh": f"该项目在 {policy} 版政策中未实施。", "en": f"This programme is not part of policy {policy}."}
    if not result["eligible"]:
        return {"zh": "按目前填写的信息，暂不符合条件。", "en": "Not eligible on the answers given."}
    if key == "privilege_card":
        count = len(result["services"])
        return {
            "zh": f"可申领尊享卡，有效期至 {result['valid_until']}，享受 {count} 项服务。",
            "en": f"You can apply for the card, valid until {result['valid_until']}, with {count} services.",
        }
    if key == "housing_subsidy":
        total, count = result["total"], len(result["instalments"])
        kind_zh = "人才层次" if result["kind"] == "tier" else "高校毕业生"
        kind_en = "talent-tier" if result["kind"] == "tier" else "graduate"
        if count == 1:
            return {
                "zh": f"可获{kind_zh}购房补贴 {_yuan(total)}，一次性发放。",
                "en": f"A {kind_en} housing subsidy of {_yuan(total)}, paid at once.",
            }
        return {
            "zh": f"可获{kind_zh}购房补贴共 {_yuan(total)}，分 {count} 年发放。",
            "en": f"A {kind_en} housing subsidy of {_yuan(total)} in total, paid over {count} years.",
        }
    if key == "living_allowance":
        monthly, months, total = result["monthly"], result["months"], result["total"]
        kind_zh = "人才层次" if result["kind"] == "tier" else "高校毕业生"
        kind_en = "talent-tier" if result["kind"] == "tier" else "graduate"
        return {
            "zh": f"可获{kind_zh}生活补贴每月 {_yuan(monthly)} × {months} 个月 = {_yuan(total)}。",
            "en": f"A {kind_en} living allowance of {_yuan(monthly)} a month × {months} months = {_yuan(total)}.",
        }
    if key == "purchase_measure_2022q3":
        return {
            "zh": f"可获购房支持 {_yuan(result['amount'])}（每平方米 200 元）。",
            "en": f"A purchase grant of {_yuan(result['amount'])} (200 yuan per square metre).",
        }
    if key == "youth_apartment":
        return {
            "zh": f"可申请青年人才公寓，月租 {_yuan(result['monthly_rent'])}，最长 {result['max_months']} 个月。",
            "en": f"You may rent a youth talent apartment at {_yuan(result['monthly_rent'])} a month for up to "
            f"{result['max_months']} months.",
        }
    return {"zh": "符合条件。", "en": "Eligible."}


def service_names(codes_: list[str], language: str) -> list[str]:
    return [SERVICES.get(code, {}).get(language, code) for code in codes_]


def honour_names(codes_: list[str], language: str) -> list[str]:
    return [HONOURS.get(code, {}).get(language, code) for code in codes_]


# The graduate tables read the degree counted on the graduate track under the input name "education": a
# doctor who is not on the track reads as "none" there, which must not be shown as "highest education".
_TABLE_INPUT_NAMES = {
    ("housing_graduate_amount", "education"): "graduate_education",
    ("living_graduate_monthly", "education"): "graduate_education",
}

# Facts whose question label does not read well next to the value a rule saw.
_VALUE_ONLY_NAMES = {
    "has_purchase": {"zh": "已签订购房合同", "en": "Purchase contract signed"},
}

_MONEY = {
    "annual_salary", "income_tax_last_year", "enterprise_revenue", "purchase_price", "housing_tier_amount",
    "housing_graduate_amount", "housing_tier_capped", "housing_graduate_capped", "housing_total",
    "living_tier_monthly", "living_graduate_monthly", "living_monthly", "living_total", "purchase_measure_amount",
}
_CODE_TABLES = {
    "education": EDUCATION_NAMES,
    "graduate_education": EDUCATION_NAMES,
    "professional_title": TITLE_NAMES,
    "employer_kind": EMPLOYER_KIND_NAMES,
    "role_kind": ROLE_KIND_NAMES,
}


def _word(key: str, language: str) -> str:
    return word(key, language)


def _is_rule(name: str) -> bool:
    return name.isupper() or name in ("eligible", "tier_a", "tier_b", "tier_c", "within_age_limit")


def value_label(name: str, language: str, rule: str | None = None) -> str:
    """The label of a value a rule looked at: a fact by its question, a rule or computed value by its name.

    ``rule`` is the rule or table that reported the value (some tables name their inputs locally)."""
    name = _TABLE_INPUT_NAMES.get((rule or "", name), name)
    if name in _VALUE_ONLY_NAMES:
        return _VALUE_ONLY_NAMES[name][language]
    path = FACT_PATHS.get(name)
    if path:
        return fact_label(path, language)
    if name in STEP_NAMES:
        return STEP_NAMES[name][language]
    return name


def step_label(name: str, language: str) -> str:
    """The name of a rule or decision table of the policy (``G1``, ``tier``...) for people."""
    return step_name(name, language)


def _derived_label(name: str, language: str, rule: str) -> str:
    """A value's label; a value the policy computed (an age, a tier, an amount) rather than one the person
    answered is marked as derived, so it is never read as an answer."""
    label = value_label(name, language, rule)
    key = _TABLE_INPUT_NAMES.get((rule, name), name)
    if key in FACT_PATHS or key in _VALUE_ONLY_NAMES or _is_rule(key):
        return label
    return label + word("derived", language)


def _as_list(value: Any) -> list[Any]:
    """A list value; the engine reports some computed lists as their Python text ("['a', 'b']")."""
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value) if value.startswith("[") else [value]
        except (ValueError, SyntaxError):
            return [value]
    return list(value)


def _in_table_order(table: dict[str, Any], values: Any) -> list[Any]:
    """Codes in the order their table lists them (the engine reports sets sorted by code)."""
    order = {code: index for index, code in enumerate(table)}
    return sorted(_as_list(values), key=lambda code: order.get(code, len(order)))


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def value_text(name: str, value: Any, language: str, rule: str | None = None) -> str:
    """A value a rule looked at, in words: codes by their names, amounts in yuan, yes/no, "not answered"."""
    name = _TABLE_INPUT_NAMES.get((rule or "", name), name)
    kind = FACT_KINDS.get(name)
    if value is None:
        if kind == "history_date":
            return _word("never", language)
        if name == "tier":
            return tier_label(None, language)
        if name in ("track", "housing_kind", "living_kind"):
            return _word("not_applicable", language)
        return _word("not_answered" if kind else "undetermined", language)
    if isinstance(value, bool):
        if _is_rule(name):
            return _word("held" if value else "not_held", language)
        return _word("yes" if value else "no", language)
    if name in _CODE_TABLES:
        if name == "graduate_education" and value == "none":
            return _word("not_applicable", language)
        return code_label(_CODE_TABLES[name], value, language)
    if kind == "division":
        return _word("outside", language) if value not in DIVISIONS else division_label(value, language)
    if name in ("honours", "card_services"):
        value = _as_list(value)
        names = honour_names(value, language) if name == "honours" else service_names(value, language)
        return ("、" if language == "zh" else "; ").join(names) if names else _word("none", language)
    if name == "tier":
        return tier_label(value, language)
    if name == "track":
        return _word("graduate_track", language) if value == "graduate" else str(value)
    if name in ("housing_kind", "living_kind"):
        return KIND_NAMES.get(value, {}).get(language, str(value))
    if name in _MONEY:
        return _yuan(value)
    if name == "age":
        return f"{value} 周岁" if language == "zh" else f"{value} years"
    if name == "contract_years":
        return f"{value} 年" if language == "zh" else f"{value} years"
    if name == "purchase_floor_area_m2":
        return f"{value} 平方米" if language == "zh" else f"{value} m²"
    if name == "achievements":
        return f"{value} 项" if language == "zh" else _number(value)
    if name == "living_months":
        return f"{value} 个月" if language == "zh" else f"{value} months"
    if name == "housing_instalment_count":
        return f"{value} 期" if language == "zh" else _number(value)
    if isinstance(value, list):
        return ("、" if language == "zh" else ", ").join(str(item) for item in value) or _word("none", language)
    return _number(value)


# Parameter values by the unit the policy file gives them (talent/rules/policies/*.yaml).
_UNIT_FORMATS: dict[str, dict[str, str]] = {
    "year": {"zh": "{} 年", "en": "{} years"},
    "month": {"zh": "{} 个月", "en": "{} months"},
    "percent": {"zh": "{}%", "en": "{}%"},
    "m2": {"zh": "{} 平方米", "en": "{} m²"},
    "count": {"zh": "{} 项", "en": "{}"},
    "CNY": {"zh": "{}", "en": "{}"},
    "CNY per month": {"zh": "每月 {}", "en": "{} a month"},
    "CNY per m2": {"zh": "每平方米 {}", "en": "{} per m²"},
}


def parameter_text(name: str, unit: str, value: Any, language: str) -> str:
    """A policy parameter's value in words, by its unit (codes by their names, amounts in yuan)."""
    separator = "、" if language == "zh" else "; "
    if unit == "division_codes":
        return separator.join(division_label(code, language) for code in value)
    if unit == "honour_codes":
        return separator.join(honour_names(_in_table_order(HONOURS, value), language))
    if unit == "education_codes":
        return separator.join(code_label(EDUCATION_NAMES, code, language)
                              for code in _in_table_order(EDUCATION_NAMES, value))
    if unit == "title_codes":
        return separator.join(code_label(TITLE_NAMES, code, language) for code in _in_table_order(TITLE_NAMES, value))
    if unit == "year" and name.endswith("_max_age") and language == "zh":
        return f"{value} 周岁"
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = _yuan(value) if unit.startswith("CNY") else _number(value)
        return _UNIT_FORMATS.get(unit, {"zh": "{}", "en": "{}"})[language].format(shown)
    return str(value)


@lru_cache(maxsize=8)
def _policy_by_id(policy_id: str) -> Any:
    engine = load_engine()
    for summary in engine.policies():
        policy = engine.policy_on(dt.date.fromisoformat(summary["effective_from"]).toordinal())
        if policy is not None and policy.id == policy_id:
            return policy
    raise KeyError(policy_id)


def parameter_label(policy_id: str, name: str, language: str) -> str:
    """A policy parameter's name for people: its description in the policy file, first letter capitalised."""
    parameter = _policy_by_id(policy_id).parameters.get(name)
    if parameter is None or not parameter.description.get(language):
        return name
    text = parameter.description[language]
    return text[0].upper() + text[1:]


@dataclass(frozen=True)
class ReasonRow:
    """One reason of a decision as the result page shows it."""

    rule: str
    label: str
    is_table: bool
    held: bool
    outcome: str
    description: str
    values: list[tuple[str, str]]
    parameter: tuple[str, str, str] | None  # (label, value, effective from)
    answered: bool = True  # False: the rule waits on facts left blank ("not answered", never "did not hold")


def explain_reasons(decision: dict[str, Any], language: str) -> list[ReasonRow]:
    """The reasons of `decision` with every rule, value and parameter named in `language`."""
    policy = _policy_by_id(decision["policy"])
    steps = {step.name: step for step in policy.steps}
    rows = []
    for reason in decision.get("reasons", []):
        name = reason["rule"]
        step = steps.get(name)
        is_table = step is not None and step.kind == "table"
        values = dict(reason["values"])
        answered = reason.get("answered", True)
        if is_table:
            shown = values.pop(name, None)
            outcome = value_text(name, shown if answered else None, language)
        elif not answered:
            outcome = _word("not_answered_rule", language)
        else:
            outcome = _word("held" if reason["held"] else "not_held", language)
        description = step.spec[language] if step is not None else reason[language]
        parameter = reason.get("parameter")
        parameter_row = None
        if parameter:
            unit = policy.parameters[parameter["name"]].unit if parameter["name"] in policy.parameters else ""
            parameter_row = (parameter_label(policy.id, parameter["name"], language),
                             parameter_text(parameter["name"], unit, parameter["value"], language), parameter["effective_from"])
        rows.append(ReasonRow(
            rule=name, label=step_label(name, language), is_table=is_table, held=reason["held"], outcome=outcome,
            description=description,
            values=[(_derived_label(key, language, name), value_text(key, value, language, name))
                    for key, value in values.items()],
            parameter=parameter_row, answered=answered,
        ))
    return rows


# --- what would change the result ---------------------------------------------------------------------


def _outcome(decision: dict[str, Any]) -> tuple:
    """What a person gets, without the explanation: used to tell whether a different answer matters."""
    programmes = decision["programmes"]
    return (
        decision["tier"],
        decision["track"],
        tuple(
            (key, result["eligible"], result.get("total"), result.get("amount"), result.get("monthly"))
            for key, result in sorted(programmes.items())
        ),
    )


def _get(facts: dict[str, Any], path: str) -> Any:
    container: Any = facts
    for part in path.split("."):
        if not isinstance(container, dict):
            return None
        container = container.get(part)
    return container


def _with(facts: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(facts)
    container = changed
    *parents, last = path.split(".")
    for part in parents:
        container = container.setdefault(part, {})
    container[last] = value
    return changed


@dataclass(frozen=True)
class Sensitivity:
    """A yes/no answer whose opposite would change what the person gets."""

    fact: str
    given: bool
    text: dict[str, str]


def what_would_change(facts: dict[str, Any], decision: dict[str, Any]) -> list[Sensitivity]:
    """The yes/no answers that, answered the other way, would change the outcome, with what would change.

    Tried one at a time through the engine itself (a decision takes well under a millisecond), so the
    explanation can never disagree with the policy.
    """
    baseline = _outcome(decision)
    found = []
    for path in _BOOLEAN_FACTS:
        given = _get(facts, path)
        if not isinstance(given, bool):
            continue
        try:
            other = load_engine().decide(_with(facts, path, not given), reasons=False)
        except (InputError, EvaluationError):
            continue
        if _outcome(other) == baseline:
            continue
        found.append(Sensitivity(path, given, _difference(decision, other)))
    return found


def _difference(before: dict[str, Any], after: dict[str, Any]) -> dict[str, str]:
    zh_parts, en_parts = [], []
    if before["tier"] != after["tier"]:
        if after["tier"] is None:
            zh_parts.append("不再认定人才层次")
            en_parts.append("you would no longer have a talent tier")
        else:
            zh_parts.append(f"人才层次变为 {tier_label(after['tier'], 'zh')}")
            en_parts.append(f"your tier would be {tier_label(after['tier'], 'en')}")
    lost: list[str] = []
    gained: list[tuple[str, int | None]] = []
    for key, result in after["programmes"].items():
        old = before["programmes"][key]
        if key not in PROGRAMMES or (old["eligible"], old.get("total"), old.get("amount")) == (
            result["eligible"], result.get("total"), result.get("amount")
        ):
            continue
        if result["eligible"]:
            gained.append((key, result.get("total", result.get("amount"))))
        else:
            lost.append(key)
    if lost:
        zh_parts.append("不再符合" + "、".join(PROGRAMMES[key]["zh"] for key in lost) + "条件")
        en_parts.append("you would no longer qualify for " + english_list([PROGRAMMES_IN_SENTENCE_EN[key]
                                                                          for key in lost], "or"))
    if gained:
        zh_parts.append("可享受" + "、".join(PROGRAMMES[key]["zh"] + (f" {_yuan(amount)}" if amount else "")
                                          for key, amount in gained))
        en_parts.append("you would qualify for " + english_list([
            PROGRAMMES_IN_SENTENCE_EN[key] + (f" ({_yuan(amount)})" if amount else "") for key, amount in gained
        ], "and"))
    if not zh_parts:
        zh_parts.append("测算结果会改变")
        en_parts.append("the result would change")
    return {"zh": "；".join(zh_parts) + "。", "en": "; ".join(en_parts) + "."}


def letter_reasons(decision: dict[str, Any]) -> list[dict[str, Any]]:
    """The rules of a decision for a document in both languages: each rule by its name (not its id) and the
    policy's own description, with whether it held. Tables (which give amounts, not conditions) are left out."""
    try:
        policy = _policy_by_id(decision["policy"])
    except KeyError:
        policy = None
    steps = {step.name: step for step in policy.steps} if policy is not None else {}
    rows = []
    for reason in decision.get("reasons", []):
        step = steps.get(reason["rule"])
        if step is not None and step.kind == "table":
            continue
        spec = step.spec if step is not None else {"zh": reason.get("zh", ""), "en": reason.get("en", "")}
        rows.append({"rule": step_name(reason["rule"], "zh"), "rule_en": step_name(reason["rule"], "en"),
                     "held": bool(reason["held"]), "zh": spec.get("zh", ""), "en": spec.get("en", "")})
    return rows
