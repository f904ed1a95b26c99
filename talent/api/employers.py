"""Employer organisations."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from talent.api.schemas import StrictSchema
from talent.auth import requires
from talent.db import db
from talent.models import Role
from talent.models.employers import EMPLOYER_KINDS
from talent.services import employers as service

blp = Blueprint("employers", __name__, url_prefix="/api/v1/employers", description="Employer organisations")


class EmployerInSchema(StrictSchema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    credit_code = ma.fields.String(
        required=True, metadata={"description": "18-character unified social credit code (GB 32100)"}
    )
    district = ma.fields.String(required=True, metadata={"description": "Changchun division code, e.g. 220104"})
    kind = ma.fields.String(load_default="enterprise", validate=ma.validate.OneOf(EMPLOYER_KINDS))


class EmployerSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    credit_code = ma.fields.String()
    district = ma.fields.String()
    kind = ma.fields.String()
    verified = ma.fields.Boolean(attribute="is_verified")
    verified_at = ma.fields.DateTime(allow_none=True)


class EmployerListQuery(ma.Schema):
    verified = ma.fields.Boolean(load_default=None, allow_none=True)


@blp.route("", methods=["POST"])
@requires(Role.EMPLOYER)
@blp.arguments(EmployerInSchema)
@blp.response(201, EmployerSchema)
@blp.doc(security=[{"bearer": []}])
def register_employer(payload):
    """Register the organisation the signed-in employer account acts for; an officer then verifies it."""
    return service.register_employer(db.session, current_user, **payload)


@blp.route("", methods=["GET"])
@requires(Role.OFFICER, Role.EMPLOYER)
@blp.arguments(EmployerListQuery, location="query")
@blp.response(200, EmployerSchema(many=True))
@blp.doc(security=[{"bearer": []}])
def list_employers(query):
    """Officers see every organisation (filter `verified`); an employer account sees its own."""
    if current_user.role == Role.EMPLOYER:
        return service.employers_of(db.session, current_user)
    return service.list_employers(db.session, verified=query["verified"])


@blp.route("/<int:employer_id>/verification", methods=["POST"])
@requires(Role.OFFICER)
@blp.response(200, EmployerSchema)
@blp.doc(security=[{"bearer": []}])
def verify_employer(employer_id):
    """Mark an employer verified (officers)."""
    return service.verify_employer(db.session, current_user, employer_id)
