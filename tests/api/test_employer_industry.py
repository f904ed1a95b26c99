"""The employer's industry (GB/T 4754-2017 section, optional): set at registration or later by the organisation's
own account or an officer, through the API and the employer's page; bad codes are 422 naming the field; shown as
"not given" when empty. The programme's figures count by it (tests/services/test_programme_figures.py)."""

from __future__ import annotations

import pytest

from talent.models import AuditEvent, Employer
from tests.api.test_employers_api import VALID_CODE, bearer
from tests.conftest import seed


@pytest.fixture
def demo(app):
    return seed(app)


def register(client, **extra):
    return client.post("/api/v1/employers", headers=bearer(client, "employer@demo.talent.cc"),
                       json={"name": "长春示例软件有限公司", "credit_code": VALID_CODE, "district": "220173", **extra})


def test_registration_takes_an_optional_industry(client, demo, db_session):
    response = register(client, industry="I")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["industry"] == "I"
    assert db_session.query(Employer).filter_by(credit_code=VALID_CODE).one().industry == "I"


def test_registration_without_industry_is_not_given(client, demo):
    response = register(client)
    assert response.status_code == 201 and response.get_json()["industry"] is None


@pytest.mark.parametrize("bad", ["Z", "c1", "", 7])
def test_a_bad_industry_is_422_naming_the_field(client, demo, db_session, bad):
    before = db_session.query(Employer).count()
    response = register(client, industry=bad)
    assert response.status_code == 422 and "industry" in response.get_json()["errors"]
    assert db_session.query(Employer).count() == before


def test_the_owner_and_officers_change_it_and_others_cannot(client, demo, db_session):
    employer_id = register(client).get_json()["id"]
    owner = bearer(client, "employer@demo.talent.cc")
    response = client.patch(f"/api/v1/employers/{employer_id}", json={"industry": "C"}, headers=owner)
    assert response.status_code == 200 and response.get_json()["industry"] == "C"
    officer = bearer(client, "officer@demo.talent.cc")
    assert client.patch(f"/api/v1/employers/{employer_id}", json={"industry": None},
                        headers=officer).get_json()["industry"] is None
    bad = client.patch(f"/api/v1/employers/{employer_id}", json={"industry": "X"}, headers=owner)
    assert bad.status_code == 422 and "industry" in bad.get_json()["errors"]
    applicant = bearer(client, "applicant@demo.talent.cc")
    assert client.patch(f"/api/v1/employers/{employer_id}", json={"industry": "C"},
                        headers=applicant).status_code == 403
    assert client.patch("/api/v1/employers/999999", json={"industry": "C"}, headers=officer).status_code == 404
    actions = [e.action for e in db_session.query(AuditEvent).filter_by(entity_type="employer",
                                                                       entity_id=str(employer_id))
               .order_by(AuditEvent.id)]
    assert actions == ["employer.registered", "employer.industry_changed", "employer.industry_changed"]


def test_another_employer_account_cannot_change_it(client, demo, db_session, app):
    from talent.models import Role
    from talent.services.accounts import create_user

    create_user(db_session, email="hr@other.example.cn", password="a-long-enough-password-1", name="钱多多",
                role=Role.EMPLOYER)
    db_session.commit()
    employer_id = register(client).get_json()["id"]
    other = bearer(client, "hr@other.example.cn", "a-long-enough-password-1")
    assert client.patch(f"/api/v1/employers/{employer_id}", json={"industry": "C"}, headers=other).status_code == 403
    assert db_session.get(Employer, employer_id).industry is None


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_employer_page_shows_and_sets_it(client, demo, db_session, language):
    assert client.post("/login", data={"email": "employer@demo.talent.cc", "password": "demo-pass-2026"}
                       ).status_code == 302
    employer = db_session.query(Employer).filter_by(owner_id=db_session.query(Employer).first().owner_id).first()
    employer.industry = None
    db_session.commit()
    page = client.get(f"/employer/?lang={language}").get_data(as_text=True)
    assert ("未填写" if language == "zh" else "Not given") in page
    assert client.post(f"/employer/organisation/{employer.id}/industry", data={"industry": "C"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(Employer, employer.id).industry == "C"
    page = client.get(f"/employer/?lang={language}").get_data(as_text=True)
    assert ("C 制造业" if language == "zh" else "C Manufacturing") in page
    response = client.post(f"/employer/organisation/{employer.id}/industry", data={"industry": "Q9"},
                           follow_redirects=True)
    assert ("请从列表中选择行业门类" if language == "zh" else "Choose an industry section") in \
        response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Employer, employer.id).industry == "C"


def test_the_registration_form_takes_the_industry(client, app, db_session):
    from talent.models import Role
    from talent.services.accounts import create_user

    create_user(db_session, email="hr@new.example.cn", password="a-long-enough-password-1", name="陈晨",
                role=Role.EMPLOYER)
    db_session.commit()
    assert client.post("/login", data={"email": "hr@new.example.cn", "password": "a-long-enough-password-1"}
                       ).status_code == 302
    assert 'name="industry"' in client.get("/employer/").get_data(as_text=True)
    bad = client.post("/employer/organisation", data={"name": "长春丙软件有限公司", "credit_code": VALID_CODE,
                                                      "district": "220104", "kind": "enterprise", "industry": "Z"})
    assert bad.status_code == 422 and "请从列表中选择行业门类" in bad.get_data(as_text=True)
    ok = client.post("/employer/organisation", data={"name": "长春丙软件有限公司", "credit_code": VALID_CODE,
                                                     "district": "220104", "kind": "enterprise", "industry": "M"})
    assert ok.status_code == 302
    assert db_session.query(Employer).filter_by(credit_code=VALID_CODE).one().industry == "M"


def test_demo_organisations_have_plausible_industries_and_seeding_twice_changes_nothing(app, db_session):
    from talent.services.demo_jobs import ORGANISATIONS

    seed(app, full=True)
    industries = {e.name: e.industry for e in db_session.query(Employer)}
    assert all(industries[o.name] for o in ORGANISATIONS)
    assert industries["长春一汽示范汽车零部件有限公司"] == "C" and industries["长春联创软件技术有限公司"] == "I"
    assert industries["长春光华中西医结合医院"] == "Q" and industries["长春市新航实验学校"] == "P"
    changes = db_session.query(AuditEvent).filter_by(action="employer.industry_changed").count()
    seed(app, full=True)
    assert db_session.query(AuditEvent).filter_by(action="employer.industry_changed").count() == changes


@pytest.mark.parametrize("language", ["zh", "en"])
def test_officers_see_the_industry_in_the_list_of_employers(client, demo, db_session, language):
    employer = db_session.query(Employer).one()
    assert client.post("/login", data={"email": "officer@demo.talent.cc", "password": "demo-pass-2026"}
                       ).status_code == 302
    page = client.get(f"/officer/employers/?show=verified&lang={language}").get_data(as_text=True)
    assert ("未填写" if language == "zh" else "Not given") in page
    employer.industry = "Q"
    db_session.commit()
    page = client.get(f"/officer/employers/?show=verified&lang={language}").get_data(as_text=True)
    assert ("Q 卫生和社会工作" if language == "zh" else "Q Health and social work") in page
