"""``talent notifications``: the periodic reminders (payment due, deadline near) and mail retries."""

from __future__ import annotations

import datetime as dt

import click

from talent.cli_dates import parse_date as _parse_date


@click.group("notifications")
def notifications() -> None:
    """Inbox messages and e-mail."""


@notifications.command("send-reminders")
@click.option("--as-of", "as_of", callback=_parse_date, default=None,
              help="Remind of what is due around this date (YYYY-MM-DD; default: today in Changchun).")
def send_reminders_command(as_of: dt.date | None) -> None:
    """Remind applicants of instalments due within a week, and employers and officers of service clocks with
    two working days or fewer left. Each reminder is sent once; run it daily. Mails leave after the commit;
    mails that failed before are tried again."""
    from talent import create_app
    from talent.db import db
    from talent.services.notifications import retry_failed, send_reminders
    from talent.services.workflow import today

    app = create_app()
    day = as_of or today()
    with app.app_context():
        with db.command_transaction() as session:
            counts = send_reminders(session, day)
            retried = retry_failed(session)
    click.echo(f"As of {day.isoformat()}: {counts.payment_due} payment reminder(s), "
               f"{counts.deadline_near} deadline reminder(s); {retried} failed mail(s) tried again.")
