import copy
import importlib.util
from pathlib import Path

import pytest

from talent.rules import HONOURS, SERVICES, InputError, load_engine

ENGINE = load_engine()
BASE = {
    "application_date": "2022-09-15",
    "birth_date": "1991-03-01",
    "education": "doctor",
    "full_time_degree": True,
    "graduation_date": "2021-06-30",
    "professional_title": "none",
    "honours": [],
    "achievements": 0,
    "employment": {"employer_district": "220173", "employer_kind": "enterprise", "role_kind": "professional",
                   "contract_years": 3, "full_time": True, "annual_salary": 200000, "income_tax_last_year": 10000,
                   "enterprise_revenue": 1000000, "social_insurance_local": True},
    "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
    "housing": {"owns_home_in_city": False,
                "purchase": {"contract_date": "2022-09-01", "price": 1200000, "floor_area_m2": 85, "district": "220104",
                             "new_commodity_housing": True, "first_home": True}},
    "history": {"last_classified_on": None, "last_rejected_on": None, "revoked_on": None},
}


def facts(**changes):
    result = copy.deepcopy(BASE)
    for path, value in changes.items():
        target = result
        *parents, last = path.split("__")
        for parent in parents:
            target = target[parent]
        if value is ...:
            target.pop(last, None)
        else:
            target[last] = value
    return result


def test_example_1_doctor_with_a_home_in_2022():
    decision = ENGINE.decide(BASE)
    programmes = decision["programmes"]
    assert (decision["policy"], decision["tier"], decision["track"], decision["age"]) == ("CC-2022", None, "graduate", 31)
    assert programmes["housing_subsidy"] == {"in_force": True, "eligible": True, "kind": "graduate", "total": 80000,
                                             "instalments": [{"due_date": "2022-09-15", "amount": 80000}]}
    assert programmes["living_allowance"]["total"] == 19200
    assert programmes["purchase_measure_2022q3"] == {"in_force": True, "eligible": True, "amount": 17000}
    assert not programmes["privilege_card"]["eligible"]
    assert not programmes["youth_apartment"]["eligible"]


def test_example_2_same_facts_in_2024():
    decision = ENGINE.decide(facts(application_date="2024-07-01"))
    programmes = decision["programmes"]
    assert decision["policy"] == "CC-2024"
    assert not programmes["housing_subsidy"]["eligible"]
    assert (programmes["living_allowance"]["monthly"], programmes["living_allowance"]["total"]) == (2500, 60000)
    assert programmes["purchase_measure_2022q3"]["in_force"] is False
    assert not programmes["youth_apartment"]["eligible"]


def test_example_3_scholar_aged_61_has_no_tier_and_the_age_rule_is_named():
    decision = ENGINE.decide(facts(birth_date="1961-01-01", honours=["national_talent_programme"]))
    assert decision["tier"] is None and decision["track"] is None
    assert not decision["programmes"]["privilege_card"]["eligible"]
    age_rule = next(r for r in decision["reasons"] if r["rule"] == "AGE_LIMIT")
    assert age_rule["held"] is False and age_rule["values"] == {"age": 61}


def test_example_4_enterprise_cto_tier_b_with_instalments():
    decision = ENGINE.decide(facts(
        application_date="2023-03-01", birth_date="1978-01-01", education="master", graduation_date="2003-07-01",
        employment__annual_salary=1200000, employment__enterprise_revenue=6000000000, employment__employer_district="220104",
        housing__purchase={"contract_date": "2023-01-10", "price": 1500000, "floor_area_m2": 120, "district": "220104",
                           "new_commodity_housing": True, "first_home": True}))
    programmes = decision["programmes"]
    assert decision["tier"] == "B"
    assert programmes["privilege_card"]["valid_until"] == "2028-03-01"
    assert programmes["privilege_card"]["services"] == list(SERVICES)
    assert programmes["living_allowance"]["total"] == 240000
    housing = programmes["housing_subsidy"]
    assert (housing["kind"], housing["total"]) == ("tier", 750000)
    assert [i["amount"] for i in housing["instalments"]] == [150000] * 5
    assert housing["instalments"][-1]["due_date"] == "2027-03-01"


def test_instalment_remainder_goes_to_the_first_part():
    decision = ENGINE.decide(facts(
        application_date="2023-03-01", birth_date="1978-01-01", honours=["provincial_talent_programme"],
        housing__purchase={"contract_date": "2023-01-10", "price": 1000003, "floor_area_m2": 120, "district": "220104",
                           "new_commodity_housing": True, "first_home": True}))
    instalments = decision["programmes"]["housing_subsidy"]["instalments"]
    # tier C 700,000 capped at 50% of 1,000,003 = 500,001: five parts of 100,000, remainder 1 on the first
    assert [i["amount"] for i in instalments] == [100001, 100000, 100000, 100000, 100000]


def test_missing_lists_social_insurance_when_it_decides_a_tier():
    decision = ENGINE.decide(facts(employment__social_insurance_local=..., honours=["academician_cas"]))
    assert decision["tier"] is None
    assert "employment.social_insurance_local" in [m["fact"] for m in decision["missing"]]


def test_missing_omits_facts_that_cannot_change_the_result():
    decision = ENGINE.decide(facts(employment__employer_district="110101", employment__social_insurance_local=...,
                                   housing__owns_home_in_city=...))
    fields = [m["fact"] for m in decision["missing"]]
    assert "employment.social_insurance_local" not in fields  # G1 already fails


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"application_date": "2020-06-30"}, "application_date"),
        ({"application_date": "2022-13-01"}, "application_date"),
        ({"honours": ["knighthood"]}, "honours.0"),
        ({"education": "phd"}, "education"),
        ({"professional_title": "senior"}, "professional_title"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"id_number": "11010519491231002X"}, "birth_date"),
        ({"birth_date": ...}, "birth_date"),
        ({"graduation_date": ...}, "graduation_date"),
        ({"employment__annual_salary": -1}, "employment.annual_salary"),
        ({"employment__contract_years": "3"}, "employment.contract_years"),
        ({"employment__full_time": "yes"}, "employment.full_time"),
        ({"achievements": True}, "achievements"),
        ({"housing__purchase": "yes"}, "housing.purchase"),
    ],
)
def test_input_errors_name_the_field(changes, field):
    with pytest.raises(InputError) as caught:
        ENGINE.decide(facts(**changes))
    assert field in caught.value.errors
    assert caught.value.errors_zh[field]


def test_fields_outside_section_7_are_ignored():
    plain = ENGINE.decide(facts())
    assert ENGINE.decide(facts(employment__nickname="x", favourite_colour="red")) == plain
    batch = ENGINE.decide_many([facts(favourite_colour="red"), facts(employment__department="x")])
    assert all(isinstance(d, dict) for d in batch)


def test_cc_2020_has_only_the_living_allowance():
    decision = ENGINE.decide(facts(application_date="2021-06-30", graduation_date="2020-06-30"))
    programmes = decision["programmes"]
    assert decision["policy"] == "CC-2020" and decision["tier"] is None
    assert [name for name, p in programmes.items() if p["in_force"]] == ["living_allowance"]
    assert (programmes["living_allowance"]["monthly"], programmes["living_allowance"]["months"]) == (800, 12)


def test_policies_and_names():
    assert [p["id"] for p in ENGINE.policies()] == ["CC-2020", "CC-2022", "CC-2024"]
    assert ENGINE.policies()[-1]["effective_to"] is None
    assert HONOURS["academician_cas"]["zh"] == "中国科学院院士"


def test_decision_is_json_serialisable():
    """Plain JSON types only: a round trip through JSON gives the same decision back (a tuple, a date, a
    Decimal or a NumPy number would come back different or not at all)."""
    import json

    for reasons in (True, False):
        decision = ENGINE.decide(BASE, reasons=reasons)
        assert json.loads(json.dumps(decision, ensure_ascii=False)) == decision
        assert (("reasons" in decision) is reasons) and decision["programmes"]


def test_rules_package_imports_no_web_stack():
    import subprocess
    import sys

    code = "import sys, talent.rules; talent.rules.load_engine(); print(any(m in sys.modules for m in ('flask','sqlalchemy','click')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _factgen():
    path = Path(__file__).resolve().parents[2] / "bench" / "factgen.py"
    spec = importlib.util.spec_from_file_location("factgen_for_engine_tests", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_decide_many_equals_one_at_a_time_on_random_cases():
    cases = _factgen().generate(3000, 11)
    batch = ENGINE.decide_many(cases)
    for case, result in zip(cases, batch, strict=True):
        try:
            single = ENGINE.decide(case, reasons=False)
        except InputError as error:
            assert isinstance(result, InputError) and result.errors == error.errors
            continue
        assert result == single
