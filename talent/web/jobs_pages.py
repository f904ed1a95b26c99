"""Public job search: open graduate positions with filters and paging, and one position's page."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from talent.auth import allow_anyone
from talent.codes import DIVISIONS
from talent.db import db
from talent.i18n import current_language
from talent.models.jobs import EDUCATION_LEVELS
from talent.services import jobs as job_service

bp = Blueprint("jobs_pages", __name__)

PER_PAGE = 20
_DISTRICT_CODE = re.compile(r"\b2201\d\d\b")
DISTRICT_NAMES_EN = {
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


@bp.app_template_global()
def district_label(code: str | None) -> str:
    """A Changchun district by name in the page's language (the code when unknown)."""
    if not code:
        return "—"
    if current_language() == "en":
        return DISTRICT_NAMES_EN.get(code, code)
    return DIVISIONS.get(code, code)


@bp.app_template_global()
def education_label(level: str | None) -> str:
    labels = {"college": _("大专"), "bachelor": _("本科"), "master": _("硕士研究生"), "doctor": _("博士研究生")}
    return labels.get(level or "", level or "—")


@bp.app_template_global()
def why_parts(why: dict | None) -> list[str]:
    """The reasons of a match as short phrases in the page's language."""
    if not why:
        return []
    if current_language() == "en":
        text = _DISTRICT_CODE.sub(lambda m: DISTRICT_NAMES_EN.get(m.group(0), m.group(0)), str(why.get("en", "")))
        return [part.strip() for part in text.split("; ") if part.strip()]
    return [part.strip() for part in str(why.get("zh", "")).split("；") if part.strip()]


def _page_number(text: str | None) -> int:
    try:
        return min(max(1, int(text or 1)), 100_000)
    except ValueError:
        return 1


@bp.route("/jobs")
@allow_anyone
def search():
    q = (request.args.get("q") or "").strip()[:200]
    district = request.args.get("district") or None
    education = request.args.get("education") or None
    # Unknown filter values from a hand-edited address are dropped (and said so) rather than failing.
    problems: list[str] = []
    if district and district not in DIVISIONS:
        district = None
        problems.append("district")
    if education and education not in EDUCATION_LEVELS:
        education = None
        problems.append("education")
    result = job_service.search_jobs(
        db.session, q=q or None, district=district, education=education,
        page=_page_number(request.args.get("page")), per_page=PER_PAGE,
    )
    filters = {"q": q, "district": district or "", "education": education or ""}
    return render_template(
        "jobs/search.html", result=result, filters=filters, problems=problems,
        page_args={key: value for key, value in filters.items() if value},
        today=job_service.today_in_changchun(),
    )


@bp.route("/jobs/<int:job_id>")
@allow_anyone
def detail(job_id: int):
    job = job_service.get_job(db.session, job_id)
    return render_template("jobs/detail.html", job=job, today=job_service.today_in_changchun())
