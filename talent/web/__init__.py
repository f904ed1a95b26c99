"""Server-rendered pages, one blueprint per audience."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from talent.web import applicant, employer, officer, public

    for module in (public, applicant, officer, employer):
        app.register_blueprint(module.bp)

    from talent.web.filters import register_filters

    register_filters(app)
