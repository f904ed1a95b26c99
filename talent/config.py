"""Configuration: defaults < TALENT_* environment variables (and a .env file) < the mapping passed in."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "INSTANCE_PATH": "./instance",
    "DATABASE_URL": None,  # derived from INSTANCE_PATH when unset
    "SECRET_KEY": None,  # unset: generated once into <instance>/secret_key (development)
    "TOKEN_MAX_AGE": 12 * 3600,  # seconds an API token stays valid
    "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
    "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
    "LANGUAGES": ["zh_Hans_CN", "en"],
    "PUBLIC_BASE_URL": None,  # used in card QR codes; defaults to the request's host
    "SMTP_URL": None,  # smtp://[user:pass@]host:port; unset: e-mails are written under <instance>/outbox
    "MAIL_FROM": None,  # sender of the platform's e-mails (talent.mail.DEFAULT_SENDER when unset)
    "REDIS_URL": None,  # redis://host:port/db: shared rate limits, Celery broker and results; unset: per process
    "TRUSTED_PROXIES": 0,  # reverse-proxy hops whose X-Forwarded-For/-Proto are believed (ProxyFix)
    "ID_KEY": None,  # kid:key[,kid:key…] encrypting ID numbers; unset: generated once into <instance>/id_key
    "LOG_JSON": True,
    "PASSWORD_HASHING": "recommended",  # Argon2id cost profile; the test suite uses "cheapest"
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "STORAGE_URL": None,  # file:///path or s3://bucket/prefix; unset: file://<instance>/files
    "S3_ENDPOINT_URL": None,  # an S3-compatible store's address (MinIO, moto, …); unset: AWS
    "TASK_QUEUE": "talent",  # the Celery queue the platform's tasks go to and its workers read
    # Seconds after which a task taken by a worker that died whole (not acknowledged) is handed out again; must
    # exceed the longest task and the longest retry wait (docs/tasks.md).
    "TASK_VISIBILITY_TIMEOUT": 300,
    "ENV": "development",  # development | production (talent.production)
    "PORT": 5000,  # the development server's port: its address is the public base URL in development
}

# Environment variables that configure the platform (API.md fixes the first three names).
ENVIRONMENT = {
    "TALENT_DATABASE_URL": "DATABASE_URL",
    "TALENT_INSTANCE_PATH": "INSTANCE_PATH",
    "TALENT_SECRET_KEY": "SECRET_KEY",
    "TALENT_TOKEN_MAX_AGE": "TOKEN_MAX_AGE",
    "TALENT_PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
    "TALENT_LOG_JSON": "LOG_JSON",
    "TALENT_SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "TALENT_SMTP_URL": "SMTP_URL",
    "TALENT_MAIL_FROM": "MAIL_FROM",
    "TALENT_REDIS_URL": "REDIS_URL",
    "TALENT_STORAGE_URL": "STORAGE_URL",
    "TALENT_S3_ENDPOINT_URL": "S3_ENDPOINT_URL",
    "TALENT_TASK_QUEUE": "TASK_QUEUE",
    "TALENT_TASK_VISIBILITY_TIMEOUT": "TASK_VISIBILITY_TIMEOUT",
    "TALENT_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "TALENT_ID_KEY": "ID_KEY",
    "TALENT_ENV": "ENV",
    "PORT": "PORT",
}

_INTEGER_KEYS = {"TOKEN_MAX_AGE", "TRUSTED_PROXIES", "PORT", "TASK_VISIBILITY_TIMEOUT"}
_BOOLEAN_KEYS = {"LOG_JSON", "SESSION_COOKIE_SECURE"}
_process_secret: str | None = None


def _from_environment(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for variable, key in ENVIRONMENT.items():
        raw = environ.get(variable)
        if raw is None or raw == "":
            continue
        if key in _INTEGER_KEYS:
            values[key] = int(raw)
        elif key in _BOOLEAN_KEYS:
            values[key] = raw.strip().lower() in {"1", "true", "yes", "on"}
        else:
            values[key] = raw
    return values


def load_config(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Merge the defaults, the environment and the overrides, and derive what is left unset."""
    global _process_secret
    if environ is None:
        try:
            from dotenv import load_dotenv

            load_dotenv(override=False)
        except ImportError:  # pragma: no cover - python-dotenv is a dependency
            pass
        environ = dict(os.environ)
    config = dict(DEFAULTS)
    config.update(_from_environment(environ))
    config.update(overrides or {})
    config["SECRET_KEY_SET"] = bool(config.get("SECRET_KEY"))  # given, not made up below (talent.production)
    config["ENV"] = str(config.get("ENV") or "development").strip().lower()

    instance = Path(config["INSTANCE_PATH"]).resolve()
    config["INSTANCE_PATH"] = str(instance)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'talent.db'}"
    config.setdefault("UPLOAD_PATH", str(instance / "uploads"))
    config.setdefault("MODEL_PATH", str(instance / "models"))
    if "SESSION_COOKIE_SECURE" not in config:
        # Served over HTTPS (as the public base URL says)? Then the cookie is never sent over plain HTTP.
        config["SESSION_COOKIE_SECURE"] = str(config.get("PUBLIC_BASE_URL") or "").startswith("https://")
    config["REMEMBER_COOKIE_SECURE"] = config["SESSION_COOKIE_SECURE"]
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = instance_secret(instance, "secret_key")
    return config


def instance_secret(instance: str | Path, name: str) -> str:
    """A development key kept in the instance folder: generated once, then read by every process.

    Several processes starting at once (gunicorn workers, Celery workers) must agree on one key: the key is
    written to a private temporary file (mode 0600) and linked to its final name, which fails when another
    process got there first; every process then reads the file that won.
    """
    global _process_secret
    folder = Path(instance)
    path = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}-")  # mode 0600
            try:
                with os.fdopen(descriptor, "w", encoding="ascii") as out:
                    out.write(secrets.token_urlsafe(48))
                    out.flush()
                    os.fsync(out.fileno())
                try:
                    os.link(temporary, path)  # atomic: exactly one process creates the key
                    log.warning("TALENT_SECRET_KEY is not set: generated a development key in %s", path)
                except FileExistsError:
                    pass
            finally:
                os.unlink(temporary)
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
        raise OSError(f"{path} is empty")
    except OSError as error:  # a read-only instance folder: fall back to a key of this process
        if _process_secret is None:
            _process_secret = secrets.token_urlsafe(48)
            log.warning("could not keep a development key in %s (%s): using a random key for this process; "
                        "sessions and API tokens will not survive a restart", path, error)
        return _process_secret
