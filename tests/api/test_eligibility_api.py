"""POST /api/v1/eligibility and GET /api/v1/policies through the real app (API.md, docs/policy.md §7–8)."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

URL = "/api/v1/eligibility"
VALID_ID = "11010519491231002X"  # docs/policy.md §8 example 5: born 1949-12-31, female


def doctor_of_example_1() -> dict[str, Any]:
    """docs/policy.md §8 example 1: doctor aged 31, graduated 2021-06-30, first home of 85 m² bought in 2022-Q3."""
    return {
        "application_date": "2022-09-15",
        "birth_date": "1991-03-02",
        "education": "doctor",
        "full_time_degree": True,
        "graduation_date": "2021-06-30",
        "professional_title": "none",
        "honours": [],
        "achievements": 0,
        "employment": {
            "employer_district": "220173", "employer_kind": "enterprise", "role_kind": "professional",
            "contract_years": 3, "full_time": True, "annual_salary": 240000, "income_tax_last_year": 12000,
            "enterprise_revenue": 300000000, "social_insurance_local": True,
        },
        "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
        "housing": {
            "owns_home_in_city": False,
            "purchase": {"contract_date": "2022-09-01", "price": 1200000, "floor_area_m2": 85, "district": "220104",
                         "new_commodity_housing": True, "first_home": True},
        },
        "history": {"last_classified_on": None, "last_rejected_on": None, "revoked_on": None},
    }


def cto_of_example_4() -> dict[str, Any]:
    """docs/policy.md §8 example 4: enterprise CTO aged 45, salary 1,200,000, revenue 6,000,000,000."""
    facts = doctor_of_example_1()
    facts.update(application_date="2023-03-01", birth_date="1977-05-20", education="master",
                 graduation_date="2002-07-01")
    facts["employment"].update(employer_district="220104", annual_salary=1200000, income_tax_last_year=300000,
                               enterprise_revenue=6000000000, contract_years=5)
    facts["housing"]["purchase"] = {"contract_date": "2023-01-10", "price": 1500000, "floor_area_m2": 140,
                                    "district": "220104", "new_commodity_housing": True, "first_home": True}
    return facts


def post(client: Any, facts: Any, query: str = "") -> Any:
    return client.post(URL + query, json=facts)


def test_example_1_graduate_gets_housing_living_allowance_and_purchase_measure(client):
    response = post(client, doctor_of_example_1())
    assert response.status_code == 200
    decision = response.get_json()
    assert (decision["policy"], decision["tier"], decision["track"], decision["age"]) == ("CC-2022", None, "graduate", 31)
    programmes = decision["programmes"]
    assert programmes["housing_subsidy"] == {
        "in_force": True, "eligible": True, "kind": "graduate", "total": 80000,
        "instalments": [{"due_date": "2022-09-15", "amount": 80000}],
    }
    living = programmes["living_allowance"]
    assert (living["kind"], living["monthly"], living["months"], living["total"]) == ("graduate", 800, 24, 19200)
    assert programmes["purchase_measure_2022q3"]["amount"] == 17000
    assert programmes["privilege_card"]["eligible"] is False
    assert programmes["youth_apartment"]["eligible"] is False
    assert {reason["rule"] for reason in decision["reasons"]} >= {"G1", "G2", "G3", "G4", "G5", "G6"}
    assert all(reason["zh"] and reason["en"] for reason in decision["reasons"])
    assert decision["missing"] == []


def test_example_2_same_facts_in_2024_get_the_2024_allowance_only(client):
    facts = doctor_of_example_1()
    facts["application_date"] = "2024-07-01"
    decision = post(client, facts).get_json()
    assert decision["policy"] == "CC-2024"
    programmes = decision["programmes"]
    assert programmes["housing_subsidy"]["eligible"] is False
    assert (programmes["living_allowance"]["monthly"], programmes["living_allowance"]["total"]) == (2500, 60000)
    assert programmes["purchase_measure_2022q3"]["in_force"] is False
    assert programmes["youth_apartment"]["eligible"] is False


def test_example_4_enterprise_cto_is_tier_b_with_card_allowance_and_instalments(client):
    decision = post(client, cto_of_example_4()).get_json()
    assert (decision["policy"], decision["tier"]) == ("CC-2022", "B")
    card = decision["programmes"]["privilege_card"]
    assert card["valid_until"] == "2028-03-01"
    assert len(card["services"]) == 7
    living = decision["programmes"]["living_allowance"]
    assert (living["kind"], living["monthly"], living["months"], living["total"]) == ("tier", 4000, 60, 240000)
    housing = decision["programmes"]["housing_subsidy"]
    assert (housing["kind"], housing["total"]) == ("tier", 750000)
    assert housing["instalments"] == [
        {"due_date": f"{year}-03-01", "amount": 150000} for year in range(2023, 2028)
    ]


def test_reasons_false_drops_reasons_and_missing(client):
    decision = post(client, doctor_of_example_1(), "?reasons=false").get_json()
    assert "reasons" not in decision and "missing" not in decision
    assert decision["programmes"]["living_allowance"]["total"] == 19200


def test_absent_facts_are_listed_as_missing_not_defaulted(client):
    facts = doctor_of_example_1()
    del facts["employment"]["social_insurance_local"]
    decision = post(client, facts).get_json()
    assert "employment.social_insurance_local" in {item["fact"] for item in decision["missing"]}
    assert decision["eligible"] is False  # an unknown condition fails; it is not assumed to hold


def test_the_id_number_is_read_but_never_echoed_or_logged(client, caplog):
    facts = doctor_of_example_1()
    facts["application_date"] = "2004-07-01"  # no policy in force: the refusal must not echo the ID either
    del facts["birth_date"]
    facts["id_number"] = VALID_ID
    # The platform's loggers do not propagate to the root logger, so listen on them directly.
    talent_logger = logging.getLogger("talent")
    talent_logger.addHandler(caplog.handler)
    try:
        refused = post(client, facts)
        facts["application_date"] = "2022-09-15"
        decided = post(client, facts)
    finally:
        talent_logger.removeHandler(caplog.handler)
    assert [r.path for r in caplog.records if hasattr(r, "path")] == [URL, URL]  # the log lines were seen
    assert refused.status_code == 422
    assert decided.status_code == 200 and decided.get_json()["age"] == 72
    for response in (refused, decided):
        assert VALID_ID not in response.get_data(as_text=True)
    assert VALID_ID not in caplog.text


def _with(path: str, value: Any, remove: str | None = None) -> dict[str, Any]:
    facts = doctor_of_example_1()
    container = facts
    *parents, last = path.split(".")
    for part in parents:
        container = container[part]
    container[last] = value
    if remove:
        facts.pop(remove)
    return facts


INPUT_ERRORS = [
    pytest.param(_with("application_date", "2019-06-30"), "application_date", id="no policy in force"),
    pytest.param(_with("honours", ["knighthood"]), "honours.0", id="unknown honour"),
    pytest.param(_with("education", "phd"), "education", id="unknown education"),
    pytest.param(_with("professional_title", "professor"), "professional_title", id="unknown title"),
    pytest.param(_with("graduation_date", "2021-02-30"), "graduation_date", id="impossible date"),
    pytest.param(_with("graduation_date", "30/06/2021"), "graduation_date", id="malformed date"),
    pytest.param(_with("id_number", "110105194912310021"), "id_number", id="bad check digit"),
    pytest.param(_with("id_number", "110105194902300028"), "id_number", id="impossible birth date in ID"),
    pytest.param(_with("id_number", VALID_ID), "birth_date", id="ID disagrees with birth date"),
    pytest.param(_with("education", "doctor", remove="birth_date"), "birth_date", id="no birth date at all"),
    pytest.param(_with("education", "master", remove="graduation_date"), "graduation_date",
                 id="missing graduation date"),
    pytest.param(_with("employment.annual_salary", -1), "employment.annual_salary", id="negative amount"),
    pytest.param(_with("housing.purchase.price", -5), "housing.purchase.price", id="negative price"),
    pytest.param(_with("employment.full_time", "yes"), "employment.full_time", id="string for bool"),
    pytest.param(_with("achievements", 1.5), "achievements", id="fraction for count"),
    pytest.param(_with("employment", "enterprise"), "employment", id="string for object"),
]


@pytest.mark.parametrize(("facts", "field"), INPUT_ERRORS)
def test_each_input_error_is_a_422_naming_its_field(client, facts, field):
    response = post(client, facts)
    assert response.status_code == 422
    body = response.get_json()
    assert (body["code"], body["status"]) == (422, "Unprocessable Entity")
    assert field in body["errors"], body["errors"]
    assert all(isinstance(message, str) and message for message in body["errors"][field])


def test_an_unknown_field_is_ignored_and_the_facts_are_decided(client):
    facts = doctor_of_example_1()
    facts["nickname"] = "x"
    facts["employment"]["social_insurence_local"] = True  # misspelt: ignored, so the real fact stays unknown
    del facts["employment"]["social_insurance_local"]
    response = post(client, facts)
    assert response.status_code == 200, response.get_json()
    decision = response.get_json()
    assert decision["policy"] == "CC-2022"
    assert "employment.social_insurance_local" in {item["fact"] for item in decision["missing"]}
    assert "nickname" not in response.get_data(as_text=True)


def test_every_problem_is_reported_at_once(client):
    facts = _with("employment.annual_salary", -1)
    facts["education"] = "phd"
    facts["application_date"] = "2022-13-01"
    errors = post(client, facts).get_json()["errors"]
    assert {"employment.annual_salary", "education", "application_date"} <= set(errors)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param("[1, 2]", "application/json", id="JSON list"),
        pytest.param('"facts"', "application/json", id="JSON string"),
        pytest.param("null", "application/json", id="JSON null"),
        pytest.param('{"application_date": ', "application/json", id="malformed JSON"),
        pytest.param("application_date=2022-09-15", "application/x-www-form-urlencoded", id="form body"),
        pytest.param("", "application/json", id="empty body"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_422(client, body, content_type):
    response = client.post(URL, data=body, content_type=content_type)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"_schema": [response.get_json()["errors"]["_schema"][0]]}


def test_bad_reasons_option_is_a_422_not_a_default(client):
    response = post(client, doctor_of_example_1(), "?reasons=perhaps")
    assert response.status_code == 422
    assert "reasons" in response.get_json()["errors"]


def test_policies_lists_the_versions_with_their_effective_dates(client):
    response = client.get("/api/v1/policies")
    assert response.status_code == 200
    versions = {item["id"]: item for item in response.get_json()}
    assert (versions["CC-2020"]["effective_from"], versions["CC-2020"]["effective_to"]) == ("2020-07-01", "2021-12-31")
    assert (versions["CC-2022"]["effective_from"], versions["CC-2022"]["effective_to"]) == ("2022-01-01", "2024-05-31")
    assert (versions["CC-2024"]["effective_from"], versions["CC-2024"]["effective_to"]) == ("2024-06-01", None)
    assert versions["CC-2024"]["title"]["zh"] and versions["CC-2024"]["title"]["en"]


def test_both_endpoints_are_documented_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assess = spec["paths"]["/api/v1/eligibility"]["post"]
    assert assess["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/Facts")
    assert {"200", "422"} <= set(assess["responses"])
    assert [p["name"] for p in assess["parameters"]] == ["reasons"]
    assert "200" in spec["paths"]["/api/v1/policies"]["get"]["responses"]
    schemas = spec["components"]["schemas"]
    assert {"application_date", "id_number", "employment", "housing", "history"} <= set(schemas["Facts"]["properties"])
    assert {"policy", "tier", "track", "programmes", "reasons", "missing"} <= set(schemas["Decision"]["properties"])


def test_anonymous_callers_need_no_token_and_nothing_is_stored(app, client):
    from talent.db import Base

    engine = app.extensions["talent.engine"]
    from sqlalchemy import func, select

    def row_counts() -> dict[str, int]:
        with engine.connect() as connection:
            return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                    for t in Base.metadata.sorted_tables}

    before = row_counts()
    assert post(client, copy.deepcopy(doctor_of_example_1())).status_code == 200
    assert row_counts() == before


def test_open_parts_and_unanswered_rules_are_reported(client):
    """Issue 15: the decision says which parts the facts leave open and which rules were not answered, so that a
    client can show "can't tell yet" instead of "not eligible"; the old fields stay as they were."""
    facts = doctor_of_example_1()
    del facts["employment"]["social_insurance_local"]
    decision = post(client, facts).get_json()
    assert decision["open"]["eligible"] == ["employment.social_insurance_local"]
    assert set(decision["open"]) >= {"eligible", "housing_subsidy", "living_allowance"}
    g3 = next(reason for reason in decision["reasons"] if reason["rule"] == "G3")
    assert g3["held"] is False and g3["answered"] is False and g3["missing"] == ["employment.social_insurance_local"]
    g1 = next(reason for reason in decision["reasons"] if reason["rule"] == "G1")
    assert g1["answered"] is True and "missing" not in g1
    item = next(item for item in decision["missing"] if item["fact"] == "employment.social_insurance_local")
    assert "eligible" in item["affects"]
    complete = post(client, doctor_of_example_1()).get_json()
    assert complete["open"] == {} and all(reason["answered"] for reason in complete["reasons"])
