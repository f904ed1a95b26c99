"""The whole workflow through the HTTP API of API.md on a fresh database: register, apply, endorse, approve twice,
object and dismiss, close the notice with `talent publicity close`, download the card PDF (checked with poppler),
verify it, revoke it, verify again. No response and no log line may carry the full ID number."""

from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from talent.cli import main as talent_command
from talent.logs import JsonFormatter
from talent.models import AuditEvent
from talent.models.applications import Application, StatusChange
from talent.services.workflow import today
from tests.conftest import seed
from tests.services.workflow_support import (
    DEMO_EMPLOYER_CODE,
    bearer,
    id_number,
    register,
    tier_b_facts,
    years_ago,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Recorder:
    """Keeps every response body, so the test can check that none carries the ID number."""

    def __init__(self, client):
        self.client = client
        self.bodies: list[str] = []

    def __getattr__(self, method):
        call = getattr(self.client, method)

        def request(*args, **kwargs):
            response = call(*args, **kwargs)
            if response.mimetype == "application/json":
                self.bodies.append(json.dumps(response.get_json(), ensure_ascii=False))
            else:
                self.bodies.append(response.get_data().decode("latin-1"))
            return response

        return request


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    return subprocess.run([shutil.which("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "card.pdf"
    path.write_bytes(pdf)
    return subprocess.run([shutil.which("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def cli_environment(monkeypatch, database_url, app):
    # `talent publicity close` builds its own application from the environment, as in production.
    monkeypatch.setenv("TALENT_DATABASE_URL", database_url)
    monkeypatch.setenv("TALENT_INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("TALENT_SECRET_KEY", "test-secret-key")


class LogLines(logging.Handler):
    """Every record of the platform's loggers, formatted as the platform formats them (JSON, IDs masked)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.records: list[logging.LogRecord] = []
        self.formatted: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.formatted.append(self.format(record))

    def attach(self) -> None:
        # `create_app` (also the one `talent publicity close` builds) replaces the handlers: attach again after it
        logger = logging.getLogger("talent")
        if self not in logger.handlers:
            logger.addHandler(self)

    def getvalue(self) -> str:
        return "\n".join(self.formatted)


@pytest.fixture
def log_lines():
    handler = LogLines()
    handler.attach()
    yield handler
    logging.getLogger("talent").removeHandler(handler)


def test_the_whole_workflow_through_the_api(app, client, db_session, cli_environment, tmp_path, log_lines):
    seed(app)
    http = Recorder(client)
    full_id = id_number("220104", years_ago(45), 57)

    applicant = register(client, "gao.yuan@example.cn", "高远")
    response = http.post(
        "/api/v1/applications",
        json={"facts": tier_b_facts(full_id), "employer_credit_code": DEMO_EMPLOYER_CODE},
        headers=applicant,
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    case_id = created["id"]
    assert created["status"] == "awaiting_endorsement"
    assert created["decision"]["tier"] == "B" and created["decision"]["programmes"]["privilege_card"]["eligible"]

    response = http.post(f"/api/v1/applications/{case_id}/documents", headers=applicant,
                         data={"file": (io.BytesIO(PDF_BYTES), "劳动合同.pdf")},
                         content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()

    employer = bearer(client, "employer@demo.talent.cc")
    response = http.post(f"/api/v1/applications/{case_id}/endorsement", json={"endorse": True, "comment": "属实"},
                         headers=employer)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "in_review"

    officer, officer2 = bearer(client, "officer@demo.talent.cc"), bearer(client, "officer2@demo.talent.cc")
    queue = http.get("/api/v1/reviews", headers=officer).get_json()
    assert [item["id"] for item in queue["items"]] == [case_id]

    decision = {"outcome": "approve", "reason": "材料齐全，符合B类人才认定条件。"}
    response = http.post(f"/api/v1/applications/{case_id}/decision", json=decision, headers=officer)
    assert response.status_code == 200 and response.get_json()["status"] == "awaiting_confirmation"
    # four eyes: the same officer cannot confirm
    assert http.post(f"/api/v1/applications/{case_id}/decision", json=decision, headers=officer).status_code == 409
    response = http.post(f"/api/v1/applications/{case_id}/decision", json=decision, headers=officer2)
    assert response.status_code == 200, response.get_json()
    confirmed = response.get_json()
    assert confirmed["status"] == "under_notice"
    notice_ends_on = confirmed["notice_ends_on"]

    neighbour = register(client, "neighbour@example.cn", "路人甲")
    response = http.post(f"/api/v1/applications/{case_id}/objections", json={"text": "该申请人并非全职。"},
                         headers=neighbour)
    assert response.status_code == 201, response.get_json()
    objection_id = response.get_json()["id"]
    response = http.post(f"/api/v1/objections/{objection_id}/resolution",
                         json={"uphold": False, "reason": "经核实社保缴纳记录，属全职。"}, headers=officer)
    assert response.status_code == 200 and response.get_json()["status"] == "dismissed"

    # run a week after the last day of the notice, as a scheduler catching up would
    close_on = (date.fromisoformat(notice_ends_on) + timedelta(days=7)).isoformat()
    result = CliRunner().invoke(talent_command, ["publicity", "close", "--as-of", close_on])
    log_lines.attach()
    assert result.exit_code == 0, result.output
    assert "1 notice period(s) closed" in result.output

    body = http.get(f"/api/v1/applications/{case_id}", headers=applicant).get_json()
    assert body["status"] == "granted"
    number, code = body["card"]["number"], body["card"]["verification_code"]
    assert number.startswith("CC-") and len(code) >= 20
    assert len(body["instalments"]) == 5 + 60  # tier housing in 5 parts, living allowance monthly for 60 months

    response = client.get(f"/api/v1/cards/{number}.pdf", headers=applicant)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    fonts = pdf_fonts(response.data, tmp_path)
    assert any(("WenQuanYi" in line or "CJK" in line) and " yes " in line for line in fonts.splitlines()), fonts
    text = pdf_text(response.data, tmp_path)
    assert "高远" in text and number in text

    letter = client.get(f"/api/v1/applications/{case_id}/letter.pdf", headers=applicant)
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    letter_text = pdf_text(letter.data, tmp_path)
    assert full_id not in letter_text and full_id[:6] + "********" + full_id[-4:] in letter_text

    card = http.get(f"/api/v1/cards/{number}", headers=applicant).get_json()
    assert card["valid_from"] == today().isoformat()  # issued now, not at a future --as-of date
    # POLICY 5.1: the application date plus 5 years (29 February maps to 28 February)
    applied = date.fromisoformat(created["application_date"])  # the day it was submitted
    valid_until = applied.replace(year=applied.year + 5, day=28 if (applied.month, applied.day) == (2, 29)
                                  else applied.day).isoformat()
    assert card["valid_until"] == valid_until
    verified = http.get(f"/api/v1/cards/verify/{code}").get_json()
    assert verified == {"valid": True, "status": "active", "tier": "B", "valid_until": valid_until,
                        "holder": "高*"}

    response = http.post(f"/api/v1/cards/{number}/revocation", json={"reason": "已离开长春工作。", "fraud": False},
                         headers=officer)
    assert response.status_code == 200, response.get_json()
    revoked = response.get_json()
    assert revoked["status"] == "revoked" and revoked["number"] == number and revoked["refund_owed"] == 0

    verified = http.get(f"/api/v1/cards/verify/{code}").get_json()
    assert verified["valid"] is False and verified["status"] == "revoked"

    # Every state change has its audit event, with the same action as the timeline entry.
    application = db_session.get(Application, case_id)
    changes = db_session.scalars(select(StatusChange).where(StatusChange.application_id == case_id)).all()
    audited = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "application", AuditEvent.entity_id == str(case_id))
        .order_by(AuditEvent.id)
    ).all()
    assert [f"application.{c.action}" for c in changes] == audited == [
        "application.submit", "application.endorse", "application.approve", "application.approve",
        "application.close_notice", "application.revoke",
    ]
    assert application.status == "revoked"
    other = {a for (a,) in db_session.execute(select(AuditEvent.action).where(AuditEvent.entity_type != "application"))}
    assert {"document.uploaded", "objection.filed", "objection.dismissed", "card.issued", "card.revoked"} <= other

    # No response and no log line carries the full ID number.
    assert http.bodies and not [body for body in http.bodies if full_id in body]
    lines = log_lines.getvalue()
    assert f'"path": "/api/v1/applications/{case_id}/decision"' in lines  # the log lines were captured
    assert full_id not in lines and full_id not in result.output
    assert not [r for r in log_lines.records if full_id in r.getMessage()]  # not even before masking
