"""Privilege cards: data and PDF for the holder, public verification, revocation; payments of a grant."""

from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask_login import current_user
from flask_smorest import Blueprint

from talent.api.schemas import StrictSchema
from talent.auth import allow_anyone, requires
from talent.db import db
from talent.input_limits import FREE_TEXT_MAX
from talent.models import Role
from talent.production import public_base_url
from talent.services import cards as service

blp = Blueprint(
    "cards", __name__, url_prefix="/api/v1",
    description="Privilege cards (holder, officers), public verification, revocation, payments.",
)
BEARER = [{"bearer": []}]


class ServiceSchema(ma.Schema):
    code = ma.fields.String()
    zh = ma.fields.String()
    en = ma.fields.String()


class CardSchema(ma.Schema):
    number = ma.fields.String()
    status = ma.fields.String(metadata={"description": "active, revoked or expired"})
    valid = ma.fields.Boolean()
    tier = ma.fields.String()
    tier_name = ma.fields.Dict()
    holder = ma.fields.String()
    valid_from = ma.fields.String()
    valid_until = ma.fields.String()
    services = ma.fields.List(ma.fields.Nested(ServiceSchema))
    verification_code = ma.fields.String()
    application_id = ma.fields.Integer()
    issued_at = ma.fields.String()
    revoked_at = ma.fields.String(allow_none=True)


class VerificationSchema(ma.Schema):
    valid = ma.fields.Boolean()
    status = ma.fields.String(metadata={"description": "active, revoked or expired"})
    tier = ma.fields.String()
    valid_until = ma.fields.String()
    holder = ma.fields.String(metadata={"description": "the holder's name, masked"})


class CardRevocationInSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=FREE_TEXT_MAX))
    fraud = ma.fields.Boolean(required=True)
    left_on = ma.fields.Date(
        load_default=None, allow_none=True,
        metadata={"description": "the day the holder left Changchun employment (default: today)"},
    )


class RefundSchema(ma.Schema):
    revoked_on = ma.fields.String()
    left_on = ma.fields.String()
    reason = ma.fields.String()
    fraud = ma.fields.Boolean()
    months_served = ma.fields.Integer()
    paid_total = ma.fields.Integer()
    vested = ma.fields.Integer()
    refund_owed = ma.fields.Integer(metadata={"description": "integer yuan"})
    cancelled_instalments = ma.fields.Integer()


class CardRevocationSchema(CardSchema):
    """The revoked card, the refund owed and how it was computed."""

    refund_owed = ma.fields.Integer(metadata={"description": "integer yuan (docs/policy.md §6)"})
    refund = ma.fields.Nested(RefundSchema)


class PaymentInSchema(StrictSchema):
    paid_on = ma.fields.Date(load_default=None, allow_none=True, metadata={"description": "default: today"})


class InstalmentSchema(ma.Schema):
    id = ma.fields.Integer()
    programme = ma.fields.String()
    kind = ma.fields.String(allow_none=True)
    sequence = ma.fields.Integer()
    due_on = ma.fields.String()
    amount = ma.fields.Integer()
    status = ma.fields.String()
    paid_on = ma.fields.String(allow_none=True)


def _base_url() -> str:
    return public_base_url()


@blp.route("/cards/verify/<code>", methods=["GET"])
@allow_anyone
@blp.response(200, VerificationSchema)
def verify(code):
    """Anyone: is the card with this verification code valid? Answers valid/revoked/expired, the tier, the end of
    validity and the holder's masked name, nothing more."""
    return service.verify_card(db.session, code)


@blp.route("/cards/<number>", methods=["GET"])
@requires(Role.APPLICANT, Role.OFFICER)
@blp.response(200, CardSchema)
@blp.doc(security=BEARER)
def get_card(number):
    """The card's data (holder, officers)."""
    return service.card_view(service.get_card(db.session, current_user, number))


@blp.route("/cards/<number>.pdf", methods=["GET"])
@requires(Role.APPLICANT, Role.OFFICER)
@blp.doc(security=BEARER, responses={"200": {"description": "application/pdf: front and back"}})
def card_pdf(number):
    """The card as PDF (front and back; the QR code opens the public verification page)."""
    card = service.get_card(db.session, current_user, number)
    pdf = service.card_pdf(card, base_url=_base_url())
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{card.number}.pdf"'})


@blp.route("/cards/<number>/revocation", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(CardRevocationInSchema)
@blp.response(200, CardRevocationSchema)
@blp.doc(security=BEARER)
def revoke(payload, number):
    """Revoke the card (and the grant): future instalments cancelled, the refund owed computed (docs/policy.md §6);
    fraud also bans the person for 36 months."""
    revocation = service.revoke_card(db.session, current_user, number, **payload)
    refund = service.revocation_view(revocation)
    return {**service.card_view(revocation.card), "refund_owed": refund["refund_owed"], "refund": refund}


@blp.route("/instalments/<int:instalment_id>/payment", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(PaymentInSchema)
@blp.response(200, InstalmentSchema)
@blp.doc(security=BEARER)
def mark_paid(payload, instalment_id):
    """Record that an instalment of a granted case was paid (officers)."""
    return service.instalment_view(service.mark_instalment_paid(db.session, current_user, instalment_id, **payload))

