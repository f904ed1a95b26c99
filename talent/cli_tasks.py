"""`talent worker`, `talent scheduler` and `talent match refresh` (API.md; docs/tasks.md)."""

from __future__ import annotations

import sys
import time
from typing import Any

import click


def _app() -> Any:
    from talent import create_app

    return create_app()


def _celery_needing_redis(command: str) -> Any:
    from talent.tasks import prepare_worker

    app = _app()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            f"talent {command} needs TALENT_REDIS_URL (e.g. redis://127.0.0.1:6379/0); without it every task "
            "runs in the process that asks for it, and no worker is needed")
    return prepare_worker(app)


@click.command("worker", context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: the number of CPUs).")
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.option("--hostname", "-n", default=None, help="Node name (default: celery@<host>).")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(concurrency: int | None, loglevel: str, hostname: str | None, celery_args: tuple[str, ...]) -> None:
    """Run a background worker (Celery) on TALENT_REDIS_URL. Extra arguments go to `celery worker`."""
    celery = _celery_needing_redis("worker")
    argv = ["worker", f"--loglevel={loglevel}"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if hostname:
        argv.append(f"--hostname={hostname}")
    celery.worker_main([*argv, *celery_args])


@click.command("scheduler", context_settings={"ignore_unknown_options": True})
@click.option("--loglevel", "-l", default="INFO", show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def scheduler(loglevel: str, celery_args: tuple[str, ...]) -> None:
    """Run the periodic-task scheduler (Celery beat): notice closing, overdue clocks, match refresh.

    Several schedulers may run (one per machine is harmless): each period's work is claimed once in the
    database. The schedule's state file lives in the instance folder."""
    from pathlib import Path

    celery = _celery_needing_redis("scheduler")
    instance = Path(_instance_path())
    instance.mkdir(parents=True, exist_ok=True)
    celery.start(["beat", f"--loglevel={loglevel}", f"--schedule={instance / 'celerybeat-schedule'}",
                  *celery_args])


def _instance_path() -> str:
    from talent.config import load_config

    return load_config()["INSTANCE_PATH"]


@click.command("refresh")
@click.option("--wait", is_flag=True, help="Block with a progress bar until every shard is done.")
@click.option("--shard-size", type=click.IntRange(min=1, max=100_000), default=None,
              help="Graduates per task (default 2000).")
@click.option("--timeout", type=click.IntRange(min=1), default=None, help="With --wait: give up after SECONDS.")
def refresh(wait: bool, shard_size: int | None, timeout: int | None) -> None:
    """Recompute every consenting graduate's stored matches against the open posts, one task per shard of
    graduates (in this process without TALENT_REDIS_URL)."""
    from talent.tasks.matching import DEFAULT_SHARD_SIZE, start_refresh

    app = _app()
    size = shard_size or DEFAULT_SHARD_SIZE
    queued = bool(app.config.get("REDIS_URL"))
    with app.app_context():
        started = time.monotonic()
        if not queued:
            refreshed, shards = _refresh_here(size, progress=wait)
            click.echo(f"{refreshed} graduate(s) refreshed in {shards} shard(s) in this process "
                       f"({time.monotonic() - started:.1f} s).")
            return
        result, shards, graduates = start_refresh(size)
        if not shards:
            click.echo("No consenting graduates: nothing to refresh.")
            return
        click.echo(f"Sent {shards} shard(s) of up to {size} graduates ({graduates} in all) to the workers; "
                   f"group {result.id}.")
        if not wait:
            return
        refreshed = _wait_for(result, shards, graduates, timeout)
        click.echo(f"{refreshed} graduate(s) refreshed in {shards} shard(s) ({time.monotonic() - started:.1f} s).")


def _refresh_here(shard_size: int, *, progress: bool) -> tuple[int, int]:
    """Eager mode: the shards one after another in this process, each in its own transaction."""
    from flask import current_app

    from talent.db import db
    from talent.services import match_store
    from talent.tasks import celery_for
    from talent.tasks.matching import utc_now_iso

    celery = celery_for(current_app._get_current_object())  # type: ignore[attr-defined]
    shards = match_store.graduate_shards(db.session, shard_size)
    db.session.rollback()
    moment = utc_now_iso()
    task = celery.tasks["talent.refresh_match_shard"]
    bar = _progress_bar(sum(len(s) for s in shards), enabled=progress)
    refreshed = 0
    for shard in shards:
        refreshed += task.apply_async(args=(shard, moment)).get()
        bar.update(len(shard))
    bar.close()
    return refreshed, len(shards)


def _progress_bar(total: int, *, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="graduate", desc="refresh", file=sys.stderr, disable=not enabled)


def _wait_for(result: Any, shards: int, graduates: int, timeout: int | None) -> int:
    deadline = None if timeout is None else time.monotonic() + timeout
    bar = _progress_bar(shards, enabled=True)
    bar.unit = "shard"
    done = 0
    try:
        while True:
            finished = sum(1 for r in result.results if r.ready())
            bar.update(finished - done)
            done = finished
            if done >= shards:
                break
            if deadline is not None and time.monotonic() > deadline:
                raise click.ClickException(f"{shards - done} shard(s) still running after {timeout} s; "
                                           "the workers go on with them")
            time.sleep(0.5)
    finally:
        bar.close()
    failed = [r for r in result.results if r.failed()]
    if failed:
        raise click.ClickException(f"{len(failed)} shard(s) failed: {failed[0].result!r}")
    return sum(int(r.result or 0) for r in result.results)


@click.group("storage")
def storage_group() -> None:
    """Where uploads and generated PDFs live (TALENT_STORAGE_URL)."""


@storage_group.command("copy-uploads")
def copy_uploads() -> None:
    """Copy evidence kept under <instance>/uploads/ by earlier versions into the storage (evidence/<name>),
    e.g. before moving to S3 or to a cluster; files already in storage are left alone."""
    from talent.storage import copy_legacy_uploads, storage_for

    app = _app()
    storage = storage_for(app)
    copied, present = copy_legacy_uploads(app.config["UPLOAD_PATH"], storage)
    click.echo(f"{copied} file(s) copied to {storage.url}, {present} already there.")


def register(main: click.Group) -> None:
    main.add_command(worker)
    main.add_command(scheduler)
    main.add_command(storage_group)
    match = main.commands.get("match")
    if isinstance(match, click.Group):
        match.add_command(refresh)
