"""Accounts: registration, sign-in, password hashing and API tokens."""

from __future__ import annotations

import re
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talent.models import Role, User
from talent.production import refuses_password
from talent.services import Conflict, InvalidInput
from talent.services.audit import record_event

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters (RFC 9106)
# A hash computed once, so that a sign-in with an unknown e-mail costs as much as one with a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


def use_password_profile(profile: str) -> None:
    """Choose the Argon2 cost: "recommended" (default) or "cheapest" (tests only: the suite hashes thousands
    of passwords, and the cost of a hash is not what it tests)."""
    global _hasher, _DUMMY_HASH
    from argon2 import profiles

    parameters = {"recommended": profiles.RFC_9106_LOW_MEMORY, "cheapest": profiles.CHEAPEST}[profile]
    if _hasher.memory_cost != parameters.memory_cost or _hasher.time_cost != parameters.time_cost:
        _hasher = PasswordHasher.from_parameters(parameters)
        _DUMMY_HASH = _hasher.hash("not a real password")

SELF_SERVICE_ROLES = (Role.APPLICANT, Role.EMPLOYER)
MIN_PASSWORD_LENGTH = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if password.isdigit() or password.isalpha():
        problems.append("Must mix letters with digits or symbols.")
    return problems


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


# Stored for accounts that must not sign in with a password (e.g. the fictional demo graduates): no Argon2
# hash ever equals it, so verification always fails.
UNUSABLE_PASSWORD = "!unusable"


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None,
    name: str,
    role: Role | str,
    actor: User | None = None,
) -> User:
    """Create an account; `password=None` makes one that cannot sign in. Self-registration is limited to
    applicants and employers by the callers."""
    errors: dict[str, list[str]] = {}
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email):
        errors["email"] = ["Not a valid e-mail address."]
    if not name.strip():
        errors["name"] = ["Must not be empty."]
    if password is not None and (problems := password_problems(password)):
        errors["password"] = problems
    if refuses_password(password):  # the demo password is published: never an account's in production
        errors.setdefault("password", []).append("This password is published (demo); choose another.")
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = [f"Must be one of: {', '.join(r.value for r in Role)}."]
    if errors:
        raise InvalidInput("The account details are not valid.", errors)
    duplicate = Conflict("An account with this e-mail address already exists.", {"email": ["Already registered."]})
    if find_user_by_email(session, email) is not None:
        raise duplicate
    password_hash = hash_password(password) if password is not None else UNUSABLE_PASSWORD
    user = User(email=email, name=name.strip(), password_hash=password_hash, role=role)
    try:
        # A concurrent registration of the same address passes the check above; the unique index decides.
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError as exc:
        raise duplicate from exc
    record_event(
        session,
        actor=actor or user,
        action="user.created",
        entity_type="user",
        entity_id=user.id,
        after={"email": email, "role": role.value, "can_sign_in": password is not None},
    )
    session.flush()
    return user


def sign_in(session: Session, email: str, password: str) -> User | None:
    """The account these credentials open, or None. Repeated failures are refused before this runs, by the
    rate limits on the sign-in views (talent.limits)."""
    return authenticate(session, email, password)


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_user_by_email(session, email)
    if user is None:
        _hasher.verify(_DUMMY_HASH, "not a real password")  # equal work either way
        return None
    if not user.is_active or not verify_password(user, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# --- API tokens -------------------------------------------------------------------------------------

_TOKEN_SALT = "talent.api-token"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_TOKEN_SALT)


def issue_token(user: User, secret_key: str) -> str:
    return _serializer(secret_key).dumps({"uid": user.id, "cv": user.credential_version})


class TokenError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def user_for_token(session: Session, token: str, secret_key: str, max_age: int) -> User:
    """The user a signed token names; raises TokenError when it is expired, forged or stale."""
    try:
        payload: Any = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    user = session.get(User, payload.get("uid")) if isinstance(payload, dict) else None
    if user is None or not user.is_active or user.credential_version != payload.get("cv"):
        raise TokenError("invalid")
    return user
