"""Demo applications in every state of the workflow, made through the real services (`talent seed-demo`).

Idempotent: a demo applicant who already has an application is left alone. The main demo applicant
(applicant@demo.talent.cc, 李明远) holds an issued card, so the card can be downloaded right away.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import DateTime, event, inspect, select
from sqlalchemy.orm import Session

from talent.codes import id_check_character
from talent.db import utcnow
from talent.models import AuditEvent, Employer, Role, User
from talent.models.applications import (
    Application,
    ApplicationDocument,
    Objection,
    ReviewDecision,
    StatusChange,
)
from talent.models.cards import Card, Instalment, Revocation
from talent.services.accounts import find_user_by_email
from talent.services.applications import endorse_application, submit_application
from talent.services.audit import record_event
from talent.services.cards import add_months, mark_instalment_paid, revoke_application
from talent.services.publicity import close_notice, file_objection
from talent.services.reviews import decide_application
from talent.services.uploads import store_document
from talent.services.workflow import LOCAL_TIMEZONE, today
from talent.workdays import add_working_days

# A one-page PDF standing in for a scanned labour contract.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def demo_id_number(region: str, birth: date, sequence: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def _facts(
    on: date, *, id_number: str, education: str, graduated_years_ago: float, title: str = "none",
    achievements: int = 0, salary: int, tax: int, revenue: int, district: str = "220174",
    contract_years: int = 5, purchase_price: int | None = None, purchase_months_ago: int = 2,
    floor_area: int = 100,
) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "application_date": on.isoformat(),
        "id_number": id_number,
        "education": education,
        "full_time_degree": True,
        "graduation_date": add_months(on, -round(graduated_years_ago * 12)).isoformat(),
        "professional_title": title,
        "honours": [],
        "achievements": achievements,
        "employment": {
            "employer_district": district, "employer_kind": "enterprise", "role_kind": "professional",
            "contract_years": contract_years, "full_time": True, "annual_salary": salary,
            "income_tax_last_year": tax, "enterprise_revenue": revenue, "social_insurance_local": True,
        },
        "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
        "housing": {"owns_home_in_city": purchase_price is not None},
    }
    if purchase_price is not None:
        facts["housing"] = {
            "owns_home_in_city": False,
            "purchase": {
                "contract_date": add_months(on, -purchase_months_ago).isoformat(), "price": purchase_price,
                "floor_area_m2": floor_area, "district": "220104", "new_commodity_housing": True, "first_home": True,
            },
        }
    return facts


def _born(on: date, years: int, days: int = 0) -> date:
    return add_months(on, -12 * years) - timedelta(days=days)


@dataclass(frozen=True)
class DemoApplicant:
    email: str
    name: str
    state: str


DEMO_APPLICANTS = [
    DemoApplicant("applicant@demo.talent.cc", "李明远", "granted"),
    DemoApplicant("zhang.xiaotong@demo.talent.cc", "张晓彤", "awaiting_endorsement"),
    DemoApplicant("huang.lei@demo.talent.cc", "黄蕾", "endorsement_declined"),
    DemoApplicant("liu.yang@demo.talent.cc", "刘洋", "in_review_due_soon"),
    DemoApplicant("chen.jing@demo.talent.cc", "陈静", "in_review"),
    DemoApplicant("wang.lei@demo.talent.cc", "王磊", "changes_requested"),
    DemoApplicant("zhao.min@demo.talent.cc", "赵敏", "awaiting_confirmation"),
    DemoApplicant("zhou.ting@demo.talent.cc", "周婷", "under_notice"),
    DemoApplicant("wu.hao@demo.talent.cc", "吴昊", "rejected"),
    DemoApplicant("zheng.kai@demo.talent.cc", "郑凯", "revoked"),
]


def _account(session: Session, users: dict[str, User], applicant: DemoApplicant) -> User:
    user = users.get(applicant.email) or find_user_by_email(session, applicant.email)
    if user is not None:
        return user
    # The demo password's hash is reused from the main demo applicant rather than recomputed: Argon2 is slow on
    # purpose, and the demo accounts share one public password anyway.
    template = users["applicant@demo.talent.cc"]
    user = User(email=applicant.email, name=applicant.name, password_hash=template.password_hash,
                role=Role.APPLICANT)
    session.add(user)
    session.flush()
    record_event(session, actor=user, action="user.created", entity_type="user", entity_id=user.id,
                 after={"email": user.email, "role": user.role.value}, note="demo data")
    return user


def _upload(session: Session, user: User, application: Application, name: str) -> None:
    if not has_app_context():
        return
    store_document(
        session, user, application.id, stream=io.BytesIO(DEMO_PDF), filename=name,
        max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
    )


# The records of a case whose moments the demo story sets (the services stamp the real time).
_CASE_RECORDS = (Application, StatusChange, ReviewDecision, ApplicationDocument, Objection, Card, Instalment,
                 Revocation, AuditEvent)


@contextmanager
def _at(session: Session, day: date, hour: int, minute: int = 0) -> Iterator[None]:
    """Run one step of a demo case as if it happened on `day` at hour:minute, Changchun time.

    The services stamp the real time on what they create or change; after the step, every moment of a case
    record stamped in the last minutes (by this step) is moved to the step's moment, never later than now. So
    the demo's timeline, audit trail, decision letter and payments follow the workflow's order on plausible past
    dates instead of all showing the seeding moment."""
    started = utcnow()
    moment = min(datetime.combine(day, time(hour, minute), LOCAL_TIMEZONE).astimezone(UTC),
                 started - timedelta(minutes=1))

    def stamp(record: Any, *, new: bool) -> None:
        if not isinstance(record, _CASE_RECORDS):
            return
        if isinstance(record, AuditEvent) and record.entity_type == "user":
            return
        for column in inspect(record).mapper.columns:
            if not isinstance(column.type, DateTime):
                continue
            value = getattr(record, column.key)
            if value is None:
                if new and column.default is not None:  # filled in by the default (now) at the insert
                    setattr(record, column.key, moment)
                continue
            value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            if value >= started - timedelta(seconds=1):
                setattr(record, column.key, moment)

    def before_flush(flushing: Session, _context: Any, _instances: Any) -> None:
        # new records are stamped before they are written (the audit trail cannot be changed afterwards)
        for record in list(flushing.new):
            stamp(record, new=True)

    event.listen(session, "before_flush", before_flush)
    try:
        yield
        session.flush()
    finally:
        event.remove(session, "before_flush", before_flush)
    # records the step changed (an application's endorsed_at...) are stamped after it
    for record in list(session.identity_map.values()):
        if not isinstance(record, AuditEvent):
            stamp(record, new=False)
    session.flush()


def _backdate(application: Application, submitted_on: date) -> None:
    """Make the case look as old as the demo story says (the service stamps the real time)."""
    application.submitted_at = datetime.combine(submitted_on, time(9, 30), LOCAL_TIMEZONE).astimezone(UTC)


def seed(session: Session, users: dict[str, User], employer: Employer) -> None:
    officer = users["officer@demo.talent.cc"]
    officer2 = users["officer2@demo.talent.cc"]
    employer_user = users["employer@demo.talent.cc"]
    code = employer.credit_code
    now = today()
    accounts = {a.email: _account(session, users, a) for a in DEMO_APPLICANTS}
    has_application = {
        owner_id for owner_id in session.scalars(
            select(Application.owner_id).where(Application.owner_id.in_([u.id for u in accounts.values()]))
        )
    }

    def fresh(email: str) -> User | None:
        user = accounts[email]
        return None if user.id in has_application else user

    def submit(user: User, facts: dict[str, Any], on: date) -> Application:
        with _at(session, on, 9, 30):
            application = submit_application(session, user, facts=facts, employer_credit_code=code, today=on)
            _backdate(application, on)
        with _at(session, on, 9, 42):
            _upload(session, user, application, "劳动合同.pdf")
        return application

    def endorse(application: Application, on: date) -> None:
        with _at(session, on, 14, 10):
            endorse_application(session, employer_user, application.id, endorse=True,
                                comment="经核实，申请人为本单位全职员工，信息属实。", today=on)

    def decide(application: Application, on: date, hour: int, by: User = officer, **decision: Any) -> None:
        with _at(session, on, hour, 20):
            decide_application(session, by, application.id, today=on, **decision)

    def approve_twice(application: Application, on: date) -> None:
        # the first approval in the morning, the second officer's confirmation (and the notice) after lunch
        decide(application, on, 10, outcome="approve", reason="材料齐全，符合认定条件，同意。")
        decide(application, on, 15, by=officer2, outcome="approve", reason="复核无误，同意认定，进入公示。")

    def grant(application: Application) -> None:
        """The notice period is over: granted at the end of its last day, the card issued with it."""
        ends = application.notice_ends_on
        with _at(session, ends, 17, 30):
            close_notice(session, application.id, as_of=ends)

    def pay(instalment: Any, paid_on: date) -> None:
        with _at(session, paid_on, 11, 0):
            mark_instalment_paid(session, officer, instalment.id, paid_on=paid_on)

    # 李明远: tier B (docs/policy.md §8 example 4 pattern), card issued, first payments made.
    if user := fresh("applicant@demo.talent.cc"):
        on = add_working_days(now, -25)
        facts = _facts(on, id_number=demo_id_number("220104", _born(on, 45, 40), 31), education="master",
                       graduated_years_ago=20, title="associate_senior", achievements=3, salary=1_200_000,
                       tax=310_000, revenue=6_000_000_000, purchase_price=1_500_000)
        application = submit(user, facts, on)
        endorse(application, add_working_days(on, 2))
        approve_twice(application, add_working_days(on, 6))
        grant(application)
        # paid once the notice is over (the first instalment falls due on the application date, during review)
        first_pay_day = add_working_days(application.notice_ends_on, 3)
        for instalment in [i for i in application.instalments if i.due_on <= now][:2]:
            paid_on = min(now, max(first_pay_day, instalment.due_on + timedelta(days=10)))
            pay(instalment, paid_on)

    # 张晓彤: doctor graduate, waiting for the employer.
    if user := fresh("zhang.xiaotong@demo.talent.cc"):
        on = add_working_days(now, -2)
        facts = _facts(on, id_number=demo_id_number("220102", _born(on, 29, 100), 62), education="doctor",
                       graduated_years_ago=0.5, salary=240_000, tax=9_000, revenue=900_000_000, district="220173",
                       contract_years=3, purchase_price=1_100_000, purchase_months_ago=1, floor_area=88)
        submit(user, facts, on)

    # 黄蕾: the employer declined (wrong employer named).
    if user := fresh("huang.lei@demo.talent.cc"):
        on = add_working_days(now, -6)
        facts = _facts(on, id_number=demo_id_number("220105", _born(on, 26, 200), 84), education="master",
                       graduated_years_ago=1, salary=150_000, tax=3_000, revenue=900_000_000, contract_years=3)
        application = submit(user, facts, on)
        with _at(session, add_working_days(on, 3), 16, 5):
            endorse_application(session, employer_user, application.id, endorse=False,
                                comment="本单位无此员工，请核对用人单位信息。", today=add_working_days(on, 3))

    # 刘洋: tier C, in review, the 10-working-day clock runs out tomorrow.
    if user := fresh("liu.yang@demo.talent.cc"):
        endorsed_on = add_working_days(now, -9)
        on = add_working_days(endorsed_on, -3)
        facts = _facts(on, id_number=demo_id_number("220103", _born(on, 48, 15), 17), education="doctor",
                       graduated_years_ago=18, title="full_senior", achievements=2, salary=420_000, tax=68_000,
                       revenue=2_000_000_000, district="220172")
        application = submit(user, facts, on)
        endorse(application, endorsed_on)

    # 陈静: master graduate, in review, plenty of time.
    if user := fresh("chen.jing@demo.talent.cc"):
        on = add_working_days(now, -3)
        facts = _facts(on, id_number=demo_id_number("220106", _born(on, 27, 50), 46), education="master",
                       graduated_years_ago=1.5, salary=160_000, tax=4_000, revenue=1_500_000_000, contract_years=3)
        application = submit(user, facts, on)
        endorse(application, add_working_days(on, 1))

    # 王磊: the officer listed every missing item at once.
    if user := fresh("wang.lei@demo.talent.cc"):
        on = add_working_days(now, -12)
        facts = _facts(on, id_number=demo_id_number("370102", _born(on, 30, 77), 13), education="bachelor",
                       graduated_years_ago=2, salary=120_000, tax=2_000, revenue=700_000_000, contract_years=3,
                       purchase_price=900_000, purchase_months_ago=4, floor_area=78)
        application = submit(user, facts, on)
        endorse(application, add_working_days(on, 2))
        decide(
            application, add_working_days(on, 6), 10, outcome="request_changes",
            reason="材料不全，请一次性补齐以下材料后重新提交。",
            items=[
                {"field": "documents", "problem": "请上传学位证书和毕业证书扫描件。"},
                {"field": "employment.social_insurance_local", "problem": "请上传近6个月长春市社保缴纳证明。"},
                {"field": "housing.purchase.contract_date", "problem": "购房合同签订日期与网签备案不一致，请核对。"},
            ],
        )

    # 赵敏: approved by one officer, waiting for a second, different one.
    if user := fresh("zhao.min@demo.talent.cc"):
        on = add_working_days(now, -7)
        facts = _facts(on, id_number=demo_id_number("220182", _born(on, 41, 9), 28), education="doctor",
                       graduated_years_ago=10, title="full_senior", achievements=4, salary=600_000, tax=130_000,
                       revenue=3_000_000_000, district="220171")
        application = submit(user, facts, on)
        endorse(application, add_working_days(on, 2))
        decide(application, add_working_days(on, 5), 11, outcome="approve", reason="材料齐全，符合C类人才认定条件。")

    # 周婷: under public notice, with an objection waiting for an officer.
    if user := fresh("zhou.ting@demo.talent.cc"):
        on = add_working_days(now, -8)
        facts = _facts(on, id_number=demo_id_number("220104", _born(on, 52, 120), 66), education="doctor",
                       graduated_years_ago=22, title="full_senior", achievements=5, salary=800_000, tax=180_000,
                       revenue=5_500_000_000)
        application = submit(user, facts, on)
        endorse(application, add_working_days(on, 2))
        approve_twice(application, add_working_days(now, -1))
        with _at(session, now, 8, 40):
            file_objection(session, accounts["chen.jing@demo.talent.cc"], application.id,
                           text="据了解，申请人的劳动合同期限不足三年，请核实。", today=now)

    # 吴昊: rejected (a one-year contract fails G2).
    if user := fresh("wu.hao@demo.talent.cc"):
        on = add_working_days(now, -15)
        facts = _facts(on, id_number=demo_id_number("220112", _born(on, 33, 30), 55), education="bachelor",
                       graduated_years_ago=9, salary=110_000, tax=1_500, revenue=300_000_000, contract_years=1)
        application = submit(user, facts, on)
        endorse(application, add_working_days(on, 2))
        decide(application, add_working_days(on, 7), 10, by=officer2, outcome="reject",
               reason="劳动合同期限不足3年，不符合共同条件二（全职且合同期限达标）。")

    # 郑凯: tier C with a tier housing subsidy, granted last year, left after 7 months: revoked, refund owed.
    if user := fresh("zheng.kai@demo.talent.cc"):
        on = add_months(now, -9)
        facts = _facts(on, id_number=demo_id_number("220105", _born(on, 44, 60), 91), education="doctor",
                       graduated_years_ago=15, title="full_senior", achievements=3, salary=520_000, tax=105_000,
                       revenue=1_200_000_000, purchase_price=1_600_000)
        application = submit(user, facts, on)
        endorse(application, add_working_days(on, 2))
        approve_twice(application, add_working_days(on, 6))
        grant(application)
        first_pay_day = add_working_days(application.notice_ends_on, 3)
        for instalment in application.instalments:
            if instalment.due_on <= add_months(on, 6):
                pay(instalment, min(now, max(first_pay_day, instalment.due_on + timedelta(days=5))))
        with _at(session, add_working_days(now, -1), 10, 15):
            revoke_application(session, officer, application.id, reason="申请人已于上月离开长春工作，服务期未满5年。",
                               fraud=False, left_on=add_months(on, 7), today=add_working_days(now, -1))
    session.flush()
