"""The public notice (公示): cases under notice with masked names, and the objection form for signed-in users.

The list shows only what the notice must show (masked name, employer, tier, programmes, dates); anyone may read
it. Objecting needs an account, so that the bureau can reach the objector; anonymous readers see a sign-in link.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talent.auth import allow_anyone, requires
from talent.db import db
from talent.services import InvalidInput, ServiceError
from talent.services.publicity import file_objection, public_notices
from talent.web.case_forms import ObjectionForm, attach_errors, refusal
from talent.web.case_labels import install_template_helpers

bp = Blueprint("public_notice", __name__, url_prefix="/notice")
install_template_helpers(bp)


def _objection_form(application_id: int, *, blank: bool = False) -> ObjectionForm:
    # One form per notice on the page: the prefix keeps field ids and names apart.
    prefix = f"case{application_id}"
    return ObjectionForm(prefix=prefix, formdata=None) if blank else ObjectionForm(prefix=prefix)


def _render(*, form: ObjectionForm | None = None, form_for: int | None = None, status: int = 200,
            problem: dict[str, Any] | None = None):
    notices = public_notices(db.session)
    forms = {notice.application_id: _objection_form(notice.application_id, blank=True) for notice in notices}
    if form is not None and form_for in forms:
        forms[form_for] = form
    return render_template("notice/index.html", notices=notices, forms=forms, form_for=form_for,
                           problem=problem), status


@bp.route("")
@allow_anyone
def index():
    return _render()


@bp.route("/<int:application_id>/objections", methods=["POST"])
@requires()
def object_to(application_id: int):
    form = _objection_form(application_id)
    if not form.validate_on_submit():
        return _render(form=form, form_for=application_id, status=422)
    try:
        file_objection(db.session, current_user, application_id, text=form.text.data)
    except InvalidInput as error:
        db.session.rollback()
        general = attach_errors(form, error.errors, {"text": "text"})
        return _render(form=form, form_for=application_id, status=422,
                       problem=refusal(error, general) if general else None)
    except ServiceError as error:
        db.session.rollback()
        return _render(status=error.status, problem=refusal(error))
    flash(_("您的异议已提交，人才服务部门会进行核查。"), "success")
    return redirect(url_for(".index"))
