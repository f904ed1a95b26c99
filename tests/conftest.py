"""Shared fixtures: the app on every configured database, a client, a live server and a browser.

Every database test runs on SQLite, and also on PostgreSQL when TALENT_TEST_DATABASE_URL is set. Each
backend gets its schema from the Alembic migrations once per session (in a private PostgreSQL schema that is
dropped at the end), and every table is emptied after each test, so each test leaves the database as it
found it.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from talent import create_app
from talent.db import Base, make_engine
from talent.migrate import upgrade

DEMO_EMAILS = {
    "applicant@demo.talent.cc", "employer@demo.talent.cc", "officer@demo.talent.cc",
    "officer2@demo.talent.cc", "admin@demo.talent.cc",
}
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TALENT_TEST_DATABASE_URL") else [])
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _postgres_url_with_schema(base_url: str, schema: str) -> str:
    url = make_url(base_url)
    query = dict(url.query)
    query["options"] = f"-csearch_path={schema}"
    return url.set(query=query).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database for one backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    base_url = os.environ["TALENT_TEST_DATABASE_URL"]
    schema = f"talent_test_{uuid.uuid4().hex[:12]}"
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


def empty_all_tables(app: Any) -> None:
    engine = app.extensions["talent.engine"]
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PASSWORD_HASHING": "cheapest",
            # Form tests post without CSRF tokens; `csrf_app` keeps protection on to test the refusal.
            "WTF_CSRF_ENABLED": False,
        }
    )
    try:
        yield application
    finally:
        empty_all_tables(application)
        application.extensions["talent.engine"].dispose()


@pytest.fixture
def backend(database_url: str) -> str:
    return "postgresql" if database_url.startswith("postgresql") else "sqlite"


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Any) -> Iterator[Any]:
    """A session of its own, outside any request (and without an app context, which requests would share)."""
    session = app.extensions["talent.db"]()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def csrf_app(database_url: str, tmp_path: Any) -> Iterator[Any]:
    """Like `app`, but keeps CSRF protection on as in production (TESTING does not switch it off here)."""
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PASSWORD_HASHING": "cheapest",
        }
    )
    try:
        yield application
    finally:
        empty_all_tables(application)
        application.extensions["talent.engine"].dispose()


# --- browser tests ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN"}


class LiveServer:
    def __init__(self, app: Any) -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app: Any) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


def seed(app: Any, full: bool = False) -> dict[str, Any]:
    """Load demo data through the real services: by default the demo accounts of each role and the verified
    demo employer; with full=True everything `talent seed-demo` loads (hundreds of jobs and graduates)."""
    from talent.db import db
    from talent.services.demo import seed_accounts, seed_demo, seed_demo_employer

    with app.app_context(), db.command_transaction() as session:
        if full:
            users = seed_demo(session)
        else:
            users = seed_accounts(session)
            seed_demo_employer(session, users)
        return {email: user.id for email, user in users.items() if email in DEMO_EMAILS}
