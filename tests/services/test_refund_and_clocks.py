"""Pure parts of the workflow: the refund arithmetic (docs/policy.md §6), calendar months, the transition table and
the service-time clocks. No database."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from talent.services import Conflict
from talent.services.cards import add_months, compute_refund, months_between
from talent.services.workflow import (
    OPEN_STATUSES,
    STATUS_LABELS,
    TRANSITIONS,
    Status,
    allowed_actions,
    service_clock,
    transition_for,
)

# --- refund -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "paid", "months", "vested", "owed"),
    [
        # docs/policy.md §8 example 4: 750,000 in 5 × 150,000; one instalment paid, left after 7 months.
        (750_000, 150_000, 7, 87_500, 62_500),
        # 700,000 × 7 ÷ 60 = 81,666.67 → 81,666 rounded down; refund 140,000 − 81,666.
        (700_000, 140_000, 7, 81_666, 58_334),
        # vested exceeds what was paid: nothing owed
        (750_000, 150_000, 13, 162_500, 0),
        # months beyond the 60-month service period count as 60
        (1_000_000, 1_000_000, 75, 1_000_000, 0),
        (1_000_000, 1_000_000, 60, 1_000_000, 0),
        # left in the first month
        (2_000_000, 400_000, 0, 0, 400_000),
        # 1 yuan less than a whole vesting step rounds down
        (59, 59, 1, 0, 59),
        (60, 60, 1, 1, 59),
    ],
)
def test_leaving_early_claws_back_the_unvested_tier_housing_subsidy(total, paid, months, vested, owed):
    refund = compute_refund(tier_housing_total=total, tier_housing_paid=paid, other_paid=12_345,
                            months_served=months, fraud=False)
    assert (refund.vested, refund.refund_owed) == (vested, owed)
    assert refund.paid_total == paid + 12_345
    assert isinstance(refund.refund_owed, int) and isinstance(refund.vested, int)


def test_fraud_refunds_everything_paid():
    refund = compute_refund(tier_housing_total=750_000, tier_housing_paid=150_000, other_paid=28_000,
                            months_served=30, fraud=True)
    assert refund.refund_owed == 178_000
    assert refund.fraud is True


def test_large_amounts_stay_exact():
    # 2,000,000 × 59 ÷ 60 = 1,966,666.67: exact integer arithmetic, never binary floating point
    refund = compute_refund(tier_housing_total=2_000_000, tier_housing_paid=2_000_000, other_paid=0,
                            months_served=59, fraud=False)
    assert refund.vested == 1_966_666 and refund.refund_owed == 33_334


@pytest.mark.parametrize("bad", [-1, 1.5, True, "100"])
def test_refund_refuses_non_integer_or_negative_amounts(bad):
    with pytest.raises(ValueError):
        compute_refund(tier_housing_total=bad, tier_housing_paid=0, other_paid=0, months_served=1, fraud=False)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2023, 3, 1), date(2023, 10, 1), 7),
        (date(2023, 3, 1), date(2023, 9, 30), 6),
        (date(2024, 1, 31), date(2024, 2, 29), 1),  # 31 Jan + 1 month = 29 Feb (month end)
        (date(2024, 1, 31), date(2024, 2, 28), 0),
        (date(2023, 3, 1), date(2028, 3, 1), 60),
        (date(2023, 3, 1), date(2023, 3, 1), 0),
        (date(2023, 3, 1), date(2023, 2, 1), 0),
    ],
)
def test_months_between_counts_whole_calendar_months(start, end, months):
    assert months_between(start, end) == months


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 3, 15), -15) == date(2021, 12, 15)


# --- the transition table ------------------------------------------------------------------------------------


def test_every_status_has_labels_and_every_target_is_a_status():
    assert set(STATUS_LABELS) == {s.value for s in Status}
    for (source, _action), transition in TRANSITIONS.items():
        assert source is None or source in STATUS_LABELS
        assert transition.target in STATUS_LABELS


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        ("awaiting_endorsement", "endorse", "in_review"),
        ("in_review", "approve", "awaiting_confirmation"),
        ("awaiting_confirmation", "approve", "under_notice"),
        ("under_notice", "uphold_objection", "in_review"),
        ("under_notice", "close_notice", "granted"),
        ("granted", "revoke", "revoked"),
        ("changes_requested", "resubmit", "in_review"),
        ("endorsement_declined", "resubmit", "awaiting_endorsement"),
    ],
)
def test_transitions_lead_where_the_workflow_says(status, action, target):
    assert transition_for(status, action).target == target


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("awaiting_endorsement", "approve"),  # no review before endorsement
        ("under_notice", "approve"),  # a third approval
        ("granted", "approve"),
        ("rejected", "approve"),
        ("revoked", "revoke"),
        ("in_review", "endorse"),
        ("granted", "withdraw"),
        ("awaiting_confirmation", "withdraw"),
    ],
)
def test_a_step_that_does_not_apply_is_a_conflict(status, action):
    with pytest.raises(Conflict):
        transition_for(status, action)


def test_closed_statuses_allow_nothing_but_revocation_of_a_grant():
    closed = set(STATUS_LABELS) - OPEN_STATUSES
    assert {s: allowed_actions(s) for s in closed} == {
        "granted": ["revoke"], "rejected": [], "withdrawn": [], "revoked": [],
    }


# --- service-time clocks ------------------------------------------------------------------------------------


def case(status, **dates):
    fields = {"endorsement_due_on": None, "review_due_on": None, "notice_ends_on": None, **dates}
    return SimpleNamespace(status=status, **fields)


def test_review_clock_counts_working_days_and_flags_the_cases_about_to_run_late():
    # Friday 2024-09-27: Sunday 29 Sept is a working day, then National Day week is off.
    friday = date(2024, 9, 27)
    clock = service_clock(case("in_review", review_due_on=date(2024, 10, 10)), friday)
    assert (clock.kind, clock.working_days_left, clock.state) == ("review", 5, "on_time")
    clock = service_clock(case("in_review", review_due_on=date(2024, 9, 30)), friday)
    assert (clock.working_days_left, clock.state) == (2, "due_soon")
    clock = service_clock(case("awaiting_confirmation", review_due_on=date(2024, 9, 26)), friday)
    assert (clock.working_days_left, clock.state) == (-1, "late")


def test_endorsement_clock_and_no_clock_after_a_decision():
    monday = date(2026, 11, 23)
    clock = service_clock(case("awaiting_endorsement", endorsement_due_on=date(2026, 11, 30)), monday)
    assert (clock.kind, clock.working_days_left, clock.state) == ("endorsement", 5, "on_time")
    assert service_clock(case("granted"), monday).kind is None
    assert service_clock(case("rejected"), monday).state is None
