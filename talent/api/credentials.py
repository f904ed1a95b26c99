"""Account safety over the API: change password, reset by e-mail, sign out everywhere, and (administrators)
deactivate or reactivate an account. docs/security.md describes the shapes."""

from __future__ import annotations

import logging

import marshmallow as ma
from flask import current_app, request
from flask_login import current_user
from flask_smorest import Blueprint

from talent import limits
from talent.api.schemas import StrictSchema
from talent.auth import allow_anyone, requires
from talent.db import db
from talent.models import Role
from talent.services import credentials
from talent.services.accounts import issue_token

log = logging.getLogger(__name__)

blp = Blueprint("credentials_api", __name__, url_prefix="/api/v1",
                description="Passwords, password reset, sign-out everywhere and account deactivation")


class PasswordChangeSchema(StrictSchema):
    current_password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=1000))
    new_password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=1000))


class ResetRequestSchema(StrictSchema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(max=254))


class ResetSchema(StrictSchema):
    new_password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(max=1000))


class FreshTokenSchema(ma.Schema):
    token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()


class AcceptedSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "always `accepted`"})


class AccountSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.Function(lambda user: user.role.value)
    is_active = ma.fields.Boolean()
    second_factor = ma.fields.Function(lambda user: credentials.has_second_factor(user))


class ActiveSchema(StrictSchema):
    active = ma.fields.Boolean(required=True)


class PagingSchema(StrictSchema):
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))
    offset = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=10_000_000))


def _fresh_token(user) -> dict:
    max_age = current_app.config["TOKEN_MAX_AGE"]
    return {"token": issue_token(user, current_app.config["SECRET_KEY"]), "token_type": "Bearer", "expires_in": max_age}


def public_base_url() -> str:
    """Where links in e-mails point: TALENT_PUBLIC_BASE_URL when set, else this request's own address."""
    return (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")


def mail_reset_link(email: str, token: str) -> None:
    from talent.mail import send_mail

    link = f"{public_base_url()}/password-reset/{token}"
    minutes = int(credentials.RESET_VALID_FOR.total_seconds() // 60)
    text = (
        f"您好：\n\n请打开下面的链接设置新密码（{minutes} 分钟内有效，只能使用一次）：\n{link}\n\n"
        "如果您没有申请重置密码，请忽略本邮件，您的密码不会改变。\n\n"
        f"To choose a new password, open this link (valid for {minutes} minutes, once):\n{link}\n\n"
        "If you did not ask for this, ignore this message; your password stays as it is.\n"
    )
    try:
        send_mail(email, "重置密码 / Reset your password", text)
    except Exception:  # noqa: BLE001 - the answer must not reveal whether the account exists
        log.exception("could not send the password-reset e-mail")


@blp.route("/auth/password", methods=["POST"])
@requires()
@blp.arguments(PasswordChangeSchema)
@blp.response(200, FreshTokenSchema)
@blp.doc(security=[{"bearer": []}])
def change_password(payload):
    """Change the password. Every session and token ends (this one too): the answer carries a new token."""
    user = credentials.change_password(db.session, current_user, **payload)
    return _fresh_token(user)


@blp.route("/auth/password-reset", methods=["POST"])
@limits.password_reset_per_address
@limits.password_reset_per_account
@allow_anyone
@blp.arguments(ResetRequestSchema)
@blp.response(202, AcceptedSchema)
def request_reset(payload):
    """Mail a single-use link valid 30 minutes to the account with this address. Always 202, whether or not
    such an account exists."""
    issued = credentials.request_password_reset(db.session, payload["email"])
    if issued is not None:
        user, token = issued
        mail_reset_link(user.email, token)
    return {"status": "accepted"}


@blp.route("/auth/password-reset/<token>", methods=["POST"])
@limits.password_reset_per_address
@allow_anyone
@blp.arguments(ResetSchema)
@blp.response(204)
def reset(payload, token: str):
    """Set a new password with the link's token; every session and token of the account ends, and the link
    stops working. 404 when the link is unknown, used or expired."""
    credentials.reset_password(db.session, token[:200], payload["new_password"])
    return ""


@blp.route("/auth/sign-out-everywhere", methods=["POST"])
@requires()
@blp.response(200, FreshTokenSchema)
@blp.doc(security=[{"bearer": []}])
def sign_out_everywhere():
    """End every session and token of this account; the answer carries a new token for this client."""
    user = credentials.sign_out_everywhere(db.session, current_user)
    return _fresh_token(user)


@blp.route("/users", methods=["GET"])
@requires(Role.ADMIN)
@blp.arguments(PagingSchema, location="query")
@blp.response(200, AccountSchema(many=True))
@blp.doc(security=[{"bearer": []}])
def accounts(paging):
    """Accounts, oldest first (administrators)."""
    return credentials.list_accounts(db.session, current_user, **paging)


@blp.route("/users/<int:user_id>/active", methods=["POST"])
@requires(Role.ADMIN)
@blp.arguments(ActiveSchema)
@blp.response(200, AccountSchema)
@blp.doc(security=[{"bearer": []}])
def set_active(payload, user_id: int):
    """Deactivate (`{"active": false}`) or reactivate an account (administrators). Deactivation ends every
    session and token of the account at once."""
    return credentials.set_active(db.session, current_user, user_id, active=payload["active"])


class AccountRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    email = ma.fields.String()


class IdentityRefusalSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.String(metadata={"description": "ISO 8601 time of the attempt"})
    id_number = ma.fields.String(metadata={"description": "masked"})
    refused_account = ma.fields.Nested(AccountRefSchema, allow_none=True)
    owner_account = ma.fields.Nested(AccountRefSchema, allow_none=True)


@blp.route("/identity-refusals", methods=["GET"])
@requires(Role.OFFICER)
@blp.response(200, IdentityRefusalSchema(many=True))
@blp.doc(security=[{"bearer": []}])
def identity_refusals():
    """Officers: the latest 100 attempts to apply with an ID number that belongs to another account."""
    from talent.services.identities import identity_refusals as refusals

    return refusals(db.session, current_user)
