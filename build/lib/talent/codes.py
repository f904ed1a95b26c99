"""Pure code lists and check-character algorithms (REFERENCE.md).

Nothing here imports Flask, SQLAlchemy or anything heavy: the rule engine, the API layer and the
CLI all use it.
"""

from __future__ import annotations

import datetime as _dt
from operator import mul as _mul

# Changchun divisions (GB/T 2260, 2201xx), REFERENCE.md.
DIVISIONS: dict[str, str] = {
    "220102": "南关区",
    "220103": "宽城区",
    "220104": "朝阳区",
    "220105": "二道区",
    "220106": "绿园区",
    "220112": "双阳区",
    "220113": "九台区",
    "220122": "农安县",
    "220171": "长春经济技术开发区",
    "220172": "长春净月高新技术产业开发区",
    "220173": "长春高新技术产业开发区",
    "220174": "长春汽车经济技术开发区",
    "220182": "榆树市",
    "220183": "德惠市",
    "220184": "公主岭市",
}

DIVISIONS_EN: dict[str, str] = {
    "220102": "Nanguan District",
    "220103": "Kuancheng District",
    "220104": "Chaoyang District",
    "220105": "Erdao District",
    "220106": "Lüyuan District",
    "220112": "Shuangyang District",
    "220113": "Jiutai District",
    "220122": "Nong'an County",
    "220171": "Changchun Economic and Technological Development Zone",
    "220172": "Changchun Jingyue High-tech Industrial Development Zone",
    "220173": "Changchun High-tech Industrial Development Zone",
    "220174": "Changchun Automotive Economic and Technological Development Zone",
    "220182": "Yushu City",
    "220183": "Dehui City",
    "220184": "Gongzhuling City",
}

# Names of the code lists of POLICY.md section 7, in both languages: the one table every page and document
# uses, so that the same code is never named two ways.
EDUCATION_NAMES: dict[str, dict[str, str]] = {
    "doctor": {"zh": "博士研究生", "en": "Doctorate"},
    "master": {"zh": "硕士研究生", "en": "Master's degree"},
    "bachelor": {"zh": "大学本科", "en": "Bachelor's degree"},
    "college": {"zh": "大学专科", "en": "College diploma (zhuanke)"},
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


def division_label(code: str, language: str = "zh") -> str:
    """The division's name in the language ("zh" or "en"); the code itself when it is not a Changchun one."""
    names = DIVISIONS_EN if language == "en" else DIVISIONS
    return names.get(code, code)


def code_label(table: dict[str, dict[str, str]], code: str | None, language: str = "zh") -> str:
    """A code's name from one of the tables above; unknown codes are shown as they are."""
    if code is None:
        return ""
    entry = table.get(code)
    return entry.get(language, entry["zh"]) if entry else code


# GB/T 4658 education codes used in reports.
EDUCATION_CODES: dict[str, dict[str, str]] = {
    "11": {"zh": "博士研究生", "en": "doctor"},
    "14": {"zh": "硕士研究生", "en": "master"},
    "21": {"zh": "大学本科", "en": "bachelor"},
    "31": {"zh": "大学专科", "en": "college"},
}


def division_name(code: str) -> str:
    """Return the Chinese name of a Changchun division code; KeyError if it is not one."""
    return DIVISIONS[code]


def is_changchun_division(code: str) -> bool:
    return code in DIVISIONS


# --- Resident ID number, GB 11643 ------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"


def id_check_character(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17:
        raise ValueError("an ID number check needs 17 digits")
    total = sum(map(_mul, map(int, first17), _ID_WEIGHTS))
    return _ID_CHECK_CHARS[total % 11]


def normalise_id_number(text: str) -> str:
    """Strip surrounding blanks and read a lower-case check ``x`` as ``X``."""
    if not isinstance(text, str):
        raise ValueError("ID number must be a string")
    return text.strip().upper()


def parse_id_number(text: str) -> tuple[_dt.date, str]:
    """Validate an 18-character resident ID number and return ``(birth_date, sex)``.

    ``sex`` is ``"M"`` (odd sequence) or ``"F"`` (even). Raises ValueError with the reason.
    """
    number = normalise_id_number(text)
    if len(number) != 18:
        raise ValueError(f"ID number must have 18 characters, got {len(number)}")
    first17, check = number[:17], number[17]
    if not (first17.isascii() and first17.isdigit()):
        raise ValueError("the first 17 characters of an ID number must be digits")
    if not (check.isascii() and (check.isdigit() or check == "X")):
        raise ValueError("the last character of an ID number must be a digit or X")
    try:
        birth = _dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(f"ID number contains an impossible birth date {number[6:14]}") from None
    if birth.year < 1900:
        raise ValueError(f"ID number birth date {birth.isoformat()} is before 1900")
    expected = id_check_character(first17)
    if check != expected:
        raise ValueError(f"ID number check character is {check}, expected {expected}")
    sex = "M" if int(number[14:17]) % 2 == 1 else "F"
    return birth, sex


def is_valid_id_number(text: str) -> bool:
    try:
        parse_id_number(text)
    except ValueError:
        return False
    return True


def mask_id_number(text: str) -> str:
    """Keep the region code (first 6) and the last 4 characters: ``220102********123X``.

    The birth date and most of the sequence are hidden. Short or odd input is masked entirely
    except for at most its last 4 characters, so masking never leaks more than it would for a
    valid number.
    """
    number = normalise_id_number(text)
    if len(number) == 18:
        return number[:6] + "*" * 8 + number[-4:]
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]


def mask_name(name: str) -> str:
    """Mask a person's name for display.

    Chinese (no blank): keep the first character, star the rest (``张三丰`` -> ``张**``,
    ``李四`` -> ``李*``). Latin or other names with blanks: keep the initial of each word followed
    by stars of the word's length minus one (``John Smith`` -> ``J*** S****``). A one-character
    name is kept as ``*`` so that it is never shown in full.
    """
    if not isinstance(name, str):
        raise ValueError("name must be a string")
    name = name.strip()
    if not name:
        return ""
    words = name.split()
    if len(words) == 1:
        if len(name) == 1:
            return "*"
        return name[0] + "*" * (len(name) - 1)
    return " ".join(word[0] + "*" * (len(word) - 1) for word in words)


# --- Unified social credit code, GB 32100 (with the GB 11714 organisation code) --------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
# GB 11714 body characters: digits and upper-case Latin letters, valued 0-9 then A=10 ... Z=35.
_ORG_BODY_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def organisation_code_check(body8: str) -> str:
    """The GB 11714 check character for an 8-character organisation code body."""
    total = sum(_ORG_BODY_VALUES[c] * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    if value == 10:
        return "X"
    if value == 11:
        return "0"
    return str(value)


def credit_code_check(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(text: str) -> str:
    """Validate an 18-character unified social credit code; return it upper-cased.

    Raises ValueError with the reason: length, characters outside the alphabet (no I, O, S, V, Z),
    the organisation code check (positions 9-17, GB 11714) or the final check character.
    """
    if not isinstance(text, str):
        raise ValueError("credit code must be a string")
    code = text.strip().upper()
    if len(code) != 18:
        raise ValueError(f"credit code must have 18 characters, got {len(code)}")
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_CODE_ALPHABET:
            raise ValueError(f"credit code character {char!r} at position {position} is not allowed")
    organisation = code[8:17]
    expected_org = organisation_code_check(organisation[:8])
    if organisation[8] != expected_org:
        raise ValueError(
            f"organisation code {organisation} check character is {organisation[8]}, expected {expected_org}"
        )
    expected = credit_code_check(code[:17])
    if code[17] != expected:
        raise ValueError(f"credit code check character is {code[17]}, expected {expected}")
    return code


def is_valid_credit_code(text: str) -> bool:
    try:
        validate_credit_code(text)
    except ValueError:
        return False
    return True
