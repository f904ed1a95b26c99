"""Pages for applicants and graduates."""

from __future__ import annotations

from flask import Blueprint, render_template

from talent.auth import requires
from talent.models import Role

bp = Blueprint("applicant", __name__, url_prefix="/applicant")


@bp.route("/")
@requires(Role.APPLICANT)
def home():
    return render_template("applicant/home.html")
