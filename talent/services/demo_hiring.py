"""Demo data of hiring (issue 12): a season of applications to the demo posts in every state — invited,
applied, shortlisted, interview, offer, hired, declined (each reason), withdrawn, offer and invitation turned down
— with placements, and placements old enough for the 12-month question with the answers of both sides.

Everything goes through the real services (checks, audit events, notifications, matching feedback); afterwards
the moments of each application are moved back into a past season so that the dates read in workflow order
(applied before shortlisted before interview …) and the older hires are past their 12 months. The demo
applicant (李明远) gets applications in the states a graduate acts on (an invitation, an interview, an offer),
and the demo employer's posts a pipeline. Idempotent: nothing is added when job applications exist.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talent.clock import today_in_changchun
from talent.db import utcnow
from talent.models import Employer, User
from talent.models.hiring import JobApplication, Placement
from talent.models.jobs import EDUCATION_LEVELS, GraduateProfile, Job
from talent.services import hiring, retention
from talent.services.graduates import profile_of

DEMO_SEED = 2026_12
# Target states of the season's applications, with how many of each.
SEASON = {
    "invited": 6, "invitation_declined": 4, "applied": 24, "shortlisted": 14, "interview": 10, "offer": 6,
    "offer_declined": 4, "hired": 24, "declined": 27, "withdrawn": 8,
}
OLD_HIRES = 14  # hires that started 13 to 15 months ago: asked the 12-month question, most answered
DECLINE_REASONS = ("education", "major", "skills", "other_candidate", "interview", "no_show", "other")
PATHS = {
    "invited": [], "invitation_declined": [], "applied": [], "shortlisted": ["shortlisted"],
    "interview": ["shortlisted", "interview"], "offer": ["shortlisted", "interview", "offer"],
    "offer_declined": ["shortlisted", "interview", "offer"], "hired": ["shortlisted", "interview", "offer"],
    "withdrawn": ["shortlisted"], "declined": ["shortlisted", "interview"],
}


def _reaches(profile: GraduateProfile, job: Job) -> bool:
    return EDUCATION_LEVELS.index(profile.education) >= EDUCATION_LEVELS.index(job.min_education)


def _walk(session: Session, job: Job, owner: User, profile: GraduateProfile, graduate: User, target: str,
          rng: random.Random, interview_at: dt.datetime, start: dt.date | None) -> JobApplication:
    if target in ("invited", "invitation_declined") or rng.random() < 0.15:
        application = hiring.invite_candidate(session, owner, job.id, profile.id, message="欢迎投递本岗位。")
        if target == "invited":
            return application
        hiring.answer_invitation(session, graduate, application.id, accept=target != "invitation_declined")
        if target == "invitation_declined":
            return application
    else:
        application = hiring.apply_to_job(session, graduate, job.id, note=None, surface="demo")
    path = PATHS[target]
    if target == "declined":
        path = path[: rng.randint(0, 2)]
    for step in path:
        extra: dict = {}
        if step == "interview":
            extra = {"interview_at": interview_at, "interview_place": f"{job.employer.name} 人力资源部会议室"}
            if rng.random() < 0.3:
                extra = {"interview_at": interview_at, "interview_link": "https://meeting.demo.talent.cc/room/"
                                                                         f"{application.id}"}
        hiring.change_status(session, owner, application.id, step, **extra)
    if target == "hired":
        hiring.change_status(session, owner, application.id, "hired", start_date=start)
    elif target == "offer_declined":
        hiring.answer_offer(session, graduate, application.id, accept=False)
    elif target == "withdrawn":
        hiring.withdraw_application(session, graduate, application.id)
    elif target == "declined":
        reason = DECLINE_REASONS[application.id % len(DECLINE_REASONS)]
        hiring.change_status(session, owner, application.id, "declined", reason=reason,
                             note="感谢关注，期待今后合作。" if reason == "other" else None)
    return application


def _backdate(application: JobApplication, first_day: dt.datetime, rng: random.Random, *,
              keep_interview: bool) -> dt.datetime:
    """Move the application's moments back to a season starting `first_day`, in workflow order."""
    moment = first_day
    stamps = {"invited": "invited_at", "applied": "applied_at", "shortlisted": "shortlisted_at",
              "interview": "interview_set_at", "offer": "offered_at", "hired": "hired_at"}
    application.created_at = moment
    for change in application.changes:
        change.at = moment
        column = stamps.get(change.to_status)
        if column is not None:
            setattr(application, column, moment)
        if change.to_status == "interview" and not keep_interview:
            application.interview_at = moment + dt.timedelta(days=rng.randint(3, 7), hours=rng.choice((1, 2, 5)))
        moment = moment + dt.timedelta(days=rng.randint(3, 12), hours=rng.randint(0, 8))
    last = application.changes[-1].at if application.changes else first_day
    application.updated_at = last
    if application.closed_at is not None:
        application.closed_at = last
    return last


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive UTC datetimes back; PostgreSQL aware ones."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _no_mail_for_fictional_accounts(session: Session) -> None:
    """The fictional demo graduates and organisations have no mailbox: their hiring messages stay in the inbox
    (a preference, as a person would set it), so the seeder does not write hundreds of mails."""
    from talent.models.notifications import NotificationPreference
    from talent.services.notifications import JOB_APPLICATION, JOB_PIPELINE, RETENTION_CHECK

    fictional = list(session.scalars(select(User.id).where(
        User.email.like("%@demo-graduates.talent.cc") | User.email.like("%@demo-employers.talent.cc"))))
    chosen = set(session.execute(select(NotificationPreference.user_id, NotificationPreference.kind)
                                 .where(NotificationPreference.user_id.in_(fictional))).all()) if fictional else set()
    session.add_all([NotificationPreference(user_id=user_id, kind=kind, email=False)
                     for user_id in fictional for kind in (JOB_APPLICATION, JOB_PIPELINE, RETENTION_CHECK)
                     if (user_id, kind) not in chosen])
    session.flush()


def seed(session: Session, users: dict[str, User], employer: Employer) -> None:
    if session.scalar(select(func.count()).select_from(JobApplication)):
        return
    rng = random.Random(DEMO_SEED)
    today = today_in_changchun()
    jobs = [job for job in session.scalars(
        select(Job).where(Job.status == "open").order_by(Job.id)) if job.is_open_on(today) and job.headcount >= 2]
    if not jobs:
        return
    demo_jobs = [job for job in jobs if job.employer_id == employer.id]
    other_jobs = [job for job in jobs if job.employer_id != employer.id]
    profiles = list(session.scalars(
        select(GraduateProfile).join(User, User.id == GraduateProfile.user_id)
        .where(GraduateProfile.consent_to_match.is_(True), User.email.like("%@demo-graduates.talent.cc"))
        .order_by(GraduateProfile.id)))
    if not profiles:
        return
    owners = {e.id: e.owner for e in session.scalars(select(Employer))}
    _no_mail_for_fictional_accounts(session)
    used: set[tuple[int, int]] = set()
    hires_per_job: dict[int, int] = {}
    targets = [state for state, n in SEASON.items() for _ in range(n)]
    rng.shuffle(targets)
    made: list[tuple[JobApplication, str]] = []
    old_hires = 0
    interview_soon = utcnow() + dt.timedelta(days=5)
    pool = demo_jobs * 3 + other_jobs  # the demo employer's posts get a full pipeline
    for target in targets:
        for _attempt in range(40):
            job = pool[rng.randrange(len(pool))]
            profile = profiles[rng.randrange(len(profiles))]
            if (job.id, profile.id) in used or not _reaches(profile, job):
                continue
            if target == "hired" and hires_per_job.get(job.id, 0) + 1 >= job.headcount:
                continue  # leave the posts open (a full post would decline the rest of its pipeline)
            break
        else:
            continue
        used.add((job.id, profile.id))
        start = None
        if target == "hired":
            hires_per_job[job.id] = hires_per_job.get(job.id, 0) + 1
            if old_hires < OLD_HIRES:
                start = today - dt.timedelta(days=395 + 5 * old_hires)
                old_hires += 1
            else:
                start = today - dt.timedelta(days=rng.randint(5, 150))
        graduate = session.get(User, profile.user_id)
        application = _walk(session, job, owners[job.employer_id], profile, graduate, target, rng,
                            interview_soon, start)
        made.append((application, target))

    # The demo applicant's own: an invitation, an interview and an offer on the demo employer's posts.
    applicant = users.get("applicant@demo.talent.cc")
    own = profile_of(session, applicant) if applicant is not None else None
    if own is not None:
        for target, job in zip(("invited", "interview", "offer", "applied"), demo_jobs + other_jobs, strict=False):
            if (job.id, own.id) in used or not _reaches(own, job):
                continue
            used.add((job.id, own.id))
            made.append((_walk(session, job, owners[job.employer_id], own, applicant, target, rng, interview_soon,
                               None), target))
    session.flush()

    # Dates in workflow order: older hires' seasons start before their start date, the rest this season.
    for application, target in made:
        placement = application.placement
        if placement is not None:
            offered = dt.datetime.combine(placement.start_date, dt.time(10), tzinfo=dt.UTC) - dt.timedelta(days=45)
            _backdate(application, offered, rng, keep_interview=False)
            placement.created_at = application.hired_at
        else:
            first = utcnow() - dt.timedelta(days=rng.randint(20, 90))
            _backdate(application, first, rng, keep_interview=target == "interview")
    # A post is developed before anyone applies to it: the posts of the backdated season were opened a few days
    # before their first application (or invitation), so the figures count the places in the year they were
    # developed and the hires of last season on posts of last season.
    first_moment: dict[int, dt.datetime] = {}
    for application, _target in made:
        moment = _aware(application.created_at)
        if application.job_id not in first_moment or moment < first_moment[application.job_id]:
            first_moment[application.job_id] = moment
    for job_id, moment in first_moment.items():
        job = session.get(Job, job_id)
        opened = moment - dt.timedelta(days=rng.randint(3, 10))
        if _aware(job.created_at) > opened:
            job.created_at = opened
    session.flush()

    # The 12-month question for the older hires, and the answers of both sides.
    retention.run_retention_checks(session, today)
    old = list(session.scalars(select(Placement).where(Placement.retention_due_on <= today).order_by(Placement.id)))
    for index, placement in enumerate(old):
        graduate = session.get(User, placement.graduate_id)
        owner = placement.employer.owner
        kind = index % 7
        if kind in (0, 1, 2):
            retention.answer_retention(session, graduate, placement.id, still_in_changchun=True)
        if kind in (1, 3):
            retention.answer_retention(session, owner, placement.id, still_in_changchun=True)
        if kind == 4:
            retention.answer_retention(session, owner, placement.id, still_in_changchun=False)
        if kind == 5:
            retention.answer_retention(session, graduate, placement.id, still_in_changchun=False)
        # kind 6: nobody has answered yet
    session.flush()
