"""Demo data for `talent seed-demo`: idempotent, so running it twice changes nothing."""

from __future__ import annotations

import importlib

from sqlalchemy.orm import Session

from talent.models import Employer, Role, User
from talent.services.accounts import create_user, find_user_by_email
from talent.services.employers import employer_by_credit_code, register_employer, verify_employer

# One demo account per role (printed by `make run`). Demo passwords are public by design: never seed a
# production database.
DEMO_PASSWORD = "demo-pass-2026"
DEMO_ACCOUNTS = [
    {"email": "applicant@demo.talent.cc", "name": "李明远", "role": Role.APPLICANT},
    {"email": "employer@demo.talent.cc", "name": "王海燕", "role": Role.EMPLOYER},
    {"email": "officer@demo.talent.cc", "name": "赵建国", "role": Role.OFFICER},
    {"email": "officer2@demo.talent.cc", "name": "孙丽华", "role": Role.OFFICER},
    {"email": "admin@demo.talent.cc", "name": "陈志强", "role": Role.ADMIN},
    {"email": "analyst@demo.talent.cc", "name": "周晓琳", "role": Role.ANALYST},
]
# The demo employer account's organisation (fictional; the credit code passes the GB 32100 check).
DEMO_EMPLOYER = {
    "name": "长春一汽示范汽车零部件有限公司",
    "credit_code": "91220101MA17XK2B2Y",
    "district": "220174",
    "kind": "enterprise",
}

# Demo data of later areas: modules with `seed(session, users, employer)`, run in this order.
AREA_SEEDERS = ["talent.services.demo_jobs", "talent.services.demo_workflow"]
AREA_SEEDERS.append("talent.services.demo_apartments")  # issue 11: apartments and card services
AREA_SEEDERS.append("talent.services.demo_events")  # issue 12: recruitment events and training bases
AREA_SEEDERS.append("talent.services.demo_hiring")  # issue 12: applications to posts, placements, retention
AREA_SEEDERS.append("talent.services.demo_figures")  # issue 12, item 5: the organisations' industries


def seed_accounts(session: Session) -> dict[str, User]:
    users: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        user = find_user_by_email(session, account["email"])
        if user is None:
            user = create_user(session, password=DEMO_PASSWORD, **account)
        users[account["email"]] = user
    return users


def seed_demo_employer(session: Session, users: dict[str, User]) -> Employer:
    employer = employer_by_credit_code(session, DEMO_EMPLOYER["credit_code"])
    if employer is None:
        employer = register_employer(session, users["employer@demo.talent.cc"], **DEMO_EMPLOYER)
        verify_employer(session, users["officer@demo.talent.cc"], employer.id)
    return employer


def seed_demo(session: Session) -> dict[str, User]:
    users = seed_accounts(session)
    employer = seed_demo_employer(session, users)
    for module_name in AREA_SEEDERS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # an area not built yet
            if exc.name != module_name:
                raise
            continue
        module.seed(session, users, employer)
    session.flush()
    return users
