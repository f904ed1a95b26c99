"""Graduate positions: post, change and close (verified employers), search (anyone), candidates (the
post's employer)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask_login import current_user
from flask_smorest import Blueprint

from talent.api.employers import PageSchema, PagingQuery
from talent.api.schemas import StrictSchema
from talent.auth import allow_anyone, requires
from talent.clock import today_in_changchun
from talent.codes import DIVISIONS, mask_name
from talent.db import db
from talent.input_limits import LONG_TEXTS, QUERY_VALUE_MAX, SingleLine, fits
from talent.models import Role
from talent.models.jobs import JOB_KINDS, Job
from talent.names.occupations import occupation_name
from talent.services import jobs as service
from talent.services import matching
from talent.services.employers import employers_of
from talent.services.job_search import COUNT_CAP
from talent.services.occupations import suggest
from talent.services.paging import MAX_ID

MAJOR_MAX = 60  # services.jobs refuses longer major names

blp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs", description="Graduate positions and matching")


class UtcDateTime(ma.fields.DateTime):
    """Times are stored in UTC; SQLite hands them back without a zone, so say UTC explicitly in the output."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def _refuse_client_id(_value: object) -> None:
    # The id is the server's to assign: say so rather than "unknown field".
    raise ma.ValidationError("The id is assigned by the server; leave it out.")


class JobInSchema(StrictSchema):
    id = ma.fields.Raw(load_only=True, validate=_refuse_client_id, metadata={"description": "Not accepted: assigned by the server."})
    employer_id = ma.fields.Integer(
        load_default=None, allow_none=True, validate=ma.validate.Range(1, MAX_ID),
        metadata={"description": "Only needed when the account acts for several organisations."},
    )
    title = ma.fields.String(
        required=True, validate=[fits(Job.title), SingleLine()], metadata={"description": "At most 120 characters."}
    )
    description = ma.fields.String(required=True, validate=fits(Job.description, maximum=LONG_TEXTS["description"]))
    min_education = ma.fields.String(
        required=True, validate=fits(Job.min_education), metadata={"description": "Minimum education: college, bachelor, master or doctor."}
    )
    district = ma.fields.String(
        required=True, validate=fits(Job.district), metadata={"description": "Changchun division code, e.g. 220173."}
    )
    salary_min = ma.fields.Integer(strict=True, required=True, metadata={"description": "Monthly, whole yuan."})
    salary_max = ma.fields.Integer(strict=True, required=True, metadata={"description": "Monthly, whole yuan."})
    headcount = ma.fields.Integer(strict=True, required=True, metadata={"description": "Positions, 1 or more."})
    majors = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=MAJOR_MAX)), load_default=list,
        metadata={"description": "Accepted majors: catalogue codes (080902), class prefixes (0809) or names."},
    )
    closing_date = ma.fields.Date(load_default=None, allow_none=True, metadata={"description": "Last day to apply."})
    kind = ma.fields.String(
        load_default="job", validate=ma.validate.OneOf(JOB_KINDS),
        metadata={"description": "job (the default) or internship (training bases only, docs/events.md)."},
    )
    occupation_code = ma.fields.String(
        load_default=None, allow_none=True, validate=fits(Job.occupation_code),
        metadata={"description": "CSCO-2022 occupation code (2-02-10-03), confirmed by the employer. Without it the "
                                 "platform stores its best suggestion, unconfirmed (`occupation_confirmed` false); "
                                 "`occupation_suggestions` of the answer lists the top codes to choose from."},
    )


class JobPatchSchema(StrictSchema):
    id = ma.fields.Raw(load_only=True, validate=_refuse_client_id)
    title = ma.fields.String(validate=[fits(Job.title), SingleLine()])
    description = ma.fields.String(validate=fits(Job.description, maximum=LONG_TEXTS["description"]))
    min_education = ma.fields.String(validate=fits(Job.min_education))
    district = ma.fields.String(validate=fits(Job.district))
    salary_min = ma.fields.Integer(strict=True)
    salary_max = ma.fields.Integer(strict=True)
    headcount = ma.fields.Integer(strict=True)
    majors = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=MAJOR_MAX)))
    closing_date = ma.fields.Date(allow_none=True)
    kind = ma.fields.String(validate=ma.validate.OneOf(JOB_KINDS))
    occupation_code = ma.fields.String(
        allow_none=True, validate=fits(Job.occupation_code),
        metadata={"description": "A CSCO-2022 code confirms (or changes) the post's occupation; null drops the "
                                 "employer's choice and stores the platform's suggestion again, unconfirmed."},
    )
    status = ma.fields.String(
        validate=ma.validate.OneOf(["open", "closed"]),
        metadata={"description": "`closed` closes the post for good."},
    )


class EmployerBriefSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    district = ma.fields.String()
    kind = ma.fields.String()


class JobSchema(ma.Schema):
    id = ma.fields.Integer()
    employer = ma.fields.Nested(EmployerBriefSchema)
    title = ma.fields.String()
    description = ma.fields.String()
    min_education = ma.fields.String()
    district = ma.fields.String()
    district_name = ma.fields.Function(lambda job: DIVISIONS.get(job.district))
    salary_min = ma.fields.Integer()
    salary_max = ma.fields.Integer()
    headcount = ma.fields.Integer()
    majors = ma.fields.List(ma.fields.String())
    occupation_code = ma.fields.String(allow_none=True, metadata={"description": "CSCO-2022 occupation code."})
    occupation_name = ma.fields.Function(
        lambda job: occupation_name(job.occupation_code), allow_none=True,
        metadata={"description": "The occupation's name in Chinese (CSCO-2022 has no English names)."},
    )
    occupation_confirmed = ma.fields.Boolean(
        metadata={"description": "Whether the employer gave or confirmed the code (false: the platform's suggestion)."}
    )
    closing_date = ma.fields.Date(allow_none=True)
    kind = ma.fields.String(validate=ma.validate.OneOf(JOB_KINDS))
    status = ma.fields.String(metadata={"description": "open or closed (as set by the employer)."})
    kind = ma.fields.String(metadata={"description": "job or internship (a training base's training place)."})
    accepting = ma.fields.Function(
        lambda job: job.is_open_on(today_in_changchun()),
        metadata={"description": "Open and not past its closing date."},
    )
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    closed_at = UtcDateTime(allow_none=True)


class OccupationSuggestionSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String(metadata={"description": "In Chinese (CSCO-2022 has no English names)."})
    score = ma.fields.Float(metadata={"description": "1 is an exact match with a coded title."})


class OwnJobSchema(JobSchema):
    occupation_suggestions = ma.fields.Function(
        lambda job: [s.as_dict() for s in suggest(job.title, job.description)],
        metadata={"description": "The platform's top CSCO-2022 codes for the post's title and description: the "
                                 "employer confirms one (or another code) with PATCH occupation_code."},
    )


class JobSearchQuery(PagingQuery):
    q = ma.fields.String(load_default=None, validate=ma.validate.Length(max=200), metadata={"description": "Words in the title, description or employer."})
    occupation = ma.fields.String(
        load_default=None, validate=ma.validate.Length(max=QUERY_VALUE_MAX),
        metadata={"description": "CSCO-2022 occupation code (2-02-10-03) or the prefix of a group (2, 2-02, 2-02-10)."},
    )
    district = ma.fields.String(load_default=None, validate=fits(Job.district), metadata={"description": "Changchun division code."})
    education = ma.fields.String(
        load_default=None, validate=fits(Job.min_education), metadata={"description": "Posts whose minimum education is at most this level."}
    )
    kind = ma.fields.String(
        load_default=None, validate=ma.validate.OneOf(JOB_KINDS),
        metadata={"description": "job or internship: internships are listed apart."},
    )
    sort = ma.fields.String(
        load_default=None, validate=ma.validate.Length(max=QUERY_VALUE_MAX),
        metadata={"description": "relevance (the default with q), newest (the default without q) or salary "
                                 "(highest maximum first)."},
    )
    after = ma.fields.String(
        load_default=None, validate=ma.validate.Length(max=QUERY_VALUE_MAX),
        metadata={"description": "The `next` of the previous page: keyset paging, the same cost at any depth "
                                 "(docs/jobs.md); `page` is then ignored."},
    )


class JobPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(JobSchema))


class JobSearchPageSchema(JobPageSchema):
    sort = ma.fields.String()
    total_is_exact = ma.fields.Boolean(metadata={
        "description": f"False when more than {COUNT_CAP:,} posts match: `total` is then {COUNT_CAP:,} (show "
                       f"\"{COUNT_CAP:,}+\") and `pages` counts only those."})
    next = ma.fields.String(allow_none=True, metadata={"description": "Pass as `after` for the next page; null "
                                                                      "on the last page."})


class MineQuery(PagingQuery):
    status = ma.fields.String(load_default=None, validate=ma.validate.OneOf(["open", "closed"]))


class LimitQuery(ma.Schema):
    limit = ma.fields.Integer(
        load_default=10, validate=ma.validate.Range(1, matching.MAX_LIMIT),
        metadata={"description": f"1 to {matching.MAX_LIMIT}."},
    )


class CandidateSchema(ma.Schema):
    graduate_id = ma.fields.Function(lambda c: c.profile.id, metadata={"description": "The graduate profile's id."})
    name = ma.fields.Function(
        lambda c: mask_name(c.profile.user.name),
        metadata={"description": "Masked (李**): the profile is shown, the person is not identified."},
    )
    major = ma.fields.Function(lambda c: c.profile.major)
    major_code = ma.fields.Function(lambda c: c.profile.major_code)
    education = ma.fields.Function(lambda c: c.profile.education)
    graduation_date = ma.fields.Function(
        lambda c: c.profile.graduation_date.isoformat() if c.profile.graduation_date else None
    )
    skills = ma.fields.Function(lambda c: list(c.profile.skills or []))
    preferred_districts = ma.fields.Function(lambda c: list(c.profile.preferred_districts or []))
    expected_salary = ma.fields.Function(lambda c: c.profile.expected_salary)
    score = ma.fields.Float()
    why = ma.fields.Dict(metadata={"description": "zh and en sentences and the parts they are made of."})


class CandidatesSchema(ma.Schema):
    job_id = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(CandidateSchema))


@blp.route("", methods=["POST"])
@requires(Role.EMPLOYER)
@blp.arguments(JobInSchema)
@blp.response(201, OwnJobSchema)
@blp.doc(security=[{"bearer": []}])
def post_job(payload):
    """Post a position for the caller's organisation (it must be verified by an officer)."""
    payload.pop("id", None)
    return service.post_job(db.session, current_user, **payload)


@blp.route("", methods=["GET"])
@allow_anyone
@blp.arguments(JobSearchQuery, location="query")
@blp.response(200, JobSearchPageSchema)
def search_jobs(query):
    """Search open positions (not closed, closing date not passed): by relevance to the keywords `q` (Chinese
    or English), newest first without keywords, or by salary; `next`/`after` page through any depth."""
    return service.search_jobs(db.session, **query)


@blp.route("/mine", methods=["GET"])
@requires(Role.EMPLOYER)
@blp.arguments(MineQuery, location="query")
@blp.response(200, JobPageSchema)
@blp.doc(security=[{"bearer": []}])
def my_jobs(query):
    """The posts of the caller's organisations, open and closed (`status` narrows them), newest first,
    `{items, total, page, per_page, pages}`."""
    return service.jobs_of_employers(db.session, employers_of(db.session, current_user), **query)


@blp.route("/<int:job_id>", methods=["GET"])
@allow_anyone
@blp.response(200, JobSchema)
def get_job(job_id):
    """One position (closed ones too, marked `accepting: false`)."""
    return service.get_job(db.session, job_id)


@blp.route("/<int:job_id>", methods=["PATCH"])
@requires(Role.EMPLOYER)
@blp.arguments(JobPatchSchema)
@blp.response(200, OwnJobSchema)
@blp.doc(security=[{"bearer": []}])
def change_job(payload, job_id):
    """Change fields of one of the caller's open posts; `{"status": "closed"}` closes it."""
    payload.pop("id", None)
    return service.update_job(db.session, current_user, job_id, payload)


@blp.route("/<int:job_id>/candidates", methods=["GET"])
@requires(Role.EMPLOYER)
@blp.arguments(LimitQuery, location="query")
@blp.response(200, CandidatesSchema)
@blp.doc(security=[{"bearer": []}])
def candidates(query, job_id):
    """Consenting graduates ranked for one of the caller's posts, with score and why. Names are masked;
    contact details and ID numbers are never included."""
    job, ranked = matching.candidates_for_job(db.session, current_user, job_id, query["limit"],
                                              surface="api_candidates")
    return {"job_id": job.id, "items": ranked}
