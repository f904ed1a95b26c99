"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect

from talent.config import load_config

ROOT = Path(__file__).resolve().parent
# Templates and static files sit at the repository root (DESIGN.md); an installed copy ships them inside the
# package as talent/templates and talent/static.
TEMPLATES = ROOT.parent / "templates" if (ROOT.parent / "templates").is_dir() else ROOT / "templates"
STATIC = ROOT.parent / "static" if (ROOT.parent / "static").is_dir() else ROOT / "static"

csrf = CSRFProtect()


def build_app(overrides: dict[str, Any] | None = None) -> Flask:
    config = load_config(overrides)
    app = Flask(
        "talent",
        instance_path=config["INSTANCE_PATH"],
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
    )
    app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"] + 64 * 1024
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from talent import api as api_package
    from talent import auth, errors, i18n, logs, web
    from talent.db import db
    from talent.services.accounts import use_password_profile

    use_password_profile(app.config["PASSWORD_HASHING"])
    logs.configure_logging(app)
    db.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    errors.init_app(app)
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

    return app
