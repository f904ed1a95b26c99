"""Pages for officers of the talent-service bureau: the review queue, the case page (facts, rule trace, evidence,
clocks, audit trail, decisions), public notice and objections, issued cards (revocation) and payments.

Views parse a form, call one service and render. A refusal (409 when the case moved on, 403, 422) is shown on
the case page with the case's current state and a status ≥ 400, so the request's transaction rolls back.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from talent.auth import requires
from talent.codes import DIVISIONS, division_label
from talent.db import db
from talent.i18n import current_language
from talent.models import Role
from talent.models.applications import Objection
from talent.models.cards import Instalment
from talent.rules import PROGRAMMES, TIERS
from talent.services import InvalidInput, NotFound, ServiceError, publicity
from talent.services import applications as applications_service
from talent.services import cards as cards_service
from talent.services import reviews as reviews_service
from talent.services.eligibility import FACT_LABELS
from talent.services.paging import MAX_PAGE
from talent.services.uploads import open_document
from talent.services.workflow import STATUS_LABELS, Status
from talent.services.workflow import today as local_today
from talent.web.case_forms import (
    ApproveForm,
    ConfirmForm,
    ObjectionResolutionForm,
    QueueFilterForm,
    RejectForm,
    RequestChangesForm,
    RevocationForm,
    attach_errors,
    refusal,
)
from talent.web.case_labels import (
    CHANGE_FIELD_LABELS,
    install_template_helpers,
    programme_name,
    status_name,
    tier_name,
)

bp = Blueprint("officer", __name__, url_prefix="/officer")
install_template_helpers(bp)

PER_PAGE = 20


# --- the queue ----------------------------------------------------------------------------------------------


def _queue_filter_form(args: Any) -> QueueFilterForm:
    form = QueueFilterForm(formdata=args)
    form.status.choices = [SelectChoice("", _("待办（审核中、待复核）")),
                           *(SelectChoice(code, status_name(code)) for code in STATUS_LABELS)]
    form.tier.choices = [SelectChoice("", _("全部")), *(SelectChoice(tier, tier_name(tier)) for tier in TIERS),
                         SelectChoice("none", _("未认定人才层次"))]
    form.programme.choices = [SelectChoice("", _("全部")),
                              *(SelectChoice(code, programme_name(code)) for code in PROGRAMMES)]
    form.district.choices = [SelectChoice("", _("全部")),
                             *(SelectChoice(code, division_label(code, current_language())) for code in DIVISIONS)]
    return form


def queue_filters(form: QueueFilterForm) -> dict[str, Any]:
    """The review_queue arguments of a validated filter form (also used by the exports)."""
    return {
        "status": form.status.data or None,
        "tier": form.tier.data or None,
        "programme": form.programme.data or None,
        "sort": form.sort.data or "oldest",
        "search": (form.q.data or "").strip() or None,
        "district": form.district.data or None,
    }


def _page_number() -> int:
    try:
        return min(max(1, int(request.args.get("page", "1"))), MAX_PAGE)
    except ValueError:
        return 1


@bp.route("/")
@requires(Role.OFFICER)
def home():
    form = _queue_filter_form(request.args)
    problem = None
    if not form.validate():
        # A hand-edited address: say so and show the default queue rather than an error page.
        problem = {"title": _("筛选条件无效"), "message": _("已改为显示全部待办。"), "details": [], "status": 422}
        form = _queue_filter_form(MultiDict())
    filters = queue_filters(form)
    try:
        queue = reviews_service.review_queue(db.session, current_user, page=_page_number(), per_page=PER_PAGE,
                                             **filters)
    except InvalidInput as error:
        problem = refusal(error)
        filters = queue_filters(_queue_filter_form(MultiDict()))
        queue = reviews_service.review_queue(db.session, current_user, page=1, per_page=PER_PAGE)
    query = {{"search": "q"}.get(key, key): value for key, value in filters.items() if value}
    return render_template(
        "officer/home.html",
        form=form,
        queue=queue,
        query=query,
        problem=problem,
        pending_objections=len(publicity.pending_objections(db.session)),
        under_notice=len(publicity.public_notices(db.session)),
        employers_endpoint="officer_employers.index" if "officer_employers.index" in current_app.view_functions
        else None,
    )


# --- one case -------------------------------------------------------------------------------------------------


def _change_field_choices() -> list[SelectChoice]:
    language = current_language()
    choices = [SelectChoice(key, str(label)) for key, label in CHANGE_FIELD_LABELS.items() if key != "other"]
    choices += [SelectChoice(path, labels[language]) for path, labels in FACT_LABELS.items()]
    return choices + [SelectChoice("other", str(CHANGE_FIELD_LABELS["other"]))]


def _render_case(application_id: int, *, status: int = 200, problem: dict[str, Any] | None = None,
                 **forms: Any):
    application = applications_service.get_application(db.session, current_user, application_id)
    today = local_today()
    view = applications_service.application_view(application, current_user, today=today)
    request_form = forms.get("request_form") or RequestChangesForm(formdata=None)
    request_form.set_field_choices(_change_field_choices())
    approve_form = forms.get("approve_form") or ApproveForm(formdata=None)
    reject_form = forms.get("reject_form") or RejectForm(formdata=None)
    for decision_form in (approve_form, reject_form, request_form):
        # The forms carry the version shown on this page (after a refusal, the current one).
        decision_form.version.data = str(application.version)
    own_case = application.owner_id == current_user.id
    first_approver = application.first_approval_by_id == current_user.id
    objection_forms = {
        objection["id"]: forms.get("objection_forms", {}).get(objection["id"])
        or ObjectionResolutionForm(formdata=None, prefix=f"objection{objection['id']}")
        for objection in view["objections"] if objection["status"] == "pending"
    }
    return render_template(
        "officer/case.html",
        application=application,
        view=view,
        decision=application.decision,
        fact_list=view["facts"],
        reasons=application.decision.get("reasons", []),
        audit=reviews_service.case_audit_view(db.session, application),
        card=cards_service.card_view(application.card, today=today) if application.card else None,
        instalments=application.instalments,
        own_case=own_case,
        first_approver=first_approver,
        can_decide=not own_case and application.status == Status.IN_REVIEW,
        can_confirm=not own_case and not first_approver and application.status == Status.AWAITING_CONFIRMATION,
        can_revoke=not own_case and application.status == Status.GRANTED,
        can_mark_paid=not own_case and application.status == Status.GRANTED,
        letter_available=application.status in cards_service.LETTER_STATUSES and application.decided_at is not None,
        refund={
            "leaving": cards_service.preview_refund(application, fraud=False, today=today),
            "fraud": cards_service.preview_refund(application, fraud=True, today=today),
        } if application.status == Status.GRANTED else None,
        approve_form=approve_form,
        reject_form=reject_form,
        request_form=request_form,
        revocation_form=forms.get("revocation_form") or RevocationForm(formdata=None),
        objection_forms=objection_forms,
        confirm_form=ConfirmForm(formdata=None),
        problem=problem,
        language=current_language(),
    ), status


@bp.route("/cases/<int:application_id>")
@requires(Role.OFFICER)
def case(application_id: int):
    return _render_case(application_id)


def _decide(application_id: int, outcome: str, form: Any, form_name: str, items: list[dict[str, str]] | None = None):
    try:
        application = reviews_service.decide_application(
            db.session, current_user, application_id, outcome=outcome, reason=form.reason.data, items=items,
            expected_version=form.seen_version(),
        )
    except InvalidInput as error:
        db.session.rollback()
        general = attach_errors(form, error.errors, {"reason": "reason"})
        return _render_case(application_id, status=422, problem=refusal(error, general), **{form_name: form})
    except ServiceError as error:
        db.session.rollback()
        return _render_case(application_id, status=error.status, problem=refusal(error))
    messages = {
        Status.AWAITING_CONFIRMATION: _("已初审通过，等待另一位审核人员复核。"),
        Status.UNDER_NOTICE: _("已复核通过，公示期 %(start)s 至 %(end)s。", start=application.notice_starts_on,
                               end=application.notice_ends_on),
        Status.REJECTED: _("已作出不予通过的决定。"),
        Status.CHANGES_REQUESTED: _("已一次性告知申请人需要补正的事项。"),
    }
    flash(messages.get(application.status, _("已处理。")), "success")
    return redirect(url_for(".case", application_id=application_id))


@bp.route("/cases/<int:application_id>/approval", methods=["POST"])
@requires(Role.OFFICER)
def approve(application_id: int):
    form = ApproveForm()
    if not form.validate_on_submit():
        return _render_case(application_id, status=422, approve_form=form)
    return _decide(application_id, "approve", form, "approve_form")


@bp.route("/cases/<int:application_id>/rejection", methods=["POST"])
@requires(Role.OFFICER)
def reject(application_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        return _render_case(application_id, status=422, reject_form=form)
    return _decide(application_id, "reject", form, "reject_form")


@bp.route("/cases/<int:application_id>/change-request", methods=["POST"])
@requires(Role.OFFICER)
def request_changes(application_id: int):
    form = RequestChangesForm()
    form.set_field_choices(_change_field_choices())
    if not form.validate_on_submit():
        return _render_case(application_id, status=422, request_form=form)
    items = form.filled_items()
    result = _decide(application_id, "request_changes", form, "request_form", items=items)
    return result


@bp.route("/cases/<int:application_id>/documents/<int:document_id>")
@requires(Role.OFFICER)
def document(application_id: int, document_id: int):
    found, path = open_document(
        db.session, current_user, application_id, document_id, upload_dir=current_app.config["UPLOAD_PATH"]
    )
    return send_file(path, mimetype=found.content_type, as_attachment=True, download_name=found.original_name,
                     max_age=0)


@bp.route("/cases/<int:application_id>/letter.pdf")
@requires(Role.OFFICER)
def letter_pdf(application_id: int):
    application = applications_service.get_application(db.session, current_user, application_id)
    try:
        content = cards_service.decision_letter_pdf(db.session, current_user, application_id)
    except ServiceError as error:
        db.session.rollback()
        return _render_case(application_id, status=error.status, problem=refusal(error))
    response = send_file(BytesIO(content), mimetype="application/pdf", as_attachment=True,
                         download_name=f"{application.number}-decision.pdf", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- public notice and objections ----------------------------------------------------------------------------


@bp.route("/objections")
@requires(Role.OFFICER)
def objections():
    pending = publicity.pending_objections(db.session)
    return render_template(
        "officer/objections.html",
        pending=pending,
        notices=publicity.public_notices(db.session),
        today=local_today(),
    )


@bp.route("/objections/<int:objection_id>/resolution", methods=["POST"])
@requires(Role.OFFICER)
def resolve_objection(objection_id: int):
    objection = db.session.get(Objection, objection_id)
    if objection is None:
        raise NotFound("No such objection.")
    application_id = objection.application_id
    form = ObjectionResolutionForm(prefix=f"objection{objection_id}")
    if not form.validate_on_submit():
        return _render_case(application_id, status=422, objection_forms={objection_id: form})
    uphold = form.outcome.data == "uphold"
    try:
        publicity.resolve_objection(db.session, current_user, objection_id, uphold=uphold, reason=form.reason.data)
    except InvalidInput as error:
        db.session.rollback()
        general = attach_errors(form, error.errors, {"reason": "reason"})
        return _render_case(application_id, status=422, problem=refusal(error, general),
                            objection_forms={objection_id: form})
    except ServiceError as error:
        db.session.rollback()
        return _render_case(application_id, status=error.status, problem=refusal(error))
    flash(_("异议成立，此件已退回审核。") if uphold else _("异议不成立，公示继续。"), "success")
    return redirect(url_for(".case", application_id=application_id, _anchor="notice"))


# --- issued grants: revocation and payments --------------------------------------------------------------------


@bp.route("/cases/<int:application_id>/revocation", methods=["POST"])
@requires(Role.OFFICER)
def revoke(application_id: int):
    form = RevocationForm()
    if not form.validate_on_submit():
        return _render_case(application_id, status=422, revocation_form=form)
    try:
        revocation = cards_service.revoke_application(
            db.session, current_user, application_id, reason=form.reason.data, fraud=bool(form.fraud.data)
        )
    except InvalidInput as error:
        db.session.rollback()
        general = attach_errors(form, error.errors, {"reason": "reason"})
        return _render_case(application_id, status=422, problem=refusal(error, general), revocation_form=form)
    except ServiceError as error:
        db.session.rollback()
        return _render_case(application_id, status=error.status, problem=refusal(error))
    flash(_("已撤销。应退回金额：%(amount)s。", amount=f"¥{revocation.refund_owed:,}"), "success")
    return redirect(url_for(".case", application_id=application_id))


@bp.route("/instalments/<int:instalment_id>/payment", methods=["POST"])
@requires(Role.OFFICER)
def mark_paid(instalment_id: int):
    instalment = db.session.get(Instalment, instalment_id)
    if instalment is None:
        raise NotFound("No such instalment.")
    application_id = instalment.application_id
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_case(application_id, status=400)
    try:
        cards_service.mark_instalment_paid(db.session, current_user, instalment_id)
    except ServiceError as error:
        db.session.rollback()
        return _render_case(application_id, status=error.status, problem=refusal(error))
    flash(_("已登记发放。"), "success")
    return redirect(url_for(".case", application_id=application_id, _anchor="payments"))
