"""The anonymous eligibility check: facts in, decision out, nothing stored.

The API, the checker pages and (later) applications all decide through `assess_facts`, so that every
caller gets the same refusals for bad input and the same decision. The helpers below turn a decision into
plain-language sentences in Chinese and English; callers pick the language, this module stays free of
request state so that a CLI or a PDF renderer can use it too.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from talent import codes
from talent.rules import HONOURS, SERVICES, EvaluationError, InputError, load_engine
from talent.rules.facts import PATH_OF as FACT_PATHS
from talent.services import InvalidInput

log = logging.getLogger("talent.eligibility")

# POLICY.md section 3.
TIER_NAMES: dict[str, dict[str, str]] = {
    "A": {"zh": "顶尖人才", "en": "top talent"},
    "B": {"zh": "国家级领军人才", "en": "national leading talent"},
    "C": {"zh": "省级领军人才", "en": "provincial leading talent"},
}
PROGRAMME_NAMES: dict[str, dict[str, str]] = {
    "privilege_card": {"zh": "长春人才尊享卡", "en": "Changchun talent privilege card"},
    "housing_subsidy": {"zh": "购房补贴", "en": "Housing subsidy"},
    "living_allowance": {"zh": "生活补贴", "en": "Living allowance"},
    "purchase_measure_2022q3": {"zh": "2022年三季度购房支持政策", "en": "2022-Q3 home-purchase measure"},
    "youth_apartment": {"zh": "青年人才公寓", "en": "Youth talent apartment"},
}
EDUCATION_NAMES: dict[str, dict[str, str]] = {
    "doctor": {"zh": "博士研究生", "en": "Doctorate"},
    "master": {"zh": "硕士研究生", "en": "Master's degree"},
    "bachelor": {"zh": "大学本科", "en": "Bachelor's degree"},
    "college": {"zh": "大学专科", "en": "College (zhuanke) diploma"},
    "none": {"zh": "专科以下", "en": "Below college level"},
}
TITLE_NAMES: dict[str, dict[str, str]] = {
    "none": {"zh": "无职称", "en": "No professional title"},
    "junior": {"zh": "初级职称", "en": "Junior title"},
    "intermediate": {"zh": "中级职称", "en": "Intermediate title"},
    "associate_senior": {"zh": "副高级职称", "en": "Associate senior title"},
    "full_senior": {"zh": "正高级职称", "en": "Full senior title"},
}
EMPLOYER_KIND_NAMES: dict[str, dict[str, str]] = {
    "enterprise": {"zh": "企业", "en": "Enterprise"},
    "public_institution": {"zh": "事业单位", "en": "Public institution"},
    "government": {"zh": "党政机关", "en": "Government body"},
}
ROLE_KIND_NAMES: dict[str, dict[str, str]] = {
    "professional": {"zh": "专业技术或经营管理岗位", "en": "Professional or business role"},
    "administrative": {"zh": "管理岗位（行政）", "en": "Administrative role"},
    "civil_servant": {"zh": "公务员（含参照管理）", "en": "Civil servant"},
}

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
    name = TIER_NAMES[tier][language]
    return f"{tier} 类 · {name}" if language == "zh" else f"Tier {tier} · {name}"


def summarise_programmes(decision: dict[str, Any]) -> list[ProgrammeSummary]:
    """Each programme of `decision` with one sentence in Chinese and English saying what the person gets."""
    programmes = decision["programmes"]
    return [
        ProgrammeSummary(key, PROGRAMME_NAMES[key], result["in_force"], result["eligible"],
                         _programme_text(key, result, decision))
        for key, result in programmes.items()
        if key in PROGRAMME_NAMES
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


def value_label(name: str, language: str) -> str:
    """The label of a value a rule looked at: a fact by its question, a rule or parameter by its own name."""
    path = FACT_PATHS.get(name)
    return fact_label(path, language) if path else name


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
        zh_parts.append(f"人才层次变为 {tier_label(after['tier'], 'zh')}")
        en_parts.append(f"tier becomes {tier_label(after['tier'], 'en')}")
    for key, result in after["programmes"].items():
        old = before["programmes"][key]
        if (old["eligible"], old.get("total"), old.get("amount")) == (
            result["eligible"], result.get("total"), result.get("amount")
        ):
            continue
        name = PROGRAMME_NAMES[key]
        if not result["eligible"]:
            zh_parts.append(f"不再符合{name['zh']}")
            en_parts.append(f"no longer eligible for the {name['en'].lower()}")
            continue
        amount = result.get("total", result.get("amount"))
        money_zh = f" {_yuan(amount)}" if amount else ""
        zh_parts.append(f"可获{name['zh']}{money_zh}")
        en_parts.append(f"{name['en'].lower()}{' of ' + _yuan(amount) if amount else ''}")
    if not zh_parts:
        zh_parts.append("测算结果会改变")
        en_parts.append("the result would change")
    return {"zh": "；".join(zh_parts), "en": "; ".join(en_parts)}
