"""Demo data of the jobs area: fictional Changchun employers with a few hundred graduate positions, and
about two hundred graduate profiles (most of them consenting), plus a profile for the demo applicant so that
"my matches" shows results at once.

Everything goes through the real services (validation, audit events). Idempotent: an organisation,
account or profile that exists already is left alone, and its posts are not added again.

The fictional employers and graduates get accounts that cannot sign in (no password): they exist so that
their posts and profiles have an owner, not to be used.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talent.clock import today_in_changchun
from talent.codes import CREDIT_CODE_ALPHABET, credit_code_check, organisation_code_check
from talent.models import Employer, Role, User
from talent.models.jobs import GraduateProfile, Job
from talent.services.accounts import create_user
from talent.services.employers import employer_by_credit_code, register_employer, verify_employer
from talent.services.graduates import (
    check_profile_values,
    create_graduate_profiles,
    profile_of,
    save_graduate_profile,
)
from talent.services.jobs import close_job, post_jobs
from talent.services.occupations import suggest_many

DEMO_JOB_COUNT = 300
DEMO_GRADUATE_COUNT = 200
DEMO_SEED = 2026
DEMO_EMPLOYER_POSTS = 8  # automotive posts that belong to the demo employer account's organisation


@dataclass(frozen=True)
class DemoOrganisation:
    sector: str
    name: str
    district: str
    kind: str
    contact: str
    serial: int  # makes the credit code

    @property
    def credit_code(self) -> str:
        return demo_credit_code(self.kind, self.district, self.serial)

    @property
    def email(self) -> str:
        return f"hr{self.serial:02d}@demo-employers.talent.cc"


# Fictional organisations in the style of the city's industries (docs/policy.md §A.5).
ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation("automotive", "长春北辰汽车研究院有限公司", "220174", "enterprise", "周立新", 1),
    DemoOrganisation("automotive", "长春恒信汽车零部件有限公司", "220171", "enterprise", "吴晓峰", 2),
    DemoOrganisation("optics", "长春启明光电技术有限公司", "220173", "enterprise", "郑文博", 3),
    DemoOrganisation("optics", "吉林光华精密仪器有限公司", "220172", "enterprise", "冯雪梅", 4),
    DemoOrganisation("biomedicine", "长春博远生物制品有限责任公司", "220173", "enterprise", "陈思远", 5),
    DemoOrganisation("biomedicine", "吉林瑞祥药业股份有限公司", "220172", "enterprise", "褚红霞", 6),
    DemoOrganisation("rail", "长春鼎盛轨道客车装备有限公司", "220106", "enterprise", "卫国庆", 7),
    DemoOrganisation("agriculture", "吉林润泽农业科技有限公司", "220122", "enterprise", "蒋玉兰", 8),
    DemoOrganisation("agriculture", "长春嘉禾食品有限公司", "220183", "enterprise", "沈建华", 9),
    DemoOrganisation("software", "长春联创软件技术有限公司", "220173", "enterprise", "韩宇航", 10),
    DemoOrganisation("software", "吉林睿智数据科技有限公司", "220172", "enterprise", "杨帆", 11),
    DemoOrganisation("education", "长春市新航实验学校", "220104", "public_institution", "朱丽娟", 12),
    DemoOrganisation("education", "长春天成职业技术学院", "220172", "public_institution", "秦志刚", 13),
    DemoOrganisation("health", "长春光华中西医结合医院", "220102", "public_institution", "尤美玲", 14),
    DemoOrganisation("health", "吉林长融健康管理有限公司", "220105", "enterprise", "许晨", 15),
    DemoOrganisation("finance", "吉林合众财产保险股份有限公司", "220104", "enterprise", "何静", 16),
    DemoOrganisation("public_service", "长春市宽城区社区服务示范中心", "220103", "government", "吕振华", 17),
    DemoOrganisation("energy", "长春远航新能源有限公司", "220171", "enterprise", "施海涛", 18),
    DemoOrganisation("manufacturing", "长春亿达装备制造有限公司", "220113", "enterprise", "张国强", 19),
    DemoOrganisation("media", "吉林东方文化传媒有限公司", "220104", "enterprise", "孔令仪", 20),
    DemoOrganisation("materials", "长春中研新材料有限公司", "220173", "enterprise", "曹宏伟", 21),
)

_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "子涵欣怡梓萱浩宇一诺雨泽思远佳琪俊杰晨曦嘉怡明轩雅静志强文博天佑若曦宇航静怡建华丽娜海峰晓东春雨秋实冬梅"
_GRADUATION_DATES = (dt.date(2024, 6, 30), dt.date(2025, 6, 30), dt.date(2026, 6, 30), dt.date(2027, 6, 30))

# The demo applicant (applicant@demo.talent.cc, 李明远) is a vehicle-engineering graduate.
DEMO_APPLICANT_PROFILE = {
    "major": "车辆工程",
    "major_code": "080207",
    "education": "bachelor",
    "graduation_date": dt.date(2026, 6, 30),
    "skills": ["CATIA", "UG NX", "MATLAB", "英语六级"],
    "preferred_districts": ["220174", "220171"],
    "expected_salary": 7000,
    "consent_to_match": True,
}


def demo_credit_code(kind: str, district: str, serial: int) -> str:
    """A fictional unified social credit code that passes the GB 32100 and GB 11714 checks."""
    authority = {"enterprise": "91", "public_institution": "12", "government": "11"}[kind]
    body = f"MA{serial:06d}"
    organisation = body + organisation_code_check(body)
    first17 = authority + district + organisation
    assert all(c in CREDIT_CODE_ALPHABET for c in first17)
    return first17 + credit_code_check(first17)


def _accounts_without_password(session: Session, people: list[tuple[str, str]], role: Role) -> dict[str, User]:
    """The accounts of `people` (email, name), by email; the missing ones are created by
    `accounts.create_user` without a password, so that they cannot sign in."""
    emails = [email for email, _name in people]
    found = {user.email: user for user in session.scalars(select(User).where(User.email.in_(emails)))}
    for email, name in people:
        if email not in found:
            found[email] = create_user(session, email=email, password=None, name=name, role=role)
    return found


def _organisation(
    session: Session, organisation: DemoOrganisation, owner: User, officer: User
) -> tuple[Employer, User, bool]:
    employer = employer_by_credit_code(session, organisation.credit_code)
    created = employer is None
    if employer is None:
        employer = register_employer(
            session, owner, name=organisation.name, credit_code=organisation.credit_code,
            district=organisation.district, kind=organisation.kind,
        )
        verify_employer(session, officer, employer.id)
    return employer, owner, created


def _closing_dates(rng: random.Random, today: dt.date) -> Iterator[dt.date | None]:
    while True:
        yield None if rng.random() < 0.25 else today + dt.timedelta(days=rng.randint(14, 120))


def seed(session: Session, users: dict[str, User], employer: Employer) -> None:
    from talent.scoring.demo import demo_graduates, demo_jobs

    officer = users["officer@demo.talent.cc"]
    rng = random.Random(DEMO_SEED)
    today = today_in_changchun()
    closing_dates = _closing_dates(rng, today)

    owners = _accounts_without_password(session, [(o.email, o.contact) for o in ORGANISATIONS], Role.EMPLOYER)
    by_sector: dict[str, list[tuple[Employer, User, bool]]] = {}
    for organisation in ORGANISATIONS:
        by_sector.setdefault(organisation.sector, []).append(
            _organisation(session, organisation, owners[organisation.email], officer)
        )
    demo_owner = users["employer@demo.talent.cc"]
    demo_has_posts = bool(session.scalar(select(func.count(Job.id)).where(Job.employer_id == employer.id)))
    demo_posts_left = 0 if demo_has_posts or not employer.is_verified else DEMO_EMPLOYER_POSTS

    turn: dict[str, int] = {}
    postings: list[tuple[User, dict]] = []
    for record in demo_jobs(DEMO_JOB_COUNT, DEMO_SEED):
        sector = record["sector"] if record["sector"] in by_sector else "manufacturing"
        if sector == "automotive" and demo_posts_left:
            owner_employer, owner, post_now = employer, demo_owner, True
            demo_posts_left -= 1
        else:
            choices = by_sector[sector]
            owner_employer, owner, post_now = choices[turn.get(sector, 0) % len(choices)]
            turn[sector] = turn.get(sector, 0) + 1
        closing_date = next(closing_dates)
        if not post_now:
            continue  # the organisation existed: its posts were seeded before
        postings.append((owner, {
            "employer_id": owner_employer.id,
            "title": record["title"],
            "description": record["description"].replace(record["employer"], owner_employer.name),
            "min_education": record["min_education"],
            "district": record["district"],
            "salary_min": record["salary_min"],
            "salary_max": record["salary_max"],
            "headcount": record["headcount"],
            "closing_date": closing_date,
        }))
    if postings:
        # The seeder plays the employers: it takes the platform's best CSCO-2022 suggestion for each post and
        # confirms it (a real employer chooses on the job form or with PATCH occupation_code).
        suggestions = suggest_many([fields["title"] for _owner, fields in postings],
                                   [fields["description"] for _owner, fields in postings], top=1)
        for (_owner, fields), found in zip(postings, suggestions, strict=True):
            if found:
                fields["occupation_code"] = found[0].code
        jobs = post_jobs(session, postings)
        # A few filled posts, so that lists show closed ones too.
        for (owner, _fields), job in zip(postings, jobs, strict=True):
            if rng.random() < 0.04:
                close_job(session, owner, job.id)

    graduates = demo_graduates(DEMO_GRADUATE_COUNT, DEMO_SEED)
    people = [
        (f"graduate{number:03d}@demo-graduates.talent.cc",
         rng.choice(_SURNAMES) + "".join(rng.sample(_GIVEN, rng.choice((1, 2)))))
        for number in range(1, len(graduates) + 1)
    ]
    accounts = _accounts_without_password(session, people, Role.APPLICANT)
    with_profile = set(
        session.scalars(
            select(GraduateProfile.user_id).where(GraduateProfile.user_id.in_([u.id for u in accounts.values()]))
        )
    )
    entries = []
    for (email, _name), record in zip(people, graduates, strict=True):
        user = accounts[email]
        graduation_date = rng.choice(_GRADUATION_DATES)
        consent = rng.random() < 0.85
        if user.id in with_profile:
            continue
        values = check_profile_values(
            major=record["major"],
            education=record["education"],
            skills=record["skills"],
            preferred_districts=record["preferred_districts"],
            expected_salary=record["expected_salary"],
            graduation_date=graduation_date,
            consent_to_match=consent,
        )
        entries.append((user, values))
    if entries:
        create_graduate_profiles(session, entries)

    applicant = users.get("applicant@demo.talent.cc")
    if applicant is not None and profile_of(session, applicant) is None:
        save_graduate_profile(session, applicant, **DEMO_APPLICANT_PROFILE)
    session.flush()
