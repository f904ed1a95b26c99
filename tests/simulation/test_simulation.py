"""Policy simulation (talent.simulation): the baseline run agrees with the rule engine's own decisions, a reform
that changes nothing changes nothing, raising an amount never lowers spending, and the CLI and the reform checker
do what API.md says.

The population is bench/factgen.py's: random but realistic fact sets on every boundary of the policy, with a
share of refused lines. The expected figures are computed here from `Engine.decide_many` (the path of
`talent rules eval`) and plain datetime arithmetic, independently of the simulation's NumPy code.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from talent.rules import InputError, load_engine
from talent.simulation import ReformError, check_reform, load_reform, parse_reform, simulate
from talent.simulation.simulate import MONEY_PROGRAMMES, PROGRAMME_CODES

ROOT = Path(__file__).resolve().parents[2]
TIER_C_REFORM = {
    "id": "tier-c-400k",
    "title": {"zh": "C类人才年薪门槛降至40万元", "en": "Tier C salary threshold lowered to 400,000"},
    "parameters": {"tier_c_min_annual_salary": {"values": {"2023-01-01": 400000}}},
}


def _factgen():
    spec = importlib.util.spec_from_file_location("bench_factgen_sim", ROOT / "bench" / "factgen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def population() -> list[dict[str, Any]]:
    return _factgen().generate(6000, seed=20261203, invalid_share=0.03)


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    import calendar

    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _payments(decision: dict[str, Any]) -> list[tuple[str, dt.date, int]]:
    """The payment schedule of one decision, as services/cards.create_instalments makes it."""
    start = dt.date.fromisoformat(decision["application_date"])
    programmes = decision["programmes"]
    rows = []
    housing = programmes["housing_subsidy"]
    if housing["eligible"]:
        rows += [("housing_subsidy", dt.date.fromisoformat(p["due_date"]), p["amount"]) for p in housing["instalments"]]
    living = programmes["living_allowance"]
    if living["eligible"]:
        rows += [("living_allowance", _add_months(start, k), living["monthly"]) for k in range(living["months"])]
    purchase = programmes["purchase_measure_2022q3"]
    if purchase["eligible"] and purchase["amount"] > 0:
        rows.append(("purchase_measure_2022q3", start, purchase["amount"]))
    return rows


def _expected(decisions: list[Any], years: list[int]) -> dict[str, Any]:
    tiers: Counter[str] = Counter()
    programmes: Counter[str] = Counter()
    money = {code: Counter() for code in MONEY_PROGRAMMES}
    for decision in decisions:
        if isinstance(decision, InputError):
            continue
        tiers[decision["tier"] or "none"] += 1
        for code in PROGRAMME_CODES:
            programmes[code] += decision["programmes"][code]["eligible"]
        for code, day, amount in _payments(decision):
            if day.year in years:
                money[code][str(day.year)] += amount
    return {
        "tiers": {code: tiers[code] for code in ("none", "A", "B", "C")},
        "programmes": {code: programmes[code] for code in PROGRAMME_CODES},
        "money": {code: {str(y): money[code][str(y)] for y in years} for code in MONEY_PROGRAMMES},
    }


def test_the_run_under_the_policy_in_force_equals_the_engines_decisions(population) -> None:
    result = simulate(population, parse_reform(TIER_C_REFORM), years=6, from_year=2020, examples=0)
    decisions = load_engine().decide_many(population)
    expected = _expected(decisions, result["years"])
    in_force = result["in_force"]
    assert in_force["tiers"] == expected["tiers"]
    assert in_force["programmes"] == expected["programmes"]
    for code in MONEY_PROGRAMMES:
        assert in_force["money"][code] == expected["money"][code], code
    assert result["population"]["refused"] == sum(isinstance(d, InputError) for d in decisions) > 0
    assert result["one_case_path"] == {"in_force": 0, "reform": 0}  # the vectorised path decided everyone


def test_the_reform_run_equals_the_reformed_engines_decisions(population) -> None:
    from talent.simulation.reform import reformed_engine

    reform = parse_reform(TIER_C_REFORM)
    result = simulate(population, reform, years=6, from_year=2020, examples=0)
    expected = _expected(reformed_engine(reform).decide_many(population), result["years"])
    assert result["reform_result"]["tiers"] == expected["tiers"]
    assert result["reform_result"]["money"]["living_allowance"] == expected["money"]["living_allowance"]


@pytest.mark.parametrize("document", [
    {"id": "nothing", "parameters": {}},
    # the values in force, restated: the same decisions
    {"id": "restated", "policies": ["CC-2022"],
     "parameters": {"tier_c_min_annual_salary": {"values": {"2022-01-01": 500000}},
                    "living_tier_monthly_c": {"values": {"2022-01-01": 3000}}}},
])
def test_a_reform_that_changes_nothing_changes_nothing(population, document) -> None:
    result = simulate(population, parse_reform(document), years=5, examples=5)
    assert result["in_force"] == result["reform_result"]
    flat = json.dumps(result["difference"])
    assert all(value == 0 for value in _numbers(result["difference"])), flat
    assert result["people"]["changed"] == 0 and result["examples"] == []
    assert result["people"]["gain"] == {"people": 0, "yuan": 0} == result["people"]["lose"]


def _numbers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    return [value]


def test_the_tier_c_threshold_reform_helps_only_people_applying_after_its_date(population) -> None:
    result = simulate(population, parse_reform(TIER_C_REFORM), years=5, from_year=2023, examples=50)
    assert result["people"]["gain"]["people"] > 0 and result["people"]["lose"]["people"] == 0
    assert result["difference"]["tiers"]["C"] == -result["difference"]["tiers"]["none"] > 0
    assert all(row["from"] == "none" and row["to"] == "C" for row in result["people"]["tier_changes"])
    assert sum(row["people"] for row in result["people"]["distribution"]) == result["people"]["gain"]["people"]
    assert result["examples"], "examples of people whose result changes"
    differences = [example["difference"] for example in result["examples"]]
    assert differences == sorted(differences, reverse=True)  # the largest changes first
    for example in result["examples"]:
        facts = population[example["line"] - 1]
        assert facts["application_date"] >= "2023-01-01"
        if facts.get("id_number"):  # an ID number, when given, is shown masked only
            assert "*" in example["id_number"] and facts["id_number"] not in json.dumps(example)
        changed = {rule["rule"]: rule for rule in example["rules"]}
        assert changed["C_ENTERPRISE"]["held"] == {"in_force": False, "reform": True}
        assert changed["C_ENTERPRISE"]["parameter"]["reform"]["value"] == 400000
        assert example["in_force"]["tier"] is None and example["reform"]["tier"] == "C"


def test_raising_an_amount_never_lowers_anyones_money(population) -> None:
    reform = parse_reform({"id": "more", "parameters": {
        "living_tier_monthly_c": {"values": {"2022-06-01": 3500}},
        "housing_graduate_amount_master": {"values": {"2022-06-01": 60000}},
    }})
    result = simulate(population, reform, years=8, from_year=2020, examples=3)
    assert result["people"]["lose"]["people"] == 0 and result["people"]["gain"]["people"] > 0
    assert all(value >= 0 for value in _numbers(result["difference"]["money"]))
    assert result["difference"]["tiers"] == {"none": 0, "A": 0, "B": 0, "C": 0}


def test_a_lower_amount_shows_losers(population) -> None:
    reform = parse_reform({"id": "less", "parameters": {"living_tier_monthly_c": {"values": {"2022-01-01": 2000}}}})
    result = simulate(population, reform, years=5, examples=0)
    assert result["people"]["lose"]["people"] > 0 and result["people"]["gain"]["people"] == 0
    assert result["people"]["lose"]["yuan"] == result["difference"]["entitlement"]["total"] < 0


def test_forked_workers_give_the_same_result(population) -> None:
    reform = parse_reform(TIER_C_REFORM)
    one = simulate(population, reform, examples=3)
    two = simulate(population, reform, examples=3, workers=2, chunk_size=1500)
    assert one == two


@pytest.mark.parametrize(("document", "fragment"), [
    ({"id": "x", "parameters": {"no_such_parameter": {"values": {"2023-01-01": 1}}}}, "no_such_parameter"),
    ({"id": "x", "policies": ["CC-1999"], "parameters": {}}, "CC-1999"),
    ({"id": "x", "parameters": {"tier_c_min_annual_salary": {"values": {"2023-01-01": 1.5}}}}, "binary float"),
    ({"id": "x", "parameters": {"tier_c_min_annual_salary": {"values": {"soon": 1}}}}, "not a date"),
    ({"id": "x", "parameters": {"tier_c_min_annual_salary": 400000}}, "dated values"),
])
def test_a_reform_the_checker_refuses_is_not_simulated(document, fragment) -> None:
    try:
        reform = parse_reform(document)
    except ReformError as exc:
        assert fragment in str(exc)
        return
    problems = check_reform(reform)
    assert any(fragment in str(problem) for problem in problems), problems
    with pytest.raises(ReformError, match=fragment):
        simulate([], reform)


# --- the command ---------------------------------------------------------------------------------------------

def _talent() -> str:
    return str(Path(sys.executable).parent / "talent")


def test_talent_rules_simulate_prints_the_comparison(tmp_path, population) -> None:
    people = tmp_path / "people.jsonl"
    people.write_text("\n".join(json.dumps(facts, ensure_ascii=False) for facts in population[:1500])
                      + "\nnot json\n", encoding="utf-8")
    reform = tmp_path / "reform.yaml"
    reform.write_text("id: tier-c-400k\ntitle: {zh: C类门槛40万, en: \"Tier C at 400,000\"}\n"
                      "parameters:\n  tier_c_min_annual_salary:\n    values: {2023-01-01: 400000}\n", encoding="utf-8")
    done = subprocess.run([_talent(), "rules", "simulate", "--population", str(people), "--reform", str(reform),
                           "--years", "3", "--from-year", "2023"], capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    result = json.loads(done.stdout)
    assert result["years"] == [2023, 2024, 2025]
    assert result["population"]["people"] == 1501 and result["population"]["refused"] >= 1
    expected = simulate(population[:1500] + [None], load_reform(reform), years=3, from_year=2023)
    assert result == json.loads(json.dumps(expected))
    checked = subprocess.run([_talent(), "rules", "check", "--reform", str(reform)], capture_output=True,
                             timeout=60, check=False)
    assert checked.returncode == 0 and b"policies OK" in checked.stdout


def test_talent_rules_simulate_refuses_a_bad_reform(tmp_path) -> None:
    people = tmp_path / "people.jsonl"
    people.write_text("{}\n", encoding="utf-8")
    reform = tmp_path / "reform.yaml"
    reform.write_text("id: bad\nparameters:\n  tier_c_min_annual_salary:\n    values: {2023-01-01: 0.5}\n")
    for command in (["rules", "simulate", "--population", str(people), "--reform", str(reform)],
                    ["rules", "check", "--reform", str(reform)]):
        done = subprocess.run([_talent(), *command], capture_output=True, timeout=60, check=False)
        assert done.returncode == 1, command
        assert b"binary float" in done.stderr
