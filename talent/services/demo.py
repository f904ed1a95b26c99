"""Demo data for `talent seed-demo`: idempotent, so running it twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from talent.models import Role, User
from talent.services.accounts import create_user, find_user_by_email

# One demo account per role (printed by `make run`). Demo passwords are public by design: never seed a
# production database.
DEMO_PASSWORD = "demo-pass-2026"
DEMO_ACCOUNTS = [
    {"email": "applicant@demo.talent.cc", "name": "李明远", "role": Role.APPLICANT},
    {"email": "employer@demo.talent.cc", "name": "王海燕", "role": Role.EMPLOYER},
    {"email": "officer@demo.talent.cc", "name": "赵建国", "role": Role.OFFICER},
    {"email": "officer2@demo.talent.cc", "name": "孙丽华", "role": Role.OFFICER},
    {"email": "admin@demo.talent.cc", "name": "陈志强", "role": Role.ADMIN},
]

# Later areas append their own seeders (applications, jobs, graduates); each must be idempotent.
AREA_SEEDERS: list[Callable[[Session, dict[str, User]], None]] = []


def seed_accounts(session: Session) -> dict[str, User]:
    users: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        user = find_user_by_email(session, account["email"])
        if user is None:
            user = create_user(session, password=DEMO_PASSWORD, **account)
        users[account["email"]] = user
    return users


def seed_demo(session: Session) -> dict[str, User]:
    users = seed_accounts(session)
    for seeder in AREA_SEEDERS:
        seeder(session, users)
    session.flush()
    return users
