"""The anonymous eligibility check: facts in, decision out, nothing stored.

The API, the checker pages and (later) applications all decide through `assess_facts`, so that every
caller gets the same refusals for bad input and the same decision. The helpers below turn a decision into
plain-language sentences in Chinese and English; callers pick the language, this module stays free of
request state so that a CLI or a PDF renderer can use it too.
"""

from __future__ import annotations

import ast
import copy
import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from talent import codes
from talent.codes import (
    EDUCATION_NAMES,
    EMPLOYER_KIND_NAMES,
    ROLE_KIND_NAMES,
    TITLE_NAMES,
    code_label,
    division_label,
)
from talent.rules import HONOURS, PROGRAMMES, SERVICES, TIERS, EvaluationError, InputError, load_engine
from talent.rules.facts import KIND_OF as FACT_KINDS
from talent.rules.facts import PATH_OF as FACT_PATHS
from talent.services import InvalidInput

log = logging.getLogger("talent.eligibility")

# Every fact path of POLICY.md section 7, named the way the checker form asks for it. The result page uses
# these to say which answer is missing or would change the outcome.
FACT_LABELS: dict[str, dict[str, str]] = {
    "application_date": {"zh": "申请日期", "en": "Application date"},
    "id_number": {"zh": "居民身份证号码", "en": "Resident ID number"},
    "birth_date": {"zh": "出生日期", "en": "Date of birth"},
    "education": {"zh": "最高学历", "en": "Highest education"},
    "full_time_degree": {"zh": "是否全日制学历", "en": "Full-time degree"},
    "graduation_date": {"zh": "毕业日期", "en": "Graduation date"},
    "professional_title": {"zh": "专业技术职称", "en": "Professional title"},
    "honours": {"zh": "荣誉与人才计划", "en": "Honours and talent programmes"},
    "achievements": {"zh": "近5年认定的业绩成果数", "en": "Certified achievements in the last 5 years"},
    "employment.employer_district": {"zh": "用人单位所在区域", "en": "Employer's district"},
    "employment.employer_kind": {"zh": "用人单位类型", "en": "Kind of employer"},
    "employment.role_kind": {"zh": "岗位类型", "en": "Kind of role"},
    "employment.contract_years": {"zh": "劳动合同期限（年）", "en": "Contract length (years)"},
    "employment.full_time": {"zh": "是否全职", "en": "Full-time job"},
    "employment.annual_salary": {"zh": "年薪（元）", "en": "Annual salary (yuan)"},
    "employment.income_tax_last_year": {"zh": "上年度个人所得税（元）", "en": "Income tax paid last year (yuan)"},
    "employment.enterprise_revenue": {"zh": "企业上年度营业收入（元）", "en": "Enterprise revenue last year (yuan)"},
    "employment.social_insurance_local": {"zh": "是否在长春缴纳社会保险", "en": "Social insurance paid in Changchun"},
    "conduct.disciplinary_sanction": {"zh": "是否受过处分", "en": "Disciplinary sanction"},
    "conduct.credit_blacklisted": {"zh": "是否被列入失信名单", "en": "On the credit blacklist"},
    "housing.owns_home_in_city": {"zh": "是否已在长春拥有住房", "en": "Already owns a home in Changchun"},
    "housing.purchase": {"zh": "购房情况", "en": "Home purchase"},
    "housing.purchase.contract_date": {"zh": "购房合同签订日期", "en": "Purchase contract date"},
    "housing.purchase.price": {"zh": "购房总价（元）", "en": "Purchase price (yuan)"},
    "housing.purchase.floor_area_m2": {"zh": "建筑面积（平方米）", "en": "Floor area (m²)"},
    "housing.purchase.district": {"zh": "住房所在区域", "en": "District of the home"},
    "housing.purchase.new_commodity_housing": {"zh": "是否新建商品住房", "en": "Newly built commodity housing"},
    "housing.purchase.first_home": {"zh": "是否首套住房", "en": "First home"},
    "history.last_classified_on": {"zh": "上次人才认定日期", "en": "Last classified on"},
    "history.last_rejected_on": {"zh": "上次申请被驳回日期", "en": "Last rejected on"},
    "history.revoked_on": {"zh": "资格被撤销日期", "en": "Revoked on"},
}

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


class EligibilityInputError(InvalidInput):
    """Refused facts: `errors` in English (the API's language), `errors_zh` the same problems in Chinese."""

    def __init__(self, errors: dict[str, list[str]], errors_zh: dict[str, list[str]]) -> None:
        super().__init__("The facts are not valid: see errors for each field.", errors)
        self.errors_zh = errors_zh


def _field_path(path: str) -> str:
    # The engine names a whole-body problem with the empty path; the API envelope names it `_schema`,
    # like every other area's body-level errors (talent.errors.flatten_errors).
    return path or "_schema"


def assess_facts(facts: Any, *, reasons: bool = True) -> dict[str, Any]:
    """Decide `facts` (POLICY.md section 7) under the policy version in force on their application date.

    Raises EligibilityInputError (422) for every input error the engine reports. Nothing is stored, and the
    decision never repeats the ID number (the engine only reads the birth date from it).
    """
    try:
        return load_engine().decide(facts, reasons=reasons)
    except InputError as error:
        raise EligibilityInputError(
            {_field_path(k): list(v) for k, v in error.errors.items()},
            {_field_path(k): list(v) for k, v in error.errors_zh.items()},
        ) from None
    except EvaluationError as error:
        # A policy that cannot decide valid-looking facts is our defect, but the caller still gets a
        # refusal naming no field rather than a 500; the log keeps the cause (never the facts themselves).
        log.error("policy could not decide the facts: %s", error)
        raise EligibilityInputError(
            {"_schema": ["The policy could not decide these facts."]}, {"_schema": ["政策无法对这些信息作出测算。"]}
        ) from None


def list_policies() -> list[dict[str, Any]]:
    """The policy versions with their effective dates, oldest first."""
    return load_engine().policies()


def facts_for_session(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts to keep in the (signed, not encrypted) session cookie: the ID number replaced by the birth date
    it gives, because the decision only needs the birth date and the cookie must not carry the ID number."""
    kept = copy.deepcopy(facts)
    id_number = kept.pop("id_number", None)
    if id_number and not kept.get("birth_date"):
        kept["birth_date"] = codes.parse_id_number(id_number)[0].isoformat()
    return kept


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


def tier_label(tier: str | None, language: str) -> str:
    if tier is None:
        return "未认定人才层次" if language == "zh" else "No talent tier"
    name = TIERS[tier][language]
    return f"{tier} 类 · {name}" if language == "zh" else f"Tier {tier} · {name}"


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


def fact_label(path: str, language: str) -> str:
    label = FACT_LABELS.get(path)
    return label[language] if label else path


# --- the reasons of a decision in plain words ---------------------------------------------------------
# The engine names its rules, tables and intermediate values by identifiers (G1, tier_a,
# housing_graduate_amount...). A person reading the result sees these names instead, in either language.
# tests/web/test_eligibility_pages.py checks that every name any policy version can report has one.

STEP_NAMES: dict[str, dict[str, str]] = {
    # rules (POLICY.md sections 2-6)
    "G1": {"zh": "共同条件一：用人单位在长春", "en": "Condition 1: employer in Changchun"},
    "G2": {"zh": "共同条件二：全职且合同期限达标", "en": "Condition 2: full-time job, long enough contract"},
    "G3": {"zh": "共同条件三：在长春缴纳社保", "en": "Condition 3: social insurance in Changchun"},
    "G4": {"zh": "共同条件四：岗位类型", "en": "Condition 4: kind of role"},
    "G5": {"zh": "共同条件五：无处分、无失信记录", "en": "Condition 5: no sanction, not blacklisted"},
    "G6": {"zh": "共同条件六：不在等待期内", "en": "Condition 6: not in a waiting period"},
    "ELIGIBLE": {"zh": "符合全部共同条件", "en": "All common conditions met"},
    "A_HONOUR": {"zh": "A 类荣誉", "en": "Tier A honour"},
    "B_HONOUR": {"zh": "B 类荣誉", "en": "Tier B honour"},
    "B_ENTERPRISE": {"zh": "B 类企业人才条件", "en": "Tier B enterprise route"},
    "C_HONOUR": {"zh": "C 类荣誉", "en": "Tier C honour"},
    "C_TITLE": {"zh": "C 类正高级职称条件", "en": "Tier C full senior title route"},
    "C_ENTERPRISE": {"zh": "C 类企业人才条件", "en": "Tier C enterprise route"},
    "AGE_LIMIT": {"zh": "B、C 类年龄上限", "en": "Age limit of tiers B and C"},
    "TRACK": {"zh": "高校毕业生通道", "en": "Graduate track"},
    "CARD": PROGRAMMES["privilege_card"],
    "HOUSING_PURCHASE": {"zh": "购房条件", "en": "Home purchase conditions"},
    "HOUSING": PROGRAMMES["housing_subsidy"],
    "LIVING": PROGRAMMES["living_allowance"],
    "PURCHASE_MEASURE_WINDOW": {"zh": "购房措施：合同日期", "en": "Purchase measure: contract date"},
    "PURCHASE_MEASURE_HOME": {"zh": "购房措施：住房条件", "en": "Purchase measure: the home"},
    "PURCHASE_MEASURE_DISTRICT": {"zh": "购房措施：适用区域", "en": "Purchase measure: district"},
    "PURCHASE_MEASURE_QUALIFICATION": {"zh": "购房措施：学历或职称", "en": "Purchase measure: degree or title"},
    "PURCHASE_MEASURE": PROGRAMMES["purchase_measure_2022q3"],
    "APARTMENT": PROGRAMMES["youth_apartment"],
    # decision tables
    "tier": {"zh": "人才层次", "en": "Talent tier"},
    "card_services": {"zh": "尊享卡服务项目", "en": "Privilege card services"},
    "housing_tier_amount": {"zh": "人才层次购房补贴标准", "en": "Housing subsidy for the tier"},
    "housing_graduate_amount": {"zh": "高校毕业生购房补贴标准", "en": "Graduate housing subsidy"},
    "living_tier_monthly": {"zh": "人才层次生活补贴（每月）", "en": "Monthly living allowance for the tier"},
    "living_graduate_monthly": {"zh": "高校毕业生生活补贴（每月）", "en": "Monthly graduate living allowance"},
    # table inputs and computed values
    "eligible": {"zh": "符合共同条件", "en": "Common conditions met"},
    "tier_a": {"zh": "具备 A 类条件", "en": "Meets a tier A condition"},
    "tier_b": {"zh": "具备 B 类条件", "en": "Meets a tier B condition"},
    "tier_c": {"zh": "具备 C 类条件", "en": "Meets a tier C condition"},
    "within_age_limit": {"zh": "未超过年龄上限", "en": "Within the age limit"},
    "age": {"zh": "申请日年龄", "en": "Age on the application date"},
    "track": {"zh": "高校毕业生通道", "en": "Graduate track"},
    "graduate_education": {"zh": "按毕业生通道计的学历", "en": "Degree counted on the graduate track"},
    "card_valid_until": {"zh": "尊享卡有效期至", "en": "Card valid until"},
    "housing_tier_capped": {"zh": "人才层次购房补贴（封顶后）", "en": "Tier housing subsidy after the cap"},
    "housing_graduate_capped": {"zh": "毕业生购房补贴（封顶后）", "en": "Graduate housing subsidy after the cap"},
    "housing_kind": {"zh": "购房补贴类别", "en": "Kind of housing subsidy"},
    "housing_total": {"zh": "购房补贴总额", "en": "Housing subsidy in total"},
    "housing_instalment_count": {"zh": "购房补贴发放期数", "en": "Instalments of the housing subsidy"},
    "living_kind": {"zh": "生活补贴类别", "en": "Kind of living allowance"},
    "living_monthly": {"zh": "每月生活补贴", "en": "Monthly living allowance"},
    "living_months": {"zh": "生活补贴发放月数", "en": "Months of living allowance"},
    "living_total": {"zh": "生活补贴总额", "en": "Living allowance in total"},
    "purchase_measure_amount": {"zh": "购房支持金额", "en": "Purchase grant"},
}
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
_KIND_NAMES = {
    "tier": {"zh": "按人才层次", "en": "by talent tier"},
    "graduate": {"zh": "按高校毕业生", "en": "as a graduate"},
}
_WORDS = {
    "yes": {"zh": "是", "en": "Yes"},
    "no": {"zh": "否", "en": "No"},
    "held": {"zh": "成立", "en": "Held"},
    "not_held": {"zh": "不成立", "en": "Did not hold"},
    "not_answered": {"zh": "未填写", "en": "Not answered"},
    "never": {"zh": "从未有过", "en": "Never"},
    "undetermined": {"zh": "无法确定（缺少信息）", "en": "Cannot tell (answers missing)"},
    "not_applicable": {"zh": "不适用", "en": "Not applicable"},
    "none": {"zh": "无", "en": "None"},
    "graduate_track": {"zh": "高校毕业生通道", "en": "Graduate track"},
    "outside": {"zh": "长春市以外", "en": "Outside Changchun"},
}


def _word(key: str, language: str) -> str:
    return _WORDS[key][language]


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
    label = STEP_NAMES.get(name)
    return label[language] if label else name


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
        return _word("outside", language) if value not in codes.DIVISIONS else division_label(value, language)
    if name in ("honours", "card_services"):
        value = _as_list(value)
        names = honour_names(value, language) if name == "honours" else service_names(value, language)
        return ("、" if language == "zh" else "; ").join(names) if names else _word("none", language)
    if name == "tier":
        return tier_label(value, language)
    if name == "track":
        return _word("graduate_track", language) if value == "graduate" else str(value)
    if name in ("housing_kind", "living_kind"):
        return _KIND_NAMES.get(value, {}).get(language, str(value))
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
        if is_table:
            outcome = value_text(name, values.pop(name, None), language)
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
            values=[(value_label(key, language, name), value_text(key, value, language, name))
                    for key, value in values.items()],
            parameter=parameter_row,
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


# The programmes (talent.rules.names.PROGRAMMES) as an English sentence names them: proper nouns keep their
# capitals, common nouns do not.
_PROGRAMMES_IN_SENTENCE_EN = {
    "privilege_card": "the Changchun talent privilege card",
    "housing_subsidy": "the housing subsidy",
    "living_allowance": "the living allowance",
    "purchase_measure_2022q3": "the 2022-Q3 home-purchase measure",
    "youth_apartment": "a youth talent apartment",
}


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
        en_parts.append("you would no longer qualify for " + _english_list([_PROGRAMMES_IN_SENTENCE_EN[key]
                                                                          for key in lost], "or"))
    if gained:
        zh_parts.append("可享受" + "、".join(PROGRAMMES[key]["zh"] + (f" {_yuan(amount)}" if amount else "")
                                          for key, amount in gained))
        en_parts.append("you would qualify for " + _english_list([
            _PROGRAMMES_IN_SENTENCE_EN[key] + (f" ({_yuan(amount)})" if amount else "") for key, amount in gained
        ], "and"))
    if not zh_parts:
        zh_parts.append("测算结果会改变")
        en_parts.append("the result would change")
    return {"zh": "；".join(zh_parts) + "。", "en": "; ".join(en_parts) + "."}


def _english_list(items: list[str], conjunction: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]
