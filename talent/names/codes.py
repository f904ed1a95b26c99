"""Names of the code lists (docs/policy.md §7; GB/T 2260 divisions) in Chinese and English.

One table per list: every page, PDF, API message and CLI line names these codes from here, so the same code
is never named two ways. Pure data (no Flask, Babel or SQLAlchemy), so the rule engine and workers can use it.
"""

from __future__ import annotations

from collections.abc import Iterable

# Changchun divisions (GB/T 2260, 2201xx), docs/policy.md §A.1.
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

# Names of the code lists of docs/policy.md §7, in both languages: the one table every page and document
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


# GB/T 4658 education codes used in reports: the platform's education code of each (named by EDUCATION).
EDUCATION_GB_CODES: dict[str, str] = {"11": "doctor", "14": "master", "21": "bachelor", "31": "college"}
# Kept for old callers: {"zh": name, "en": the platform's code} (not an English name).
EDUCATION_CODES: dict[str, dict[str, str]] = {
    gb: {"zh": EDUCATION_NAMES[code]["zh"], "en": code} for gb, code in EDUCATION_GB_CODES.items()
}



# The same tables under the names the rest of the package uses.
EDUCATION = EDUCATION_NAMES
TITLES = TITLE_NAMES
EMPLOYER_KINDS = EMPLOYER_KIND_NAMES
ROLE_KINDS = ROLE_KIND_NAMES


def join(items: Iterable[str], language: str) -> str:
    """A list in running text: "、" between Chinese items, ", " between English ones."""
    return ("、" if language == "zh" else ", ").join(items)


def english_list(items: list[str], conjunction: str = "and") -> str:
    """"a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]
