"""Pages for employers."""

from __future__ import annotations

from flask import Blueprint, render_template

from talent.auth import requires
from talent.models import Role

bp = Blueprint("employer", __name__, url_prefix="/employer")


@bp.route("/")
@requires(Role.EMPLOYER)
def home():
    return render_template("employer/home.html")
