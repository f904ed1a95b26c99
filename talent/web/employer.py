"""The employer desk: the organisation (registration, verification status), its posts (create, edit, close)
and the consenting graduates that fit each post."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talent.auth import requires
from talent.clock import today_in_changchun
from talent.db import db
from talent.i18n import current_language
from talent.models import Employer, Role
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound
from talent.services import jobs as job_service
from talent.services.employers import employers_of, register_employer
from talent.services.jobs import LocalizedInvalidInput
from talent.services.matching import candidates_for_job
from talent.web.job_forms import JobForm, OrganisationForm, attach_service_errors, industry_choices
from talent.web.jobs_pages import page_number

bp = Blueprint("employer", __name__, url_prefix="/employer")

RECENT_POSTS = 10
JOBS_PER_PAGE = 20


def _organisations() -> list[Employer]:
    return employers_of(db.session, current_user)


def _service_errors(error: InvalidInput) -> dict[str, list[str]]:
    if isinstance(error, LocalizedInvalidInput):
        return error.errors_in(current_language())
    from talent.web.case_labels import readable_errors

    return readable_errors(error.errors)


@bp.route("/")
@requires(Role.EMPLOYER)
def home():
    organisations = _organisations()
    if not organisations:
        return render_template("employer/home.html", organisations=[], form=OrganisationForm())
    summaries = [
        {
            "employer": employer,
            "counts": job_service.job_counts(db.session, employer),
            "recent": job_service.jobs_of_employers(db.session, [employer], per_page=RECENT_POSTS).items,
        }
        for employer in organisations
    ]
    return render_template(
        "employer/home.html", organisations=organisations, summaries=summaries, today=today_in_changchun(),
        industries=industry_choices(),
    )


@bp.route("/organisation/<int:employer_id>/industry", methods=["POST"])
@requires(Role.EMPLOYER)
def set_industry(employer_id: int):
    """The organisation's industry (GB/T 4754-2017 section), optional; counted in the programme's figures."""
    from talent.services.employers import set_employer_industry

    code = (request.form.get("industry") or "").strip() or None
    try:
        set_employer_industry(db.session, current_user, employer_id, code)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except InvalidInput:
        flash(_("请从列表中选择行业门类"), "warning")
        return redirect(url_for("employer.home"))
    flash(_("所属行业已保存。"), "success")
    return redirect(url_for("employer.home"))


@bp.route("/organisation", methods=["POST"])
@requires(Role.EMPLOYER)
def register_organisation():
    form = OrganisationForm()
    general: list[str] = []
    if form.validate_on_submit():
        try:
            register_employer(
                db.session, current_user, name=form.name.data, credit_code=form.credit_code.data,
                district=form.district.data, kind=form.kind.data, industry=form.industry.data or None,
            )
        except Conflict:
            form.credit_code.errors = [_("该统一社会信用代码已有单位注册；如属本单位，请联系平台管理员")]
        except InvalidInput as error:
            general = attach_service_errors(form, error.errors)
        else:
            flash(_("单位信息已提交，人才服务部门认证后即可发布岗位。"), "success")
            return redirect(url_for("employer.home"))
    return render_template(
        "employer/home.html", organisations=_organisations(), form=form, general_errors=general
    ), 422


@bp.route("/jobs")
@requires(Role.EMPLOYER)
def jobs():
    status = request.args.get("status")
    status = status if status in ("open", "closed") else None
    organisations = _organisations()
    result = job_service.jobs_of_employers(
        db.session, organisations, status=status, page=page_number(request.args.get("page")),
        per_page=JOBS_PER_PAGE,
    )
    return render_template(
        "employer/jobs.html", result=result, jobs=result.items, status=status, organisations=organisations,
        page_args={"status": status} if status else {}, today=today_in_changchun(),
    )


def _verified_organisations() -> list[Employer]:
    return [employer for employer in _organisations() if employer.is_verified]


@bp.route("/jobs/new", methods=["GET", "POST"])
@requires(Role.EMPLOYER)
def new_job():
    verified = _verified_organisations()
    if not verified:
        flash(_("单位通过人才服务部门认证后才能发布岗位。"), "warning")
        return redirect(url_for("employer.home"))
    from talent.services.training_bases import training_base_ids

    form = JobForm(employers=verified, internships=bool(training_base_ids(db.session) & {e.id for e in verified}))
    general: list[str] = []
    if request.method == "POST" and "suggest_occupation" in request.form:
        # "Suggest occupation codes": the form comes back with the platform's codes for what was written.
        form.validate()
        form.occupation_other.errors = []
        return render_template("employer/job_form.html", form=form, job=None, general_errors=[]), 200
    if form.validate_on_submit():
        values = form.values()
        values.setdefault("employer_id", verified[0].id)
        try:
            job = job_service.post_job(db.session, current_user, **values)
        except InvalidInput as error:
            general = attach_service_errors(form, _service_errors(error))
        else:
            flash(_("岗位“%(title)s”已发布。", title=job.title), "success")
            return redirect(url_for("employer.jobs"))
    status = 422 if request.method == "POST" else 200
    return render_template("employer/job_form.html", form=form, job=None, general_errors=general), status


def _own_job(job_id: int) -> Any:
    try:
        return job_service.job_of_caller(db.session, current_user, job_id)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)


@bp.route("/jobs/<int:job_id>/edit", methods=["GET", "POST"])
@requires(Role.EMPLOYER)
def edit_job(job_id: int):
    job = _own_job(job_id)
    if job.status == "closed":
        flash(_("岗位已关闭，不能再修改。"), "warning")
        return redirect(url_for("employer.jobs"))
    from talent.services.training_bases import is_training_base

    form = JobForm(data=JobForm.data_from_job(job) if request.method == "GET" else None,
                   internships=job.kind == "internship" or is_training_base(db.session, job.employer_id),
                   current_code=job.occupation_code)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            job_service.update_job(db.session, current_user, job.id, form.values())
        except InvalidInput as error:
            general = attach_service_errors(form, _service_errors(error))
        else:
            flash(_("岗位“%(title)s”已更新。", title=job.title), "success")
            return redirect(url_for("employer.jobs"))
    status = 422 if request.method == "POST" else 200
    return render_template("employer/job_form.html", form=form, job=job, general_errors=general), status


@bp.route("/jobs/<int:job_id>/close", methods=["POST"])
@requires(Role.EMPLOYER)
def close_job(job_id: int):
    job = _own_job(job_id)
    try:
        job_service.close_job(db.session, current_user, job.id)
    except Conflict:
        flash(_("岗位已经关闭。"), "warning")
    else:
        flash(_("岗位“%(title)s”已关闭，不再出现在查询和推荐中。", title=job.title), "success")
    return redirect(url_for("employer.home") if request.form.get("next") == "home" else url_for("employer.jobs"))


@bp.route("/jobs/<int:job_id>/candidates")
@requires(Role.EMPLOYER)
def candidates(job_id: int):
    _own_job(job_id)
    job, ranked = candidates_for_job(db.session, current_user, job_id, limit=20, surface="candidates")
    return render_template(
        "employer/candidates.html", job=job, candidates=ranked, today=today_in_changchun()
    )
