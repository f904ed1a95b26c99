"""``talent publicity``: close the public notice periods that are over and issue the cards (API.md)."""

from __future__ import annotations

import datetime as dt
import sys

import click

from talent.cli_dates import parse_date as _parse_date


@click.group("publicity")
def publicity() -> None:
    """Public notice (公示) periods."""


@publicity.command("close")
@click.option("--as-of", "as_of", callback=_parse_date, default=None,
              help="Close the periods that are over on this date (YYYY-MM-DD; default: today in Changchun).")
def close_command(as_of: dt.date | None) -> None:
    """End every notice period that is over on DATE: issue the cards and payment schedules where no objection is
    pending or upheld. One transaction per case; prints what it did."""
    from talent import create_app
    from talent.db import db
    from talent.services.publicity import close_notice_periods
    from talent.services.workflow import today

    app = create_app()
    day = as_of or today()
    with app.app_context():
        results = close_notice_periods(db.command_transaction, as_of=day)
    granted = [r for r in results if r.outcome == "granted"]
    for result in results:
        if result.outcome == "granted":
            card = f"card {result.card_number}" if result.card_number else "no card (not eligible)"
            click.echo(f"application {result.application_id}: granted, {card}")
        else:
            detail = f": {result.message}" if result.message else ""
            click.echo(f"application {result.application_id}: {result.outcome.replace('_', ' ')}{detail}")
    click.echo(f"{len(granted)} notice period(s) closed as of {day.isoformat()}; "
               f"{len(results) - len(granted)} left open.")
    if any(r.outcome == "error" for r in results):
        sys.exit(1)
