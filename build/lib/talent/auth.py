"""Who is calling: session sign-in for pages, bearer tokens for the API, and the one access decorator.

Every view states who may call it with `@requires(...)` (signed-in users of the given roles) or
`@allow_anyone` (public). `tests/test_access.py` checks that no endpoint forgets to say.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_login import LoginManager, current_user
from werkzeug.exceptions import Forbidden, Unauthorized

from talent.db import db
from talent.models import Role, User
from talent.services.accounts import TokenError, user_for_token

F = TypeVar("F", bound=Callable[..., Any])
login_manager = LoginManager()
login_manager.login_view = "public.login"
login_manager.login_message = None  # the login page explains itself
login_manager.session_protection = "strong"


def is_api_request() -> bool:
    return request.path.startswith("/api/")


@login_manager.user_loader
def _load_user_from_session(user_id: str) -> User | None:
    # The API authenticates by bearer token only, so a browser's session cookie can never be used to
    # call it cross-site (the API is therefore exempt from CSRF tokens).
    if is_api_request():
        return None
    try:
        uid, version = (int(part) for part in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or not user.is_active or user.credential_version != version:
        return None
    g.user_id = user.id
    return user


@login_manager.request_loader
def _load_user_from_token(req: Any) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    try:
        user = user_for_token(
            db.session,
            header.removeprefix("Bearer ").strip(),
            current_app.config["SECRET_KEY"],
            current_app.config["TOKEN_MAX_AGE"],
        )
    except TokenError as exc:
        g.token_error = exc.reason
        return None
    g.user_id = user.id
    return user


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    if is_api_request():
        reason = g.get("token_error")
        message = "The token has expired." if reason == "expired" else "Sign in with a valid bearer token."
        raise Unauthorized(message)
    from flask import redirect, url_for

    return redirect(url_for("public.login", next=request.full_path.rstrip("?")))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)


def _mark(view: Callable[..., Any], access: tuple[str, ...]) -> None:
    view.talent_access = access  # type: ignore[attr-defined]


def requires(*roles: Role | str) -> Callable[[F], F]:
    """Allow signed-in users, limited to `roles` when given. Administrators may do what officers do."""
    allowed = {Role(r) for r in roles}
    if Role.OFFICER in allowed:
        allowed.add(Role.ADMIN)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if allowed and current_user.role not in allowed:
                raise Forbidden("Your account may not use this.")
            return view(*args, **kwargs)

        _mark(wrapped, tuple(sorted(r.value for r in allowed)) or ("signed-in",))
        return wrapped  # type: ignore[return-value]

    return decorator


def allow_anyone(view: F) -> F:
    """Mark a view as public on purpose."""
    _mark(view, ("anyone",))
    return view


def acting_user() -> User | None:
    return current_user if current_user.is_authenticated else None  # type: ignore[return-value]
