"""Employer-side endorsement: the cases that name this employer's organisation, and the endorse/decline form.

The employer sees what it needs to vouch for the applicant — the name and the employment facts — never the ID
number (`applications.employer_view`). The employer desk (another area) includes
`templates/employer/_endorsements_panel.html`; the `pending_endorsements()` template global registered here
gives that panel its rows, so the including page needs no changes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talent.auth import requires
from talent.db import db
from talent.models import Role
from talent.services import InvalidInput, ServiceError
from talent.services import applications as applications_service
from talent.services.workflow import Status
from talent.services.workflow import today as local_today
from talent.web.case_forms import EndorsementForm, attach_errors, refusal
from talent.web.case_labels import install_template_helpers

bp = Blueprint("endorsements", __name__, url_prefix="/employer/endorsements")
install_template_helpers(bp)


def pending_endorsements(limit: int = 10) -> list[dict[str, Any]]:
    """The cases waiting for the signed-in employer's endorsement (for the employer desk's panel)."""
    if not current_user.is_authenticated or current_user.role != Role.EMPLOYER:
        return []
    today = local_today()
    pending = applications_service.endorsements_for(db.session, current_user, pending_only=True)
    return [applications_service.employer_view(application, today=today) for application in pending[:limit]]


def _install_panel_global(state: Any) -> None:
    state.app.jinja_env.globals["pending_endorsements"] = pending_endorsements


bp.record_once(_install_panel_global)


@bp.route("/")
@requires(Role.EMPLOYER)
def index():
    today = local_today()
    cases = [
        applications_service.employer_view(application, today=today)
        for application in applications_service.endorsements_for(db.session, current_user)
    ]
    pending = [c for c in cases if c["status"] == Status.AWAITING_ENDORSEMENT]
    answered = [c for c in cases if c["status"] != Status.AWAITING_ENDORSEMENT]
    return render_template("endorsements/index.html", pending=pending, answered=answered)


def _render_case(application_id: int, *, form: EndorsementForm | None = None, status: int = 200,
                 problem: dict[str, Any] | None = None):
    application = applications_service.get_application_for_endorsement(db.session, current_user, application_id)
    view = applications_service.employer_view(application, today=local_today())
    return render_template(
        "endorsements/case.html",
        view=view,
        form=form or EndorsementForm(formdata=None),
        can_answer=application.status == Status.AWAITING_ENDORSEMENT,
        problem=problem,
    ), status


@bp.route("/<int:application_id>")
@requires(Role.EMPLOYER)
def case(application_id: int):
    return _render_case(application_id)


@bp.route("/<int:application_id>", methods=["POST"])
@requires(Role.EMPLOYER)
def answer(application_id: int):
    form = EndorsementForm()
    if not form.validate_on_submit():
        return _render_case(application_id, form=form, status=422)
    endorse = form.decision.data == "endorse"
    try:
        application = applications_service.endorse_application(
            db.session, current_user, application_id, endorse=endorse, comment=form.comment.data
        )
    except InvalidInput as error:
        db.session.rollback()
        general = attach_errors(form, error.errors, {"comment": "comment"})
        return _render_case(application_id, form=form, status=422,
                            problem=refusal(error, general) if general else None)
    except ServiceError as error:
        db.session.rollback()
        return _render_case(application_id, status=error.status, problem=refusal(error))
    if endorse:
        flash(_("已确认 %(number)s，申请已转人才服务部门审核。", number=application.number), "success")
    else:
        flash(_("已对 %(number)s 出具不予确认意见，申请人会看到您的说明。", number=application.number), "info")
    return redirect(url_for(".index"))
