"""``talent figures``: the programme's precomputed figures (docs/statistics.md)."""

from __future__ import annotations

import datetime as dt

import click

from talent.cli_dates import parse_date as _parse_date


@click.group("figures")
def figures() -> None:
    """The programme's figures: posts developed, applications, hires, retention."""


@figures.command("refresh")
@click.option("--as-of", "as_of", callback=_parse_date, default=None,
              help="The day retention states are worked out for (default: today in Changchun).")
def refresh_command(as_of: dt.date | None) -> None:
    """Rebuild the precomputed figures now (what the 15-minute task does; for cron without Redis)."""
    from talent import create_app
    from talent.db import db
    from talent.services.programme import refresh_figures

    app = create_app()
    with app.app_context(), db.command_transaction() as session:
        run = refresh_figures(session, as_of)
    click.echo(f"programme figures rebuilt as of {run.as_of.isoformat()}: {run.rows} row(s) in {run.seconds:.2f} s.")
