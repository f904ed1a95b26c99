"""Public pages: home, sign-in, registration, sign-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from talent import limits
from talent.auth import allow_anyone, requires
from talent.db import db
from talent.models import Role
from talent.services import ServiceError
from talent.services.accounts import create_user, sign_in
from talent.services.credentials import has_second_factor
from talent.web.credentials import start_second_factor
from talent.web.forms import LoginForm, RegisterForm

bp = Blueprint("public", __name__)

ROLE_HOME = {
    Role.APPLICANT: "applicant.home",
    Role.EMPLOYER: "employer.home",
    Role.OFFICER: "officer.home",
    Role.ADMIN: "officer.home",
    Role.ANALYST: "dashboard.index",
}
ROLE_HOME[Role.PARTNER] = "service_pages.desk"  # issue 11: partner organisations' staff


def _safe_next(target: str | None) -> str | None:
    """Only follow redirects within this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/")
@allow_anyone
def home():
    from flask import current_app

    from talent.clock import to_changchun
    from talent.services import programme

    counters = programme.cached_headline(db.session, current_app.config.get("REDIS_URL"))
    return render_template("public/home.html", counters=counters, counted_at=to_changchun(counters.computed_at),
                           targets=(programme.TARGET_POSTS, programme.TARGET_GRADUATES))


@bp.route("/login", methods=["GET", "POST"])
@limits.sign_in_per_account
@limits.sign_in_per_address
@allow_anyone
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = sign_in(db.session, form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("邮箱或密码不正确"))
        elif has_second_factor(user):
            return start_second_factor(user, _safe_next(request.args.get("next")))
        else:
            login_user(user)
            flash(_("欢迎回来，%(name)s", name=user.name), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for(ROLE_HOME.get(user.role, "public.home")))
    status = 422 if form.errors else 200
    return render_template("public/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
@limits.registration
@allow_anyone
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                db.session,
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                role=form.role.data,
            )
        except ServiceError as exc:
            # The form checks everything the service checks, in Chinese/English; what can still fail here is a
            # duplicate address (also when two registrations race).
            if exc.status == 409:
                form.email.errors.append(_("该邮箱已注册"))
            else:
                form.email.errors.append(_("注册信息有误，请检查后重试"))
        else:
            login_user(user)
            flash(_("注册成功"), "success")
            return redirect(url_for(ROLE_HOME.get(user.role, "public.home")))
    status = 422 if form.errors else 200
    return render_template("public/register.html", form=form), status


@bp.route("/logout", methods=["POST"])
@requires()
def logout():
    logout_user()
    # Nothing the person typed (e.g. the eligibility checker's answers) stays for the next user of the computer.
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    flash(_("您已安全退出"), "info")
    return redirect(url_for("public.home"))


@bp.route("/account")
@requires()
def account():
    return redirect(url_for(ROLE_HOME.get(current_user.role, "public.home")))
