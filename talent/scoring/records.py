"""Validation of job and graduate dicts (the shapes of API.md's job and graduate lines).

Validation is strict about what would make a ranking wrong (unknown education, reversed salary
range, negative headcount, unknown district) and lenient about style (codes or Chinese names,
numbers as strings, skills as a list or one string, missing optional fields).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from talent.scoring.knowledge import knowledge
from talent.scoring.text import normalize_text

EDUCATION_LEVELS = ("college", "bachelor", "master", "doctor")
EDUCATION_NAMES_ZH = {"college": "专科", "bachelor": "本科", "master": "硕士", "doctor": "博士"}
_EDUCATION_ALIASES = {
    "college": 0, "associate": 0, "专科": 0, "大专": 0, "高职": 0, "31": 0,
    "bachelor": 1, "undergraduate": 1, "本科": 1, "学士": 1, "21": 1,
    "master": 2, "硕士": 2, "研究生": 2, "硕士研究生": 2, "14": 2,
    "doctor": 3, "phd": 3, "doctorate": 3, "博士": 3, "博士研究生": 3, "11": 3,
}
_CLOSED_STATUSES = {"closed", "close", "filled", "expired", "关闭", "已关闭", "已招满", "停止招聘", "已结束", "下线"}
_OPEN_STATUSES = {"", "open", "active", "published", "招聘中", "开放", "发布", "已发布", "进行中"}
_LIST_SEPARATORS = re.compile(r"[、,，;；/|\s]+")


class InvalidRecord(ValueError):
    """A job or graduate dict that cannot be used; `field` names the offending key."""

    def __init__(self, field: str, message: str, record_id: str | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.record_id = record_id


@dataclass(frozen=True)
class Job:
    id: str
    title: str
    description: str
    level: int
    district: str | None
    salary_min: int | None
    salary_max: int | None
    headcount: int | None
    majors: tuple[str, ...]
    is_open: bool
    # CSCO-2022 occupation code of the post (2-02-10-03), when the employer gave or confirmed one; the
    # ranking may use it as a feature (docs/matching.md).
    occupation_code: str | None = None


@dataclass(frozen=True)
class Graduate:
    id: str
    major: str
    major_code: str | None
    level: int
    skills: str
    districts: tuple[str, ...]
    expected_salary: int | None


def parse_education(value: Any, field: str) -> int:
    if isinstance(value, str) and value in _EDUCATION_ALIASES:
        return _EDUCATION_ALIASES[value]
    key = normalize_text(value)
    for suffix in ("及以上学历", "及以上", "以上", "学历"):
        key = key.removesuffix(suffix)
    if key in _EDUCATION_ALIASES:
        return _EDUCATION_ALIASES[key]
    raise InvalidRecord(field, f"unknown education {value!r}; expected one of {', '.join(EDUCATION_LEVELS)}")


def _record_id(record: dict[str, Any]) -> str:
    value = record.get("id")
    if type(value) is str and (stripped := value.strip()):  # the usual case, checked first
        return stripped
    if value is None or (isinstance(value, str) and not value.strip()) or isinstance(value, bool | dict | list):
        raise InvalidRecord("id", "missing or not a string/number")
    return str(value).strip()


def _money(record: dict[str, Any], field: str) -> int | None:
    value = record.get(field)
    if type(value) is int and 0 <= value <= 10_000_000:  # the usual case, checked first
        return value
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidRecord(field, f"not a number: {value!r}")
    try:
        amount = float(normalize_text(value).replace(",", "")) if isinstance(value, str) else float(value)
    except ValueError:
        raise InvalidRecord(field, f"not a number: {value!r}") from None
    if amount != amount or amount < 0 or amount > 10_000_000:
        raise InvalidRecord(field, f"must be a monthly amount in yuan between 0 and 10,000,000, got {value!r}")
    return int(round(amount))


def _text(record: dict[str, Any], field: str) -> str:
    value = record.get(field)
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value if item is not None)
    if isinstance(value, dict):
        raise InvalidRecord(field, "must be text")
    return str(value)


def _items(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        stripped = (str(item).strip() for item in value if item is not None)
        return [item for item in stripped if item]
    if isinstance(value, dict):
        return []
    return [item for item in _LIST_SEPARATORS.split(normalize_text(value)) if item]


_OCCUPATION_CODE = re.compile(r"\d-\d{2}-\d{2}-\d{2}")


def _occupation_code(record: dict[str, Any]) -> str | None:
    """The optional CSCO-2022 code of a job line: None when absent; else a code of the catalogue."""
    value = record.get("occupation_code")
    if value in (None, ""):
        return None
    code = value.strip() if isinstance(value, str) else None
    if code is None or not _OCCUPATION_CODE.fullmatch(code):
        raise InvalidRecord("occupation_code", f"not a CSCO-2022 code (like 2-02-10-03): {value!r}")
    if code not in known_occupation_codes():
        raise InvalidRecord("occupation_code", f"{code} is not in the CSCO-2022 catalogue")
    return code


@lru_cache(maxsize=1)
def known_occupation_codes() -> frozenset[str]:
    """The codes of the shipped CSCO-2022 catalogue (talent/occupations/data), read on first use."""
    from talent.occupations import read_catalogue

    return frozenset(occupation.code for occupation in read_catalogue())


def validate_job(record: Any, *, as_of: dt.date | None = None) -> Job:
    """Check a job dict and return it typed; raise InvalidRecord naming the field otherwise.

    A post is closed when `status` says so or its `closing_date` is before `as_of` (if given).
    """
    if not isinstance(record, dict):
        raise InvalidRecord("(line)", "a job must be a JSON object")
    job_id = _record_id(record)
    try:
        if record.get("min_education") in (None, ""):
            raise InvalidRecord("min_education", "missing; expected one of " + ", ".join(EDUCATION_LEVELS))
        level = parse_education(record["min_education"], "min_education")
        district = None
        if record.get("district") not in (None, ""):
            district = knowledge().resolve_district(record["district"])
            if district is None:
                raise InvalidRecord("district", f"unknown Changchun district {record['district']!r} (GB/T 2260 2201xx)")
        salary_min, salary_max = _money(record, "salary_min"), _money(record, "salary_max")
        if salary_min is not None and salary_max is not None and salary_min > salary_max:
            raise InvalidRecord("salary_min", f"salary_min {salary_min} is above salary_max {salary_max}")
        headcount = record.get("headcount")
        if headcount is not None and headcount != "":
            if isinstance(headcount, bool) or not isinstance(headcount, int | float | str):
                raise InvalidRecord("headcount", f"not a whole number: {headcount!r}")
            try:
                headcount_value = float(headcount)
            except ValueError:
                raise InvalidRecord("headcount", f"not a whole number: {headcount!r}") from None
            if headcount_value < 0 or headcount_value != int(headcount_value):
                raise InvalidRecord("headcount", f"must be a whole number ≥ 0, got {headcount!r}")
            headcount = int(headcount_value)
        else:
            headcount = None
        status = record.get("status") or ""
        status = status if status in _OPEN_STATUSES else normalize_text(status)
        if status not in _CLOSED_STATUSES and status not in _OPEN_STATUSES:
            raise InvalidRecord("status", f"unknown status {record.get('status')!r}; expected open or closed")
        is_open = status not in _CLOSED_STATUSES
        closing = record.get("closing_date")
        if closing not in (None, ""):
            try:
                closing_date = dt.date.fromisoformat(str(closing)[:10])
            except ValueError:
                raise InvalidRecord("closing_date", f"not an ISO date: {closing!r}") from None
            if as_of is not None and closing_date < as_of:
                is_open = False
        if headcount == 0:
            is_open = False
        return Job(
            id=job_id,
            title=_text(record, "title"),
            description=_text(record, "description"),
            level=level,
            district=district,
            salary_min=salary_min,
            salary_max=salary_max,
            headcount=headcount,
            majors=tuple(_items(record.get("majors"))),
            is_open=is_open,
            occupation_code=_occupation_code(record) if "occupation_code" in record else None,
        )
    except InvalidRecord as error:
        error.record_id = job_id
        raise


def validate_graduate(record: Any) -> Graduate:
    """Check a graduate dict and return it typed; raise InvalidRecord naming the field otherwise."""
    if not isinstance(record, dict):
        raise InvalidRecord("(line)", "a graduate must be a JSON object")
    graduate_id = _record_id(record)
    try:
        if record.get("education") in (None, ""):
            raise InvalidRecord("education", "missing; expected one of " + ", ".join(EDUCATION_LEVELS))
        level = parse_education(record["education"], "education")
        districts = []
        for item in _items(record.get("preferred_districts")):
            code = knowledge().resolve_district(item)
            if code is None and normalize_text(item) in ("不限", "全市", "any", "长春", "长春市"):
                continue
            if code is None:
                raise InvalidRecord("preferred_districts", f"unknown Changchun district {item!r} (GB/T 2260 2201xx)")
            districts.append(code)
        major = _text(record, "major")
        major_code = record.get("major_code")
        major_code = str(major_code).strip() if major_code not in (None, "") else None
        skills = record.get("skills")
        skills_text = "；".join(_items(skills)) if isinstance(skills, list | tuple) else _text(record, "skills")
        return Graduate(
            id=graduate_id,
            major=major,
            major_code=major_code,
            level=level,
            skills=skills_text,
            districts=tuple(dict.fromkeys(districts)),
            expected_salary=_money(record, "expected_salary"),
        )
    except InvalidRecord as error:
        error.record_id = graduate_id
        raise
