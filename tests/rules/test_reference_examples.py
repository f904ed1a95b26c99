"""The reference reading of docs/policy.md (bench/reference_policy.py) against docs/policy.md's own sentences and the
worked examples of section 8. The differential test trusts the reference only as far as these hold."""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _load(name: str):
    if f"bench_{name}" in sys.modules:  # shared with test_differential.py: one module, one exception class
        return sys.modules[f"bench_{name}"]
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ref = _load("reference_policy")

DOCTOR_BUYING_A_FLAT = {
    "application_date": "2022-09-15",
    "birth_date": "1991-03-10",
    "education": "doctor",
    "full_time_degree": True,
    "graduation_date": "2021-06-30",
    "professional_title": "none",
    "honours": [],
    "achievements": 0,
    "employment": {
        "employer_district": "220173",
        "employer_kind": "enterprise",
        "role_kind": "professional",
        "contract_years": 3,
        "full_time": True,
        "annual_salary": 200_000,
        "income_tax_last_year": 10_000,
        "enterprise_revenue": 50_000_000,
        "social_insurance_local": True,
    },
    "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
    "housing": {
        "owns_home_in_city": False,
        "purchase": {
            "contract_date": "2022-09-01",
            "price": 1_200_000,
            "floor_area_m2": 85,
            "district": "220104",
            "new_commodity_housing": True,
            "first_home": True,
        },
    },
    "history": {"last_classified_on": None, "last_rejected_on": None, "revoked_on": None},
}


def _with(base: dict, **changes) -> dict:
    facts = copy.deepcopy(base)
    for dotted, value in changes.items():
        target = facts
        *parents, leaf = dotted.split("__")
        for parent in parents:
            target = target.setdefault(parent, {})
        if value is ...:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return facts


def test_example_1_doctor_buying_a_first_home_in_2022():
    decision = ref.decide(DOCTOR_BUYING_A_FLAT)
    programmes = decision["programmes"]
    assert decision["policy"] == "CC-2022"
    assert decision["eligible"] is True
    assert decision["tier"] is None
    assert decision["track"] == "graduate"
    assert programmes["housing_subsidy"] == {
        "in_force": True, "eligible": True, "kind": "graduate", "total": 80_000,
        "instalments": [{"due_date": "2022-09-15", "amount": 80_000}],
    }
    assert programmes["living_allowance"] == {
        "in_force": True, "eligible": True, "kind": "graduate", "monthly": 800, "months": 24, "total": 19_200,
    }
    assert programmes["purchase_measure_2022q3"] == {"in_force": True, "eligible": True, "amount": 17_000}
    assert programmes["privilege_card"]["eligible"] is False
    assert programmes["youth_apartment"]["eligible"] is False


def test_example_2_same_facts_in_2024():
    decision = ref.decide(_with(DOCTOR_BUYING_A_FLAT, application_date="2024-07-01"))
    programmes = decision["programmes"]
    assert decision["policy"] == "CC-2024"
    assert programmes["housing_subsidy"]["eligible"] is False
    assert programmes["living_allowance"]["total"] == 60_000
    assert programmes["living_allowance"]["monthly"] == 2_500
    assert programmes["purchase_measure_2022q3"] == {"in_force": False, "eligible": False, "amount": 0}
    assert programmes["youth_apartment"]["eligible"] is False


def test_example_2_apartment_also_fails_on_three_years_alone():
    # Without the home purchase the apartment still fails: 2021-06-30 + 3 years has passed on 2024-07-01.
    facts = _with(DOCTOR_BUYING_A_FLAT, application_date="2024-07-01", housing__purchase=...)
    assert ref.decide(facts)["programmes"]["youth_apartment"]["eligible"] is False
    on_the_day = _with(facts, application_date="2024-06-30")
    assert ref.decide(on_the_day)["programmes"]["youth_apartment"] == {
        "in_force": True, "eligible": True, "monthly_rent": 450, "max_months": 36,
    }


def test_example_3_scholar_aged_61_gets_no_tier():
    facts = _with(
        DOCTOR_BUYING_A_FLAT, birth_date="1961-01-01", application_date="2022-09-15",
        honours=["national_talent_programme"],
    )
    decision = ref.decide(facts)
    assert decision["eligible"] is True
    assert decision["tier"] is None
    assert decision["track"] is None
    assert decision["programmes"]["privilege_card"]["eligible"] is False
    # One day younger than 61 -> tier B.
    assert ref.decide(_with(facts, birth_date="1961-09-16"))["tier"] == "B"


def test_example_4_enterprise_cto_tier_b_with_housing_in_instalments():
    facts = _with(
        DOCTOR_BUYING_A_FLAT,
        application_date="2023-03-01", birth_date="1977-05-05", education="master",
        graduation_date="2003-07-01",
        employment__employer_district="220104", employment__annual_salary=1_200_000,
        employment__enterprise_revenue=6_000_000_000,
        housing__purchase__price=1_500_000, housing__purchase__contract_date="2023-01-10",
    )
    decision = ref.decide(facts)
    programmes = decision["programmes"]
    assert (decision["policy"], decision["tier"], decision["track"]) == ("CC-2022", "B", None)
    assert programmes["privilege_card"]["valid_until"] == "2028-03-01"
    assert len(programmes["privilege_card"]["services"]) == 7
    assert programmes["living_allowance"]["total"] == 240_000
    housing = programmes["housing_subsidy"]
    assert (housing["kind"], housing["total"]) == ("tier", 750_000)
    assert housing["instalments"] == [
        {"due_date": f"{year}-03-01", "amount": 150_000} for year in range(2023, 2028)
    ]


def test_example_5_id_number_check():
    assert ref.parse_id_number("11010519491231002X") == (date(1949, 12, 31), "female")
    assert ref.parse_id_number("11010519491231002x") == (date(1949, 12, 31), "female")
    with pytest.raises(ValueError):
        ref.parse_id_number("110105194912310021")


def test_date_arithmetic_and_age_follow_the_preamble():
    assert ref.add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert ref.add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    # Born 29 February: turns 36 on 28 February of a common year.
    assert ref.age_on(date(1988, 2, 29), date(2024 - 0, 2, 28)) == 35
    assert ref.age_on(date(1988, 2, 29), date(2023, 2, 28)) == 35
    assert ref.age_on(date(1988, 2, 29), date(2023, 2, 27)) == 34
    assert ref.age_on(date(1990, 6, 1), date(2026, 6, 1)) == 36


def test_card_valid_until_maps_29_february_to_28_february():
    facts = _with(
        DOCTOR_BUYING_A_FLAT, application_date="2024-02-29", birth_date="1980-01-01",
        honours=["academician_cas"],
    )
    card = ref.decide(facts)["programmes"]["privilege_card"]
    assert card["valid_until"] == "2029-02-28"


def test_cc2020_has_only_the_living_allowance():
    facts = _with(DOCTOR_BUYING_A_FLAT, application_date="2021-12-31", honours=["academician_cas"])
    decision = ref.decide(facts)
    assert decision["policy"] == "CC-2020"
    assert decision["tier"] is None
    programmes = decision["programmes"]
    for name in ("privilege_card", "housing_subsidy", "purchase_measure_2022q3", "youth_apartment"):
        assert programmes[name]["in_force"] is False
    assert programmes["living_allowance"]["months"] == 12
    assert ref.decide(_with(facts, application_date="2022-01-01"))["tier"] == "A"


def test_housing_tie_after_cap_goes_to_graduate_and_remainder_to_first_instalment():
    tie = _with(DOCTOR_BUYING_A_FLAT, honours=["provincial_talent_programme"], housing__purchase__price=100_001)
    housing = ref.decide(tie)["programmes"]["housing_subsidy"]
    assert (housing["kind"], housing["total"], len(housing["instalments"])) == ("graduate", 50_000, 1)
    odd = _with(tie, housing__purchase__price=1_000_007)
    housing = ref.decide(odd)["programmes"]["housing_subsidy"]
    assert housing["total"] == 500_003
    assert [part["amount"] for part in housing["instalments"]] == [100_003, 100_000, 100_000, 100_000, 100_000]
    worthless = _with(DOCTOR_BUYING_A_FLAT, housing__purchase__price=1)
    assert ref.decide(worthless)["programmes"]["housing_subsidy"]["eligible"] is False


def test_purchase_measure_area_is_exact_decimal():
    facts = _with(DOCTOR_BUYING_A_FLAT, housing__purchase__floor_area_m2=85.37)
    assert ref.decide(facts)["programmes"]["purchase_measure_2022q3"]["amount"] == 17_074
    at_limit = _with(DOCTOR_BUYING_A_FLAT, housing__purchase__floor_area_m2=90)
    assert ref.decide(at_limit)["programmes"]["purchase_measure_2022q3"]["amount"] == 18_000
    over = _with(DOCTOR_BUYING_A_FLAT, housing__purchase__floor_area_m2=90.01)
    assert ref.decide(over)["programmes"]["purchase_measure_2022q3"]["eligible"] is False


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"application_date": "2020-06-30"}, "application_date"),
        ({"application_date": "2022-02-30"}, "application_date"),
        ({"honours": ["knighthood"]}, "honours.0"),
        ({"education": "phd"}, "education"),
        ({"professional_title": "senior"}, "professional_title"),
        ({"employment__annual_salary": -1}, "employment.annual_salary"),
        ({"housing__purchase__price": -5}, "housing.purchase.price"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"id_number": "11010519491231002X"}, "birth_date"),
        ({"birth_date": ...}, "birth_date"),
        ({"graduation_date": ...}, "graduation_date"),
        ({"employment__full_time": "yes"}, "employment.full_time"),
    ],
)
def test_input_errors_name_the_field(changes, field):
    with pytest.raises(ref.ReferenceInputError) as refused:
        ref.decide(_with(DOCTOR_BUYING_A_FLAT, **changes))
    assert field in refused.value.errors


def test_main_writes_one_line_per_input_line(tmp_path):
    facts_file = tmp_path / "facts.jsonl"
    bad = _with(DOCTOR_BUYING_A_FLAT, education="phd")
    facts_file.write_text(json.dumps(DOCTOR_BUYING_A_FLAT) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(BENCH / "reference_policy.py"), str(facts_file)],
        capture_output=True, text=True, check=False,
    )
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.returncode == 1
    assert lines[0]["programmes"]["purchase_measure_2022q3"]["amount"] == 17_000
    assert "education" in lines[1]["error"]


def test_g4_absent_employer_kind_only_matters_for_administrative_roles():
    # Reading R1 (three-valued logic): a professional needs no employer kind to pass G4.
    professional = _with(DOCTOR_BUYING_A_FLAT, employment__employer_kind=...)
    assert ref.decide(professional)["eligible"] is True
    administrative = _with(professional, employment__role_kind="administrative")
    assert ref.decide(administrative)["eligible"] is False
    in_a_company = _with(administrative, employment__employer_kind="enterprise")
    assert ref.decide(in_a_company)["eligible"] is True
    assert ref.decide(_with(in_a_company, employment__employer_kind="public_institution"))["eligible"] is False
    assert ref.decide(_with(DOCTOR_BUYING_A_FLAT, employment__role_kind=...))["eligible"] is False
