"""Demo recruitment events and training bases for `talent seed-demo` (issue 12), through the real services.

Idempotent: a training base is designated once, its internships posted once, and an event (known by its title) is
made once. Dates are relative to today in Changchun: two events are over (with registrations and check-ins, made
with the services' `now` as of their day), three are coming (with registrations, the demo graduate among them).
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from talent.clock import CHANGCHUN, today_in_changchun
from talent.models import Employer, User
from talent.models.events import RecruitmentEvent
from talent.models.jobs import Job
from talent.services import events, training_bases
from talent.services.demo_jobs import ORGANISATIONS
from talent.services.jobs import open_jobs_condition, post_jobs

DEMO_SEED = 1212
GRADUATE_EMAILS = "graduate%@demo-graduates.talent.cc"

# The second training base: one of the demo organisations (by its serial in demo_jobs.ORGANISATIONS).
SECOND_BASE_SERIAL = 3  # 长春启明光电技术有限公司

INTERNSHIPS = {
    "demo": [
        ("汽车电子实训生（2027届）", "在整车电子实验室参与线束与控制器测试，导师带教，实训期6个月。", "college", 3200, 4200, 20),
        ("智能制造实训生", "参与冲压、焊装产线的数字化改造项目，实训期满表现优秀者可转正。", "bachelor", 3800, 4800, 12),
    ],
    "second": [
        ("光学检测实训生", "学习光学元件检测与装调，使用干涉仪和MTF测试台。", "college", 3000, 4000, 8),
        ("光电软件实训生", "参与光电仪器上位机软件开发（C++/Qt），导师一对一指导。", "bachelor", 4000, 5000, 6),
    ],
}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CHANGCHUN)


def _graduates(session, count: int) -> list[User]:
    return list(session.scalars(select(User).where(User.email.like(GRADUATE_EMAILS)).order_by(User.id).limit(count)))


def _internships(session, owner: User, employer: Employer, which: str) -> None:
    if session.scalar(select(Job.id).where(Job.employer_id == employer.id, Job.kind == "internship")) is not None:
        return
    post_jobs(session, [
        (owner, {"employer_id": employer.id, "kind": "internship", "title": title, "description": description,
                 "min_education": education, "district": employer.district, "salary_min": low, "salary_max": high,
                 "headcount": headcount, "closing_date": today_in_changchun() + dt.timedelta(days=60)})
        for title, description, education, low, high, headcount in INTERNSHIPS[which]
    ])


def _open_posts(session, employer_ids: list[int], limit: int) -> list[int]:
    return list(session.scalars(select(Job.id).where(Job.employer_id.in_(employer_ids), open_jobs_condition())
                                .order_by(Job.id).limit(limit)))


def seed(session, users: dict[str, User], employer: Employer) -> None:
    officer = users["officer@demo.talent.cc"]
    demo_owner = users["employer@demo.talent.cc"]
    today = today_in_changchun()
    rng = random.Random(DEMO_SEED)

    # --- two training bases with internships -------------------------------------------------------------
    second = session.scalar(select(Employer).where(
        Employer.credit_code == next(o for o in ORGANISATIONS if o.serial == SECOND_BASE_SERIAL).credit_code))
    bases = [(employer, demo_owner, "demo", "汽车零部件制造实训基地：整车电子实验室与智能产线，年接收实训生 30 名以上。")]
    if second is not None:
        bases.append((second, second.owner, "second", "光电子信息产业实训基地：与长春理工大学共建光学检测实训室。"))
    for base_employer, owner, which, reason in bases:
        if not base_employer.is_verified:
            continue
        if not training_bases.is_training_base(session, base_employer.id):
            training_bases.designate(session, officer, base_employer.id, reason=reason,
                                     designated_on=today - dt.timedelta(days=120))
        _internships(session, owner, base_employer, which)

    # --- events ------------------------------------------------------------------------------------------
    graduates = _graduates(session, 120)
    applicant = users.get("applicant@demo.talent.cc")
    others = [e.id for e in session.scalars(select(Employer).where(Employer.verified_at.is_not(None))
                                            .order_by(Employer.id).limit(8))]
    plans = [
        # (title, organiser, kind, day offset, hours, place, capacity, posts, registered, checked in)
        ("一汽示范零部件2027届校园宣讲会（吉林大学站）", demo_owner, "campus_talk", -12, (14, 16),
         ("220102", "吉林大学中心校区鼎新楼报告厅", None), 80, _open_posts(session, [employer.id], 4), 34, 26),
        ("长春市秋季高校毕业生专场招聘会", officer, "job_fair", -5, (9, 16),
         ("220104", "长春国际会展中心 B 馆", None), 600, _open_posts(session, others, 12), 70, 48),
        ("一汽示范零部件校园宣讲会（长春理工大学站）", demo_owner, "campus_talk", 5, (14, 16),
         ("220173", "长春理工大学东校区图书馆报告厅", None), 60, _open_posts(session, [employer.id], 3), 14, 0),
        ("长春市高校毕业生线上双选会·智能制造专场", officer, "online_session", 9, (19, 21),
         (None, None, "https://meeting.example.cn/talent/2027-im"), 500, _open_posts(session, others, 6), 25, 0),
        ("长春市冬季人才交流大会", officer, "job_fair", 16, (9, 15),
         ("220104", "长春国际会展中心 A 馆", None), 1500, _open_posts(session, others, 10), 8, 0),
    ]
    for title, organiser, kind, offset, (start_hour, end_hour), (district, venue, url), capacity, posts, \
            registered, checked in plans:
        if session.scalar(select(RecruitmentEvent.id).where(RecruitmentEvent.title == title)) is not None:
            continue
        day = today + dt.timedelta(days=offset)
        starts, ends = _at(day, start_hour), _at(day, end_hour)
        # Made (and registered for) as of a time before it starts, checked in during it: the services' clocks.
        made_at = min(starts - dt.timedelta(days=20), dt.datetime.now(CHANGCHUN))
        event = events.create_event(
            session, organiser, kind=kind, title=title, starts_at=starts, ends_at=ends, district=district,
            venue=venue, online_url=url, capacity=capacity, job_ids=posts, now=made_at,
            description="欢迎长春市及在长高校应届毕业生参加。现场（线上）介绍岗位、解答政策，凭报名二维码入场。",
        )
        people = list(graduates)
        rng.shuffle(people)
        people = people[:registered]
        if applicant is not None and offset > 0 and kind != "job_fair":
            people = [applicant, *people[: max(0, registered - 1)]]
        registrations = [
            events.register(session, person, event.id, now=made_at + dt.timedelta(hours=1 + n))
            for n, person in enumerate(people)
        ]
        for n, registration in enumerate(registrations[:checked]):
            events.check_in(session, organiser, event.id, events.ticket_code(registration),
                            now=starts + dt.timedelta(minutes=n % 50))
    session.flush()
