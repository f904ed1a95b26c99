"""Officer tools in headless Chromium: searching the queue, downloading an export, and closing a notice period
(with its confirmation step) from the page, at desk and phone widths."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from talent.db import db
from talent.models import User
from talent.models.applications import Application
from talent.services.reviews import decide_application
from talent.services.workflow import today as local_today
from tests.browser.layout_support import seed_with_a_case, sign_in

pytestmark = pytest.mark.browser


def _under_notice_since_last_week(app, case_id: int) -> str:
    with app.app_context(), db.command_transaction() as session:
        officer2 = session.query(User).filter_by(email="officer2@demo.talent.cc").one()
        decide_application(session, officer2, case_id, outcome="approve", reason="复核同意。")
        application = session.get(Application, case_id)
        application.notice_starts_on = local_today() - dt.timedelta(days=8)
        application.notice_ends_on = local_today() - dt.timedelta(days=1)
        return application.number


def test_an_officer_finds_a_case_exports_the_queue_and_closes_its_notice(app, live_server, browser, tmp_path):
    case_id = seed_with_a_case(app)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server.url, "officer")

    page.get_by_role("searchbox", name="查找").fill("李明远")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("#queue tbody tr")
    expect(rows).to_have_count(1)
    number = rows.first.locator("a").first.inner_text()
    page.get_by_role("searchbox", name="查找").fill("没有这个人")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#queue")).to_have_count(0)
    expect(page.get_by_text("没有符合条件的案件。")).to_be_visible()

    page.goto(f"{live_server.url}/officer/?q={number}")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    saved = tmp_path / "queue.csv"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert number in text and "李明远" in text and "********" in text

    assert _under_notice_since_last_week(app, case_id) == number
    page.set_viewport_size({"width": 390, "height": 860})
    page.goto(f"{live_server.url}/officer/objections")
    page.get_by_role("link", name="办结公示、发卡").first.click()
    page.wait_for_url("**/officer/close-notices")
    expect(page.get_by_role("checkbox", name=f"办结 {number}")).to_be_checked()
    expect(page.get_by_text("请确认：")).to_be_visible()
    page.get_by_role("button", name="确认办结并发卡").click()
    expect(page.get_by_text("已办结 1 件，发卡 1 张。")).to_be_visible()
    expect(page.get_by_text(f"{number}：已认定，尊享卡 CC-")).to_be_visible()
    expect(page.get_by_text("目前没有公示期已满、等待办结的案件。")).to_be_visible()
    context.close()

    # The applicant hears of it in the inbox (unread count in the header).
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "applicant")
    expect(page.locator("#unread-count")).to_have_text("4")  # endorsed, approved, confirmed, granted
    page.locator(".nav-inbox").click()
    expect(page.get_by_text(f"申请 {number}：公示期满，予以认定。当前状态：已认定。")).to_be_visible()
    context.close()
