"""Services for card holders (docs/policy.md §10): requests, their handling by officers or partners, partner
organisations and the use of a service at a partner's desk. docs/services.md."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app, request
from flask_login import current_user
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from talent.api.schemas import StrictSchema
from talent.auth import requires
from talent.db import db
from talent.input_limits import SingleLine, fits
from talent.models import Role, User
from talent.models.cards import Card
from talent.models.service_requests import PartnerOrganisation, ServiceRequest
from talent.rules import SERVICES
from talent.services import InvalidInput, uploads
from talent.services import service_requests as service

blp = Blueprint(
    "service_requests", __name__, url_prefix="/api/v1",
    description="Services for card holders (特事特办): requests, handling, partners, uses at the desk.",
)
BEARER = [{"bearer": []}]
HANDLERS = (Role.OFFICER, Role.PARTNER)


class RequestInSchema(StrictSchema):
    service = ma.fields.String(required=True, validate=ma.validate.OneOf(list(SERVICES)))
    description = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))


class QuestionInSchema(StrictSchema):
    question = ma.fields.String(required=True, validate=fits(ServiceRequest.info_question, min=1))


class AnswerInSchema(StrictSchema):
    answer = ma.fields.String(required=True, validate=fits(ServiceRequest.info_answer, min=1))


class CompleteInSchema(StrictSchema):
    note = ma.fields.String(load_default="", validate=fits(ServiceRequest.outcome_reason))


class DeclineInSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=fits(ServiceRequest.outcome_reason, min=1))


class RatingInSchema(StrictSchema):
    rating = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1, max=5))
    comment = ma.fields.String(load_default="", validate=fits(ServiceRequest.rating_comment))


class PartnerInSchema(StrictSchema):
    name = ma.fields.String(required=True, validate=[fits(PartnerOrganisation.name, min=1), SingleLine()])
    services = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(SERVICES))), required=True,
                              validate=ma.validate.Length(min=1))


class StaffInSchema(StrictSchema):
    email = ma.fields.String(required=True, validate=[fits(User.email), SingleLine()])
    name = ma.fields.String(required=True, validate=[fits(User.name, min=1), SingleLine()])
    password = ma.fields.String(required=True, load_only=True)


class UseInSchema(StrictSchema):
    verification_code = ma.fields.String(required=True, validate=[fits(Card.verification_code), SingleLine()])
    service = ma.fields.String(required=True, validate=ma.validate.OneOf(list(SERVICES)))


class ListArgs(ma.Schema):
    status = ma.fields.String(load_default=None, validate=fits(ServiceRequest.status))


class ServiceNameSchema(ma.Schema):
    zh = ma.fields.String()
    en = ma.fields.String()


class ServiceRequestSchema(ma.Schema):
    """A request as the viewer may see it (talent.services.service_requests.request_view)."""

    id = ma.fields.Integer()
    service = ma.fields.String()
    service_name = ma.fields.Nested(ServiceNameSchema)
    description = ma.fields.String()
    status = ma.fields.String()
    holder = ma.fields.String(metadata={"description": "the holder's name (masked for partners)"})
    card_number = ma.fields.String(allow_none=True, metadata={"description": "null for partners"})
    routed_to = ma.fields.String(metadata={"description": "the partner's name, or service_officers"})
    opened_on = ma.fields.String()
    due_on = ma.fields.String()
    working_days = ma.fields.Integer(allow_none=True)
    overdue = ma.fields.Boolean()
    clock_stopped = ma.fields.Boolean()
    info_question = ma.fields.String(allow_none=True)
    info_answer = ma.fields.String(allow_none=True)
    outcome_reason = ma.fields.String(allow_none=True)
    closed_on = ma.fields.String(allow_none=True)
    escalated_on = ma.fields.String(allow_none=True)
    rating = ma.fields.Integer(allow_none=True)
    rating_comment = ma.fields.String(allow_none=True)
    evidence = ma.fields.String(allow_none=True, metadata={"description": "the evidence file's name"})


class PartnerSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    services = ma.fields.List(ma.fields.String())
    verified = ma.fields.Boolean()


class StaffSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    role = ma.fields.String()


class ServiceUseSchema(ma.Schema):
    id = ma.fields.Integer()
    service = ma.fields.String()
    used_at = ma.fields.String()


def _view(item):
    return service.request_view(db.session, item, current_user)


@blp.route("/service-requests", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(RequestInSchema)
@blp.response(201, ServiceRequestSchema)
@blp.doc(security=BEARER)
def open_request(payload):
    """Card holder: ask for a service listed on the active card → 201 with its due date."""
    item = service.open_request(db.session, current_user, **payload)
    return _view(item)


@blp.route("/service-requests", methods=["GET"])
@requires(Role.APPLICANT, Role.OFFICER, Role.PARTNER)
@blp.arguments(ListArgs, location="query")
@blp.response(200, ServiceRequestSchema(many=True))
@blp.doc(security=BEARER)
def list_requests(args):
    """The holder's own requests; a partner's routed requests (holder masked); every request for officers."""
    items = service.requests_for(db.session, current_user, status=args["status"])
    return [service.request_view(db.session, i, current_user) for i in items]


@blp.route("/service-requests/<int:request_id>", methods=["GET"])
@requires(Role.APPLICANT, Role.OFFICER, Role.PARTNER)
@blp.response(200, ServiceRequestSchema)
@blp.doc(security=BEARER)
def get_request(request_id):
    """One request (its holder, its handlers)."""
    return _view(service.get_request(db.session, current_user, request_id))


@blp.route("/service-requests/<int:request_id>/evidence", methods=["POST"])
@requires(Role.APPLICANT)
@blp.response(200, ServiceRequestSchema)
@blp.doc(security=BEARER, requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}}})
def evidence(request_id):
    """Holder: attach evidence (PDF, JPEG or PNG by content, ≤ 10 MB)."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Attach the file.", {"file": ["Send the file as the multipart field 'file'."]})
    try:
        item = service.attach_evidence(db.session, current_user, request_id, stream=upload.stream,
                                       filename=upload.filename, upload_dir=current_app.config["UPLOAD_PATH"],
                                       max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    except uploads.UploadTooLarge as error:
        raise RequestEntityTooLarge(error.message) from None
    return _view(item)


@blp.route("/service-requests/<int:request_id>/acceptance", methods=["POST"])
@requires(*HANDLERS)
@blp.response(200, ServiceRequestSchema)
@blp.doc(security=BEARER)
def accept(request_id):
    """Handler (officer, or staff of the partner it is routed to): take the request on."""
    return _view(service.accept_request(db.session, current_user, request_id))


@blp.route("/service-requests/<int:request_id>/information-request", methods=["POST"])
@requires(*HANDLERS)
@blp.arguments(QuestionInSchema)
@blp.response(200, ServiceRequestSchema)
@blp.doc(security=BEARER)
def ask(payload, request_id):
    """Handler: ask the holder for information; the clock stops."""
    return _view(service.ask_for_information(db.session, current_user, request_id, question=payload["question"]))


@blp.route("/service-requests/<int:request_id>/information", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(AnswerInSchema)
@blp.response(200, ServiceRequestSchema)
@blp.doc(security=BEARER)
def answer(payload, request_id):
    """Holder: give the information; the clock runs again (due date moved by the stopped working days)."""
    return _view(service.answer_information(db.session, current_user, request_id, answer=payload["answer"]))


@blp.route("/service-requests/<int:request_id>/completion", methods=["POST"])
@requires(*HANDLERS)
@blp.arguments(CompleteInSchema)
@blp.response(200, ServiceRequestSchema)
@blp.doc(security=BEARER)
def complete(payload, request_id):
    """Handler: the service was provided."""
    return _view(service.complete_request(db.session, current_user, request_id, note=payload["note"]))


@blp.route("/service-requests/<int:request_id>/decline", methods=["POST"])
@requires(*HANDLERS)
@blp.arguments(DeclineInSchema)
@blp.response(200, ServiceRequestSchema)
@blp.doc(security=BEARER)
def decline(payload, request_id):
    """Handler: decline with the reason the holder reads."""
    return _view(service.decline_request(db.session, current_user, request_id, reason=payload["reason"]))


@blp.route("/service-requests/<int:request_id>/rating", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(RatingInSchema)
@blp.response(200, ServiceRequestSchema)
@blp.doc(security=BEARER)
def rate(payload, request_id):
    """Holder: rate a closed request 1–5 with a comment (once)."""
    return _view(service.rate_request(db.session, current_user, request_id, **payload))


@blp.route("/partners", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(PartnerInSchema)
@blp.response(201, PartnerSchema)
@blp.doc(security=BEARER)
def create_partner(payload):
    """Officers: register a partner organisation and the services it provides."""
    partner = service.create_partner(db.session, current_user, **payload)
    return {"id": partner.id, "name": partner.name, "services": partner.services, "verified": False}


@blp.route("/partners/<int:partner_id>/verification", methods=["POST"])
@requires(Role.OFFICER)
@blp.response(200, PartnerSchema)
@blp.doc(security=BEARER)
def verify_partner(partner_id):
    """Officers: verify a partner organisation (requests are routed only to verified partners)."""
    partner = service.verify_partner(db.session, current_user, partner_id)
    return {"id": partner.id, "name": partner.name, "services": partner.services, "verified": True}


@blp.route("/partners/<int:partner_id>/staff", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(StaffInSchema)
@blp.response(201, StaffSchema)
@blp.doc(security=BEARER)
def add_staff(payload, partner_id):
    """Officers: create a `partner` account for the organisation's staff."""
    user = service.add_partner_staff(db.session, current_user, partner_id, **payload)
    return {"id": user.id, "email": user.email, "role": user.role.value}


@blp.route("/service-uses", methods=["POST"])
@requires(Role.PARTNER)
@blp.arguments(UseInSchema)
@blp.response(201, ServiceUseSchema)
@blp.doc(security=BEARER)
def record_use(payload):
    """Partner staff: a card checked at the desk; record that the holder used a service here."""
    use = service.record_service_use(db.session, current_user, **payload)
    return {"id": use.id, "service": use.service, "used_at": use.used_at.isoformat()}
