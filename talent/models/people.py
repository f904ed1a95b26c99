"""People who sign in: applicants, employer staff, officers and administrators."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, Enum, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talent.db import Base, utcnow


class Role(enum.StrEnum):
    APPLICANT = "applicant"
    EMPLOYER = "employer"
    OFFICER = "officer"
    ADMIN = "admin"
    ANALYST = "analyst"  # read-only: the dashboard and policy simulation
    PARTNER = "partner"  # staff of a partner organisation that provides card services (docs/policy.md §10)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Changes whenever the password changes, so that old sessions and tokens stop working.
    credential_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The TOTP second factor (officers and admins): the secret encrypted with the ID keyring (talent.keys).
    totp_secret: Mapped[str | None] = mapped_column(Text, nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.credential_version}"

    @property
    def is_officer(self) -> bool:
        return self.role in (Role.OFFICER, Role.ADMIN)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"
