"""The application factory."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect
from werkzeug.routing import IntegerConverter

from talent.config import load_config

ROOT = Path(__file__).resolve().parent
# Templates and static files sit at the repository root (DESIGN.md); an installed copy ships them inside the
# package as talent/templates and talent/static.
TEMPLATES = ROOT.parent / "templates" if (ROOT.parent / "templates").is_dir() else ROOT / "templates"
STATIC = ROOT.parent / "static" if (ROOT.parent / "static").is_dir() else ROOT / "static"

csrf = CSRFProtect()
_created: list[Flask] = []  # applications built in a preloading gunicorn master (after_fork)


def after_fork() -> None:
    """In a worker just forked from a preloading gunicorn master (talent.gunicorn_conf): forget the database
    connections the master held, without closing them (they are the master's), so that the worker opens its own."""
    for app in _created:
        app.extensions["talent.engine"].dispose(close=False)


class BoundedIntegerConverter(IntegerConverter):
    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=2**31 - 1 if max is None else max,
                         signed=signed)


def build_app(overrides: dict[str, Any] | None = None) -> Flask:
    config = load_config(overrides)
    app = Flask(
        "talent",
        instance_path=config["INSTANCE_PATH"],
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    app.config.update(config)
    from talent import production

    production.init_app(app)
    # Ids in URLs are bounded like the database's integer columns, so an absurd id is a 404, not an overflow.
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"] + 64 * 1024
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from talent import api as api_package
    from talent import auth, errors, i18n, input_limits, keys, limits, logs, web
    from talent.db import db
    from talent.services.accounts import use_password_profile

    use_password_profile(app.config["PASSWORD_HASHING"])
    logs.configure_logging(app)
    db.init_app(app)
    keys.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
    limits.init_app(app)
    input_limits.init_app(app)
    api_package.init_app(app)
    web.init_app(app)
    # The API authenticates with bearer tokens only (never the session cookie), so CSRF tokens do not apply.
    for blueprint in app.blueprints.values():
        if blueprint.url_prefix and blueprint.url_prefix.startswith("/api/"):
            csrf.exempt(blueprint)

    @app.after_request
    def _security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response

    if "gunicorn" in sys.modules and not app.testing:
        from talent.services.match_serving import warm_up

        if os.environ.get("TALENT_PRELOADED_SERVER"):
            # gunicorn with talent.gunicorn_conf: this is the master, before it forks the workers. The model of
            # the recently changed posts is built here, once, and every worker starts with a copy of it; the
            # master's connections are closed so that no worker inherits one.
            warm_up(app, background=False)
            _created.append(app)
            app.extensions["talent.engine"].dispose()
        else:
            # A gunicorn worker that imported the platform itself builds the model in a background thread as it
            # starts, so that its first matches request does not (services.match_serving.warm_up).
            warm_up(app)
    return app
