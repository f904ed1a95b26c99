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


def _versions_and_differences(engine) -> tuple[set[str], list]:
    with engine.connect() as connection:
        versions = set(MigrationContext.configure(connection).get_current_heads())
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return versions, compare_metadata(context, Base.metadata)


def test_init_db_is_idempotent(app, db_session):
    """A second upgrade at head changes nothing: the same revisions (every head of the scripts), still no
    difference from the models, and the rows already there are kept."""
    from alembic.script import ScriptDirectory

    from talent.migrate import alembic_config, upgrade
    from talent.models import Role, User

    engine = app.extensions["talent.engine"]
    script = ScriptDirectory.from_config(alembic_config())

    def applied(revisions: set[str]) -> set[str]:
        """Every revision the given ones stand on (down revisions and `depends_on`): a head that another
        branch depends on is not kept in the version table, so compare what is applied, not the rows."""
        return {r.revision for head in revisions for r in script.revision_map.iterate_revisions(head, "base")}

    heads = set(script.get_heads())
    versions, differences = _versions_and_differences(engine)
    assert (applied(versions), differences) == (applied(heads), [])
    db_session.add(User(email="kept@example.cn", name="留存", role=Role.APPLICANT, password_hash="x"))
    db_session.commit()

    upgrade(engine)  # already at head: nothing to do, no error

    assert _versions_and_differences(engine) == (versions, [])
    db_session.expire_all()
    assert [user.email for user in db_session.query(User).all()] == ["kept@example.cn"]
