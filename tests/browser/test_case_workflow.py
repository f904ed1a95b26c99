"""A whole case in headless Chromium: the applicant checks eligibility and applies, the employer endorses, two
officers approve, `talent publicity close` ends the notice, and the applicant downloads the card as a PDF."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import expect
from pypdf import PdfReader

from talent.cli import main as talent_command
from talent.models import Role
from talent.models.applications import Application
from talent.services.accounts import create_user
from talent.services.employers import register_employer, verify_employer
from talent.services.workflow import today as local_today

pytestmark = pytest.mark.browser

CREDIT_CODE = "91220101MA17XK2B2Y"
PASSWORD = "pass-word-2026"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def accounts(app, db_session):
    users = {
        "applicant": create_user(db_session, email="zhang@example.cn", password=PASSWORD, name="张伟明",
                                 role=Role.APPLICANT),
        "employer": create_user(db_session, email="hr@example.cn", password=PASSWORD, name="王海燕",
                                role=Role.EMPLOYER),
        "officer": create_user(db_session, email="officer1@example.cn", password=PASSWORD, name="赵建国",
                               role=Role.OFFICER),
        "officer2": create_user(db_session, email="officer2@example.cn", password=PASSWORD, name="孙丽华",
                                role=Role.OFFICER),
    }
    employer = register_employer(db_session, users["employer"], name="长春示例科技有限公司", credit_code=CREDIT_CODE,
                                 district="220173")
    verify_employer(db_session, users["officer"], employer.id)
    db_session.commit()
    return {role: user.email for role, user in users.items()}


def sign_in(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def answer(page, question: str, choice: str) -> None:
    page.get_by_role("group", name=question, exact=True).get_by_label(choice, exact=True).check()


def check_eligibility_as_an_enterprise_executive(page, base_url: str) -> None:
    """The checker page (talent/web/eligibility.py) keeps the answers in the session for the application."""
    page.goto(base_url + "/eligibility")
    page.get_by_label("出生日期").fill("1978-03-15")
    page.get_by_label("最高学历").select_option("master")
    page.get_by_label("毕业日期").fill("2003-07-01")
    answer(page, "是否全日制学历", "是")
    page.get_by_label("用人单位所在区域").select_option("220173")
    page.get_by_label("用人单位类型").select_option("enterprise")
    page.get_by_label("岗位类型").select_option("professional")
    page.get_by_label("劳动合同期限（年）").fill("5")
    answer(page, "是否全职工作", "是")
    answer(page, "是否在长春缴纳社会保险", "是")
    page.get_by_label("年薪（元）").fill("1200000")
    page.get_by_label("上年度缴纳个人所得税（元）").fill("200000")
    page.get_by_label("单位上年度营业收入（元）").fill("6000000000")
    answer(page, "是否受过党纪政务处分或行政处罚", "否")
    answer(page, "是否被列入失信被执行人等失信名单", "否")
    answer(page, "是否已在长春拥有住房", "否")
    page.get_by_label("我已签订购房合同，想测算购房补贴").check()
    page.get_by_label("购房合同签订日期").fill((local_today() - dt.timedelta(days=30)).isoformat())
    page.get_by_label("购房总价（元）").fill("1500000")
    page.get_by_label("建筑面积（平方米）").fill("120")
    page.get_by_label("住房所在区域").select_option("220104")
    answer(page, "是否新建商品住房", "是")
    answer(page, "是否首套住房", "是")
    page.get_by_role("button", name="开始测算").click()
    page.wait_for_url("**/eligibility/result")


def test_a_case_from_application_to_downloaded_card(app, database_url, live_server, browser, accounts, db_session,
                                                    tmp_path):
    base = live_server.url
    applicant = browser.new_page(locale="zh-CN")
    sign_in(applicant, base, accounts["applicant"])
    check_eligibility_as_an_enterprise_executive(applicant, base)

    # Apply: the rule engine's decision is shown before submitting.
    applicant.goto(base + "/applicant/")
    applicant.get_by_role("link", name="去申请").click()
    expect(applicant.locator("#preview-tier")).to_have_text("B 类 · 国家级领军人才")
    applicant.get_by_label("用人单位统一社会信用代码").fill(CREDIT_CODE)
    applicant.get_by_label("居民身份证号码").fill("220102197803151234")
    applicant.get_by_label("本人承诺所填信息真实、准确，愿意接受核查和公示").check()
    applicant.get_by_role("button", name="确认提交").click()
    applicant.wait_for_url(re.compile(r".*/applicant/cases/\d+$"))
    case_id = int(applicant.url.rsplit("/", 1)[1])
    expect(applicant.locator("#case-status")).to_have_text("待单位确认")

    # Evidence: a PDF is accepted, anything else is refused next to the field.
    evidence = tmp_path / "劳动合同.pdf"
    evidence.write_bytes(PDF_BYTES)
    applicant.get_by_label("选择文件").set_input_files(str(evidence))
    applicant.get_by_role("button", name="上传").click()
    expect(applicant.locator("#evidence")).to_contain_text("劳动合同.pdf")
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"not really a picture")
    applicant.get_by_label("选择文件").set_input_files(str(fake))
    applicant.get_by_role("button", name="上传").click()
    expect(applicant.locator("#evidence .error")).to_contain_text("只接受 PDF、JPEG 或 PNG 文件")

    # The employer endorses from its list, where the clock is shown.
    employer = browser.new_page(locale="zh-CN")
    sign_in(employer, base, accounts["employer"])
    employer.goto(base + "/employer/endorsements/")
    expect(employer.locator("#pending-endorsements")).to_contain_text("张伟明")
    expect(employer.locator("#pending-endorsements")).to_contain_text("还剩")
    employer.get_by_role("link", name=re.compile(r"^办理 张伟明")).click()
    expect(employer.locator("#employment-facts")).to_contain_text("¥1,200,000")
    employer.get_by_label("确认：情况属实，同意推荐").check()
    employer.get_by_role("button", name="提交意见").click()
    expect(employer.locator(".flash-success")).to_contain_text("已确认")

    # Two officers: the first approves, and is not offered the confirmation; the second confirms.
    officer = browser.new_page(locale="zh-CN")
    sign_in(officer, base, accounts["officer"])
    officer.goto(base + "/officer/")
    officer.locator("#queue").get_by_role("link", name=re.compile(r"TA-\d{4}-\d{6}")).click()
    officer.locator("#rule-trace summary").click()  # the trace is folded so that the case fits one screen
    expect(officer.locator("#rule-trace tr[data-rule=B_ENTERPRISE]")).to_be_visible()
    expect(officer.locator("#rule-trace")).to_contain_text("B 类企业人才条件")  # the rule by its name, not its id
    expect(officer.locator("#rule-trace")).not_to_contain_text("B_ENTERPRISE")
    officer.locator("#approve-form").get_by_label("审核意见").fill("年薪、个税和企业营收均符合B类企业高管认定条件。")
    officer.get_by_role("button", name="初审通过").click()
    expect(officer.locator("#case-status")).to_have_text("待复核")
    expect(officer.locator("#awaiting-second-officer")).to_be_visible()
    expect(officer.locator("#approve-form")).to_have_count(0)

    second = browser.new_page(locale="zh-CN")
    sign_in(second, base, accounts["officer2"])
    second.goto(f"{base}/officer/cases/{case_id}")
    second.locator("#approve-form").get_by_label("审核意见").fill("复核无误，同意认定。")
    second.get_by_role("button", name="复核通过").click()
    expect(second.locator("#case-status")).to_have_text("公示中")

    # The public notice shows the case with a masked name; the notice closes by the real command.
    applicant.goto(base + "/notice")
    expect(applicant.locator(f"#notice-{case_id}")).to_contain_text("张**")
    db_session.expire_all()
    ends = db_session.get(Application, case_id).notice_ends_on
    result = CliRunner().invoke(
        talent_command, ["publicity", "close", "--as-of", (ends + dt.timedelta(days=1)).isoformat()],
        env={"TALENT_DATABASE_URL": database_url, "TALENT_INSTANCE_PATH": app.instance_path,
             "TALENT_SECRET_KEY": "test-secret-key"},
    )
    assert result.exit_code == 0, result.output
    assert f"application {case_id}: granted, card CC-" in result.output

    # The applicant sees the card and downloads it: a PDF carrying the card number.
    applicant.goto(f"{base}/applicant/cases/{case_id}")
    expect(applicant.locator("#case-status")).to_have_text("已认定")
    number = applicant.locator("#card-number").inner_text()
    with applicant.expect_download() as download_info:
        applicant.get_by_role("link", name="下载尊享卡（PDF）").click()
    download = download_info.value
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-") and download.suggested_filename == f"{number}.pdf"
    assert number in "".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)
    expect(applicant.locator("#payments-housing_subsidy")).to_contain_text("¥150,000")

    # Anyone can verify the card by its code (the QR code's address): valid, holder masked.
    code = db_session.get(Application, case_id).card.verification_code
    visitor = browser.new_page(locale="zh-CN")
    visitor.goto(base + "/cards/verify")
    visitor.get_by_label("验证码").fill(code)
    visitor.get_by_role("button", name="查询").click()
    expect(visitor.locator("#verify-result")).to_contain_text("有效")
    expect(visitor.locator("#verify-holder")).to_have_text("张**")
