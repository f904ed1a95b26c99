"""Every list of names lives once, in talent.names, with Chinese and English for each code, and every place that
shows a code takes its name from there (issue 15). In the style of tests/test_names.py."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import pytest

from talent.names import codes, policy, refusals, workflow

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")

TABLES: dict[str, dict[Any, dict[str, str]]] = {
    "codes.EDUCATION": codes.EDUCATION,
    "codes.TITLES": codes.TITLES,
    "codes.EMPLOYER_KINDS": codes.EMPLOYER_KINDS,
    "codes.ROLE_KINDS": codes.ROLE_KINDS,
    "codes.DIVISIONS": {code: {"zh": codes.DIVISIONS[code], "en": codes.DIVISIONS_EN[code]} for code in codes.DIVISIONS},
    "policy.TIERS": policy.TIERS,
    "policy.PROGRAMMES": policy.PROGRAMMES,
    "policy.HONOURS": policy.HONOURS,
    "policy.SERVICES": policy.SERVICES,
    "policy.FACT_LABELS": policy.FACT_LABELS,
    "policy.STEP_NAMES": policy.STEP_NAMES,
    "policy.STATES": policy.STATES,
    "policy.DECISION_PARTS": policy.DECISION_PARTS,
    "policy.KIND_NAMES": policy.KIND_NAMES,
    "policy.WORDS": policy.WORDS,
    "workflow.STATUSES": workflow.STATUSES,
    "workflow.STEPS": workflow.STEPS,
    "workflow.AUDIT_ACTIONS": workflow.AUDIT_ACTIONS,
    "workflow.AUDIT_FIELDS": workflow.AUDIT_FIELDS,
    "workflow.CARD_STATUSES": workflow.CARD_STATUSES,
    "workflow.INSTALMENT_STATUSES": workflow.INSTALMENT_STATUSES,
    "workflow.OBJECTION_STATUSES": workflow.OBJECTION_STATUSES,
    "workflow.CLOCK_KINDS": workflow.CLOCK_KINDS,
    "workflow.CHANGE_FIELDS": workflow.CHANGE_FIELDS,
    "workflow.OUTCOMES": workflow.OUTCOMES,
    "workflow.STAGES": workflow.STAGES,
    "refusals.REFUSALS": {code: {"zh": r.zh, "en": r.en} for code, r in refusals.REFUSALS.items()},
}
# Lists of codes a person picks from or reads as a status: two codes never share a name in either language.
DISTINCT = [
    "codes.EDUCATION", "codes.TITLES", "codes.EMPLOYER_KINDS", "codes.ROLE_KINDS", "codes.DIVISIONS",
    "policy.TIERS", "policy.PROGRAMMES", "policy.HONOURS", "policy.SERVICES", "policy.FACT_LABELS", "policy.STATES",
    "workflow.STATUSES", "workflow.AUDIT_ACTIONS", "workflow.CARD_STATUSES", "workflow.INSTALMENT_STATUSES",
    "workflow.OBJECTION_STATUSES", "workflow.CLOCK_KINDS", "workflow.CHANGE_FIELDS", "refusals.REFUSALS",
]


@pytest.mark.parametrize("name", TABLES)
def test_every_code_has_a_chinese_and_an_english_name(name: str) -> None:
    for code, names in TABLES[name].items():
        assert set(names) >= {"zh", "en"}, (name, code)
        assert names["zh"].strip() and names["en"].strip(), (name, code)
        assert CJK.search(names["zh"]) or names["zh"].strip("（）% 年个月平方米项") == "", (name, code, names["zh"])
        assert not CJK.search(names["en"]), (name, code, names["en"])
        assert "、" not in names["en"], (name, code)


@pytest.mark.parametrize("name", DISTINCT)
def test_no_two_codes_share_a_name(name: str) -> None:
    for language in ("zh", "en"):
        seen: dict[str, Any] = {}
        for code, names in TABLES[name].items():
            assert names[language] not in seen, (name, language, names[language], code, seen.get(names[language]))
            seen[names[language]] = code


def test_the_names_package_is_pure() -> None:
    for path in (ROOT / "talent" / "names").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for module in modules:
                assert module.split(".")[0] not in ("flask", "flask_babel", "babel", "sqlalchemy"), (path, module)
                assert not module.startswith(("talent.services", "talent.web", "talent.models", "talent.rules")), (
                    path, module)


def test_code_lists_are_the_keys_of_their_name_tables() -> None:
    """One list of education levels (and titles, kinds): the engine, the models and the pages use the table."""
    from talent.models.jobs import EDUCATION_LEVELS
    from talent.rules import facts

    assert facts.EDUCATION == tuple(codes.EDUCATION)
    assert facts.TITLES == tuple(codes.TITLES)
    assert facts.EMPLOYER_KINDS == tuple(codes.EMPLOYER_KINDS)
    assert facts.ROLE_KINDS == tuple(codes.ROLE_KINDS)
    assert set(EDUCATION_LEVELS) == set(codes.EDUCATION) - {"none"}
    assert set(facts.PATH_OF.values()) - {"housing.purchase"} <= set(policy.FACT_LABELS) | {"has_purchase"}


def test_old_import_paths_are_the_same_tables() -> None:
    """talent.codes, talent.rules.names, the case pages and the PDFs re-export the one table, not a copy."""
    from talent import codes as old_codes
    from talent.documents.data import CARD_STATUS_NAMES, PROGRAMME_NAMES
    from talent.rules import names as old_names
    from talent.services import eligibility
    from talent.web import case_labels

    assert old_codes.EDUCATION_NAMES is codes.EDUCATION and old_codes.DIVISIONS is codes.DIVISIONS
    assert old_names.TIERS is policy.TIERS and old_names.HONOURS is policy.HONOURS
    assert eligibility.FACT_LABELS is policy.FACT_LABELS and eligibility.STEP_NAMES is policy.STEP_NAMES
    assert case_labels.EDUCATION_LABELS is codes.EDUCATION and case_labels.TITLE_LABELS is codes.TITLES
    assert case_labels.CARD_STATUS_LABELS is workflow.CARD_STATUSES
    assert case_labels.AUDIT_ACTION_LABELS is workflow.AUDIT_ACTIONS
    assert CARD_STATUS_NAMES == {code: (n["zh"], n["en"]) for code, n in workflow.CARD_STATUSES.items()}
    assert PROGRAMME_NAMES == {code: (n["zh"], n["en"]) for code, n in policy.PROGRAMMES.items()}
    # codes.EDUCATION_CODES (GB/T 4658) names each level by the one table, not by a second English name
    assert {v["zh"] for v in codes.EDUCATION_CODES.values()} <= {n["zh"] for n in codes.EDUCATION.values()}


def test_the_workflow_names_every_status_and_step_from_the_table() -> None:
    from talent.services.workflow import ACTION_LABELS, STATUS_LABELS, TRANSITIONS, Status

    assert set(workflow.STATUSES) == {status.value for status in Status}
    assert STATUS_LABELS == {status: (n["zh"], n["en"]) for status, n in workflow.STATUSES.items()}
    assert set(workflow.STEPS) == set(TRANSITIONS)
    for key, transition in TRANSITIONS.items():
        assert transition.label == (workflow.STEPS[key]["zh"], workflow.STEPS[key]["en"])
    assert set(ACTION_LABELS) == {action for _, action in workflow.STEPS}


def test_every_policy_step_has_a_name() -> None:
    from talent.rules import load_engine
    from talent.services.eligibility_explain import _policy_by_id

    for summary in load_engine().policies():
        for step in _policy_by_id(summary["id"]).steps:
            if step.kind in ("rule", "table"):
                assert step.name in policy.STEP_NAMES, (summary["id"], step.name)


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_services_raise_refusals_by_constant_not_by_text() -> None:
    texts = {refusal.en for refusal in refusals.REFUSALS.values()}
    for path in sorted((ROOT / "talent" / "services").glob("*.py")):
        written = _string_constants(path) & texts
        assert not written, f"{path.name} writes {written} instead of using talent.names.refusals"


def test_a_refusal_is_its_english_text_and_knows_its_chinese() -> None:
    refusal = refusals.OPEN_APPLICATION
    assert refusal == "You already have an open application; follow it or withdraw it first."
    assert refusal.text("zh") == refusal.zh and "正在办理" in refusal.zh
    detailed = refusals.STEP_NOT_APPLICABLE.with_detail("This step does not apply to a case that is 'Granted'.")
    assert detailed.code == "step_not_applicable" and detailed.zh == refusals.STEP_NOT_APPLICABLE.zh
    assert refusals.text("plain", "zh") == "plain"
    module = importlib.import_module("talent.services.applications")
    assert module.refusals is refusals


@pytest.mark.parametrize("language", ["zh", "en"])
def test_pages_show_refusals_in_their_language(app: Any, language: str) -> None:
    from flask import session

    from talent.services import Conflict
    from talent.web.case_labels import readable

    error = Conflict(refusals.SECOND_OFFICER_REQUIRED)
    with app.test_request_context(f"/?lang={language}"):
        session["lang"] = language
        shown = readable(error.message)
    assert shown == refusals.SECOND_OFFICER_REQUIRED.text(language)
