"""Review by officers: the queue, decisions (four eyes on approvals), objections during the public notice."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, request
from flask_login import current_user
from flask_smorest import Blueprint

from talent import limits
from talent.api.applications import ApplicationDocSchema
from talent.api.schemas import StrictSchema, UtcDateTime
from talent.auth import requires
from talent.db import db
from talent.input_limits import FREE_TEXT_MAX
from talent.models import Role
from talent.services import InvalidInput, publicity
from talent.services import applications as applications_service
from talent.services import reviews as service
from talent.services.paging import MAX_PAGE

blp = Blueprint(
    "reviews", __name__, url_prefix="/api/v1",
    description="Officers' review queue and decisions; objections during the public notice.",
)
BEARER = [{"bearer": []}]


class QueueQuerySchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    status = ma.fields.String(validate=ma.validate.Length(max=32), load_default=None, metadata={"description": "default: in_review and awaiting_confirmation"})
    tier = ma.fields.String(validate=ma.validate.Length(max=32), load_default=None, metadata={"description": "A, B, C or none"})
    programme = ma.fields.String(validate=ma.validate.Length(max=32), load_default=None, metadata={"description": "e.g. housing_subsidy"})
    sort = ma.fields.String(validate=ma.validate.Length(max=32), load_default="oldest", metadata={"description": "oldest (by age, default), newest, due"})
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, MAX_PAGE))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100))


class ClockSchema(ma.Schema):
    kind = ma.fields.String(allow_none=True)
    due_on = ma.fields.String(allow_none=True)
    working_days_left = ma.fields.Integer(allow_none=True)
    state = ma.fields.String(allow_none=True, metadata={"description": "on_time, due_soon (≤ 2 working days) or late"})


class QueueEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    applicant = ma.fields.String()
    employer = ma.fields.String()
    status = ma.fields.String()
    tier = ma.fields.String(allow_none=True)
    programmes = ma.fields.List(ma.fields.String())
    submitted_at = ma.fields.String()
    age_days = ma.fields.Integer()
    clock = ma.fields.Nested(ClockSchema)
    pending_objections = ma.fields.Integer()


class QueueSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(QueueEntrySchema))
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()
    total = ma.fields.Integer()
    pages = ma.fields.Integer()


class DecisionInSchema(StrictSchema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(service.OUTCOMES))
    reason = ma.fields.String(
        required=True, validate=ma.validate.Length(max=FREE_TEXT_MAX), metadata={"description": "the applicant reads it"}
    )
    items = ma.fields.List(
        ma.fields.Dict(), load_default=None, allow_none=True,
        metadata={"description": "request_changes only: every missing or wrong item at once, "
                                 "[{field, problem}] (一次性告知)"},
    )


class ObjectionInSchema(StrictSchema):
    text = ma.fields.String(required=True, validate=ma.validate.Length(max=FREE_TEXT_MAX))


class ObjectionSchema(ma.Schema):
    id = ma.fields.Integer()
    application_id = ma.fields.Integer()
    status = ma.fields.String()
    filed_at = UtcDateTime()
    resolved_at = UtcDateTime(allow_none=True)
    resolution_reason = ma.fields.String(allow_none=True)


class ResolutionInSchema(StrictSchema):
    uphold = ma.fields.Boolean(required=True)
    reason = ma.fields.String(required=True, validate=ma.validate.Length(max=FREE_TEXT_MAX))


@blp.route("/reviews", methods=["GET"])
@requires(Role.OFFICER)
@blp.arguments(QueueQuerySchema, location="query", unknown=ma.RAISE)
@blp.response(200, QueueSchema)
@blp.doc(security=BEARER)
def queue(query):
    """The review queue: filter by status, tier and programme; sort by age; pages. Each case carries its
    service-time clock (`due_soon` and `late` are highlighted)."""
    page = service.review_queue(db.session, current_user, **query)
    return {
        "items": [service.queue_item_view(item) for item in page.items],
        "page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages,
    }


@blp.route("/applications/<int:application_id>/decision", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(DecisionInSchema)
@blp.response(200, ApplicationDocSchema)
@blp.doc(security=BEARER)
def decide(payload, application_id):
    """approve | reject | request_changes with a reason. The first approval waits for a second, different
    officer; the second opens the public notice. A step that no longer applies answers 409, and so does a
    decision that raced another officer's. Optional `If-Match: "<version>"` decides only that version."""
    application = service.decide_application(
        db.session, current_user, application_id, expected_version=_if_match_version(), **payload
    )
    return jsonify(applications_service.application_view(application, current_user))


def _if_match_version() -> int | None:
    """An optional `If-Match: "<version>"` (the `version` of GET /applications/{id}): decide only that state."""
    raw = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not raw or raw == "*":
        return None
    # ASCII digits only ("²".isdigit() holds) and no more than a 32-bit version has (int() refuses 4,301+)
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10):
        raise InvalidInput("If-Match must be the case's version.", {"If-Match": ["Use the `version` of the case."]})
    return int(raw)


@blp.route("/applications/<int:application_id>/objections", methods=["POST"])
@limits.objections
@requires()
@blp.arguments(ObjectionInSchema)
@blp.response(201, ObjectionSchema)
@blp.doc(security=BEARER)
def object_to(payload, application_id):
    """Object to a case during its public notice period (any signed-in person)."""
    return publicity.file_objection(db.session, current_user, application_id, text=payload["text"])


@blp.route("/objections/<int:objection_id>/resolution", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(ResolutionInSchema)
@blp.response(200, ObjectionSchema)
@blp.doc(security=BEARER)
def resolve(payload, objection_id):
    """Uphold (the case goes back to review) or dismiss an objection, with a reason."""
    return publicity.resolve_objection(db.session, current_user, objection_id, **payload)
