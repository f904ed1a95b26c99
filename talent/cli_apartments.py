"""``talent apartments``: run or verify a round's allocation, expire unanswered offers, import a unit list."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from talent.cli_dates import parse_date as _parse_date


@click.group("apartments")
def apartments() -> None:
    """Youth-talent apartments (docs/policy.md §9)."""


@apartments.command("allocate")
@click.option("--round", "round_id", type=int, required=True, help="The round's id.")
@click.option("--verify", is_flag=True,
              help="Re-run the allocation from the published seed and inputs and compare with the published result.")
@click.option("--on", "on", callback=_parse_date, default=None, help="The closing day (default: today).")
def allocate_command(round_id: int, verify: bool, on: dt.date | None) -> None:
    """Close an open round and allocate it (publishing seed, inputs and result), or verify a closed one."""
    from talent import create_app
    from talent.db import db
    from talent.services import ServiceError
    from talent.services import apartments as service

    app = create_app()
    with app.app_context():
        try:
            if verify:
                with db.command_transaction() as session:
                    round_ = service.get_round(session, round_id)
                    check = service.verify_stored_round(round_)
                    offers = len(round_.result["offers"]) if round_.result else 0
                if check.ok:
                    click.echo(f"round {round_id}: verified: the seed matches the commitment, the inputs match their "
                               f"digest, and the re-run gives the same {offers} offers and waiting list.")
                    return
                for problem in check.problems:
                    click.echo(f"round {round_id}: {problem}", err=True)
                sys.exit(1)
            with db.command_transaction() as session:
                round_ = service.close_round(session, None, round_id, on=on)
                result = round_.result or {}
                click.echo(f"round {round_id}: allocated; {len(result.get('offers', []))} offers, "
                           f"{len(result.get('waiting', []))} waiting, {len(result.get('excluded', []))} left out; "
                           f"seed {round_.seed}, inputs' digest {round_.inputs_digest}")
        except ServiceError as error:
            click.echo(f"Error: {error.message}", err=True)
            sys.exit(1)


@apartments.command("expire-offers")
@click.option("--as-of", "as_of", callback=_parse_date, default=None,
              help="Offers whose answer was due before this day count as declined (default: today).")
def expire_offers_command(as_of: dt.date | None) -> None:
    """Unanswered offers count as declined; their units go to the waiting list."""
    from talent import create_app
    from talent.db import db
    from talent.services import apartments as service
    from talent.services.workflow import today

    app = create_app()
    day = as_of or today()
    with app.app_context(), db.command_transaction() as session:
        expired = service.expire_offers(session, as_of=day)
    for item in expired:
        again = f"re-offered as offer {item.reoffer_id}" if item.reoffer_id else "unit free again"
        click.echo(f"offer {item.offer_id}: expired; {again}")
    click.echo(f"{len(expired)} offer(s) expired as of {day.isoformat()}.")


@apartments.command("import-units")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_units_command(path: Path) -> None:
    """Import a unit list (.csv or .xlsx: community, building, number, type, area_m2); all rows or none."""
    from talent import create_app
    from talent.db import db
    from talent.services import ServiceError
    from talent.services import apartments as service

    app = create_app()
    try:
        with app.app_context(), db.command_transaction() as session:
            count = service.add_units(session, None, service.read_unit_file(path.name, path.read_bytes()),
                                      source=path.name)
    except ServiceError as error:
        click.echo(f"Error: {error.message}", err=True)
        for field, messages in error.errors.items():
            click.echo(f"  {field}: {' '.join(messages)}", err=True)
        sys.exit(1)
    click.echo(f"{count} unit(s) imported.")
