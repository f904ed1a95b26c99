"""Officer pages: the review queue (filters, age, paging, clocks), the case page (masked facts, rule trace, audit
trail), decisions with four eyes, objections, revocation with the refund owed, payments, and refusals."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from talent import workdays
from talent.models import Role
from talent.models.applications import Application, Objection
from talent.models.cards import Card, Instalment
from talent.services.accounts import create_user
from talent.services.applications import endorse_application, submit_application
from talent.services.employers import register_employer, verify_employer
from talent.services.publicity import close_notice, file_objection
from talent.services.reviews import decide_application
from talent.services.uploads import store_document
from talent.services.workflow import today as local_today
from talent.storage import storage_for
from talent.web import officer as officer_pages

CREDIT_CODE = "91220101MA17XK2B2Y"
ID_NUMBERS = ["220102197803151234", "220104198506014564", "220102199002203451"]
PASSWORD = "pass-word-2026"


def tier_b_facts(today: dt.date, id_number: str) -> dict:
    return {
        "id_number": id_number, "education": "master", "full_time_degree": True, "graduation_date": "2003-07-01",
        "professional_title": "none", "honours": [], "achievements": 0,
        "employment": {"employer_district": "220173", "employer_kind": "enterprise", "role_kind": "professional",
                       "contract_years": 5, "full_time": True, "annual_salary": 1_200_000,
                       "income_tax_last_year": 200_000, "enterprise_revenue": 6_000_000_000,
                       "social_insurance_local": True},
        "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
        "housing": {"owns_home_in_city": False,
                    "purchase": {"contract_date": (today - dt.timedelta(days=30)).isoformat(), "price": 1_500_000,
                                 "floor_area_m2": 120, "district": "220104", "new_commodity_housing": True,
                                 "first_home": True}},
    }


@pytest.fixture
def people(app, db_session):
    def user(email, name, role):
        return create_user(db_session, email=email, password=PASSWORD, name=name, role=role)

    applicants = [user(f"applicant{i}@example.cn", name, Role.APPLICANT)
                  for i, name in enumerate(["张伟", "刘洋", "陈静"])]
    boss = user("hr@example.cn", "王海燕", Role.EMPLOYER)
    officer = user("officer1@example.cn", "赵建国", Role.OFFICER)
    officer2 = user("officer2@example.cn", "孙丽华", Role.OFFICER)
    employer = register_employer(db_session, boss, name="长春示例科技有限公司", credit_code=CREDIT_CODE,
                                 district="220173", kind="enterprise")
    verify_employer(db_session, officer, employer.id)
    db_session.commit()
    return SimpleNamespace(applicants=applicants, applicant=applicants[0], boss=boss, officer=officer,
                           officer2=officer2)


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def case_in_review(db_session, people, index=0, endorsed_on=None) -> int:
    today = local_today()
    application = submit_application(db_session, people.applicants[index],
                                     facts=tier_b_facts(today, ID_NUMBERS[index]), employer_credit_code=CREDIT_CODE)
    endorse_application(db_session, people.boss, application.id, endorse=True, comment="情况属实",
                        today=endorsed_on or today)
    db_session.commit()
    return application.id


def status_of(db_session, case_id) -> str:
    db_session.expire_all()
    return db_session.get(Application, case_id).status


def granted_case(db_session, people) -> int:
    case_id = case_in_review(db_session, people)
    decide_application(db_session, people.officer, case_id, outcome="approve", reason="符合条件")
    decide_application(db_session, people.officer2, case_id, outcome="approve", reason="复核通过")
    application = db_session.get(Application, case_id)
    close_notice(db_session, case_id, as_of=application.notice_ends_on + dt.timedelta(days=1))
    db_session.commit()
    return case_id


# --- the queue ------------------------------------------------------------------------------------------------


def test_the_queue_highlights_cases_about_to_run_late_and_explains_the_colours(client, people, db_session):
    today = local_today()
    late = case_in_review(db_session, people, 0, endorsed_on=workdays.add_working_days(today, -15))
    soon = case_in_review(db_session, people, 1, endorsed_on=workdays.add_working_days(today, -9))
    on_time = case_in_review(db_session, people, 2)
    page = sign_in(client, people.officer).get("/officer/")
    assert page.status_code == 200
    rows = {int(m.group(2)): m.group(1) for m in re.finditer(
        r'<tr class="([^"]*)">\s*<td data-label="[^"]*"><a href="/officer/cases/(\d+)"', page.text)}
    assert rows == {late: "late", soon: "due-soon", on_time: ""}
    assert 'id="queue-legend"' in page.text and "已超过办理时限" in page.text and "即将到期" in page.text
    assert "已超时" in page.text


def test_the_queue_filters_by_status_and_tier_and_pages(client, people, db_session, monkeypatch):
    first = case_in_review(db_session, people, 0)
    second = case_in_review(db_session, people, 1)
    decide_application(db_session, people.officer, second, outcome="approve", reason="符合条件")
    db_session.commit()
    sign_in(client, people.officer)

    waiting = client.get("/officer/?status=awaiting_confirmation").text
    assert f"/officer/cases/{second}" in waiting and f"/officer/cases/{first}" not in waiting
    assert "（您已初审）" in waiting
    assert f"/officer/cases/{first}" not in client.get("/officer/?tier=none").text
    assert f"/officer/cases/{first}" in client.get("/officer/?tier=B&programme=housing_subsidy").text

    monkeypatch.setattr(officer_pages, "PER_PAGE", 1)
    page_one = client.get("/officer/?sort=oldest").text
    assert f"/officer/cases/{first}" in page_one and "第 1 / 2 页" in page_one
    assert 'href="/officer/?page=2&amp;sort=oldest"' in page_one
    page_two = client.get("/officer/?sort=oldest&page=2").text
    assert f"/officer/cases/{second}" in page_two and f"/officer/cases/{first}" not in page_two


def test_a_hand_edited_filter_shows_the_default_queue_with_a_note(client, people, db_session):
    case_id = case_in_review(db_session, people)
    page = sign_in(client, people.officer).get("/officer/?status=nonsense")
    assert page.status_code == 200 and "筛选条件无效" in page.text and f"/officer/cases/{case_id}" in page.text


def test_only_officers_reach_the_officer_pages(client, people, db_session):
    case_id = case_in_review(db_session, people)
    for user in (people.applicant, people.boss):
        other = sign_in(client.application.test_client(), user)
        assert other.get("/officer/").status_code == 403
        assert other.get(f"/officer/cases/{case_id}").status_code == 403
        assert other.post(f"/officer/cases/{case_id}/approval", data={"reason": "x"}).status_code == 403
    assert status_of(db_session, case_id) == "in_review"
    anonymous = client.get("/officer/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# --- the case page --------------------------------------------------------------------------------------------


def test_the_case_page_masks_the_id_and_shows_the_full_rule_trace_and_audit(app, client, people, db_session):
    case_id = case_in_review(db_session, people)
    store_document(db_session, people.applicant, case_id, stream=BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="合同.pdf",
                   storage=storage_for(app), max_bytes=app.config["MAX_UPLOAD_BYTES"])
    db_session.commit()
    page = sign_in(client, people.officer).get(f"/officer/cases/{case_id}")
    assert page.status_code == 200
    assert "220102********1234" in page.text and ID_NUMBERS[0] not in page.text
    # every rule of the trace, named in words (issue 15: no rule ids, parameter names or Python lists)
    for rule, name in (("G1", "共同条件一：用人单位在长春"), ("G6", "共同条件六：不在等待期内"),
                       ("B_ENTERPRISE", "B 类企业人才条件"), ("AGE_LIMIT", "B、C 类年龄上限"), ("HOUSING", "购房补贴")):
        assert re.search(rf'<tr data-rule="{rule}">\s*<td class="rule" data-label="规则">{name}</td>', page.text)
    trace = page.text[page.text.index('id="rule-trace"'):page.text.index('id="facts"')]
    assert "劳动合同最短年限：3 年" in trace and "起）" in trace  # parameter and its effective date
    assert "<dt>劳动合同期限（年）</dt><dd>5 年</dd>" in trace  # the values looked at
    for internal in ("min_contract_years", "card_services", "['", ">G1<", "B_ENTERPRISE"):
        cleaned = re.sub(r'data-rule="\w+"', "", trace)
        assert internal not in cleaned, cleaned[max(0, cleaned.find(internal) - 300):cleaned.find(internal) + 80]
    assert "申请日年龄（推算）" in trace  # a derived value is labelled as such
    assert 'id="audit"' in page.text and "王海燕" in page.text and "待单位确认" in page.text and "→" in page.text
    assert "上传证明材料" in page.text
    document_link = re.search(r'href="(/officer/cases/\d+/documents/\d+)"', page.text).group(1)
    download = client.get(document_link)
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    assert "审核时限" in page.text and 'id="clock"' in page.text


def test_two_officers_approve_and_the_first_approver_is_not_offered_the_confirmation(client, people, db_session):
    case_id = case_in_review(db_session, people)
    first = sign_in(client, people.officer)
    assert first.post(f"/officer/cases/{case_id}/approval", data={"reason": "符合条件"}).status_code == 302
    assert status_of(db_session, case_id) == "awaiting_confirmation"

    page = first.get(f"/officer/cases/{case_id}")
    assert 'id="awaiting-second-officer"' in page.text and 'id="approve-form"' not in page.text
    refused = first.post(f"/officer/cases/{case_id}/approval", data={"reason": "再次通过"})
    assert refused.status_code == 409
    assert "状态已变化，操作未执行" in refused.text and "须由另一位审核人员复核" in refused.text
    assert "待复核" in refused.text  # the current state is shown
    assert status_of(db_session, case_id) == "awaiting_confirmation"

    second = sign_in(client.application.test_client(), people.officer2)
    page = second.get(f"/officer/cases/{case_id}")
    assert "复核通过（开始公示）" in page.text and "赵建国" in page.text
    assert second.post(f"/officer/cases/{case_id}/approval", data={"reason": "复核通过"}).status_code == 302
    assert status_of(db_session, case_id) == "under_notice"


def test_a_decision_on_a_case_that_moved_on_shows_a_readable_conflict(client, people, db_session):
    case_id = case_in_review(db_session, people)
    decide_application(db_session, people.officer2, case_id, outcome="reject", reason="不符合条件")
    db_session.commit()
    response = sign_in(client, people.officer).post(f"/officer/cases/{case_id}/approval", data={"reason": "通过"})
    assert response.status_code == 409
    assert "状态已变化，操作未执行" in response.text and "未通过" in response.text
    assert status_of(db_session, case_id) == "rejected"


def test_a_request_for_changes_lists_several_items_at_once(client, people, db_session):
    case_id = case_in_review(db_session, people)
    sign_in(client, people.officer)
    empty = client.post(f"/officer/cases/{case_id}/change-request", data={"reason": "材料不全"})
    assert empty.status_code == 422 and "请至少列出一项需要补正的内容" in empty.text

    response = client.post(f"/officer/cases/{case_id}/change-request", data={
        "items-0-field": "documents", "items-0-problem": "请上传劳动合同",
        "items-1-field": "employment.annual_salary", "items-1-problem": "请提供完税证明",
        "items-2-field": "other", "items-2-problem": "",
        "reason": "材料不全",
    })
    assert response.status_code == 302
    db_session.expire_all()
    application = db_session.get(Application, case_id)
    assert application.status == "changes_requested"
    assert application.requested_items == [
        {"field": "documents", "problem": "请上传劳动合同"},
        {"field": "employment.annual_salary", "problem": "请提供完税证明"},
    ]


def test_reject_needs_a_reason(client, people, db_session):
    case_id = case_in_review(db_session, people)
    response = sign_in(client, people.officer).post(f"/officer/cases/{case_id}/rejection", data={"reason": ""})
    assert response.status_code == 422 and "请填写不予通过的理由" in response.text
    assert status_of(db_session, case_id) == "in_review"


def test_decision_forms_are_csrf_protected(csrf_app):
    session = csrf_app.extensions["talent.db"]()
    applicant = create_user(session, email="a@example.cn", password=PASSWORD, name="张伟", role=Role.APPLICANT)
    boss = create_user(session, email="hr@example.cn", password=PASSWORD, name="王海燕", role=Role.EMPLOYER)
    officer = create_user(session, email="o@example.cn", password=PASSWORD, name="赵建国", role=Role.OFFICER)
    employer = register_employer(session, boss, name="长春示例科技有限公司", credit_code=CREDIT_CODE, district="220173")
    verify_employer(session, officer, employer.id)
    application = submit_application(session, applicant, facts=tier_b_facts(local_today(), ID_NUMBERS[0]),
                                     employer_credit_code=CREDIT_CODE)
    endorse_application(session, boss, application.id, endorse=True, comment="情况属实")
    session.commit()
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"email": officer.email, "password": PASSWORD, "csrf_token": token})

    page = client.get(f"/officer/cases/{application.id}").text
    forms = re.findall(r'<form method="post" action="/officer/.*?</form>', page, re.S)
    assert len(forms) == 3 and all('name="csrf_token"' in form for form in forms)  # approve, changes, reject
    assert client.post(f"/officer/cases/{application.id}/approval", data={"reason": "x"}).status_code == 400
    assert client.post("/officer/instalments/1/payment").status_code == 400
    session.expire_all()
    assert session.get(Application, application.id).status == "in_review"

    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', forms[0]).group(1)
    response = client.post(f"/officer/cases/{application.id}/approval", data={"reason": "符合条件", "csrf_token": token})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Application, application.id).status == "awaiting_confirmation"
    session.close()


# --- notice, objections, grants -------------------------------------------------------------------------------


def test_an_officer_dismisses_or_upholds_an_objection(client, people, db_session):
    case_id = case_in_review(db_session, people)
    decide_application(db_session, people.officer, case_id, outcome="approve", reason="符合条件")
    decide_application(db_session, people.officer2, case_id, outcome="approve", reason="复核通过")
    first = file_objection(db_session, people.applicants[1], case_id, text="该申请人并未在该单位全职工作。")
    db_session.commit()
    sign_in(client, people.officer)
    listing = client.get("/officer/objections")
    assert listing.status_code == 200 and "该申请人并未在该单位全职工作" in listing.text

    prefix = f"objection{first.id}"
    refused = client.post(f"/officer/objections/{first.id}/resolution", data={f"{prefix}-outcome": "dismiss"})
    assert refused.status_code == 422 and "请填写处理理由" in refused.text
    response = client.post(f"/officer/objections/{first.id}/resolution",
                           data={f"{prefix}-outcome": "dismiss", f"{prefix}-reason": "经核实，劳动合同真实有效"})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Objection, first.id).status == "dismissed"
    assert status_of(db_session, case_id) == "under_notice"

    again = client.post(f"/officer/objections/{first.id}/resolution",
                        data={f"{prefix}-outcome": "uphold", f"{prefix}-reason": "重复处理"})
    assert again.status_code == 409 and "此异议已经处理过了" in again.text

    second = file_objection(db_session, people.applicants[2], case_id, text="申请人的社保并不在长春缴纳。")
    db_session.commit()
    prefix = f"objection{second.id}"
    response = client.post(f"/officer/objections/{second.id}/resolution",
                           data={f"{prefix}-outcome": "uphold", f"{prefix}-reason": "社保记录不符"})
    assert response.status_code == 302
    assert status_of(db_session, case_id) == "in_review"


def test_revoking_a_grant_for_fraud_shows_the_refund_and_revokes_the_card(client, people, db_session):
    case_id = granted_case(db_session, people)
    sign_in(client, people.officer)
    page = client.get(f"/officer/cases/{case_id}")
    assert 'id="refund-preview"' in page.text and 'id="privilege-card"' in page.text

    first_instalment = db_session.scalars(
        select(Instalment).where(Instalment.application_id == case_id, Instalment.programme == "housing_subsidy")
        .order_by(Instalment.sequence)).first()
    paid = client.post(f"/officer/instalments/{first_instalment.id}/payment")
    assert paid.status_code == 302
    db_session.expire_all()
    assert db_session.get(Instalment, first_instalment.id).status == "paid"
    twice = client.post(f"/officer/instalments/{first_instalment.id}/payment")
    assert twice.status_code == 409 and "这一期补贴已经处理过了" in twice.text

    refused = client.post(f"/officer/cases/{case_id}/revocation", data={"reason": "", "fraud": "y"})
    assert refused.status_code == 422 and "请填写撤销理由" in refused.text
    response = client.post(f"/officer/cases/{case_id}/revocation", data={"reason": "伪造劳动合同", "fraud": "y"})
    assert response.status_code == 302
    page = client.get(f"/officer/cases/{case_id}")
    assert 'id="refund-owed"' in page.text and "应退回金额：¥150,000" in page.text  # everything paid
    db_session.expire_all()
    assert db_session.scalar(select(Card.status).where(Card.application_id == case_id)) == "revoked"
    assert status_of(db_session, case_id) == "revoked"


def test_an_officer_cannot_act_on_their_own_application(client, people, db_session):
    case_id = case_in_review(db_session, people, 2)
    # Officers cannot apply through the pages; make the officer the owner to check the page and the service.
    db_session.get(Application, case_id).owner_id = people.officer.id
    db_session.commit()
    sign_in(client, people.officer)
    page = client.get(f"/officer/cases/{case_id}")
    assert "这是您本人的申请" in page.text and 'id="approve-form"' not in page.text
    refused = client.post(f"/officer/cases/{case_id}/approval", data={"reason": "通过"})
    assert refused.status_code == 403 and "审核人员不能审核本人的申请" in refused.text
    assert status_of(db_session, case_id) == "in_review"


def test_a_decision_on_a_case_that_changed_since_the_page_was_loaded_is_refused(app, client, people, db_session):
    case_id = case_in_review(db_session, people)
    sign_in(client, people.officer)
    page = client.get(f"/officer/cases/{case_id}")
    seen = re.search(r'id="approve-version" name="version" type="hidden" value="(\d+)"', page.text).group(1)
    # the applicant adds evidence while the officer reads the case
    store_document(db_session, people.applicant, case_id, stream=BytesIO(b"%PDF-1.4\n%%EOF\n"), filename="补充.pdf",
                   storage=storage_for(app), max_bytes=app.config["MAX_UPLOAD_BYTES"])
    db_session.commit()
    response = client.post(f"/officer/cases/{case_id}/approval", data={"reason": "符合条件", "version": seen})
    assert response.status_code == 409
    assert "状态已变化，操作未执行" in response.text and "申请人补充了材料" in response.text
    assert "补充.pdf" in response.text  # the page shows what changed
    assert status_of(db_session, case_id) == "in_review"
    fresh = re.search(r'id="approve-version" name="version" type="hidden" value="(\d+)"', response.text).group(1)
    assert fresh != seen
    assert client.post(f"/officer/cases/{case_id}/approval",
                       data={"reason": "符合条件", "version": fresh}).status_code == 302
    assert status_of(db_session, case_id) == "awaiting_confirmation"
