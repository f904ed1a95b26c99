"""Differential test: the rule engine (talent.rules) against the independent reference reading of docs/policy.md
(bench/reference_policy.py), on fact sets from bench/factgen.py that sit on every boundary the policy names.

Three paths through the engine are checked: `Engine.decide` one at a time (with reasons), `Engine.decide_many`
on the whole batch (without reasons), and the `talent rules eval` command on a smaller sample. Refused input
must be refused by both sides, naming a common field.

When this fails, the message lists the fields that differ and the first cases in full. Decide from docs/policy.md
who is right; engine-side problems are settled in docs/policy-notes.md. To dump every disagreement of a run:
    .venv/bin/python tests/rules/test_differential.py [N] [SEED]
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def _load(name: str):
    module_name = f"bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


reference = _load("reference_policy")
factgen = _load("factgen")

# The compared decision shape (the task's contract); placeholders are what a not-eligible programme carries.
PROGRAMME_VALUES = {
    "privilege_card": {"valid_until": None, "services": []},
    "housing_subsidy": {"kind": None, "total": 0, "instalments": []},
    "living_allowance": {"kind": None, "monthly": 0, "months": 0, "total": 0},
    "purchase_measure_2022q3": {"amount": 0},
    "youth_apartment": {"monthly_rent": 0, "max_months": 0},
}
MONEY_FIELDS = {"total", "monthly", "amount", "monthly_rent"}
TOP_LEVEL = ("policy", "application_date", "eligible", "tier", "track")
# A disagreement between an ID number and a birth date may be reported on either field.
FIELD_ALIASES = {"id_number": "identity", "birth_date": "identity"}


def _is_money(value: Any) -> bool:
    return type(value) is int


def compare_decisions(expected: dict[str, Any], actual: Any) -> list[str]:
    """Paths (with both values) where `actual` departs from the reference decision `expected`."""
    if not isinstance(actual, dict):
        return [f"<decision>: expected a decision, got {actual!r:.200}"]
    differences = []
    for key in TOP_LEVEL:
        if actual.get(key, "<absent>") != expected[key]:
            differences.append(f"{key}: reference {expected[key]!r} engine {actual.get(key, '<absent>')!r}")
    programmes = actual.get("programmes")
    if not isinstance(programmes, dict):
        return [*differences, "programmes: absent"]
    for name, placeholders in PROGRAMME_VALUES.items():
        want = expected["programmes"][name]
        got = programmes.get(name)
        if not isinstance(got, dict):
            differences.append(f"programmes.{name}: absent")
            continue
        for flag in ("in_force", "eligible"):
            if got.get(flag, "<absent>") != want[flag]:
                differences.append(
                    f"programmes.{name}.{flag}: reference {want[flag]!r} engine {got.get(flag, '<absent>')!r}"
                )
        if want["eligible"] != got.get("eligible"):
            continue  # the values follow from the flag; one difference is enough
        for field in placeholders:
            want_value = want[field]
            got_value = got.get(field, "<absent>")
            if field == "services" and isinstance(got_value, list):
                # docs/policy.md §5.1 lists the services as a set; order is not part of the policy.
                got_value, want_value = sorted(got_value), sorted(want_value)
            if got_value != want_value:
                differences.append(f"programmes.{name}.{field}: reference {want_value!r} engine {got_value!r}")
            elif field in MONEY_FIELDS and not _is_money(got_value):
                differences.append(f"programmes.{name}.{field}: money must be int, engine gave {got_value!r}")
        for instalment in got.get("instalments") or []:
            if not _is_money(instalment.get("amount")):
                differences.append(f"programmes.{name}.instalments: amount not int: {instalment!r}")
    return differences


def normalise_field(path: str) -> str:
    """'honours[0]', 'honours.0' and 'honours' all name the honours field."""
    path = re.sub(r"\[(\d+)\]", r".\1", str(path)).strip(".")
    path = re.sub(r"(\.\d+)+$", "", path)
    return FIELD_ALIASES.get(path, path)


def fields_overlap(reference_fields: set[str], engine_fields: set[str]) -> bool:
    wanted = {normalise_field(field) for field in reference_fields}
    named = {normalise_field(field) for field in engine_fields}
    return any(w == n or w.startswith(n + ".") or n.startswith(w + ".") for w in wanted for n in named)


def reference_outcome(facts: dict[str, Any]) -> dict[str, Any]:
    try:
        return reference.decide(facts)
    except reference.ReferenceInputError as refused:
        return {"error": refused.errors}


def compare_outcomes(facts: dict[str, Any], expected: dict[str, Any], actual: Any, engine_fields: set | None):
    """Differences for one case; `engine_fields` is the set of fields the engine refused, or None."""
    if "error" in expected:
        if engine_fields is None:
            return [f"refusal: reference refuses {sorted(expected['error'])}, engine decided"]
        if not fields_overlap(set(expected["error"]), engine_fields):
            return [f"refusal fields: reference {sorted(expected['error'])} engine {sorted(engine_fields)}"]
        return []
    if engine_fields is not None:
        return [f"refusal: engine refuses {sorted(engine_fields)}, reference decided"]
    return compare_decisions(expected, actual)


def describe(failures: list[tuple[dict, dict, Any, list[str]]], limit: int = 4) -> str:
    by_field = Counter(diff.split(":")[0] for *_, diffs in failures for diff in diffs)
    lines = [f"{len(failures)} cases disagree; by field: {dict(by_field.most_common())}"]
    for facts, expected, actual, diffs in failures[:limit]:
        lines += ["---", "facts: " + json.dumps(facts, ensure_ascii=False), *diffs]
        lines.append("reference: " + json.dumps(expected, ensure_ascii=False, default=str))
        lines.append("engine: " + json.dumps(actual, ensure_ascii=False, default=str)[:3000])
    return "\n".join(lines)


# --- the engine ------------------------------------------------------------------------------------------------

def _engine_module():
    import talent.rules as rules

    return rules


@pytest.fixture(scope="module")
def rules_module():
    return _engine_module()


@pytest.fixture(scope="module")
def engine(rules_module):
    return rules_module.load_engine()


def _fresh(facts: dict[str, Any]) -> dict[str, Any]:
    """A private copy, so an engine that normalises its input in place cannot touch the next path's input."""
    return json.loads(json.dumps(facts))


def _refused_fields(rules_module, outcome: Any) -> set[str] | None:
    if isinstance(outcome, rules_module.InputError):
        return set(outcome.errors)
    return None


CASES_ONE_AT_A_TIME = factgen.generate(1500, seed=20240601, invalid_share=0.06)
CASES_BATCH = factgen.generate(4000, seed=20220801, invalid_share=0.04)
CASES_CLI = factgen.generate(400, seed=20200701, invalid_share=0.1)


def test_factgen_cases_hit_every_outcome():
    """Guards the generator: without this, a quiet change could leave whole rules unexercised."""
    outcomes = [reference_outcome(_fresh(facts)) for facts in CASES_BATCH]
    decided = [outcome for outcome in outcomes if "error" not in outcome]
    assert 0.02 < 1 - len(decided) / len(outcomes) < 0.08
    seen = Counter()
    for decision in decided:
        seen[decision["policy"]] += 1
        seen[f"tier {decision['tier']}"] += 1
        seen[f"track {decision['track']}"] += 1
        for name, programme in decision["programmes"].items():
            if programme["eligible"]:
                seen[f"{name} {programme.get('kind')}"] += 1
    for expected in ("CC-2020", "CC-2022", "CC-2024", "tier A", "tier B", "tier C", "track graduate",
                     "privilege_card None", "housing_subsidy tier", "housing_subsidy graduate",
                     "living_allowance tier", "living_allowance graduate", "purchase_measure_2022q3 None",
                     "youth_apartment None"):
        assert seen[expected] >= 10, (expected, seen)


def test_factgen_is_deterministic_and_its_valid_lines_are_accepted():
    assert factgen.generate(300, seed=3, invalid_share=0.1) == factgen.generate(300, seed=3, invalid_share=0.1)
    assert factgen.generate(50, seed=3) != factgen.generate(50, seed=4)
    valid_only = factgen.generate(800, seed=9, invalid_share=0.0)
    for facts in valid_only:
        assert "error" not in reference_outcome(_fresh(facts)), facts
        if "id_number" in facts:
            assert reference.parse_id_number(facts["id_number"])  # check digit and birth date hold
    invalid_only = factgen.generate(500, seed=9, invalid_share=1.0)
    assert all("error" in reference_outcome(_fresh(facts)) for facts in invalid_only)


def test_decide_one_at_a_time_agrees_with_reference(rules_module, engine):
    failures = []
    for facts in CASES_ONE_AT_A_TIME:
        expected = reference_outcome(_fresh(facts))
        try:
            actual = engine.decide(_fresh(facts), reasons=True)
            engine_fields = None
        except rules_module.InputError as refused:
            actual, engine_fields = {"error": refused.errors}, set(refused.errors)
        diffs = compare_outcomes(facts, expected, actual, engine_fields)
        if diffs:
            failures.append((facts, expected, actual, diffs))
    assert not failures, describe(failures)


def test_decide_many_agrees_with_reference(rules_module, engine):
    actual_all = engine.decide_many([_fresh(facts) for facts in CASES_BATCH], reasons=False)
    assert len(actual_all) == len(CASES_BATCH)
    failures = []
    for facts, actual in zip(CASES_BATCH, actual_all, strict=True):
        expected = reference_outcome(_fresh(facts))
        engine_fields = _refused_fields(rules_module, actual)
        diffs = compare_outcomes(facts, expected, actual, engine_fields)
        if diffs:
            failures.append((facts, expected, getattr(actual, "errors", actual), diffs))
    assert not failures, describe(failures)


def test_decide_and_decide_many_agree_with_each_other(rules_module, engine):
    sample = CASES_ONE_AT_A_TIME[:400]
    batch = engine.decide_many([_fresh(facts) for facts in sample], reasons=False)
    for facts, from_batch in zip(sample, batch, strict=True):
        try:
            single = engine.decide(_fresh(facts), reasons=False)
        except rules_module.InputError as refused:
            assert isinstance(from_batch, rules_module.InputError), facts
            assert set(refused.errors) == set(from_batch.errors), facts
            continue
        assert not isinstance(from_batch, rules_module.InputError), facts
        single_core = {key: single[key] for key in (*TOP_LEVEL, "programmes")}
        batch_core = {key: from_batch[key] for key in (*TOP_LEVEL, "programmes")}
        assert single_core == batch_core, facts


def _probe_base() -> dict[str, Any]:
    """A fully eligible doctor (docs/policy.md §8, example 1) to hang single changes on."""
    return {
        "application_date": "2022-09-15", "birth_date": "1991-03-10", "education": "doctor",
        "full_time_degree": True, "graduation_date": "2021-06-30", "professional_title": "none", "honours": [],
        "achievements": 0,
        "employment": {"employer_district": "220173", "employer_kind": "enterprise", "role_kind": "professional",
                       "contract_years": 3, "full_time": True, "annual_salary": 200_000,
                       "income_tax_last_year": 10_000, "enterprise_revenue": 50_000_000,
                       "social_insurance_local": True},
        "conduct": {"disciplinary_sanction": False, "credit_blacklisted": False},
        "housing": {"owns_home_in_city": False,
                    "purchase": {"contract_date": "2022-09-01", "price": 1_200_000, "floor_area_m2": 85,
                                 "district": "220104", "new_commodity_housing": True, "first_home": True}},
        "history": {"last_classified_on": None, "last_rejected_on": None, "revoked_on": None},
    }


def _probe(path: str, value: Any) -> dict[str, Any]:
    facts = _probe_base()
    *parents, leaf = path.split(".")
    target = facts
    for parent in parents:
        target = target[parent]
    if value is ...:
        target.pop(leaf)
    else:
        target[leaf] = value
    return facts


# Points docs/policy.md leaves open and factgen rarely or never produces (readings R7-R9 of the reference).
READING_PROBES = {
    "unknown employer_kind": _probe("employment.employer_kind", "private"),
    "unknown role_kind": _probe("employment.role_kind", "manager"),
    "whole float salary": _probe("employment.annual_salary", 500000.0),
    "fractional salary": _probe("employment.annual_salary", 500000.5),
    "negative contract_years": _probe("employment.contract_years", -1),
    "negative floor area": _probe("housing.purchase.floor_area_m2", -5),
    "negative achievements": _probe("achievements", -1),
    "district as a number": _probe("employment.employer_district", 220104),
    "district of five digits": _probe("housing.purchase.district", "22010"),
    "birth date before 1900": _probe("birth_date", "1899-12-31"),
    "application date after 2199": _probe("application_date", "2200-01-01"),
    "salary above 10^15": _probe("employment.annual_salary", 10**15 + 1),
    "price of exactly 10^15": _probe("housing.purchase.price", 10**15),
    "honours as a string": _probe("honours", "academician_cas"),
    "no education, no graduation date": _probe("graduation_date", ...) | {"education": None},
    "born after the application date": _probe("birth_date", "2023-01-01"),
    "no application date": _probe("application_date", ...),
    "no history at all": _probe("history", ...),
    "education none with a graduation date": _probe("education", "none"),
    "datetime instead of a date": _probe("application_date", "2022-09-15T00:00:00"),
    "basic date without dashes": _probe("application_date", "20220915"),
    "contract_years as a string": _probe("employment.contract_years", "3"),
    "lower-case x and agreeing birth date": _probe("id_number", "11010519491231002x") | {"birth_date": "1949-12-31"},
}


@pytest.mark.parametrize("name", sorted(READING_PROBES))
def test_engine_agrees_on_reading_probes(rules_module, engine, name):
    facts = READING_PROBES[name]
    expected = reference_outcome(_fresh(facts))
    try:
        actual, engine_fields = engine.decide(_fresh(facts), reasons=False), None
    except rules_module.InputError as refused:
        actual, engine_fields = {"error": refused.errors}, set(refused.errors)
    assert not compare_outcomes(facts, expected, actual, engine_fields), (expected, actual)


def test_unknown_extra_keys_are_ignored(rules_module, engine):
    """Decided (docs/policy-notes.md item 5): keys outside docs/policy.md §7 are ignored by both readings."""
    facts = _probe_base()
    expected = engine.decide(_fresh(facts), reasons=False)
    with_extras = _fresh(facts) | {"nickname": "Xiao Wang"}
    with_extras["employment"] = {**with_extras.get("employment", {}), "department": "研发部"}
    assert engine.decide(with_extras, reasons=False) == expected


def _cli_command() -> list[str]:
    """The documented command, `talent rules eval`, as the installed console script of this interpreter's
    environment (.venv/bin/talent). No fallback: a missing script or command group fails the tests."""
    script = Path(sys.executable).parent / "talent"
    assert script.is_file(), f"the console script {script} is not installed (pip install -e .)"
    return [str(script), "rules", "eval"]


def _error_fields(error: Any) -> set[str]:
    """The field paths named in a CLI `{"error": ...}` line, whatever envelope the engine chose."""
    if isinstance(error, dict):
        if isinstance(error.get("errors"), dict):
            return set(error["errors"])
        return set(error)
    return {str(error)}


def test_cli_agrees_with_reference(tmp_path):
    command = _cli_command()
    facts_file = tmp_path / "facts.jsonl"
    facts_file.write_text("".join(json.dumps(facts) + "\n" for facts in CASES_CLI), encoding="utf-8")
    run = subprocess.run([*command, str(facts_file)], capture_output=True, text=True, check=False, timeout=120)
    output = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(output) == len(CASES_CLI), run.stderr[-2000:]
    failures = []
    for facts, actual in zip(CASES_CLI, output, strict=True):
        expected = reference_outcome(_fresh(facts))
        engine_fields = _error_fields(actual["error"]) if "error" in actual else None
        diffs = compare_outcomes(facts, expected, actual, engine_fields)
        if diffs:
            failures.append((facts, expected, actual, diffs))
    assert not failures, describe(failures)
    any_refused = any("error" in line for line in output)
    assert run.returncode == (1 if any_refused else 0)


@pytest.mark.parametrize("on_date", ["2021-12-31", "2024-06-01"])
def test_cli_on_date_overrides_every_application_date(tmp_path, on_date):
    command = _cli_command()
    sample = CASES_CLI[:60]
    facts_file = tmp_path / "facts.jsonl"
    facts_file.write_text("".join(json.dumps(facts) + "\n" for facts in sample), encoding="utf-8")
    run = subprocess.run([*command, "--on", on_date, str(facts_file)], capture_output=True, text=True,
                         check=False, timeout=120)
    output = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(output) == len(sample), run.stderr[-2000:]
    failures = []
    for facts, actual in zip(sample, output, strict=True):
        moved = _fresh(facts) | {"application_date": on_date}
        expected = reference_outcome(moved)
        engine_fields = _error_fields(actual["error"]) if "error" in actual else None
        diffs = compare_outcomes(moved, expected, actual, engine_fields)
        if diffs:
            failures.append((moved, expected, actual, diffs))
    assert not failures, describe(failures)


def test_comparison_catches_a_wrong_amount():
    """The comparison itself must be able to fail: a one-yuan error and a float are both reported."""
    decision = reference.decide(_fresh(next(f for f in CASES_BATCH if "error" not in reference_outcome(f))))
    assert compare_decisions(decision, json.loads(json.dumps(decision))) == []
    broken = json.loads(json.dumps(decision))
    broken["programmes"]["living_allowance"]["total"] += 1
    assert compare_decisions(decision, broken)
    assert fields_overlap({"honours.0"}, {"honours[0]"})
    assert fields_overlap({"birth_date"}, {"id_number"})
    assert not fields_overlap({"education"}, {"employment.annual_salary"})


def test_benchmark_section_is_written_between_its_markers(tmp_path):
    bench_rules = _load("rules")
    record = _load("record")
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nintro\n\n<!-- bench:other start -->\n## Other\n\nkept\n"
                    "<!-- bench:other end -->\n", encoding="utf-8")
    results = {"commit": "abc1234", "command": "python bench/rules.py --record", "n": 10, "seed": 1,
               "invalid_share": 0.02, "latency_n": 5, "machine": "2 cores", "load": "1.0 / 1.0 / 1.0",
               "date": "2026-12-03", "cli": "talent rules eval", "rounds": 2}
    record.write_section(bench_rules.SECTION, bench_rules.render_section(results, "| table |"), docs)
    text = docs.read_text(encoding="utf-8")
    assert "kept" in text and text.index("bench:other end") < text.index("bench:rules start")
    section = record.read_section("rules", docs)
    assert section.startswith("## Rule engine") and "Commit: `abc1234`" in section
    assert "`python bench/rules.py --record`" in section


if __name__ == "__main__":  # dump every disagreement of a larger run
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    rules = _engine_module()
    the_engine = rules.load_engine()
    cases = factgen.generate(count, seed=seed, invalid_share=0.05)
    results = the_engine.decide_many([_fresh(facts) for facts in cases], reasons=False)
    found = []
    for facts, actual in zip(cases, results, strict=True):
        expected = reference_outcome(_fresh(facts))
        diffs = compare_outcomes(facts, expected, actual, _refused_fields(rules, actual))
        if diffs:
            found.append((facts, expected, getattr(actual, "errors", actual), diffs))
    print(describe(found, limit=int(sys.argv[3]) if len(sys.argv) > 3 else 10))
