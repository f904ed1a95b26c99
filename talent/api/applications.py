"""Applications: submit, follow, add evidence, endorsement by the named employer, resubmission, decision letter.

The services decide who may do what and answer with the workflow's views (docs/workflow.md); the schemas here
parse the bodies and document the answers. The ID number is never returned in full.
"""

from __future__ import annotations

import marshmallow as ma
from flask import Response, current_app, jsonify, request, send_file
from flask_login import current_user
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from talent.api.schemas import StrictSchema
from talent.auth import requires
from talent.db import db
from talent.input_limits import FREE_TEXT_MAX, fits
from talent.models import Employer, Role
from talent.services import InvalidInput, uploads
from talent.services import applications as service
from talent.services import cards as cards_service
from talent.services import reviews as reviews_service

blp = Blueprint(
    "applications", __name__, url_prefix="/api/v1/applications",
    description="Applications: submission, evidence, employer endorsement, status timeline, decision letter.",
)
BEARER = [{"bearer": []}]


class ApplicationInSchema(StrictSchema):
    facts = ma.fields.Dict(
        required=True,
        metadata={"description": "the facts of docs/policy.md §7 (validated by the rule engine; errors are keyed "
                                 "`facts.<path>`); `application_date` defaults to today"},
    )
    employer_credit_code = ma.fields.String(
        required=True, validate=fits(Employer.credit_code), metadata={"description": "unified social credit code of a verified employer on the platform"}
    )


class ResubmissionSchema(StrictSchema):
    facts = ma.fields.Dict(load_default=None, allow_none=True, metadata={"description": "replaces the facts"})
    employer_credit_code = ma.fields.String(
        load_default=None, allow_none=True, validate=fits(Employer.credit_code), metadata={"description": "only after the employer declined"}
    )
    note = ma.fields.String(load_default=None, allow_none=True, validate=ma.validate.Length(max=FREE_TEXT_MAX))


class EndorsementSchema(StrictSchema):
    endorse = ma.fields.Boolean(required=True)
    comment = ma.fields.String(
        load_default="", validate=ma.validate.Length(max=FREE_TEXT_MAX),
        metadata={"description": "required when declining; the applicant reads it"},
    )


class ApplicationRevocationInSchema(StrictSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=FREE_TEXT_MAX))
    fraud = ma.fields.Boolean(required=True)
    left_on = ma.fields.Date(
        load_default=None, allow_none=True,
        metadata={"description": "the day the holder left Changchun employment (default: today)"},
    )


class CardRefSchema(ma.Schema):
    number = ma.fields.String()
    verification_code = ma.fields.String()
    status = ma.fields.String()


class HistoryEntrySchema(ma.Schema):
    at = ma.fields.String()
    action = ma.fields.String()
    label = ma.fields.Dict()
    to = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    items = ma.fields.List(ma.fields.Dict(), allow_none=True)
    # `from` is a Python keyword: named through data_key
    from_status = ma.fields.String(data_key="from", allow_none=True)
    actor = ma.fields.Dict(allow_none=True, metadata={"description": "who took the step (officers see names)"})


def _open(description: str = "", **kwargs) -> ma.fields.Raw:
    return ma.fields.Raw(allow_none=True, metadata={"description": description}, **kwargs)


class ApplicationDocSchema(ma.Schema):
    """The application. Officers' answers carry more (first approver, decisions, objections in full), so the
    object stays open to further fields; see docs/workflow.md."""

    class Meta:
        unknown = ma.EXCLUDE  # documented as an open object (no additionalProperties: false)

    id = ma.fields.Integer()
    number = ma.fields.String()
    status = ma.fields.String()
    status_label = ma.fields.Dict(metadata={"description": "{zh, en}"})
    applicant = ma.fields.Dict(metadata={"description": "{id, name}"})
    employer = ma.fields.Dict(allow_none=True, metadata={"description": "{name, credit_code}"})
    employment = _open("the employment facts (employer's view)")
    facts = ma.fields.Dict(metadata={"description": "as submitted, with the ID number masked"})
    decision = ma.fields.Dict(metadata={"description": "the rule engine's decision with its reasons"})
    policy = ma.fields.String()
    tier = ma.fields.String(allow_none=True)
    programmes = _open("programmes granted or applied for")
    application_date = ma.fields.String(allow_none=True)
    submitted_at = ma.fields.String(allow_none=True)
    endorsement_due_on = ma.fields.String(allow_none=True)
    endorsed_at = ma.fields.String(allow_none=True)
    endorsement_comment = ma.fields.String(allow_none=True)
    review_due_on = ma.fields.String(allow_none=True)
    review_round = ma.fields.Integer(allow_none=True)
    first_approval_at = ma.fields.String(allow_none=True)
    confirmed_at = ma.fields.String(allow_none=True)
    decided_at = ma.fields.String(allow_none=True)
    outcome_reason = ma.fields.String(allow_none=True)
    requested_items = _open("request_changes: [{field, problem}]")
    notice_starts_on = ma.fields.String(allow_none=True)
    notice_ends_on = ma.fields.String(allow_none=True)
    granted_at = ma.fields.String(allow_none=True)
    version = ma.fields.Integer(metadata={"description": "send as If-Match to decide only this state"})
    allowed_actions = _open("what the viewer may do next")
    documents = _open("evidence files")
    history = ma.fields.List(ma.fields.Nested(HistoryEntrySchema))
    clock = ma.fields.Dict(allow_none=True)
    card = ma.fields.Nested(CardRefSchema, allow_none=True)
    instalments = ma.fields.List(ma.fields.Dict())
    revocation = _open("the revocation and refund, once revoked")


class AuditEventSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.String()
    action = ma.fields.String()
    entity = ma.fields.Dict(metadata={"description": "{type, id}"})
    actor = ma.fields.Dict(allow_none=True, metadata={"description": "{id, name, role}; null for the system"})
    before = _open()
    after = _open()
    note = ma.fields.String(allow_none=True)


class RevocationSchema(ma.Schema):
    revoked_on = ma.fields.String()
    left_on = ma.fields.String()
    reason = ma.fields.String()
    fraud = ma.fields.Boolean()
    months_served = ma.fields.Integer()
    paid_total = ma.fields.Integer()
    vested = ma.fields.Integer()
    refund_owed = ma.fields.Integer(metadata={"description": "integer yuan"})
    cancelled_instalments = ma.fields.Integer()


class DocumentSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String(attribute="original_name")
    content_type = ma.fields.String()
    size = ma.fields.Integer()
    sha256 = ma.fields.String()
    uploaded_at = ma.fields.DateTime()


def _view(application, status: int = 200) -> Response:
    response = jsonify(service.application_view(application, current_user))
    response.status_code = status
    return response


@blp.route("", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(ApplicationInSchema)
@blp.response(201, ApplicationDocSchema)
@blp.doc(security=BEARER)
def submit(payload):
    """Apply: the facts are decided by the rule engine and stored with the policy version; the named employer
    is asked to endorse. One open application per applicant (409 otherwise)."""
    application = service.submit_application(
        db.session, current_user, facts=payload["facts"], employer_credit_code=payload["employer_credit_code"]
    )
    return _view(application, 201)


@blp.route("", methods=["GET"])
@requires(Role.APPLICANT, Role.EMPLOYER)
@blp.response(200, ApplicationDocSchema(many=True))
@blp.doc(security=BEARER)
def list_applications():
    """An applicant's own applications; for an employer account, the cases that name its organisations."""
    if current_user.role == Role.EMPLOYER:
        return jsonify([service.employer_view(a) for a in service.endorsements_for(db.session, current_user)])
    return jsonify([service.application_view(a, current_user) for a in service.applications_of(db.session, current_user)])


@blp.route("/<int:application_id>", methods=["GET"])
@requires(Role.APPLICANT, Role.OFFICER)
@blp.response(200, ApplicationDocSchema)
@blp.doc(security=BEARER)
def get_application(application_id):
    """The application with its status history, decision and, once issued, `card: {number, verification_code}`.
    Officers also see the first approver, the decisions and the objections in full."""
    return _view(service.get_application(db.session, current_user, application_id))


@blp.route("/<int:application_id>/documents", methods=["POST"])
@requires(Role.APPLICANT)
@blp.response(201, DocumentSchema)
@blp.doc(
    security=BEARER,
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"],
    }}}},
)
def upload_document(application_id):
    """Add evidence: a PDF, JPEG or PNG (recognised by content), at most 10 MB (413 beyond)."""
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("Attach the file.", {"file": ["Send the file as the multipart field 'file'."]})
    try:
        return uploads.store_document(
            db.session, current_user, application_id, stream=upload.stream, filename=upload.filename,
            max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
        )
    except uploads.UploadTooLarge as error:
        raise RequestEntityTooLarge(error.message) from None


@blp.route("/<int:application_id>/documents/<int:document_id>", methods=["GET"])
@requires(Role.APPLICANT, Role.OFFICER)
@blp.doc(security=BEARER, responses={"200": {"description": "the file, as an attachment"}})
def download_document(application_id, document_id):
    """An evidence file (the applicant, officers), always as a download."""
    document, path = uploads.open_document(
        db.session, current_user, application_id, document_id, upload_dir=current_app.config["UPLOAD_PATH"]
    )
    return send_file(path, mimetype=document.content_type, as_attachment=True, download_name=document.original_name)


@blp.route("/<int:application_id>/endorsement", methods=["POST"])
@requires(Role.EMPLOYER)
@blp.arguments(EndorsementSchema)
@blp.response(200, ApplicationDocSchema)
@blp.doc(security=BEARER)
def endorse(payload, application_id):
    """The named employer endorses (the case goes to review) or declines with a comment."""
    application = service.endorse_application(
        db.session, current_user, application_id, endorse=payload["endorse"], comment=payload["comment"]
    )
    return jsonify(service.employer_view(application))


@blp.route("/<int:application_id>/resubmission", methods=["POST"])
@requires(Role.APPLICANT)
@blp.arguments(ResubmissionSchema)
@blp.response(200, ApplicationDocSchema)
@blp.doc(security=BEARER)
def resubmit(payload, application_id):
    """After a request for changes (back to review) or a declined endorsement (back to the employer):
    updated facts and/or a new employer; upload documents before resubmitting."""
    application = service.resubmit_application(db.session, current_user, application_id, **payload)
    return _view(application)


@blp.route("/<int:application_id>/withdrawal", methods=["POST"])
@requires(Role.APPLICANT)
@blp.response(200, ApplicationDocSchema)
@blp.doc(security=BEARER)
def withdraw(application_id):
    """Withdraw an open application before a decision."""
    return _view(service.withdraw_application(db.session, current_user, application_id))


@blp.route("/<int:application_id>/letter.pdf", methods=["GET"])
@requires(Role.APPLICANT, Role.OFFICER)
@blp.doc(security=BEARER, responses={"200": {"description": "application/pdf"}})
def decision_letter(application_id):
    """The decision letter (A4 PDF, Chinese with English) with the reasons, once the case is decided."""
    pdf = cards_service.decision_letter_pdf(db.session, current_user, application_id)
    return Response(
        pdf, mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="decision-{application_id}.pdf"'},
    )


@blp.route("/<int:application_id>/audit", methods=["GET"])
@requires(Role.OFFICER)
@blp.response(200, AuditEventSchema(many=True))
@blp.doc(security=BEARER)
def audit_trail(application_id):
    """Every audit event of the case (who, when, what, before, after), oldest first. Officers."""
    application = service.get_application(db.session, current_user, application_id)
    return jsonify(reviews_service.case_audit_view(db.session, application))


@blp.route("/<int:application_id>/revocation", methods=["POST"])
@requires(Role.OFFICER)
@blp.arguments(ApplicationRevocationInSchema)
@blp.response(200, RevocationSchema)
@blp.doc(security=BEARER)
def revoke(payload, application_id):
    """Revoke a granted case (also one without a card): unpaid instalments cancelled, refund owed computed."""
    revocation = cards_service.revoke_application(db.session, current_user, application_id, **payload)
    return jsonify(cards_service.revocation_view(revocation))
