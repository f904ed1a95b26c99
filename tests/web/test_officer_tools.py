"""Officer tools through real requests: queue search and sort, CSV/XLSX exports (masked IDs, no formulas), and
closing notice periods from the page after a confirmation step."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from talent.clock import CHANGCHUN
from talent.models import AuditEvent
from talent.models.applications import Application, ReviewDecision
from talent.models.notifications import Notification
from talent.services import publicity
from talent.services.accounts import hash_password
from talent.services.reviews import decide_application
from talent.services.workflow import today as local_today
from tests.services.workflow_support import case_in, id_number, make_people, tier_b_facts, years_ago

PASSWORD = "pass-word-2026"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"点我\")"


@pytest.fixture
def people(app, db_session):
    found = make_people(db_session)
    for user in (found.applicant, found.officer, found.officer2):
        user.password_hash = hash_password(PASSWORD)
    db_session.commit()
    return found


def sign_in(client, user):
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def queue_numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/officer/cases/\d+">(TA-\d{4}-\d{6})</a>', html)


@pytest.fixture
def two_cases(people, db_session):
    first_id = id_number("220104", dt.date(1979, 3, 15), 31)
    second_id = id_number("220102", dt.date(1985, 6, 1), 45)
    first = case_in(db_session, people, "in_review", facts=tier_b_facts(first_id))
    second = case_in(db_session, people, "in_review", facts=tier_b_facts(second_id), owner=people.other_applicant)
    db_session.commit()
    return first, second, first_id, second_id


def test_the_queue_finds_cases_by_name_number_visible_id_parts_and_employer(client, people, two_cases):
    first, second, first_id, second_id = two_cases
    sign_in(client, people.officer)
    assert sorted(queue_numbers(client.get("/officer/").text)) == sorted([first.number, second.number])
    searches = {
        "李娜": [first.number],  # applicant's name
        "孙": [second.number],
        second.number: [second.number],
        str(second.id): [second.number],
        "220102": [second.number],  # region code (first 6)
        first_id[-4:]: [first.number],  # last 4
        f"220104********{first_id[-4:]}": [first.number],  # the masked form as shown
        "19790315": [],  # the hidden birth date is never matched
        "零部件": [first.number, second.number],  # employer
        "100%": [],  # LIKE wildcards are text
    }
    for text, expected in searches.items():
        found = queue_numbers(client.get("/officer/", query_string={"q": text}).text)
        assert sorted(found) == sorted(expected), text
    # The district of the employer (both cases are with the demo employer in 220174).
    assert sorted(queue_numbers(client.get("/officer/?district=220174").text)) == sorted([first.number,
                                                                                          second.number])
    assert queue_numbers(client.get("/officer/?district=220102").text) == []
    by_name = queue_numbers(client.get("/officer/?sort=applicant").text)
    assert by_name == sorted([first.number, second.number], key={first.number: "李娜", second.number: "孙强"}.get)
    refused = client.get("/officer/?district=999999")
    assert "筛选条件无效" in refused.text
    assert 'name="q"' in refused.text and 'role="search"' in refused.text


def test_exports_mask_ids_neutralise_formulas_and_are_for_officers_only(client, people, two_cases, db_session):
    first, _second, first_id, _ = two_cases
    decide_application(db_session, people.officer, first.id, outcome="approve", reason=FORMULA)
    db_session.commit()
    sign_in(client, people.officer)

    response = client.get("/officer/queue.csv?q=李娜&status=awaiting_confirmation")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["申请编号", "申请人", "身份证号（已隐去）"]
    assert len(rows) == 2 and rows[1][0] == first.number and rows[1][1] == "李娜"
    assert rows[1][2] == f"220104********{first_id[-4:]}"
    assert first_id not in response.data.decode("utf-8-sig")

    response = client.get("/officer/decisions.xlsx?lang=en")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][0] == "Case number"
    reason_cells = [row[8] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in reason_cells] == ["'" + FORMULA]
    assert all(cell.data_type == "s" for cell in reason_cells)
    csv_text = client.get("/officer/decisions.csv").data.decode("utf-8-sig")
    assert "'" + FORMULA.replace('"', '""') in csv_text

    exported = db_session.scalars(select(AuditEvent).where(AuditEvent.action.like("export.%"))
                                  .order_by(AuditEvent.id)).all()
    assert [(e.action, e.after["rows"], e.actor_id) for e in exported] == [
        ("export.queue", 1, people.officer.id), ("export.decisions", 1, people.officer.id),
        ("export.decisions", 1, people.officer.id)]
    assert client.get("/officer/queue.pdf").status_code == 404
    refused = client.get("/officer/queue.csv?district=999999")
    assert refused.status_code == 422 and "district" in refused.text
    refused = client.get("/officer/decisions.csv?from=2026-13-01")
    assert refused.status_code == 422 and "from" in refused.text
    # The day of the decision in Changchun (not "today": a run crossing Changchun's midnight would miss it).
    decided = db_session.scalars(select(ReviewDecision.decided_at).where(ReviewDecision.application_id == first.id)).one()
    today = (decided if decided.tzinfo else decided.replace(tzinfo=dt.UTC)).astimezone(CHANGCHUN).date()
    assert len(client.get(f"/officer/decisions.csv?from={today}&to={today}").data.decode("utf-8-sig")
               .strip().splitlines()) == 2
    tomorrow = today + dt.timedelta(days=1)
    assert len(client.get(f"/officer/decisions.csv?from={tomorrow}").data.decode("utf-8-sig")
               .strip().splitlines()) == 1  # the header only
    db_session.expire_all()
    last = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "export.decisions")
                              .order_by(AuditEvent.id.desc())).first()
    assert last.after == {"rows": 0, "filters": {"from": tomorrow.isoformat()}}

    client.post("/logout")
    sign_in(client, people.applicant)
    assert client.get("/officer/queue.csv").status_code == 403
    assert client.get("/officer/decisions.xlsx").status_code == 403


def test_closing_notice_periods_from_the_page_after_confirmation(client, people, db_session):
    today = local_today()
    over = case_in(db_session, people, "under_notice")
    objected = case_in(db_session, people, "under_notice", owner=people.other_applicant,
                       facts=tier_b_facts(id_number("220102", years_ago(40), 77)))
    publicity.file_objection(db_session, people.employer_user, objected.id, text="并非全职。")
    for application in (over, objected):
        # Both notice periods ended yesterday.
        application.notice_starts_on = today - dt.timedelta(days=8)
        application.notice_ends_on = today - dt.timedelta(days=1)
    db_session.commit()
    sign_in(client, people.officer)

    objections_page = client.get("/officer/objections")
    assert "talent publicity close 命令" not in objections_page.text
    assert 'href="/officer/close-notices"' in objections_page.text
    page = client.get("/officer/close-notices")
    assert page.status_code == 200
    assert f'name="application" value="{over.id}" checked' in page.text
    assert f'name="application" value="{objected.id}"' not in page.text  # not offered: objection pending
    assert "有待处理的异议，暂不能办结" in page.text and "确认办结并发卡" in page.text
    assert db_session.get(Application, over.id).status == "under_notice"  # showing changed nothing

    # Posting the objected case anyway grants only the one that can be granted.
    response = client.post("/officer/close-notices", data={"application": [str(over.id), str(objected.id)]},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "已办结 1 件，发卡 1 张。" in response.text
    assert "有待处理的异议，未办结" in response.text
    db_session.expire_all()
    granted = db_session.get(Application, over.id)
    assert granted.status == "granted" and granted.card is not None
    assert granted.card.number in response.text
    assert db_session.get(Application, objected.id).status == "under_notice"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "publicity.closed_on_page"))
    assert event.actor_id == people.officer.id
    assert {r["application_id"]: r["outcome"] for r in event.after["results"]} == {
        over.id: "granted", objected.id: "pending_objection"}
    told = db_session.scalars(select(Notification).where(Notification.user_id == people.applicant.id,
                                                         Notification.kind == "case_status")).all()
    assert told[-1].params["status_code"] == "granted"

    assert client.post("/officer/close-notices", data={}, follow_redirects=True).text.count("没有选择要办结的案件") == 1
    client.post("/logout")
    sign_in(client, people.applicant)
    assert client.get("/officer/close-notices").status_code == 403
    assert client.post("/officer/close-notices", data={"application": [str(objected.id)]}).status_code == 403
