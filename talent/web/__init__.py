"""Server-rendered pages, one blueprint per audience."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from talent.web import (
        applicant,
        cards_public,
        eligibility,
        employer,
        endorsements,
        graduate,
        jobs_pages,
        officer,
        officer_employers,
        public,
        public_notice,
    )

    for module in (public, applicant, officer, employer, eligibility, jobs_pages, graduate, officer_employers,
                   endorsements, public_notice, cards_public):
        app.register_blueprint(module.bp)

    from talent.web import apartments, service_requests  # issue 11

    for module in (apartments, service_requests):
        app.register_blueprint(module.bp)

    from talent.web.filters import register_filters

    register_filters(app)
