"""The city-wide refresh of stored matches: one task per shard of consenting graduates.

The ranking and storing is the service `talent.services.match_store` (`graduate_shards`, `refresh_shard`):
each shard replaces each of its graduates' stored matches in one transaction, so a shard that is retried
after its worker was killed leaves every graduate with either the old or the new set.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from celery import shared_task
from sqlalchemy.exc import OperationalError

DEFAULT_SHARD_SIZE = 2000
REFRESH_MATCHES = "refresh_matches"


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat()


@shared_task(name="talent.refresh_match_shard", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def refresh_match_shard_task(self: Any, graduate_ids: list[int], computed_at: str) -> int:
    """Rank and store the matches of these graduates; returns how many were refreshed."""
    from talent.db import db
    from talent.services import match_store

    with db.command_transaction() as session:
        return match_store.refresh_shard(session, graduate_ids, datetime.fromisoformat(computed_at))


@shared_task(name="talent.refresh_graduate_matches", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def refresh_graduate_matches_task(self: Any, graduate_ids: list[int]) -> int:
    """Store these graduates' matches now (sent after a graduate saves the profile): ranked with the model of
    the latest refresh this worker knows, so the graduate need not wait for the nightly refresh."""
    from talent.db import db
    from talent.services import match_store

    with db.command_transaction() as session:
        return match_store.refresh_graduates(session, graduate_ids)


def start_refresh(shard_size: int = DEFAULT_SHARD_SIZE, *, after_commit_of: Any = None,
                  computed_at: datetime | None = None) -> tuple[Any, int, int]:
    """Split the consenting graduates into shards and send one task each.

    Returns (the group's result — None in eager mode or when sent after a commit —, shards, graduates). In eager
    mode the shards run here, one after the other, before this returns.
    """
    from celery import group
    from flask import current_app

    from talent.db import db
    from talent.services import match_store
    from talent.tasks import celery_for

    celery = celery_for(current_app._get_current_object())  # type: ignore[attr-defined]
    session = db.session
    shards = match_store.graduate_shards(session, shard_size)
    moment = (computed_at or datetime.now(UTC)).isoformat()
    task = celery.tasks["talent.refresh_match_shard"]
    signatures = group(task.s(shard, moment) for shard in shards)
    graduates = sum(len(shard) for shard in shards)
    if not shards:
        return None, 0, 0
    if after_commit_of is not None:
        from talent.commit_hooks import after_commit

        after_commit(after_commit_of, lambda: signatures.apply_async())
        return None, len(shards), graduates
    return signatures.apply_async(), len(shards), graduates


@shared_task(name="talent.refresh_matches_daily", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def refresh_matches_daily_task(self: Any, day: str | None = None) -> dict[str, Any]:
    """The nightly refresh, once per Changchun date: claim the day, then send the shards after the commit."""
    from talent.clock import today_in_changchun
    from talent.db import db
    from talent.services.periodic import claim_period

    period = day or today_in_changchun().isoformat()
    with db.command_transaction() as session:
        if not claim_period(session, REFRESH_MATCHES, period):
            return {"claimed": False, "period": period}
        _result, shards, graduates = start_refresh(after_commit_of=session)
    return {"claimed": True, "period": period, "shards": shards, "graduates": graduates}
