"""An independent, hand-written reading of the policy (docs/policy.md).

This file is the second reading of the policy that the differential test (tests/rules/test_differential.py)
holds the rule engine (talent.rules) against, and the plain-Python speed baseline that bench/rules.py times.
It was written from the policy text alone (now docs/policy.md), without reading the engine. It deliberately has no dependency beyond
the standard library, and no cleverness: one function per rule, in the order the policy states them.

It decides the comparable part of a decision (no `reasons`, no `missing`):
    {"policy", "application_date", "eligible", "tier", "track", "programmes": {...}}
A programme that is not eligible carries placeholders: 0 for money and counts, None for dates and kinds,
[] for lists. Money is exact (int / Decimal), never float.

Readings of points docs/policy.md leaves open (listed for the lead to reconcile with docs/policy-notes.md):

R1  Absent facts inside a compound condition are read with three-valued (Kleene) logic: an absent fact is
    "unknown", and a condition fails when its outcome is unknown; an absent fact that cannot change the
    outcome does not make it fail (docs/policy.md: facts are `missing` "when they would change the result").
    The one place where this differs from "any absent fact read by the rule fails it" is G4: role_kind
    professional with employer_kind absent holds G4 (administrative staff of a public institution is
    excluded, and a professional cannot be that whatever the employer). Revised after the first
    differential run: the first reading failed G4 there; the engine's reading matches the sentence better.
    G2 fails when full_time or contract_years is absent, G5 when either conduct flag is absent.
R2  The enterprise routes of B and C read employer_kind, enterprise_revenue / annual_salary /
    income_tax_last_year; an absent one makes that route fail (the honour route can still hold).
R3  5.4 "holds a college (专科) degree or higher" is read from `education` alone (college, bachelor, master,
    doctor), whether or not the degree is full-time and whatever the graduation date.
R4  5.5 "no housing.purchase with first_home true": no purchase at all satisfies it; a purchase whose
    first_home is absent makes it fail (unknown = the condition fails). `owns_home_in_city` absent fails.
R5  5.2 reads the purchase's price for the cap: an absent price makes the subsidy not eligible.
R6  The tier/graduate comparison in 5.2 is made between the two *capped* amounts; when only one of them
    exists (no tier, or not on the track) that one is paid. A tie (both capped to the same value) goes to
    `graduate`, one instalment.
R7  Input errors beyond the list in section 7: wrong JSON types (a bool field that is not a bool, a number
    that is a string, a date that is not a string) are refused; unknown `employer_kind` / `role_kind` codes
    are refused like unknown education/title codes; money (salary, tax, revenue, price) must be a whole
    number (500000.0 is accepted as 500,000 — changed to match the engine; 500000.5 is refused);
    negative contract_years, achievements or floor area are refused like negative amounts. Unknown extra
    keys are ignored (section 7's list of input errors does not name them; the engine refuses them — see
    docs/policy-notes.md item 5: ignored). A district code is any 6-digit string, as GB/T 2260 codes are (an
    unknown one simply fails G1; first written as "any string", changed to match the engine's better reading).
    Dates outside 1900-01-01 .. 2199-12-31 and money above 10^15 are refused (the engine's implementation
    limits, kept by the lead's decision on D3).
R8  "required when education is not none": an absent `education` does not require a graduation date.
R9  A birth date after the application date is not refused (age comes out negative); factgen never makes one.
R10 history fields that are null or absent both mean "never".
R11 The top-level `eligible` (common eligibility G1-G6) is decided in every version, CC-2020 included
    (5.3 needs it there).
R12 Card services are listed in the order docs/policy.md §5.1 gives them.
R13 5.4 amount 200 x floor area, rounded down, with the area taken as the exact decimal written in the
    JSON (85.37 m2 -> 17,074, not 17,073 as binary floating point would give).
"""

from __future__ import annotations

import calendar
import json
import math
import re
import sys
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Any

# --- Reference data (docs/policy.md §2, appendix A) ---------------------------------------------------------------

CHANGCHUN_DISTRICTS = frozenset(
    "220102 220103 220104 220105 220106 220112 220113 220122 220171 220172 220173 220174 220182 220183 "
    "220184".split()
)
PURCHASE_MEASURE_EXCLUDED_DISTRICTS = frozenset("220112 220113 220122 220182 220183 220184".split())

TIER_A_HONOURS = frozenset(
    ["academician_cas", "academician_cae", "nobel_prize", "turing_award", "fields_medal",
     "state_supreme_st_award"]
)
TIER_B_HONOURS = frozenset(
    ["national_talent_programme", "national_st_award_first", "state_council_special_allowance",
     "china_skills_award"]
)
TIER_C_HONOURS = frozenset(
    ["provincial_talent_programme", "national_st_award_second", "provincial_st_award_first",
     "national_technical_expert"]
)
KNOWN_HONOURS = TIER_A_HONOURS | TIER_B_HONOURS | TIER_C_HONOURS

EDUCATION_CODES = ("doctor", "master", "bachelor", "college", "none")
TITLE_CODES = ("none", "junior", "intermediate", "associate_senior", "full_senior")
EMPLOYER_KINDS = ("enterprise", "public_institution", "government")
ROLE_KINDS = ("professional", "administrative", "civil_servant")

FIRST_POLICY_DAY = date(2020, 7, 1)
CC2022_FIRST_DAY = date(2022, 1, 1)
CC2024_FIRST_DAY = date(2024, 6, 1)

TIER_AGE_LIMIT = 60
GRADUATE_AGE_LIMIT = 35

CARD_SERVICES_ALL = ["airport_rail_vip", "hospital_green_channel", "scenic_spots_free", "school_placement"]
CARD_SERVICES_A_B = ["spouse_employment", "annual_health_check", "family_medical_channel"]

HOUSING_TIER_AMOUNT = {"A": 2_000_000, "B": 1_000_000, "C": 700_000}
HOUSING_TIER_INSTALMENTS = 5
HOUSING_GRADUATE_AMOUNT = {"doctor": 80_000, "master": 50_000, "bachelor": 30_000}

LIVING_TIER_MONTHLY = {"A": 5_000, "B": 4_000, "C": 3_000}
LIVING_TIER_MONTHS = 60
LIVING_GRADUATE = {  # version -> (monthly by education, months)
    "CC-2020": ({"doctor": 800, "master": 600, "bachelor": 400}, 12),
    "CC-2022": ({"doctor": 800, "master": 600, "bachelor": 400}, 24),
    "CC-2024": ({"doctor": 2_500, "master": 1_500, "bachelor": 1_000}, 24),
}

PURCHASE_WINDOW = (date(2022, 8, 1), date(2022, 10, 8))
PURCHASE_MAX_AREA = Decimal(90)
PURCHASE_YUAN_PER_M2 = Decimal(200)
PURCHASE_EDUCATION = frozenset(["college", "bachelor", "master", "doctor"])
PURCHASE_TITLES = frozenset(["intermediate", "associate_senior", "full_senior"])

APARTMENT_RENT = 450
APARTMENT_MAX_MONTHS = 36

# Implementation limits decided by the lead (docs/policy-notes.md item 6).
DATE_LIMITS = (date(1900, 1, 1), date(2199, 12, 31))
MONEY_LIMIT = 10**15

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_DIVISION_CODE = re.compile(r"^\d{6}$")


class ReferenceInputError(Exception):
    """The facts are refused; `errors` maps a field path to its reasons (same shape as the engine's)."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


# --- Date arithmetic (docs/policy.md preamble) --------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic; a day missing in the target month becomes that month's last day."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def age_on(birth_date: date, on: date) -> int:
    """The largest N with birth_date + N years on or before `on` (a 29 February birthday is 28 February)."""
    years = on.year - birth_date.year
    if add_years(birth_date, years) > on:
        years -= 1
    return years


def policy_version(application_date: date) -> str:
    if application_date >= CC2024_FIRST_DAY:
        return "CC-2024"
    if application_date >= CC2022_FIRST_DAY:
        return "CC-2022"
    return "CC-2020"


# --- ID numbers (GB 11643) -------------------------------------------------------------------------------------

def id_check_character(first_17_digits: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def parse_id_number(id_number: str) -> tuple[date, str]:
    """Return (birth_date, sex) or raise ValueError with the reason."""
    normalised = id_number.upper()
    if not _ID_SHAPE.match(normalised):
        raise ValueError("must be 17 digits followed by a digit or X")
    if id_check_character(normalised[:17]) != normalised[17]:
        raise ValueError("check digit does not match (GB 11643)")
    try:
        birth = date(int(normalised[6:10]), int(normalised[10:12]), int(normalised[12:14]))
    except ValueError:
        raise ValueError("birth date in the ID number does not exist") from None
    sex = "male" if int(normalised[16]) % 2 == 1 else "female"
    return birth, sex


# --- Input reading and validation (docs/policy.md §7) ------------------------------------------------------

class _FactReader:
    """Reads and type-checks the facts, collecting every input error instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def fail(self, path: str, reason: str) -> None:
        self.errors.setdefault(path, []).append(reason)

    def date_field(self, container: dict, key: str, path: str) -> date | None:
        value = container.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            self.fail(path, "must be a date written YYYY-MM-DD")
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.fail(path, "is not a real calendar date")
            return None
        if not DATE_LIMITS[0] <= parsed <= DATE_LIMITS[1]:
            self.fail(path, "must be between 1900 and 2199")
            return None
        return parsed

    def bool_field(self, container: dict, key: str, path: str) -> bool | None:
        value = container.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.fail(path, "must be true or false")
            return None
        return value

    def code_field(self, container: dict, key: str, path: str, allowed: tuple[str, ...]) -> str | None:
        value = container.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or value not in allowed:
            self.fail(path, f"unknown code {value!r}; expected one of {', '.join(allowed)}")
            return None
        return value

    def money_field(self, container: dict, key: str, path: str) -> int | None:
        value = container.get(key)
        if value is None:
            return None
        # Reading R7: a JSON number with a whole value (500000.0) is a whole number of yuan.
        if isinstance(value, float | Decimal) and math.isfinite(value) and value == int(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "must be a whole number of yuan")
            return None
        if value < 0:
            self.fail(path, "must not be negative")
            return None
        if value > MONEY_LIMIT:
            self.fail(path, "must not exceed 10^15 yuan")
            return None
        return value

    def number_field(self, container: dict, key: str, path: str) -> Decimal | None:
        value = container.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.fail(path, "must be a number")
            return None
        # str() of a float is its shortest round-trip spelling, i.e. the decimal written in the JSON.
        exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not exact.is_finite():
            self.fail(path, "must be a finite number")
            return None
        if exact < 0:
            self.fail(path, "must not be negative")
            return None
        return exact

    def object_field(self, container: dict, key: str, path: str) -> dict:
        value = container.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return {}
        return value


def _is_division_code(value: Any) -> bool:
    return isinstance(value, str) and _DIVISION_CODE.match(value) is not None


def read_facts(facts: Any) -> dict[str, Any]:
    """Validate the raw facts and return them typed (dates as date, area as Decimal); raise on any error."""
    reader = _FactReader()
    if not isinstance(facts, dict):
        raise ReferenceInputError({"": ["facts must be a JSON object"]})

    typed: dict[str, Any] = {}
    application_date = reader.date_field(facts, "application_date", "application_date")
    if application_date is None and "application_date" not in reader.errors:
        reader.fail("application_date", "is required")
    elif application_date is not None and application_date < FIRST_POLICY_DAY:
        reader.fail("application_date", "no policy is in force before 2020-07-01")
    typed["application_date"] = application_date

    id_birth_date = None
    id_number = facts.get("id_number")
    if id_number is not None:
        if not isinstance(id_number, str):
            reader.fail("id_number", "must be a string")
        else:
            try:
                id_birth_date, _sex = parse_id_number(id_number)
            except ValueError as problem:
                reader.fail("id_number", str(problem))
    birth_date = reader.date_field(facts, "birth_date", "birth_date")
    if id_birth_date is not None and birth_date is not None and id_birth_date != birth_date:
        reader.fail("birth_date", "does not agree with the birth date in the ID number")
    if id_number is None and facts.get("birth_date") is None:
        reader.fail("birth_date", "is required when there is no ID number")
    typed["birth_date"] = id_birth_date or birth_date

    education = reader.code_field(facts, "education", "education", EDUCATION_CODES)
    typed["education"] = education
    typed["full_time_degree"] = reader.bool_field(facts, "full_time_degree", "full_time_degree")
    graduation_date = reader.date_field(facts, "graduation_date", "graduation_date")
    if education not in (None, "none") and facts.get("graduation_date") is None:
        reader.fail("graduation_date", "is required when education is not none")
    typed["graduation_date"] = graduation_date
    typed["professional_title"] = reader.code_field(
        facts, "professional_title", "professional_title", TITLE_CODES
    )

    honours = facts.get("honours")
    typed_honours: list[str] = []
    if honours is not None:
        if not isinstance(honours, list):
            reader.fail("honours", "must be a list of honour codes")
        else:
            for index, honour in enumerate(honours):
                if not isinstance(honour, str) or honour not in KNOWN_HONOURS:
                    reader.fail(f"honours.{index}", f"unknown honour code {honour!r}")
                else:
                    typed_honours.append(honour)
    typed["honours"] = typed_honours

    achievements = facts.get("achievements")
    if achievements is not None and (isinstance(achievements, bool) or not isinstance(achievements, int)):
        reader.fail("achievements", "must be a whole number")
        achievements = None
    elif achievements is not None and achievements < 0:
        reader.fail("achievements", "must not be negative")
        achievements = None
    typed["achievements"] = achievements

    employment = reader.object_field(facts, "employment", "employment")
    district = employment.get("employer_district")
    if district is not None and not _is_division_code(district):
        reader.fail("employment.employer_district", "must be a 6-digit GB/T 2260 code as a string")
        district = None
    typed["employment"] = {
        "employer_district": district,
        "employer_kind": reader.code_field(
            employment, "employer_kind", "employment.employer_kind", EMPLOYER_KINDS
        ),
        "role_kind": reader.code_field(employment, "role_kind", "employment.role_kind", ROLE_KINDS),
        "contract_years": reader.number_field(employment, "contract_years", "employment.contract_years"),
        "full_time": reader.bool_field(employment, "full_time", "employment.full_time"),
        "annual_salary": reader.money_field(employment, "annual_salary", "employment.annual_salary"),
        "income_tax_last_year": reader.money_field(
            employment, "income_tax_last_year", "employment.income_tax_last_year"
        ),
        "enterprise_revenue": reader.money_field(
            employment, "enterprise_revenue", "employment.enterprise_revenue"
        ),
        "social_insurance_local": reader.bool_field(
            employment, "social_insurance_local", "employment.social_insurance_local"
        ),
    }

    conduct = reader.object_field(facts, "conduct", "conduct")
    typed["conduct"] = {
        "disciplinary_sanction": reader.bool_field(
            conduct, "disciplinary_sanction", "conduct.disciplinary_sanction"
        ),
        "credit_blacklisted": reader.bool_field(conduct, "credit_blacklisted", "conduct.credit_blacklisted"),
    }

    housing = reader.object_field(facts, "housing", "housing")
    typed_purchase = None
    if housing.get("purchase") is not None:
        purchase = reader.object_field(housing, "purchase", "housing.purchase")
        purchase_district = purchase.get("district")
        if purchase_district is not None and not _is_division_code(purchase_district):
            reader.fail("housing.purchase.district", "must be a 6-digit GB/T 2260 code as a string")
            purchase_district = None
        typed_purchase = {
            "contract_date": reader.date_field(purchase, "contract_date", "housing.purchase.contract_date"),
            "price": reader.money_field(purchase, "price", "housing.purchase.price"),
            "floor_area_m2": reader.number_field(purchase, "floor_area_m2", "housing.purchase.floor_area_m2"),
            "district": purchase_district,
            "new_commodity_housing": reader.bool_field(
                purchase, "new_commodity_housing", "housing.purchase.new_commodity_housing"
            ),
            "first_home": reader.bool_field(purchase, "first_home", "housing.purchase.first_home"),
        }
    typed["housing"] = {
        "owns_home_in_city": reader.bool_field(housing, "owns_home_in_city", "housing.owns_home_in_city"),
        "purchase": typed_purchase,
    }

    history = reader.object_field(facts, "history", "history")
    typed["history"] = {
        key: reader.date_field(history, key, f"history.{key}")
        for key in ("last_classified_on", "last_rejected_on", "revoked_on")
    }

    if reader.errors:
        raise ReferenceInputError(reader.errors)
    return typed


# --- Section 2: common eligibility ----------------------------------------------------------------------------

def common_eligibility(facts: dict[str, Any]) -> bool:
    employment = facts["employment"]
    conduct = facts["conduct"]
    history = facts["history"]
    application_date = facts["application_date"]

    g1 = employment["employer_district"] in CHANGCHUN_DISTRICTS
    g2 = (
        employment["full_time"] is True
        and employment["contract_years"] is not None
        and employment["contract_years"] >= 3
    )
    g3 = employment["social_insurance_local"] is True
    role_kind = employment["role_kind"]
    employer_kind = employment["employer_kind"]
    # Reading R1: only an administrative role needs the employer kind to settle G4.
    if role_kind is None or role_kind == "civil_servant":
        g4 = False
    elif role_kind == "administrative":
        g4 = employer_kind is not None and employer_kind != "public_institution"
    else:
        g4 = True
    g5 = conduct["disciplinary_sanction"] is False and conduct["credit_blacklisted"] is False

    ban_start = add_months(application_date, -36)
    rejection_start = add_months(application_date, -12)
    g6 = not (
        (history["last_classified_on"] is not None and history["last_classified_on"] > ban_start)
        or (history["revoked_on"] is not None and history["revoked_on"] > ban_start)
        or (history["last_rejected_on"] is not None and history["last_rejected_on"] > rejection_start)
    )
    return g1 and g2 and g3 and g4 and g5 and g6


# --- Section 3: tiers -------------------------------------------------------------------------------------------

def _meets_tier_b_criteria(facts: dict[str, Any]) -> bool:
    employment = facts["employment"]
    if TIER_B_HONOURS.intersection(facts["honours"]):
        return True
    revenue = employment["enterprise_revenue"]
    salary = employment["annual_salary"]
    return (
        employment["employer_kind"] == "enterprise"
        and revenue is not None and revenue >= 5_000_000_000
        and salary is not None and salary >= 1_000_000
    )


def _meets_tier_c_criteria(facts: dict[str, Any]) -> bool:
    employment = facts["employment"]
    if TIER_C_HONOURS.intersection(facts["honours"]):
        return True
    achievements = facts["achievements"]
    if facts["professional_title"] == "full_senior" and achievements is not None and achievements >= 1:
        return True
    salary = employment["annual_salary"]
    tax = employment["income_tax_last_year"]
    return (
        employment["employer_kind"] == "enterprise"
        and salary is not None and salary >= 500_000
        and tax is not None and tax >= 100_000
    )


def talent_tier(facts: dict[str, Any], age: int) -> str | None:
    """First match from A down; B and C need age <= 60 (section 3). Common eligibility is checked by caller."""
    if TIER_A_HONOURS.intersection(facts["honours"]):
        return "A"
    if _meets_tier_b_criteria(facts) and age <= TIER_AGE_LIMIT:
        return "B"
    if _meets_tier_c_criteria(facts) and age <= TIER_AGE_LIMIT:
        return "C"
    return None


# --- Section 4: graduate track ----------------------------------------------------------------------------------

def on_graduate_track(facts: dict[str, Any], age: int) -> bool:
    graduation_date = facts["graduation_date"]
    application_date = facts["application_date"]
    return (
        facts["education"] in ("bachelor", "master", "doctor")
        and facts["full_time_degree"] is True
        and graduation_date is not None
        and graduation_date <= application_date <= add_years(graduation_date, 5)
        and age <= GRADUATE_AGE_LIMIT
    )


# --- Section 5: programmes --------------------------------------------------------------------------------------

def privilege_card(in_force: bool, tier: str | None, application_date: date) -> dict[str, Any]:
    if not in_force or tier is None:
        return {"in_force": in_force, "eligible": False, "valid_until": None, "services": []}
    services = list(CARD_SERVICES_ALL)
    if tier in ("A", "B"):
        services += CARD_SERVICES_A_B
    return {
        "in_force": True,
        "eligible": True,
        "valid_until": add_years(application_date, 5).isoformat(),
        "services": services,
    }


def _not_eligible_housing(in_force: bool) -> dict[str, Any]:
    return {"in_force": in_force, "eligible": False, "kind": None, "total": 0, "instalments": []}


def housing_subsidy(
    facts: dict[str, Any], in_force: bool, eligible: bool, tier: str | None, graduate: bool
) -> dict[str, Any]:
    application_date = facts["application_date"]
    purchase = facts["housing"]["purchase"]
    if not in_force or not eligible or purchase is None:
        return _not_eligible_housing(in_force)
    contract_date = purchase["contract_date"]
    if not (
        purchase["first_home"] is True
        and purchase["district"] in CHANGCHUN_DISTRICTS
        and contract_date is not None
        and add_months(application_date, -12) <= contract_date <= application_date
        and purchase["price"] is not None
    ):
        return _not_eligible_housing(in_force)

    # 50% of an integer price rounded down to the yuan is exactly integer floor division by 2.
    cap = purchase["price"] // 2
    tier_amount = min(HOUSING_TIER_AMOUNT[tier], cap) if tier is not None else None
    graduate_amount = min(HOUSING_GRADUATE_AMOUNT[facts["education"]], cap) if graduate else None

    if graduate_amount is not None and (tier_amount is None or graduate_amount >= tier_amount):
        kind, total, parts = "graduate", graduate_amount, 1
    elif tier_amount is not None:
        kind, total, parts = "tier", tier_amount, HOUSING_TIER_INSTALMENTS
    else:
        return _not_eligible_housing(in_force)
    if total == 0:
        return _not_eligible_housing(in_force)

    equal_part, remainder = divmod(total, parts)
    instalments = [
        {
            "due_date": add_years(application_date, k).isoformat(),
            "amount": equal_part + (remainder if k == 0 else 0),
        }
        for k in range(parts)
    ]
    return {"in_force": True, "eligible": True, "kind": kind, "total": total, "instalments": instalments}


def living_allowance(
    facts: dict[str, Any], policy: str, eligible: bool, tier: str | None, graduate: bool
) -> dict[str, Any]:
    not_eligible = {"in_force": True, "eligible": False, "kind": None, "monthly": 0, "months": 0, "total": 0}
    if not eligible:
        return not_eligible
    candidates = []
    if tier is not None:
        candidates.append(("tier", LIVING_TIER_MONTHLY[tier], LIVING_TIER_MONTHS))
    if graduate:
        monthly_by_education, months = LIVING_GRADUATE[policy]
        candidates.append(("graduate", monthly_by_education[facts["education"]], months))
    if not candidates:
        return not_eligible
    # max() keeps the first of equal items, and "tier" is listed first: a tie goes to the tier.
    kind, monthly, months = max(candidates, key=lambda candidate: candidate[1])
    return {
        "in_force": True,
        "eligible": True,
        "kind": kind,
        "monthly": monthly,
        "months": months,
        "total": monthly * months,
    }


def purchase_measure(facts: dict[str, Any], policy: str) -> dict[str, Any]:
    in_force = policy == "CC-2022"
    not_eligible = {"in_force": in_force, "eligible": False, "amount": 0}
    purchase = facts["housing"]["purchase"]
    if not in_force or purchase is None:
        return not_eligible
    contract_date = purchase["contract_date"]
    area = purchase["floor_area_m2"]
    district = purchase["district"]
    qualified = (
        facts["education"] in PURCHASE_EDUCATION or facts["professional_title"] in PURCHASE_TITLES
    )
    if not (
        contract_date is not None
        and PURCHASE_WINDOW[0] <= contract_date <= PURCHASE_WINDOW[1]
        and area is not None
        and area <= PURCHASE_MAX_AREA
        and purchase["new_commodity_housing"] is True
        and purchase["first_home"] is True
        and district in CHANGCHUN_DISTRICTS
        and district not in PURCHASE_MEASURE_EXCLUDED_DISTRICTS
        and qualified
    ):
        return not_eligible
    amount = int((PURCHASE_YUAN_PER_M2 * area).to_integral_value(rounding=ROUND_FLOOR))
    return {"in_force": True, "eligible": True, "amount": amount}


def youth_apartment(facts: dict[str, Any], in_force: bool, graduate: bool) -> dict[str, Any]:
    not_eligible = {"in_force": in_force, "eligible": False, "monthly_rent": 0, "max_months": 0}
    if not in_force or not graduate:
        return not_eligible
    employment = facts["employment"]
    conduct = facts["conduct"]
    housing = facts["housing"]
    purchase = housing["purchase"]
    no_first_home_bought = purchase is None or purchase["first_home"] is False
    if not (
        facts["application_date"] <= add_years(facts["graduation_date"], 3)
        and employment["employer_district"] in CHANGCHUN_DISTRICTS  # G1
        and employment["social_insurance_local"] is True  # G3
        and conduct["disciplinary_sanction"] is False  # G5
        and conduct["credit_blacklisted"] is False  # G5
        and housing["owns_home_in_city"] is False
        and no_first_home_bought
    ):
        return not_eligible
    return {"in_force": True, "eligible": True, "monthly_rent": APARTMENT_RENT, "max_months": APARTMENT_MAX_MONTHS}


# --- The decision -----------------------------------------------------------------------------------------------

def decide(raw_facts: Any) -> dict[str, Any]:
    """Decide one set of facts; raise ReferenceInputError when docs/policy.md §7 refuses them."""
    facts = read_facts(raw_facts)
    application_date: date = facts["application_date"]
    policy = policy_version(application_date)
    has_tiers = policy != "CC-2020"
    age = age_on(facts["birth_date"], application_date)

    eligible = common_eligibility(facts)
    tier = talent_tier(facts, age) if (has_tiers and eligible) else None
    graduate = on_graduate_track(facts, age)

    return {
        "policy": policy,
        "application_date": application_date.isoformat(),
        "eligible": eligible,
        "tier": tier,
        "track": "graduate" if graduate else None,
        "programmes": {
            "privilege_card": privilege_card(has_tiers, tier, application_date),
            "housing_subsidy": housing_subsidy(facts, has_tiers, eligible, tier, graduate),
            "living_allowance": living_allowance(facts, policy, eligible, tier, graduate),
            "purchase_measure_2022q3": purchase_measure(facts, policy),
            "youth_apartment": youth_apartment(facts, has_tiers, graduate),
        },
    }


def decide_line(line: str) -> dict[str, Any]:
    """One JSON Lines record -> a decision or {"error": {...}} (the shape `talent rules eval` writes)."""
    try:
        # parse_float=Decimal keeps floor areas exactly as written.
        raw = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as problem:
        return {"error": {"": [f"not valid JSON: {problem.msg}"]}}
    try:
        return decide(raw)
    except ReferenceInputError as refused:
        return {"error": refused.errors}


def main(argv: list[str] | None = None) -> int:
    """`python bench/reference_policy.py FILE|-`: facts as JSON Lines in, decisions as JSON Lines out."""
    args = sys.argv[1:] if argv is None else argv
    source = sys.stdin if not args or args[0] == "-" else open(args[0], encoding="utf-8")
    all_decided = True
    write = sys.stdout.write
    with source:
        for line in source:
            if not line.strip():
                continue
            decision = decide_line(line)
            all_decided = all_decided and "error" not in decision
            write(json.dumps(decision, ensure_ascii=False))
            write("\n")
    return 0 if all_decided else 1


if __name__ == "__main__":
    sys.exit(main())
