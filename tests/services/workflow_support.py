"""Helpers shared by the workflow tests: realistic facts with valid ID numbers, accounts, tokens, and walking a
case through the workflow by the real services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from talent.codes import id_check_character
from talent.models import Employer, Role, User
from talent.services.accounts import issue_token
from talent.services.cards import add_months
from talent.services.workflow import today

DEMO_PASSWORD = "demo-pass-2026"
DEMO_EMPLOYER_CODE = "91220101MA17XK2B2Y"
# A second valid credit code (docs/policy.md §A.3 example), for "another employer".
OTHER_EMPLOYER_CODE = "91350100M000100Y43"


def id_number(region: str, birth: dt.date, sequence: int) -> str:
    """A resident ID number with a correct GB 11643 check character."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def years_ago(years: int, on: dt.date | None = None) -> dt.date:
    return add_months(on or today(), -12 * years)


def tier_b_facts(id_no: str | None = None, *, on: dt.date | None = None) -> dict[str, Any]:
    """docs/policy.md §8 example 4 on today's date: an enterprise CTO, tier B, card, living allowance, tier housing."""
    on = on or today()
    return {
        "id_number": id_no or id_number("220104", years_ago(45, on) - dt.timedelta(days=40), 31),
        "education": "master",
        "full_time_degree": True,
        "graduation_date": years_ago(20, on).isoformat(),
        "professional_title": "associate_senior",
        "honours": [],
        "achievements": 2,
        "employment": {
            "employer_district": "220174", "employer_kind": "enterprise", "role_kind": "professional",
            "contract_years": 5, "full_time": True, "annual_salary": 1_200_000, "income_tax_last_year": 300_000,
            "enterprise_revenue": 6_000_000_000, "social_insurance_local": True,
        },
        "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
        "housing": {
            "owns_home_in_city": False,
            "purchase": {
                "contract_date": add_months(on, -2).isoformat(), "price": 1_500_000, "floor_area_m2": 120,
                "district": "220104", "new_commodity_housing": True, "first_home": True,
            },
        },
        "history": {"last_classified_on": None, "last_rejected_on": None, "revoked_on": None},
    }


def graduate_facts(id_no: str | None = None, *, on: dt.date | None = None) -> dict[str, Any]:
    """A doctor on the graduate track (no tier, no card): graduate housing and living allowance."""
    on = on or today()
    return {
        "id_number": id_no or id_number("220102", years_ago(31, on), 42),
        "education": "doctor",
        "full_time_degree": True,
        "graduation_date": add_months(on, -5).isoformat(),
        "professional_title": "none",
        "honours": [],
        "achievements": 0,
        "employment": {
            "employer_district": "220173", "employer_kind": "enterprise", "role_kind": "professional",
            "contract_years": 3, "full_time": True, "annual_salary": 180_000, "income_tax_last_year": 6_000,
            "enterprise_revenue": 80_000_000, "social_insurance_local": True,
        },
        "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
        "housing": {
            "owns_home_in_city": False,
            "purchase": {
                "contract_date": add_months(on, -1).isoformat(), "price": 1_200_000, "floor_area_m2": 85,
                "district": "220104", "new_commodity_housing": True, "first_home": True,
            },
        },
    }


def bearer(client: Any, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def register(client: Any, email: str, name: str, role: str = "applicant") -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": DEMO_PASSWORD, "name": name, "role": role}
    )
    assert response.status_code == 201, response.get_json()
    return bearer(client, email)


# --- people and cases arranged through the services (fast: no password hashing, tokens issued directly) -------

TEST_SECRET = "test-secret-key"  # tests/conftest.py's app SECRET_KEY


@dataclass
class People:
    applicant: User
    other_applicant: User
    employer_user: User
    other_employer_user: User
    officer: User
    officer2: User
    admin: User
    employer: Employer
    unverified_employer: Employer

    def by_role_name(self) -> dict[str, User]:
        return {
            "applicant": self.applicant, "other_applicant": self.other_applicant, "employer": self.employer_user,
            "other_employer": self.other_employer_user, "officer": self.officer, "officer2": self.officer2,
            "admin": self.admin,
        }


def make_user(session, email: str, name: str, role: Role) -> User:
    user = User(email=email, name=name, password_hash="not-a-usable-hash", role=role)
    session.add(user)
    session.flush()
    return user


def make_people(session) -> People:
    from talent.db import utcnow

    applicant = make_user(session, "li.na@example.cn", "李娜", Role.APPLICANT)
    other_applicant = make_user(session, "sun.qiang@example.cn", "孙强", Role.APPLICANT)
    employer_user = make_user(session, "hr@faw-demo.example.cn", "王海燕", Role.EMPLOYER)
    other_employer_user = make_user(session, "hr@other.example.cn", "钱多多", Role.EMPLOYER)
    officer = make_user(session, "officer1@example.cn", "赵建国", Role.OFFICER)
    officer2 = make_user(session, "officer2@example.cn", "孙丽华", Role.OFFICER)
    admin = make_user(session, "admin@example.cn", "陈志强", Role.ADMIN)
    employer = Employer(name="长春示范汽车零部件有限公司", credit_code=DEMO_EMPLOYER_CODE, district="220174",
                        kind="enterprise", owner_id=employer_user.id, verified_at=utcnow(), verified_by_id=officer.id)
    unverified = Employer(name="长春未核验科技有限公司", credit_code=OTHER_EMPLOYER_CODE, district="220104",
                          kind="enterprise", owner_id=other_employer_user.id)
    session.add_all([employer, unverified])
    session.flush()
    return People(applicant, other_applicant, employer_user, other_employer_user, officer, officer2, admin,
                  employer, unverified)


def token_for(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user, TEST_SECRET)}"}


STATES = ("awaiting_endorsement", "in_review", "awaiting_confirmation", "under_notice", "granted")


def case_in(session, people: People, status: str, *, facts: dict | None = None, owner: User | None = None):
    """A case of `owner` (default: the applicant) walked to `status` through the real services."""
    from talent.services import applications, publicity, reviews

    owner = owner or people.applicant
    # One person per account: the ID number follows the account, so the person history (G6) does too.
    facts = facts or tier_b_facts(id_number("220104", years_ago(45) - dt.timedelta(days=40), owner.id % 900 + 1))
    application = applications.submit_application(
        session, owner, facts=facts, employer_credit_code=DEMO_EMPLOYER_CODE
    )
    if status == "awaiting_endorsement":
        return application
    applications.endorse_application(session, people.employer_user, application.id, endorse=True, comment="属实")
    if status == "in_review":
        return application
    reviews.decide_application(session, people.officer, application.id, outcome="approve", reason="符合条件。")
    if status == "awaiting_confirmation":
        return application
    reviews.decide_application(session, people.officer2, application.id, outcome="approve", reason="复核同意。")
    if status == "under_notice":
        return application
    publicity.close_notice(session, application.id, as_of=application.notice_ends_on)
    assert application.status == "granted"
    return application
