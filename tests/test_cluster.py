"""The platform as a cluster: two web processes (gunicorn, each with its own instance folder) and two Celery
workers (`talent worker`) against one PostgreSQL database, one Redis and one S3 store (moto's server), as the
README's "Running as a cluster" describes. Checks what the processes must share:

- a session cookie and an API token made on one web process work on the other;
- a file uploaded through one downloads through the other;
- a match refresh is shared by both workers (both process shards), every graduate refreshed once;
- a notice period offered to both workers at once is closed once.

Skips only when TALENT_TEST_DATABASE_URL or Redis is missing (CI has both). Every process is stopped at the end.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import random
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select, text

from talent import create_app
from talent.db import make_engine
from talent.migrate import upgrade
from tests import support_services
from tests.conftest import _postgres_url_with_schema
from tests.support_services import REDIS_URL, free_port, redis_available, stop, wait_for_http

pytestmark = [
    pytest.mark.skipif(not os.environ.get("TALENT_TEST_DATABASE_URL"), reason="needs TALENT_TEST_DATABASE_URL"),
    pytest.mark.skipif(not redis_available(), reason=f"needs Redis at {REDIS_URL}"),
]

s3_server = support_services.s3_server  # fixture
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
SHARED_SECRET = "test-secret-key"  # what tests.services.workflow_support signs tokens with
PASSWORD = "Cluster2026pass"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
START_TIMEOUT = 120  # generous: a loaded machine; on a quiet one the processes are up within seconds


class Cluster:
    def __init__(self, env: dict[str, str], base: Path) -> None:
        self.env = env
        self.base = base
        self.processes: list[subprocess.Popen] = []
        self.logs: dict[str, Path] = {}
        self.web: list[str] = []

    def start(self, name: str, command: list[str], instance: str) -> subprocess.Popen:
        log = self.base / f"{name}.log"
        self.logs[name] = log
        env = {**self.env, "TALENT_INSTANCE_PATH": str(self.base / instance)}
        with open(log, "wb") as out:
            process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append(process)
        return process

    def start_web(self, name: str) -> None:
        port = free_port()
        process = self.start(name, [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
                                    "--timeout", "60", "talent:create_app()"], f"{name}-instance")
        self.web.append(f"http://127.0.0.1:{port}")
        self._web_processes = [*getattr(self, "_web_processes", []), process]

    def start_worker(self, name: str) -> None:
        self.start(name, [str(BIN / "talent"), "worker", "--concurrency", "1", "--hostname", f"{name}@%h",
                          "--without-mingle", "--without-gossip", "--without-heartbeat"], f"{name}-instance")

    def wait_until_ready(self) -> None:
        for url, process in zip(self.web, self._web_processes, strict=True):
            wait_for_http(f"{url}/healthz", timeout=START_TIMEOUT, process=process)
        deadline = time.monotonic() + START_TIMEOUT
        for name, log in self.logs.items():
            if not name.startswith("worker"):
                continue
            while b" ready." not in log.read_bytes():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not start:\n{log.read_text(errors='replace')[-3000:]}")
                time.sleep(0.1)

    def log(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")

    def stop(self) -> None:
        # SIGQUIT: gunicorn's quick shutdown and Celery's cold shutdown (nothing is running any more).
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT)
        for process in self.processes:
            stop(process, timeout=15)


@pytest.fixture(scope="module")
def cluster_database() -> Iterator[str]:
    base_url = os.environ["TALENT_TEST_DATABASE_URL"]
    schema = f"talent_cluster_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _postgres_url_with_schema(base_url, schema)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def cluster(cluster_database, s3_server, tmp_path_factory) -> Iterator[tuple[Cluster, Any]]:
    """Started once for the module's tests (they use different accounts and cases)."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    queue = f"talent-cluster-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update(s3_server["env"])
    env.update({
        "TALENT_DATABASE_URL": cluster_database,
        "TALENT_REDIS_URL": REDIS_URL,
        "TALENT_TASK_QUEUE": queue,
        "TALENT_SECRET_KEY": SHARED_SECRET,
        "TALENT_ID_KEY": "cluster:" + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="),
        "TALENT_TRUSTED_PROXIES": "1",  # the tests name their client address (X-Forwarded-For)
        "TALENT_STORAGE_URL": f"s3://{s3_server['bucket']}/{queue}",
        "TALENT_S3_ENDPOINT_URL": s3_server["endpoint"],
        "TALENT_LOG_JSON": "false",
    })
    running = Cluster(env, tmp_path)
    credentials = pytest.MonkeyPatch()
    for name, value in s3_server["env"].items():
        credentials.setenv(name, value)  # for the test's own S3 client
    # The test's own view of the cluster (to arrange data and send tasks), configured like the processes.
    app = create_app({"DATABASE_URL": cluster_database, "REDIS_URL": REDIS_URL, "TASK_QUEUE": queue,
                      "SECRET_KEY": SHARED_SECRET, "INSTANCE_PATH": str(tmp_path / "test-instance"),
                      "PASSWORD_HASHING": "cheapest", "STORAGE_URL": env["TALENT_STORAGE_URL"],
                      "S3_ENDPOINT_URL": s3_server["endpoint"]})
    try:
        running.start_web("web-a")
        running.start_web("web-b")
        running.start_worker("worker-1")
        running.start_worker("worker-2")
        running.wait_until_ready()
        yield running, app
    finally:
        running.stop()
        credentials.undo()
        app.extensions["talent.engine"].dispose()
        import redis

        redis.Redis.from_url(REDIS_URL).delete(queue)


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_two_web_processes_and_two_workers_share_one_platform(cluster):
    running, app = cluster
    web_a, web_b = running.web
    from talent.db import db
    from talent.models.applications import Application, ApplicationDocument
    from talent.models.audit import AuditEvent
    from talent.models.cards import Card
    from talent.models.matches import MatchSet
    from talent.models.people import Role
    from tests.api.test_jobs_api import add_employer, add_job, add_profile, add_user
    from tests.services.workflow_support import case_in, make_people, token_for

    # --- a session cookie and an API token made on A work on B ---------------------------------------------
    create_account(app, "cluster@example.cn", "集群用户")
    token = requests.post(f"{web_a}/api/v1/auth/token", timeout=20,
                          json={"email": "cluster@example.cn", "password": PASSWORD}).json()["token"]
    me = requests.get(f"{web_b}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=20)
    assert me.status_code == 200 and me.json()["email"] == "cluster@example.cn"

    browser_a = requests.Session()
    form = browser_a.get(f"{web_a}/login", timeout=20).text
    signed_in = browser_a.post(f"{web_a}/login", timeout=20, allow_redirects=False, data={
        "email": "cluster@example.cn", "password": PASSWORD, "csrf_token": csrf_token(form)})
    assert signed_in.status_code == 302, signed_in.text[:500]
    browser_b = requests.Session()
    browser_b.cookies.set("session", browser_a.cookies["session"])
    account = browser_b.get(f"{web_b}/account", timeout=20)  # → the applicant's home page
    assert account.status_code == 200 and "/login" not in account.url and "集群用户" in account.text
    assert "/login" in requests.get(f"{web_b}/account", timeout=20).url  # without the cookie: sign in first

    # --- arrange: people, a case awaiting endorsement, one under notice, posts and graduates ---------------
    with app.app_context(), db.command_transaction() as session:
        people = make_people(session)
        open_case = case_in(session, people, "awaiting_endorsement")
        noticed = case_in(session, people, "under_notice", owner=people.other_applicant)
        owner = add_user(session, "hr@cluster.example.cn", "王海燕", Role.EMPLOYER)
        employer = add_employer(session, owner, 7)
        for n in range(4):
            add_job(session, employer, title=f"Java开发工程师{n}", salary_max=9000 + 100 * n)
        graduates = [add_profile(session, add_user(session, f"g{n}@cluster.example.cn", f"毕业生{n}", Role.APPLICANT))
                     for n in range(8)]
        applicant_headers, officer_headers = token_for(people.applicant), token_for(people.officer)
        open_case_id, noticed_id, notice_ends_on = open_case.id, noticed.id, noticed.notice_ends_on
        graduate_ids = sorted(p.id for p in graduates)

    # --- a file uploaded through A downloads through B (shared storage: S3) --------------------------------
    uploaded = requests.post(f"{web_a}/api/v1/applications/{open_case_id}/documents", headers=applicant_headers,
                             files={"file": ("合同.pdf", PDF, "application/pdf")}, timeout=20)
    assert uploaded.status_code == 201, uploaded.text
    download = requests.get(f"{web_b}/api/v1/applications/{open_case_id}/documents/{uploaded.json()['id']}",
                            headers=officer_headers, timeout=20)
    assert download.status_code == 200 and download.content == PDF

    # --- a match refresh is shared by both workers ----------------------------------------------------------
    refresh = subprocess.run([str(BIN / "talent"), "match", "refresh", "--wait", "--shard-size", "1",
                              "--timeout", "60"], env={**running.env, "TALENT_INSTANCE_PATH": str(running.base / "cli")},
                             cwd=ROOT, capture_output=True, text=True, timeout=90)
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    assert "8 graduate(s) refreshed in 8 shard(s)" in refresh.stdout
    shards_done = {name: running.log(name).count("talent.refresh_match_shard[") // 2
                   for name in ("worker-1", "worker-2")}
    assert all(count >= 1 for count in shards_done.values()), shards_done
    with app.app_context():
        stored = db.session.execute(select(MatchSet.graduate_profile_id, MatchSet.computed_at)).all()
    assert sorted(p for p, _ in stored) == graduate_ids and len({c for _, c in stored}) == 1

    # --- a notice period offered to both workers at once is closed once -------------------------------------
    from talent.tasks import enqueue

    with app.app_context():
        offers = [enqueue("talent.close_notice_periods", notice_ends_on.isoformat()) for _ in range(2)]
        outcomes = [offer.get(timeout=60) for offer in offers]
    assert sorted(o["claimed"] for o in outcomes) == [False, True]
    assert [o["granted"] for o in outcomes if o["claimed"]] == [[noticed_id]]
    with app.app_context():
        session = db.session
        assert session.get(Application, noticed_id).status == "granted"
        assert session.scalar(select(func.count()).select_from(Card)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "application.close_notice")) == 1
        assert session.scalar(select(func.count()).select_from(ApplicationDocument)) == 1
    # The batch of card PDFs the close enqueued reached the shared storage.
    card_number = _card_number(app, noticed_id)
    deadline = time.monotonic() + 30
    from talent.storage import storage_for

    while not storage_for(app).exists(f"cards/{card_number}.pdf"):
        assert time.monotonic() < deadline, "the card PDF was not stored"
        time.sleep(0.2)
    assert storage_for(app).get(f"cards/{card_number}.pdf").startswith(b"%PDF-")


def create_account(app: Any, email: str, name: str) -> None:
    """An applicant with PASSWORD, made through the service (registering through the API would spend the
    registration limit of 127.0.0.1, which lives in the shared Redis)."""
    from talent.db import db
    from talent.services.accounts import create_user

    with app.app_context(), db.command_transaction() as session:
        create_user(session, email=email, password=PASSWORD, name=name, role="applicant")


def _card_number(app: Any, application_id: int) -> str:
    from talent.db import db
    from talent.models.cards import Card

    with app.app_context():
        return db.session.scalar(select(Card.number).where(Card.application_id == application_id))


@pytest.mark.skipif(importlib.util.find_spec("talent.limits") is None,
                    reason="shared sign-in limits (Flask-Limiter on Redis, talent/limits.py) are not on this branch yet")
def test_failed_sign_ins_on_both_web_processes_count_together(cluster):
    running, app = cluster
    web_a, web_b = running.web
    # An account and a client address of this run only: the counters live in the shared Redis for 15 minutes.
    email = f"guess-{uuid.uuid4().hex[:8]}@example.cn"
    client = {"X-Forwarded-For": f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"}
    create_account(app, email, "被猜者")
    statuses = []
    for attempt in range(12):
        target = web_a if attempt % 2 == 0 else web_b
        statuses.append(requests.post(f"{target}/api/v1/auth/token", timeout=20, headers=client,
                                      json={"email": email, "password": "wrong-password-1"}).status_code)
    # Ten failures in all (five on each process) reach the account's limit: the next attempts are refused on
    # both, even with the right password.
    assert statuses[:10] == [401] * 10, statuses
    assert statuses[10:] == [429, 429], statuses
    right = requests.post(f"{web_a}/api/v1/auth/token", timeout=20, headers=client,
                          json={"email": email, "password": PASSWORD})
    assert right.status_code == 429
