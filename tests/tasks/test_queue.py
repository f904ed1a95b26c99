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
