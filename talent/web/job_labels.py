"""Names of the jobs area's codes in the page's language, for templates and forms.

Every name comes from the one table of its code list in `talent.codes` (districts, education levels,
organisation kinds), so a code reads the same on every page and document. `register(app)` makes the helpers
Jinja globals for every template (the employer, graduate and officer pages use them as well as the job pages).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask_babel import gettext as _

from talent.codes import EDUCATION_NAMES, EMPLOYER_KIND_NAMES, code_label, division_label
from talent.i18n import current_language

_DISTRICT_CODE = re.compile(r"\b2201\d\d\b")


def district_label(code: str | None) -> str:
    """A Changchun district by name in the page's language (the code when unknown)."""
    if not code:
        return "—"
    return division_label(code, current_language())


def education_label(level: str | None) -> str:
    """A graduate's education (大学本科 / Bachelor's degree)."""
    if not level:
        return "—"
    return code_label(EDUCATION_NAMES, level, current_language())


def min_education_label(level: str | None) -> str:
    """A post's minimum education, phrased around the same name (大学本科及以上 / Bachelor's degree or above)."""
    if not level:
        return "—"
    return _("%(level)s及以上", level=education_label(level))


def employer_kind_label(kind: str | None) -> str:
    if not kind:
        return "—"
    return code_label(EMPLOYER_KIND_NAMES, kind, current_language())


def why_parts(why: dict[str, Any] | None) -> list[str]:
    """The reasons of a match as short phrases in the page's language (district codes read as names)."""
    if not why:
        return []
    if current_language() == "en":
        text = _DISTRICT_CODE.sub(lambda m: division_label(m.group(0), "en"), str(why.get("en", "")))
        return [part.strip() for part in text.split("; ") if part.strip()]
    return [part.strip() for part in str(why.get("zh", "")).split("；") if part.strip()]


def occupation_label(code: str | None) -> str:
    """`2-02-10-03 软件工程技术人员` (in both languages: CSCO-2022 names occupations in Chinese only)."""
    from talent.names.occupations import occupation_label as label

    return label(code)


TEMPLATE_GLOBALS = {
    "occupation_label": occupation_label,
    "occupation_note_en": "CSCO-2022 names occupations in Chinese only; no English name exists in the catalogue.",
    "district_label": district_label,
    "education_label": education_label,
    "min_education_label": min_education_label,
    "employer_kind_label": employer_kind_label,
    "why_parts": why_parts,
}


def register(app: Flask) -> None:
    """Make the helpers Jinja globals (idempotent: registering twice changes nothing)."""
    app.jinja_env.globals.update(TEMPLATE_GLOBALS)
