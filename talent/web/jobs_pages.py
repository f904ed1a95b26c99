"""Public job search: open graduate positions with filters and paging, and one position's page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from talent.auth import allow_anyone
from talent.clock import today_in_changchun
from talent.codes import DIVISIONS
from talent.db import db
from talent.models.jobs import EDUCATION_LEVELS, JOB_KINDS
from talent.names.occupations import PREFIX as OCCUPATION_PREFIX
from talent.names.occupations import group_of, occupation_name
from talent.services import InvalidInput, hiring, job_groups
from talent.services import jobs as job_service
from talent.services.job_search import SORTS
from talent.services.paging import MAX_PAGE

bp = Blueprint("jobs_pages", __name__)

PER_PAGE = 20
OFFSET_PAGES = 10  # pages reachable by number alone (OFFSET ≤ 180 rows); deeper ones through the cursors


def page_number(text: str | None) -> int:
    """The `page` of a page's address: a hand-edited one is read as the nearest page that can exist."""
    try:
        return min(max(1, int(text or 1)), MAX_PAGE)
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
    # Internships (training places of training bases) are listed apart from jobs: a tab each.
    kind = request.args.get("kind") or "job"
    if kind not in JOB_KINDS:
        kind = "job"
        problems.append("kind")
    occupation = (request.args.get("occupation") or "").strip() or None
    if occupation and not OCCUPATION_PREFIX.fullmatch(occupation):
        occupation = None
        problems.append("occupation")
    sort = request.args.get("sort") or None
    if sort and sort not in SORTS:
        sort = None
        problems.append("sort")
    # Keyset paging: "next" and "previous" carry the cursor of the last (first) post shown, so a deep page
    # costs what the first does; a page number without a cursor (a hand-edited address) is read by OFFSET
    # only up to OFFSET_PAGES.
    after = request.args.get("after") or None
    before = None if after else request.args.get("before") or None
    page = page_number(request.args.get("page"))
    if not (after or before):
        page = min(page, OFFSET_PAGES)
    try:
        result = job_service.search_jobs(
            db.session, q=q or None, district=district, education=education,
            page=page, per_page=PER_PAGE, sort=sort, kind=kind, occupation=occupation, after=after,
            before=before,
        )
    except InvalidInput:  # a cursor of another search (hand-edited, or the filters changed): the first page
        problems.append("page")
        result = job_service.search_jobs(
            db.session, q=q or None, district=district, education=education, page=1, per_page=PER_PAGE, sort=sort,
            kind=kind, occupation=occupation)
    filters = {"q": q, "district": district or "", "education": education or "", "occupation": occupation or "",
               "sort": sort or "", "kind": kind if kind != "job" else ""}
    return render_template(
        "jobs/search.html", result=result, filters=filters, problems=problems,
        occupation_name=occupation_name(group_of(occupation)) if occupation else None,
        groups=job_groups.group_near_duplicates(result.items),
        page_args={key: value for key, value in filters.items() if value},
        today=today_in_changchun(),
    )


@bp.route("/jobs/<int:job_id>")
@allow_anyone
def detail(job_id: int):
    job = job_service.get_job(db.session, job_id)
    same_post, similar = job_groups.similar_jobs(db.session, job, open_condition=job_service.open_jobs_condition())
    # A graduate's view is recorded (matching feedback) and the page offers to apply, or shows the application.
    profile, application = hiring.post_viewed(db.session, current_user, job)
    return render_template("jobs/detail.html", job=job, today=today_in_changchun(), same_post=same_post,
                           similar=similar, graduate_profile=profile, my_application=application)
