"""The platform under real gunicorn as deployed (`-c python:talent.gunicorn_conf`, two workers) on a database made
with `talent init-db` (SQLite, and PostgreSQL when TALENT_TEST_DATABASE_URL is set).

The master preloads the application and its model of the recently changed posts, closes its database connections
and forks the workers (talent.gunicorn_conf, talent.app.after_fork). Checked from outside, as an operator would:

- the master imported the platform and holds no database connection; both workers answer, from the database;
- a worker killed with SIGKILL is replaced, and the replacement (forked from the preloaded master) answers on its
  own (the other worker stopped meanwhile);
- 50 concurrent requests through both workers all succeed, and on PostgreSQL each worker's connections are its
  own (no socket shared between processes).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from talent import create_app
from talent.db import make_engine
from talent.models import Role
from tests.api.test_jobs_api import add_employer, add_job, add_profile, add_user, bearer
from tests.conftest import BACKENDS, _postgres_url_with_schema
from tests.support_services import free_port, stop, wait_for_http

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
SECRET = "test-secret-key"
START_TIMEOUT = 120  # generous: a loaded machine; on a quiet one gunicorn answers within seconds
REPLACEMENT_TIMEOUT = 30  # a killed worker's replacement answers within this (about a second on a quiet machine)


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of one backend (a file, or a schema of its own), given its schema by `talent init-db`."""
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'talent.db'}"
    else:
        schema = f"talent_gunicorn_{uuid.uuid4().hex[:12]}"
        admin = make_engine(os.environ["TALENT_TEST_DATABASE_URL"])
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _postgres_url_with_schema(os.environ["TALENT_TEST_DATABASE_URL"], schema)
    try:
        made = subprocess.run([str(BIN / "talent"), "init-db"], env=environment(url, tmp_path / "init-instance"),
                              cwd=ROOT, capture_output=True, text=True, timeout=START_TIMEOUT)
        assert made.returncode == 0, made.stdout + made.stderr
        yield url
    finally:
        if schema is not None:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def environment(url: str, instance: Path) -> dict[str, str]:
    """The processes' environment: this checkout's code (not the installed copy's), the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "TALENT_DATABASE_URL": url, "TALENT_SECRET_KEY": SECRET, "TALENT_INSTANCE_PATH": str(instance),
        "TALENT_REDIS_URL": "", "TALENT_LOG_JSON": "false",
    })
    env.pop("WEB_CONCURRENCY", None)
    env.pop("GUNICORN_CMD_ARGS", None)
    return env


def arrange(url: str, tmp_path: Path) -> dict[str, Any]:
    """A verified employer's post and a consenting graduate who fits it, written by the test's own app."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "INSTANCE_PATH": str(tmp_path / "test-instance"),
                      "PASSWORD_HASHING": "cheapest"})
    session = app.extensions["talent.db"]()
    try:
        owner = add_user(session, "hr@a.example.cn", "王海燕", Role.EMPLOYER)
        post = add_job(session, add_employer(session, owner, 1))
        graduate = add_user(session, "li@example.cn", "李明远", Role.APPLICANT)
        profile = add_profile(session, graduate)
        session.commit()
        return {"post": post.id, "title": post.title, "profile": profile.id,
                "employer": bearer(app, owner), "graduate": bearer(app, graduate)}
    finally:
        session.close()
        app.extensions["talent.engine"].dispose()


class Server:
    """gunicorn as deployed, with an access log naming the worker (process id) that answered each request."""

    def __init__(self, url: str, base: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.access = base / "access.log"
        self.errors = base / "gunicorn.log"
        with open(self.errors, "wb") as out:
            self.master = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "python:talent.gunicorn_conf", "-w", "2",
                 "--bind", f"127.0.0.1:{self.port}", "--timeout", "60",
                 "--access-logfile", str(self.access), "--access-logformat", "%(p)s %(s)s %(U)s",
                 "talent:create_app()"],
                env=environment(url, base / "instance"), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.errors.read_text(errors="replace")[-4000:]

    def workers(self, count: int = 2, timeout: float = START_TIMEOUT) -> list[int]:
        """The master's worker processes, once there are `count` of them."""
        deadline = time.monotonic() + timeout
        while True:
            pids = children(self.master.pid)
            if len(pids) == count:
                return pids
            assert time.monotonic() < deadline, f"workers {pids}, expected {count}:\n{self.log()}"
            time.sleep(0.1)

    def answered_by(self) -> dict[int, set[str]]:
        """worker pid → the paths it answered with 200, from the access log."""
        found: dict[int, set[str]] = {}
        for line in self.access.read_text().splitlines():
            pid, status, path = line.split(" ", 2)
            if status == "200":
                found.setdefault(int(pid.strip("<>")), set()).add(path)  # gunicorn writes <pid>
        return found

    def stop(self) -> None:
        if self.master.poll() is None:
            self.master.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown
            try:
                self.master.wait(timeout=15)
            except subprocess.TimeoutExpired:
                stop(self.master)


def children(parent: int) -> list[int]:
    """The live child processes of `parent` (from /proc: the field after the command's closing parenthesis)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(ppid) == parent and state != "Z":
            found.append(int(entry.name))
    return sorted(found)


def database_files(pid: int, url: str) -> list[str]:
    """The open files of a process that are the SQLite database (or its journal)."""
    path = url.removeprefix("sqlite:///")
    names = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith(path):
            names.append(target)
    return names


def postgres_sockets(pid: int) -> set[int]:
    """The socket inodes a process holds that are TCP connections to PostgreSQL's port."""
    port = int(os.environ["TALENT_TEST_DATABASE_URL"].rsplit(":", 1)[1].split("/")[0])
    to_postgres = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == port:
                to_postgres.add(int(fields[9]))
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inode = int(target[len("socket:["):-1])
            if inode in to_postgres:
                held.add(inode)
    return held


def connections(pid: int, url: str) -> set[Any]:
    return set(postgres_sockets(pid)) if url.startswith("postgresql") else set(database_files(pid, url))


def get(base_url: str, path: str, headers: dict[str, str] | None = None, timeout: float = 30) -> requests.Response:
    return requests.get(f"{base_url}{path}", headers=headers or {}, timeout=timeout)


def burst(server: Server, world: dict[str, Any], count: int = 50) -> list[str]:
    """`count` requests at once (health, a post, its candidates, a graduate's matches); the failures."""
    calls = [("/healthz", None, lambda body: body["status"] == "ok"),
             (f"/api/v1/jobs/{world['post']}", None, lambda body: body["title"] == world["title"]),
             (f"/api/v1/jobs/{world['post']}/candidates", world["employer"],
              lambda body: [item["graduate_id"] for item in body["items"]] == [world["profile"]]),
             ("/api/v1/graduates/me/matches", world["graduate"],
              lambda body: [item["job_id"] for item in body["items"]] == [world["post"]])]

    def one(n: int) -> str | None:
        path, headers, check = calls[n % len(calls)]
        try:
            response = get(server.base_url, path, headers)
        except requests.RequestException as exc:
            return f"{path}: {exc!r}"
        if response.status_code != 200 or not check(response.json()):
            return f"{path}: {response.status_code} {response.text[:300]}"
        return None

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [failure for failure in pool.map(one, range(count)) if failure]


def test_preloaded_gunicorn_workers_answer_survive_a_kill_and_keep_their_own_connections(database, tmp_path):
    world = arrange(database, tmp_path)
    server = Server(database, tmp_path)
    stopped: int | None = None
    try:
        wait_for_http(f"{server.base_url}/healthz", timeout=START_TIMEOUT, process=server.master)
        first, second = server.workers()

        # The master built the platform before forking (its numerical libraries are loaded) and closed the
        # connections it used for that: a worker inherits none.
        maps = Path(f"/proc/{server.master.pid}/maps").read_text()
        assert "_multiarray_umath" in maps, "the master did not preload the application"
        assert connections(server.master.pid, database) == set()

        # Both workers answer, from the database (and with the model the master built).
        deadline = time.monotonic() + START_TIMEOUT
        while not {first, second} <= set(server.answered_by()):
            assert time.monotonic() < deadline, server.answered_by()
            assert burst(server, world, 10) == []
        for pid in (first, second):
            assert {f"/api/v1/jobs/{world['post']}", f"/api/v1/jobs/{world['post']}/candidates"} & \
                server.answered_by()[pid]

        # Many requests at once through both workers: all succeed, each worker on connections of its own.
        assert burst(server, world) == []
        assert connections(server.master.pid, database) == set()
        own = {pid: connections(pid, database) for pid in (first, second)}
        assert own[first] and own[second]
        if database.startswith("postgresql"):
            assert not own[first] & own[second]  # no connection shared between the processes

        # A worker killed: with the other one stopped, only its replacement can answer.
        stopped = second
        os.kill(second, signal.SIGSTOP)
        killed_at = time.monotonic()
        os.kill(first, signal.SIGKILL)
        response = get(server.base_url, f"/api/v1/jobs/{world['post']}/candidates", world["employer"],
                       timeout=REPLACEMENT_TIMEOUT)
        elapsed = time.monotonic() - killed_at
        assert response.status_code == 200, response.text[:500]
        assert [item["graduate_id"] for item in response.json()["items"]] == [world["profile"]]
        assert elapsed < REPLACEMENT_TIMEOUT
        os.kill(second, signal.SIGCONT)
        stopped = None
        replacement = next(pid for pid in server.workers() if pid != second)
        assert replacement not in (first, second)
        assert f"/api/v1/jobs/{world['post']}/candidates" in server.answered_by().get(replacement, set())

        assert burst(server, world) == []
        assert connections(replacement, database)
        if database.startswith("postgresql"):
            assert not connections(replacement, database) & connections(second, database)
        assert server.master.poll() is None
    finally:
        if stopped is not None:
            os.kill(stopped, signal.SIGCONT)
        server.stop()
