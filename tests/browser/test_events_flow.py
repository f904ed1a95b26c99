"""A recruitment event in headless Chromium: a graduate finds the event, registers and sees the QR ticket; the
organiser types the ticket's code on the check-in page, which records the attendance once (a second scan says
when). axe-core finds no serious or critical violation on the pages on the way, in both widths."""

from __future__ import annotations

import datetime as dt

import pytest

from talent.clock import CHANGCHUN
from talent.db import db
from talent.models import User
from talent.services import events
from tests.browser.layout_support import axe_violations, click_nav_link
from tests.conftest import seed

pytestmark = pytest.mark.browser


def sign_in(page, url: str, email: str) -> None:
    page.goto(url + "/login?lang=zh")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill("demo-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login" not in page.url


def no_axe_violations(page, label: str) -> list[str]:
    problems = [f"{label} 1280px: {v}" for v in axe_violations(page)]
    page.set_viewport_size({"width": 390, "height": 900})
    problems += [f"{label} 390px: {v}" for v in axe_violations(page)]
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def test_register_see_the_qr_ticket_and_check_in(app, live_server, browser, backend):
    if backend != "sqlite":
        pytest.skip("the page flow does not depend on the database; the services are tested on both")
    ids = seed(app)
    starts = dt.datetime.now(CHANGCHUN).replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    with app.app_context(), db.command_transaction() as session:
        organiser = session.get(User, ids["employer@demo.talent.cc"])
        event = events.create_event(session, organiser, kind="campus_talk", title="示范零部件校园宣讲会",
                                    starts_at=starts, ends_at=starts + dt.timedelta(hours=2), district="220102",
                                    venue="吉林大学鼎新楼报告厅", capacity=30)
        event_id = event.id

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    problems: list[str] = []
    sign_in(page, live_server.url, "applicant@demo.talent.cc")
    click_nav_link(page, "招聘活动")
    problems += no_axe_violations(page, "/events")
    page.get_by_role("link", name="示范零部件校园宣讲会").click()
    problems += no_axe_violations(page, "/events/<id>")
    page.get_by_role("button", name="报名参加").click()
    page.wait_for_url(f"**/events/{event_id}/ticket")
    assert "报名成功" in page.locator(".flashes").inner_text()
    qr = page.locator("#ticket-qr")
    assert qr.is_visible()
    assert page.evaluate("() => document.getElementById('ticket-qr').naturalWidth") > 100  # the image loaded
    code = page.locator("code.ticket-code").inner_text().strip()
    assert code and str(event_id) != code
    problems += no_axe_violations(page, "ticket")
    page.goto(live_server.url + "/events/mine")
    assert page.locator("img.ticket-qr").count() == 1
    problems += no_axe_violations(page, "/events/mine")
    page.get_by_role("button", name="退出").click()

    sign_in(page, live_server.url, "employer@demo.talent.cc")
    click_nav_link(page, "我的招聘活动")
    page.get_by_role("link", name="签到", exact=True).click()
    problems += no_axe_violations(page, "check-in")
    page.get_by_label("入场码").fill(code)
    page.get_by_role("button", name="签到", exact=True).click()
    assert page.locator("#check-in-result").inner_text() == "签到成功：李明远"
    assert "已签到 1 人 / 已报名 1 人" in page.locator("#attendance-count").inner_text()
    page.get_by_label("入场码").fill(code)
    page.get_by_role("button", name="签到", exact=True).click()
    again = page.locator("#check-in-result").inner_text()
    assert again.startswith("李明远 已于 ") and again.endswith(" 签到，无需重复签到。")
    assert "已签到 1 人 / 已报名 1 人" in page.locator("#attendance-count").inner_text()
    page.get_by_role("link", name="报名与签到名单").click()
    assert "李**" in page.locator("table").inner_text()
    problems += no_axe_violations(page, "attendance")
    context.close()
    assert not problems, "\n".join(problems)
