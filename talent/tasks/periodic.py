"""The daily work: closing notice periods that are over, and recording overdue service clocks.

Each run claims (task, Changchun date) in `periodic_runs` inside its own transaction, so however many schedulers
offer it and workers take it, one run does the day's work; a run that fails rolls its claim back with its work
and the retry (or the next hour's offer) does it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from celery import shared_task
from sqlalchemy.exc import OperationalError

CLOSE_NOTICES = "close_notice_periods"
OVERDUE_CLOCKS = "overdue_service_clocks"


def _day(as_of: str | None) -> date:
    from talent.clock import today_in_changchun

    return date.fromisoformat(as_of) if as_of else today_in_changchun()


@shared_task(name="talent.close_notice_periods", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def close_notice_periods_task(self: Any, as_of: str | None = None) -> dict[str, Any]:
    """Close the notice periods that are over on `as_of` (default: today in Changchun), once per day.

    The claim and every case are one transaction; each case runs in a savepoint, so one failing case is
    reported and left untouched while the others are closed (as `talent publicity close` does per case).
    """
    from talent.db import db
    from talent.services.periodic import claim_period
    from talent.services.publicity import close_notice_periods

    day = _day(as_of)
    with db.command_transaction() as session:
        if not claim_period(session, CLOSE_NOTICES, day.isoformat()):
            return {"claimed": False, "as_of": day.isoformat()}
        root = session.get_transaction()

        @contextmanager
        def savepoint() -> Iterator[Any]:
            with session.begin_nested():
                yield session

        results = close_notice_periods(savepoint, as_of=day)
        if session.get_transaction() is not root:
            # A case's conflict rolled the whole transaction back (claim included): start over.
            raise self.retry(countdown=5)
        card_numbers = [r.card_number for r in results if r.card_number]
        if card_numbers:
            from talent.tasks import enqueue

            enqueue("talent.generate_card_pdfs", card_numbers, after_commit_of=session)
    return {
        "claimed": True, "as_of": day.isoformat(),
        "granted": [r.application_id for r in results if r.outcome == "granted"],
        "left_open": [r.application_id for r in results if r.outcome != "granted"],
    }


@shared_task(name="talent.overdue_service_clocks", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def overdue_service_clocks_task(self: Any, as_of: str | None = None) -> dict[str, Any]:
    """Record (and tell people about) the endorsement and review clocks that are past due, once per day."""
    from talent.db import db
    from talent.services.overdue import record_overdue_clocks
    from talent.services.periodic import claim_period

    day = _day(as_of)
    with db.command_transaction() as session:
        if not claim_period(session, OVERDUE_CLOCKS, day.isoformat()):
            return {"claimed": False, "as_of": day.isoformat()}
        recorded = record_overdue_clocks(session, day)
    return {"claimed": True, "as_of": day.isoformat(),
            "overdue": [{"application_id": c.application_id, "kind": c.kind, "due_on": c.due_on.isoformat()}
                        for c in recorded]}


DAILY_SERVICES = "daily_services"


@shared_task(name="talent.daily_services", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def daily_services_task(self: Any, as_of: str | None = None) -> dict[str, Any]:
    """The other daily work, once per Changchun date: apartment offers left unanswered past their deadline count
    as declined (their units are re-offered), card-service requests of expired cards are closed, overdue
    service requests are escalated to the lead officers, and payment and deadline reminders are sent."""
    from talent.db import db
    from talent.services.apartments import expire_offers
    from talent.services.notifications import retry_failed, send_reminders
    from talent.services.periodic import claim_period
    from talent.services.service_requests import close_requests_of_expired_cards, escalate_overdue

    day = _day(as_of)
    with db.command_transaction() as session:
        if not claim_period(session, DAILY_SERVICES, day.isoformat()):
            return {"claimed": False, "as_of": day.isoformat()}
        expired = expire_offers(session, as_of=day)
        closed = close_requests_of_expired_cards(session, as_of=day)
        escalated = escalate_overdue(session, as_of=day)
        reminders = send_reminders(session, day)
        retried = retry_failed(session)
    return {"claimed": True, "as_of": day.isoformat(), "offers_expired": len(expired),
            "requests_closed": closed, "requests_escalated": len(escalated),
            "payment_reminders": reminders.payment_due, "deadline_reminders": reminders.deadline_near,
            "mails_retried": retried}


RETENTION_CHECKS = "retention_checks"


@shared_task(name="talent.retention_checks", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def retention_checks_task(self: Any, as_of: str | None = None) -> dict[str, Any]:
    """Once per Changchun date: ask the graduate and the employer of every hire whose 12 months are up whether
    the graduate still works in Changchun, and count later talent applications with local social insurance as
    confirmations (services.retention)."""
    from talent.db import db
    from talent.services.periodic import claim_period
    from talent.services.retention import run_retention_checks

    day = _day(as_of)
    with db.command_transaction() as session:
        if not claim_period(session, RETENTION_CHECKS, day.isoformat()):
            return {"claimed": False, "as_of": day.isoformat()}
        run = run_retention_checks(session, day)
    return {"claimed": True, "as_of": day.isoformat(), "asked": run.asked,
            "confirmed_by_insurance": run.confirmed_by_insurance}


PROGRAMME_FIGURES = "programme_figures"


@shared_task(name="talent.refresh_programme_figures", bind=True, autoretry_for=(OperationalError,),
             retry_backoff=True, max_retries=5)
def refresh_programme_figures_task(self: Any, as_of: str | None = None, period: str | None = None) -> dict[str, Any]:
    """Once per quarter hour (Changchun time): rebuild the programme's precomputed figures
    (services.programme.refresh_figures), so the statistics are at most about 15 minutes old."""
    from talent.clock import now_in_changchun
    from talent.db import db
    from talent.services.periodic import claim_period
    from talent.services.programme import refresh_figures

    now = now_in_changchun()
    period = period or f"{now:%Y-%m-%dT%H}:{now.minute // 15 * 15:02d}"
    with db.command_transaction() as session:
        if not claim_period(session, PROGRAMME_FIGURES, period):
            return {"claimed": False, "period": period}
        run = refresh_figures(session, _day(as_of))
    return {"claimed": True, "period": period, "as_of": run.as_of.isoformat(), "rows": run.rows,
            "seconds": round(run.seconds, 3)}
