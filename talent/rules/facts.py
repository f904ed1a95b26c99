"""The facts of docs/policy.md §7: validation and normalisation into flat engine values.

Every input error is collected (not only the first) into ``InputError.errors`` keyed by the field
path, with an English message (and the Chinese one in ``InputError.errors_zh``). Nothing is ever
defaulted silently: an absent fact stays *unknown* (the engine lists it under ``missing`` when it
matters); only the facts whose absence has a meaning in docs/policy.md get a value: ``honours`` absent is
no honour, ``housing.purchase`` absent is no purchase, ``history.*`` absent or null is "never".
Fields outside section 7 are ignored: docs/policy.md's list of input errors is exhaustive, and callers may carry
their own keys (a case number, a comment) beside the facts.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from talent import codes
from talent.names import codes as names_codes

NEVER = dt.date(1, 1, 1).toordinal()  # absent history dates: "never", earlier than any day
_MIN_YEAR, _MAX_YEAR = 1900, 2199
# Amounts beyond this are typing errors, and it keeps every sum inside a 64-bit integer.
MAX_MONEY = 10**15


class InputError(ValueError):
    """The facts were refused. ``errors``: field path -> English messages; ``errors_zh`` likewise."""

    def __init__(self, errors: dict[str, list[str]], errors_zh: dict[str, list[str]] | None = None) -> None:
        self.errors = errors
        self.errors_zh = errors_zh if errors_zh is not None else {}
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))

    def to_dict(self) -> dict[str, Any]:
        return {"errors": self.errors, "errors_zh": self.errors_zh}


# The code lists are the keys of their name tables (talent.names.codes), so a code exists once.
EDUCATION = tuple(names_codes.EDUCATION)
TITLES = tuple(names_codes.TITLES)
EMPLOYER_KINDS = tuple(names_codes.EMPLOYER_KINDS)
ROLE_KINDS = tuple(names_codes.ROLE_KINDS)

# identifier -> (field path, kind). The identifiers are the names policy expressions read.
FACTS: dict[str, tuple[str, str]] = {
    "application_date": ("application_date", "date"),
    "birth_date": ("birth_date", "date"),
    "education": ("education", "enum:education"),
    "full_time_degree": ("full_time_degree", "bool"),
    "graduation_date": ("graduation_date", "date"),
    "professional_title": ("professional_title", "enum:title"),
    "honours": ("honours", "honours"),
    "achievements": ("achievements", "count"),
    "employer_district": ("employment.employer_district", "division"),
    "employer_kind": ("employment.employer_kind", "enum:employer_kind"),
    "role_kind": ("employment.role_kind", "enum:role_kind"),
    "contract_years": ("employment.contract_years", "number"),
    "full_time": ("employment.full_time", "bool"),
    "annual_salary": ("employment.annual_salary", "money"),
    "income_tax_last_year": ("employment.income_tax_last_year", "money"),
    "enterprise_revenue": ("employment.enterprise_revenue", "money"),
    "social_insurance_local": ("employment.social_insurance_local", "bool"),
    "disciplinary_sanction": ("conduct.disciplinary_sanction", "bool"),
    "credit_blacklisted": ("conduct.credit_blacklisted", "bool"),
    "owns_home_in_city": ("housing.owns_home_in_city", "bool"),
    "has_purchase": ("housing.purchase", "presence"),
    "purchase_contract_date": ("housing.purchase.contract_date", "date"),
    "purchase_price": ("housing.purchase.price", "money"),
    "purchase_floor_area_m2": ("housing.purchase.floor_area_m2", "number"),
    "purchase_district": ("housing.purchase.district", "division"),
    "purchase_new_commodity_housing": ("housing.purchase.new_commodity_housing", "bool"),
    "purchase_first_home": ("housing.purchase.first_home", "bool"),
    "last_classified_on": ("history.last_classified_on", "history_date"),
    "last_rejected_on": ("history.last_rejected_on", "history_date"),
    "revoked_on": ("history.revoked_on", "history_date"),
}
FACT_NAMES: tuple[str, ...] = tuple(FACTS)
FACT_INDEX = {name: i for i, name in enumerate(FACT_NAMES)}
PATH_OF = {name: path for name, (path, _) in FACTS.items()}
KIND_OF = {name: kind for name, (_, kind) in FACTS.items()}
ENUMS = {
    "education": EDUCATION,
    "title": TITLES,
    "employer_kind": EMPLOYER_KINDS,
    "role_kind": ROLE_KINDS,
}

_BOOL, _DATE, _INT = object(), object(), object()
_CONTAINER_OF = {"employment": 1, "conduct": 2, "housing": 3, "purchase": 4, "history": 5}
_DATE_CACHE: dict[str, int] = {}
_DATE_CACHE_SIZE = 200_000  # ISO text (10 characters) -> ordinal; dates repeat a lot in a batch
# ID number (18 characters only) -> birth ordinal or the reason it is invalid. Only strings of the one valid
# length are kept, so an anonymous caller sending huge ID fields cannot grow a worker's memory.
_ID_CACHE: dict[str, int | str] = {}
_ID_CACHE_SIZE = 100_000
ID_NUMBER_LENGTH = 18
ID_NUMBER_MAX_INPUT = 64  # with surrounding blanks; anything longer is refused unread


def _fast_check(kind: str) -> object:
    if kind == "bool":
        return _BOOL
    if kind in ("date", "history_date"):
        return _DATE
    if kind in ("money", "count"):
        return _INT
    if kind.startswith("enum:"):
        return frozenset(ENUMS[kind[5:]])
    if kind == "division":
        return _DivisionCodes()
    return frozenset()  # "number": only the full check


class _DivisionCodes:
    """Membership = "is a 6-digit code" (so the fast path accepts any well-formed code)."""

    def __contains__(self, value: str) -> bool:
        return len(value) == 6 and value.isascii() and value.isdigit()


# (record index, container, key, kind, path, fast check) for every fact read from the input
_PLAN = [
    (i, _CONTAINER_OF.get(path.split(".")[-2], 0) if "." in path else 0, path.split(".")[-1], kind, path,
     _fast_check(kind))
    for i, (name, (path, kind)) in enumerate(FACTS.items())
    if kind not in ("presence", "honours")
]

_TOP_FIELDS = {
    "application_date", "id_number", "birth_date", "education", "full_time_degree", "graduation_date",
    "professional_title", "honours", "achievements", "employment", "conduct", "housing", "history",
}
_GROUP_FIELDS = {
    "employment": {"employer_district", "employer_kind", "role_kind", "contract_years", "full_time",
                   "annual_salary", "income_tax_last_year", "enterprise_revenue", "social_insurance_local"},
    "conduct": {"disciplinary_sanction", "credit_blacklisted"},
    "housing": {"owns_home_in_city", "purchase"},
    "history": {"last_classified_on", "last_rejected_on", "revoked_on"},
}
_PURCHASE_FIELDS = {"contract_date", "price", "floor_area_m2", "district", "new_commodity_housing", "first_home"}

# Absent facts are this marker in a normalised record; the engine turns it into Unknown.
ABSENT = None


class _Errors:
    __slots__ = ("en", "zh")

    def __init__(self) -> None:
        self.en: dict[str, list[str]] = {}
        self.zh: dict[str, list[str]] = {}

    def add(self, field: str, en: str, zh: str) -> None:
        self.en.setdefault(field, []).append(en)
        self.zh.setdefault(field, []).append(zh)


def parse_date(value: Any) -> int:
    """An ISO ``YYYY-MM-DD`` string (or a ``date``) as an ordinal; ValueError otherwise."""
    if isinstance(value, str):
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError("must be a date written YYYY-MM-DD")
        try:
            day = dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            raise ValueError("is not a valid calendar date") from None
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    else:
        raise ValueError("must be a date written YYYY-MM-DD")
    if not _MIN_YEAR <= day.year <= _MAX_YEAR:
        raise ValueError(f"must be between {_MIN_YEAR} and {_MAX_YEAR}")
    return day.toordinal()


def _value(kind: str, value: Any, path: str, errors: _Errors) -> Any:
    """Check one present (non-null) value; return its normalised form or ABSENT after an error."""
    if kind == "bool":
        if value is True or value is False:
            return value
        errors.add(path, "must be true or false", "必须为 true 或 false")
    elif kind == "date" or kind == "history_date":
        try:
            return parse_date(value)
        except ValueError as exc:
            errors.add(path, str(exc), "日期格式应为 YYYY-MM-DD 且为有效日期")
    elif kind == "money":
        if type(value) is int:
            if 0 <= value <= MAX_MONEY:
                return value
            if value < 0:
                errors.add(path, "must not be negative", "金额不能为负数")
            else:
                errors.add(path, f"must not exceed {MAX_MONEY}", "金额过大")
        elif isinstance(value, float | Decimal) and not isinstance(value, bool) and _finite(value):
            if value < 0:
                errors.add(path, "must not be negative", "金额不能为负数")
            elif value != int(value):
                errors.add(path, "must be a whole number of yuan", "金额须为整数元")
            elif value > MAX_MONEY:
                errors.add(path, f"must not exceed {MAX_MONEY}", "金额过大")
            else:
                return int(value)
        else:
            errors.add(path, "must be a whole number of yuan", "金额须为整数元")
    elif kind == "number":
        if type(value) is int:
            number: Any = value
        elif isinstance(value, float) and _finite(value):
            number = Decimal(repr(value))  # the shortest decimal that reads back as this float
            if number == number.to_integral_value():
                number = int(number)
        elif isinstance(value, Decimal) and value.is_finite():
            number = value
        else:
            errors.add(path, "must be a number", "必须为数字")
            return ABSENT
        if number < 0:
            errors.add(path, "must not be negative", "不能为负数")
            return ABSENT
        if number > MAX_MONEY:
            errors.add(path, f"must not exceed {MAX_MONEY}", "数值过大")
            return ABSENT
        return number
    elif kind == "count":
        if type(value) is int:
            if 0 <= value <= MAX_MONEY:
                return value
            errors.add(path, "must not be negative" if value < 0 else "is too large", "不能为负数或过大")
        else:
            errors.add(path, "must be a whole number", "必须为整数")
    elif kind == "division":
        if isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit():
            return value
        errors.add(path, "must be a 6-digit GB/T 2260 division code", "须为6位行政区划代码")
    elif kind.startswith("enum:"):
        allowed = ENUMS[kind[5:]]
        if isinstance(value, str) and value in allowed:
            return value
        errors.add(path, f"must be one of {', '.join(allowed)}", f"须为以下之一：{'、'.join(allowed)}")
    return ABSENT


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(value)
    except (TypeError, ValueError, InvalidOperation):
        return False


def normalise(facts: Any, honour_codes: frozenset[str] | dict) -> list[Any]:
    """Validate ``facts`` (docs/policy.md §7) and return values in FACT_NAMES order.

    Raises InputError with every problem found. Policy-dependent checks (is there a version in
    force on the application date?) are the engine's.
    """
    errors = _Errors()
    record: list[Any] = [ABSENT] * len(FACT_NAMES)
    if not isinstance(facts, dict):
        raise InputError({"": ["facts must be a JSON object"]}, {"": ["事实须为 JSON 对象"]})
    groups: dict[str, dict] = {}
    for group in _GROUP_FIELDS:
        value = facts.get(group)
        if value is None:
            groups[group] = {}
            continue
        if not isinstance(value, dict):
            errors.add(group, "must be an object", "须为对象")
            groups[group] = {}
            continue
        groups[group] = value
    purchase = groups["housing"].get("purchase")
    if purchase is not None and not isinstance(purchase, dict):
        errors.add("housing.purchase", "must be an object", "须为对象")
        purchase = None
    record[FACT_INDEX["has_purchase"]] = purchase is not None

    containers = (facts, groups["employment"], groups["conduct"], groups["housing"],
                  purchase if purchase is not None else {}, groups["history"])
    for index, container_id, key, kind, path, fast in _PLAN:
        value = containers[container_id].get(key)
        if value is None:
            if kind == "history_date":
                record[index] = NEVER
            continue
        # the fast checks accept the common valid values; anything else gets the full check and message
        if fast is _BOOL:
            if value is True or value is False:
                record[index] = value
                continue
        elif fast is _DATE:
            cached = _DATE_CACHE.get(value) if type(value) is str else None
            if cached is not None:
                record[index] = cached
                continue
        elif fast is _INT:
            if type(value) is int and 0 <= value <= MAX_MONEY:
                record[index] = value
                continue
        elif type(value) is str and value in fast:
            record[index] = value
            continue
        record[index] = _value(kind, value, path, errors)
        if kind in ("date", "history_date") and record[index] is not None and len(_DATE_CACHE) < _DATE_CACHE_SIZE:
            _DATE_CACHE[value] = record[index]

    honours = facts.get("honours")
    if honours is None:
        record[FACT_INDEX["honours"]] = ()
    elif not isinstance(honours, list):
        errors.add("honours", "must be a list of honour codes", "须为荣誉代码列表")
    else:
        for position, code in enumerate(honours):
            if not isinstance(code, str) or code not in honour_codes:
                errors.add(f"honours.{position}", f"unknown honour code {code!r}", f"未知的荣誉代码 {code!r}")
        record[FACT_INDEX["honours"]] = tuple(honours)

    _birth_date(facts, record, errors)
    if "application_date" not in errors.en and record[FACT_INDEX["application_date"]] is ABSENT:
        errors.add("application_date", "is required", "必填")
    education = record[FACT_INDEX["education"]]
    if (education is not ABSENT and education != "none" and record[FACT_INDEX["graduation_date"]] is ABSENT
            and "graduation_date" not in errors.en):
        errors.add("graduation_date", "is required when education is not none", "填写学历（专科以下除外）时必填毕业日期")
    if errors.en:
        raise InputError(errors.en, errors.zh)
    return record


def _birth_date(facts: dict, record: list[Any], errors: _Errors) -> None:
    index = FACT_INDEX["birth_date"]
    id_number = facts.get("id_number")
    from_id = None
    if id_number is not None:
        if not isinstance(id_number, str):
            errors.add("id_number", "must be an 18-character resident ID number", "须为18位居民身份证号码")
        else:
            cached = _ID_CACHE.get(id_number) if len(id_number) == ID_NUMBER_LENGTH else None
            try:
                if cached is None:
                    if len(id_number) > ID_NUMBER_MAX_INPUT:
                        # refused before any parsing (and never cached)
                        cached = f"ID number must have {ID_NUMBER_LENGTH} characters, got {len(id_number)}"
                    else:
                        try:
                            cached = codes.parse_id_number(id_number)[0].toordinal()
                        except ValueError as exc:
                            cached = str(exc)
                        if len(id_number) == ID_NUMBER_LENGTH and len(_ID_CACHE) < _ID_CACHE_SIZE:
                            _ID_CACHE[id_number] = cached
                if isinstance(cached, str):
                    raise ValueError(cached)
                from_id = cached
            except ValueError as exc:
                errors.add("id_number", str(exc), "居民身份证号码无效（校验码或出生日期错误）")
            else:
                if not _MIN_YEAR <= dt.date.fromordinal(from_id).year <= _MAX_YEAR:
                    errors.add("id_number", "birth date out of range", "出生日期超出范围")
                    from_id = None
    given = record[index]
    if from_id is not None and given is not ABSENT and given != from_id:
        errors.add("birth_date", f"disagrees with the ID number ({dt.date.fromordinal(from_id).isoformat()})",
                   "与身份证号码中的出生日期不一致")
    if given is ABSENT and from_id is not None:
        record[index] = from_id
    if record[index] is ABSENT and "birth_date" not in errors.en and "id_number" not in errors.en:
        errors.add("birth_date", "is required when there is no id_number", "无身份证号码时必须填写出生日期")
