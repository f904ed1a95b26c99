"""CSCO-2022 occupation codes on posts through the HTTP API: the platform suggests, the employer confirms or
changes, bad codes are refused naming the field, and search filters by a code or the prefix of a group (on
SQLite and PostgreSQL, like every test here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from talent.db import utcnow
from talent.models import AuditEvent
from talent.models.jobs import Job
from talent.names.occupations import occupation_name
from talent.services.occupations import suggest
from tests.api.test_jobs_api import World, add_job, build_world, post


@pytest.fixture
def world(app: Any, db_session: Any) -> World:
    return build_world(app, db_session)


def test_a_post_without_a_code_stores_the_best_suggestion_unconfirmed(client, world, db_session):
    response = post(client, world)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    expected = suggest(body["title"], body["description"])
    assert body["occupation_code"] == expected[0].code and body["occupation_confirmed"] is False
    assert body["occupation_name"] == occupation_name(expected[0].code) and body["occupation_name"]
    assert [s["code"] for s in body["occupation_suggestions"]] == [s.code for s in expected]
    assert len(body["occupation_suggestions"]) == 3
    job = db_session.get(Job, body["id"])
    assert (job.occupation_code, job.occupation_confirmed) == (expected[0].code, False)


def test_a_code_the_employer_gives_is_stored_confirmed_with_the_audit_event(client, world, db_session):
    response = post(client, world, occupation_code="4-04-05-01")  # 计算机程序设计员, not the top suggestion
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["occupation_code"], body["occupation_confirmed"]) == ("4-04-05-01", True)
    assert body["occupation_name"] == "计算机程序设计员"
    event = db_session.query(AuditEvent).filter_by(entity_type="job", action="job.posted").one()
    assert (event.after["occupation_code"], event.after["occupation_confirmed"]) == ("4-04-05-01", True)


def test_unknown_or_malformed_codes_are_refused_naming_the_field(client, world, db_session):
    for bad in ("9-99-99-99", "2020103", "2-02-10-3"):
        response = post(client, world, occupation_code=bad)
        assert response.status_code == 422, bad
        assert "occupation_code" in response.get_json()["errors"], response.get_json()
    assert db_session.query(Job).count() == 0


def test_the_employer_confirms_changes_or_hands_back_the_choice(client, world, db_session):
    job_id = post(client, world).get_json()["id"]
    headers = world.headers("a")
    suggested = db_session.get(Job, job_id).occupation_code

    confirmed = client.patch(f"/api/v1/jobs/{job_id}", json={"occupation_code": suggested}, headers=headers)
    assert confirmed.status_code == 200 and confirmed.get_json()["occupation_confirmed"] is True
    # A new title leaves a confirmed code alone...
    renamed = client.patch(f"/api/v1/jobs/{job_id}", json={"title": "病房护士"}, headers=headers).get_json()
    assert (renamed["occupation_code"], renamed["occupation_confirmed"]) == (suggested, True)
    # ...null hands the choice back: the suggestion for the new words, unconfirmed.
    handed_back = client.patch(f"/api/v1/jobs/{job_id}", json={"occupation_code": None}, headers=headers).get_json()
    nurse = suggest("病房护士", renamed["description"])[0].code
    assert (handed_back["occupation_code"], handed_back["occupation_confirmed"]) == (nurse, False)
    # An unconfirmed code follows the words.
    retitled = client.patch(f"/api/v1/jobs/{job_id}", json={"title": "会计"}, headers=headers).get_json()
    assert retitled["occupation_code"] == suggest("会计", renamed["description"])[0].code != nurse
    refused = client.patch(f"/api/v1/jobs/{job_id}", json={"occupation_code": "1-99-99-99"}, headers=headers)
    assert refused.status_code == 422 and "occupation_code" in refused.get_json()["errors"]
    assert client.get(f"/api/v1/jobs/{job_id}").get_json()["occupation_code"] == retitled["occupation_code"]
    actions = [e.action for e in db_session.query(AuditEvent).filter_by(entity_type="job").order_by(AuditEvent.id)]
    assert actions == ["job.posted", "job.updated", "job.updated", "job.updated", "job.updated"]


def test_search_filters_by_code_or_group_prefix(client, world, db_session):
    a = world.employers["a"]
    start = utcnow() - dt.timedelta(hours=1)
    coded = {
        "programmer": "4-04-05-01",  # 计算机程序设计员
        "software": "2-02-10-03",  # 计算机软件工程技术人员
        "electric": "2-02-11-01",  # 电工电器工程技术人员
        "nurse": "2-05-08-01",  # 内科护士
        "none": None,
    }
    ids = {}
    for minutes, (key, code) in enumerate(coded.items()):
        ids[key] = add_job(db_session, a, title=f"岗位{key}", occupation_code=code, occupation_confirmed=True,
                           updated_at=start + dt.timedelta(minutes=minutes)).id
    db_session.commit()

    def found(occupation: str) -> set[str]:
        response = client.get("/api/v1/jobs", query_string={"occupation": occupation, "per_page": 50})
        assert response.status_code == 200, response.get_json()
        by_id = {v: k for k, v in ids.items()}
        return {by_id[item["id"]] for item in response.get_json()["items"]}

    assert found("2-02-10-03") == {"software"}
    assert found("2-02") == {"software", "electric"}
    assert found("2") == {"software", "electric", "nurse"}
    assert found("4-04-05") == {"programmer"}
    assert found("2-03") == set()
    for bad in ("2-", "22", "2-2", "x"):
        response = client.get("/api/v1/jobs", query_string={"occupation": bad})
        assert response.status_code == 422 and "occupation" in response.get_json()["errors"], bad


def test_job_lines_for_the_model_carry_the_code(world, db_session):
    from talent.services.jobs import job_record

    job = add_job(db_session, world.employers["a"], occupation_code="2-02-10-03")
    assert job_record(job)["occupation_code"] == "2-02-10-03"
    plain = add_job(db_session, world.employers["a"])
    assert "occupation_code" not in job_record(plain)
