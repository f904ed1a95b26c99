"""Youth-talent apartments (docs/policy.md §9): communities, applications, rounds, offers, leases. docs/apartments.md."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint

from talent.api.schemas import StrictSchema
from talent.auth import allow_anyone, requires
from talent.db import db
from talent.input_limits import SingleLine, fits
from talent.models import Role
from talent.models.apartments import (
    ApartmentBuilding,
    ApartmentCommunity,
    ApartmentLease,
    ApartmentRound,
    ApartmentUnit,
)
from talent.services import InvalidInput
from talent.services import apartments as service

blp = Blueprint(
    "apartments", __name__, url_prefix="/api/v1/apartments",
    description="Youth-talent apartments: communities, applications, rounds (commitment, seed, result), offers, "
                "leases.",
)
BEARER = [{"bearer": []}]
UNIT_TYPES = ma.validate.OneOf(["studio", "one_bed", "two_bed"])
# An area as text ("34.50"; the column is Numeric(7, 2)): a few characters more than the longest, for spaces.
AREA_TEXT_MAX = 20


class ApartmentApplicationInSchema(StrictSchema):
    communities = ma.fields.List(ma.fields.Integer(), required=True,
                                 metadata={"description": "1 to 3 community ids, in order of preference"})
    unit_type = ma.fields.String(required=True, validate=UNIT_TYPES)
    facts = ma.fields.Dict(load_default=None, allow_none=True,
                           metadata={"description": "docs/policy.md §7 facts; default: those of your latest talent "
                                                    "application. The application date is always today."})


class CommunityInSchema(StrictSchema):
    code = ma.fields.String(required=True, validate=[fits(ApartmentCommunity.code), SingleLine()])
    name_zh = ma.fields.String(required=True, validate=[fits(ApartmentCommunity.name_zh), SingleLine()])
    name_en = ma.fields.String(required=True, validate=[fits(ApartmentCommunity.name_en), SingleLine()])
    district = ma.fields.String(required=True, validate=[fits(ApartmentCommunity.district), SingleLine()])
    address = ma.fields.String(load_default="", validate=[fits(ApartmentCommunity.address), SingleLine()])


class UnitInSchema(StrictSchema):
    community = ma.fields.String(required=True, validate=[fits(ApartmentCommunity.code), SingleLine()],
                                 metadata={"description": "the community's code"})
    building = ma.fields.String(required=True, validate=[fits(ApartmentBuilding.name), SingleLine()])
    number = ma.fields.String(required=True, validate=[fits(ApartmentUnit.number), SingleLine()])
    type = ma.fields.String(required=True, validate=[fits(ApartmentUnit.unit_type), SingleLine()],
                            metadata={"description": "studio, one_bed or two_bed"})
    area_m2 = ma.fields.String(required=True, validate=[ma.validate.Length(max=AREA_TEXT_MAX), SingleLine()],
                               metadata={"description": "decimal m², e.g. \"34.50\""})


class UnitStatusInSchema(StrictSchema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(["free", "maintenance"]))


class RoundInSchema(StrictSchema):
    name = ma.fields.String(required=True, validate=[fits(ApartmentRound.name, min=1), SingleLine()])
    closes_on = ma.fields.Date(required=True)
    community_ids = ma.fields.List(ma.fields.Integer(), load_default=None, allow_none=True)
    unit_ids = ma.fields.List(ma.fields.Integer(), load_default=None, allow_none=True,
                              metadata={"description": "the units offered (default: every free unit not in an open round)"})


class OfferAnswerInSchema(StrictSchema):
    accept = ma.fields.Boolean(required=True)


class MoveOutInSchema(StrictSchema):
    on = ma.fields.Date(load_default=None, allow_none=True)
    note = ma.fields.String(load_default="", validate=fits(ApartmentLease.move_out_note),
                            metadata={"description": "kept with the lease"})


# --- what the endpoints answer (the dicts of talent.services.apartments.*_view) ---------------------------------


class CommunitySchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name_zh = ma.fields.String()
    name_en = ma.fields.String()
    district = ma.fields.String(metadata={"description": "GB/T 2260 division code"})
    district_name = ma.fields.String()
    address = ma.fields.String()
    units = ma.fields.Integer(metadata={"description": "units in the community, in any status"})
    free_units = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                                metadata={"description": "free units per type (studio, one_bed, two_bed)"})


class CommunityCreatedSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()


class UnitsCreatedSchema(ma.Schema):
    created = ma.fields.Integer(metadata={"description": "units added"})


class UnitStatusSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()


class UnitSchema(ma.Schema):
    id = ma.fields.Integer()
    community_id = ma.fields.Integer()
    community = ma.fields.String(metadata={"description": "the community's Chinese name"})
    community_en = ma.fields.String()
    building = ma.fields.String()
    number = ma.fields.String()
    unit_type = ma.fields.String()
    area_m2 = ma.fields.String(metadata={"description": "decimal m², e.g. \"34.50\""})
    status = ma.fields.String()


class ApartmentApplicationSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    communities = ma.fields.List(ma.fields.Integer(), metadata={"description": "community ids, in order of preference"})
    unit_type = ma.fields.String()
    application_date = ma.fields.String()
    priority_group = ma.fields.Integer()
    priority_group_name = ma.fields.String(metadata={"description": "holder, doctor, master or bachelor"})
    monthly_rent = ma.fields.Integer(metadata={"description": "integer yuan"})
    max_months = ma.fields.Integer()


class OfferSchema(ma.Schema):
    id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    application_id = ma.fields.Integer()
    status = ma.fields.String()
    source = ma.fields.String(metadata={"description": "draw or reoffer"})
    offered_on = ma.fields.String()
    respond_by = ma.fields.String()
    unit = ma.fields.Nested(UnitSchema)


class RentSchema(ma.Schema):
    month = ma.fields.Integer()
    due_on = ma.fields.String()
    amount = ma.fields.Integer(metadata={"description": "integer yuan"})


class LeaseSchema(ma.Schema):
    id = ma.fields.Integer()
    starts_on = ma.fields.String()
    ends_on = ma.fields.String(metadata={"description": "the last day of the lease"})
    months = ma.fields.Integer()
    monthly_rent = ma.fields.Integer(metadata={"description": "integer yuan"})
    moved_out_on = ma.fields.String(allow_none=True)
    unit = ma.fields.Nested(UnitSchema)
    rent_schedule = ma.fields.List(ma.fields.Nested(RentSchema))


class MyApartmentSchema(ma.Schema):
    applications = ma.fields.List(ma.fields.Nested(ApartmentApplicationSchema))
    offers = ma.fields.List(ma.fields.Nested(OfferSchema))
    leases = ma.fields.List(ma.fields.Nested(LeaseSchema))


class RoundOfferSchema(ma.Schema):
    application_id = ma.fields.Integer()
    applicant = ma.fields.String(metadata={"description": "the applicant's name, masked"})
    group = ma.fields.Integer(allow_none=True)
    unit_id = ma.fields.Integer()
    unit = ma.fields.String(metadata={"description": "community code, building and number"})


class RoundWaitingSchema(ma.Schema):
    application_id = ma.fields.Integer()
    applicant = ma.fields.String(metadata={"description": "the applicant's name, masked"})
    group = ma.fields.Integer(allow_none=True)


class RoundExcludedSchema(ma.Schema):
    application_id = ma.fields.Integer()
    applicant = ma.fields.String(metadata={"description": "the applicant's name, masked"})
    reason = ma.fields.String()


class RoundSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    status = ma.fields.String()
    closes_on = ma.fields.String()
    commitment = ma.fields.String(metadata={"description": "SHA-256 of the secret seed, published when opened"})
    seed = ma.fields.String(allow_none=True, metadata={"description": "published when the round is closed"})
    inputs_digest = ma.fields.String(allow_none=True)
    allocated_on = ma.fields.String(allow_none=True)
    units = ma.fields.Integer()
    offers = ma.fields.List(ma.fields.Nested(RoundOfferSchema))
    waiting = ma.fields.List(ma.fields.Nested(RoundWaitingSchema))
    excluded = ma.fields.List(ma.fields.Nested(RoundExcludedSchema))


class RoundInputsSchema(ma.Schema):
    inputs = ma.fields.Dict(allow_none=True, metadata={"description": "null until the round is closed"})
    seed = ma.fields.String()
    commitment = ma.fields.String()
    inputs_digest = ma.fields.String()
    result = ma.fields.Dict(allow_none=True)


@blp.route("/communities", methods=["GET"])
@allow_anyone
@blp.response(200, CommunitySchema(many=True))
def communities():
    """Anyone: the communities with their free units per type."""
    return service.community_list(db.session)


@blp.route("/communities", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(CommunityInSchema)
@blp.response(201, CommunityCreatedSchema)
@blp.doc(security=BEARER)
def create_community(payload):
    """Officers: add a community (district: a Changchun division code)."""
    community = service.create_community(db.session, current_user, **payload)
    return {"id": community.id, "code": community.code}


@blp.route("/units", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(UnitInSchema)
@blp.response(201, UnitsCreatedSchema)
@blp.doc(security=BEARER)
def create_unit(payload):
    """Officers: add one unit (the same checks as an imported row)."""
    service.add_units(db.session, current_user, [payload], source="api")
    return {"created": 1}


@blp.route("/units/import", methods=["POST"])
@requires(Role.OFFICER)
@blp.response(201, UnitsCreatedSchema)
@blp.doc(security=BEARER, requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}})
def import_units():
    """Officers: import a unit list (.csv UTF-8 or .xlsx; columns community, building, number, type, area_m2).
    All rows or none: every bad row is reported as `rows.<n>.<field>` (n from 1, the header not counted)."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Attach the file.", {"file": ["Send the file as the multipart field 'file'."]})
    created = service.import_units(db.session, current_user, upload.filename or "", upload.read())
    return {"created": created}


@blp.route("/units/<int:unit_id>/status", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(UnitStatusInSchema)
@blp.response(200, UnitStatusSchema)
@blp.doc(security=BEARER)
def unit_status(payload, unit_id):
    """Officers: take a free unit out for maintenance or put it back."""
    unit = service.set_unit_status(db.session, current_user, unit_id, payload["status"])
    return {"id": unit.id, "status": unit.status}


@blp.route("/applications", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(ApartmentApplicationInSchema)
@blp.response(201, ApartmentApplicationSchema)
@blp.doc(security=BEARER)
def apply(payload):
    """Applicants: apply (one open application per person); refused (422) when not eligible today."""
    application = service.apply_for_apartment(db.session, current_user, **payload)
    return service.application_view(application)


@blp.route("/applications/me", methods=["GET"])
@requires(Role.APPLICANT)
@blp.response(200, MyApartmentSchema)
@blp.doc(security=BEARER)
def my_apartment():
    """Applicants: my applications, offers and leases (with the rent schedule)."""
    session = db.session
    return {
        "applications": [service.application_view(a) for a in service.apartment_applications_of(session, current_user)],
        "offers": [service.offer_view(session, o) for o in service.offers_of(session, current_user)],
        "leases": [service.lease_view(session, lease) for lease in service.leases_of(session, current_user)],
    }


@blp.route("/applications/<int:application_id>/withdrawal", methods=["POST"])
@requires(Role.APPLICANT)
@blp.response(200, ApartmentApplicationSchema)
@blp.doc(security=BEARER)
def withdraw(application_id):
    """Applicants: withdraw an application that has no pending offer."""
    return service.application_view(
        service.withdraw_apartment_application(db.session, current_user, application_id))


@blp.route("/offers/<int:offer_id>/answer", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(OfferAnswerInSchema)
@blp.response(200, OfferSchema, description="Declined: the offer (the unit is re-offered).")
@blp.alt_response(201, schema=LeaseSchema, description="Accepted: the lease.", success=True)
@blp.doc(security=BEARER)
def answer_offer(payload, offer_id):
    """Applicants: accept (→ 201 with the lease) or decline (→ 200 with the offer; the unit is re-offered)."""
    result = service.respond_to_offer(db.session, current_user, offer_id, accept=payload["accept"])
    if isinstance(result, ApartmentLease):
        # the alternative answer is serialised here: @blp.response serialises only the main one
        response = jsonify(LeaseSchema().dump(service.lease_view(db.session, result)))
        response.status_code = 201
        return response
    return service.offer_view(db.session, result)


@blp.route("/leases/<int:lease_id>/move-out", methods=["POST"])
@requires(Role.APPLICANT, Role.OFFICER)
@blp.arguments(MoveOutInSchema)
@blp.response(200, LeaseSchema)
@blp.doc(security=BEARER)
def move_out(payload, lease_id):
    """The tenant or an officer: end the lease (default: today); the unit becomes free."""
    lease = service.move_out(db.session, current_user, lease_id, on=payload["on"], note=payload["note"])
    return service.lease_view(db.session, lease)


@blp.route("/rounds", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(RoundInSchema)
@blp.response(201, RoundSchema)
@blp.doc(security=BEARER)
def open_round(payload):
    """Officers: open a round with every free unit (of the given communities) and publish its commitment."""
    round_ = service.open_round(db.session, current_user, **payload)
    return service.round_view(db.session, round_)


@blp.route("/rounds/<int:round_id>", methods=["GET"])
@allow_anyone
@blp.response(200, RoundSchema)
def get_round(round_id):
    """Anyone: the round: its commitment, then (once closed) the seed, the inputs' digest and the allocation
    with names masked."""
    return service.round_view(db.session, service.get_round(db.session, round_id))


@blp.route("/rounds/<int:round_id>/inputs", methods=["GET"])
@allow_anyone
@blp.response(200, RoundInputsSchema)
def round_inputs(round_id):
    """Anyone: the published inputs of a closed round (the JSON whose SHA-256 is the inputs' digest once written
    canonically), for re-running the allocation (talent.allocation)."""
    round_ = service.get_round(db.session, round_id)
    if round_.inputs is None:
        return {"inputs": None}
    return {"inputs": round_.inputs, "seed": round_.seed, "commitment": round_.commitment,
            "inputs_digest": round_.inputs_digest, "result": round_.result}


@blp.route("/rounds/<int:round_id>/closing", methods=["POST"])
@requires(Role.OFFICER)
@blp.response(200, RoundSchema)
@blp.doc(security=BEARER)
def close_round(round_id):
    """Officers: close the round: allocate, publish seed, inputs and result, make the offers (409 if already
    closed)."""
    round_ = service.close_round(db.session, current_user, round_id)
    return service.round_view(db.session, round_)
