"""Pages for officers of the talent-service bureau."""

from __future__ import annotations

from flask import Blueprint, render_template

from talent.auth import requires
from talent.models import Role

bp = Blueprint("officer", __name__, url_prefix="/officer")


@bp.route("/")
@requires(Role.OFFICER)
def home():
    return render_template("officer/home.html")
