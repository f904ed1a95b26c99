"""The checker form: the answers of docs/policy.md §7 as flat fields, and their translation to facts.

Every question may be left unanswered: an unanswered question is an absent fact, which the decision lists
under "missing" instead of assuming an answer. The form checks only what it must to build the facts (that
a number is a number); everything else is the rule engine's to judge, so that the page and the API refuse
the same input for the same reasons.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional
from wtforms.widgets import DateInput, TextInput

from talent.clock import today_in_changchun
from talent.codes import (
    DIVISIONS,
    EDUCATION_NAMES,
    EMPLOYER_KIND_NAMES,
    ROLE_KIND_NAMES,
    TITLE_NAMES,
    code_label,
    division_label,
)
from talent.i18n import current_language
from talent.rules.facts import ID_NUMBER_MAX_INPUT
from talent.rules.names import HONOURS

# Employment outside Changchun: G1 only asks whether the code is a Changchun division, so any well-formed
# code that is not one answers it; 000000 is used because it can never be mistaken for a real division.
OUTSIDE_CHANGCHUN = "000000"

YES, NO, UNKNOWN = "yes", "no", "unknown"


class UnechoedTextInput(TextInput):
    """A text input that never writes its value back into the page (used for the ID number)."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs["value"] = ""
        return super().__call__(field, **kwargs)


class YesNoField(RadioField):
    """是 / 否 / 不清楚: a yes/no fact that may stay unknown."""

    def __init__(self, label: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("choices", [SelectChoice(YES, _l("是")), SelectChoice(NO, _l("否")),
                                      SelectChoice(UNKNOWN, _l("不清楚"))])
        kwargs.setdefault("default", UNKNOWN)
        kwargs.setdefault("validators", [Optional()])
        super().__init__(label, **kwargs)

    @property
    def fact(self) -> bool | None:
        return {YES: True, NO: False}.get(self.data)

    @staticmethod
    def answer(value: Any) -> str:
        return {True: YES, False: NO}.get(value, UNKNOWN)


def _date_field(label: Any) -> StringField:
    # Kept as text: the engine judges the date, so a malformed one gets the same message as in the API.
    return StringField(label, widget=DateInput(), validators=[Optional(), Length(max=40)])


def _amount_field(label: Any) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=40)],
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})


def _division_choices(outside: bool, language: str) -> list[SelectChoice]:
    choices = [SelectChoice("", _l("请选择（不清楚可不选）"))]
    if language == "zh":
        choices += [SelectChoice(code, f"{division_label(code, language)}（{code}）") for code in DIVISIONS]
    else:
        choices += [SelectChoice(code, f"{division_label(code, language)} ({code})") for code in DIVISIONS]
    if outside:
        choices.append(SelectChoice(OUTSIDE_CHANGCHUN, _l("长春市以外")))
    return choices


def _code_choices(table: dict[str, dict[str, str]], language: str) -> list[SelectChoice]:
    """A select's options from one of the shared code tables (talent.codes), named in the page's language."""
    return [SelectChoice("", _l("请选择（不清楚可不选）")),
            *(SelectChoice(code, code_label(table, code, language)) for code in table)]


class EligibilityForm(FlaskForm):
    application_date = StringField(
        # Changchun's date, not the server's: the server runs in UTC, and before 08:00 in Changchun its date is
        # still yesterday, which on 2024-06-01 would pick the previous policy version.
        _l("申请日期"), widget=DateInput(), default=lambda: today_in_changchun().isoformat(),
        validators=[Optional(), Length(max=40)],
    )

    id_number = StringField(
        _l("居民身份证号码"),
        widget=UnechoedTextInput(),
        validators=[Optional(), Length(max=ID_NUMBER_MAX_INPUT)],
        render_kw={"maxlength": 18, "autocomplete": "off", "spellcheck": "false", "inputmode": "text"},
    )
    birth_date = _date_field(_l("出生日期"))

    education = SelectField(_l("最高学历"), validators=[Optional()])
    full_time_degree = YesNoField(_l("是否全日制学历"))
    graduation_date = _date_field(_l("毕业日期"))

    professional_title = SelectField(_l("专业技术职称"), validators=[Optional()])
    honours = SelectMultipleField(_l("荣誉与人才计划"), validators=[Optional()])
    achievements = _amount_field(_l("近5年经认定的业绩成果（项）"))

    employer_district = SelectField(_l("用人单位所在区域"), validators=[Optional()])
    employer_kind = SelectField(_l("用人单位类型"), validators=[Optional()])
    role_kind = SelectField(_l("岗位类型"), validators=[Optional()])
    contract_years = _amount_field(_l("劳动合同期限（年）"))
    full_time = YesNoField(_l("是否全职工作"))
    annual_salary = _amount_field(_l("年薪（元）"))
    income_tax_last_year = _amount_field(_l("上年度缴纳个人所得税（元）"))
    enterprise_revenue = _amount_field(_l("单位上年度营业收入（元）"))
    social_insurance_local = YesNoField(_l("是否在长春缴纳社会保险"))

    disciplinary_sanction = YesNoField(_l("是否受过党纪政务处分或行政处罚"))
    credit_blacklisted = YesNoField(_l("是否被列入失信被执行人等失信名单"))

    owns_home_in_city = YesNoField(_l("是否已在长春拥有住房"))
    has_purchase = BooleanField(_l("我已签订购房合同，想测算购房补贴"))
    purchase_contract_date = _date_field(_l("购房合同签订日期"))
    purchase_price = _amount_field(_l("购房总价（元）"))
    purchase_floor_area_m2 = StringField(_l("建筑面积（平方米）"), validators=[Optional(), Length(max=40)],
                                         render_kw={"inputmode": "decimal"})
    purchase_district = SelectField(_l("住房所在区域"), validators=[Optional()])
    purchase_new_commodity_housing = YesNoField(_l("是否新建商品住房"))
    purchase_first_home = YesNoField(_l("是否首套住房"))

    last_classified_on = _date_field(_l("上次获得人才认定的日期"))
    last_rejected_on = _date_field(_l("上次申请被驳回的日期"))
    revoked_on = _date_field(_l("人才资格被撤销的日期"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Option names follow the page's language, so they are set per request rather than at import.
        language = current_language()
        self.education.choices = _code_choices(EDUCATION_NAMES, language)
        self.professional_title.choices = _code_choices(TITLE_NAMES, language)
        self.employer_kind.choices = _code_choices(EMPLOYER_KIND_NAMES, language)
        self.role_kind.choices = _code_choices(ROLE_KIND_NAMES, language)
        self.employer_district.choices = _division_choices(outside=True, language=language)
        self.purchase_district.choices = _division_choices(outside=True, language=language)
        self.honours.choices = [SelectChoice(code, names[language]) for code, names in HONOURS.items()]


# form field -> fact path (docs/policy.md §7)
FIELD_PATHS: dict[str, str] = {
    "application_date": "application_date",
    "id_number": "id_number",
    "birth_date": "birth_date",
    "education": "education",
    "full_time_degree": "full_time_degree",
    "graduation_date": "graduation_date",
    "professional_title": "professional_title",
    "honours": "honours",
    "achievements": "achievements",
    "employer_district": "employment.employer_district",
    "employer_kind": "employment.employer_kind",
    "role_kind": "employment.role_kind",
    "contract_years": "employment.contract_years",
    "full_time": "employment.full_time",
    "annual_salary": "employment.annual_salary",
    "income_tax_last_year": "employment.income_tax_last_year",
    "enterprise_revenue": "employment.enterprise_revenue",
    "social_insurance_local": "employment.social_insurance_local",
    "disciplinary_sanction": "conduct.disciplinary_sanction",
    "credit_blacklisted": "conduct.credit_blacklisted",
    "owns_home_in_city": "housing.owns_home_in_city",
    "has_purchase": "housing.purchase",
    "purchase_contract_date": "housing.purchase.contract_date",
    "purchase_price": "housing.purchase.price",
    "purchase_floor_area_m2": "housing.purchase.floor_area_m2",
    "purchase_district": "housing.purchase.district",
    "purchase_new_commodity_housing": "housing.purchase.new_commodity_housing",
    "purchase_first_home": "housing.purchase.first_home",
    "last_classified_on": "history.last_classified_on",
    "last_rejected_on": "history.last_rejected_on",
    "revoked_on": "history.revoked_on",
}
PATH_FIELDS = {path: name for name, path in FIELD_PATHS.items()}
_YES_NO_FIELDS = {
    name for name, unbound in vars(EligibilityForm).items() if getattr(unbound, "field_class", None) is YesNoField
}
WHOLE_NUMBER_FIELDS = {"achievements", "annual_salary", "income_tax_last_year", "enterprise_revenue", "purchase_price"}
DECIMAL_FIELDS = {"contract_years", "purchase_floor_area_m2"}
_DIGIT_GROUPING = re.compile(r"[,，\s_]")


def field_for_path(path: str) -> str | None:
    """The form field that answers a fact path (``honours.2`` -> ``honours``), or None."""
    if path in PATH_FIELDS:
        return PATH_FIELDS[path]
    if path.startswith("honours."):
        return "honours"
    return None


def _number(text: str, whole: bool) -> int | float:
    cleaned = _DIGIT_GROUPING.sub("", text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite():
        raise ValueError
    if value == value.to_integral_value():
        return int(value)
    if whole:
        raise ValueError
    # The session cookie cannot hold a Decimal; the engine reads a float back through its shortest repr.
    return float(value)


def _set(facts: dict[str, Any], path: str, value: Any) -> None:
    container = facts
    *parents, last = path.split(".")
    for part in parents:
        container = container.setdefault(part, {})
    container[last] = value


def facts_from_form(form: EligibilityForm) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The facts the answers give, and the answers that are not even numbers (field name -> messages)."""
    facts: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    purchase_wanted = bool(form.has_purchase.data)
    for name, path in FIELD_PATHS.items():
        field = form[name]
        if name == "has_purchase":
            if purchase_wanted:
                facts.setdefault("housing", {}).setdefault("purchase", {})
            continue
        if path.startswith("housing.purchase.") and not purchase_wanted:
            continue
        if isinstance(field, YesNoField):
            value: Any = field.fact
        elif name == "honours":
            value = list(field.data or [])
        else:
            value = (field.data or "").strip() or None
            if value is not None and name in WHOLE_NUMBER_FIELDS | DECIMAL_FIELDS:
                try:
                    value = _number(value, whole=name in WHOLE_NUMBER_FIELDS)
                except ValueError:
                    problems[name] = [str(_l("请填写整数")) if name in WHOLE_NUMBER_FIELDS else str(_l("请填写数字"))]
                    continue
        if value is None:
            continue  # unanswered: an absent fact, never a default
        _set(facts, path, value)
    if "id_number" in facts:
        facts["id_number"] = facts["id_number"].upper()
    return facts, problems


def form_data_from_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The answers to show for stored facts, so that a person can adjust them and check again."""
    data: dict[str, Any] = {}
    for name, path in FIELD_PATHS.items():
        value: Any = facts
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if name == "has_purchase":
            data[name] = isinstance(value, dict)
        elif name in _YES_NO_FIELDS:
            data[name] = YesNoField.answer(value)
        elif value is None:
            continue
        elif name == "honours":
            data[name] = list(value)
        else:
            data[name] = str(value)
    return data
