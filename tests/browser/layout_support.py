"""Helpers of the layout and accessibility browser tests: demo accounts with one case in review, signing in,
and measurements taken in the page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import seed

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "demo-pass-2026"
EMAILS = {
    "applicant": "applicant@demo.talent.cc",
    "employer": "employer@demo.talent.cc",
    "officer": "officer@demo.talent.cc",
    "admin": "admin@demo.talent.cc",
    "analyst": "analyst@demo.talent.cc",
    "partner": "desk@partner.example.cn",  # made by seed_with_a_case: the demo accounts have no partner staff
}


def seed_with_a_case(app: Any) -> int:
    """Demo accounts and employer, a partner organisation with one staff account, and the demo applicant's case
    endorsed and approved once (awaiting the second officer): every role has something on its pages and in its
    inbox."""
    from talent.db import db
    from talent.models import User
    from talent.services.applications import endorse_application, submit_application
    from talent.services.reviews import decide_application
    from talent.services.service_requests import add_partner_staff, create_partner, verify_partner
    from tests.services.workflow_support import DEMO_EMPLOYER_CODE, tier_b_facts

    ids = seed(app)
    with app.app_context(), db.command_transaction() as session:
        applicant = session.get(User, ids[EMAILS["applicant"]])
        application = submit_application(session, applicant, facts=tier_b_facts(),
                                         employer_credit_code=DEMO_EMPLOYER_CODE)
        endorse_application(session, session.get(User, ids[EMAILS["employer"]]), application.id, endorse=True,
                            comment="情况属实")
        decide_application(session, session.get(User, ids[EMAILS["officer"]]), application.id, outcome="approve",
                           reason="符合条件。")
        officer = session.get(User, ids[EMAILS["officer"]])
        partner = create_partner(session, officer, name="吉林大学第一医院", services=["hospital_green_channel"])
        verify_partner(session, officer, partner.id)
        add_partner_staff(session, officer, partner.id, email=EMAILS["partner"], name="刘医生", password=PASSWORD)
        return application.id


def sign_in(page: Any, base_url: str, role: str) -> None:
    page.goto(base_url + "/login?lang=zh")
    page.get_by_label("电子邮箱").fill(EMAILS[role])
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{role} could not sign in"


HEADER_ROW = """() => {
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const header = document.querySelector('.header-inner').getBoundingClientRect();
  const parts = [...document.querySelectorAll(
      '.brand, .nav-list > li, .nav-more:not([hidden]) > .nav-more-button, .nav-account > *')]
    .filter(visible)
    .map((e) => { const r = e.getBoundingClientRect();
                  return {text: e.innerText.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom}; });
  return {
    header: {left: header.left, right: header.right, top: header.top, bottom: header.bottom, height: header.height},
    parts,
    inRow: document.querySelectorAll('.nav-list > li').length,
    inMore: document.querySelectorAll('.nav-more-list > li').length,
    scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth,
  };
}"""


def assert_one_row(page: Any, label: str) -> dict[str, Any]:
    found = page.evaluate(HEADER_ROW)
    header, parts = found["header"], found["parts"]
    assert header["height"] <= 72, f"{label}: header is {header['height']} px high"
    centre = (header["top"] + header["bottom"]) / 2
    for part in parts:
        middle = (part["top"] + part["bottom"]) / 2
        assert abs(middle - centre) <= 6, f"{label}: {part['text']!r} is not on the header's row"
    ordered = sorted(parts, key=lambda p: p["left"])
    for before, after in zip(ordered, ordered[1:], strict=False):
        assert before["right"] <= after["left"] + 1, f"{label}: {before['text']!r} overlaps {after['text']!r}"
    assert ordered[-1]["right"] <= header["right"] + 1, f"{label}: {ordered[-1]['text']!r} sticks out"
    assert not found["scrolls"], f"{label}: the page scrolls sideways"
    return found


NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"

# Controls a finger must hit on a phone: buttons, form fields, menu entries, links styled as buttons.
SMALL_TARGETS = """() => {
  const selector = 'button, a.button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),' +
                   ' .site-nav a, label.checkbox, label.radio, .pagination a';
  return [...document.querySelectorAll(selector)].filter((e) => {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') return false;
    if (e.closest('.skip-link, .visually-hidden')) return false;
    return r.height < 44 - 0.5 || r.width < 44 - 0.5;
  }).map((e) => `${e.tagName.toLowerCase()}.${e.className} "${(e.innerText || e.value || e.name || '').trim().slice(0, 30)}" ${Math.round(e.getBoundingClientRect().width)}x${Math.round(e.getBoundingClientRect().height)}`);
}"""


def axe_violations(page: Any) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now (WCAG 2.x A and AA rules, which
    include text contrast of 4.5:1)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async () => {
          const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                                             resultTypes: ['violations']});
          return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')).join(' | '));
        }"""
    )
    return list(results)


def click_nav_link(page: Any, name: str) -> None:
    """Follow a navigation entry as a person would: on the header's row if it fits, otherwise under "更多 /
    More" (wide screens) or in the menu (phones) — which entries fit depends on the width, role and language."""
    page.wait_for_function("() => !!document.getElementById('site-nav').dataset.layoutWidth")
    link = page.locator("#site-nav").get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        more = page.locator(".nav-more-button")
        (more if more.is_visible() else page.locator(".nav-toggle")).click()
    link.click()
