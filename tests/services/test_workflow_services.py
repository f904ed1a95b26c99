"""The workflow services on a real database (both backends): submission, endorsement, decisions, 一次性告知,
objections, closing the notice, payments, revocation and the ban, uploads, and no partial state on failure."""

from __future__ import annotations

import io
import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from talent.models import AuditEvent, Role
from talent.models.applications import Application, ApplicationDocument, Objection, PersonRecord
from talent.models.cards import Card, Instalment
from talent.services import Conflict, InvalidInput, NotAllowed, identities, publicity, reviews, uploads
from talent.services import applications as applications_service
from talent.services import cards as cards_service
from talent.services.workflow import today
from tests.services.workflow_support import (
    DEMO_EMPLOYER_CODE,
    OTHER_EMPLOYER_CODE,
    case_in,
    graduate_facts,
    make_people,
    tier_b_facts,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.7\n" + b"0" * 100 + b"\n%%EOF\n"


@pytest.fixture
def people(app, db_session):
    return make_people(db_session)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# --- submission ---------------------------------------------------------------------------------------------


def test_submission_stores_the_decision_policy_and_endorsement_clock(db_session, people):
    application = case_in(db_session, people, "awaiting_endorsement")
    assert application.status == "awaiting_endorsement"
    assert application.policy_id == "CC-2024" and application.tier == "B"
    assert application.decision["reasons"] and "id_number" not in str(application.decision)
    assert application.granted_programmes == ["privilege_card", "housing_subsidy", "living_allowance"]
    assert application.endorsement_due_on > today() and application.open_owner_id == people.applicant.id


def test_bad_facts_and_employer_are_refused_together_and_nothing_is_stored(db_session, people):
    facts = tier_b_facts()
    facts["id_number"] = facts["id_number"][:-1] + ("0" if facts["id_number"][-1] != "0" else "1")
    facts["education"] = "phd"
    with pytest.raises(InvalidInput) as refused:
        applications_service.submit_application(
            db_session, people.applicant, facts=facts, employer_credit_code="91110000000000000X"
        )
    assert {"facts.id_number", "facts.education", "employer_credit_code"} <= set(refused.value.errors)
    assert count(db_session, Application) == 0 and count(db_session, AuditEvent) == 0


def test_an_unverified_employer_cannot_be_named(db_session, people):
    with pytest.raises(InvalidInput) as refused:
        applications_service.submit_application(
            db_session, people.applicant, facts=tier_b_facts(), employer_credit_code=OTHER_EMPLOYER_CODE
        )
    assert list(refused.value.errors) == ["employer_credit_code"]


def test_one_open_application_at_a_time(db_session, people):
    first = case_in(db_session, people, "awaiting_endorsement")
    with pytest.raises(Conflict):
        case_in(db_session, people, "awaiting_endorsement")
    applications_service.withdraw_application(db_session, people.applicant, first.id)
    assert first.open_owner_id is None
    assert case_in(db_session, people, "awaiting_endorsement").status == "awaiting_endorsement"


def test_only_applicants_apply(db_session, people):
    with pytest.raises(NotAllowed):
        applications_service.submit_application(
            db_session, people.officer, facts=tier_b_facts(), employer_credit_code=DEMO_EMPLOYER_CODE
        )


# --- endorsement --------------------------------------------------------------------------------------------


def test_only_the_named_employer_endorses_and_a_decline_needs_a_comment(db_session, people):
    application = case_in(db_session, people, "awaiting_endorsement")
    with pytest.raises(NotAllowed):
        applications_service.endorse_application(
            db_session, people.other_employer_user, application.id, endorse=True, comment=""
        )
    with pytest.raises(InvalidInput) as refused:
        applications_service.endorse_application(
            db_session, people.employer_user, application.id, endorse=False, comment="  "
        )
    assert list(refused.value.errors) == ["comment"]
    applications_service.endorse_application(
        db_session, people.employer_user, application.id, endorse=False, comment="本单位无此员工。"
    )
    assert application.status == "endorsement_declined"
    assert application.endorsement_comment == "本单位无此员工。"
    # the applicant fixes the facts and resubmits to the same employer, who now endorses
    applications_service.resubmit_application(
        db_session, people.applicant, application.id, facts=graduate_facts(), note="已更正学历信息"
    )
    assert application.status == "awaiting_endorsement" and application.tier is None
    applications_service.endorse_application(db_session, people.employer_user, application.id, endorse=True, comment="")
    assert application.status == "in_review" and application.review_due_on is not None
    with pytest.raises(Conflict):
        applications_service.endorse_application(db_session, people.employer_user, application.id, endorse=True, comment="")


# --- decisions -----------------------------------------------------------------------------------------------


def test_four_eyes_on_approval(db_session, people):
    application = case_in(db_session, people, "awaiting_confirmation")
    assert application.first_approval_by_id == people.officer.id
    with pytest.raises(Conflict):
        reviews.decide_application(db_session, people.officer, application.id, outcome="approve", reason="再次同意")
    reviews.decide_application(db_session, people.admin, application.id, outcome="approve", reason="复核同意")
    assert application.status == "under_notice"
    assert application.notice_ends_on > application.notice_starts_on == today()
    assert [(d.stage, d.outcome) for d in application.decisions] == [("first", "approve"), ("second", "approve")]


def test_an_officer_never_decides_their_own_application(db_session, people):
    application = case_in(db_session, people, "in_review")
    people.applicant.role = Role.OFFICER  # the applicant later joined the bureau
    with pytest.raises(NotAllowed):
        reviews.decide_application(db_session, people.applicant, application.id, outcome="approve", reason="同意")


def test_the_second_officer_may_overrule_and_rejection_is_remembered(db_session, people):
    application = case_in(db_session, people, "awaiting_confirmation")
    reviews.decide_application(db_session, people.officer2, application.id, outcome="reject", reason="业绩材料不实。")
    assert application.status == "rejected" and application.outcome_reason == "业绩材料不实。"
    # the history is the person's (found by the ID number's keyed digest), not the account's
    record = db_session.scalar(select(PersonRecord).where(PersonRecord.id_digest == application.identity.id_digest))
    assert record.last_rejected_on == today() and record.user_id is None
    # a new application within 12 months fails G6
    again = case_in(db_session, people, "awaiting_endorsement")
    assert again.facts["history"]["last_rejected_on"] == today().isoformat()
    assert again.decision["eligible"] is False


def test_a_request_for_changes_lists_everything_at_once(db_session, people):
    application = case_in(db_session, people, "in_review")
    with pytest.raises(InvalidInput) as refused:
        reviews.decide_application(db_session, people.officer, application.id, outcome="request_changes", reason="补正")
    assert list(refused.value.errors) == ["items"]
    reviews.decide_application(
        db_session, people.officer, application.id, outcome="request_changes", reason="请补正以下材料。",
        items=[{"field": "documents", "problem": "缺劳动合同"},
               {"field": "employment.annual_salary", "problem": "与纳税记录不符"}],
    )
    assert application.status == "changes_requested" and len(application.requested_items) == 2
    id_on_file = identities.id_number_of(application)
    assert id_on_file and "id_number" not in application.facts  # kept encrypted, not in the facts
    facts = dict(application.facts)  # as the checker hands them back: without the ID number
    facts["employment"] = {**facts["employment"], "annual_salary": 1_150_000}
    applications_service.resubmit_application(db_session, people.applicant, application.id, facts=facts)
    assert application.status == "in_review" and application.review_round == 2
    assert identities.id_number_of(application) == id_on_file and "id_number" not in application.facts
    assert application.status_changes[-1].items == [{"field": "employment.annual_salary"}]
    # a field never mentioned and not changed: it should have been listed the first time
    with pytest.raises(InvalidInput) as refused:
        reviews.decide_application(
            db_session, people.officer, application.id, outcome="request_changes", reason="还需补正",
            items=[{"field": "employment.annual_salary", "problem": "仍不符"},
                   {"field": "housing.purchase.price", "problem": "新问题"}],
        )
    assert list(refused.value.errors) == ["items.1.field"]
    reviews.decide_application(
        db_session, people.officer, application.id, outcome="request_changes", reason="仍需补正",
        items=[{"field": "documents", "problem": "劳动合同缺签字页"}],
    )
    assert application.status == "changes_requested"


# --- notice and objections -------------------------------------------------------------------------------------


def test_an_upheld_objection_sends_the_case_back_to_review(db_session, people):
    application = case_in(db_session, people, "under_notice")
    first = publicity.file_objection(db_session, people.other_applicant, application.id, text="非全职")
    second = publicity.file_objection(db_session, people.employer_user, application.id, text="合同期限不足")
    assert [n.application_id for n in publicity.public_notices(db_session)] == [application.id]
    assert publicity.public_notices(db_session)[0].masked_name == "李*"
    publicity.resolve_objection(db_session, people.officer, first.id, uphold=True, reason="经核实异议成立")
    assert application.status == "in_review" and application.review_round == 2
    assert application.first_approval_by_id is None and application.notice_ends_on is None
    assert (first.status, second.status) == ("upheld", "upheld")
    with pytest.raises(Conflict):
        publicity.resolve_objection(db_session, people.officer, second.id, uphold=False, reason="重复")
    # the case can be approved again by two officers in the new round
    reviews.decide_application(db_session, people.officer2, application.id, outcome="approve", reason="已核实")
    reviews.decide_application(db_session, people.officer, application.id, outcome="approve", reason="同意")
    assert application.status == "under_notice"


def test_objections_only_while_the_notice_runs(db_session, people):
    application = case_in(db_session, people, "in_review")
    with pytest.raises(Conflict):
        publicity.file_objection(db_session, people.other_applicant, application.id, text="异议")
    application = case_in(db_session, people, "under_notice", owner=people.other_applicant)
    with pytest.raises(Conflict):
        publicity.file_objection(db_session, people.applicant, application.id, text="异议",
                                 today=application.notice_ends_on + timedelta(days=1))


def test_closing_skips_a_pending_objection_and_cases_whose_period_is_not_over(db_session, people):
    objected = case_in(db_session, people, "under_notice")
    other = case_in(db_session, people, "under_notice", owner=people.other_applicant)
    publicity.file_objection(db_session, people.employer_user, objected.id, text="异议")
    day_before = objected.notice_ends_on - timedelta(days=1)
    assert publicity.due_for_closing(db_session, day_before) == []
    assert publicity.close_notice(db_session, other.id, as_of=day_before).outcome == "not_over"
    result = publicity.close_notice(db_session, objected.id, as_of=objected.notice_ends_on)
    assert result.outcome == "pending_objection" and objected.status == "under_notice"
    result = publicity.close_notice(db_session, other.id, as_of=other.notice_ends_on)
    assert result.outcome == "granted" and other.card.number == result.card_number
    assert other.card.number == f"CC-{today().year}-{other.card.id:06d}"


def test_granting_issues_the_card_and_the_schedule(db_session, people):
    application = case_in(db_session, people, "granted")
    card = application.card
    decision_card = application.decision["programmes"]["privilege_card"]
    assert card.valid_until.isoformat() == decision_card["valid_until"] and card.services == decision_card["services"]
    assert len(card.services) == 7 and card.holder_name == "李娜" and len(card.verification_code) >= 24
    housing = [i for i in application.instalments if i.programme == "housing_subsidy"]
    living = [i for i in application.instalments if i.programme == "living_allowance"]
    assert sum(i.amount for i in housing) == application.decision["programmes"]["housing_subsidy"]["total"]
    assert len(housing) == 5 and len(living) == 60 and {i.amount for i in living} == {4_000}
    record = db_session.scalar(select(PersonRecord).where(PersonRecord.id_digest == application.identity.id_digest))
    # the notice ends in the future here, so closing it "as of" that day takes effect today, not later
    assert record.last_classified_on == card.valid_from == today()


def test_a_graduate_grant_has_no_card(db_session, people):
    application = case_in(db_session, people, "granted", facts=graduate_facts())
    assert application.card is None
    assert {i.programme for i in application.instalments} == {"housing_subsidy", "living_allowance"}


# --- payments and revocation --------------------------------------------------------------------------------


def test_revocation_for_fraud_refunds_everything_and_bans_the_person(db_session, people):
    application = case_in(db_session, people, "granted")
    paid = [i for i in application.instalments if i.programme == "housing_subsidy"][:1]
    paid += [i for i in application.instalments if i.programme == "living_allowance"][:3]
    for instalment in paid:
        cards_service.mark_instalment_paid(db_session, people.officer, instalment.id)
    with pytest.raises(Conflict):
        cards_service.mark_instalment_paid(db_session, people.officer, paid[0].id)
    revocation = cards_service.revoke_card(
        db_session, people.officer2, application.card.number, reason="伪造业绩材料", fraud=True
    )
    assert revocation.refund_owed == sum(i.amount for i in paid) == paid[0].amount + 12_000
    assert application.status == "revoked" and application.card.status == "revoked"
    statuses = {i.status for i in application.instalments if i not in paid}
    assert statuses == {"cancelled"} and revocation.cancelled_instalments == 65 - 4
    with pytest.raises(Conflict):
        cards_service.mark_instalment_paid(db_session, people.officer, application.instalments[-1].id)
    assert cards_service.verify_card(db_session, application.card.verification_code)["status"] == "revoked"

    # The ID number belongs to its first account: another account cannot use it (nor escape the ban with it) ...
    facts = tier_b_facts(identities.id_number_of(application))
    with pytest.raises(identities.IdentityTaken):
        applications_service.submit_application(
            db_session, people.other_applicant, facts=facts, employer_credit_code=DEMO_EMPLOYER_CODE
        )
    # ... and the ban follows the ID number into the person's next decision.
    again = applications_service.submit_application(
        db_session, people.applicant, facts=facts, employer_credit_code=DEMO_EMPLOYER_CODE
    )
    assert again.facts["history"]["revoked_on"] == today().isoformat()
    assert again.decision["eligible"] is False and again.tier is None


def test_leaving_early_owes_the_unvested_part(db_session, people):
    application = case_in(db_session, people, "granted")
    housing = [i for i in application.instalments if i.programme == "housing_subsidy"]
    cards_service.mark_instalment_paid(db_session, people.officer, housing[0].id)
    left_on = cards_service.add_months(application.application_date, 7)
    preview = cards_service.preview_refund(application, fraud=False, left_on=left_on)
    fraud_preview = cards_service.preview_refund(application, fraud=True, left_on=left_on)
    assert fraud_preview.refund_owed == housing[0].amount
    revocation = cards_service.revoke_card(
        db_session, people.officer, application.card.number, reason="离开长春", fraud=False, left_on=left_on,
        today=left_on + timedelta(days=3),
    )
    total = application.decision["programmes"]["housing_subsidy"]["total"]
    assert revocation.months_served == 7
    assert (preview.vested, preview.refund_owed) == (revocation.vested, revocation.refund_owed)
    assert revocation.vested == total * 7 // 60
    assert revocation.refund_owed == housing[0].amount - total * 7 // 60
    assert db_session.scalar(select(PersonRecord.revoked_on).where(PersonRecord.user_id == people.applicant.id)) is None


# --- uploads ----------------------------------------------------------------------------------------------


def test_uploads_are_recognised_by_content_and_stored_privately(db_session, people, tmp_path):
    application = case_in(db_session, people, "awaiting_endorsement")
    store = tmp_path / "uploads"
    document = uploads.store_document(db_session, people.applicant, application.id, stream=io.BytesIO(PNG),
                                      filename="../../etc/证书.pdf", upload_dir=store, max_bytes=1024)
    assert document.content_type == "image/png" and document.original_name == "证书.pdf"
    path = store / "evidence" / document.stored_name
    assert path.read_bytes() == PNG and document.stored_name.endswith(".png") and "证书" not in document.stored_name
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(InvalidInput):  # a text file named .pdf
        uploads.store_document(db_session, people.applicant, application.id, stream=io.BytesIO(b"hello world"),
                               filename="contract.pdf", upload_dir=store, max_bytes=1024)
    with pytest.raises(uploads.UploadTooLarge):
        uploads.store_document(db_session, people.applicant, application.id, stream=io.BytesIO(PDF * 20),
                               filename="big.pdf", upload_dir=store, max_bytes=1024)
    assert sorted(p.name for p in (store / "evidence").iterdir()) == [document.stored_name]
    with pytest.raises(NotAllowed):
        uploads.store_document(db_session, people.other_applicant, application.id, stream=io.BytesIO(PDF),
                               filename="x.pdf", upload_dir=store, max_bytes=1024)
    assert count(db_session, ApplicationDocument) == 1


# --- no partial state -------------------------------------------------------------------------------------


def test_a_failure_while_closing_leaves_that_case_untouched_and_the_others_done(app, db_session, people, monkeypatch):
    from talent.db import db

    broken = case_in(db_session, people, "under_notice")
    fine = case_in(db_session, people, "under_notice", owner=people.other_applicant)
    db_session.commit()
    as_of = max(broken.notice_ends_on, fine.notice_ends_on)
    real_create = cards_service.create_instalments

    def failing_create(session, application):
        rows = real_create(session, application)  # the card and the rows exist in the transaction by now
        if application.id == broken.id:
            raise RuntimeError("payment system unavailable")
        return rows

    monkeypatch.setattr(cards_service, "create_instalments", failing_create)
    with app.app_context():
        results = publicity.close_notice_periods(db.command_transaction, as_of=as_of)
    assert {r.application_id: r.outcome for r in results} == {broken.id: "error", fine.id: "granted"}
    db_session.expire_all()
    assert db_session.get(Application, broken.id).status == "under_notice"
    assert db_session.scalar(select(func.count()).select_from(Card).where(Card.application_id == broken.id)) == 0
    assert db_session.scalar(
        select(func.count()).select_from(Instalment).where(Instalment.application_id == broken.id)) == 0
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(["card.issued", "application.close_notice"]))) == 2  # the fine case only
    assert db_session.get(Application, fine.id).status == "granted"
    assert count(db_session, Objection) == 0
