"""Pages for graduates: the job-seeking profile (with the consent to be shown to employers) and the
positions recommended for it, each with the reasons."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talent.auth import requires
from talent.db import db
from talent.i18n import current_language
from talent.models import Role
from talent.services import Conflict, InvalidInput
from talent.services.graduates import major_catalogue, profile_of, save_graduate_profile
from talent.services.hiring import applications_by_job
from talent.services.jobs import LocalizedInvalidInput
from talent.services.matching import PREFER_CHOICES, matches_for_graduate
from talent.web.case_labels import readable_errors
from talent.web.job_forms import GraduateProfileForm, attach_service_errors

bp = Blueprint("graduate", __name__, url_prefix="/graduate")

MATCHES_SHOWN = 20


@bp.route("/profile", methods=["GET", "POST"])
@requires(Role.APPLICANT)
def profile():
    existing = profile_of(db.session, current_user)
    data = GraduateProfileForm.data_from_profile(existing) if existing and request.method == "GET" else None
    form = GraduateProfileForm(data=data)
    general: list[str] = []
    if form.validate_on_submit():
        try:
            save_graduate_profile(db.session, current_user, **form.values())
        except InvalidInput as error:
            errors = (error.errors_in(current_language()) if isinstance(error, LocalizedInvalidInput)
                      else readable_errors(error.errors))
            general = attach_service_errors(form, errors)
        except Conflict:
            # Saved meanwhile from another tab or a double click: show what was saved rather than overwrite it.
            flash(_("求职意向刚刚已在另一处保存。请核对下面的内容，需要修改时再保存一次。"), "warning")
            return redirect(url_for("graduate.profile"))
        else:
            flash(_("求职意向已保存。"), "success")
            return redirect(url_for("graduate.matches"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "graduate/profile.html", form=form, profile=existing, catalogue=major_catalogue(), general_errors=general
    ), status


@bp.route("/matches")
@requires(Role.APPLICANT)
def matches():
    existing = profile_of(db.session, current_user)
    prefer = request.args.get("prefer") or "relevance"
    status = 200
    if prefer not in PREFER_CHOICES:
        flash(_("未知的排序方式，已按相关度排序。"), "warning")
        prefer, status = "relevance", 422
    ranked = (matches_for_graduate(db.session, current_user, MATCHES_SHOWN, prefer, surface="graduate_matches")
              if existing else [])
    applied = applications_by_job(db.session, current_user, [m.job.id for m in ranked])
    return render_template("graduate/matches.html", profile=existing, matches=ranked, prefer=prefer,
                           applied=applied), status
