"""Registration and API tokens."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from talent import limits
from talent.api.schemas import StrictSchema
from talent.auth import allow_anyone, requires
from talent.db import db
from talent.input_limits import SingleLine, fits
from talent.models import Role, User
from talent.services import NotAllowed, Unauthenticated, credentials
from talent.services.accounts import create_user, issue_token, sign_in

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Accounts and tokens")


class RegisterSchema(StrictSchema):
    email = ma.fields.Email(required=True, validate=fits(User.email))
    password = ma.fields.String(required=True, load_only=True)
    name = ma.fields.String(required=True, validate=[fits(User.name, min=1), SingleLine()])
    role = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf([Role.APPLICANT.value, Role.EMPLOYER.value]),
        metadata={"description": "applicant or employer; officers are created by an administrator"},
    )


class UserSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.Function(lambda user: user.role.value)


class TokenRequestSchema(StrictSchema):
    email = ma.fields.String(required=True, validate=fits(User.email))
    password = ma.fields.String(required=True, load_only=True)
    otp = ma.fields.String(
        load_only=True, load_default=None, validate=ma.validate.Length(max=10),
        metadata={"description": "the 6-digit code of the account's authenticator, once one is enrolled"},
    )


class TokenSchema(ma.Schema):
    token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()


@blp.route("/register", methods=["POST"])
@limits.registration
@allow_anyone
@blp.arguments(RegisterSchema)
@blp.response(201, UserSchema)
def register(payload):
    """Create an applicant or employer account."""
    return create_user(db.session, **payload)


@blp.route("/token", methods=["POST"])
@limits.sign_in_per_account
@limits.sign_in_per_address
@allow_anyone
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
def token(payload):
    """Exchange e-mail and password for a bearer token (send as `Authorization: Bearer <token>`)."""
    user = sign_in(db.session, payload["email"], payload["password"])
    if user is None:
        raise Unauthenticated("Wrong e-mail address or password.")
    if not credentials.second_factor_accepts(user, payload.get("otp")):
        raise Unauthenticated("This account needs the one-time code of its authenticator.",
                              {"otp": ["Missing or wrong one-time code."]})
    if credentials.second_factor_missing(user, current_app.config):
        raise NotAllowed("Enrol a second factor first: sign in on the web and open /account/two-factor.")
    max_age = current_app.config["TOKEN_MAX_AGE"]
    return {"token": issue_token(user, current_app.config["SECRET_KEY"]), "token_type": "Bearer", "expires_in": max_age}


@blp.route("/me", methods=["GET"])
@requires()
@blp.response(200, UserSchema)
@blp.doc(security=[{"bearer": []}])
def me():
    """The account the bearer token belongs to."""
    return current_user
