"""Tasks on a real Redis: e-mail is queued only when the transaction commits, and a worker process killed in the
middle of sending a message does not lose it (acks late: the message goes back to the queue and is sent by the
next process). Skips when Redis does not answer (CI has it at 127.0.0.1:6379)."""

from __future__ import annotations

import json
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
import uuid
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from typing import Any

import pytest

from talent import create_app
from talent.mail import send_mail
from tests.support_services import REDIS_URL, free_port, needs_redis, stop

pytestmark = needs_redis
BIN = Path(sys.executable).parent


def queued_tasks(queue: str) -> list[str]:
    import redis

    return [json.loads(raw)["headers"]["task"] for raw in redis.Redis.from_url(REDIS_URL).lrange(queue, 0, -1)]


@pytest.fixture
def queue() -> Any:
    import redis

    name = f"talent-test-{uuid.uuid4().hex[:8]}"
    yield name
    redis.Redis.from_url(REDIS_URL).delete(name)


def test_mail_is_queued_after_the_commit_and_never_after_a_rollback(app, queue):
    from sqlalchemy import text

    from talent.db import db

    app.config.update(REDIS_URL=REDIS_URL, TASK_QUEUE=queue)
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # a transaction is open
        assert send_mail("a@example.cn", "回滚", "never sent").startswith("queued:")
        assert queued_tasks(queue) == []  # not before the commit
        db.session.rollback()
        assert queued_tasks(queue) == []  # and never after a rollback

        db.session.execute(text("SELECT 1"))
        send_mail("b@example.cn", "提交", "sent")
        assert queued_tasks(queue) == []
        db.session.commit()
        assert queued_tasks(queue) == ["talent.deliver_mail"]

        send_mail("c@example.cn", "无事务", "no transaction: queued at once")
        assert queued_tasks(queue) == ["talent.deliver_mail"] * 2
    assert not (Path(app.config["INSTANCE_PATH"]) / "outbox").exists()  # nothing delivered in this process


class FakeSmtp(socketserver.ThreadingTCPServer):
    """An SMTP server whose first connection hangs (the worker is killed while it waits) and whose later ones
    accept the message."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int) -> None:
        self.connections = 0
        self.first_connection = threading.Event()
        self.release = threading.Event()
        self.delivered: list[bytes] = []
        self.delivery = threading.Event()
        super().__init__(("127.0.0.1", port), SmtpHandler)


class SmtpHandler(socketserver.StreamRequestHandler):
    server: FakeSmtp

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self.server.connections += 1
        if self.server.connections == 1:
            self.server.first_connection.set()
            self.server.release.wait(timeout=120)  # never greets: the client waits until it is killed
            return
        self.reply("220 fake ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 fake")
            elif command.startswith(("MAIL", "RCPT")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                self.server.delivered.append(data)
                self.server.delivery.set()
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


def pool_children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry.name))
    return children


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the worker's pool process through /proc")
def test_a_worker_killed_while_sending_an_email_does_not_lose_it(tmp_path, queue):
    smtp = FakeSmtp(free_port())
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    smtp_url = f"smtp://127.0.0.1:{smtp.server_address[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update({"TALENT_INSTANCE_PATH": str(tmp_path / "worker"), "TALENT_REDIS_URL": REDIS_URL,
                "TALENT_TASK_QUEUE": queue, "TALENT_SMTP_URL": smtp_url, "TALENT_SECRET_KEY": "k" * 40,
                "TALENT_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}"})
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen([str(BIN / "talent"), "worker", "--concurrency", "1", "--without-mingle",
                                   "--without-gossip", "--without-heartbeat"], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}", "INSTANCE_PATH": str(tmp_path / "web"),
                      "SECRET_KEY": "k" * 40, "REDIS_URL": REDIS_URL, "TASK_QUEUE": queue, "SMTP_URL": smtp_url})
    try:
        with app.app_context():
            send_mail("li.na@example.cn", "您的申请已受理", "申请编号 CC-2026-000001。")
        assert smtp.first_connection.wait(timeout=120), log.read_text(errors="replace")[-3000:]
        # The worker's pool process is in the middle of sending: kill it.
        children = pool_children(worker.pid)
        assert len(children) == 1, children
        os.kill(children[0], signal.SIGKILL)
        assert smtp.delivery.wait(timeout=120), log.read_text(errors="replace")[-3000:]
        time.sleep(0.5)
        assert len(smtp.delivered) == 1 and smtp.connections == 2
        message = message_from_bytes(smtp.delivered[0], policy=email_policy.default)
        assert message["To"] == "li.na@example.cn" and message["Subject"] == "您的申请已受理"
        assert queued_tasks(queue) == []
    finally:
        smtp.release.set()
        stop(worker, timeout=20)
        smtp.shutdown()
        smtp.server_close()
        app.extensions["talent.engine"].dispose()


def test_a_worker_killed_in_the_middle_of_a_refresh_shard(app, backend, db_session, tmp_path, queue):
    """The shard's pool process is killed while its transaction waits (the test holds a lock on the stored
    sets): the graduates keep their old sets, the shard is handed out again (acks late, rejected on worker
    loss), and in the end every graduate has the new set, all of one refresh."""
    if backend != "postgresql":
        pytest.skip("holds a table lock to stop the shard in the middle (PostgreSQL)")
    import datetime as dt

    from sqlalchemy import func, select, text

    from talent.models import Role
    from talent.models.matches import MatchSet
    from talent.services import match_store
    from talent.tasks import celery_for
    from tests.api.test_jobs_api import add_employer, add_job, add_profile, add_user

    employer = add_employer(db_session, add_user(db_session, "hr@kill.example.cn", "王海燕", Role.EMPLOYER), 3)
    for n in range(5):
        add_job(db_session, employer, title=f"Java开发工程师{n}", salary_max=9000 + 100 * n)
    ids = [add_profile(db_session, add_user(db_session, f"k{n}@example.cn", f"毕业生{n}", Role.APPLICANT)).id
           for n in range(4)]
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    match_store.refresh_shard(db_session, ids, old)
    db_session.commit()

    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update({"TALENT_INSTANCE_PATH": str(tmp_path / "worker"), "TALENT_REDIS_URL": REDIS_URL,
                "TALENT_TASK_QUEUE": queue, "TALENT_SECRET_KEY": "k" * 40,
                "TALENT_DATABASE_URL": app.config["DATABASE_URL"]})
    log = tmp_path / "worker.log"
    with open(log, "wb") as out:
        worker = subprocess.Popen([str(BIN / "talent"), "worker", "--concurrency", "1", "--without-mingle",
                                   "--without-gossip", "--without-heartbeat"], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    app.config.update(REDIS_URL=REDIS_URL, TASK_QUEUE=queue)
    blocker = app.extensions["talent.db"]()
    try:
        blocker.execute(text("LOCK TABLE match_sets IN ACCESS EXCLUSIVE MODE"))
        new = dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)
        with app.app_context():
            shard = celery_for(app).tasks["talent.refresh_match_shard"].apply_async(args=(ids, new.isoformat()))
        waiting = text("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                       " AND query ILIKE '%match_sets%'")
        probe = app.extensions["talent.engine"]
        deadline = time.monotonic() + 120
        while True:  # until the shard's transaction waits for the lock: it is in the middle
            with probe.connect() as connection:
                if connection.execute(waiting).first():
                    break
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        children = pool_children(worker.pid)
        assert len(children) == 1, children
        os.kill(children[0], signal.SIGKILL)
        time.sleep(1)
        # The killed transaction changed nothing: every graduate still has the old set.
        assert {c for c in blocker.scalars(select(MatchSet.computed_at))} == {old}
        assert blocker.scalar(select(func.count()).select_from(MatchSet)) == 4
        blocker.rollback()  # the lock goes; the shard runs again in a new pool process

        assert shard.get(timeout=120) == 4
        stored = db_session.execute(select(MatchSet.graduate_profile_id, MatchSet.computed_at)).all()
        assert sorted(p for p, _ in stored) == sorted(ids)
        assert {c for _, c in stored} == {new}
        assert "WorkerLostError" in log.read_text(errors="replace") or "signal 9" in log.read_text(errors="replace")
    finally:
        blocker.rollback()
        blocker.close()
        stop(worker, timeout=20)


def test_the_scheduler_starts_with_the_schedule_in_the_instance_folder(tmp_path, queue):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update({"TALENT_INSTANCE_PATH": str(tmp_path / "scheduler"), "TALENT_REDIS_URL": REDIS_URL,
                "TALENT_TASK_QUEUE": queue, "TALENT_SECRET_KEY": "k" * 40,
                "TALENT_DATABASE_URL": f"sqlite:///{tmp_path / 'scheduler.db'}"})
    log = tmp_path / "scheduler.log"
    with open(log, "wb") as out:
        scheduler = subprocess.Popen([str(BIN / "talent"), "scheduler", "--loglevel", "DEBUG"], env=env,
                                     stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "beat: Starting" not in log.read_text(errors="replace"):
            assert scheduler.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
        while not list((tmp_path / "scheduler").glob("celerybeat-schedule*")):
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
        while "match-refresh" not in log.read_text(errors="replace"):  # the schedule is logged at DEBUG
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            time.sleep(0.2)
        text = log.read_text(errors="replace")
        for entry in ("close-notice-periods talent.close_notice_periods", "<crontab: 5 * * * *",
                      "overdue-service-clocks talent.overdue_service_clocks", "<crontab: 15 * * * *",
                      "match-refresh talent.refresh_matches_daily", "<crontab: 30 2-5 * * *"):
            assert entry in text, text[-3000:]
    finally:
        stop(scheduler, timeout=20)


@pytest.mark.slow  # two worker starts and the visibility timeout: about a minute on a loaded machine
def test_a_worker_killed_whole_mid_shard_has_its_task_redone_by_another_after_the_visibility_timeout(
        app, backend, db_session, tmp_path, queue):
    """The whole worker (parent and pool process, SIGKILL to its process group) dies while its shard's
    transaction waits on a lock: nobody rejects the task, it stays unacknowledged in Redis. Another worker takes
    it after TALENT_TASK_VISIBILITY_TIMEOUT (5 s here) and stores every graduate's new set; until then each
    graduate keeps the old one."""
    if backend != "postgresql":
        pytest.skip("holds a table lock to stop the shard in the middle (PostgreSQL)")
    import datetime as dt

    from sqlalchemy import select, text

    from talent.models import Role
    from talent.models.matches import MatchSet
    from talent.services import match_store
    from talent.tasks import celery_for
    from tests.api.test_jobs_api import add_employer, add_job, add_profile, add_user

    employer = add_employer(db_session, add_user(db_session, "hr@whole.example.cn", "王海燕", Role.EMPLOYER), 3)
    for n in range(5):
        add_job(db_session, employer, title=f"Java开发工程师{n}", salary_max=9000 + 100 * n)
    ids = [add_profile(db_session, add_user(db_session, f"w{n}@example.cn", f"毕业生{n}", Role.APPLICANT)).id
           for n in range(4)]
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    match_store.refresh_shard(db_session, ids, old)
    db_session.commit()
    old_sets = sorted(db_session.execute(select(MatchSet.graduate_profile_id, MatchSet.job_ids)).all())
    db_session.rollback()  # no transaction left open on the table the test locks

    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update({"TALENT_INSTANCE_PATH": str(tmp_path / "worker"), "TALENT_REDIS_URL": REDIS_URL,
                "TALENT_TASK_QUEUE": queue, "TALENT_SECRET_KEY": "k" * 40, "TALENT_TASK_VISIBILITY_TIMEOUT": "5",
                "TALENT_DATABASE_URL": app.config["DATABASE_URL"]})

    def start_worker(name: str) -> subprocess.Popen:
        out = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 — closed with the test's tmp_path
        return subprocess.Popen([str(BIN / "talent"), "worker", "--concurrency", "1", "--hostname", f"{name}@%h",
                                 "--without-mingle", "--without-gossip", "--without-heartbeat"], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

    app.config.update(REDIS_URL=REDIS_URL, TASK_QUEUE=queue, TASK_VISIBILITY_TIMEOUT=5)
    first = start_worker("first")
    second = None
    blocker = app.extensions["talent.db"]()
    try:
        blocker.execute(text("LOCK TABLE match_sets IN ACCESS EXCLUSIVE MODE"))
        new = dt.datetime(2026, 12, 3, 2, 30, tzinfo=dt.UTC)
        with app.app_context():
            shard = celery_for(app).tasks["talent.refresh_match_shard"].apply_async(args=(ids, new.isoformat()))
        waiting = text("SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                       " AND query ILIKE '%match_sets%'")
        probe = app.extensions["talent.engine"]
        deadline = time.monotonic() + 120
        while True:  # until the shard's transaction waits for the lock: it is in the middle
            if "refresh_match_shard" in (tmp_path / "first.log").read_text(errors="replace").split("ready.", 1)[-1] \
                    and pool_children(first.pid):
                with probe.connect() as connection:
                    if connection.execute(waiting).first():
                        break
            assert time.monotonic() < deadline, (tmp_path / "first.log").read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        os.killpg(first.pid, signal.SIGKILL)  # the parent too: nobody is left to give the task back
        first.wait(timeout=10)
        killed_at = time.monotonic()
        blocker.rollback()  # the lock goes; the dead worker's transaction is rolled back by PostgreSQL
        time.sleep(1)
        stored = sorted(db_session.execute(select(MatchSet.graduate_profile_id, MatchSet.job_ids)).all())
        assert stored == old_sets  # the killed shard changed nothing
        assert {c for c in db_session.scalars(select(MatchSet.computed_at))} == {old}
        db_session.rollback()
        assert queued_tasks(queue) == []  # not waiting in the queue: held, unacknowledged, by the dead worker

        second = start_worker("second")
        assert shard.get(timeout=120) == 4
        assert time.monotonic() - killed_at >= 4  # handed out again only after the visibility timeout
        db_session.expire_all()
        stored = db_session.execute(select(MatchSet.graduate_profile_id, MatchSet.computed_at)).all()
        assert sorted(p for p, _ in stored) == sorted(ids)
        assert {c for _, c in stored} == {new}
        assert "refresh_match_shard" in (tmp_path / "second.log").read_text(errors="replace")
    finally:
        blocker.rollback()
        blocker.close()
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
