"""Production mode (`TALENT_ENV=production`): the checks that keep a public deployment from starting half-configured,
and the public address every outside link is built from.

Production refuses to start without
- a secret key (`TALENT_SECRET_KEY`) of at least 32 bytes: a per-process random key would give each gunicorn
  worker its own, so sessions, CSRF tokens and API tokens would fail at random;
- `TALENT_ID_KEY` (the key that encrypts ID numbers at rest);
- an https `TALENT_PUBLIC_BASE_URL`: card QR codes and e-mail links are built from it, never from the request's
  Host header (which a client chooses).
It then sends HSTS, marks cookies Secure, and refuses demo data and the published demo password.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context

DEVELOPMENT = "development"
PRODUCTION = "production"
ENVIRONMENTS = (DEVELOPMENT, PRODUCTION)
MIN_SECRET_KEY_BYTES = 32
HSTS = "max-age=31536000; includeSubDomains"
# The demo accounts' password is printed by `make run` and in the README: never valid in production.
PUBLISHED_PASSWORDS = frozenset({"demo-pass-2026"})


class ProductionConfigError(RuntimeError):
    """The configuration is not fit for production; `problems` lists every missing or weak setting."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("TALENT_ENV=production refuses to start:\n  - " + "\n  - ".join(problems))


def configuration_problems(config: dict[str, Any]) -> list[str]:
    """Every reason `config` may not run in production (empty when it may)."""
    problems = []
    secret = config.get("SECRET_KEY") or ""
    # A key the platform made up for itself (per process, or in one machine's instance folder) does not count.
    if not config.get("SECRET_KEY_SET", True) or len(str(secret).encode()) < MIN_SECRET_KEY_BYTES:
        problems.append(f"TALENT_SECRET_KEY must be set to a random value of at least {MIN_SECRET_KEY_BYTES} bytes "
                        '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))")')
    if not config.get("ID_KEY"):
        problems.append("TALENT_ID_KEY must be set (the key that encrypts ID numbers at rest)")
    base = str(config.get("PUBLIC_BASE_URL") or "")
    parts = urlsplit(base)
    if parts.scheme != "https" or not parts.netloc:
        problems.append("TALENT_PUBLIC_BASE_URL must be the site's https:// address (QR codes and e-mail links)")
    return problems


def is_production(config: dict[str, Any] | None = None) -> bool:
    if config is None:
        if not has_app_context():
            return False
        config = current_app.config
    return config.get("ENV") == PRODUCTION


def check_environment_name(config: dict[str, Any]) -> None:
    if config.get("ENV") not in ENVIRONMENTS:
        raise ProductionConfigError([f"TALENT_ENV must be one of {', '.join(ENVIRONMENTS)}, not {config.get('ENV')!r}"])


def public_base_url(config: dict[str, Any] | None = None) -> str:
    """The site's address with a trailing slash: TALENT_PUBLIC_BASE_URL, or in development the development
    server's own address (never the request's Host header, which the client chooses)."""
    if config is None:
        config = current_app.config
    base = config.get("PUBLIC_BASE_URL") or f"http://127.0.0.1:{config.get('PORT') or 5000}/"
    return base if base.endswith("/") else base + "/"


def public_url(path: str) -> str:
    """An absolute link for outside use (QR codes, e-mails): the public base URL joined with `path`."""
    return public_base_url() + path.lstrip("/")


def refuses_password(password: str | None) -> bool:
    """True when `password` is a published (demo) password and the platform runs in production."""
    return password is not None and password in PUBLISHED_PASSWORDS and is_production()


def init_app(app: Flask) -> None:
    """Called by the app factory: check the configuration and, in production, harden the responses."""
    check_environment_name(app.config)
    if not is_production(app.config):
        return
    problems = configuration_problems(app.config)
    if problems:
        raise ProductionConfigError(problems)
    app.config["SESSION_COOKIE_SECURE"] = True
    app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config["PREFERRED_URL_SCHEME"] = "https"

    @app.after_request
    def _strict_transport_security(response: Any) -> Any:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
