"""The signed-in graduate's profile and the positions matched to it."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from talent.api.jobs import JobSchema, LimitQuery, UtcDateTime
from talent.api.schemas import StrictSchema
from talent.auth import requires
from talent.db import db
from talent.input_limits import SingleLine, fits
from talent.models import Role
from talent.models.jobs import GraduateProfile
from talent.services import graduates as service
from talent.services import matching

blp = Blueprint("graduates", __name__, url_prefix="/api/v1/graduates", description="Graduate profiles and matches")


class SkillsField(ma.fields.Field):
    """A list of skills, or one text with them separated by 、 , or ;."""

    def _deserialize(self, value, attr, data, **kwargs):
        skills = service.parse_skills(value)
        if skills is None:
            raise ma.ValidationError("Must be a list of texts or one text.")
        return skills


class ProfileInSchema(StrictSchema):
    major = ma.fields.String(
        required=True, validate=[fits(GraduateProfile.major), SingleLine()],
        metadata={"description": "Catalogue name or free text."},
    )
    major_code = ma.fields.String(
        load_default=None, allow_none=True, validate=fits(GraduateProfile.major_code),
        metadata={"description": "Catalogue code (080207); filled in from the name when the name is a catalogue one."},
    )
    education = ma.fields.String(
        required=True, validate=fits(GraduateProfile.education),
        metadata={"description": "college, bachelor, master or doctor."},
    )
    graduation_date = ma.fields.Date(load_default=None, allow_none=True)
    skills = SkillsField(load_default=list)
    preferred_districts = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=6)), load_default=list,
        metadata={"description": "Changchun division codes; empty: any."},
    )
    expected_salary = ma.fields.Integer(
        strict=True, load_default=None, allow_none=True, metadata={"description": "Monthly, whole yuan."}
    )
    consent_to_match = ma.fields.Boolean(
        truthy={True}, falsy={False}, load_default=False,
        metadata={"description": "true: employers may see this profile (name masked) among their candidates."},
    )


class ProfileSchema(ma.Schema):
    id = ma.fields.Integer()
    major = ma.fields.String()
    major_code = ma.fields.String(allow_none=True)
    education = ma.fields.String()
    graduation_date = ma.fields.Date(allow_none=True)
    skills = ma.fields.List(ma.fields.String())
    preferred_districts = ma.fields.List(ma.fields.String())
    expected_salary = ma.fields.Integer(allow_none=True)
    consent_to_match = ma.fields.Boolean()
    consent_changed_at = UtcDateTime(allow_none=True)
    updated_at = UtcDateTime()


class MatchSchema(ma.Schema):
    job_id = ma.fields.Function(lambda match: match.job.id)
    score = ma.fields.Float()
    why = ma.fields.Dict(metadata={"description": "zh and en sentences and the parts they are made of."})
    job = ma.fields.Nested(JobSchema)


class MatchesSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(MatchSchema))


@blp.route("/me", methods=["GET"])
@requires(Role.APPLICANT)
@blp.response(200, ProfileSchema)
@blp.doc(security=[{"bearer": []}])
def my_profile():
    """The caller's graduate profile (404 until it is filled in)."""
    return service.require_profile(db.session, current_user)


@blp.route("/me", methods=["PUT"])
@requires(Role.APPLICANT)
@blp.arguments(ProfileInSchema)
@blp.response(200, ProfileSchema)
@blp.alt_response(201, schema=ProfileSchema, description="The profile was created.")
@blp.doc(security=[{"bearer": []}])
def put_profile(payload):
    """Create or replace the caller's graduate profile, with the consent to be shown to employers."""
    created = service.profile_of(db.session, current_user) is None
    profile = service.save_graduate_profile(db.session, current_user, **payload)
    return profile, 201 if created else 200


class MatchesQuery(LimitQuery):
    prefer = ma.fields.String(
        load_default="relevance", validate=ma.validate.OneOf(matching.PREFER_CHOICES),
        metadata={"description": "relevance (default): best fit first; near: among posts of similar fit, those in "
                                 "the graduate's preferred districts first; pay: among posts of similar fit, those "
                                 "paying at least the expected salary first."},
    )


@blp.route("/me/matches", methods=["GET"])
@requires(Role.APPLICANT)
@blp.arguments(MatchesQuery, location="query")
@blp.response(200, MatchesSchema)
@blp.doc(security=[{"bearer": []}])
def my_matches(query):
    """Open positions ranked for the caller's profile, best first, with score and why. Never a post whose
    minimum education is above the graduate's, nor a closed or expired one. Relevance comes first; `prefer`
    reorders posts of similar fit only."""
    return {"items": matching.matches_for_graduate(db.session, current_user, query["limit"], query["prefer"],
                                                   surface="api_matches")}
