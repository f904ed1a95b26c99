"""The apartment flow in headless Chromium: an applicant applies on the page, the officer closes the round on the
management page, the public round page shows the published seed, and the applicant accepts and sees the lease."""

from __future__ import annotations

import hashlib

import pytest

from talent.db import db
from talent.models import Role, User
from talent.services import apartments
from talent.services.accounts import create_user
from talent.services.workflow import today
from tests.api.test_apartments_api import apartment_facts
from tests.browser.layout_support import click_nav_link
from tests.conftest import seed
from tests.services.workflow_support import DEMO_EMPLOYER_CODE

pytestmark = pytest.mark.browser


def sign_in(page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill("demo-pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_apply_draw_accept_and_see_the_lease(app, live_server, page):
    ids = seed(app)
    from talent.services.applications import submit_application

    with app.app_context(), db.command_transaction() as session:
        officer = session.get(User, ids["officer@demo.talent.cc"])
        community = apartments.create_community(session, officer, code="QN-GX", name_zh="高新区青年人才社区",
                                                name_en="High-tech Zone Youth Talent Community", district="220173")
        apartments.add_units(session, officer, [{"community": "QN-GX", "building": "3", "number": "1201",
                                                 "type": "studio", "area_m2": "33.5"}], source="test")
        apartments.open_round(session, officer, name="高新区第一批", closes_on=today())
        young = create_user(session, email="young@example.cn", password="demo-pass-2026", name="周青",
                            role=Role.APPLICANT)
        submit_application(session, young, facts=apartment_facts(71), employer_credit_code=DEMO_EMPLOYER_CODE)
        community_id = community.id

    sign_in(page, live_server.url, "young@example.cn")
    click_nav_link(page, "我的配租")
    page.get_by_label("第 1 志愿社区").select_option(str(community_id))
    page.get_by_label("户型").select_option("studio")
    page.get_by_role("button", name="提交申请").click()
    assert "申请已提交" in page.locator(".flashes").inner_text()
    assert "待摇号" in page.locator("#my-applications").inner_text()
    sign_out(page)

    sign_in(page, live_server.url, "officer@demo.talent.cc")
    click_nav_link(page, "公寓管理")
    page.get_by_role("button", name="截止并摇号").click()
    page.wait_for_url("**/apartments/rounds/*")
    seed_text = page.locator("#round-seed").inner_text().strip()
    commitment = page.locator("#round-commitment").inner_text().strip()
    assert hashlib.sha256(seed_text.encode()).hexdigest() == commitment
    assert "周*" in page.locator("#round-offers").inner_text()
    sign_out(page)

    sign_in(page, live_server.url, "young@example.cn")
    page.goto(live_server.url + "/apartments/mine")
    assert "高新区青年人才社区 3 栋 1201 室" in page.locator("section.panel").first.inner_text()
    page.get_by_role("button", name="接受").click()
    assert "租约已生成" in page.locator(".flashes").inner_text()
    assert "3-1201" in page.locator("#lease-unit").inner_text()
    assert "36 个月" in page.locator("[id^=lease-] #lease-term").inner_text()
