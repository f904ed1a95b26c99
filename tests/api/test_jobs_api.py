"""Positions through the HTTP API: post, change, close (verified employers only), search, candidates.

The helpers at the top (people, organisations, tokens, posts) are shared by the other jobs test files.
Accounts are created without a password hash (nobody signs in with a password here): tokens are issued by the
real signer and checked by the real bearer authentication, which keeps each test under a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from talent.clock import today_in_changchun
from talent.db import utcnow
from talent.models import AuditEvent, Employer, Role, User
from talent.models.jobs import GraduateProfile, Job
from talent.services import InvalidInput
from talent.services.accounts import issue_token
from talent.services.demo_jobs import demo_credit_code

NO_PASSWORD = "!test-account-without-password"


# --- arranging (shared with the other jobs tests) ---------------------------------------------------------


def add_user(session: Any, email: str, name: str, role: Role) -> User:
    user = User(email=email, name=name, password_hash=NO_PASSWORD, role=role)
    session.add(user)
    session.flush()
    return user


def add_employer(session: Any, owner: User, serial: int, *, verified: bool = True, name: str | None = None) -> Employer:
    employer = Employer(
        name=name or f"长春测试{serial}号科技有限公司", credit_code=demo_credit_code("enterprise", "220173", 900 + serial),
        district="220173", kind="enterprise", owner_id=owner.id, verified_at=utcnow() if verified else None,
    )
    session.add(employer)
    session.flush()
    return employer


def add_job(session: Any, employer: Employer, **fields: Any) -> Job:
    """A post written straight to the database (as another process would), open unless said otherwise."""
    values = {**JOB, **fields}
    now = values.pop("updated_at", None) or utcnow()
    status = values.pop("status", "open")
    job = Job(employer_id=employer.id, created_by_id=employer.owner_id, status=status, created_at=now,
              updated_at=now, **values)
    session.add(job)
    session.flush()
    return job


def add_profile(session: Any, user: User, **fields: Any) -> GraduateProfile:
    values = dict(GRADUATE, **fields)
    profile = GraduateProfile(user_id=user.id, **values)
    session.add(profile)
    session.flush()
    return profile


def bearer(app: Any, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(user, app.config['SECRET_KEY'])}"}


# A software post a software-engineering graduate fits well.
JOB: dict[str, Any] = {
    "title": "Java后端开发工程师",
    "description": "负责政务服务平台后端开发，使用Java、Spring Boot和MySQL。计算机类相关专业，本科及以上学历。",
    "min_education": "bachelor",
    "district": "220173",
    "salary_min": 7000,
    "salary_max": 11000,
    "headcount": 3,
    "majors": ["0809"],
}
GRADUATE: dict[str, Any] = {
    "major": "软件工程",
    "major_code": "080902",
    "education": "bachelor",
    "skills": ["Java", "Spring Boot", "MySQL"],
    "preferred_districts": ["220173"],
    "expected_salary": 8000,
    "consent_to_match": True,
}


@dataclass
class World:
    """Who is who in a test: employers (verified A and B, unverified C, D without organisation), officer,
    graduates, and their tokens."""

    app: Any
    users: dict[str, User]
    employers: dict[str, Employer]

    def headers(self, who: str) -> dict[str, str]:
        return bearer(self.app, self.users[who])


def build_world(app: Any, db_session: Any) -> World:
    users = {
        "a": add_user(db_session, "hr@a.example.cn", "王海燕", Role.EMPLOYER),
        "b": add_user(db_session, "hr@b.example.cn", "刘强", Role.EMPLOYER),
        "c": add_user(db_session, "hr@c.example.cn", "陈晨", Role.EMPLOYER),
        "d": add_user(db_session, "hr@d.example.cn", "赵敏", Role.EMPLOYER),
        "officer": add_user(db_session, "officer@example.cn", "赵建国", Role.OFFICER),
        "grad": add_user(db_session, "li@example.cn", "李明远", Role.APPLICANT),
        "private": add_user(db_session, "zhang@example.cn", "张小雨", Role.APPLICANT),
    }
    employers = {
        "a": add_employer(db_session, users["a"], 1, name="长春甲软件有限公司"),
        "b": add_employer(db_session, users["b"], 2, name="长春乙软件有限公司"),
        "c": add_employer(db_session, users["c"], 3, verified=False, name="长春丙软件有限公司"),
    }
    db_session.commit()
    return World(app, users, employers)


@pytest.fixture
def world(app: Any, db_session: Any) -> World:
    return build_world(app, db_session)


def job_events(db_session: Any) -> list[tuple[str, str]]:
    return [(e.action, e.entity_id) for e in db_session.query(AuditEvent).filter_by(entity_type="job").order_by(AuditEvent.id)]


def post(client: Any, world: World, who: str = "a", **fields: Any) -> Any:
    return client.post("/api/v1/jobs", json=dict(JOB, **fields), headers=world.headers(who))


# --- posting ------------------------------------------------------------------------------------------


def test_a_verified_employer_posts_a_position_with_its_audit_event(client, world, db_session):
    response = post(client, world, closing_date=(today_in_changchun() + dt.timedelta(days=30)).isoformat(),
                    majors=["080902", " 0809 ", "计算机类", "080902"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["employer"]["name"] == "长春甲软件有限公司"
    assert body["status"] == "open" and body["accepting"] is True
    assert body["majors"] == ["080902", "0809", "计算机类"]  # cleaned: trimmed, duplicates dropped
    assert body["district_name"] == "长春高新技术产业开发区"
    job = db_session.get(Job, body["id"])
    assert (job.salary_min, job.salary_max, job.headcount, job.created_by_id) == (7000, 11000, 3, world.users["a"].id)
    event = db_session.query(AuditEvent).filter_by(entity_type="job").one()
    assert event.action == "job.posted" and event.actor_id == world.users["a"].id
    assert event.after["title"] == JOB["title"] and event.after["status"] == "open"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"district": "220199"}, "district", "Changchun"),
        ({"district": "南关区"}, "district", "division code"),
        ({"salary_min": 12000, "salary_max": 9000}, "salary_min", "above salary_max"),
        ({"headcount": -2}, "headcount", "between 1"),
        ({"headcount": 0}, "headcount", "between 1"),
        ({"salary_min": "8000"}, "salary_min", "integer"),
        ({"salary_max": 0}, "salary_max", "between 1"),
        ({"min_education": "phd"}, "min_education", "college"),
        ({"closing_date": "2020-01-01"}, "closing_date", "past"),
        ({"closing_date": "2026-02-30"}, "closing_date", "date"),
        ({"title": "  "}, "title", "empty"),
        ({"majors": ["080902", "9999"]}, "majors.1", "Unknown major code"),
        ({"id": 99}, "id", "assigned by the server"),
        ({"employer": "长春甲软件有限公司"}, "employer", "Unknown field"),
    ],
)
def test_bad_positions_are_refused_naming_the_field_and_nothing_is_stored(client, world, db_session, changes, field,
                                                                         words):
    response = post(client, world, **changes)
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert field in errors, errors
    assert words.lower() in " ".join(errors[field]).lower()
    assert db_session.query(Job).count() == 0
    assert job_events(db_session) == []


def test_every_problem_is_reported_at_once(client, world):
    response = post(client, world, district="999999", salary_min=9000, salary_max=8000, headcount=-1)
    assert set(response.get_json()["errors"]) == {"district", "salary_min", "headcount"}


def test_an_unverified_employer_cannot_post(client, world, db_session):
    response = post(client, world, "c")
    assert response.status_code == 403
    assert "not been verified" in response.get_json()["message"]
    assert db_session.query(Job).count() == 0


def test_an_employer_without_an_organisation_is_told_to_register_it(client, world):
    response = post(client, world, "d")
    assert response.status_code == 403
    assert "Register your organisation" in response.get_json()["message"]


def test_posting_for_another_employers_organisation_is_refused(client, world, db_session):
    response = post(client, world, "a", employer_id=world.employers["b"].id)
    assert response.status_code == 403
    assert db_session.query(Job).count() == 0


@pytest.mark.parametrize("who", ["grad", "officer"])
def test_only_employer_accounts_post(client, world, who):
    assert post(client, world, who).status_code == 403


def test_posting_needs_a_bearer_token(client, world):
    assert client.post("/api/v1/jobs", json=JOB).status_code == 401


# --- changing and closing --------------------------------------------------------------------------------


def test_the_employer_edits_its_post_and_the_change_is_audited(client, world, db_session):
    job_id = post(client, world).get_json()["id"]
    response = client.patch(f"/api/v1/jobs/{job_id}", json={"salary_max": 13000, "headcount": 5},
                            headers=world.headers("a"))
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["salary_max"], response.get_json()["headcount"]) == (13000, 5)
    action, before, after = db_session.query(AuditEvent.action, AuditEvent.before, AuditEvent.after).filter_by(
        entity_type="job").order_by(AuditEvent.id.desc()).first()
    assert action == "job.updated"
    assert (before["salary_max"], after["salary_max"]) == (11000, 13000)


def test_an_edit_is_checked_against_the_fields_it_leaves_alone(client, world, db_session):
    job_id = post(client, world).get_json()["id"]
    response = client.patch(f"/api/v1/jobs/{job_id}", json={"salary_min": 20000}, headers=world.headers("a"))
    assert response.status_code == 422
    assert "above salary_max" in response.get_json()["errors"]["salary_min"][0]
    db_session.expire_all()
    assert db_session.get(Job, job_id).salary_min == 7000
    assert [a for a, _ in job_events(db_session)] == ["job.posted"]


def test_a_change_that_changes_nothing_writes_no_event(client, world, db_session):
    job_id = post(client, world).get_json()["id"]
    response = client.patch(f"/api/v1/jobs/{job_id}", json={"title": JOB["title"]}, headers=world.headers("a"))
    assert response.status_code == 200
    assert [a for a, _ in job_events(db_session)] == ["job.posted"]


def test_another_employers_post_cannot_be_changed_or_closed(client, world, db_session):
    job_id = post(client, world).get_json()["id"]
    for payload in ({"title": "被改掉的标题"}, {"status": "closed"}):
        response = client.patch(f"/api/v1/jobs/{job_id}", json=payload, headers=world.headers("b"))
        assert response.status_code == 403
        assert "another organisation" in response.get_json()["message"]
    db_session.expire_all()
    job = db_session.get(Job, job_id)
    assert (job.title, job.status) == (JOB["title"], "open")
    assert [a for a, _ in job_events(db_session)] == ["job.posted"]


def test_changing_an_unknown_post_is_not_found(client, world):
    assert client.patch("/api/v1/jobs/424242", json={"title": "x"}, headers=world.headers("a")).status_code == 404


def test_closing_takes_the_post_out_of_search_and_cannot_be_repeated_or_undone(client, world, db_session):
    job_id = post(client, world).get_json()["id"]
    assert client.get("/api/v1/jobs").get_json()["total"] == 1
    response = client.patch(f"/api/v1/jobs/{job_id}", json={"status": "closed"}, headers=world.headers("a"))
    assert response.status_code == 200
    assert response.get_json()["status"] == "closed" and response.get_json()["closed_at"]
    assert client.get("/api/v1/jobs").get_json()["total"] == 0
    assert client.get(f"/api/v1/jobs/{job_id}").get_json()["accepting"] is False
    again = client.patch(f"/api/v1/jobs/{job_id}", json={"status": "closed"}, headers=world.headers("a"))
    assert again.status_code == 409
    for payload in ({"status": "open"}, {"title": "重新开放"}):
        assert client.patch(f"/api/v1/jobs/{job_id}", json=payload, headers=world.headers("a")).status_code == 409
    assert [a for a, _ in job_events(db_session)] == ["job.posted", "job.closed"]


def test_an_unverified_organisations_post_cannot_be_changed(client, world, db_session):
    job = add_job(db_session, world.employers["c"])
    db_session.commit()
    response = client.patch(f"/api/v1/jobs/{job.id}", json={"title": "x"}, headers=world.headers("c"))
    assert response.status_code == 403


# --- search -------------------------------------------------------------------------------------------


def test_search_filters_open_posts_and_pages_them(client, world, db_session):
    today = today_in_changchun()
    a, b = world.employers["a"], world.employers["b"]
    add_job(db_session, a, title="嵌入式软件工程师", district="220174", min_education="master")
    add_job(db_session, a, title="测试工程师", district="220173", min_education="college")
    add_job(db_session, b, title="数据分析师", district="220173", min_education="bachelor",
            description="使用Python和SQL分析政务数据")
    add_job(db_session, b, title="已关闭的岗位", status="closed")
    add_job(db_session, b, title="已截止的岗位", closing_date=today - dt.timedelta(days=1))
    add_job(db_session, b, title="今天截止的岗位", closing_date=today)
    db_session.commit()

    everything = client.get("/api/v1/jobs").get_json()
    assert everything["total"] == 4
    assert "已关闭的岗位" not in [j["title"] for j in everything["items"]]
    assert "已截止的岗位" not in [j["title"] for j in everything["items"]]

    def titles(query: str) -> set[str]:
        return {j["title"] for j in client.get(f"/api/v1/jobs?{query}").get_json()["items"]}

    assert titles("district=220174") == {"嵌入式软件工程师"}
    assert titles("education=bachelor") == {"测试工程师", "数据分析师", "今天截止的岗位"}
    assert titles("q=Python") == {"数据分析师"}
    assert titles("q=工程师 测试") == {"测试工程师"}
    assert titles("q=乙软件") == {"数据分析师", "今天截止的岗位"}  # the employer's name counts too
    assert titles("q=100%") == set()  # LIKE wildcards are searched for literally

    first = client.get("/api/v1/jobs?per_page=3&page=1").get_json()
    second = client.get("/api/v1/jobs?per_page=3&page=2").get_json()
    assert (first["total"], first["pages"], len(first["items"]), len(second["items"])) == (4, 2, 3, 1)
    assert not {j["id"] for j in first["items"]} & {j["id"] for j in second["items"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [("district=110105", "district"), ("education=phd", "education"), ("per_page=0", "per_page"),
     ("per_page=101", "per_page"), ("page=0", "page"), ("page=x", "page")],
)
def test_bad_search_arguments_are_refused_naming_the_field(client, world, query, field):
    response = client.get(f"/api/v1/jobs?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_one_position_is_public_and_an_unknown_one_is_not_found(client, world, db_session):
    job = add_job(db_session, world.employers["a"])
    db_session.commit()
    body = client.get(f"/api/v1/jobs/{job.id}").get_json()
    assert body["title"] == JOB["title"] and body["employer"]["id"] == world.employers["a"].id
    assert client.get("/api/v1/jobs/424242").status_code == 404


def test_an_employer_lists_its_own_posts_only_a_page_at_a_time(client, world, db_session):
    add_job(db_session, world.employers["a"], title="甲的岗位")
    add_job(db_session, world.employers["a"], title="甲关闭的岗位", status="closed")
    add_job(db_session, world.employers["a"], title="甲的新岗位")
    add_job(db_session, world.employers["b"], title="乙的岗位")
    db_session.commit()
    mine = client.get("/api/v1/jobs/mine", headers=world.headers("a")).get_json()
    assert {j["title"] for j in mine["items"]} == {"甲的岗位", "甲关闭的岗位", "甲的新岗位"}
    assert (mine["total"], mine["page"], mine["per_page"], mine["pages"]) == (3, 1, 20, 1)
    closed = client.get("/api/v1/jobs/mine?status=closed", headers=world.headers("a")).get_json()
    assert [j["title"] for j in closed["items"]] == ["甲关闭的岗位"] and closed["total"] == 1

    first = client.get("/api/v1/jobs/mine?per_page=2", headers=world.headers("a")).get_json()
    second = client.get("/api/v1/jobs/mine?per_page=2&page=2", headers=world.headers("a")).get_json()
    assert [j["title"] for j in first["items"]] == ["甲的新岗位", "甲关闭的岗位"]  # newest first
    assert [j["title"] for j in second["items"]] == ["甲的岗位"]
    assert (first["total"], first["pages"]) == (3, 2)
    assert client.get("/api/v1/jobs/mine?per_page=101", headers=world.headers("a")).status_code == 422
    assert client.get("/api/v1/jobs/mine", headers=world.headers("grad")).status_code == 403


HUGE = "100000000000000000000"  # 1e20: beyond a 64-bit integer, let alone the 32-bit id columns


@pytest.mark.parametrize(
    ("query", "field"),
    [(f"page={HUGE}", "page"), ("page=1e20", "page"), (f"per_page={HUGE}", "per_page"), ("page=100001", "page")],
)
def test_absurdly_large_paging_is_refused_not_overflowed(client, world, query, field):
    for path in ("/api/v1/jobs", "/api/v1/jobs/mine"):
        response = client.get(f"{path}?{query}", headers=world.headers("a"))
        assert response.status_code == 422, (path, response.get_data(as_text=True))
        assert field in response.get_json()["errors"]


@pytest.mark.parametrize("employer_id", [1e20, 10**20, 2**31, 0, -1])
def test_an_employer_id_that_cannot_exist_is_refused_not_overflowed(client, world, db_session, employer_id):
    response = post(client, world, employer_id=employer_id)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert "employer_id" in response.get_json()["errors"]
    assert db_session.query(Job).count() == 0


def test_the_services_bound_paging_and_ids_themselves(app, world):
    # Callers other than the API (pages, the CLI) get the same bounds from the services.
    from talent.db import db
    from talent.services import jobs as job_service
    from talent.services.employers import list_employers

    with app.app_context():
        for arguments in ({"page": 10**20}, {"page": 100_001}, {"per_page": 10**20}, {"page": 0}):
            with pytest.raises(InvalidInput) as refused:
                job_service.search_jobs(db.session, **arguments)
            assert set(refused.value.errors) == set(arguments)
            with pytest.raises(InvalidInput) as refused:
                job_service.jobs_of_employers(db.session, [world.employers["a"]], **arguments)
            assert set(refused.value.errors) == set(arguments)
            with pytest.raises(InvalidInput) as refused:
                list_employers(db.session, **arguments)
            assert set(refused.value.errors) == set(arguments)
        with pytest.raises(InvalidInput) as refused:
            job_service.post_job(db.session, db.session.get(User, world.users["a"].id), **JOB, employer_id=10**20)
        assert "employer_id" in refused.value.errors


# --- candidates ---------------------------------------------------------------------------------------


def test_candidates_are_consenting_graduates_with_masked_names_and_reasons(client, world, db_session):
    job = add_job(db_session, world.employers["a"])
    add_profile(db_session, world.users["grad"])
    add_profile(db_session, world.users["private"], consent_to_match=False)
    db_session.commit()
    response = client.get(f"/api/v1/jobs/{job.id}/candidates?limit=5", headers=world.headers("a"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["job_id"] == job.id
    assert len(body["items"]) == 1  # 张小雨 did not consent
    candidate = body["items"][0]
    assert candidate["name"] == "李**"
    assert candidate["major"] == "软件工程" and candidate["skills"] == ["Java", "Spring Boot", "MySQL"]
    assert candidate["score"] > 0
    assert "专业" in candidate["why"]["zh"] and candidate["why"]["en"]
    text = response.get_data(as_text=True)
    assert "李明远" not in text and "li@example.cn" not in text and "张" not in text


def test_candidates_exclude_graduates_below_the_minimum_education(client, world, db_session):
    job = add_job(db_session, world.employers["a"], min_education="master")
    add_profile(db_session, world.users["grad"])  # bachelor
    db_session.commit()
    body = client.get(f"/api/v1/jobs/{job.id}/candidates", headers=world.headers("a")).get_json()
    assert body["items"] == []


@pytest.mark.parametrize(("who", "status"), [("b", 403), ("grad", 403), ("officer", 403)])
def test_only_the_posts_employer_sees_its_candidates(client, world, db_session, who, status):
    job = add_job(db_session, world.employers["a"])
    add_profile(db_session, world.users["grad"])
    db_session.commit()
    assert client.get(f"/api/v1/jobs/{job.id}/candidates", headers=world.headers(who)).status_code == status
    assert client.get(f"/api/v1/jobs/{job.id}/candidates").status_code == 401


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_candidates_limit_is_checked(client, world, db_session, limit):
    job = add_job(db_session, world.employers["a"])
    db_session.commit()
    response = client.get(f"/api/v1/jobs/{job.id}/candidates?limit={limit}", headers=world.headers("a"))
    assert response.status_code == 422
    assert "limit" in response.get_json()["errors"]
