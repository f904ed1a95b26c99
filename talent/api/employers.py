"""Employer organisations."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from talent.api.schemas import StrictSchema, UtcDateTime
from talent.auth import requires
from talent.db import db
from talent.input_limits import SingleLine, fits
from talent.models import Employer, Role
from talent.models.employers import EMPLOYER_KINDS
from talent.names.industries import INDUSTRY_CODES
from talent.services import employers as service
from talent.services.paging import MAX_PAGE, MAX_PER_PAGE

blp = Blueprint("employers", __name__, url_prefix="/api/v1/employers", description="Employer organisations")


class EmployerInSchema(StrictSchema):
    name = ma.fields.String(required=True, validate=[fits(Employer.name, min=1), SingleLine()])
    credit_code = ma.fields.String(
        validate=fits(Employer.credit_code),
        required=True, metadata={"description": "18-character unified social credit code (GB 32100)"}
    )
    district = ma.fields.String(
        required=True, validate=fits(Employer.district), metadata={"description": "Changchun division code, e.g. 220104"}
    )
    kind = ma.fields.String(load_default="enterprise", validate=ma.validate.OneOf(EMPLOYER_KINDS))
    industry = ma.fields.String(
        load_default=None, allow_none=True, validate=ma.validate.OneOf(INDUSTRY_CODES),
        metadata={"description": "GB/T 4754-2017 section letter A–T (optional; null: not given)"},
    )


class EmployerChangeSchema(StrictSchema):
    industry = ma.fields.String(
        required=True, allow_none=True, validate=ma.validate.OneOf(INDUSTRY_CODES),
        metadata={"description": "GB/T 4754-2017 section letter A–T, or null: not given"},
    )


class EmployerSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    credit_code = ma.fields.String()
    district = ma.fields.String()
    kind = ma.fields.String()
    industry = ma.fields.String(allow_none=True)
    verified = ma.fields.Boolean(attribute="is_verified")
    verified_at = UtcDateTime(allow_none=True)


class PagingQuery(ma.Schema):
    """`page` and `per_page` of a listing, bounded so that no request asks the database for an absurd offset."""

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, MAX_PAGE))
    per_page = ma.fields.Integer(
        load_default=20, validate=ma.validate.Range(1, MAX_PER_PAGE), metadata={"description": f"1 to {MAX_PER_PAGE}."}
    )


class PageSchema(ma.Schema):
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    pages = ma.fields.Integer()


class EmployerListQuery(PagingQuery):
    verified = ma.fields.Boolean(load_default=None, allow_none=True)


class EmployerPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(EmployerSchema))


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
@blp.response(200, EmployerPageSchema)
@blp.doc(security=[{"bearer": []}])
def list_employers(query):
    """Officers see every organisation (filter `verified`); an employer account sees its own. Newest first,
    `{items, total, page, per_page, pages}`."""
    owner = current_user if current_user.role == Role.EMPLOYER else None
    return service.list_employers(db.session, owner=owner, **query)


@blp.route("/<int:employer_id>/verification", methods=["POST"])
@requires(Role.OFFICER)
@blp.response(200, EmployerSchema)
@blp.doc(security=[{"bearer": []}])
def verify_employer(employer_id):
    """Mark an employer verified (officers)."""
    return service.verify_employer(db.session, current_user, employer_id)


@blp.route("/<int:employer_id>", methods=["PATCH"])
@requires(Role.OFFICER, Role.EMPLOYER)
@blp.arguments(EmployerChangeSchema)
@blp.response(200, EmployerSchema)
@blp.doc(security=[{"bearer": []}])
def change_employer(payload, employer_id):
    """Change the organisation's industry (`{industry: "C"}` or `{industry: null}`): its own employer account or
    an officer. The programme's figures count posts and hires by it."""
    return service.set_employer_industry(db.session, current_user, employer_id, payload["industry"])
