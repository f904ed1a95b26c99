"""GET /api/v1/statistics: the dashboard's figures as data, for officers and analysts only, with checked filters."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from talent.models import Role
from talent.models.applications import Application
from tests.services.workflow_support import case_in, make_people, make_user, token_for


@pytest.fixture
def world(db_session):
    people = make_people(db_session)
    for status in ("in_review", "granted", "awaiting_endorsement"):
        case_in(db_session, people, status,
                owner=make_user(db_session, f"{status}@example.cn", "张伟", Role.APPLICANT))
    analyst = make_user(db_session, "analyst@example.cn", "钱analyst", Role.ANALYST)
    db_session.commit()
    return people, analyst


def test_officers_and_analysts_get_the_figures(client, db_session, world):
    people, analyst = world
    for user in (people.officer, analyst):
        response = client.get("/api/v1/statistics", headers=token_for(user))
        assert response.status_code == 200, response.json
        body = response.json
        counted = Counter(a.status for a in db_session.scalars(select(Application)))
        assert {row[0]: row[1] for row in body["panels"]["by_status"]["rows"]} == dict(counted)
        assert body["panels"]["by_status"]["columns"] == ["status", "applications"]
        assert set(body["panels"]) == {"by_status", "by_tier", "by_programme", "by_district", "by_month", "clocks",
                                       "money", "cards", "posts", "apartments", "programme_by_year",
                                       "programme_by_district", "programme_by_industry", "programme_by_education"}
        assert body["open_cases"] == 2


def test_others_are_refused(client, world):
    people, _ = world
    assert client.get("/api/v1/statistics").status_code == 401
    assert client.get("/api/v1/statistics", headers=token_for(people.applicant)).status_code == 403
    assert client.get("/api/v1/statistics", headers=token_for(people.employer_user)).status_code == 403


@pytest.mark.parametrize(("query", "field"), [
    ("district=110101", "district"), ("from=2024-13-01", "from"), ("from=2025-01-02&to=2025-01-01", "to"),
    ("colour=red", "colour"),
])
def test_bad_filters_are_422_naming_the_field(client, world, query, field):
    people, _ = world
    response = client.get(f"/api/v1/statistics?{query}", headers=token_for(people.officer))
    assert response.status_code == 422
    assert field in str(response.json["errors"])


def test_filters_narrow_the_figures(client, world):
    people, _ = world
    response = client.get("/api/v1/statistics?district=220102", headers=token_for(people.officer))
    assert response.status_code == 200
    assert sum(row[1] for row in response.json["panels"]["by_status"]["rows"]) == 0
