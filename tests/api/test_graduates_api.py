"""The graduate profile and its matches through the HTTP API."""

from __future__ import annotations

import datetime as dt

import pytest

from talent.clock import today_in_changchun
from talent.models import AuditEvent
from talent.models.jobs import GraduateProfile
from tests.api.test_jobs_api import GRADUATE, add_job, build_world

PROFILE = {
    "major": "软件工程",
    "education": "bachelor",
    "graduation_date": "2026-06-30",
    "skills": ["Java", "Spring Boot", "MySQL"],
    "preferred_districts": ["220173"],
    "expected_salary": 8000,
    "consent_to_match": True,
}


@pytest.fixture
def world(app, db_session):
    return build_world(app, db_session)


def put(client, world, who="grad", **changes):
    return client.put("/api/v1/graduates/me", json={**PROFILE, **changes}, headers=world.headers(who))


def profile_events(db_session) -> list[str]:
    return [e.action for e in db_session.query(AuditEvent).filter_by(entity_type="graduate_profile").order_by(AuditEvent.id)]


def test_the_graduate_creates_then_replaces_the_profile_with_audit_events(client, world, db_session):
    assert client.get("/api/v1/graduates/me", headers=world.headers("grad")).status_code == 404
    response = put(client, world)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["major_code"] == "080902"  # a catalogue name gets its code
    assert body["consent_to_match"] is True and body["graduation_date"] == "2026-06-30"

    response = put(client, world, skills="Java、Python，Docker", consent_to_match=False, major="软件工程（嵌入式方向）")
    assert response.status_code == 200
    body = response.get_json()
    assert body["skills"] == ["Java", "Python", "Docker"]  # one text is split at 、 and ，
    assert body["major_code"] is None  # free text outside the catalogue
    assert client.get("/api/v1/graduates/me", headers=world.headers("grad")).get_json() == body
    assert profile_events(db_session) == ["graduate_profile.created", "graduate_profile.consent_withdrawn"]
    assert put(client, world, consent_to_match=True).status_code == 200
    assert profile_events(db_session)[-1] == "graduate_profile.consent_given"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"preferred_districts": ["220173", "110105"]}, "preferred_districts.1"),
        ({"education": "phd"}, "education"),
        ({"major": ""}, "major"),
        ({"major_code": "999999"}, "major_code"),
        ({"expected_salary": -100}, "expected_salary"),
        ({"expected_salary": "8000元"}, "expected_salary"),
        ({"consent_to_match": "yes"}, "consent_to_match"),
        ({"graduation_date": "2026-13-01"}, "graduation_date"),
        ({"skills": {"java": True}}, "skills"),
        ({"id_number": "11010519491231002X"}, "id_number"),
    ],
)
def test_bad_profiles_are_refused_naming_the_field_and_nothing_is_stored(client, world, db_session, changes, field):
    response = put(client, world, **changes)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert db_session.query(GraduateProfile).count() == 0
    assert profile_events(db_session) == []


def test_a_refused_change_keeps_the_previous_profile(client, world, db_session):
    assert put(client, world).status_code == 201
    assert put(client, world, preferred_districts=["南关"]).status_code == 422
    db_session.expire_all()
    assert db_session.query(GraduateProfile).one().preferred_districts == ["220173"]


@pytest.mark.parametrize("who", ["a", "officer"])
def test_only_applicants_have_a_profile(client, world, who):
    assert put(client, world, who).status_code == 403
    assert client.get("/api/v1/graduates/me/matches", headers=world.headers(who)).status_code == 403


def test_the_profile_needs_a_bearer_token(client, world):
    assert client.put("/api/v1/graduates/me", json=PROFILE).status_code == 401
    assert client.get("/api/v1/graduates/me/matches").status_code == 401


def test_matches_need_a_profile_first(client, world):
    response = client.get("/api/v1/graduates/me/matches", headers=world.headers("grad"))
    assert response.status_code == 404
    assert "graduate profile" in response.get_json()["message"]


def test_matches_are_ranked_open_posts_within_reach_with_reasons(client, world, db_session):
    today = today_in_changchun()
    a, b = world.employers["a"], world.employers["b"]
    fitting = add_job(db_session, a)
    other_field = add_job(db_session, b, title="护士", description="负责病房护理工作，护理学专业，持护士执业资格证。",
                          majors=["101101"], district="220102")
    above = add_job(db_session, a, title="算法研究员", min_education="doctor")
    closed = add_job(db_session, a, title="已关闭的Java岗位", status="closed")
    expired = add_job(db_session, b, title="已截止的Java岗位", closing_date=today - dt.timedelta(days=1))
    db_session.commit()
    assert put(client, world).status_code == 201

    response = client.get("/api/v1/graduates/me/matches?limit=10", headers=world.headers("grad"))
    assert response.status_code == 200, response.get_json()
    items = response.get_json()["items"]
    ids = [item["job_id"] for item in items]
    assert ids[0] == fitting.id
    assert other_field.id in ids and ids.index(other_field.id) > ids.index(fitting.id)
    assert above.id not in ids and closed.id not in ids and expired.id not in ids
    best = items[0]
    assert best["job"]["title"] == fitting.title and best["job"]["employer"]["name"] == a.name
    assert best["score"] > items[-1]["score"]
    assert best["why"]["major"] == "same_class"
    assert "Java" in best["why"]["shared_skills"]
    assert "共同技能" in best["why"]["zh"] and "shared skills" in best["why"]["en"]

    one = client.get("/api/v1/graduates/me/matches?limit=1", headers=world.headers("grad")).get_json()["items"]
    assert [m["job_id"] for m in one] == [fitting.id]


def test_a_doctor_may_be_matched_to_posts_of_any_minimum(client, world, db_session):
    above = add_job(db_session, world.employers["a"], title="算法研究员", min_education="doctor")
    db_session.commit()
    assert put(client, world, education="doctor").status_code == 201
    items = client.get("/api/v1/graduates/me/matches", headers=world.headers("grad")).get_json()["items"]
    assert [m["job_id"] for m in items] == [above.id]


@pytest.mark.parametrize("limit", ["0", "101", "x"])
def test_matches_limit_is_checked(client, world, limit):
    assert put(client, world).status_code == 201
    response = client.get(f"/api/v1/graduates/me/matches?limit={limit}", headers=world.headers("grad"))
    assert response.status_code == 422
    assert "limit" in response.get_json()["errors"]


def test_the_shared_graduate_fixture_is_a_valid_profile(client, world):
    # tests elsewhere write GRADUATE straight to the database; the API must accept the same values
    payload = {k: v for k, v in GRADUATE.items()}
    assert put(client, world, **payload).status_code == 201


def test_a_first_save_racing_another_is_a_conflict_and_keeps_the_other(client, world, db_session, monkeypatch):
    from talent.services import graduates as service

    created_meanwhile: list[int] = []

    def not_found_yet(session, user):
        # Another request of the same graduate creates the profile after this one looked, and commits first.
        if not created_meanwhile:
            profile = GraduateProfile(user_id=user.id, major="车辆工程", education="bachelor", consent_to_match=False)
            db_session.add(profile)
            db_session.commit()
            created_meanwhile.append(profile.id)
        return None

    monkeypatch.setattr(service, "profile_of", not_found_yet)
    response = put(client, world)
    assert response.status_code == 409, response.get_data(as_text=True)
    assert "meanwhile" in response.get_json()["message"]
    db_session.expire_all()
    assert [(p.id, p.major) for p in db_session.query(GraduateProfile)] == [(created_meanwhile[0], "车辆工程")]
    assert profile_events(db_session) == []


def _similar_posts(db_session, world):
    """Two equally fitting Java posts: one in a district the graduate does not prefer paying above the
    expectation, one in the preferred district (220173) paying below it; and an irrelevant, well-paid post in the
    preferred district."""
    a, b = world.employers["a"], world.employers["b"]
    far_rich = add_job(db_session, a, district="220102", salary_min=11000, salary_max=15000)
    near_poor = add_job(db_session, b, district="220173", salary_min=5000, salary_max=6000)
    nurse = add_job(db_session, b, title="护士", description="负责病房护理工作，护理学专业，持护士执业资格证。",
                    majors=["101101"], district="220173", salary_min=20000, salary_max=30000)
    db_session.commit()
    return far_rich, near_poor, nurse


@pytest.mark.parametrize("stored", [False, True], ids=["online", "stored set"])
def test_prefer_reorders_posts_of_similar_fit_and_never_lifts_an_irrelevant_one(client, world, db_session, stored):
    far_rich, near_poor, nurse = _similar_posts(db_session, world)
    assert put(client, world).status_code == 201
    if stored:
        from talent.db import utcnow
        from talent.services.match_store import refresh_shard

        profile = db_session.query(GraduateProfile).one()
        assert refresh_shard(db_session, [profile.id], utcnow() + dt.timedelta(minutes=1)) == 1
        db_session.commit()

    def order(query=""):
        response = client.get(f"/api/v1/graduates/me/matches{query}", headers=world.headers("grad"))
        assert response.status_code == 200, response.get_json()
        return [item["job_id"] for item in response.get_json()["items"]]

    default = order()
    assert default.index(nurse.id) == 2  # relevance first, whatever the preferences
    assert order("?prefer=relevance") == default
    assert order("?prefer=near")[:3] == [near_poor.id, far_rich.id, nurse.id]
    assert order("?prefer=pay")[:3] == [far_rich.id, near_poor.id, nurse.id]


def test_an_unknown_prefer_is_refused_naming_the_field(client, world, db_session):
    assert put(client, world).status_code == 201
    response = client.get("/api/v1/graduates/me/matches?prefer=cheapest", headers=world.headers("grad"))
    assert response.status_code == 422
    assert "prefer" in response.get_json()["errors"]
