"""Pages for applicants: my applications, applying (after the eligibility check), following a case, evidence,
resubmission after a request for changes, and once granted the card, the decision letter and the payments.

Views parse a form, call one service and render; they never write to the database themselves. A refusal from a
service is shown on the case page with the current state (status ≥ 400, so the request's transaction rolls
back), never as a bare error page.
"""

from __future__ import annotations

import copy
from io import BytesIO
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from talent import production
from talent.auth import requires
from talent.db import db
from talent.i18n import current_language
from talent.models import Role
from talent.services import InvalidInput, ServiceError
from talent.services import applications as applications_service
from talent.services import cards as cards_service
from talent.services.eligibility import (
    EligibilityInputError,
    assess_facts,
    summarise_programmes,
    tier_label,
)
from talent.services.hiring import employment_facts
from talent.services.identities import keep_refusal_record
from talent.services.uploads import UPLOAD_STATUSES, open_document, store_document
from talent.services.workflow import Status, allowed_actions
from talent.services.workflow import today as local_today
from talent.web.case_forms import ApplyForm, ConfirmForm, ResubmitForm, UploadForm, attach_errors, refusal
from talent.web.case_labels import install_template_helpers, readable

bp = Blueprint("applicant", __name__, url_prefix="/applicant")
install_template_helpers(bp)

CHECKER_FACTS = "eligibility_facts"  # set by the eligibility checker (talent/web/eligibility.py)


# --- my applications --------------------------------------------------------------------------------------


@bp.route("/")
@requires(Role.APPLICANT)
def home():
    applications = applications_service.applications_of(db.session, current_user)
    open_case = next((a for a in applications if a.open_owner_id is not None), None)
    return render_template(
        "applicant/home.html",
        applications=applications,
        open_case=open_case,
        has_checked_facts=bool(session.get(CHECKER_FACTS)),
    )


# --- applying ---------------------------------------------------------------------------------------------


def _checked_facts() -> dict[str, Any] | None:
    saved = session.get(CHECKER_FACTS)
    return applications_service.prefill_facts(saved) if saved else None


def _preview(facts: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, list[str]]]:
    """The rule engine's decision on `facts` as of today (nothing stored), or the engine's refusals."""
    dated = {**copy.deepcopy(facts), "application_date": local_today().isoformat()}
    try:
        return assess_facts(dated, reasons=False), {}
    except EligibilityInputError as error:
        return None, (error.errors_zh if current_language() == "zh" else error.errors)


def _render_apply(form: ApplyForm, facts: dict[str, Any], status: int = 200, general: list[str] | None = None):
    decision, problems = _preview(facts)
    language = current_language()
    return render_template(
        "applicant/apply.html",
        form=form,
        decision=decision,
        problems=problems,
        general_errors=general or [],
        tier_text=tier_label(decision["tier"], language) if decision else None,
        programmes=summarise_programmes(decision) if decision else [],
        language=language,
    ), status


@bp.route("/apply", methods=["GET", "POST"])
@requires(Role.APPLICANT)
def apply():
    open_case = applications_service.open_application_of(db.session, current_user)
    if open_case is not None:
        flash(_("您已有一件正在办理的申请（%(number)s），办结或撤回后才能再次申请。", number=open_case.number), "warning")
        return redirect(url_for(".case", application_id=open_case.id))
    facts = _checked_facts()
    if facts is None:
        return render_template("applicant/apply_first_check.html")
    form = ApplyForm()
    if request.method == "GET" and not form.employer_credit_code.data:
        # Hired through the platform: the employer of that hire is prefilled (issue 12, services.hiring).
        hire = employment_facts(db.session, current_user)
        if hire is not None:
            form.employer_credit_code.data = hire["employer_credit_code"]
    if not form.validate_on_submit():
        return _render_apply(form, facts, 422 if form.errors else 200)
    submitted = copy.deepcopy(facts)
    if form.id_number.data:
        submitted["id_number"] = form.id_number.data
    decision, problems = _preview(submitted)
    if decision is None:
        general = attach_errors(form, problems, {"id_number": "id_number", "birth_date": "id_number"})
        return _render_apply(form, facts, 422, general)
    try:
        application = applications_service.submit_application(
            db.session, current_user, facts=submitted, employer_credit_code=form.employer_credit_code.data
        )
    except InvalidInput as error:
        db.session.rollback()
        keep_refusal_record(db.session, error)
        general = attach_errors(form, error.errors, {"employer_credit_code": "employer_credit_code",
                                                     "facts.id_number": "id_number"})
        return _render_apply(form, facts, 422, general)
    except ServiceError as error:
        db.session.rollback()
        return _render_apply(form, facts, error.status, [readable(error.message)])
    flash(_("申请已提交，编号 %(number)s。下一步：等待用人单位确认。", number=application.number), "success")
    return redirect(url_for(".case", application_id=application.id))


# --- one case -----------------------------------------------------------------------------------------------


def _render_case(
    application_id: int,
    *,
    status: int = 200,
    resubmit_form: ResubmitForm | None = None,
    upload_form: UploadForm | None = None,
    problem: dict[str, Any] | None = None,
):
    application = applications_service.get_application(db.session, current_user, application_id)
    today = local_today()
    view = applications_service.application_view(application, current_user, today=today)
    card = application.card
    can_resubmit = application.status in (Status.CHANGES_REQUESTED, Status.ENDORSEMENT_DECLINED)
    if resubmit_form is None and can_resubmit:
        resubmit_form = ResubmitForm(formdata=None, employer_credit_code=application.employer.credit_code)
    return render_template(
        "applicant/case.html",
        application=application,
        view=view,
        decision=application.decision,
        programmes=summarise_programmes(application.decision),
        card=cards_service.card_view(card, today=today) if card is not None else None,
        instalments=application.instalments,
        letter_available=application.status in cards_service.LETTER_STATUSES and application.decided_at is not None,
        can_upload=application.status in UPLOAD_STATUSES,
        can_resubmit=can_resubmit,
        can_withdraw="withdraw" in allowed_actions(application.status),
        has_checked_facts=bool(session.get(CHECKER_FACTS)),
        resubmit_form=resubmit_form,
        upload_form=upload_form or UploadForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        problem=problem,
        max_upload_bytes=current_app.config["MAX_UPLOAD_BYTES"],
        language=current_language(),
    ), status


@bp.route("/cases/<int:application_id>")
@requires(Role.APPLICANT)
def case(application_id: int):
    return _render_case(application_id)


@bp.route("/cases/<int:application_id>/resubmission", methods=["POST"])
@requires(Role.APPLICANT)
def resubmit(application_id: int):
    application = applications_service.get_application(db.session, current_user, application_id)
    form = ResubmitForm()
    if not form.validate_on_submit():
        return _render_case(application_id, status=422, resubmit_form=form)
    facts = None
    if form.use_checked_facts.data:
        facts = _checked_facts()
        if facts is None:
            form.use_checked_facts.errors = [_("没有找到最近一次测算的信息，请先重新测算。")]
            return _render_case(application_id, status=422, resubmit_form=form)
        problems = _preview(facts)[1]
        if problems:
            form.use_checked_facts.errors = [_("最近一次测算的信息有误：")] + [
                message for messages in problems.values() for message in messages
            ]
            return _render_case(application_id, status=422, resubmit_form=form)
    credit_code = form.employer_credit_code.data if application.status == Status.ENDORSEMENT_DECLINED else None
    try:
        applications_service.resubmit_application(
            db.session, current_user, application_id, facts=facts, employer_credit_code=credit_code,
            note=form.note.data,
        )
    except InvalidInput as error:
        db.session.rollback()
        keep_refusal_record(db.session, error)
        general = attach_errors(form, error.errors, {"employer_credit_code": "employer_credit_code",
                                                     "note": "note"})
        return _render_case(application_id, status=422, resubmit_form=form,
                            problem=refusal(error, general) if general else None)
    except ServiceError as error:
        db.session.rollback()
        return _render_case(application_id, status=error.status, problem=refusal(error))
    flash(_("已重新提交，请等待办理。"), "success")
    return redirect(url_for(".case", application_id=application_id))


@bp.route("/cases/<int:application_id>/documents", methods=["POST"])
@requires(Role.APPLICANT)
def upload(application_id: int):
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_case(application_id, status=422, upload_form=form)
    upload_file = form.file.data
    try:
        store_document(
            db.session, current_user, application_id, stream=upload_file.stream, filename=upload_file.filename,
            max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
        )
    except ServiceError as error:
        db.session.rollback()
        messages = [readable(m) for m in error.errors.get("file", [])] or [readable(error.message)]
        if error.status in (413, 422):
            form.file.errors = messages
            return _render_case(application_id, status=error.status, upload_form=form)
        return _render_case(application_id, status=error.status, problem=refusal(error))
    flash(_("材料“%(name)s”已上传。", name=upload_file.filename), "success")
    return redirect(url_for(".case", application_id=application_id, _anchor="evidence"))


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(_error: RequestEntityTooLarge):
    """A body over the limit is refused before the view runs; answer on the case page, next to the field."""
    application_id = (request.view_args or {}).get("application_id")
    if request.endpoint != "applicant.upload" or not current_user.is_authenticated or application_id is None:
        return render_template("errors/error.html", status=413, name="Payload Too Large", message="", errors=None), 413
    form = UploadForm(formdata=None)
    limit = current_app.config["MAX_UPLOAD_BYTES"] // (1024 * 1024)
    form.file.errors = [_("文件不能超过 %(mb)s MB，请压缩或分成几份后再上传。", mb=limit)]
    try:
        return _render_case(application_id, status=413, upload_form=form)
    except ServiceError as error:  # not one's own case (or none): that answer, not a 500 from the handler
        db.session.rollback()
        return (render_template("errors/error.html", status=error.status, name="", message=readable(error.message),
                                errors=None), error.status)


@bp.route("/cases/<int:application_id>/documents/<int:document_id>")
@requires(Role.APPLICANT)
def document(application_id: int, document_id: int):
    found, path = open_document(
        db.session, current_user, application_id, document_id, upload_dir=current_app.config["UPLOAD_PATH"]
    )
    return send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.original_name,
                     max_age=0)


@bp.route("/cases/<int:application_id>/withdrawal", methods=["POST"])
@requires(Role.APPLICANT)
def withdraw(application_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_case(application_id, status=400)
    try:
        applications_service.withdraw_application(db.session, current_user, application_id)
    except ServiceError as error:
        db.session.rollback()
        return _render_case(application_id, status=error.status, problem=refusal(error))
    flash(_("申请已撤回。"), "info")
    return redirect(url_for(".case", application_id=application_id))


# --- documents of a granted case ----------------------------------------------------------------------------


def _pdf(content: bytes, name: str):
    response = send_file(BytesIO(content), mimetype="application/pdf", as_attachment=True, download_name=name,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def public_base_url() -> str:
    """Where the card's QR code points: the configured public address (talent.production), never the Host
    header of the request."""
    return production.public_base_url()


@bp.route("/cases/<int:application_id>/card.pdf")
@requires(Role.APPLICANT)
def card_pdf(application_id: int):
    application = applications_service.get_application(db.session, current_user, application_id)
    if application.card is None:
        return _render_case(application_id, status=404, problem={
            "title": _("还没有尊享卡"), "message": _("公示期满并予以认定后才会发放尊享卡。")})
    card = cards_service.get_card(db.session, current_user, application.card.number)
    return _pdf(cards_service.card_pdf(card, base_url=public_base_url()), f"{card.number}.pdf")


@bp.route("/cases/<int:application_id>/letter.pdf")
@requires(Role.APPLICANT)
def letter_pdf(application_id: int):
    application = applications_service.get_application(db.session, current_user, application_id)
    try:
        content = cards_service.decision_letter_pdf(db.session, current_user, application_id)
    except ServiceError as error:
        db.session.rollback()
        return _render_case(application_id, status=error.status, problem=refusal(error))
    return _pdf(content, f"{application.number}-decision.pdf")
