"""Pages for hiring (docs/hiring.md): the graduate applies (from a post's page or their matches), follows their
applications and invitations, withdraws, answers offers and the 12-month question; the employer sees each post's
pipeline, moves candidates on (shortlist, interview, offer, hired, decline with a reason), invites candidates,
and answers the 12-month question for their hires. Thin: parse the form, call services.hiring / retention,
redirect with a message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talent.auth import requires
from talent.clock import CHANGCHUN, today_in_changchun
from talent.db import db
from talent.i18n import current_language
from talent.models import Role
from talent.models.hiring import ACTIVE_STATUSES, JOB_APPLICATION_STATUSES
from talent.names import hiring as names
from talent.services import InvalidInput, NotAllowed, NotFound, ServiceError, retention
from talent.services import hiring as service
from talent.services.jobs import LocalizedInvalidInput
from talent.services.uploads import UploadTooLarge
from talent.web.case_labels import readable

bp = Blueprint("hiring_pages", __name__)


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    def label(table: dict[str, dict[str, str]], code: str | None) -> str:
        if not code:
            return ""
        return table.get(code, {}).get(current_language(), code)

    return {
        "job_application_status": lambda code: label(names.STATUSES, code),
        "decline_reason_label": lambda code: label(names.DECLINE_REASONS, code),
        "retention_label": lambda code: label(names.RETENTION, code),
        "respondent_label": lambda code: label(names.RESPONDENTS, code),
        "decline_reasons": lambda: [(code, label(names.DECLINE_REASONS, code)) for code in names.DECLINE_REASONS
                                    if code != "position_filled"],
        "to_changchun_time": lambda moment: moment.replace(tzinfo=moment.tzinfo or dt.UTC).astimezone(CHANGCHUN)
        if moment else None,
    }


def _problem_text(error: ServiceError) -> str:
    text = readable(error.message)
    if isinstance(error, LocalizedInvalidInput):
        text = _("请修改后重新提交：")
        return text + "；".join(m for messages in error.errors_in(current_language()).values() for m in messages)
    if isinstance(error, InvalidInput) and error.errors:
        details = "; ".join(readable(m) for messages in error.errors.values() for m in messages)
        if details and details != text:
            text = f"{text} {details}"
    return text


def _back(default: str) -> Any:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(default)


def _refused(error: ServiceError) -> None:
    if isinstance(error, NotFound):
        abort(404)
    if isinstance(error, NotAllowed):
        abort(403)
    db.session.rollback()
    flash(_problem_text(error), "error")


# --- the graduate ---------------------------------------------------------------------------------------------


@bp.route("/jobs/<int:job_id>/apply", methods=["POST"])
@requires(Role.APPLICANT)
def apply(job_id: int):
    upload = request.files.get("cv")
    has_file = upload is not None and bool(upload.filename)
    try:
        service.apply_to_job(
            db.session, current_user, job_id, note=request.form.get("note") or None,
            cv=upload.stream if has_file else None, cv_filename=upload.filename if has_file else None,
            max_bytes=current_app.config["MAX_UPLOAD_BYTES"], surface=request.form.get("surface") or "job_page",
        )
    except UploadTooLarge as error:
        db.session.rollback()
        flash(_("简历文件过大：%(detail)s", detail=error.message), "error")
        return _back(url_for("jobs_pages.detail", job_id=job_id))
    except ServiceError as error:
        _refused(error)
        return _back(url_for("jobs_pages.detail", job_id=job_id))
    flash(_("已投递。用人单位处理后，您会在“我的投递”和站内消息中看到进展。"), "success")
    return redirect(url_for("hiring_pages.mine"))


@bp.route("/graduate/applications")
@requires(Role.APPLICANT)
def mine():
    status = request.args.get("status")
    status = status if status in JOB_APPLICATION_STATUSES else None
    applications = service.applications_of_graduate(db.session, current_user)
    invitations = [a for a in applications if a.status == "invited"]
    shown = [a for a in applications if a.status != "invited" and (status is None or a.status == status)]
    placements = retention.placements_of(db.session, current_user)
    return render_template(
        "hiring/mine.html", applications=shown, invitations=invitations, placements=placements, status=status,
        active=ACTIVE_STATUSES, today=today_in_changchun(),
        statuses=[code for code in JOB_APPLICATION_STATUSES if code != "invited"],
    )


def _graduate_action(application_id: int, action: Any, done: str) -> Any:
    try:
        action()
    except ServiceError as error:
        _refused(error)
    else:
        flash(done, "success")
    return redirect(url_for("hiring_pages.mine"))


@bp.route("/graduate/applications/<int:application_id>/withdraw", methods=["POST"])
@requires(Role.APPLICANT)
def withdraw(application_id: int):
    return _graduate_action(application_id, lambda: service.withdraw_application(
        db.session, current_user, application_id), _("投递已撤回。"))


@bp.route("/graduate/applications/<int:application_id>/invitation", methods=["POST"])
@requires(Role.APPLICANT)
def answer_invitation(application_id: int):
    accept = request.form.get("accept") == "yes"
    return _graduate_action(application_id, lambda: service.answer_invitation(
        db.session, current_user, application_id, accept=accept, note=request.form.get("note") or None),
        _("已接受邀请，投递已送达用人单位。") if accept else _("已婉拒邀请。"))


@bp.route("/graduate/applications/<int:application_id>/offer", methods=["POST"])
@requires(Role.APPLICANT)
def answer_offer(application_id: int):
    accept = request.form.get("accept") == "yes"
    return _graduate_action(application_id, lambda: service.answer_offer(
        db.session, current_user, application_id, accept=accept),
        _("恭喜！您已接受录用。") if accept else _("已婉拒录用通知。"))


@bp.route("/job-applications/<int:application_id>/cv")
@requires(Role.APPLICANT, Role.EMPLOYER)
def cv(application_id: int):
    try:
        application, content = service.open_cv(db.session, current_user, application_id)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    import io

    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=application.cv_original_name or "cv.pdf")


@bp.route("/placements/<int:placement_id>/retention", methods=["POST"])
@requires(Role.APPLICANT, Role.EMPLOYER)
def answer_retention(placement_id: int):
    value = request.form.get("still_in_changchun")
    target = url_for("hiring_pages.mine") if current_user.role == Role.APPLICANT else url_for(
        "hiring_pages.placements")
    if value not in ("yes", "no"):
        flash(_("请选择是否仍在长春工作。"), "error")
        return redirect(target)
    try:
        retention.answer_retention(db.session, current_user, placement_id, still_in_changchun=value == "yes")
    except ServiceError as error:
        _refused(error)
    else:
        flash(_("已记录您的确认，谢谢。"), "success")
    return redirect(target)


# --- the employer ---------------------------------------------------------------------------------------------


@bp.route("/employer/jobs/<int:job_id>/pipeline")
@requires(Role.EMPLOYER)
def pipeline(job_id: int):
    status = request.args.get("status")
    status = status if status in JOB_APPLICATION_STATUSES else None
    try:
        result = service.pipeline_of_job(db.session, current_user, job_id, status=status)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    return render_template("hiring/pipeline.html", pipeline=result, job=result.job, status=status,
                           statuses=JOB_APPLICATION_STATUSES, today=today_in_changchun(),
                           moves=service.EMPLOYER_MOVES)


def _interview_moment(text: str | None) -> dt.datetime | str | None:
    """A datetime-local field (Changchun time) as an aware moment; the text as given when it is not one."""
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=CHANGCHUN)
    except ValueError:
        return text


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@bp.route("/employer/job-applications/<int:application_id>/status", methods=["POST"])
@requires(Role.EMPLOYER)
def change_status(application_id: int):
    status = request.form.get("status")
    start = request.form.get("start_date")
    try:
        application = service.get_job_application(db.session, current_user, application_id)
        job_id = application.job_id
        if start and _date(start) is None:
            raise InvalidInput(_("日期格式不正确。"), {"start_date": [_("请填写年-月-日。")]})
        service.change_status(
            db.session, current_user, application_id, status,
            interview_at=_interview_moment(request.form.get("interview_at")),
            interview_place=request.form.get("interview_place") or None,
            interview_link=request.form.get("interview_link") or None,
            start_date=_date(start), reason=request.form.get("reason") or None,
            note=request.form.get("note") or None,
        )
    except (NotFound, NotAllowed) as error:
        _refused(error)
    except ServiceError as error:
        _refused(error)
        return redirect(url_for("hiring_pages.pipeline", job_id=application.job_id))
    flash(_("已更新为：%(status)s。", status=names.STATUSES.get(status, {}).get(current_language(), status)),
          "success")
    return redirect(url_for("hiring_pages.pipeline", job_id=job_id))


@bp.route("/employer/jobs/<int:job_id>/invite", methods=["POST"])
@requires(Role.EMPLOYER)
def invite(job_id: int):
    try:
        graduate_id = int(request.form.get("graduate_id") or 0)
    except ValueError:
        graduate_id = 0
    try:
        service.invite_candidate(db.session, current_user, job_id, graduate_id,
                                 message=request.form.get("message") or None)
    except ServiceError as error:
        _refused(error)
    else:
        flash(_("邀请已发送，毕业生接受后会出现在本岗位的投递中。"), "success")
    return redirect(url_for("employer.candidates", job_id=job_id))


@bp.route("/employer/placements")
@requires(Role.EMPLOYER)
def placements():
    return render_template("hiring/placements.html", placements=retention.placements_of(db.session, current_user),
                           today=today_in_changchun())
