"""Notifications: a message in the person's in-site inbox and, if they want it, an e-mail.

`notify(session, user, kind, ...)` is the one entry point. It adds an inbox row in the caller's transaction; the
row doubles as the mail outbox (`mail_status = pending`). The mail leaves only after that transaction commits
(`after_commit` below): a rolled-back change leaves neither an inbox row nor a mail. Each mail is claimed
(pending → sending) in its own small transaction before it is sent, so two processes never send it twice.

The services call the helpers below where the events happen: `case_changed` from `workflow.apply_transition`
(every change of state, and the employer's endorsement request), `objection_filed` from
`publicity.file_objection`. Payment-due and deadline-near reminders are periodic: `send_reminders` (run by
`talent notifications send-reminders --as-of DATE`), each reminder once per person and subject.

Texts are kept here in both languages (the inbox shows the page's language; a mail carries both).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from talent.db import utcnow
from talent.models import Role, User
from talent.models.applications import Application
from talent.models.notifications import (
    MAIL_FAILED,
    MAIL_OFF,
    MAIL_PENDING,
    MAIL_SENDING,
    MAIL_SENT,
    Notification,
    NotificationPreference,
)
from talent.services import InvalidInput
from talent.services.audit import record_event

log = logging.getLogger("talent.notifications")

CASE_STATUS = "case_status"
ENDORSEMENT_REQUESTED = "endorsement_requested"
OBJECTION_FILED = "objection_filed"
PAYMENT_DUE = "payment_due"
DEADLINE_NEAR = "deadline_near"
RECRUITMENT_EVENT = "recruitment_event"  # issue 12: an event one registered for is cancelled or moved
# Issue 12 (services.hiring, services.retention): job applications, the employer's pipeline, the 12-month check.
JOB_APPLICATION = "job_application"
JOB_PIPELINE = "job_pipeline"
RETENTION_CHECK = "retention_check"

# kind: (zh, en) name, as shown on the preferences page.
KINDS: dict[str, tuple[str, str]] = {
    CASE_STATUS: ("申请状态变化", "My application changes state"),
    ENDORSEMENT_REQUESTED: ("需要单位确认的申请", "An application asks my organisation to endorse it"),
    OBJECTION_FILED: ("公示期间收到异议", "An objection is filed during public notice"),
    PAYMENT_DUE: ("补贴即将发放", "A subsidy instalment is due"),
    DEADLINE_NEAR: ("办理时限临近", "A deadline is near"),
    RECRUITMENT_EVENT: ("报名的招聘活动取消或变更", "A recruitment event I registered for is cancelled or changed"),
    JOB_APPLICATION: ("我投递的岗位有进展", "My job applications move on"),
    JOB_PIPELINE: ("本单位岗位收到投递或答复", "Applications and answers to my organisation's posts"),
    RETENTION_CHECK: ("入职满12个月的留长确认", "The 12-month check of a hire"),
}
# Which kinds can reach a person of each role (the preferences page offers only these).
KINDS_BY_ROLE: dict[str, tuple[str, ...]] = {
    Role.APPLICANT.value: (CASE_STATUS, OBJECTION_FILED, PAYMENT_DUE, RECRUITMENT_EVENT, JOB_APPLICATION,
                           RETENTION_CHECK),
    Role.EMPLOYER.value: (ENDORSEMENT_REQUESTED, DEADLINE_NEAR, JOB_PIPELINE, RETENTION_CHECK),
    Role.OFFICER.value: (OBJECTION_FILED, DEADLINE_NEAR),
    Role.ADMIN.value: (OBJECTION_FILED, DEADLINE_NEAR),
}

# Reminders: an instalment due within this many calendar days; a service clock with this many working days
# left or fewer (the same threshold that highlights a case in the queue).
PAYMENT_NOTICE_DAYS = 7

_TEXTS: dict[str, tuple[str, str]] = {
    "case_status": ("申请 {number}：{action}。当前状态：{status}。",
                    "Application {number}: {action_en}. Now: {status_en}."),
    "endorsement_requested": ("{applicant} 提交了人才认定申请 {number}，请在 {due} 前确认其在职情况。",
                              "{applicant} has applied ({number}); please confirm their employment by {due}."),
    "objection_filed.owner": ("您正在公示的申请 {number} 收到一条异议，审核人员将予以核查。",
                              "An objection was filed against your application {number} during its public notice; "
                              "an officer will examine it."),
    "objection_filed.officer": ("申请 {number} 收到一条公示异议，等待处理。",
                                "An objection to application {number} is waiting for a decision."),
    "payment_due": ("申请 {number} 第 {sequence} 期补贴 ¥{amount:,} 将于 {due} 发放。",
                    "Instalment {sequence} of application {number}, ¥{amount:,}, is due on {due}."),
    "deadline_near.endorsement": ("申请 {number} 的单位确认时限为 {due}，还剩 {left} 个工作日。",
                                  "The employer's endorsement of application {number} is due on {due} "
                                  "({left} working days left)."),
    "deadline_near.review": ("申请 {number} 的审核时限为 {due}，还剩 {left} 个工作日。",
                             "The review of application {number} is due on {due} ({left} working days left)."),
    "recruitment_event.cancelled": ("您报名的活动“{title}”（{starts}）已取消。原因：{reason}",
                                    "The event you registered for, \"{title}\" ({starts}), is cancelled. "
                                    "Reason: {reason}"),
    "recruitment_event.changed": ("您报名的活动“{title}”时间或地点有变：现为 {starts}，{place}。",
                                  "The event you registered for, \"{title}\", has moved: now {starts}, {place}."),
    # Issue 12: hiring (services.hiring) and retention (services.retention).
    "job_application.status": ("您投递的岗位“{job}”（{employer}）：{status}。{detail}",
                               "Your application to “{job}” ({employer}): {status_en}. {detail_en}"),
    "job_application.invited": ("{employer} 邀请您投递岗位“{job}”。请在“我的投递”中接受或婉拒。",
                                "{employer} invites you to apply to “{job}”. Accept or turn it down under "
                                "My job applications."),
    "job_pipeline.applied": ("{applicant} 投递了岗位“{job}”。", "{applicant} applied to “{job}”."),
    "job_pipeline.withdrawn": ("{applicant} 撤回了对岗位“{job}”的投递。",
                               "{applicant} withdrew their application to “{job}”."),
    "job_pipeline.invitation_accepted": ("{applicant} 接受了岗位“{job}”的投递邀请。",
                                         "{applicant} accepted the invitation to apply to “{job}”."),
    "job_pipeline.invitation_declined": ("{applicant} 婉拒了岗位“{job}”的投递邀请。",
                                         "{applicant} turned down the invitation to apply to “{job}”."),
    "job_pipeline.offer_accepted": ("{applicant} 接受了岗位“{job}”的录用通知，入职日期 {start}。",
                                    "{applicant} accepted the offer for “{job}”; start date {start}."),
    "job_pipeline.offer_declined": ("{applicant} 婉拒了岗位“{job}”的录用通知。",
                                    "{applicant} turned down the offer for “{job}”."),
    "job_pipeline.filled": ("岗位“{job}”的 {headcount} 个名额已全部录满，岗位已自动关闭。",
                            "All {headcount} places of “{job}” are filled; the post has been closed."),
    "retention_check.graduate": ("您于 {start} 入职{employer}（{job}）已满12个月。请确认您目前是否仍在长春工作。",
                                 "You started at {employer} ({job}) on {start}, 12 months ago. Please tell us "
                                 "whether you still work in Changchun."),
    "retention_check.employer": ("{graduate} 于 {start} 入职本单位岗位“{job}”已满12个月。请确认其是否仍在长春工作。",
                                 "{graduate} started in your post “{job}” on {start}, 12 months ago. Please tell "
                                 "us whether they still work in Changchun."),
    "retention_check.answered": ("{side}确认：{graduate}（{employer}，{job}）{answer}。",
                                 "{side_en} answered: {graduate} ({employer}, {job}) {answer_en}."),
}
_SUBJECTS: dict[str, tuple[str, str]] = {
    CASE_STATUS: ("申请状态更新", "Application update"),
    ENDORSEMENT_REQUESTED: ("请确认职工的人才认定申请", "Please endorse an application"),
    OBJECTION_FILED: ("公示异议", "Objection during public notice"),
    PAYMENT_DUE: ("补贴发放提醒", "Subsidy instalment due"),
    DEADLINE_NEAR: ("办理时限提醒", "Deadline reminder"),
    RECRUITMENT_EVENT: ("招聘活动变更", "Recruitment event update"),
    JOB_APPLICATION: ("岗位投递进展", "Job application update"),
    JOB_PIPELINE: ("岗位投递动态", "Your posts' applications"),
    RETENTION_CHECK: ("入职满12个月确认", "12 months after the start"),
}


def message(notification: Notification, language: str) -> str:
    """The notification's text in `language` ("zh" or "en")."""
    params = notification.params or {}
    texts = _TEXTS.get(params.get("text", notification.kind))
    if texts is None:
        return notification.kind
    try:
        return texts[1 if language == "en" else 0].format(**params)
    except (KeyError, ValueError, IndexError):
        return texts[1 if language == "en" else 0]


def subject(kind: str, language: str) -> str:
    return _SUBJECTS.get(kind, (kind, kind))[1 if language == "en" else 0]


# --- the entry point ------------------------------------------------------------------------------------------

def wants_mail(session: Session, user: User, kind: str) -> bool:
    choice = session.get(NotificationPreference, (user.id, kind))
    return True if choice is None else bool(choice.email)


def notify(
    session: Session,
    user: User,
    kind: str,
    *,
    application: Application | None = None,
    params: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> Notification | None:
    """Put a message in `user`'s inbox (and queue its mail for after commit). With `dedupe_key`, a second
    message with the same key to the same person is not created (returns None)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if dedupe_key is not None and session.scalar(
        select(Notification.id).where(Notification.user_id == user.id, Notification.dedupe_key == dedupe_key)
    ):
        return None
    mail = user.is_active and bool(user.email) and wants_mail(session, user, kind)
    notification = Notification(
        user_id=user.id, kind=kind, application_id=application.id if application is not None else None,
        params=params or {}, mail_status=MAIL_PENDING if mail else MAIL_OFF, dedupe_key=dedupe_key,
    )
    session.add(notification)
    session.flush()
    if mail:
        session.info.setdefault(_PENDING_KEY, []).append(notification.id)
    return notification


# --- the events -----------------------------------------------------------------------------------------------

def _case_params(application: Application) -> dict[str, Any]:
    return {"number": application.number, "application_id": application.id}


def case_changed(session: Session, application: Application, action: str, actor: User | None) -> None:
    """Called by `workflow.apply_transition`: the applicant hears of every change they did not make themselves;
    a case that now waits for the employer asks the employer's account to endorse it."""
    from talent.services.workflow import ACTION_LABELS, STATUS_LABELS, Status

    status_zh, status_en = STATUS_LABELS.get(application.status, (application.status, application.status))
    action_zh, action_en = ACTION_LABELS.get(action, (action, action))
    owner = session.get(User, application.owner_id)
    if owner is not None and (actor is None or actor.id != owner.id):
        notify(session, owner, CASE_STATUS, application=application, params={
            **_case_params(application), "action": action_zh, "action_en": action_en,
            "status": status_zh, "status_en": status_en, "status_code": str(application.status),
        })
    if application.status == Status.AWAITING_ENDORSEMENT:
        employer_account = application.employer.owner if application.employer is not None else None
        if employer_account is not None:
            notify(session, employer_account, ENDORSEMENT_REQUESTED, application=application, params={
                **_case_params(application), "applicant": owner.name if owner else "",
                "due": application.endorsement_due_on.isoformat() if application.endorsement_due_on else "—",
            })


def _officers(session: Session) -> list[User]:
    return list(session.scalars(
        select(User).where(User.role.in_([Role.OFFICER, Role.ADMIN]), User.is_active.is_(True)).order_by(User.id)
    ))


def objection_filed(session: Session, application: Application, author: User) -> None:
    """Called by `publicity.file_objection`: the applicant and every officer (except the objector) hear of it.
    The objection's text is not repeated (an officer reads it on the case page)."""
    params = _case_params(application)
    owner = session.get(User, application.owner_id)
    if owner is not None and owner.id != author.id:
        notify(session, owner, OBJECTION_FILED, application=application,
               params={**params, "text": "objection_filed.owner"})
    for officer in _officers(session):
        if officer.id not in (author.id, application.owner_id):
            notify(session, officer, OBJECTION_FILED, application=application,
                   params={**params, "text": "objection_filed.officer"})


# --- periodic reminders ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReminderCounts:
    payment_due: int
    deadline_near: int


def send_reminders(session: Session, as_of: date) -> ReminderCounts:
    """Reminders due on `as_of`: instalments due within PAYMENT_NOTICE_DAYS (to the applicant), and service
    clocks about to run out (endorsement: the employer's account; review: every officer). Each reminder goes
    once per person and subject, so running this daily (or twice) repeats nothing."""
    from talent.models.cards import INSTALMENT_DUE, Instalment
    from talent.services.workflow import DUE_SOON_WORKING_DAYS, Status, service_clock

    payments = 0
    instalments = session.scalars(
        select(Instalment).join(Application)
        .where(Instalment.status == INSTALMENT_DUE, Instalment.due_on >= as_of,
               Instalment.due_on <= as_of + timedelta(days=PAYMENT_NOTICE_DAYS),
               Application.status == Status.GRANTED)
        .order_by(Instalment.due_on, Instalment.id)
    )
    for instalment in instalments:
        application = instalment.application
        owner = session.get(User, application.owner_id)
        if owner is None:
            continue
        made = notify(session, owner, PAYMENT_DUE, application=application, params={
            **_case_params(application), "sequence": instalment.sequence, "amount": instalment.amount,
            "due": instalment.due_on.isoformat(),
        }, dedupe_key=f"payment_due:instalment:{instalment.id}")
        payments += made is not None

    deadlines = 0
    officers: list[User] | None = None
    running = session.scalars(
        select(Application)
        .where(Application.status.in_([Status.AWAITING_ENDORSEMENT, Status.IN_REVIEW, Status.AWAITING_CONFIRMATION]))
        .order_by(Application.id)
    )
    for application in running:
        clock = service_clock(application, as_of)
        if clock.due_on is None or clock.working_days_left is None or clock.due_on < as_of:
            continue
        if clock.working_days_left > DUE_SOON_WORKING_DAYS:
            continue
        params = {**_case_params(application), "text": f"deadline_near.{clock.kind}",
                  "due": clock.due_on.isoformat(), "left": clock.working_days_left}
        key = f"deadline_near:{clock.kind}:{application.id}:{clock.due_on.isoformat()}"
        if clock.kind == "endorsement":
            recipients = [application.employer.owner] if application.employer is not None else []
        else:
            officers = officers if officers is not None else _officers(session)
            recipients = [o for o in officers if o.id != application.owner_id]
        for person in recipients:
            made = notify(session, person, DEADLINE_NEAR, application=application, params=params, dedupe_key=key)
            deadlines += made is not None
    return ReminderCounts(payment_due=payments, deadline_near=deadlines)


# --- the inbox ----------------------------------------------------------------------------------------------------

def unread_count(session: Session, user: User) -> int:
    return session.scalar(
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def inbox(session: Session, user: User, *, page: int = 1, per_page: int = 30) -> tuple[list[Notification], int]:
    total = session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == user.id))
    rows = session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total or 0


def mark_read(session: Session, user: User, notification_id: int | None = None) -> int:
    """Mark one of `user`'s messages (or, without an id, all of them) read; returns how many changed. Another
    person's message is left alone (0), never revealed."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = session.execute(query.values(read_at=utcnow()).execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def preferences(session: Session, user: User) -> dict[str, bool]:
    """The kinds that can reach this person, each with whether it also comes by mail."""
    kinds = KINDS_BY_ROLE.get(getattr(user.role, "value", user.role), tuple(KINDS))
    return {kind: wants_mail(session, user, kind) for kind in kinds}


def set_preferences(session: Session, user: User, email: dict[str, bool]) -> dict[str, bool]:
    """Record which kinds come by mail (with an audit event). Unknown kinds are refused (422)."""
    allowed = KINDS_BY_ROLE.get(getattr(user.role, "value", user.role), tuple(KINDS))
    unknown = sorted(set(email) - set(allowed))
    if unknown:
        raise InvalidInput("Unknown kind of notification.", {"email": [f"Not a choice: {', '.join(unknown)}."]})
    before = preferences(session, user)
    for kind in allowed:
        wanted = bool(email.get(kind, False))
        choice = session.get(NotificationPreference, (user.id, kind))
        if choice is None:
            session.add(NotificationPreference(user_id=user.id, kind=kind, email=wanted))
        else:
            choice.email = wanted
    session.flush()
    after = preferences(session, user)
    if after != before:
        record_event(session, actor=user, action="notifications.preferences_changed", entity_type="user",
                     entity_id=user.id, before={"email": before}, after={"email": after})
        session.flush()
    return after


# --- mail after commit ------------------------------------------------------------------------------------------

_PENDING_KEY = "talent.notifications.pending_mail"


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    # after_commit also fires when a savepoint is released (the savepoint is still current then): the outer
    # transaction has not committed, and a mail sent now could be for a change that is still rolled back (and,
    # on SQLite, would wait for the outer transaction's write lock)
    if session.get_nested_transaction() is not None:
        return
    ids = session.info.pop(_PENDING_KEY, None)
    if ids:
        try:
            deliver(ids)
        except Exception:  # the change is committed; a mail problem must not turn it into an error
            log.exception("notification mail could not be delivered; left for the next reminder run")


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction: Any) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING_KEY, None)


def deliver(ids: list[int] | None = None) -> int:
    """Send the pending mails (those of `ids`, or all pending ones), each claimed in its own transaction.
    Needs the application context (the mailer's configuration). Returns how many were sent."""
    from flask import current_app, has_app_context

    from talent.mail import send_mail

    if not has_app_context():
        log.warning("notification mail left pending: no application context")
        return 0
    factory = current_app.extensions["talent.db"]
    base = _site_address()
    sent = 0
    with factory() as session:
        if ids is None:
            ids = list(session.scalars(select(Notification.id).where(Notification.mail_status == MAIL_PENDING)))
        for notification_id in ids:
            claimed = session.execute(
                update(Notification)
                .where(Notification.id == notification_id, Notification.mail_status == MAIL_PENDING)
                .values(mail_status=MAIL_SENDING)
            )
            session.commit()
            if claimed.rowcount != 1:  # rolled back with a savepoint, or another process has it
                continue
            notification = session.get(Notification, notification_id)
            user = notification.user
            text = f"{message(notification, 'zh')}\n\n{message(notification, 'en')}\n"
            if base:
                text += f"\n站内消息 / Inbox: {base}/notifications/\n"
            title = f"{subject(notification.kind, 'zh')} / {subject(notification.kind, 'en')}"
            try:
                send_mail(user.email, title, text)
            except Exception:  # a mail server that is down must not lose the inbox row; retried later
                log.exception("mail for notification %s failed", notification_id)
                notification.mail_status = MAIL_FAILED
            else:
                notification.mail_status = MAIL_SENT
                notification.mailed_at = utcnow()
                sent += 1
            session.commit()
    return sent


def _site_address() -> str | None:
    """The site's address for links in mails: PUBLIC_BASE_URL, else the current request's host, else none."""
    from flask import current_app, has_request_context, request

    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return None


def retry_failed(session: Session) -> int:
    """Put failed mails, and pending ones a crash left behind, back in the queue (sent after the caller
    commits)."""
    queued = set(session.info.get(_PENDING_KEY, []))  # this transaction's own, sent after it anyway
    ids = [notification_id for notification_id in session.scalars(select(Notification.id).where(
        Notification.mail_status.in_([MAIL_FAILED, MAIL_PENDING]))) if notification_id not in queued]
    if ids:
        session.execute(update(Notification).where(Notification.id.in_(ids)).values(mail_status=MAIL_PENDING)
                        .execution_options(synchronize_session=False))
        session.info.setdefault(_PENDING_KEY, []).extend(ids)
    return len(ids)
