"""Migration 0006 writes the search documents of the posts that were already there (SQLite; the PostgreSQL
path is the same code with the tsvector literal, exercised by the loaded benchmark database)."""

from __future__ import annotations

from sqlalchemy import text

from talent.db import make_engine
from talent.migrate import upgrade


def test_posts_written_before_the_revision_get_their_documents(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0004_profiles_updated_at")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (id, email, name, password_hash, role, is_active, credential_version, created_at) "
            "VALUES (1, 'hr@example.cn', '王海燕', '!', 'employer', 1, 1, '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO employers (id, name, credit_code, district, kind, owner_id, created_at) "
            "VALUES (1, '长春甲软件有限公司', '91220101MA0000001X', '220173', 'enterprise', 1, '2026-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO jobs (id, employer_id, title, description, min_education, district, salary_min, salary_max, "
            "headcount, majors, status, created_by_id, created_at, updated_at) VALUES (7, 1, 'Java后端开发', "
            "'软件工程项目', 'bachelor', '220173', 5000, 9000, 1, '[]', 'open', 1, '2026-01-01 00:00:00', "
            "'2026-01-01 00:00:00')"))
    upgrade(engine)
    with engine.connect() as connection:
        job_id, document, headline = connection.execute(
            text("SELECT job_id, document, headline FROM job_search_documents")).one()
    engine.dispose()
    assert job_id == 7
    assert " java " in document and " 软件 " in document and " 工程 " in document and " 甲软 " in document
    assert " java " in headline and " 工程 " not in headline
