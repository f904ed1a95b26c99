"""Background work on Celery (docs/tasks.md).

Tasks call services and hold no business rules. With `TALENT_REDIS_URL` the broker and the result store are
that Redis and `talent worker` processes run the tasks; without it every task runs in the calling process
(Celery's eager mode), so development needs nothing but SQLite.

Delivery is at least once: a task is acknowledged only when it has finished (`task_acks_late`), a task whose
worker process dies is put back on the queue (`task_reject_on_worker_lost`), and each task is written so that
running it twice does the work once (periodic work claims its period in `periodic_runs`; a shard of the match
refresh replaces each graduate's rows in one transaction).

Each task runs in an application context of its own (a session and a transaction of its own), also in eager
mode inside a web request, whose transaction it never shares.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from celery import Celery
    from celery.result import AsyncResult
    from flask import Flask

log = logging.getLogger("talent.tasks")

# Modules whose tasks the Celery app registers.
TASK_MODULES = ["talent.tasks.periodic", "talent.tasks.mail", "talent.tasks.cards", "talent.tasks.matching"]


# A retried task waits at most this long (seconds): a waiting task is held unacknowledged by a worker, and
# one held past the visibility timeout would be handed to a second worker as well.
MAX_RETRY_WAIT = 180


def visibility_timeout(config: dict[str, Any]) -> int:
    """TASK_VISIBILITY_TIMEOUT (seconds); a warning when it is not above the longest retry wait."""
    seconds = int(config.get("TASK_VISIBILITY_TIMEOUT") or 300)
    if seconds <= MAX_RETRY_WAIT:
        log.warning("TASK_VISIBILITY_TIMEOUT %d s is not above the longest retry wait (%d s): a retried task may "
                    "be handed to two workers", seconds, MAX_RETRY_WAIT)
    return seconds


def broker_transport_options(config: dict[str, Any]) -> dict[str, Any]:
    """Redis transport: the visibility timeout, and how often each worker looks for tasks past it (every
    tenth of the timeout, 1–10 s; kombu's default looks every ~100 s, which would add that much to a
    redelivery)."""
    seconds = visibility_timeout(config)
    return {"visibility_timeout": seconds, "unacked_restore_interval": min(10, max(1, seconds // 10)),
            "unacked_restore_throttle": 1}


def celery_settings(config: dict[str, Any]) -> dict[str, Any]:
    """Celery's configuration from the platform's."""
    from talent.tasks.schedule import beat_schedule

    redis_url = config.get("REDIS_URL")
    return {
        "broker_url": redis_url or "memory://",
        "result_backend": redis_url or "cache+memory://",
        "task_always_eager": not redis_url,
        "task_default_queue": config.get("TASK_QUEUE") or "talent",
        "task_eager_propagates": True,
        "task_store_eager_result": False,
        # Nothing is lost when a worker dies: acknowledge after the work, requeue what a dead process held.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        # A task a worker took but never acknowledged (the whole worker was killed) is handed out again after
        # this many seconds (default 5 min); longer than the longest task (a shard of the refresh: seconds, a
        # minute or two with the fit on a loaded machine) and the longest retry wait (MAX_RETRY_WAIT).
        "broker_transport_options": broker_transport_options(config),
        "result_backend_transport_options": {"visibility_timeout": visibility_timeout(config)},
        "result_expires": 24 * 3600,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "timezone": "Asia/Shanghai",
        "enable_utc": True,
        "beat_schedule": beat_schedule(),
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
        "include": TASK_MODULES,
    }


def celery_for(app: Flask) -> Celery:
    """The Celery application of a Flask application (made on first use: web processes that never enqueue
    anything do not import Celery)."""
    existing = app.extensions.get("talent.celery")
    if existing is not None:
        return existing
    from celery import Celery, Task

    class AppTask(Task):
        """Runs in an application context of its own (its own session and transaction)."""

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=AppTask)
    celery.conf.update(celery_settings(app.config))
    for module in TASK_MODULES:
        __import__(module)
    celery.set_default()
    app.extensions["talent.celery"] = celery
    return celery


def prepare_worker(app: Flask) -> Celery:
    """The Celery application of a worker process (`talent worker`): its forked pool processes open database
    connections of their own."""
    from celery.signals import worker_process_init

    @worker_process_init.connect(weak=False)
    def _fresh_connections(**_kwargs: Any) -> None:
        # A forked pool process must not share the parent's database connections.
        app.extensions["talent.engine"].dispose(close=False)

    return celery_for(app)


def queue_configured(app: Flask | None = None) -> bool:
    """True when tasks go to workers through Redis (False: they run in the calling process)."""
    if app is None:
        from flask import current_app

        app = current_app._get_current_object()  # type: ignore[attr-defined]
    return bool(app.config.get("REDIS_URL"))


def enqueue(name: str, *args: Any, after_commit_of: Any = None, **kwargs: Any) -> AsyncResult | None:
    """Send the task `name` with these arguments (run it now, in eager mode).

    With `after_commit_of=session`, the task is sent only once that session's transaction commits, and never
    if it rolls back (returns None then).
    """
    from flask import current_app

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    celery = celery_for(app)
    task = celery.tasks[name]
    if after_commit_of is None:
        return task.apply_async(args=args, kwargs=kwargs)
    from talent.commit_hooks import after_commit

    after_commit(after_commit_of, lambda: task.apply_async(args=args, kwargs=kwargs))
    return None


def worker_app() -> Celery:
    """The Celery application `talent worker` runs (also for `celery -A talent.tasks.worker_app worker`)."""
    from talent import create_app

    return prepare_worker(create_app())
