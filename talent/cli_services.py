"""``talent services``: the daily clock of card-holder service requests (docs/policy.md §10)."""

from __future__ import annotations

import datetime as dt

import click

from talent.cli_dates import parse_date as _parse_date


@click.group("services")
def services() -> None:
    """Services for card holders (特事特办)."""


@services.command("escalate")
@click.option("--as-of", "as_of", callback=_parse_date, default=None, help="The day (default: today).")
def escalate_command(as_of: dt.date | None) -> None:
    """Escalate overdue requests to the lead officers, and close the open requests of expired cards."""
    from talent import create_app
    from talent.db import db
    from talent.services import service_requests as service
    from talent.services.workflow import today

    app = create_app()
    day = as_of or today()
    with app.app_context(), db.command_transaction() as session:
        closed = service.close_requests_of_expired_cards(session, as_of=day)
        escalated = service.escalate_overdue(session, as_of=day)
        for request in escalated:
            click.echo(f"request {request.id} ({request.service}): overdue since {request.due_on.isoformat()}, "
                       "escalated")
    click.echo(f"{len(escalated)} request(s) escalated, {closed} closed (card expired) as of {day.isoformat()}.")
