"""Recruitment events (招聘宣讲): employers and officers create them, graduates register, organisers check
graduates in at the door with a signed QR ticket.

- Who: a verified employer's account (for its own organisation, presenting its own open posts) or an officer
  (for the bureau, presenting open posts of any verified employer). The organiser is the employer's account,
  or any officer for the bureau's events; officers may manage every event.
- States: draft → published → cancelled (or draft → cancelled). An event whose end has passed is over; it keeps
  its state. Graduates register while it is published and has not started, and may cancel until it starts.
- Seats: `registered_count` is changed only by one conditional UPDATE (`… WHERE registered_count < capacity`),
  the first write of the registration's transaction, so the last seat taken by two at once goes to one; the
  other is refused (409, "the event is full").
- Tickets: `ticket_code` is the registration id and an HMAC-SHA256 (truncated to 60 bits) with the app's secret
  key over (registration id, event id, a random nonce of the registration): the id alone is never enough. A
  ticket checks in only at its event and only while its registration stands.

Every change writes an audit event; nothing here commits.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from talent.clock import CHANGCHUN, to_changchun
from talent.db import utcnow
from talent.models import Employer, Role, User
from talent.models.events import (
    EVENT_KINDS,
    EventPost,
    EventRegistration,
    RecruitmentEvent,
)
from talent.models.jobs import Job
from talent.names import events as names
from talent.services import Conflict, NotAllowed, NotFound, ServiceError
from talent.services.audit import record_event
from talent.services.jobs import LocalizedInvalidInput, Problems, check_district, check_text
from talent.services.paging import (
    MAX_PER_PAGE,
    Page,
    fetch_page,
    is_valid_id,
    is_whole_number,
    paging_problems,
)

MAX_CAPACITY = 20_000  # a large job fair in a convention centre
MAX_POSTS = 200
MAX_DURATION = dt.timedelta(days=3)
CHECK_IN_OPENS_BEFORE = dt.timedelta(hours=2)
CHECK_IN_CLOSES_AFTER = dt.timedelta(hours=2)
TICKET_SALT = "talent.event-ticket"
TICKET_SIGNATURE_CHARS = 12  # base32: 60 bits of HMAC-SHA256
MAX_TICKET_CODE = 20  # base-36 id (at most 6 characters for a 32-bit id), "-", the signature
EDITABLE_FIELDS = (
    "kind", "title", "description", "starts_at", "ends_at", "district", "venue", "online_url", "capacity", "job_ids",
)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _now(now: dt.datetime | None) -> dt.datetime:
    return _utc(now) if now is not None else utcnow()


# --- checking input -------------------------------------------------------------------------------------------


def check_online_url(problems: Problems, value: Any, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.add("online_url", "线上宣讲须填写会议链接（https://…）",
                         "Required for an online session: an https:// link.")
        return None
    if not isinstance(value, str):
        problems.add("online_url", "链接须为文本", "Must be a text.")
        return None
    value = value.strip()
    parts = urlsplit(value)
    if len(value) > 500:
        problems.add("online_url", "链接不能超过 500 个字符", "Must be at most 500 characters long.")
    elif parts.scheme.lower() != "https" or not parts.netloc or any(c.isspace() for c in value):
        problems.add("online_url", "链接须以 https:// 开头（加密连接），例如 https://meeting.example.cn/123",
                     "Must be an https:// link (e.g. https://meeting.example.cn/123); other schemes are refused.")
    return value


def _aware(problems: Problems, field: str, value: Any, label_zh: str) -> dt.datetime | None:
    if value is None:
        problems.add(field, f"请填写{label_zh}", "Must be given (date and time).")
        return None
    if not isinstance(value, dt.datetime):
        problems.add(field, f"{label_zh}须为日期和时间", "Must be a date and time (ISO 8601).")
        return None
    if value.tzinfo is None:  # a time without a zone is Changchun's
        value = value.replace(tzinfo=CHANGCHUN)
    return value.astimezone(dt.UTC)


def _check_values(
    values: dict[str, Any], problems: Problems, *, times_changed: bool, now: dt.datetime, registered: int = 0,
) -> dict[str, Any]:
    cleaned = dict(values)
    kind = values.get("kind")
    if kind not in EVENT_KINDS:
        problems.add("kind", "请选择活动类型：校园宣讲会、招聘会或线上宣讲",
                     f"Must be one of: {', '.join(EVENT_KINDS)}.")
    cleaned["title"] = check_text(problems, "title", values.get("title"), max_length=120, label_zh="活动名称")
    description = values.get("description") or ""
    if not isinstance(description, str):
        problems.add("description", "活动介绍须为文本", "Must be a text.")
        description = ""
    elif len(description) > 10_000:
        problems.add("description", "活动介绍不能超过 10000 个字", "Must be at most 10000 characters long.")
    cleaned["description"] = description.strip()
    starts = _aware(problems, "starts_at", values.get("starts_at"), "开始时间")
    ends = _aware(problems, "ends_at", values.get("ends_at"), "结束时间")
    cleaned["starts_at"], cleaned["ends_at"] = starts, ends
    if starts is not None and ends is not None:
        if ends <= starts:
            problems.add("ends_at", "结束时间须晚于开始时间", "Must be after starts_at.")
        elif ends - starts > MAX_DURATION:
            problems.add("ends_at", "一场活动最长 3 天", "An event lasts at most 3 days.")
    if starts is not None and times_changed and starts <= now:
        problems.add("starts_at", "开始时间已经过去", "Must be in the future.")
    online = kind == "online_session"
    district = values.get("district") or None
    if district is None:
        if not online:
            problems.add("district", "请选择活动所在区县", "Required for a talk or fair held in a place.")
    else:
        check_district(problems, "district", district)
    cleaned["district"] = district
    venue = values.get("venue")
    venue = venue.strip() if isinstance(venue, str) else None
    if not venue:
        venue = None
        if not online:
            problems.add("venue", "请填写活动地点", "Required for a talk or fair held in a place.")
    elif len(venue) > 200:
        problems.add("venue", "活动地点不能超过 200 个字", "Must be at most 200 characters long.")
    cleaned["venue"] = venue
    cleaned["online_url"] = check_online_url(problems, values.get("online_url"), required=online)
    capacity = values.get("capacity")
    if capacity is None:
        problems.add("capacity", "请填写名额", "Must be given.")
    elif not is_whole_number(capacity):
        problems.add("capacity", "名额须为整数", "Must be a whole number.")
    elif not 1 <= capacity <= MAX_CAPACITY:
        problems.add("capacity", f"名额须在 1 至 {MAX_CAPACITY:,} 之间", f"Must be between 1 and {MAX_CAPACITY:,}.")
    elif capacity < registered:
        problems.add("capacity", f"已有 {registered} 人报名，名额不能少于报名人数",
                     f"{registered} graduates are registered: the capacity cannot be below that.")
    job_ids = values.get("job_ids") or []
    if not isinstance(job_ids, list | tuple) or not all(is_valid_id(item) for item in job_ids):
        problems.add("job_ids", "宣讲岗位须为岗位编号的列表", "Must be a list of post ids.")
        job_ids = []
    elif len(set(job_ids)) > MAX_POSTS:
        problems.add("job_ids", f"一场活动最多宣讲 {MAX_POSTS} 个岗位", f"At most {MAX_POSTS} posts.")
    cleaned["job_ids"] = sorted(set(job_ids))
    return cleaned


def _check_posts(session: Session, actor: User, employer: Employer | None, job_ids: list[int],
                 problems: Problems, *, already: Iterable[int] = ()) -> list[Job]:
    """The posts an event presents: open posts of the organising employer (an employer's event), or open posts
    of any verified employer (the bureau's). Posts already presented may stay even if closed since."""
    if not job_ids:
        return []
    jobs = {job.id: job for job in session.scalars(
        select(Job).where(Job.id.in_(job_ids)).options(joinedload(Job.employer)))}
    kept = set(already)
    today = dt.datetime.now(CHANGCHUN).date()
    chosen = []
    for index, job_id in enumerate(job_ids):
        job = jobs.get(job_id)
        field = f"job_ids.{index}"
        if job is None:
            problems.add(field, f"没有编号为 {job_id} 的岗位", f"No post {job_id}.")
        elif employer is not None and job.employer_id != employer.id:
            problems.add(field, f"岗位 {job_id} 不是本单位的岗位", f"Post {job_id} belongs to another organisation.")
        elif not job.employer.is_verified:
            problems.add(field, f"岗位 {job_id} 的单位尚未认证", f"Post {job_id}: its employer is not verified.")
        elif job_id not in kept and not job.is_open_on(today):
            problems.add(field, f"岗位 {job_id} 已关闭或已过截止日期", f"Post {job_id} is closed or past its closing date.")
        else:
            chosen.append(job)
    return chosen


def _raise(problems: Problems, message: str) -> None:
    problems.raise_if_any(message)


# --- who organises ------------------------------------------------------------------------------------------


def organising_employer(session: Session, actor: User, employer_id: int | None) -> Employer | None:
    """The verified organisation an employer's account organises for; None for an officer (the bureau)."""
    if actor.is_officer:
        if employer_id is not None:
            raise LocalizedInvalidInput("Officers organise events for the bureau.",
                                        {"employer_id": ["Leave out: officers organise for the bureau."]},
                                        {"employer_id": ["人才服务部门组织的活动不填单位"]})
        return None
    if actor.role != Role.EMPLOYER:
        raise NotAllowed("Only verified employers and officers create recruitment events.")
    from talent.services.jobs import posting_employer

    return posting_employer(session, actor, employer_id)


def may_manage(actor: User | None, event: RecruitmentEvent) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_officer:
        return True
    return actor.role == Role.EMPLOYER and event.employer is not None and event.employer.owner_id == actor.id


def managed_event(session: Session, actor: User, event_id: int, *, lock: bool = False) -> RecruitmentEvent:
    query = select(RecruitmentEvent).where(RecruitmentEvent.id == event_id)
    if lock:
        query = query.with_for_update()
    event = session.scalar(query)
    if event is None:
        raise NotFound("No such event.")
    if not may_manage(actor, event):
        if event.status == "draft":
            raise NotFound("No such event.")
        raise NotAllowed("Only the organiser of this event (or an officer) may do this.")
    return event


# --- organising -----------------------------------------------------------------------------------------------


def create_event(
    session: Session, actor: User, *, publish: bool = True, employer_id: int | None = None,
    now: dt.datetime | None = None, **fields: Any,
) -> RecruitmentEvent:
    """Create an event (published at once unless `publish` is False)."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise LocalizedInvalidInput("Unknown fields.", {n: ["Unknown field."] for n in unknown},
                                    {n: ["未知字段"] for n in unknown})
    employer = organising_employer(session, actor, employer_id)
    moment = _now(now)
    problems = Problems()
    values = _check_values({name: fields.get(name) for name in EDITABLE_FIELDS}, problems, times_changed=True,
                           now=moment)
    jobs = _check_posts(session, actor, employer, values.pop("job_ids"), problems)
    _raise(problems, "The event is not valid: see errors for each field.")
    event = RecruitmentEvent(
        **values, employer_id=employer.id if employer else None, created_by_id=actor.id,
        status="published" if publish else "draft", registered_count=0, created_at=moment, updated_at=moment,
        published_at=moment if publish else None,
    )
    event.posts = [EventPost(job_id=job.id) for job in jobs]
    session.add(event)
    session.flush()
    record_event(session, actor=actor, action="event.created", entity_type="recruitment_event", entity_id=event.id,
                 after=event.snapshot())
    session.flush()
    return event


def update_event(session: Session, actor: User, event_id: int, changes: Mapping[str, Any],
                 *, now: dt.datetime | None = None) -> RecruitmentEvent:
    """Change an event that is not cancelled and not over; registered graduates hear of a new time or place."""
    event = managed_event(session, actor, event_id, lock=True)
    moment = _now(now)
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise LocalizedInvalidInput("Unknown fields.", {n: ["Unknown field."] for n in unknown},
                                    {n: ["未知字段"] for n in unknown})
    if event.status == "cancelled":
        raise Conflict(names.EVENT_CANCELLED)
    if _utc(event.ends_at) <= moment:
        raise Conflict(names.EVENT_OVER)
    before = event.snapshot()
    merged: dict[str, Any] = {name: getattr(event, name) for name in EDITABLE_FIELDS if name != "job_ids"}
    merged["job_ids"] = [post.job_id for post in event.posts]
    merged.update(changes)
    for name in ("starts_at", "ends_at"):
        if isinstance(merged.get(name), dt.datetime):
            merged[name] = _utc(merged[name])
    problems = Problems()
    values = _check_values(merged, problems, times_changed=False, now=moment, registered=event.registered_count)
    if values["starts_at"] is not None and values["starts_at"] != _utc(event.starts_at) and values["starts_at"] <= moment:
        problems.add("starts_at", "开始时间已经过去", "Must be in the future.")
    employer = event.employer
    jobs = _check_posts(session, actor, employer, values.pop("job_ids"), problems,
                        already=[post.job_id for post in event.posts])
    _raise(problems, "The change is not valid: see errors for each field.")
    for name, value in values.items():
        setattr(event, name, value)
    wanted = {job.id for job in jobs}
    event.posts = [post for post in event.posts if post.job_id in wanted] + [
        EventPost(job_id=job_id) for job_id in sorted(wanted - {post.job_id for post in event.posts})
    ]
    session.flush()
    after = event.snapshot()
    if after == before:
        return event
    event.updated_at = moment
    record_event(session, actor=actor, action="event.updated", entity_type="recruitment_event", entity_id=event.id,
                 before=before, after=after)
    where = ("starts_at", "ends_at", "venue", "district", "online_url")
    if event.status == "published" and any(before[name] != after[name] for name in where):
        _tell_registered(session, event, "recruitment_event.changed")
    session.flush()
    return event


def publish_event(session: Session, actor: User, event_id: int, *, now: dt.datetime | None = None) -> RecruitmentEvent:
    event = managed_event(session, actor, event_id, lock=True)
    moment = _now(now)
    if event.status == "published":
        raise Conflict(names.ALREADY_PUBLISHED)
    if event.status == "cancelled":
        raise Conflict(names.EVENT_CANCELLED)
    if _utc(event.starts_at) <= moment:
        raise Conflict(names.EVENT_OVER.with_detail("The event's start has passed: change its time first."))
    before = event.snapshot()
    event.status = "published"
    event.published_at = event.updated_at = moment
    record_event(session, actor=actor, action="event.published", entity_type="recruitment_event", entity_id=event.id,
                 before=before, after=event.snapshot())
    session.flush()
    return event


def cancel_event(session: Session, actor: User, event_id: int, reason: str, *,
                 now: dt.datetime | None = None) -> RecruitmentEvent:
    """Call the event off; every registered graduate is told (inbox and mail), with the reason."""
    event = managed_event(session, actor, event_id, lock=True)
    moment = _now(now)
    problems = Problems()
    reason = check_text(problems, "reason", reason, max_length=500, label_zh="取消原因")
    _raise(problems, "Say why the event is cancelled.")
    if event.status == "cancelled":
        raise Conflict(names.EVENT_CANCELLED)
    if _utc(event.ends_at) <= moment:
        raise Conflict(names.EVENT_OVER)
    before = event.snapshot()
    was_published = event.status == "published"
    event.status = "cancelled"
    event.cancelled_at = event.updated_at = moment
    event.cancel_reason = reason
    record_event(session, actor=actor, action="event.cancelled", entity_type="recruitment_event", entity_id=event.id,
                 before=before, after=event.snapshot(), note=reason)
    if was_published:
        _tell_registered(session, event, "recruitment_event.cancelled")
    session.flush()
    return event


def _tell_registered(session: Session, event: RecruitmentEvent, text: str) -> int:
    from talent.services.notifications import RECRUITMENT_EVENT, notify

    starts = to_changchun(event.starts_at)
    params = {
        "text": text, "event_id": event.id, "title": event.title, "starts": starts.strftime("%Y-%m-%d %H:%M"),
        "reason": event.cancel_reason or "", "place": event.venue or event.online_url or "",
    }
    told = 0
    for registration in session.scalars(
        select(EventRegistration).where(EventRegistration.event_id == event.id,
                                        EventRegistration.status == "registered")
        .options(joinedload(EventRegistration.user)).order_by(EventRegistration.id)
    ):
        notify(session, registration.user, RECRUITMENT_EVENT, params=params)
        told += 1
    return told


# --- reading ----------------------------------------------------------------------------------------------------


def _local_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=CHANGCHUN).astimezone(dt.UTC)


def list_events(
    session: Session, *, kind: str | None = None, district: str | None = None, date_from: dt.date | None = None,
    date_to: dt.date | None = None, page: int = 1, per_page: int = 20, now: dt.datetime | None = None,
) -> Page[RecruitmentEvent]:
    """Published events that are not over, soonest first; `kind`, `district` and the Changchun dates
    `date_from`..`date_to` (of the start) narrow them. Online sessions have no district: a district filter
    leaves them out."""
    problems = Problems()
    if kind is not None and kind not in EVENT_KINDS:
        problems.add("kind", "活动类型只能是 campus_talk、job_fair 或 online_session",
                     f"Must be one of: {', '.join(EVENT_KINDS)}.")
    if district is not None:
        check_district(problems, "district", district)
    if date_from and date_to and date_to < date_from:
        problems.add("date_to", "结束日期不能早于开始日期", "Must not be before date_from.")
    for field, zh, en in paging_problems(page, per_page, MAX_PER_PAGE):
        problems.add(field, zh, en)
    _raise(problems, "The search is not valid: see errors for each field.")
    query = select(RecruitmentEvent).where(RecruitmentEvent.status == "published",
                                           RecruitmentEvent.ends_at > _now(now))
    if kind:
        query = query.where(RecruitmentEvent.kind == kind)
    if district:
        query = query.where(RecruitmentEvent.district == district)
    if date_from:
        query = query.where(RecruitmentEvent.starts_at >= _local_day_start(date_from))
    if date_to:
        query = query.where(RecruitmentEvent.starts_at < _local_day_start(date_to + dt.timedelta(days=1)))
    query = query.order_by(RecruitmentEvent.starts_at, RecruitmentEvent.id)
    return fetch_page(session, query, page, per_page, options=[joinedload(RecruitmentEvent.employer)])


def get_event(session: Session, event_id: int, viewer: User | None = None) -> RecruitmentEvent:
    """One event; a draft only for those who may manage it (404 for anyone else)."""
    event = session.get(RecruitmentEvent, event_id, options=[
        joinedload(RecruitmentEvent.employer), selectinload(RecruitmentEvent.posts).joinedload(EventPost.job)])
    if event is None or (event.status == "draft" and not may_manage(viewer, event)):
        raise NotFound("No such event.")
    return event


def events_managed_by(session: Session, actor: User, *, page: int = 1, per_page: int = 20) -> Page[RecruitmentEvent]:
    """The events an account organises (an officer: every event), newest start first."""
    query = select(RecruitmentEvent).order_by(RecruitmentEvent.starts_at.desc(), RecruitmentEvent.id.desc())
    if not actor.is_officer:
        query = query.join(Employer, Employer.id == RecruitmentEvent.employer_id).where(Employer.owner_id == actor.id)
    return fetch_page(session, query, page, per_page, options=[joinedload(RecruitmentEvent.employer)])


def registration_of(session: Session, user: User, event_id: int) -> EventRegistration | None:
    return session.scalar(select(EventRegistration).where(EventRegistration.event_id == event_id,
                                                          EventRegistration.user_id == user.id))


def registrations_of(session: Session, user: User) -> list[EventRegistration]:
    """A graduate's registrations, the soonest event first (cancelled ones too)."""
    return list(session.scalars(
        select(EventRegistration).join(RecruitmentEvent, RecruitmentEvent.id == EventRegistration.event_id)
        .where(EventRegistration.user_id == user.id)
        .options(joinedload(EventRegistration.event).joinedload(RecruitmentEvent.employer))
        .order_by(RecruitmentEvent.starts_at, EventRegistration.id)
    ))


def attendance_list(session: Session, actor: User, event_id: int) -> tuple[RecruitmentEvent, list[EventRegistration]]:
    event = managed_event(session, actor, event_id)
    rows = list(session.scalars(
        select(EventRegistration).where(EventRegistration.event_id == event.id)
        .options(joinedload(EventRegistration.user)).order_by(EventRegistration.registered_at, EventRegistration.id)
    ))
    return event, rows


@dataclass(frozen=True)
class Attendance:
    registered: int
    checked_in: int

    @property
    def rate(self) -> float | None:
        return self.checked_in / self.registered if self.registered else None


def attendance(session: Session, event_ids: Iterable[int] | None = None) -> dict[int, Attendance]:
    """Per event: graduates registered (not cancelled) and of those, checked in. Events without any registration
    are left out."""
    query = (
        select(EventRegistration.event_id, func.count(),
               func.count(EventRegistration.checked_in_at))
        .where(EventRegistration.status == "registered").group_by(EventRegistration.event_id)
    )
    if event_ids is not None:
        query = query.where(EventRegistration.event_id.in_(list(event_ids)))
    return {event_id: Attendance(registered, checked) for event_id, registered, checked in session.execute(query)}


def applications_per_event(session: Session, event_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Per event: applications to the posts it presented (`recruitment_event_posts`), made by graduates
    registered for it (registration not cancelled). An invitation counts once the graduate accepted it (it then
    has `applied_at`); when the application was made is not looked at (docs/events.md)."""
    from talent.models.hiring import JobApplication

    query = (
        select(EventPost.event_id, func.count())
        .select_from(EventPost)
        .join(EventRegistration, (EventRegistration.event_id == EventPost.event_id)
              & (EventRegistration.status == "registered"))
        .join(JobApplication, (JobApplication.job_id == EventPost.job_id)
              & (JobApplication.applicant_id == EventRegistration.user_id)
              & JobApplication.applied_at.is_not(None))
        .group_by(EventPost.event_id)
    )
    if event_ids is not None:
        query = query.where(EventPost.event_id.in_(list(event_ids)))
    return {event_id: count for event_id, count in session.execute(query)}


# --- registering ---------------------------------------------------------------------------------------------


def _open_for_registration(event: RecruitmentEvent, moment: dt.datetime) -> bool:
    return event.status == "published" and _utc(event.starts_at) > moment


def register(session: Session, actor: User, event_id: int, *, now: dt.datetime | None = None) -> EventRegistration:
    """Take a seat at a published event that has not started. The last seat goes to one graduate only."""
    if actor.role != Role.APPLICANT:
        raise NotAllowed("Only graduates (applicant accounts) register for recruitment events.")
    moment = _now(now)
    event = session.get(RecruitmentEvent, event_id)
    if event is None or event.status == "draft":
        raise NotFound("No such event.")
    if not _open_for_registration(event, moment):
        raise Conflict(names.EVENT_NOT_OPEN)
    existing = session.scalar(
        select(EventRegistration).where(EventRegistration.event_id == event.id, EventRegistration.user_id == actor.id)
        .with_for_update()
    )
    if existing is not None and existing.status == "registered":
        raise Conflict(names.ALREADY_REGISTERED)
    # The seat: one conditional UPDATE, the transaction's first write (PostgreSQL re-checks the condition on the
    # row another transaction just changed; SQLite runs one writer at a time).
    taken = session.execute(
        update(RecruitmentEvent)
        .where(RecruitmentEvent.id == event.id, RecruitmentEvent.status == "published",
               RecruitmentEvent.registered_count < RecruitmentEvent.capacity)
        .values(registered_count=RecruitmentEvent.registered_count + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        session.refresh(event)
        raise Conflict(names.EVENT_FULL if event.status == "published" else names.EVENT_NOT_OPEN)
    if existing is not None:
        before = existing.snapshot()
        existing.status = "registered"
        existing.registered_at = moment
        existing.cancelled_at = None
        existing.checked_in_at = None
        existing.checked_in_by_id = None
        registration = existing
    else:
        before = None
        registration = EventRegistration(event_id=event.id, user_id=actor.id, status="registered",
                                         ticket_nonce=secrets.token_urlsafe(12), registered_at=moment)
        try:
            with session.begin_nested():
                session.add(registration)
                session.flush()
        except IntegrityError as exc:  # the same graduate registering twice at once
            raise Conflict(names.ALREADY_REGISTERED) from exc
    session.refresh(event)
    record_event(session, actor=actor, action="event_registration.created", entity_type="event_registration",
                 entity_id=registration.id, before=before, after=registration.snapshot())
    session.flush()
    return registration


def cancel_registration(session: Session, actor: User, event_id: int,
                        *, now: dt.datetime | None = None) -> EventRegistration:
    """Give the seat back (until the event starts); the ticket stops working."""
    moment = _now(now)
    registration = session.scalar(
        select(EventRegistration).where(EventRegistration.event_id == event_id, EventRegistration.user_id == actor.id)
        .with_for_update()
    )
    if registration is None:
        if session.get(RecruitmentEvent, event_id) is None:
            raise NotFound("No such event.")
        raise NotFound(names.NOT_REGISTERED)
    if registration.status != "registered":
        raise Conflict(names.NOT_REGISTERED)
    event = registration.event
    if _utc(event.starts_at) <= moment and event.status != "cancelled":
        raise Conflict(names.REGISTRATION_CLOSED)
    before = registration.snapshot()
    registration.status = "cancelled"
    registration.cancelled_at = moment
    session.execute(
        update(RecruitmentEvent).where(RecruitmentEvent.id == event.id, RecruitmentEvent.registered_count > 0)
        .values(registered_count=RecruitmentEvent.registered_count - 1).execution_options(synchronize_session=False)
    )
    session.refresh(event)
    record_event(session, actor=actor, action="event_registration.cancelled", entity_type="event_registration",
                 entity_id=registration.id, before=before, after=registration.snapshot())
    session.flush()
    return registration


# --- tickets and check-in ---------------------------------------------------------------------------------------


def _secret(secret: str | None) -> bytes:
    if secret is None:
        from flask import current_app

        secret = current_app.config["SECRET_KEY"]
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def _base36(number: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while True:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
        if not number:
            return text


def _signature(secret: bytes, registration_id: int, event_id: int, nonce: str) -> str:
    message = f"{TICKET_SALT}:{registration_id}:{event_id}:{nonce}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:TICKET_SIGNATURE_CHARS]


def ticket_code(registration: EventRegistration, secret: str | None = None) -> str:
    """The text of the registration's QR code, short enough to type: the registration id in base 36, "-", and
    the first 12 base-32 characters (60 bits) of HMAC-SHA256 with the app's secret key over
    `talent.event-ticket:{registration id}:{event id}:{the registration's random nonce}`, e.g. `1F-K7QX2M4PLA9BZ`
    (upper case: QR alphanumeric mode). The id alone is never enough: a code cannot be made without the key."""
    signature = _signature(_secret(secret), registration.id, registration.event_id, registration.ticket_nonce)
    return f"{_base36(registration.id)}-{signature}"


class CheckInRefused(ServiceError):
    """A ticket that does not check in: `outcome` is one of talent.names.events.CHECK_IN."""

    def __init__(self, outcome: str, status: int, field: str | None = "code", **params: Any) -> None:
        self.outcome = outcome
        self.params = params
        self.status = status
        super().__init__(self.text("en"), {field: [self.text("en")]} if field else None)

    def text(self, language: str) -> str:
        return names.CHECK_IN[self.outcome]["en" if language == "en" else "zh"].format(**self.params)


@dataclass(frozen=True)
class CheckIn:
    registration: EventRegistration

    def text(self, language: str) -> str:
        return names.CHECK_IN["checked_in"]["en" if language == "en" else "zh"].format(
            name=self.registration.user.name)


def check_in(session: Session, actor: User, event_id: int, code: str, *, now: dt.datetime | None = None,
             secret: str | None = None) -> CheckIn:
    """Record that the holder of ticket `code` came to the event; once only. Refuses (CheckInRefused) a forged
    code (422), another event's ticket (422), a cancelled or replaced registration (409), a second scan (409,
    "already checked in at HH:MM"), a cancelled event and a check-in outside its window (409)."""
    event = managed_event(session, actor, event_id)
    moment = _now(now)
    text = (code or "").strip().upper().replace(" ", "")
    registration = None
    head, dash, signature = text.partition("-")
    if dash and head and len(text) <= MAX_TICKET_CODE and len(signature) == TICKET_SIGNATURE_CHARS:
        try:
            registration_id = int(head, 36)
        except ValueError:
            registration_id = None
        if registration_id is not None and is_valid_id(registration_id):
            registration = session.get(EventRegistration, registration_id)
    if registration is None or not hmac.compare_digest(
            signature, _signature(_secret(secret), registration.id, registration.event_id, registration.ticket_nonce)):
        raise CheckInRefused("forged", 422)
    if registration.event_id != event.id:
        raise CheckInRefused("wrong_event", 422)
    if event.status == "cancelled":
        raise CheckInRefused("event_cancelled", 409, field=None)
    if moment < _utc(event.starts_at) - CHECK_IN_OPENS_BEFORE:
        raise CheckInRefused("not_open", 409, field=None)
    if moment > _utc(event.ends_at) + CHECK_IN_CLOSES_AFTER:
        raise Conflict(names.EVENT_OVER)
    if registration.status != "registered":
        raise CheckInRefused("cancelled", 409)
    done = session.execute(
        update(EventRegistration)
        .where(EventRegistration.id == registration.id, EventRegistration.status == "registered",
               EventRegistration.checked_in_at.is_(None))
        .values(checked_in_at=moment, checked_in_by_id=actor.id).execution_options(synchronize_session=False)
    )
    session.refresh(registration)
    if done.rowcount != 1:
        if registration.checked_in_at is not None:
            raise CheckInRefused("already", 409, name=registration.user.name,
                                 time=to_changchun(registration.checked_in_at).strftime("%H:%M"))
        raise CheckInRefused("cancelled", 409)
    record_event(session, actor=actor, action="event_registration.checked_in", entity_type="event_registration",
                 entity_id=registration.id, after=registration.snapshot())
    session.flush()
    return CheckIn(registration)
