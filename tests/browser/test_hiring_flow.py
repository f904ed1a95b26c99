"""Hiring end to end in headless Chromium: the demo applicant applies to a post from its page; the demo employer
shortlists, arranges an interview and makes an offer from the post's pipeline; the graduate accepts on "my job
applications" and is hired; both pages pass axe-core (WCAG 2.1 A/AA) along the way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from talent.clock import today_in_changchun
from tests.browser.layout_support import axe_violations, click_nav_link
from tests.browser.test_matching_pages import sign_in, sign_out
from tests.conftest import seed

pytestmark = pytest.mark.browser

TITLE = "整车电气系统工程师"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """As tests/conftest.py's, and axe-core may be added to the page (as in test_layout.py)."""
    return {**browser_context_args, "bypass_csp": True}


def _arrange(app) -> int:
    from talent.db import db
    from talent.models import User
    from talent.services.demo_jobs import DEMO_APPLICANT_PROFILE
    from talent.services.graduates import save_graduate_profile
    from talent.services.jobs import post_job

    ids = seed(app)
    with app.app_context(), db.command_transaction() as session:
        employer = session.get(User, ids["employer@demo.talent.cc"])
        applicant = session.get(User, ids["applicant@demo.talent.cc"])
        save_graduate_profile(session, applicant, **DEMO_APPLICANT_PROFILE)
        job = post_job(session, employer, title=TITLE, description="负责整车电气架构设计与线束开发，车辆工程相关专业。",
                       min_education="bachelor", district="220174", salary_min=7000, salary_max=10000, headcount=2,
                       majors=["080207"])
        return job.id


def test_apply_shortlist_interview_offer_hired(app, live_server, page: Page):
    job_id = _arrange(app)
    base = live_server.url
    page.set_viewport_size({"width": 1280, "height": 900})

    # The graduate applies from the post's page, with a note.
    sign_in(page, base, "applicant@demo.talent.cc")
    page.goto(f"{base}/jobs/{job_id}")
    page.get_by_label("附言（选填）").fill("我熟悉整车电气架构。")
    page.get_by_role("button", name="投递此岗位").click()
    page.wait_for_url("**/graduate/applications")
    expect(page.get_by_role("status").first).to_contain_text("已投递")
    expect(page.locator("li.job-application")).to_contain_text("已投递")
    assert axe_violations(page) == []
    sign_out(page)

    # The employer moves the candidate on from the post's pipeline.
    sign_in(page, base, "employer@demo.talent.cc")
    click_nav_link(page, "我的岗位")
    page.get_by_role("row", name=re.compile(TITLE)).get_by_role("link", name="投递进度").click()
    item = page.locator("li.pipeline-item")
    expect(item).to_contain_text("李明远")
    assert axe_violations(page) == []
    item.locator("summary").click()
    item.get_by_role("button", name="入围").click()
    expect(item).to_contain_text("已入围")

    item.locator("summary").click()
    when = (dt.datetime.now() + dt.timedelta(days=4)).replace(hour=9, minute=30)
    item.get_by_label("面试时间（北京时间）").fill(when.strftime("%Y-%m-%dT%H:%M"))
    item.get_by_label("面试地点").fill("长春市汽车经济技术开发区东风大街 1 号")
    item.get_by_role("button", name="安排面试").click()
    expect(item).to_contain_text("待面试")
    expect(item).to_contain_text("东风大街 1 号")

    item.locator("summary").click()
    start = today_in_changchun() + dt.timedelta(days=30)
    item.get_by_label("拟入职日期（选填）").fill(start.isoformat())
    item.get_by_role("button", name="发录用通知").click()
    expect(item).to_contain_text("已发录用通知")
    sign_out(page)

    # The graduate accepts the offer: hired, with the start date.
    sign_in(page, base, "applicant@demo.talent.cc")
    click_nav_link(page, "我的投递")
    application = page.locator("li.job-application")
    expect(application).to_contain_text(start.isoformat())
    application.get_by_role("button", name="接受录用").click()
    expect(page.get_by_role("status").first).to_contain_text("您已接受录用")
    expect(page.locator("li.job-application")).to_contain_text("已录用")
    expect(page.locator("li.placement")).to_contain_text(start.isoformat())
    assert axe_violations(page) == []
    sign_out(page)

    # The employer sees the hire in the pipeline and among the hires.
    sign_in(page, base, "employer@demo.talent.cc")
    page.goto(f"{base}/employer/jobs/{job_id}/pipeline")
    expect(page.locator("li.pipeline-item")).to_contain_text("已录用")
    expect(page.get_by_text("招聘人数 2，已录用 1，剩余名额 1。")).to_be_visible()
    click_nav_link(page, "录用与留长")
    expect(page.get_by_role("row", name=re.compile("李明远"))).to_contain_text(start.isoformat())
    assert axe_violations(page) == []
