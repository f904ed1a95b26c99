"""Hiring through the platform (docs/hiring.md): applications to posts, the employer's pipeline and invitations,
the graduate's answers, placements and the 12-month retention question."""

from __future__ import annotations

import io

import marshmallow as ma
from flask import current_app, request, send_file
from flask_login import current_user
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from talent.api.schemas import StrictSchema, UtcDateTime
from talent.auth import requires
from talent.codes import mask_name
from talent.db import db
from talent.input_limits import SingleLine, fits
from talent.models import Role
from talent.models.hiring import INVITATION_DECLINED, INVITED, JOB_APPLICATION_STATUSES, JobApplication
from talent.names import hiring as names
from talent.services import InvalidInput, retention
from talent.services import hiring as service
from talent.services.hiring import EMPLOYER_STATUSES, MAX_NOTE
from talent.services.paging import MAX_ID
from talent.services.uploads import UploadTooLarge

blp = Blueprint("hiring", __name__, url_prefix="/api/v1",
                description="Applications to posts, the employer's pipeline, invitations, placements and retention")
BEARER = [{"bearer": []}]
NOTE = ma.validate.Length(max=MAX_NOTE)


def _names(table: dict[str, dict[str, str]], code: str | None) -> dict[str, str] | None:
    return dict(table[code]) if code in table else None


class HiringJobSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    employer_id = ma.fields.Integer()
    employer_name = ma.fields.Function(lambda job: job.employer.name)
    district = ma.fields.String()
    headcount = ma.fields.Integer()
    status = ma.fields.String()


class HiringGraduateSchema(ma.Schema):
    graduate_id = ma.fields.Function(lambda a: a.graduate_profile_id, metadata={"description": "The profile's id."})
    name = ma.fields.Function(
        lambda a: mask_name(a.applicant.name) if a.status in (INVITED, INVITATION_DECLINED) else a.applicant.name,
        metadata={"description": "Masked (李**) until the graduate applies or accepts the invitation."})
    major = ma.fields.Function(lambda a: a.profile.major)
    education = ma.fields.Function(lambda a: a.profile.education)
    graduation_date = ma.fields.Function(
        lambda a: a.profile.graduation_date.isoformat() if a.profile.graduation_date else None)
    skills = ma.fields.Function(lambda a: list(a.profile.skills or []))


class JobApplicationChangeSchema(ma.Schema):
    from_status = ma.fields.String(allow_none=True)
    to_status = ma.fields.String()
    at = UtcDateTime()
    reason = ma.fields.String(allow_none=True)


class HiringPlacementSchema(ma.Schema):
    id = ma.fields.Integer()
    job_application_id = ma.fields.Integer()
    job_id = ma.fields.Integer()
    job_title = ma.fields.Function(lambda p: p.job.title)
    employer_id = ma.fields.Integer()
    employer_name = ma.fields.Function(lambda p: p.employer.name)
    graduate_name = ma.fields.Function(lambda p: p.graduate.name)
    start_date = ma.fields.Date()
    retention_due_on = ma.fields.Date(metadata={"description": "Start date + 12 months: when the question is asked."})
    retention = ma.fields.String(metadata={"description": "pending, asked, retained or left (docs/hiring.md)."})
    retention_name = ma.fields.Function(lambda p: _names(names.RETENTION, p.retention))
    graduate_answer = ma.fields.Function(lambda p: retention.answer_of(p, "graduate"),
                                         metadata={"description": "true, false or null (no answer)."})
    employer_answer = ma.fields.Function(lambda p: retention.answer_of(p, "employer"))
    social_insurance = ma.fields.Function(lambda p: retention.answer_of(p, "social_insurance"))


class JobApplicationSchema(ma.Schema):
    id = ma.fields.Integer()
    job = ma.fields.Nested(HiringJobSchema)
    status = ma.fields.String(metadata={"description": ", ".join(JOB_APPLICATION_STATUSES)})
    status_name = ma.fields.Function(lambda a: _names(names.STATUSES, a.status), metadata={"description": "zh, en"})
    source = ma.fields.String(metadata={"description": "graduate (applied) or employer (invited first)."})
    note = ma.fields.String(allow_none=True)
    invitation_message = ma.fields.String(allow_none=True)
    cv = ma.fields.Function(lambda a: {"name": a.cv_original_name, "size": a.cv_size} if a.cv_stored_name else None,
                            metadata={"description": "null, or the CV's file name and size (GET …/cv)."})
    interview_at = UtcDateTime(allow_none=True)
    interview_place = ma.fields.String(allow_none=True)
    interview_link = ma.fields.String(allow_none=True)
    offer_start_date = ma.fields.Date(allow_none=True)
    decline_reason = ma.fields.String(allow_none=True)
    decline_reason_text = ma.fields.Function(lambda a: _names(names.DECLINE_REASONS, a.decline_reason),
                                             metadata={"description": "The reason in plain words (zh, en)."})
    decline_note = ma.fields.String(allow_none=True)
    graduate = ma.fields.Function(lambda a: HiringGraduateSchema().dump(a))
    created_at = UtcDateTime()
    applied_at = UtcDateTime(allow_none=True)
    hired_at = UtcDateTime(allow_none=True)
    updated_at = UtcDateTime()
    history = ma.fields.Function(lambda a: JobApplicationChangeSchema(many=True).dump(a.changes))
    placement = ma.fields.Function(lambda a: HiringPlacementSchema().dump(a.placement) if a.placement else None)


class JobApplicationListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(JobApplicationSchema))


class JobPipelineSchema(ma.Schema):
    job = ma.fields.Nested(HiringJobSchema)
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                            metadata={"description": "Applications per state."})
    hires = ma.fields.Integer()
    places_left = ma.fields.Function(lambda p: max(p.job.headcount - p.hires, 0))
    items = ma.fields.List(ma.fields.Nested(JobApplicationSchema))


class HiringPlacementListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(HiringPlacementSchema))


class JobApplyInSchema(StrictSchema):
    note = ma.fields.String(load_default=None, allow_none=True, validate=NOTE,
                            metadata={"description": "A covering note for the employer."})


class JobApplicationStatusQuery(ma.Schema):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(JOB_APPLICATION_STATUSES))


class JobApplicationStatusInSchema(StrictSchema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(EMPLOYER_STATUSES))
    interview_at = ma.fields.AwareDateTime(
        load_default=None, allow_none=True, default_timezone=None,
        metadata={"description": "For interview: the date and time (RFC 3339 with its offset), in the future."})
    interview_place = ma.fields.String(load_default=None, allow_none=True,
                                       validate=[fits(JobApplication.interview_place), SingleLine()],
                                       metadata={"description": "For interview: where (or give interview_link)."})
    interview_link = ma.fields.String(load_default=None, allow_none=True,
                                      validate=[fits(JobApplication.interview_link), SingleLine()],
                                      metadata={"description": "For interview: an http(s) link for an online one."})
    start_date = ma.fields.Date(load_default=None, allow_none=True,
                                metadata={"description": "For offer: the proposed start date; for hired: the start "
                                                         "date (default: the offer's)."})
    reason = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=20),
                              metadata={"description": "For declined: " + ", ".join(names.DECLINE_REASONS)})
    note = ma.fields.String(load_default=None, allow_none=True, validate=NOTE,
                            metadata={"description": "Shown to the graduate (required with reason other)."})


class JobInviteInSchema(StrictSchema):
    graduate_id = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(1, MAX_ID),
                                    metadata={"description": "The graduate profile's id (as in /candidates)."})
    message = ma.fields.String(load_default=None, allow_none=True, validate=NOTE)


class JobInvitationAnswerInSchema(StrictSchema):
    accept = ma.fields.Boolean(required=True, truthy={True}, falsy={False})
    note = ma.fields.String(load_default=None, allow_none=True, validate=NOTE,
                            metadata={"description": "Accepting an invitation: a covering note."})


class JobOfferAnswerInSchema(StrictSchema):
    accept = ma.fields.Boolean(required=True, truthy={True}, falsy={False},
                               metadata={"description": "true: the hire (409 when every place is taken)."})


class RetentionInSchema(StrictSchema):
    still_in_changchun = ma.fields.Boolean(required=True, truthy={True}, falsy={False})


# --- the graduate ---------------------------------------------------------------------------------------------


@blp.route("/jobs/<int:job_id>/applications", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(JobApplyInSchema)
@blp.response(201, JobApplicationSchema)
@blp.doc(security=BEARER)
def apply(payload, job_id):
    """Apply to an open post with your graduate profile (one application per post: 409 for a second one).
    JSON `{note}`; or multipart/form-data with `note` and a CV as `file` (a PDF, recognised by content, at most
    10 MB). A CV can also be added afterwards with `POST /api/v1/job-applications/{id}/cv`."""
    note, upload = payload["note"], None
    if request.mimetype == "multipart/form-data":
        note = request.form.get("note") or None
        upload = request.files.get("file")
    try:
        return service.apply_to_job(
            db.session, current_user, job_id, note=note, cv=upload.stream if upload else None,
            cv_filename=upload.filename if upload else None, max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
            surface="api")
    except UploadTooLarge as error:
        raise RequestEntityTooLarge(error.message) from None


@blp.route("/job-applications/mine", methods=["GET"])
@requires(Role.APPLICANT)
@blp.arguments(JobApplicationStatusQuery, location="query")
@blp.response(200, JobApplicationListSchema)
@blp.doc(security=BEARER)
def my_applications(query):
    """Your applications and invitations, newest first (`status` narrows them)."""
    return {"items": service.applications_of_graduate(db.session, current_user, status=query["status"])}


@blp.route("/job-applications/<int:application_id>", methods=["GET"])
@requires(Role.APPLICANT, Role.EMPLOYER, Role.OFFICER)
@blp.response(200, JobApplicationSchema)
@blp.doc(security=BEARER)
def get_application(application_id):
    """One application with its history: its graduate, the post's employer, officers."""
    return service.get_job_application(db.session, current_user, application_id)


@blp.route("/job-applications/<int:application_id>/withdrawal", methods=["POST"])
@requires(Role.APPLICANT)
@blp.response(200, JobApplicationSchema)
@blp.doc(security=BEARER)
def withdraw(application_id):
    """Withdraw your application (before a hire; 409 otherwise)."""
    return service.withdraw_application(db.session, current_user, application_id)


@blp.route("/job-applications/<int:application_id>/invitation-answer", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(JobInvitationAnswerInSchema)
@blp.response(200, JobApplicationSchema)
@blp.doc(security=BEARER)
def answer_invitation(payload, application_id):
    """Accept an employer's invitation (it becomes an application) or turn it down."""
    return service.answer_invitation(db.session, current_user, application_id, accept=payload["accept"],
                                     note=payload["note"])


@blp.route("/job-applications/<int:application_id>/offer-answer", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(JobOfferAnswerInSchema)
@blp.response(200, JobApplicationSchema)
@blp.doc(security=BEARER)
def answer_offer(payload, application_id):
    """Accept the offer — the hire, with the offer's start date — or turn it down. Accepting when every place of
    the post is already taken is refused with 409 and the reason."""
    return service.answer_offer(db.session, current_user, application_id, accept=payload["accept"])


@blp.route("/job-applications/<int:application_id>/cv", methods=["POST"])
@requires(Role.APPLICANT)
@blp.response(200, JobApplicationSchema)
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"],
    }}}},
)
def upload_cv(application_id):
    """Add or replace the CV of your open application: a PDF (recognised by content), at most 10 MB."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Attach the file.", {"file": ["Send the CV as the multipart field 'file'."]})
    try:
        return service.attach_cv(db.session, current_user, application_id, stream=upload.stream,
                                 filename=upload.filename, max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    except UploadTooLarge as error:
        raise RequestEntityTooLarge(error.message) from None


@blp.route("/job-applications/<int:application_id>/cv", methods=["GET"])
@requires(Role.APPLICANT, Role.EMPLOYER, Role.OFFICER)
@blp.doc(security=BEARER, responses={"200": {"description": "the CV (PDF), as an attachment"}})
def download_cv(application_id):
    """The CV of an application: its graduate and the post's employer."""
    application, content = service.open_cv(db.session, current_user, application_id)
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=application.cv_original_name or "cv.pdf")


# --- the employer ---------------------------------------------------------------------------------------------


@blp.route("/jobs/<int:job_id>/applications", methods=["GET"])
@requires(Role.EMPLOYER)
@blp.arguments(JobApplicationStatusQuery, location="query")
@blp.response(200, JobPipelineSchema)
@blp.doc(security=BEARER)
def pipeline(query, job_id):
    """The pipeline of one of your posts: the count per state, hires, places left, and the applications."""
    return service.pipeline_of_job(db.session, current_user, job_id, status=query["status"])


@blp.route("/jobs/<int:job_id>/invitations", methods=["POST"])
@requires(Role.EMPLOYER)
@blp.arguments(JobInviteInSchema)
@blp.response(201, JobApplicationSchema)
@blp.doc(security=BEARER)
def invite(payload, job_id):
    """Invite a consenting graduate (one of the post's candidates) to apply to one of your open posts."""
    return service.invite_candidate(db.session, current_user, job_id, payload["graduate_id"],
                                    message=payload["message"])


@blp.route("/job-applications/<int:application_id>/status", methods=["POST"])
@requires(Role.EMPLOYER)
@blp.arguments(JobApplicationStatusInSchema)
@blp.response(200, JobApplicationSchema)
@blp.doc(security=BEARER)
def change_status(payload, application_id):
    """Move an application to your post on: `shortlisted`; `interview` with `interview_at` and
    `interview_place` or `interview_link`; `offer` (optional `start_date`); `hired` (after an offer, with the
    start date unless the offer named one); `declined` with a `reason` code the graduate reads in plain words.
    409 for a move the application's state does not allow, or a hire beyond the post's headcount."""
    return service.change_status(db.session, current_user, application_id, **payload)


# --- placements -----------------------------------------------------------------------------------------------


@blp.route("/placements/mine", methods=["GET"])
@requires(Role.APPLICANT, Role.EMPLOYER)
@blp.response(200, HiringPlacementListSchema)
@blp.doc(security=BEARER)
def my_placements():
    """Hires through the platform: a graduate's own, or those of an employer's organisations."""
    return {"items": retention.placements_of(db.session, current_user)}


@blp.route("/placements/<int:placement_id>/retention", methods=["POST"])
@requires(Role.APPLICANT, Role.EMPLOYER)
@blp.arguments(RetentionInSchema)
@blp.response(200, HiringPlacementSchema)
@blp.doc(security=BEARER)
def answer_retention(payload, placement_id):
    """The graduate or the employer answers whether the graduate still works in Changchun (from 12 months after
    the start date; 409 before)."""
    return retention.answer_retention(db.session, current_user, placement_id,
                                      still_in_changchun=payload["still_in_changchun"])
