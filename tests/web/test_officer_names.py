"""Officer pages in words (issue 15): the audit trail as "field: old → new" in the page's language, never raw JSON
or field names; error pages and refusals in the page's language; the objections page gives no command-line advice."""

from __future__ import annotations

import re

import pytest

from talent.services.reviews import decide_application
from tests.web.test_officer_pages import case_in_review, granted_case, people, sign_in  # noqa: F401


def audit_table(html: str) -> str:
    start = html.index(">", html.index('id="audit"')) + 1
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_trail_reads_field_old_new_in_words(client, people, db_session, lang):  # noqa: F811
    case_id = granted_case(db_session, people)
    page = sign_in(client, people.officer).get(f"/officer/cases/{case_id}?lang={lang}").text
    audit = audit_table(page)
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", audit))
    if lang == "zh":
        assert re.search(r"状态\s*：\s*待单位确认 → 审核中", cells), cells
    else:
        assert re.search(r"Status\s*:\s*Awaiting employer endorsement → In review", cells), cells[:2000]
        assert "Card number" in cells
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", cells), re.findall(r"\b[a-z]+_[a-z_]+\b", cells)
    for raw in ("{", "}", "employment.", "\"status\"", "in_review", "'", "approve"):
        assert raw not in cells, (raw, cells[max(0, cells.find(raw) - 200):cells.find(raw) + 100])


def test_the_objections_page_gives_no_command_line_advice(client, people, db_session):  # noqa: F811
    page = sign_in(client, people.officer).get("/officer/objections").text
    assert "talent publicity" not in page and "命令" not in page


@pytest.mark.parametrize(("lang", "expected", "unexpected"), [
    ("zh", "须由另一位审核人员复核", "a second, different officer"),
    ("en", "a second, different officer", "须由另一位审核人员复核"),
])
def test_refusals_are_in_the_page_language(client, people, db_session, lang, expected, unexpected):  # noqa: F811
    case_id = case_in_review(db_session, people)
    first = sign_in(client, people.officer)
    decide_application(db_session, people.officer, case_id, outcome="approve", reason="符合条件")
    db_session.commit()
    refused = first.post(f"/officer/cases/{case_id}/approval?lang={lang}", data={"reason": "再次通过"})
    assert refused.status_code == 409
    assert expected in refused.text and unexpected not in refused.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_error_pages_have_no_chinese_heading_over_english_text(client, people, db_session, lang):  # noqa: F811
    case_id = case_in_review(db_session, people)
    other = sign_in(client, people.applicants[1])
    page = other.get(f"/applicant/cases/{case_id}?lang={lang}")
    assert page.status_code in (403, 404)
    body = page.text[page.text.index(">", page.text.index('class="panel narrow error-page"')) + 1:]
    body = body[:body.index("</section>")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))
    if lang == "zh":
        assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", text), text  # no English sentence on a Chinese page
    else:
        assert not re.search(r"[\u4e00-\u9fff]", text), text


def test_the_decision_letter_names_rules_in_words(client, people, db_session, tmp_path):  # noqa: F811
    from tests.test_workflow_end_to_end import pdf_text

    case_id = granted_case(db_session, people)
    response = sign_in(client, people.officer).get(f"/officer/cases/{case_id}/letter.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    text = re.sub(r"\s+", " ", pdf_text(response.data, tmp_path))
    assert "共同条件一：用人单位在长春" in text.replace(" ", "") and "Condition 1: employer in" in text, text[text.find("认定依据"):][:1500]
    assert "审核决定" in text
    for internal in ("G1：", "G1:", "B_ENTERPRISE", "——成立", "card_services"):
        assert internal not in text, internal
