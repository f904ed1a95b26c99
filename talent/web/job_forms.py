"""Forms of the jobs pages: organisation registration, a position, a graduate profile.

The forms only turn text into values (a number is a number, a date a date) with messages in the page's
language; the services judge the values, and their problems are shown next to the same fields
(`attach_service_errors`), so the pages and the API refuse the same input for the same reasons.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, DateInput, ListWidget, NumberInput, TextInput

from talent.codes import CREDIT_CODE_ALPHABET, DIVISIONS, credit_code_check, organisation_code_check
from talent.input_limits import FREE_TEXT_MAX, LONG_TEXTS
from talent.models.employers import EMPLOYER_KINDS
from talent.models.jobs import EDUCATION_LEVELS
from talent.web.job_labels import district_label, education_label, employer_kind_label, min_education_label

_LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
_CODE_SEPARATORS = re.compile(r"[、,，;；\s]+")


# Choices are built when a form is, inside a request, so they are named in the page's language; the names
# come from the code tables of talent.codes (through talent.web.job_labels), like everywhere else.


def education_choices() -> list[SelectChoice]:
    """A graduate's education (大学本科 …)."""
    return [SelectChoice(level, education_label(level)) for level in EDUCATION_LEVELS]


def min_education_choices() -> list[SelectChoice]:
    """A post's minimum education (大学本科及以上 …)."""
    return [SelectChoice(level, min_education_label(level)) for level in EDUCATION_LEVELS]


def district_choices(blank: Any = None) -> list[SelectChoice]:
    """The Changchun districts by name in the page's language."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    return choices + [SelectChoice(code, f"{district_label(code)} ({code})") for code in DIVISIONS]


def industry_choices() -> list[SelectChoice]:
    """GB/T 4754-2017 sections in the page's language, with "not given" first (the field is optional)."""
    from talent.i18n import current_language
    from talent.names.industries import INDUSTRY_CODES, industry_label

    language = current_language()
    return [SelectChoice("", industry_label(None, language))] + [
        SelectChoice(code, industry_label(code, language)) for code in INDUSTRY_CODES]


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind, employer_kind_label(kind)) for kind in EMPLOYER_KINDS]


NOT_A_DISTRICT = _l("请从列表中选择长春市的区县")
NOT_AN_EDUCATION = _l("请从列表中选择学历")


class WholeNumberField(StringField):
    """A whole number typed as text, read with a message in the page's language (not WTForms' English)."""

    widget = NumberInput(min=0)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip().replace(",", "").replace("，", "")
        self.data = None
        if not self.raw:
            return
        if not re.fullmatch(r"-?\d{1,9}", self.raw):
            raise ValueError(_l("请填写整数"))
        self.data = int(self.raw)

    def _value(self) -> str:
        if getattr(self, "raw", None) is not None:
            return self.raw
        return str(self.data) if self.data is not None else ""


class IsoDateField(StringField):
    """A date (年-月-日) from the browser's date input, with a message in the page's language."""

    widget = DateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw:
            return
        try:
            self.data = dt.date.fromisoformat(self.raw)
        except ValueError:
            raise ValueError(_l("请按 年-月-日 填写日期，例如 2026-06-30")) from None

    def _value(self) -> str:
        if getattr(self, "raw", None) is not None:
            return self.raw
        return self.data.isoformat() if self.data else ""


class CheckboxListField(SelectMultipleField):
    """A multi-select shown as checkboxes, which is easier on a phone than a multiple <select>."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def split_list(text: str | None, *, at_blanks: bool = False) -> list[str]:
    """Items typed in one box, separated by 、 , ; or new lines (and blanks when `at_blanks`: skills such as
    "Spring Boot" keep theirs)."""
    separators = _CODE_SEPARATORS if at_blanks else _LIST_SEPARATORS
    return [item.strip() for item in separators.split(text or "") if item.strip()]


# --- organisation ---------------------------------------------------------------------------------


def credit_code_problem(code: str) -> Any | None:
    """Why `code` is not a unified social credit code (GB 32100), in the page's language; None if it is."""
    code = code.strip().upper()
    if len(code) != 18:
        return _l("统一社会信用代码应为 18 位，现为 %(n)s 位", n=len(code))
    bad = [c for c in code if c not in CREDIT_CODE_ALPHABET]
    if bad:
        return _l("含有不允许的字符“%(c)s”（代码不使用 I、O、S、V、Z）", c=bad[0])
    body = code[8:16]
    if code[16] != organisation_code_check(body):
        return _l("第 9–17 位组织机构代码的校验码应为 %(c)s", c=organisation_code_check(body))
    expected = credit_code_check(code[:17])
    if code[17] != expected:
        return _l("校验码（第 18 位）应为 %(c)s，请核对代码", c=expected)
    return None


class OrganisationForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(_l("请填写单位名称")), Length(max=200)])
    credit_code = StringField(
        _l("统一社会信用代码"), validators=[DataRequired(_l("请填写统一社会信用代码")), Length(max=18)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": "18"},
    )
    district = SelectField(
        _l("所在区县"), validators=[DataRequired(_l("请选择所在区县"))], invalid_choice_message=NOT_A_DISTRICT
    )
    kind = SelectField(_l("单位类型"), default="enterprise", invalid_choice_message=_l("请从列表中选择单位类型"))
    industry = SelectField(_l("所属行业（国民经济行业分类门类，选填）"), default="",
                           invalid_choice_message=_l("请从列表中选择行业门类"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.district.choices = district_choices(blank=_l("请选择"))
        self.kind.choices = kind_choices()
        self.industry.choices = industry_choices()

    def validate_credit_code(self, field: StringField) -> None:
        problem = credit_code_problem(field.data or "")
        if problem is not None:
            raise ValidationError(problem)


# --- a position ---------------------------------------------------------------------------------------


class JobForm(FlaskForm):
    employer_id = SelectField(_l("发布单位"), coerce=int, validators=[Optional()])
    title = StringField(_l("岗位名称"), validators=[DataRequired(_l("请填写岗位名称")), Length(max=120)])
    description = TextAreaField(
        _l("岗位描述"), validators=[DataRequired(_l("请填写岗位描述")), Length(max=LONG_TEXTS["description"])], render_kw={"rows": "8"}
    )
    min_education = SelectField(_l("最低学历"), invalid_choice_message=NOT_AN_EDUCATION)
    district = SelectField(
        _l("工作地点"), validators=[DataRequired(_l("请选择工作地点"))], invalid_choice_message=NOT_A_DISTRICT
    )
    salary_min = WholeNumberField(_l("最低月薪（元）"), validators=[InputRequired(_l("请填写最低月薪"))])
    salary_max = WholeNumberField(_l("最高月薪（元）"), validators=[InputRequired(_l("请填写最高月薪"))])
    headcount = WholeNumberField(_l("招聘人数"), validators=[InputRequired(_l("请填写招聘人数"))])
    majors = StringField(_l("专业要求"), widget=TextInput(), validators=[Optional(), Length(max=FREE_TEXT_MAX)])
    closing_date = IsoDateField(_l("截止日期"), validators=[Optional()])
    kind = SelectField(_l("岗位类别"), default="job", invalid_choice_message=_l("请从列表中选择岗位类别"))
    # The post's CSCO-2022 occupation: one of the platform's suggestions, another code, or none yet (the
    # platform then stores its best suggestion, unconfirmed). The service checks the code.
    occupation_choice = RadioField(_l("职业分类（国家职业分类大典 2022）"), default="", validate_choice=False)
    occupation_other = StringField(_l("其他职业代码"), validators=[Optional(), Length(max=10)])

    def __init__(self, *args: Any, employers: list[Any] | None = None, internships: bool = False,
                 current_code: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if internships:  # a training base (实训基地) may also post training places
            from talent.i18n import current_language
            from talent.names.events import JOB_KINDS

            self.kind.choices = [SelectChoice(code, JOB_KINDS[code][current_language()]) for code in JOB_KINDS]
        else:
            del self.kind
        self.min_education.choices = min_education_choices()
        self.district.choices = district_choices(blank=_l("请选择"))
        self.employer_id.choices = [SelectChoice(e.id, e.name) for e in employers or []]
        if len(self.employer_id.choices) <= 1:
            # One organisation: nothing to choose, the field is not shown.
            del self.employer_id
        self.set_occupation_choices(current_code)

    def set_occupation_choices(self, current_code: str | None) -> None:
        """The platform's suggestions for the title and description as written, the post's current code, another
        code, or leaving the choice to the platform."""
        from talent.names.occupations import occupation_label
        from talent.services.occupations import suggest

        choices: list[tuple[str, str]] = []
        if (self.title.data or "").strip():
            for found in suggest(self.title.data, self.description.data):
                choices.append((found.code, f"{occupation_label(found.code)}（{_l('建议')}）"))
        if current_code and current_code not in [code for code, _ in choices]:
            choices.insert(0, (current_code, occupation_label(current_code)))
        choices += [("other", str(_l("其他代码（填在下方）"))), ("", str(_l("暂不选择，由平台建议")))]
        self.occupation_choice.choices = choices

    def values(self) -> dict[str, Any]:
        values = {
            "title": self.title.data,
            "description": self.description.data,
            "min_education": self.min_education.data,
            "district": self.district.data,
            "salary_min": self.salary_min.data,
            "salary_max": self.salary_max.data,
            "headcount": self.headcount.data,
            "majors": split_list(self.majors.data, at_blanks=True),
            "closing_date": self.closing_date.data,
            "occupation_code": self.occupation_code(),
        }
        if "employer_id" in self._fields:
            values["employer_id"] = self.employer_id.data
        if "kind" in self._fields:
            values["kind"] = self.kind.data
        return values

    def occupation_code(self) -> str | None:
        choice = self.occupation_choice.data or ""
        if choice == "other":
            return (self.occupation_other.data or "").strip() or None
        return choice or None

    @classmethod
    def data_from_job(cls, job: Any) -> dict[str, Any]:
        return {
            "title": job.title, "description": job.description, "min_education": job.min_education,
            "district": job.district, "salary_min": job.salary_min, "salary_max": job.salary_max,
            "headcount": job.headcount, "majors": "、".join(job.majors or []), "closing_date": job.closing_date,
            "kind": job.kind,
            "occupation_choice": job.occupation_code or "",
        }


# --- a graduate profile -------------------------------------------------------------------------------


class GraduateProfileForm(FlaskForm):
    major = StringField(
        _l("所学专业"), validators=[DataRequired(_l("请填写所学专业")), Length(max=100)],
        render_kw={"list": "major-catalogue", "autocomplete": "off"},
    )
    education = SelectField(_l("学历"), default="bachelor", invalid_choice_message=NOT_AN_EDUCATION)
    graduation_date = IsoDateField(_l("毕业日期"), validators=[Optional()])
    skills = StringField(_l("技能与证书"), validators=[Optional(), Length(max=FREE_TEXT_MAX)])
    preferred_districts = CheckboxListField(
        _l("意向工作区域"), validators=[Optional()],
        invalid_choice_message=_l("不是长春市的区县代码（GB/T 2260）：%(value)s"),
    )
    expected_salary = WholeNumberField(_l("期望月薪（元）"), validators=[Optional()])
    consent_to_match = BooleanField(_l("同意向用人单位展示我的求职意向（姓名隐去部分）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.education.choices = education_choices()
        self.preferred_districts.choices = district_choices()

    def values(self) -> dict[str, Any]:
        return {
            "major": self.major.data,
            "education": self.education.data,
            "graduation_date": self.graduation_date.data,
            "skills": split_list(self.skills.data),
            "preferred_districts": list(self.preferred_districts.data or []),
            "expected_salary": self.expected_salary.data,
            "consent_to_match": bool(self.consent_to_match.data),
        }

    @classmethod
    def data_from_profile(cls, profile: Any) -> dict[str, Any]:
        return {
            "major": profile.major, "education": profile.education, "graduation_date": profile.graduation_date,
            "skills": "、".join(profile.skills or []), "preferred_districts": list(profile.preferred_districts or []),
            "expected_salary": profile.expected_salary, "consent_to_match": profile.consent_to_match,
        }


def attach_service_errors(form: FlaskForm, errors: dict[str, list[str]]) -> list[str]:
    """Put each service message next to its field (`majors.2` → `majors`); return the others."""
    general: list[str] = []
    for path, messages in errors.items():
        name = path.split(".")[0]
        if name == "occupation_code" and "occupation_other" in form._fields:
            name = "occupation_other"  # the code the employer typed (a chosen suggestion is always known)
        if name in form._fields and isinstance(form._fields[name], Field):
            form._fields[name].errors = list(form._fields[name].errors) + list(messages)
        else:
            general.extend(messages)
    return general
