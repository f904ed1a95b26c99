"""Recruitment events (招聘宣讲) and training bases (实训基地): list and read events (anyone), create and manage
them (verified employers, officers), register (graduates), check in with the ticket's code (organisers and
officers); designate training bases (officers). docs/events.md describes the states and the ticket code."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_login import current_user
from flask_smorest import Blueprint

from talent.api.employers import PageSchema, PagingQuery
from talent.api.schemas import StrictSchema, UtcDateTime
from talent.auth import acting_user, allow_anyone, requires
from talent.clock import to_changchun
from talent.codes import DIVISIONS, mask_name
from talent.db import db
from talent.input_limits import SingleLine, fits
from talent.models import Role
from talent.models.events import EVENT_KINDS, RecruitmentEvent
from talent.names import events as names
from talent.services import events as service
from talent.services import training_bases as bases
from talent.services.events import MAX_CAPACITY, MAX_POSTS, MAX_TICKET_CODE
from talent.services.paging import MAX_ID

blp = Blueprint("events", __name__, url_prefix="/api/v1/events",
                description="Recruitment events: talks, fairs, online sessions; registration and check-in")
bases_blp = Blueprint("training_bases", __name__, url_prefix="/api/v1",
                      description="Training bases (实训基地) and their internship posts")
BEARER = [{"bearer": []}]


def _names(table: dict, code: str | None) -> dict[str, str] | None:
    return dict(table[code]) if code in table else None


class EventInSchema(StrictSchema):
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(EVENT_KINDS),
                            metadata={"description": "campus_talk, job_fair or online_session."})
    title = ma.fields.String(required=True, validate=[fits(RecruitmentEvent.title, min=1), SingleLine()])
    description = ma.fields.String(load_default="", validate=ma.validate.Length(max=10_000))
    starts_at = ma.fields.AwareDateTime(
        required=True, default_timezone=None,
        metadata={"description": "ISO 8601 with its offset, e.g. 2026-12-10T14:00:00+08:00 (Changchun time)."})
    ends_at = ma.fields.AwareDateTime(required=True, metadata={"description": "After starts_at; at most 3 days."})
    district = ma.fields.String(load_default=None, allow_none=True, validate=fits(RecruitmentEvent.district),
                                metadata={"description": "Changchun division code; required unless online."})
    venue = ma.fields.String(load_default=None, allow_none=True, validate=[fits(RecruitmentEvent.venue), SingleLine()],
                             metadata={"description": "The place; required unless online."})
    online_url = ma.fields.String(load_default=None, allow_none=True, validate=fits(RecruitmentEvent.online_url),
                                  metadata={"description": "A link with the https scheme; required for an online "
                                                           "session."})
    capacity = ma.fields.Integer(strict=True, required=True, validate=ma.validate.Range(1, MAX_CAPACITY))
    job_ids = ma.fields.List(ma.fields.Integer(strict=True, validate=ma.validate.Range(1, MAX_ID)),
                             load_default=list, validate=ma.validate.Length(max=MAX_POSTS),
                             metadata={"description": "Posts presented: the employer's own open posts; an officer "
                                                      "may pick open posts of any verified employer."})
    employer_id = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(1, MAX_ID),
                                    metadata={"description": "Only for an account acting for several organisations."})
    status = ma.fields.String(load_default="published", validate=ma.validate.OneOf(["draft", "published"]),
                              metadata={"description": "published (the default) or draft."})


class EventPatchSchema(StrictSchema):
    kind = ma.fields.String(validate=ma.validate.OneOf(EVENT_KINDS))
    title = ma.fields.String(validate=[fits(RecruitmentEvent.title, min=1), SingleLine()])
    description = ma.fields.String(validate=ma.validate.Length(max=10_000))
    starts_at = ma.fields.AwareDateTime()
    ends_at = ma.fields.AwareDateTime()
    district = ma.fields.String(allow_none=True, validate=fits(RecruitmentEvent.district))
    venue = ma.fields.String(allow_none=True, validate=[fits(RecruitmentEvent.venue), SingleLine()])
    online_url = ma.fields.String(allow_none=True, validate=fits(RecruitmentEvent.online_url))
    capacity = ma.fields.Integer(strict=True, validate=ma.validate.Range(1, MAX_CAPACITY))
    job_ids = ma.fields.List(ma.fields.Integer(strict=True, validate=ma.validate.Range(1, MAX_ID)),
                             validate=ma.validate.Length(max=MAX_POSTS))


class CancelSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500),
                              metadata={"description": "Told to every registered graduate."})


class CheckInInSchema(StrictSchema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_TICKET_CODE),
                            metadata={"description": "The text of the ticket's QR code (scanned or typed)."})


class EventPostSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    kind = ma.fields.String(metadata={"description": "job or internship."})
    employer_id = ma.fields.Integer()
    employer_name = ma.fields.Function(lambda job: job.employer.name)
    headcount = ma.fields.Integer()
    status = ma.fields.String()


class OrganiserSchema(ma.Schema):
    employer_id = ma.fields.Integer(allow_none=True, metadata={"description": "null: the talent-service bureau."})
    name = ma.fields.String()


def _organiser(event: RecruitmentEvent) -> dict:
    if event.employer is not None:
        return {"employer_id": event.employer.id, "name": event.employer.name}
    return {"employer_id": None, "name": "长春市人才服务中心"}


class EventSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    kind_name = ma.fields.Function(lambda e: _names(names.EVENT_KINDS, e.kind),
                                   metadata={"description": "{zh, en}"})
    title = ma.fields.String()
    description = ma.fields.String()
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    starts_at_local = ma.fields.Function(lambda e: to_changchun(e.starts_at).isoformat(),
                                         metadata={"description": "The start in Changchun time (+08:00)."})
    ends_at_local = ma.fields.Function(lambda e: to_changchun(e.ends_at).isoformat())
    district = ma.fields.String(allow_none=True)
    district_name = ma.fields.Function(lambda e: DIVISIONS.get(e.district) if e.district else None)
    venue = ma.fields.String(allow_none=True)
    online_url = ma.fields.String(allow_none=True)
    capacity = ma.fields.Integer()
    registered = ma.fields.Integer(attribute="registered_count")
    seats_left = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "draft, published or cancelled."})
    organiser = ma.fields.Function(_organiser, metadata={"description": "{employer_id, name}"})
    posts = ma.fields.List(ma.fields.Nested(EventPostSchema), attribute="jobs")
    cancel_reason = ma.fields.String(allow_none=True)
    created_at = UtcDateTime()
    published_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)


class EventPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(EventSchema))


class EventQuery(PagingQuery):
    kind = ma.fields.String(load_default=None, validate=ma.validate.OneOf(EVENT_KINDS))
    district = ma.fields.String(load_default=None, validate=fits(RecruitmentEvent.district))
    date_from = ma.fields.Date(load_default=None, metadata={"description": "Starting on or after (Changchun date)."})
    date_to = ma.fields.Date(load_default=None, metadata={"description": "Starting on or before (Changchun date)."})


class RegistrationSchema(ma.Schema):
    id = ma.fields.Integer()
    event_id = ma.fields.Integer()
    status = ma.fields.String(metadata={"description": "registered or cancelled."})
    registered_at = UtcDateTime()
    cancelled_at = UtcDateTime(allow_none=True)
    checked_in_at = UtcDateTime(allow_none=True)
    ticket_code = ma.fields.Function(
        lambda r: service.ticket_code(r) if r.status == "registered" else None,
        metadata={"description": "The signed text of the QR ticket (null once cancelled); docs/events.md."})


class MyRegistrationSchema(RegistrationSchema):
    event = ma.fields.Nested(EventSchema)


class MyRegistrationsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MyRegistrationSchema))


class CheckInSchema(ma.Schema):
    registration_id = ma.fields.Function(lambda c: c.registration.id)
    name = ma.fields.Function(lambda c: c.registration.user.name)
    checked_in_at = ma.fields.Function(lambda c: UtcDateTime()._serialize(c.registration.checked_in_at, None, None))
    message = ma.fields.Function(lambda c: {"zh": c.text("zh"), "en": c.text("en")})


class AttendeeSchema(ma.Schema):
    registration_id = ma.fields.Integer(attribute="id")
    name = ma.fields.Function(lambda r: mask_name(r.user.name), metadata={"description": "Masked (李**)."})
    status = ma.fields.String()
    registered_at = UtcDateTime()
    checked_in_at = UtcDateTime(allow_none=True)


class AttendanceSchema(ma.Schema):
    event_id = ma.fields.Integer()
    registered = ma.fields.Integer()
    checked_in = ma.fields.Integer()
    applications = ma.fields.Integer(
        metadata={"description": "Applications to the posts presented, made by graduates registered for the "
                                 "event (docs/events.md)."})
    items = ma.fields.List(ma.fields.Nested(AttendeeSchema))


@blp.route("", methods=["GET"])
@allow_anyone
@blp.arguments(EventQuery, location="query")
@blp.response(200, EventPageSchema)
def list_events(query):
    """Published events that are not over, soonest first; filter by `kind`, `district` and start dates."""
    return service.list_events(db.session, **query)


@blp.route("", methods=["POST"])
@requires(Role.EMPLOYER, Role.OFFICER)
@blp.arguments(EventInSchema)
@blp.response(201, EventSchema)
@blp.doc(security=BEARER)
def create_event(payload):
    """Create an event: a verified employer for its organisation, an officer for the bureau."""
    publish = payload.pop("status") == "published"
    return service.create_event(db.session, current_user, publish=publish, **payload)


@blp.route("/registrations", methods=["GET"])
@requires(Role.APPLICANT)
@blp.response(200, MyRegistrationsSchema)
@blp.doc(security=BEARER)
def my_registrations():
    """The caller's registrations with their ticket codes, soonest event first."""
    return {"items": service.registrations_of(db.session, current_user)}


@blp.route("/<int:event_id>", methods=["GET"])
@allow_anyone
@blp.response(200, EventSchema)
def get_event(event_id):
    """One event (a draft only for its organiser and officers)."""
    return service.get_event(db.session, event_id, acting_user())


@blp.route("/<int:event_id>", methods=["PATCH"])
@requires(Role.EMPLOYER, Role.OFFICER)
@blp.arguments(EventPatchSchema)
@blp.response(200, EventSchema)
@blp.doc(security=BEARER)
def change_event(payload, event_id):
    """Change an event that is neither cancelled nor over; registered graduates hear of a new time or place."""
    return service.update_event(db.session, current_user, event_id, payload)


@blp.route("/<int:event_id>/publication", methods=["POST"])
@requires(Role.EMPLOYER, Role.OFFICER)
@blp.response(200, EventSchema)
@blp.doc(security=BEARER)
def publish_event(event_id):
    """Publish a draft: it is listed and graduates may register."""
    return service.publish_event(db.session, current_user, event_id)


@blp.route("/<int:event_id>/cancellation", methods=["POST"])
@requires(Role.EMPLOYER, Role.OFFICER)
@blp.arguments(CancelSchema)
@blp.response(200, EventSchema)
@blp.doc(security=BEARER)
def cancel_event(payload, event_id):
    """Call the event off; every registered graduate is told, with the reason."""
    return service.cancel_event(db.session, current_user, event_id, payload["reason"])


@blp.route("/<int:event_id>/registrations", methods=["POST"])
@requires(Role.APPLICANT)
@blp.response(201, RegistrationSchema)
@blp.doc(security=BEARER)
def register(event_id):
    """Take a seat (409 when full, already registered, or not open); the answer carries the ticket code."""
    return service.register(db.session, current_user, event_id)


@blp.route("/<int:event_id>/registrations", methods=["DELETE"])
@requires(Role.APPLICANT)
@blp.response(200, RegistrationSchema)
@blp.doc(security=BEARER)
def cancel_registration(event_id):
    """Cancel the caller's registration (until the event starts); the seat is freed and the ticket void."""
    return service.cancel_registration(db.session, current_user, event_id)


@blp.route("/<int:event_id>/check-ins", methods=["POST"])
@requires(Role.EMPLOYER, Role.OFFICER)
@blp.arguments(CheckInInSchema)
@blp.response(201, CheckInSchema)
@blp.doc(security=BEARER)
def check_in(payload, event_id):
    """Record attendance with a ticket's code, once: a second scan is 409 "already checked in at HH:MM"; a
    forged code or another event's ticket is 422 (`code`), a cancelled registration 409."""
    return service.check_in(db.session, current_user, event_id, payload["code"],
                            secret=current_app.config["SECRET_KEY"])


@blp.route("/<int:event_id>/attendance", methods=["GET"])
@requires(Role.EMPLOYER, Role.OFFICER)
@blp.response(200, AttendanceSchema)
@blp.doc(security=BEARER)
def attendance(event_id):
    """Who registered and who came (names masked), with the counts."""
    event, rows = service.attendance_list(db.session, current_user, event_id)
    counts = service.attendance(db.session, [event.id]).get(event.id, service.Attendance(0, 0))
    applications = service.applications_per_event(db.session, [event.id])
    return {"event_id": event.id, "registered": counts.registered, "checked_in": counts.checked_in,
            "applications": applications.get(event.id, 0), "items": rows}


# --- training bases ---------------------------------------------------------------------------------------------


class DesignationInSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000))
    designated_on = ma.fields.Date(load_default=None, allow_none=True,
                                   metadata={"description": "Defaults to today (Changchun)."})


class WithdrawalInSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1000))


class TrainingBaseSchema(ma.Schema):
    employer_id = ma.fields.Integer()
    name = ma.fields.Function(lambda b: b.employer.name)
    district = ma.fields.Function(lambda b: b.employer.district)
    designated_on = ma.fields.Date()
    reason = ma.fields.String()
    active = ma.fields.Boolean(attribute="is_active")
    withdrawn_at = UtcDateTime(allow_none=True)
    withdrawal_reason = ma.fields.String(allow_none=True)


class TrainingBaseListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TrainingBaseSchema))


class InternshipCountSchema(ma.Schema):
    employer_id = ma.fields.Integer()
    name = ma.fields.String()
    active = ma.fields.Boolean()
    posts = ma.fields.Integer()
    headcount = ma.fields.Integer()
    open_posts = ma.fields.Integer()
    open_headcount = ma.fields.Integer()


class InternshipCountsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(InternshipCountSchema))


class YearQuery(ma.Schema):
    year = ma.fields.Integer(load_default=None, allow_none=True, validate=ma.validate.Range(2000, 2100))


@bases_blp.route("/training-bases", methods=["GET"])
@allow_anyone
@bases_blp.response(200, TrainingBaseListSchema)
def list_bases():
    """Employers designated training bases (实训基地), in the order they were designated."""
    return {"items": bases.list_training_bases(db.session)}


@bases_blp.route("/training-bases/internships", methods=["GET"])
@requires(Role.OFFICER, Role.ANALYST)
@bases_blp.arguments(YearQuery, location="query")
@bases_blp.response(200, InternshipCountsSchema)
@bases_blp.doc(security=BEARER)
def internship_counts(query):
    """Internship posts and headcount per training base, counted apart from ordinary posts."""
    return {"items": bases.internship_counts(db.session, year=query["year"])}


@bases_blp.route("/employers/<int:employer_id>/training-base", methods=["POST"])
@requires(Role.OFFICER)
@bases_blp.arguments(DesignationInSchema)
@bases_blp.response(201, TrainingBaseSchema)
@bases_blp.doc(security=BEARER)
def designate(payload, employer_id):
    """Designate a verified employer a training base (with the date and the reason)."""
    return bases.designate(db.session, current_user, employer_id, **payload)


@bases_blp.route("/employers/<int:employer_id>/training-base/withdrawal", methods=["POST"])
@requires(Role.OFFICER)
@bases_blp.arguments(WithdrawalInSchema)
@bases_blp.response(200, TrainingBaseSchema)
@bases_blp.doc(security=BEARER)
def withdraw(payload, employer_id):
    """Withdraw the designation: the employer can post no new internships (open ones stay)."""
    return bases.withdraw(db.session, current_user, employer_id, reason=payload["reason"])

