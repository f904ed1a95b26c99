"""Officers verify employer organisations before they may post positions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from talent.auth import requires
from talent.db import db
from talent.models import Role
from talent.services import Conflict
from talent.services.employers import list_employers, verify_employer
from talent.web.jobs_pages import page_number

bp = Blueprint("officer_employers", __name__, url_prefix="/officer/employers")

PER_PAGE = 50


@bp.route("/")
@requires(Role.OFFICER)
def index():
    show = request.args.get("show")
    show = show if show in ("pending", "verified") else "pending"
    page = page_number(request.args.get("page"))
    # The tab shown is read a page at a time; the other tab only needs its count (the badge).
    pending = list_employers(db.session, verified=False, page=page if show == "pending" else 1,
                             per_page=PER_PAGE if show == "pending" else 1)
    verified = list_employers(db.session, verified=True, page=page, per_page=PER_PAGE) if show == "verified" else None
    return render_template(
        "officer_employers/index.html", show=show, pending=pending, verified=verified,
        page_args={"show": show} if show == "verified" else {},
    )


@bp.route("/<int:employer_id>/verification", methods=["POST"])
@requires(Role.OFFICER)
def verify(employer_id: int):
    try:
        employer = verify_employer(db.session, current_user, employer_id)
    except Conflict:
        flash(_("该单位已经认证过了。"), "warning")
    else:
        flash(_("已认证“%(name)s”，该单位现在可以发布岗位。", name=employer.name), "success")
    return redirect(url_for("officer_employers.index"))
