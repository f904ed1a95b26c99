"""Applicant pages: my applications, applying after the eligibility check, the case page (timeline, requested
changes, evidence, resubmission, withdrawal), and the card and decision letter of a granted case."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from talent.models import Role
from talent.models.applications import Application, ApplicationDocument
from talent.services.accounts import create_user
from talent.services.applications import endorse_application, submit_application
from talent.services.employers import register_employer, verify_employer
from talent.services.publicity import close_notice
from talent.services.reviews import decide_application
from talent.services.workflow import today as local_today

CREDIT_CODE = "91220101MA17XK2B2Y"
UNREGISTERED_CREDIT_CODE = "91350100M000100Y43"  # passes GB 32100, but no organisation has it
ID_NUMBER = "220102197803151234"
PASSWORD = "pass-word-2026"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def tier_b_facts(today: dt.date, *, with_id: bool = True) -> dict:
    """An enterprise executive (tier B by the enterprise route) who bought a first home a month ago."""
    facts = {
        "education": "master", "full_time_degree": True, "graduation_date": "2003-07-01",
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
    if with_id:
        facts["id_number"] = ID_NUMBER
    else:
        facts["birth_date"] = "1978-03-15"
    return facts


@pytest.fixture
def people(app, db_session):
    def user(email, name, role):
        return create_user(db_session, email=email, password=PASSWORD, name=name, role=role)

    applicant = user("zhang@example.cn", "张伟", Role.APPLICANT)
    other = user("liu@example.cn", "刘洋", Role.APPLICANT)
    boss = user("hr@example.cn", "王海燕", Role.EMPLOYER)
    officer = user("officer1@example.cn", "赵建国", Role.OFFICER)
    officer2 = user("officer2@example.cn", "孙丽华", Role.OFFICER)
    employer = register_employer(db_session, boss, name="长春示例科技有限公司", credit_code=CREDIT_CODE,
                                 district="220173", kind="enterprise")
    verify_employer(db_session, officer, employer.id)
    db_session.commit()
    return SimpleNamespace(applicant=applicant, other=other, boss=boss, officer=officer, officer2=officer2)


def sign_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def submitted_case(db_session, people) -> int:
    application = submit_application(db_session, people.applicant, facts=tier_b_facts(local_today()),
                                     employer_credit_code=CREDIT_CODE)
    db_session.commit()
    return application.id


def move(db_session, case_id, *steps):
    """Drive a case through the real services: endorse, approve (first), confirm (second), close."""
    people = steps[0]
    for step in steps[1:]:
        if step == "endorse":
            endorse_application(db_session, people.boss, case_id, endorse=True, comment="情况属实")
        elif step == "approve":
            decide_application(db_session, people.officer, case_id, outcome="approve", reason="符合条件")
        elif step == "confirm":
            decide_application(db_session, people.officer2, case_id, outcome="approve", reason="复核通过")
        elif step == "request_changes":
            decide_application(
                db_session, people.officer, case_id, outcome="request_changes", reason="材料不全",
                items=[{"field": "documents", "problem": "请上传劳动合同"},
                       {"field": "employment.annual_salary", "problem": "年薪与个税记录不一致，请提供完税证明"}],
            )
        elif step == "close":
            application = db_session.get(Application, case_id)
            close_notice(db_session, case_id, as_of=application.notice_ends_on + dt.timedelta(days=1))
        db_session.commit()


# --- my applications and applying ---------------------------------------------------------------------------


def test_home_lists_only_my_applications_with_their_status(client, people, db_session):
    case_id = submitted_case(db_session, people)
    page = sign_in(client, people.applicant).get("/applicant/")
    assert page.status_code == 200
    assert "TA-" in page.text and "待单位确认" in page.text
    assert f"/applicant/cases/{case_id}" in page.text

    other_page = sign_in(client.application.test_client(), people.other).get("/applicant/")
    assert f"/applicant/cases/{case_id}" not in other_page.text
    assert "您还没有提交过申请" in other_page.text


def test_apply_without_an_eligibility_check_sends_the_applicant_to_the_checker_first(client, people):
    page = sign_in(client, people.applicant).get("/applicant/apply")
    assert page.status_code == 200
    assert "请先完成政策测算" in page.text and 'href="/eligibility"' in page.text


def test_apply_shows_the_rule_engines_decision_before_submitting(client, people):
    sign_in(client, people.applicant)
    with client.session_transaction() as session:
        session["eligibility_facts"] = tier_b_facts(local_today(), with_id=False)
    page = client.get("/applicant/apply")
    assert page.status_code == 200
    assert "B 类 · 国家级领军人才" in page.text
    assert "¥750,000" in page.text  # housing subsidy: half the price, capped
    assert 'name="employer_credit_code"' in page.text


def test_applying_stores_the_case_with_the_id_number_and_shows_it_masked(client, people, db_session):
    sign_in(client, people.applicant)
    with client.session_transaction() as session:
        session["eligibility_facts"] = tier_b_facts(local_today(), with_id=False)
    response = client.post("/applicant/apply", data={
        "employer_credit_code": CREDIT_CODE.lower(), "id_number": ID_NUMBER, "confirm": "y"})
    assert response.status_code == 302
    case_id = int(re.search(r"/applicant/cases/(\d+)", response.headers["Location"]).group(1))
    application = db_session.get(Application, case_id)
    assert application.owner_id == people.applicant.id and application.status == "awaiting_endorsement"
    from talent.services.identities import id_number_of

    # kept encrypted beside the facts, not in them
    assert id_number_of(application) == ID_NUMBER and "id_number" not in application.facts and application.tier == "B"

    page = client.get(f"/applicant/cases/{case_id}")
    assert page.status_code == 200
    assert "220102********1234" in page.text and ID_NUMBER not in page.text
    assert "待单位确认" in page.text and "长春示例科技有限公司" in page.text
    assert 'id="status-timeline"' in page.text and "提交申请" in page.text


@pytest.mark.parametrize(
    ("form", "field_message"),
    [
        ({"employer_credit_code": UNREGISTERED_CREDIT_CODE, "id_number": ID_NUMBER, "confirm": "y"},
         "平台上没有以此统一社会信用代码注册的单位"),
        ({"employer_credit_code": CREDIT_CODE, "confirm": "y"}, "请填写居民身份证号码"),
        ({"employer_credit_code": "91220101MA17XK2B2Z", "confirm": "y"}, "统一社会信用代码无效"),
        ({"employer_credit_code": CREDIT_CODE, "id_number": "220102197803151235", "confirm": "y"}, "居民身份证号码无效"),
        ({"employer_credit_code": CREDIT_CODE}, "请确认信息真实后再提交"),
    ],
)
def test_a_refused_application_says_why_next_to_the_field_and_stores_nothing(
    client, people, db_session, form, field_message
):
    sign_in(client, people.applicant)
    with client.session_transaction() as session:
        session["eligibility_facts"] = tier_b_facts(local_today(), with_id=False)
    response = client.post("/applicant/apply", data=form)
    assert response.status_code == 422
    assert field_message in response.text
    assert db_session.scalar(select(Application.id)) is None


def test_an_id_number_that_disagrees_with_the_checked_birth_date_is_refused(client, people, db_session):
    sign_in(client, people.applicant)
    with client.session_transaction() as session:
        session["eligibility_facts"] = tier_b_facts(local_today(), with_id=False)
    response = client.post("/applicant/apply", data={
        "employer_credit_code": CREDIT_CODE, "id_number": "220104198506014564", "confirm": "y"})
    assert response.status_code == 422
    assert 'id="id_number-error"' in response.text
    assert db_session.scalar(select(Application.id)) is None


def test_a_second_open_application_is_not_offered(client, people, db_session):
    case_id = submitted_case(db_session, people)
    response = sign_in(client, people.applicant).get("/applicant/apply")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/applicant/cases/{case_id}")


def test_the_apply_form_is_csrf_protected(csrf_app, db_session):
    from talent.models import User

    session = csrf_app.extensions["talent.db"]()
    create_user(session, email="a@example.cn", password=PASSWORD, name="张伟", role=Role.APPLICANT)
    session.commit()
    client = csrf_app.test_client()
    login_page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    assert client.post("/login", data={"email": "a@example.cn", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    with client.session_transaction() as flask_session:
        flask_session["eligibility_facts"] = tier_b_facts(local_today(), with_id=False)
    response = client.post("/applicant/apply", data={"employer_credit_code": CREDIT_CODE, "confirm": "y"})
    assert response.status_code == 400
    assert session.scalar(select(Application.id)) is None
    assert session.scalar(select(User.id).where(User.email == "a@example.cn")) is not None

    # the page's own form carries the token, and with it the same submission is accepted as far as the service
    page = client.get("/applicant/apply").text
    form = re.search(r'<form method="post" action="/applicant/apply".*?</form>', page, re.S).group(0)
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', form).group(1)
    response = client.post("/applicant/apply", data={"employer_credit_code": CREDIT_CODE, "confirm": "y",
                                                     "id_number": ID_NUMBER, "csrf_token": token})
    assert response.status_code == 422 and "平台上没有以此统一社会信用代码注册的单位" in response.text
    session.close()


# --- access ---------------------------------------------------------------------------------------------------


def test_only_the_owner_sees_a_case(client, people, db_session):
    case_id = submitted_case(db_session, people)
    assert sign_in(client, people.other).get(f"/applicant/cases/{case_id}").status_code == 403
    assert client.get(f"/applicant/cases/{case_id}/card.pdf").status_code == 403
    assert client.get(f"/applicant/cases/{case_id}/letter.pdf").status_code == 403
    assert client.get("/applicant/cases/999999").status_code == 404
    officer = sign_in(client.application.test_client(), people.officer)
    assert officer.get("/applicant/").status_code == 403
    assert officer.get(f"/applicant/cases/{case_id}").status_code == 403
    anonymous = client.application.test_client().get(f"/applicant/cases/{case_id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


# --- evidence -------------------------------------------------------------------------------------------------


def test_uploaded_evidence_is_listed_and_downloadable_by_its_owner_only(client, people, db_session):
    case_id = submitted_case(db_session, people)
    sign_in(client, people.applicant)
    response = client.post(f"/applicant/cases/{case_id}/documents",
                           data={"file": (BytesIO(PDF_BYTES), "劳动合同.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    document = db_session.scalar(select(ApplicationDocument))
    assert document.application_id == case_id and document.content_type == "application/pdf"
    page = client.get(f"/applicant/cases/{case_id}")
    assert "劳动合同.pdf" in page.text
    download = client.get(f"/applicant/cases/{case_id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF_BYTES
    other = sign_in(client.application.test_client(), people.other)
    assert other.get(f"/applicant/cases/{case_id}/documents/{document.id}").status_code == 403


def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused_readably(client, people, db_session):
    case_id = submitted_case(db_session, people)
    response = sign_in(client, people.applicant).post(
        f"/applicant/cases/{case_id}/documents",
        data={"file": (BytesIO(b"MZ\x90\x00 pretending to be a pdf"), "contract.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "只接受 PDF、JPEG 或 PNG 文件" in response.text
    assert db_session.scalar(select(ApplicationDocument.id)) is None


def test_a_file_over_the_limit_is_refused_readably(app, client, people, db_session):
    case_id = submitted_case(db_session, people)
    sign_in(client, people.applicant)
    app.config["MAX_UPLOAD_BYTES"] = 1024  # the service's own limit
    response = client.post(f"/applicant/cases/{case_id}/documents",
                           data={"file": (BytesIO(PDF_BYTES + b"0" * 2048), "big.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "文件不能超过 10 MB" in response.text and 'id="evidence"' in response.text

    app.config["MAX_CONTENT_LENGTH"] = 4096  # the request-size limit, refused before the view runs
    response = client.post(f"/applicant/cases/{case_id}/documents",
                           data={"file": (BytesIO(PDF_BYTES + b"0" * 8192), "bigger.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "文件不能超过" in response.text and "申请 TA-" in response.text
    assert db_session.scalar(select(ApplicationDocument.id)) is None


# --- requested changes, resubmission, withdrawal --------------------------------------------------------------


def test_requested_changes_are_listed_all_at_once_and_the_applicant_resubmits(client, people, db_session):
    case_id = submitted_case(db_session, people)
    move(db_session, case_id, people, "endorse", "request_changes")
    page = sign_in(client, people.applicant).get(f"/applicant/cases/{case_id}")
    assert "需要补正的事项（一次性告知）" in page.text
    assert "请上传劳动合同" in page.text and "年薪与个税记录不一致" in page.text
    assert "证明材料" in page.text and "年薪（元）" in page.text  # fields named, not codes

    refused = client.post(f"/applicant/cases/{case_id}/resubmission", data={"note": ""})
    assert refused.status_code == 422 and "请说明您补正或修改了哪些内容" in refused.text

    response = client.post(f"/applicant/cases/{case_id}/resubmission", data={"note": "已上传劳动合同和完税证明"})
    assert response.status_code == 302
    db_session.expire_all()
    application = db_session.get(Application, case_id)
    assert application.status == "in_review" and application.review_round == 2
    page = client.get(f"/applicant/cases/{case_id}")
    assert "已上传劳动合同和完税证明" in page.text  # the note is on the timeline


def test_resubmitting_a_case_that_is_no_longer_waiting_shows_the_current_state(client, people, db_session):
    case_id = submitted_case(db_session, people)
    response = sign_in(client, people.applicant).post(
        f"/applicant/cases/{case_id}/resubmission", data={"note": "补充"})
    assert response.status_code == 409
    assert "状态已变化，操作未执行" in response.text and "待单位确认" in response.text


def test_the_applicant_withdraws_an_open_case(client, people, db_session):
    case_id = submitted_case(db_session, people)
    response = sign_in(client, people.applicant).post(f"/applicant/cases/{case_id}/withdrawal")
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(Application, case_id).status == "withdrawn"
    assert "您已撤回此申请" in client.get(f"/applicant/cases/{case_id}").text


# --- a granted case -------------------------------------------------------------------------------------------


def test_a_granted_case_shows_the_card_payments_and_serves_the_pdfs(client, people, db_session):
    case_id = submitted_case(db_session, people)
    move(db_session, case_id, people, "endorse", "approve", "confirm", "close")
    page = sign_in(client, people.applicant).get(f"/applicant/cases/{case_id}")
    assert page.status_code == 200
    assert "已认定" in page.text and 'id="privilege-card"' in page.text
    card_number = re.search(r'id="card-number">([^<]+)<', page.text).group(1)
    assert card_number.startswith("CC-")
    assert "补贴发放计划" in page.text and "¥150,000" in page.text  # 5 × 150,000 housing instalments
    assert "复核通过，开始公示" in page.text and "初审通过" in page.text  # both approvals on the timeline

    card = client.get(f"/applicant/cases/{case_id}/card.pdf")
    assert card.status_code == 200 and card.mimetype == "application/pdf"
    assert "private" in card.headers["Cache-Control"]
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(card.data)).pages)
    assert card_number in text

    letter = client.get(f"/applicant/cases/{case_id}/letter.pdf")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF-")


def test_the_card_download_waits_for_the_grant(client, people, db_session):
    case_id = submitted_case(db_session, people)
    response = sign_in(client, people.applicant).get(f"/applicant/cases/{case_id}/card.pdf")
    assert response.status_code == 404 and "还没有尊享卡" in response.text
    response = client.get(f"/applicant/cases/{case_id}/letter.pdf")
    assert response.status_code == 409 and "还没有作出决定" in response.text


def test_the_case_page_reads_in_english(client, people, db_session):
    case_id = submitted_case(db_session, people)
    page = sign_in(client, people.applicant).get(f"/applicant/cases/{case_id}?lang=en")
    assert page.status_code == 200
    assert "Awaiting employer endorsement" in page.text
    assert "Application TA-" in page.text and "Evidence" in page.text
