"""Keeping an account safe: change and reset the password, sign out everywhere, deactivate and reactivate
an account, and the TOTP second factor of officers and admins.

Each of these increases `User.credential_version`, which every session cookie and API token carries: the
session loader and the token check refuse a stale version, so all other sessions and tokens end at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from talent.db import utcnow
from talent.models import Role, User
from talent.models.credentials import PasswordReset
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound
from talent.services.accounts import (
    UNUSABLE_PASSWORD,
    find_user_by_email,
    hash_password,
    password_problems,
    verify_password,
)
from talent.services.audit import record_event

RESET_VALID_FOR = timedelta(minutes=30)
TOTP_ISSUER = "Changchun Talent"
SECOND_FACTOR_ROLES = (Role.OFFICER, Role.ADMIN)


def end_other_sessions(user: User) -> None:
    """Every session cookie and token issued before now stops working (the caller signs the current one in
    again where it should go on)."""
    user.credential_version = (user.credential_version or 1) + 1


def _checked_new_password(password: object, field: str) -> str:
    if not isinstance(password, str) or not password:
        raise InvalidInput("Choose a new password.", {field: ["Must not be empty."]})
    if problems := password_problems(password):
        raise InvalidInput("The new password is not strong enough.", {field: problems})
    return password


def change_password(session: Session, user: User, *, current_password: str, new_password: str) -> User:
    if not verify_password(user, current_password or ""):
        raise InvalidInput("The current password is wrong.", {"current_password": ["Wrong password."]})
    new_password = _checked_new_password(new_password, "new_password")
    if verify_password(user, new_password):
        raise InvalidInput("Choose a password you do not use now.", {"new_password": ["Same as the current password."]})
    user.password_hash = hash_password(new_password)
    end_other_sessions(user)
    record_event(session, actor=user, action="user.password_changed", entity_type="user", entity_id=user.id,
                 after={"credential_version": user.credential_version})
    session.flush()
    return user


def sign_out_everywhere(session: Session, user: User) -> User:
    end_other_sessions(user)
    record_event(session, actor=user, action="user.signed_out_everywhere", entity_type="user", entity_id=user.id,
                 after={"credential_version": user.credential_version})
    session.flush()
    return user


def set_active(session: Session, actor: User, user_id: int, *, active: bool) -> User:
    """An administrator deactivates (or reactivates) an account; deactivation ends its sessions and tokens."""
    if actor.role != Role.ADMIN:
        raise NotAllowed("Only administrators deactivate accounts.")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    if user.id == actor.id and not active:
        raise Conflict("You cannot deactivate your own account.")
    before = {"is_active": user.is_active}
    user.is_active = active
    end_other_sessions(user)
    record_event(session, actor=actor, action="user.activated" if active else "user.deactivated",
                 entity_type="user", entity_id=user.id, before=before,
                 after={"is_active": active, "credential_version": user.credential_version})
    session.flush()
    return user


def list_accounts(session: Session, actor: User, *, limit: int = 200, offset: int = 0) -> list[User]:
    if actor.role != Role.ADMIN:
        raise NotAllowed("Only administrators list accounts.")
    return list(session.scalars(select(User).order_by(User.id).limit(limit).offset(offset)))


# --- password reset by e-mail ------------------------------------------------------------------------------

def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(session: Session, email: str, *, now: datetime | None = None) -> tuple[User, str] | None:
    """A single-use reset token for the account with this address, or None when there is none (the caller
    answers the same either way). Only the token's digest is stored."""
    if not isinstance(email, str):
        return None
    user = find_user_by_email(session, email)
    if user is None or not user.is_active or user.password_hash == UNUSABLE_PASSWORD:
        return None
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    reset = PasswordReset(user_id=user.id, token_digest=_token_digest(token), created_at=now,
                          expires_at=now + RESET_VALID_FOR)
    session.add(reset)
    session.flush()
    record_event(session, actor=user, action="user.password_reset_requested", entity_type="user",
                 entity_id=user.id, after={"expires_at": reset.expires_at.isoformat()})
    session.flush()
    return user, token


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def valid_reset(session: Session, token: str, *, now: datetime | None = None) -> PasswordReset:
    """The reset this token opens; NotFound when it is unknown, used or expired (all look the same)."""
    now = _aware(now or utcnow())
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_digest == _token_digest(token or "")))
    if (reset is None or reset.used_at is not None or _aware(reset.expires_at) <= now
            or not reset.user.is_active):
        raise NotFound("This reset link is not valid: it was used already, has expired, or was never issued.")
    return reset


def reset_password(session: Session, token: str, new_password: str, *, now: datetime | None = None) -> User:
    now = now or utcnow()
    new_password = _checked_new_password(new_password, "new_password")
    reset = valid_reset(session, token, now=now)
    # Used exactly once: a second use at the same moment finds used_at set (the UPDATE matches no row).
    claimed = session.execute(
        update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None)).values(used_at=now)
    ).rowcount
    if claimed != 1:
        raise NotFound("This reset link is not valid: it was used already, has expired, or was never issued.")
    user = reset.user
    # Every other link of this account stops working too.
    session.execute(update(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                    .values(used_at=now))
    session.expire(reset)
    user.password_hash = hash_password(new_password)
    end_other_sessions(user)
    record_event(session, actor=user, action="user.password_reset", entity_type="user", entity_id=user.id,
                 after={"credential_version": user.credential_version})
    session.flush()
    return user


# --- the TOTP second factor -----------------------------------------------------------------------------

def may_use_second_factor(user: User) -> bool:
    return user.role in SECOND_FACTOR_ROLES


def has_second_factor(user: User) -> bool:
    return bool(user.totp_secret and user.totp_enabled_at)


def second_factor_missing(user: User, config: Any) -> bool:
    """In production (config key ENV) officers and admins must have enrolled a second factor."""
    return (config.get("ENV", "development") == "production" and may_use_second_factor(user)
            and not has_second_factor(user))


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def _code_matches(secret: str, code: object) -> bool:
    if not isinstance(code, str):
        return False
    code = code.strip().replace(" ", "")
    return len(code) == 6 and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)


def enrol_second_factor(session: Session, user: User, *, secret: str, code: str) -> User:
    """Confirm a new TOTP secret with a code from the authenticator; the secret is stored encrypted."""
    from talent.keys import keyring_of

    if not may_use_second_factor(user):
        raise NotAllowed("Only officers and administrators use a second factor.")
    if has_second_factor(user):
        raise Conflict("A second factor is already enrolled.")
    if not _code_matches(secret, code):
        raise InvalidInput("The code does not match.", {"code": ["Enter the 6-digit code your app shows now."]})
    user.totp_secret = keyring_of(session).encrypt(secret, "totp")
    user.totp_enabled_at = utcnow()
    end_other_sessions(user)
    record_event(session, actor=user, action="user.second_factor_enrolled", entity_type="user", entity_id=user.id,
                 after={"second_factor": True})
    session.flush()
    return user


def second_factor_accepts(user: User, code: object) -> bool:
    from sqlalchemy.orm import object_session

    from talent.keys import keyring_of

    if not has_second_factor(user):
        return True
    secret = keyring_of(object_session(user)).decrypt(user.totp_secret or "", "totp")
    return _code_matches(secret, code)
