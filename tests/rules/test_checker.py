import shutil
from pathlib import Path

import pytest

from talent.rules import check_policies
from talent.rules.engine import SHIPPED_POLICIES

CC2022 = (SHIPPED_POLICIES / "CC-2022.yaml").read_text(encoding="utf-8")


def test_shipped_policies_have_no_problem():
    assert check_policies(SHIPPED_POLICIES) == []


def write(tmp_path: Path, text: str, name: str = "CC-2022.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("when: social_insurance_local\n", "when: social_insurence_local\n", "unknown name 'social_insurence_local'"),
        ("when: social_insurance_local\n", "when: social_insurance_local.__class__\n", "Attribute is not allowed"),
        ("    reference: docs/policy.md §2 G2\n", "", "has no reference"),
        ("values: {2022-01-01: 3}", "values: {2022-01-01: 2.5}", "binary float"),
        ("effective_from: 2022-01-01", "effective_from: soon", "not a date"),
        ("hit_policy: first", "hit_policy: any", "hit_policy must be one of"),
        ("      - {when: {tier: null}, then: {amount: 0}}\n", "", "gap, no row matches"),
        ("      - {when: {tier: C}, then: {amount: $housing_tier_amount_c}}",
         "      - {when: {tier: [B, C]}, then: {amount: $housing_tier_amount_c}}", "overlap"),
        ("      - {when: {eligible: true, tier_a: true}, then: {tier: A}}\n",
         "      - {when: {}, then: {tier: null}}\n      - {when: {eligible: true, tier_a: true}, then: {tier: A}}\n",
         "unreachable"),
        ("    living_allowance: {eligible: LIVING,", "    living_allowance: {eligible: LIVINGS,", "not defined"),
    ],
)
def test_broken_policy_files_are_reported(tmp_path, old, new, message):
    assert old in CC2022
    problems = check_policies(write(tmp_path, CC2022.replace(old, new, 1)))
    assert any(message in str(p) for p in problems), [str(p) for p in problems]


def test_overlapping_versions_are_reported(tmp_path):
    shutil.copy(SHIPPED_POLICIES / "CC-2024.yaml", tmp_path / "CC-2024.yaml")
    write(tmp_path, CC2022.replace("effective_to: 2024-05-31", "effective_to: 2024-06-01"))
    problems = check_policies(tmp_path)
    assert any("overlaps" in str(p) for p in problems)


def test_invalid_yaml_is_a_problem_not_a_crash(tmp_path):
    problems = check_policies(write(tmp_path, "id: [unclosed\n"))
    assert problems and "YAML" in str(problems[0])


def test_collect_sum_and_max_and_priority_tables(tmp_path):
    from talent.rules.policy import build_policy

    document = __import__("yaml").safe_load(CC2022)
    document["steps"].append({
        "table": "bonus_sum", "hit_policy": "collect", "aggregate": "sum", "reference": "test", "zh": "测试",
        "en": "test", "inputs": {"tier": {"expr": "tier", "values": ["A", "B", "C", None]}}, "outputs": ["amount"],
        "rows": [{"when": {"tier": ["A", "B"]}, "then": {"amount": 10}}, {"when": {"tier": "A"}, "then": {"amount": 5}}]})
    document["steps"].append({
        "table": "bonus_max", "hit_policy": "collect", "aggregate": "max", "default": {"amount": 0},
        "reference": "test", "zh": "测试", "en": "test",
        "inputs": {"tier": {"expr": "tier", "values": ["A", "B", "C", None]}}, "outputs": ["amount"],
        "rows": [{"when": {"tier": ["A", "B"]}, "then": {"amount": 10}}, {"when": {"tier": "A"}, "then": {"amount": 50}}]})
    document["steps"].append({
        "table": "best", "hit_policy": "priority", "priority": ["gold", "silver"], "default": {"medal": None},
        "reference": "test", "zh": "测试", "en": "test",
        "inputs": {"tier": {"expr": "tier", "values": ["A", "B", "C", None]}}, "outputs": ["medal"],
        "rows": [{"when": {"tier": ["A", "B"]}, "then": {"medal": "silver"}}, {"when": {"tier": "A"}, "then": {"medal": "gold"}}]})
    policy = build_policy(document)
    from talent.rules.engine import Engine

    engine = Engine([policy])
    base = {"application_date": "2023-03-01", "birth_date": "1970-01-01", "honours": ["academician_cas"],
            "employment": {"employer_district": "220104", "employer_kind": "enterprise", "role_kind": "professional",
                           "contract_years": 5, "full_time": True, "social_insurance_local": True},
            "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False}}
    record, chosen = engine.normalise(base)
    env, _ = engine._run(chosen, record, chosen.parameter_values(record[0]), strict=True, trace=False)
    assert (env["bonus_sum"], env["bonus_max"], env["best"]) == (15, 50, "gold")
    from talent.rules.batch import evaluate_group

    vector = evaluate_group(chosen, [record, record], chosen.parameter_values(record[0]))
    assert vector["bonus_sum"][0].tolist() == [15, 15]
    assert vector["bonus_max"][0].tolist() == [50, 50]
    assert vector["best"][0].tolist() == ["gold", "gold"]
