"""Migration 0017 on a database that already has posts, search documents, profiles and stored sets (SQLite and
PostgreSQL): the profiles get the version their stored set ranked, the search documents their post's creation
time, and a downgrade takes the revision's columns and indexes away again, keeping the rows."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine

from talent.db import Base, make_engine
from talent.migrate import alembic_config, upgrade
from talent.models.jobs import UNMATCHED
from talent.services.job_search import document
from tests.conftest import BACKENDS, _postgres_url_with_schema

REVISION = "0017_city_serving"
BEFORE = "0013_match_sets_compact"
NEW_INDEXES = {
    "applications": {"ix_applications_queue"},
    "job_search_documents": {"ix_job_search_documents_headline", "ix_job_search_documents_created_at"},
    "match_sets": {"ix_match_sets_computed_at"},
    "graduate_profiles": {"ix_graduate_profiles_unmatched"},
}
NEW_COLUMNS = {"job_search_documents": "created_at", "graduate_profiles": "match_set_version"}


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Engine]:
    """An empty database of one backend (a file, or a schema of its own)."""
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield made
        made.dispose()
        return
    base_url = os.environ["TALENT_TEST_DATABASE_URL"]
    schema = f"talent_m17_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    made = make_engine(_postgres_url_with_schema(base_url, schema))
    try:
        yield made
    finally:
        made.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def every_head_but_this_one() -> list[str]:
    """A database deployed before this release: every other branch at its head, this one at its parent."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    assert REVISION in heads  # still a head: nothing built on it yet
    return sorted(heads - {REVISION} | {BEFORE})


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def applied(engine: Engine) -> set[str]:
    """Every revision applied: those in the version table and every one they stand on (a head another branch
    depends on is not kept in the table, tests/test_migrations.py)."""
    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as connection:
        heads = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    return {r.revision for head in heads for r in script.revision_map.iterate_revisions(head, "base")}


def schema_of(engine: Engine) -> dict[str, tuple[set[str], set[str]]]:
    """Per table touched by the revision: its columns and its indexes."""
    found = inspect(engine)
    return {table: ({c["name"] for c in found.get_columns(table)}, {i["name"] for i in found.get_indexes(table)})
            for table in NEW_INDEXES}


def at_utc(value: Any) -> dt.datetime:
    # SQLite hands back naive UTC datetimes (or their text, read through plain SQL), PostgreSQL aware ones.
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def test_0017_backfills_the_set_versions_and_the_documents_dates_and_downgrades(engine):
    for head in every_head_but_this_one():
        upgrade(engine, head)
    before, revisions = schema_of(engine), applied(engine)
    assert REVISION not in revisions
    for table, names in NEW_INDEXES.items():
        assert not names & before[table][1]
    assert all(column not in before[table][0] for table, column in NEW_COLUMNS.items())

    tables = Base.metadata.tables
    postgresql = engine.dialect.name == "postgresql"
    created = [dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC), dt.datetime(2026, 5, 20, 9, 30, 15, 250000, tzinfo=dt.UTC)]
    old, new = dt.datetime(2026, 6, 1, 10, 0, 0, 123456, tzinfo=dt.UTC), dt.datetime(2026, 7, 2, 11, 0, tzinfo=dt.UTC)
    computed = dt.datetime(2026, 6, 15, 2, 30, tzinfo=dt.UTC)
    with engine.begin() as connection:
        # Written as the columns of the models, less the revision's own: the rows an older release left.
        connection.execute(tables["users"].insert(), [
            {"id": n, "email": f"u{n}@example.cn", "name": f"用户{n}", "password_hash": "!",
             "role": "employer" if n == 1 else "applicant"} for n in range(1, 5)])
        connection.execute(tables["employers"].insert().values(
            id=1, name="长春甲软件有限公司", credit_code="91220101MA0000001X", district="220173", kind="enterprise",
            owner_id=1))
        connection.execute(tables["jobs"].insert(), [
            {"id": 10 + n, "employer_id": 1, "title": f"Java开发工程师{n}", "description": "软件工程项目",
             "min_education": "bachelor", "district": "220173", "salary_min": 5000, "salary_max": 9000,
             "headcount": 1, "majors": [], "status": "open", "created_by_id": 1, "created_at": stamp,
             "updated_at": computed} for n, stamp in enumerate(created)])
        connection.execute(tables["job_search_documents"].insert(), [
            {"job_id": 10 + n, "document": document(f"Java开发工程师{n}", "长春甲软件有限公司", "软件工程项目",
                                                    postgresql=postgresql),
             "headline": document(f"Java开发工程师{n}", "长春甲软件有限公司", "", postgresql=postgresql)}
            for n in range(2)])
        # Profile 21: its set ranked it as it is; 22: saved since its set; 23: no set yet.
        connection.execute(tables["graduate_profiles"].insert(), [
            {"id": 20 + n, "user_id": n + 1, "major": "软件工程", "education": "bachelor", "skills": ["Java"],
             "preferred_districts": [], "consent_to_match": True, "created_at": old,
             "updated_at": new if n == 2 else old} for n in (1, 2, 3)])
        connection.execute(tables["match_sets"].insert(), [
            {"graduate_profile_id": profile_id, "computed_at": computed, "profile_updated_at": old, "size": 2,
             "job_ids": [10, 11], "scores": [0.9, 0.8]} for profile_id in (21, 22)])
        connection.execute(tables["job_applications"].insert().values(
            id=30, job_id=10, employer_id=1, graduate_profile_id=21, applicant_id=2, status="applied",
            applied_at=old))

    upgrade(engine)

    after = schema_of(engine)
    for table, names in NEW_INDEXES.items():
        assert names <= after[table][1], table
    with engine.connect() as connection:
        versions = dict(connection.execute(text("SELECT id, match_set_version FROM graduate_profiles")).all())
        assert {key: value and at_utc(value) for key, value in versions.items()} == {21: old, 22: old, 23: None}
        # The index's own condition, evaluated by the database on the backfilled values: the current set is
        # recognised as current (the copied version equals updated_at), the others are not.
        assert set(connection.scalars(select(tables["graduate_profiles"].c.id).where(UNMATCHED))) == {22, 23}
        dates = dict(connection.execute(text("SELECT job_id, created_at FROM job_search_documents")).all())
        assert {key: at_utc(value) for key, value in dates.items()} == {10: created[0], 11: created[1]}

    downgrade(engine, BEFORE)
    assert schema_of(engine) == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM graduate_profiles")).scalar() == 3
        assert connection.execute(text("SELECT count(*) FROM job_search_documents")).scalar() == 2
        assert connection.execute(text("SELECT count(*) FROM match_sets")).scalar() == 2
        assert connection.execute(text("SELECT count(*) FROM job_applications")).scalar() == 1
    assert applied(engine) == revisions  # only this revision was undone, the other branches stay

    upgrade(engine)  # and up again: backfilled once more from the same rows
    assert schema_of(engine) == after
    with engine.connect() as connection:
        assert set(connection.scalars(select(tables["graduate_profiles"].c.id).where(UNMATCHED))) == {22, 23}
