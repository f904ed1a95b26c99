"""The database: engine, session, declarative base, and the one place that commits.

Services receive the session, change objects and flush; they never commit. A web request commits in
`after_request` when the response is a success and rolls back otherwise; a CLI command commits when it
returns (`command_transaction`). That keeps every state change and its audit event in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import JSON, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON that is JSONB on PostgreSQL.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _sqlite_begin_before_savepoint(connection: Any, _name: str) -> None:
            # pysqlite opens its transaction lazily, at the first INSERT/UPDATE/DELETE; a SAVEPOINT issued
            # before any of them would run outside a transaction and its release would commit for real. Open
            # the transaction first, so a later rollback undoes everything. (Reads stay outside a transaction,
            # as with pysqlite's default, so a session sees what other sessions committed.)
            dbapi_connection = connection.connection.dbapi_connection
            if not dbapi_connection.in_transaction:
                dbapi_connection.execute("BEGIN")

    return engine


class Database:
    """Owns the engine and hands out one session per application context."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["talent.db"] = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions["talent.engine"] = engine

        @app.after_request
        def _commit_on_success(response: Any) -> Any:
            session = g.pop("_talent_session", None)
            if session is not None:
                try:
                    if response.status_code < 400:
                        session.commit()
                    else:
                        session.rollback()
                finally:
                    session.close()
            return response

        @app.teardown_appcontext
        def _close(_exc: BaseException | None) -> None:
            session = g.pop("_talent_session", None)
            if session is not None:
                session.rollback()
                session.close()

    @property
    def engine(self) -> Engine:
        return current_app.extensions["talent.engine"]

    @property
    def session(self) -> Session:
        session = g.get("_talent_session")
        if session is None:
            session = current_app.extensions["talent.db"]()
            g._talent_session = session
        return session

    @contextmanager
    def command_transaction(self) -> Iterator[Session]:
        """One transaction for a CLI command: commit when the block ends, roll back on error."""
        session = self.session
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            g.pop("_talent_session", None)
            session.close()


db = Database()
