"""Server-rendered pages, one blueprint per audience."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from talent.web import (
        applicant,
        cards_public,
        credentials,
        dashboard,
        eligibility,
        employer,
        endorsements,
        graduate,
        jobs_pages,
        officer,
        officer_employers,
        public,
        public_notice,
        simulations,
    )

    for module in (public, applicant, officer, employer, eligibility, jobs_pages, graduate, officer_employers,
                   endorsements, public_notice, cards_public, credentials, dashboard, simulations):
        app.register_blueprint(module.bp)

    from talent.web import apartments, service_requests  # issue 11

    for module in (apartments, service_requests):
        app.register_blueprint(module.bp)

    from talent.web import hiring_pages  # issue 12: applications to posts, pipeline, placements

    app.register_blueprint(hiring_pages.bp)

    from talent.web.filters import register_filters

    register_filters(app)

    from talent.web import notifications, officer_tools

    app.register_blueprint(notifications.bp)
    notifications.register(app)
    app.register_blueprint(officer_tools.bp)
    from talent.web import match_display

    match_display.register(app)
    from talent.web import events_pages  # issue 12: recruitment events and training bases

    app.register_blueprint(events_pages.bp)
    events_pages.register(app)
