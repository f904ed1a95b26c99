"""Rate limits (Flask-Limiter): sign-in, registration, password reset, objections and the anonymous
eligibility API.

The counters live in Redis when `TALENT_REDIS_URL` is set (shared by every worker process and machine), and
in the process's memory otherwise (each worker then counts on its own; expired windows are forgotten either
way). Each limit is a config key (`LIMIT_*`, a Flask-Limiter string such as "10 per 15 minutes"), so a site
can tune them without code. A refused request is answered with 429 in the API's error envelope (a readable
page for browsers) and a `Retry-After` header in seconds.

Sign-in counts only failed attempts, per account (the e-mail address typed) and per client address; both
are checked before the view runs, so a refused attempt never reaches the password hash.

Behind a reverse proxy the client's address is in `X-Forwarded-For`; `TALENT_TRUSTED_PROXIES` says how many
proxy hops to trust (ProxyFix), so that every client does not share the proxy's address.
"""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

# The limits' defaults; each can be changed by the config key of the same name.
LIMIT_DEFAULTS: dict[str, str] = {
    "LIMIT_SIGN_IN_ACCOUNT": "10 per 15 minutes",  # failed sign-ins for one e-mail address
    "LIMIT_SIGN_IN_ADDRESS": "50 per 15 minutes",  # failed sign-ins from one client address
    "LIMIT_REGISTRATION": "10 per hour",  # accounts created from one client address
    "LIMIT_PASSWORD_RESET_ADDRESS": "10 per 15 minutes",  # reset requests and link uses from one address
    "LIMIT_PASSWORD_RESET_ACCOUNT": "3 per hour",  # reset e-mails to one address
    "LIMIT_SECOND_FACTOR": "5 per 15 minutes",  # wrong one-time codes for one account (sign-in page)
    "LIMIT_OBJECTIONS": "10 per day",  # objections filed by one person
    "LIMIT_ELIGIBILITY": "60 per minute",  # anonymous eligibility checks from one client address
}

# Which refusal a limit gives (the `error_message` of the limit); the handler turns it into words.
SIGN_IN = "sign-in"
GENERAL = "general"


def client_address() -> str:
    """The client's address (behind trusted proxies, the one they report: see ProxyFix in init_app)."""
    return request.remote_addr or "unknown"


def _typed_email() -> str:
    """The e-mail address a sign-in or reset request names, normalised; the client's address when none."""
    email: Any = None
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            email = body.get("email")
    else:
        email = request.form.get("email")
    if isinstance(email, str) and email.strip():
        return "account:" + email.strip().lower()[:254]
    return "address:" + client_address()


def _signed_in_user() -> str:
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return "address:" + client_address()


def _pending_second_factor() -> str:
    from flask import session

    pending = session.get("second_factor_pending")
    if isinstance(pending, list) and pending:
        return f"user:{pending[0]}"
    return "address:" + client_address()


def _configured(name: str):
    return lambda: current_app.config.get(name) or LIMIT_DEFAULTS[name]


def _failed(response: Any) -> bool:
    """A sign-in that did not succeed: 401 from the API, the form shown again (422) on the page."""
    return response.status_code in (400, 401, 422)


class _Limiter(Limiter):
    def init_app(self, app: Flask) -> None:
        # Flask-Limiter keeps the first app's key prefix for ever; each app (each test) says its own.
        self._key_prefix = app.config.get("RATELIMIT_KEY_PREFIX", "")
        super().init_app(app)


limiter = _Limiter(key_func=client_address, strategy="fixed-window")

# Decorators for the views; the sign-in ones are shared by the page and the token endpoint.
sign_in_per_account = limiter.shared_limit(
    _configured("LIMIT_SIGN_IN_ACCOUNT"), scope="sign-in-account", key_func=_typed_email, methods=["POST"],
    deduct_when=_failed, error_message=SIGN_IN,
)
sign_in_per_address = limiter.shared_limit(
    _configured("LIMIT_SIGN_IN_ADDRESS"), scope="sign-in-address", key_func=client_address, methods=["POST"],
    deduct_when=_failed, error_message=SIGN_IN,
)
second_factor = limiter.shared_limit(
    _configured("LIMIT_SECOND_FACTOR"), scope="second-factor", key_func=_pending_second_factor, methods=["POST"],
    deduct_when=_failed, error_message=SIGN_IN,
)
registration = limiter.shared_limit(
    _configured("LIMIT_REGISTRATION"), scope="registration", key_func=client_address, methods=["POST"],
    error_message=GENERAL,
)
password_reset_per_address = limiter.shared_limit(
    _configured("LIMIT_PASSWORD_RESET_ADDRESS"), scope="password-reset-address", key_func=client_address,
    methods=["POST"], error_message=GENERAL,
)
password_reset_per_account = limiter.shared_limit(
    _configured("LIMIT_PASSWORD_RESET_ACCOUNT"), scope="password-reset-account", key_func=_typed_email,
    methods=["POST"], error_message=GENERAL,
)
objections = limiter.shared_limit(
    _configured("LIMIT_OBJECTIONS"), scope="objections", key_func=_signed_in_user, methods=["POST"],
    error_message=GENERAL,
)
eligibility = limiter.shared_limit(
    _configured("LIMIT_ELIGIBILITY"), scope="eligibility", key_func=client_address, error_message=GENERAL,
)


def retry_after_seconds() -> int:
    """Seconds until the breached limit's window ends (at least 1)."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))


def handle_rate_limited(error: RateLimitExceeded) -> Any:
    from talent.errors import error_payload, wants_json

    seconds = retry_after_seconds()
    headers = {"Retry-After": str(seconds)}
    is_sign_in = error.description == SIGN_IN
    if wants_json():
        if is_sign_in:
            message = f"Too many failed sign-in attempts; try again in {seconds} seconds."
        else:
            message = f"Too many requests; try again in {seconds} seconds."
        from flask import jsonify

        response = jsonify(error_payload(429, "Too Many Requests", message, None))
        response.status_code = 429
        response.headers.update(headers)
        return response
    minutes = max(1, math.ceil(seconds / 60))
    if is_sign_in:
        message = _("登录失败次数过多，请 %(minutes)s 分钟后再试", minutes=minutes)
    else:
        message = _("操作过于频繁，请 %(minutes)s 分钟后再试", minutes=minutes)
    page = render_template("limits/too_many.html", message=message, minutes=minutes)
    return page, 429, headers


def init_app(app: Flask) -> None:
    for key, value in LIMIT_DEFAULTS.items():
        app.config.setdefault(key, value)
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "talent")
    # A Redis outage must not take sign-in down: count in memory until it answers again.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", bool(redis_url))
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, handle_rate_limited)
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        # Trust X-Forwarded-For and X-Forwarded-Proto from exactly this many proxies; never the Host header
        # (links and QR codes use TALENT_PUBLIC_BASE_URL).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
