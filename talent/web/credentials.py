"""Account safety pages: change password, reset by e-mail, sign out everywhere, the TOTP second factor (enrol
and the code step of sign-in), and the administrators' list of accounts (deactivate / reactivate)."""

from __future__ import annotations

import time
from typing import Any

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from talent import limits
from talent.auth import allow_anyone, requires
from talent.db import db
from talent.models import Role, User
from talent.services import InvalidInput, NotFound, ServiceError, credentials
from talent.services.accounts import password_problems

bp = Blueprint("credentials", __name__)

PENDING_SIGN_IN = "second_factor_pending"  # [user id, credential version, next, time] between the two steps
PENDING_SECRET = "second_factor_secret"  # the secret being enrolled, until confirmed
PENDING_SIGN_IN_SECONDS = 5 * 60


def _strong(_form: FlaskForm, field: PasswordField) -> None:
    if password_problems(field.data or ""):
        raise ValidationError(_l("密码至少 10 位，且须同时包含字母和数字或符号"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("当前密码"), validators=[DataRequired(_l("请填写当前密码"))])
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码")), Length(max=1000), _strong])
    confirm = PasswordField(_l("确认新密码"), validators=[DataRequired(_l("请再次输入新密码")),
                                                     EqualTo("new_password", _l("两次输入的密码不一致"))])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(_l("请填写电子邮箱")), Length(max=254)])


class ResetForm(FlaskForm):
    new_password = PasswordField(_l("新密码"), validators=[DataRequired(_l("请填写新密码")), Length(max=1000), _strong])
    confirm = PasswordField(_l("确认新密码"), validators=[DataRequired(_l("请再次输入新密码")),
                                                     EqualTo("new_password", _l("两次输入的密码不一致"))])


class CodeForm(FlaskForm):
    code = StringField(_l("动态验证码"), validators=[DataRequired(_l("请填写 6 位动态验证码")), Length(max=10)])


class EmptyForm(FlaskForm):
    """A button: only the CSRF token."""


def _sign_in_again(user: User) -> None:
    """The credential version changed: this browser goes on with a session of the new version."""
    login_user(user)


# --- change password, sign out everywhere -----------------------------------------------------------------

@bp.route("/account/security")
@requires()
def security():
    return render_template("credentials/security.html", form=EmptyForm(),
                           may_enrol=credentials.may_use_second_factor(current_user),
                           enrolled=credentials.has_second_factor(current_user))


@bp.route("/account/password", methods=["GET", "POST"])
@requires()
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            user = credentials.change_password(db.session, current_user, current_password=form.current_password.data,
                                               new_password=form.new_password.data)
        except InvalidInput as error:
            if "current_password" in error.errors:
                form.current_password.errors.append(_("当前密码不正确"))
            else:
                form.new_password.errors.append(_("新密码不能与当前密码相同"))
        else:
            _sign_in_again(user)
            flash(_("密码已修改，其他设备上的登录已全部退出"), "success")
            return redirect(url_for(".security"))
    return render_template("credentials/password.html", form=form), 422 if form.errors else 200


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@requires()
def sign_out_everywhere():
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    user = credentials.sign_out_everywhere(db.session, current_user)
    _sign_in_again(user)
    flash(_("其他设备上的登录已全部退出"), "success")
    return redirect(url_for(".security"))


# --- password reset by e-mail ---------------------------------------------------------------------------

@bp.route("/password-reset", methods=["GET", "POST"])
@limits.password_reset_per_address
@limits.password_reset_per_account
@allow_anyone
def request_reset():
    from talent.api.credentials import mail_reset_link

    form = ResetRequestForm()
    if form.validate_on_submit():
        issued = credentials.request_password_reset(db.session, form.email.data)
        if issued is not None:
            mail_reset_link(issued[0].email, issued[1])
        return render_template("credentials/reset_sent.html")
    return render_template("credentials/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@limits.password_reset_per_address
@allow_anyone
def reset(token: str):
    token = token[:200]
    try:
        credentials.valid_reset(db.session, token)
    except NotFound:
        return render_template("credentials/reset_invalid.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            credentials.reset_password(db.session, token, form.new_password.data)
        except NotFound:
            return render_template("credentials/reset_invalid.html"), 404
        flash(_("密码已重置，请用新密码登录"), "success")
        return redirect(url_for("public.login"))
    return render_template("credentials/reset.html", form=form), 422 if form.errors else 200


# --- the TOTP second factor -------------------------------------------------------------------------------

def start_second_factor(user: User, next_url: str | None) -> Any:
    """Called by the sign-in page after a right password for an account with a second factor."""
    session[PENDING_SIGN_IN] = [user.id, user.credential_version, next_url, int(time.time())]
    return redirect(url_for("credentials.second_factor"))


@bp.route("/login/two-factor", methods=["GET", "POST"])
@limits.second_factor
@allow_anyone
def second_factor():
    from talent.web.public import ROLE_HOME

    pending = session.get(PENDING_SIGN_IN)
    if not pending or time.time() - pending[3] > PENDING_SIGN_IN_SECONDS:
        session.pop(PENDING_SIGN_IN, None)
        return redirect(url_for("public.login"))
    user = db.session.get(User, pending[0])
    if user is None or not user.is_active or user.credential_version != pending[1]:
        session.pop(PENDING_SIGN_IN, None)
        return redirect(url_for("public.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if credentials.second_factor_accepts(user, form.code.data):
            session.pop(PENDING_SIGN_IN, None)
            login_user(user)
            flash(_("欢迎回来，%(name)s", name=user.name), "success")
            return redirect(pending[2] or url_for(ROLE_HOME[user.role]))
        form.code.errors.append(_("动态验证码不正确"))
    return render_template("credentials/second_factor.html", form=form), 422 if form.errors else 200


def _qr_data_uri(uri: str) -> str:
    return segno.make(uri, error="m").png_data_uri(scale=5, border=2)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@requires(Role.OFFICER)
def enrol():
    if credentials.has_second_factor(current_user):
        return render_template("credentials/enrolled.html")
    form = CodeForm()
    secret = session.get(PENDING_SECRET)
    if request.method == "GET" or not secret:
        # Shown once: a new secret on every visit until one is confirmed.
        secret = session[PENDING_SECRET] = credentials.new_totp_secret()
    elif form.validate_on_submit():
        try:
            user = credentials.enrol_second_factor(db.session, current_user, secret=secret, code=form.code.data)
        except InvalidInput:
            form.code.errors.append(_("动态验证码不正确，请核对手机上的时间后重试"))
        except ServiceError as error:
            abort(error.status)
        else:
            session.pop(PENDING_SECRET, None)
            _sign_in_again(user)
            flash(_("两步验证已启用，以后登录时需要输入动态验证码"), "success")
            return redirect(url_for(".security"))
    uri = credentials.provisioning_uri(current_user, secret)
    return render_template("credentials/enrol.html", form=form, secret=secret, qr=_qr_data_uri(uri),
                           required=credentials.second_factor_missing(current_user, current_app.config)), \
        422 if form.errors else 200


_OPEN_WITHOUT_SECOND_FACTOR = {"credentials.enrol", "public.logout", "static"}


@bp.before_app_request
def _require_second_factor_in_production() -> Any:
    """In production officers and admins enrol a second factor before they use any other page."""
    if request.path.startswith("/api/") or request.endpoint in _OPEN_WITHOUT_SECOND_FACTOR:
        return None
    if not current_app.config.get("ENV", "development") == "production":
        return None
    if current_user.is_authenticated and credentials.second_factor_missing(current_user, current_app.config):
        return redirect(url_for("credentials.enrol"))
    return None


# --- administrators: accounts ----------------------------------------------------------------------------

@bp.route("/admin/users")
@requires(Role.ADMIN)
def users():
    return render_template("credentials/users.html", users=credentials.list_accounts(db.session, current_user),
                           form=EmptyForm())


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@requires(Role.ADMIN)
def set_active(user_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        user = credentials.set_active(db.session, current_user, user_id, active=active)
    except ServiceError as error:
        db.session.rollback()
        flash(_("操作未执行：%(reason)s", reason=error.message), "error")
    else:
        flash(_("账号 %(email)s 已启用", email=user.email) if active else _("账号 %(email)s 已停用", email=user.email),
              "success")
    return redirect(url_for(".users"))


@bp.route("/officer/identity-refusals")
@requires(Role.OFFICER)
def identity_refusals():
    from talent.services.identities import identity_refusals as refusals

    return render_template("credentials/identity_refusals.html", refusals=refusals(db.session, current_user))
