"""The date option the `talent` commands share (`--as-of`, `--on`): YYYY-MM-DD, or a clear error."""

from __future__ import annotations

import datetime as dt

import click


def parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use YYYY-MM-DD") from exc
