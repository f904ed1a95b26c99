"""Hiring through the platform: a graduate applies to a post (or accepts an employer's invitation), the employer
moves the application along its pipeline (shortlisted → interview → offer → hired, or declined with a reason),
the graduate may withdraw, and accepts or turns down an offer. docs/hiring.md has the states and who may do what.

Every change is one transaction with its audit event (`record_event`), a notification to the other side
(services.notifications) and a matching-feedback event (services.match_feedback); nothing here commits.

Hires and the headcount: accepting an offer is the hire (the employer may also record `hired` for an offer the
graduate accepted outside the platform). A hire first takes the post's row lock — a no-op `UPDATE jobs … WHERE
id = ?`, a row lock on PostgreSQL and the database's write lock on SQLite, taken before anything is read — then
counts the post's hires. So two acceptances of the last place at once are serialised: the first hires and, the
post now full, closes it (as the employer's own close does: status closed, closed_at, updated_at, a `job.closed`
event; the matching index and search documents follow by updated_at) and declines the applications still in the
pipeline with the reason `position_filled`; the second finds the place taken and is refused with 409
(`POST_FILLED`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlparse

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from talent.clock import today_in_changchun
from talent.commit_hooks import after_commit, after_rollback
from talent.db import utcnow
from talent.models import Role, User
from talent.models.audit import AUDIT_NOTE_LENGTH
from talent.models.hiring import (
    ACTIVE_STATUSES,
    APPLIED,
    DECLINED,
    HIRED,
    INTERVIEW,
    INVITATION_DECLINED,
    INVITED,
    JOB_APPLICATION_STATUSES,
    OFFER,
    OFFER_DECLINED,
    SHORTLISTED,
    WITHDRAWN,
    JobApplication,
    JobApplicationChange,
    Placement,
)
from talent.models.jobs import EDUCATION_LEVELS, GraduateProfile, Job
from talent.names import hiring as names
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound, match_feedback
from talent.services.audit import record_event
from talent.services.graduates import profile_of
from talent.services.jobs import Problems
from talent.services.paging import is_valid_id
from talent.services.retention import retention_due_on

MAX_NOTE = AUDIT_NOTE_LENGTH  # the decline note is kept whole as the audit note
MAX_PLACE = 200
MAX_LINK = 500
# The states an employer may set (API.md: `{status: shortlisted|interview|offer|hired|declined}`).
EMPLOYER_STATUSES = (SHORTLISTED, INTERVIEW, OFFER, HIRED, DECLINED)
# From each state, where the employer may move an application. Forward only, skipping allowed (a strong
# candidate may be offered straight away); an interview may be re-arranged; `hired` only after an offer.
EMPLOYER_MOVES: dict[str, frozenset[str]] = {
    APPLIED: frozenset({SHORTLISTED, INTERVIEW, OFFER, DECLINED}),
    SHORTLISTED: frozenset({INTERVIEW, OFFER, DECLINED}),
    INTERVIEW: frozenset({INTERVIEW, OFFER, DECLINED}),
    OFFER: frozenset({HIRED, DECLINED}),
}
CV_PREFIX = "cv/"


# --- reading --------------------------------------------------------------------------------------------------


def _load(session: Session, application_id: int, *, lock: bool = False) -> JobApplication:
    if not is_valid_id(application_id):
        raise NotFound("No such job application.")
    query = select(JobApplication).where(JobApplication.id == application_id).options(
        joinedload(JobApplication.job).joinedload(Job.employer), joinedload(JobApplication.applicant))
    if lock:
        query = query.with_for_update(of=JobApplication).execution_options(populate_existing=True)
    application = session.scalar(query)
    if application is None:
        raise NotFound("No such job application.")
    return application


def _is_graduate_of(application: JobApplication, actor: User) -> bool:
    return actor.role == Role.APPLICANT and application.applicant_id == actor.id


def _is_employer_of(application: JobApplication, actor: User) -> bool:
    return actor.role == Role.EMPLOYER and application.job.employer.owner_id == actor.id


def get_job_application(session: Session, actor: User, application_id: int) -> JobApplication:
    """One application, for its graduate, the post's employer, or an officer (404 if none, 403 for others)."""
    application = _load(session, application_id)
    if not (_is_graduate_of(application, actor) or _is_employer_of(application, actor) or actor.is_officer):
        raise NotAllowed("This application concerns another graduate and another organisation.")
    return application


def applications_of_graduate(session: Session, actor: User, *, status: str | None = None) -> list[JobApplication]:
    """The caller's applications and invitations, newest first."""
    if status is not None and status not in JOB_APPLICATION_STATUSES:
        raise InvalidInput("Unknown status.", {"status": [f"Must be one of: {', '.join(JOB_APPLICATION_STATUSES)}."]})
    query = (select(JobApplication).where(JobApplication.applicant_id == actor.id)
             .options(joinedload(JobApplication.job).joinedload(Job.employer), joinedload(JobApplication.placement))
             .order_by(JobApplication.created_at.desc(), JobApplication.id.desc()))
    if status is not None:
        query = query.where(JobApplication.status == status)
    return list(session.scalars(query))


@dataclass
class Pipeline:
    job: Job
    counts: dict[str, int]
    items: list[JobApplication]
    hires: int


def pipeline_of_job(session: Session, actor: User, job_id: int, *, status: str | None = None) -> Pipeline:
    """The applications to one of the caller's posts (all, or those in `status`), with the count per state."""
    from talent.services.jobs import job_of_caller

    if status is not None and status not in JOB_APPLICATION_STATUSES:
        raise InvalidInput("Unknown status.", {"status": [f"Must be one of: {', '.join(JOB_APPLICATION_STATUSES)}."]})
    job = job_of_caller(session, actor, job_id)
    counts = {code: 0 for code in JOB_APPLICATION_STATUSES}
    counts.update({code: n for code, n in session.execute(
        select(JobApplication.status, func.count()).where(JobApplication.job_id == job.id)
        .group_by(JobApplication.status))})
    query = (select(JobApplication).where(JobApplication.job_id == job.id)
             .options(joinedload(JobApplication.profile), joinedload(JobApplication.applicant),
                      joinedload(JobApplication.placement))
             .order_by(JobApplication.updated_at.desc(), JobApplication.id.desc()))
    if status is not None:
        query = query.where(JobApplication.status == status)
    return Pipeline(job=job, counts=counts, items=list(session.scalars(query)), hires=counts[HIRED])


def application_for(session: Session, actor: User, job_id: int) -> JobApplication | None:
    """The caller's application to one post, if any (for the post's page)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role != Role.APPLICANT:
        return None
    return session.scalar(select(JobApplication).where(JobApplication.job_id == job_id,
                                                       JobApplication.applicant_id == actor.id))


def post_viewed(session: Session, actor: Any, job: Job) -> tuple[GraduateProfile | None, JobApplication | None]:
    """A post's page seen by someone: for a graduate with a profile, record `opened` (matching feedback) and give
    the profile and their application to this post, if any (what the page's apply section shows)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role != Role.APPLICANT:
        return None, None
    profile = profile_of(session, actor)
    if profile is None:
        return None, None
    match_feedback.record(session, "opened", profile.id, job.id, surface="job_page")
    return profile, application_for(session, actor, job.id)


def applications_by_job(session: Session, actor: User, job_ids: Iterable[int]) -> dict[int, JobApplication]:
    """The caller's applications to some posts, by post (one query; for the matches page's apply buttons)."""
    ids = list(job_ids)
    if not ids:
        return {}
    return {a.job_id: a for a in session.scalars(select(JobApplication).where(
        JobApplication.applicant_id == actor.id, JobApplication.job_id.in_(ids)))}


def open_applications_by_job(session: Session, job_ids: Iterable[int]) -> dict[int, int]:
    """How many applications each post has in the employer's pipeline now (`ACTIVE_STATUSES`: applied,
    shortlisted, interview, offer), by post, in one query; posts with none are 0. Not an actor's view: the
    matching refresh (fair exposure's "applications so far", services.match_store) reads it for every open post.
    Invitations not yet accepted and closed applications (hired, declined, withdrawn, turned down) do not count."""
    ids = sorted({int(job_id) for job_id in job_ids})  # the model's job ids are strings; any id form is taken
    counts = dict.fromkeys(ids, 0)
    if not ids:
        return counts
    query = (select(JobApplication.job_id, func.count()).where(JobApplication.status.in_(ACTIVE_STATUSES))
             .group_by(JobApplication.job_id))
    if len(ids) <= 5000:  # a bounded IN list (SQLite's variable limit); a city-wide refresh reads every post
        query = query.where(JobApplication.job_id.in_(ids))
    for job_id, count in session.execute(query):
        if job_id in counts:
            counts[job_id] = count
    return counts


# --- helpers --------------------------------------------------------------------------------------------------


def _move(session: Session, application: JobApplication, to_status: str, actor: User | None,
          reason: str | None = None) -> str:
    """Set the state, stamp the stage's moment, and keep the move in the history; returns the state it left."""
    before = application.status
    now = utcnow()
    application.status = to_status
    application.updated_at = now
    stamp = {APPLIED: "applied_at", SHORTLISTED: "shortlisted_at", INTERVIEW: "interview_set_at",
             OFFER: "offered_at", HIRED: "hired_at", INVITED: "invited_at"}.get(to_status)
    if stamp and getattr(application, stamp) is None:
        setattr(application, stamp, now)
    if to_status in (HIRED, DECLINED, WITHDRAWN, OFFER_DECLINED, INVITATION_DECLINED):
        application.closed_at = now
    session.add(JobApplicationChange(application=application, from_status=before, to_status=to_status,
                                     actor_id=actor.id if actor is not None else None, at=now, reason=reason))
    return before


def _audit(session: Session, actor: User | None, action: str, application: JobApplication,
           before: dict[str, Any] | None, note: str | None = None) -> None:
    record_event(session, actor=actor, action=action, entity_type="job_application", entity_id=application.id,
                 before=before, after=application.snapshot(), note=note)


def _flush(session: Session) -> None:
    from sqlalchemy.orm.exc import StaleDataError

    try:
        session.flush()
    except StaleDataError:
        raise Conflict("The application was changed by someone else at the same moment; reload and try again.") from None


def _check_note(problems: Problems, field: str, value: str | None, maximum: int = MAX_NOTE) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(field, "须为文字", "Must be text.")
        return None
    value = value.strip()
    if len(value) > maximum:
        problems.add(field, f"不能超过 {maximum} 个字", f"Must be at most {maximum} characters long.")
    return value or None


def _require_profile(session: Session, actor: User) -> GraduateProfile:
    if actor.role != Role.APPLICANT:
        raise NotAllowed("Only graduates (applicant accounts) apply to posts.")
    profile = profile_of(session, actor)
    if profile is None:
        raise Conflict(names.NEEDS_PROFILE)
    return profile


def _reaches(profile: GraduateProfile, job: Job) -> bool:
    return EDUCATION_LEVELS.index(profile.education) >= EDUCATION_LEVELS.index(job.min_education)


def _job_params(application: JobApplication) -> dict[str, Any]:
    job = application.job
    return {"job": job.title, "employer": job.employer.name, "job_id": job.id,
            "job_application_id": application.id}


# --- the graduate ---------------------------------------------------------------------------------------------


def apply_to_job(
    session: Session, actor: User, job_id: int, *, note: str | None = None, cv: BinaryIO | None = None,
    cv_filename: str | None = None, max_bytes: int = 10 * 1024 * 1024, surface: str | None = None,
    storage: Any = None,
) -> JobApplication:
    """Apply to an open post with the caller's graduate profile (and, optionally, a CV as a PDF)."""
    from talent.services.jobs import get_job

    problems = Problems()
    note = _check_note(problems, "note", note)
    problems.raise_if_any("The application is not valid: see errors for each field.")
    profile = _require_profile(session, actor)
    if not is_valid_id(job_id):
        raise NotFound("No such position.")
    job = get_job(session, job_id)
    if not job.is_open_on(today_in_changchun()):
        raise Conflict(names.POST_NOT_ACCEPTING)
    if not _reaches(profile, job):
        raise Conflict(names.EDUCATION_BELOW)
    existing = session.scalar(select(JobApplication).where(
        JobApplication.job_id == job.id, JobApplication.graduate_profile_id == profile.id))
    if existing is not None:
        raise Conflict(names.ALREADY_APPLIED)
    shown = match_feedback.last_impression(session, profile.id, job.id)
    application = JobApplication(
        job=job, employer_id=job.employer_id, profile=profile, applicant_id=actor.id, status=APPLIED,
        source="graduate", note=note, match_score=shown.score if shown is not None else None,
    )
    session.add(application)
    _move(session, application, APPLIED, actor)
    application.changes[-1].from_status = None
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the same graduate applying twice at the same moment
        raise Conflict(names.ALREADY_APPLIED) from None
    if cv is not None:
        _store_cv(session, application, actor, cv, cv_filename, max_bytes, storage)
    _audit(session, actor, "job_application.applied", application, None)
    _notify_employer(session, application, "applied", applicant=actor.name)
    match_feedback.record(session, "applied", profile.id, job.id, surface=surface,
                          rank=shown.rank if shown is not None else None,
                          score=shown.score if shown is not None else None)
    session.flush()
    return application


def attach_cv(session: Session, actor: User, application_id: int, *, stream: BinaryIO, filename: str | None,
              max_bytes: int, storage: Any = None) -> JobApplication:
    """Add or replace the CV (PDF) of one of the caller's applications that is still in the pipeline."""
    application = _load(session, application_id, lock=True)
    if not _is_graduate_of(application, actor):
        raise NotAllowed(names.NOT_YOUR_APPLICATION)
    if application.status not in (INVITED, *ACTIVE_STATUSES):
        raise Conflict(names.BAD_TRANSITION.with_detail("A CV can be added only while the application is open."))
    before = application.snapshot()
    _store_cv(session, application, actor, stream, filename, max_bytes, storage)
    application.updated_at = utcnow()
    _audit(session, actor, "job_application.cv_uploaded", application, before)
    _flush(session)
    return application


def _storage(storage: Any) -> Any:
    if storage is not None:
        return storage
    from talent.storage import current_storage

    return current_storage()


def _store_cv(session: Session, application: JobApplication, actor: User, stream: BinaryIO,
              filename: str | None, max_bytes: int, storage: Any) -> None:
    """The CV goes through the evidence checks (services.uploads): recognised by content — here a PDF only —,
    at most `max_bytes`, checked whole before it reaches storage, and deleted again if the transaction rolls
    back."""
    from talent.services.uploads import UploadTooLarge, detect_content_type, safe_display_name

    head = stream.read(8192)
    if detect_content_type(head) != "application/pdf":
        raise InvalidInput("The CV is not a PDF.", {"file": [names.CV_PDF_ONLY]})
    target = _storage(storage)
    digest = hashlib.sha256()
    size = 0
    stored_name = f"{secrets.token_hex(16)}.pdf"
    key = CV_PREFIX + stored_name
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        chunk = head
        while chunk:
            size += len(chunk)
            if size > max_bytes:
                raise UploadTooLarge(f"The CV is larger than {max_bytes // (1024 * 1024)} MB.",
                                     {"file": [f"At most {max_bytes // (1024 * 1024)} MB."]})
            digest.update(chunk)
            spool.write(chunk)
            chunk = stream.read(64 * 1024)
        spool.seek(0)
        target.put(key, spool, content_type="application/pdf")  # type: ignore[arg-type]
    after_rollback(session, lambda: target.delete(key))
    replaced = application.cv_stored_name
    if replaced is not None:  # the CV it replaces goes once the change is committed
        after_commit(session, lambda: target.delete(CV_PREFIX + replaced))
    application.cv_stored_name = stored_name
    application.cv_original_name = safe_display_name(filename, "pdf")
    application.cv_size = size
    application.cv_sha256 = digest.hexdigest()


def open_cv(session: Session, actor: User, application_id: int, storage: Any = None) -> tuple[JobApplication, bytes]:
    """The CV of an application, for its graduate and the post's employer."""
    application = get_job_application(session, actor, application_id)
    if application.cv_stored_name is None:
        raise NotFound("This application has no CV.")
    from talent.storage import StoredFileMissing

    try:
        return application, _storage(storage).get(CV_PREFIX + application.cv_stored_name)
    except StoredFileMissing:
        raise NotFound("The CV file is missing.") from None


def withdraw_application(session: Session, actor: User, application_id: int) -> JobApplication:
    """The graduate takes an application out of the pipeline (any state before the hire)."""
    application = _load(session, application_id, lock=True)
    if not _is_graduate_of(application, actor):
        raise NotAllowed(names.NOT_YOUR_APPLICATION)
    if application.status not in ACTIVE_STATUSES:
        raise Conflict(names.BAD_TRANSITION.with_detail(
            f"An application that is {application.status} cannot be withdrawn."))
    before = application.snapshot()
    _move(session, application, WITHDRAWN, actor)
    _audit(session, actor, "job_application.withdrawn", application, before)
    _notify_employer(session, application, "withdrawn", applicant=actor.name)
    match_feedback.record(session, "withdrawn", application.graduate_profile_id, application.job_id)
    _flush(session)
    return application


def answer_invitation(session: Session, actor: User, application_id: int, *, accept: bool,
                      note: str | None = None) -> JobApplication:
    """The graduate accepts an invitation (it becomes an application: `applied`) or turns it down."""
    problems = Problems()
    note = _check_note(problems, "note", note)
    problems.raise_if_any("The answer is not valid: see errors for each field.")
    application = _load(session, application_id, lock=True)
    if not _is_graduate_of(application, actor):
        raise NotAllowed(names.NOT_YOUR_APPLICATION)
    if application.status != INVITED:
        raise Conflict(names.BAD_TRANSITION.with_detail("Only an open invitation can be accepted or turned down."))
    before = application.snapshot()
    if accept:
        if not application.job.is_open_on(today_in_changchun()):
            raise Conflict(names.POST_NOT_ACCEPTING)
        application.note = note
        _move(session, application, APPLIED, actor)
        _audit(session, actor, "job_application.invitation_accepted", application, before)
        _notify_employer(session, application, "invitation_accepted", applicant=actor.name)
        match_feedback.record(session, "applied", application.graduate_profile_id, application.job_id,
                              surface="invitation")
    else:
        _move(session, application, INVITATION_DECLINED, actor)
        _audit(session, actor, "job_application.invitation_declined", application, before)
        _notify_employer(session, application, "invitation_declined", applicant=actor.name)
    _flush(session)
    return application


def answer_offer(session: Session, actor: User, application_id: int, *, accept: bool) -> JobApplication:
    """The graduate accepts the offer — the hire, if a place is left (409 `POST_FILLED` otherwise) — or turns
    it down."""
    application = _load(session, application_id)
    if not _is_graduate_of(application, actor):
        raise NotAllowed(names.NOT_YOUR_APPLICATION)
    if accept:
        return _hire(session, application.id, actor, start_date=None, by_graduate=True)
    application = _load(session, application_id, lock=True)
    if application.status != OFFER:
        raise Conflict(names.BAD_TRANSITION.with_detail("There is no open offer to turn down."))
    before = application.snapshot()
    _move(session, application, OFFER_DECLINED, actor)
    _audit(session, actor, "job_application.offer_declined", application, before)
    _notify_employer(session, application, "offer_declined", applicant=actor.name)
    match_feedback.record(session, "declined", application.graduate_profile_id, application.job_id,
                          surface="graduate")
    _flush(session)
    return application


# --- the employer ---------------------------------------------------------------------------------------------


def invite_candidate(session: Session, actor: User, job_id: int, graduate_profile_id: int, *,
                     message: str | None = None) -> JobApplication:
    """Invite a consenting graduate who fits the post to apply to it (the graduate accepts or turns it down)."""
    from talent.services.jobs import job_of_caller

    problems = Problems()
    message = _check_note(problems, "message", message)
    if not is_valid_id(graduate_profile_id):
        problems.add("graduate_id", "请从本岗位的候选人中选择", "Must be the id of a graduate among the post's candidates.")
    problems.raise_if_any("The invitation is not valid: see errors for each field.")
    job = job_of_caller(session, actor, job_id)
    if not job.employer.is_verified:
        raise NotAllowed("Your organisation is not verified; it cannot invite graduates.")
    if not job.is_open_on(today_in_changchun()):
        raise Conflict(names.POST_NOT_ACCEPTING)
    profile = session.get(GraduateProfile, graduate_profile_id)
    if profile is None or not profile.consent_to_match or not profile.user.is_active:
        # A graduate who has not agreed to be shown is not revealed either.
        raise InvalidInput("No such candidate.", {"graduate_id": [str(names.NOT_CONSENTING)]})
    if not _reaches(profile, job):
        raise Conflict(names.EDUCATION_BELOW.with_detail("The graduate's education is below what the post asks."))
    if session.scalar(select(JobApplication.id).where(JobApplication.job_id == job.id,
                                                      JobApplication.graduate_profile_id == profile.id)):
        raise Conflict(names.ALREADY_APPLIED.with_detail("This graduate has already applied or been invited."))
    application = JobApplication(
        job=job, employer_id=job.employer_id, profile=profile, applicant_id=profile.user_id, status=INVITED,
        source="employer", invitation_message=message,
    )
    session.add(application)
    _move(session, application, INVITED, actor)
    application.changes[-1].from_status = None
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(names.ALREADY_APPLIED.with_detail("This graduate has already applied or been invited.")) from None
    _audit(session, actor, "job_application.invited", application, None)
    _notify_graduate(session, application, "invited")
    match_feedback.record(session, "invited", profile.id, job.id, surface="candidates")
    session.flush()
    return application


def _parse_moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def change_status(
    session: Session, actor: User, application_id: int, status: Any, *,
    interview_at: Any = None, interview_place: str | None = None, interview_link: str | None = None,
    start_date: dt.date | None = None, reason: str | None = None, note: str | None = None,
) -> JobApplication:
    """The post's employer moves an application on: shortlisted, interview (when, and where or the online link),
    offer (optionally the proposed start date), hired (after an offer the graduate accepted outside the
    platform; the start date), or declined (a reason code the graduate reads in plain words, and a note)."""
    problems = Problems()
    if status not in EMPLOYER_STATUSES:
        problems.add("status", "请选择要进行的操作", f"Must be one of: {', '.join(EMPLOYER_STATUSES)}.")
    note = _check_note(problems, "note", note)
    moment: dt.datetime | None = None
    if status == INTERVIEW:
        moment = _parse_moment(interview_at)
        if interview_at is None:
            problems.add("interview_at", "请填写面试时间", "Must be given: the interview's date and time.")
        elif moment is None:
            problems.add("interview_at", "面试时间须为日期和时间",
                         "Must be a date and time (RFC 3339, e.g. 2026-12-10T09:30:00+08:00).")
        else:
            if moment.tzinfo is None:
                from talent.clock import CHANGCHUN

                moment = moment.replace(tzinfo=CHANGCHUN)  # a time without zone is Changchun time
            if moment <= utcnow():
                problems.add("interview_at", "面试时间须晚于现在", "Must be in the future.")
        interview_place = _check_note(problems, "interview_place", interview_place, MAX_PLACE)
        interview_link = _check_note(problems, "interview_link", interview_link, MAX_LINK)
        if interview_link and urlparse(interview_link).scheme not in ("http", "https"):
            problems.add("interview_link", "在线面试链接须以 http:// 或 https:// 开头", "Must be an http(s) address.")
        if not interview_place and not interview_link and "interview_place" not in problems:
            problems.add("interview_place", "请填写面试地点或在线面试链接",
                         "Give the place of the interview or an online link (interview_link).")
    if status in (OFFER, HIRED) and start_date is not None:
        if not isinstance(start_date, dt.date) or isinstance(start_date, dt.datetime):
            problems.add("start_date", "入职日期须为日期（年-月-日）", "Must be a date (YYYY-MM-DD).")
        elif status == OFFER and start_date < today_in_changchun():
            problems.add("start_date", "拟入职日期不能早于今天", "Must not be in the past.")
    if status == DECLINED:
        if reason is None:
            problems.add("reason", "请选择不予录用的原因", f"Must be given, one of: {', '.join(names.DECLINE_REASONS)}.")
        elif reason not in names.DECLINE_REASONS:
            problems.add("reason", "请从列表中选择原因", f"Must be one of: {', '.join(names.DECLINE_REASONS)}.")
        elif reason == "other" and not note:
            problems.add("note", "选择“其他原因”时，请简要说明，毕业生可以看到",
                         "Say in a few words why, for the graduate, when the reason is other.")
    problems.raise_if_any("The change is not valid: see errors for each field.")

    application = _load(session, application_id)
    if not _is_employer_of(application, actor):
        raise NotAllowed(names.NOT_YOUR_POST)
    if status == HIRED:
        if application.status != OFFER:
            raise Conflict(names.BAD_TRANSITION.with_detail(
                f"An application that is {application.status} cannot become hired: make an offer first."))
        if start_date is None and application.offer_start_date is None:
            missing = Problems()
            missing.add("start_date", "请填写入职日期（录用通知未写明）", "Must be given: the offer named none.")
            missing.raise_if_any("The start date is missing.")
        return _hire(session, application.id, actor, start_date=start_date, by_graduate=False)
    application = _load(session, application_id, lock=True)
    allowed = EMPLOYER_MOVES.get(application.status, frozenset())
    if status not in allowed:
        raise Conflict(names.BAD_TRANSITION.with_detail(
            f"An application that is {application.status} cannot become {status}."))
    before = application.snapshot()
    if status == INTERVIEW:
        # Stored as the UTC moment (SQLite keeps wall times without their zone).
        application.interview_at = moment.astimezone(dt.UTC)
        application.interview_place = interview_place
        application.interview_link = interview_link
    if status == OFFER:
        application.offer_start_date = start_date
    if status == DECLINED:
        application.decline_reason = reason
        application.decline_note = note
    _move(session, application, status, actor, reason=reason if status == DECLINED else None)
    _audit(session, actor, "job_application.status_changed", application, before, note=note)
    _notify_graduate(session, application, status)
    match_feedback.record(session, status, application.graduate_profile_id, application.job_id, surface="pipeline")
    _flush(session)
    return application


# --- the hire -------------------------------------------------------------------------------------------------


def lock_job(session: Session, job_id: int) -> Job:
    """Take the post's lock before reading anything of it: a no-op UPDATE (a row lock on PostgreSQL; on SQLite it
    opens the write transaction, which waits for any other writer), then the post read afresh."""
    session.flush()
    session.execute(update(Job).where(Job.id == job_id).values(headcount=Job.headcount)
                    .execution_options(synchronize_session=False))
    return session.scalar(select(Job).where(Job.id == job_id).execution_options(populate_existing=True))


def hires_of(session: Session, job_id: int) -> int:
    return session.scalar(select(func.count()).select_from(JobApplication)
                          .where(JobApplication.job_id == job_id, JobApplication.status == HIRED)) or 0


def _hire(session: Session, application_id: int, actor: User, *, start_date: dt.date | None,
          by_graduate: bool) -> JobApplication:
    job_id = session.scalar(select(JobApplication.job_id).where(JobApplication.id == application_id))
    job = lock_job(session, job_id)
    application = _load(session, application_id, lock=True)
    if application.status != OFFER:
        if application.status == DECLINED and application.decline_reason == "position_filled":
            raise Conflict(names.POST_FILLED)
        raise Conflict(names.BAD_TRANSITION.with_detail(
            f"An application that is {application.status} has no open offer to accept."))
    hires = hires_of(session, job.id)
    if hires >= job.headcount:
        raise Conflict(names.POST_FILLED.with_detail(
            f"All {job.headcount} places of this post have been filled; the offer can no longer be taken up."))
    before = application.snapshot()
    start = start_date or application.offer_start_date or today_in_changchun()
    _move(session, application, HIRED, actor)
    placement = Placement(application=application, graduate_id=application.applicant_id,
                          employer_id=application.employer_id, job_id=job.id, start_date=start,
                          retention_due_on=retention_due_on(start))
    session.add(placement)
    _flush(session)
    _audit(session, actor, "job_application.offer_accepted" if by_graduate else "job_application.hired",
           application, before)
    record_event(session, actor=actor, action="placement.created", entity_type="placement", entity_id=placement.id,
                 after={"job_application_id": application.id, "start_date": start.isoformat(),
                        "retention_due_on": placement.retention_due_on.isoformat()})
    if by_graduate:
        _notify_employer(session, application, "offer_accepted", applicant=actor.name, start=start.isoformat())
    else:
        _notify_graduate(session, application, HIRED, start=start.isoformat())
    match_feedback.record(session, "hired", application.graduate_profile_id, job.id,
                          surface="graduate" if by_graduate else "pipeline")
    if hires + 1 >= job.headcount:
        _close_filled(session, job, actor, exclude=application.id)
    _flush(session)
    return application


def _close_filled(session: Session, job: Job, actor: User, *, exclude: int) -> None:
    """The post is full: close it as the employer's close does, and decline what is left in its pipeline."""
    if job.status == "open":
        before = job.snapshot()
        now = utcnow()
        job.status = "closed"
        job.closed_at = now
        job.updated_at = now
        record_event(session, actor=actor, action="job.closed", entity_type="job", entity_id=job.id,
                     before=before, after=job.snapshot(), note="filled: every place is taken")
    decline_pipeline(session, job, reason="position_filled", exclude=exclude)
    if job.employer.owner is not None:
        from talent.services import notifications

        notifications.notify(session, job.employer.owner, notifications.JOB_PIPELINE, params={
            "text": "job_pipeline.filled", "job": job.title, "job_id": job.id, "headcount": job.headcount})


def decline_pipeline(session: Session, job: Job, *, reason: str, exclude: int | None = None) -> int:
    """A post that can take nobody more (filled: `position_filled`; closed by its employer: `position_closed`):
    the applications still in its pipeline and its open invitations are declined with that reason, each with its
    audit event, and the graduates whose applications were open are told. Returns how many."""
    query = select(JobApplication).where(
        JobApplication.job_id == job.id, JobApplication.status.in_([*ACTIVE_STATUSES, INVITED]))
    if exclude is not None:
        query = query.where(JobApplication.id != exclude)
    others = list(session.scalars(query.options(joinedload(JobApplication.job)).with_for_update(of=JobApplication)))
    for other in others:
        before = other.snapshot()
        was_invited = other.status == INVITED
        other.decline_reason = reason
        _move(session, other, DECLINED, None, reason=reason)
        _audit(session, None, "job_application.status_changed", other, before,
               note="the post is full" if reason == "position_filled" else "the post was closed")
        if not was_invited:
            _notify_graduate(session, other, DECLINED)
        match_feedback.record(session, "declined", other.graduate_profile_id, job.id,
                              surface="filled" if reason == "position_filled" else "closed")
    return len(others)


# --- notifications --------------------------------------------------------------------------------------------


def _notify_graduate(session: Session, application: JobApplication, event: str, **extra: Any) -> None:
    from talent.services import notifications

    graduate = session.get(User, application.applicant_id)
    if graduate is None:
        return
    params = {**_job_params(application), **extra}
    if event == "invited":
        params["text"] = "job_application.invited"
    else:
        params.update({
            "text": "job_application.status",
            "status": names.STATUSES[event]["zh"], "status_en": names.STATUSES[event]["en"], "status_code": event,
            "detail": "", "detail_en": "",
        })
        if event == INTERVIEW and application.interview_at is not None:
            from talent.clock import to_changchun

            when = to_changchun(application.interview_at).strftime("%Y-%m-%d %H:%M")
            where = application.interview_place or application.interview_link or ""
            params["detail"] = f"面试时间：{when}，地点：{where}。"
            params["detail_en"] = f"Interview: {when} (Changchun time), {where}."
        elif event == OFFER and application.offer_start_date is not None:
            params["detail"] = f"拟入职日期：{application.offer_start_date.isoformat()}。请在“我的投递”中接受或婉拒。"
            params["detail_en"] = (f"Proposed start date: {application.offer_start_date.isoformat()}. "
                                   "Accept or turn it down under My job applications.")
        elif event == OFFER:
            params["detail"] = "请在“我的投递”中接受或婉拒。"
            params["detail_en"] = "Accept or turn it down under My job applications."
        elif event == DECLINED:
            reason = application.decline_reason
            params["detail"] = "原因：" + names.reason_name(reason, "zh") + (
                f"（{application.decline_note}）" if application.decline_note else "")
            params["detail_en"] = "Reason: " + names.reason_name(reason, "en") + (
                f" ({application.decline_note})" if application.decline_note else "")
        elif event == HIRED and extra.get("start"):
            params["detail"] = f"入职日期：{extra['start']}。"
            params["detail_en"] = f"Start date: {extra['start']}."
    notifications.notify(session, graduate, notifications.JOB_APPLICATION, params=params)


def _notify_employer(session: Session, application: JobApplication, event: str, **extra: Any) -> None:
    from talent.services import notifications

    owner = application.job.employer.owner
    if owner is None:
        return
    notifications.notify(session, owner, notifications.JOB_PIPELINE,
                         params={**_job_params(application), **extra, "text": f"job_pipeline.{event}"})


# --- what a graduate hired through the platform brings to other forms ---------------------------------------


def employment_facts(session: Session, user: User) -> dict[str, Any] | None:
    """The latest hire of `user` through the platform as facts of an application form (docs/policy.md §7):
    the employer's credit code and name, the start date, the employer's district and kind, full-time work.
    None when the person was not hired through the platform."""
    placement = session.scalar(
        select(Placement).where(Placement.graduate_id == user.id)
        .options(joinedload(Placement.employer), joinedload(Placement.job))
        .order_by(Placement.start_date.desc(), Placement.id.desc()).limit(1))
    if placement is None:
        return None
    employer = placement.employer
    return {
        "placement_id": placement.id,
        "employer_credit_code": employer.credit_code,
        "employer_name": employer.name,
        "job_title": placement.job.title,
        "start_date": placement.start_date,
        "employment": {"employer_district": employer.district, "employer_kind": employer.kind, "full_time": True},
    }

