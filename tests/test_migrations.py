"""The Alembic migrations produce exactly the schema the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from talent.db import Base


def test_migrations_match_the_models(app):
    engine = app.extensions["talent.engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_init_db_is_idempotent(app):
    from talent.migrate import upgrade

    upgrade(app.extensions["talent.engine"])  # already at head: nothing to do, no error
