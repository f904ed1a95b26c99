"""The periodic schedule (`talent scheduler`, Celery beat), in Changchun time (docs/tasks.md).

The daily tasks are offered every hour and claim their Changchun date in `periodic_runs`: the first offer of a
day does the work, the later ones (and those of any other scheduler) find the day claimed and stop. A scheduler
that was down at midnight therefore catches up within the hour after it starts.
"""

from __future__ import annotations

from typing import Any


def beat_schedule() -> dict[str, dict[str, Any]]:
    from celery.schedules import crontab

    return {
        "close-notice-periods": {"task": "talent.close_notice_periods", "schedule": crontab(minute=5)},
        "overdue-service-clocks": {"task": "talent.overdue_service_clocks", "schedule": crontab(minute=15)},
        "match-refresh": {"task": "talent.refresh_matches_daily", "schedule": crontab(minute=30, hour="2-5")},
        "daily-services": {"task": "talent.daily_services", "schedule": crontab(minute=45)},
        "retention-checks": {"task": "talent.retention_checks", "schedule": crontab(minute=50)},
        "programme-figures": {"task": "talent.refresh_programme_figures", "schedule": crontab(minute="*/15")},
    }
