"""Tiers and programmes have one name each (talent.rules.names), worded as the policy words them, and every
place that shows them (services, PDFs, pages) takes it from there."""

from __future__ import annotations

from typing import Any

import pytest

from talent.rules.names import PROGRAMMES, TIERS


def _policy_step(policy_id: str, name: str) -> Any:
    from talent.services.eligibility import _policy_by_id

    return next(step for step in _policy_by_id(policy_id).steps if step.name == name)


@pytest.mark.parametrize(("rule", "programme"), [("CARD", "privilege_card"),
                                                 ("PURCHASE_MEASURE", "purchase_measure_2022q3")])
def test_programme_names_are_the_policy_files_words(rule: str, programme: str) -> None:
    spec = _policy_step("CC-2022", rule).spec
    assert PROGRAMMES[programme]["zh"] in spec["zh"]
    assert PROGRAMMES[programme]["en"].lower() in spec["en"].lower()


def test_services_and_documents_name_tiers_and_programmes_from_the_one_table() -> None:
    from talent.documents.data import PROGRAMME_NAMES, TIER_NAMES
    from talent.services.eligibility import STEP_NAMES, tier_label

    assert TIER_NAMES == {code: (names["zh"], names["en"]) for code, names in TIERS.items()}
    assert PROGRAMME_NAMES == {code: (names["zh"], names["en"]) for code, names in PROGRAMMES.items()}
    assert tier_label("B", "en") == f"Tier B · {TIERS['B']['en']}"
    assert STEP_NAMES["PURCHASE_MEASURE"] == PROGRAMMES["purchase_measure_2022q3"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_pages_name_tiers_and_programmes_from_the_one_table(app: Any, language: str) -> None:
    from flask import session

    from talent.web.case_labels import programme_name, tier_name

    with app.test_request_context(f"/?lang={language}"):
        session["lang"] = language
        assert [programme_name(code) for code in PROGRAMMES] == [names[language] for names in PROGRAMMES.values()]
        assert TIERS["C"][language] in tier_name("C")
