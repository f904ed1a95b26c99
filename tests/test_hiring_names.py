"""The hiring names (talent.names.hiring) follow the rules of every name table (tests/test_names_tables.py): a
Chinese and an English name for each code, no two codes of a list sharing a name, and the codes are the models'."""

from __future__ import annotations

import pytest

from talent.models import hiring as models
from talent.names import hiring, refusals
from tests.test_names_tables import CJK

TABLES = {
    "STATUSES": hiring.STATUSES, "DECLINE_REASONS": hiring.DECLINE_REASONS, "RESPONDENTS": hiring.RESPONDENTS,
    "RETENTION": hiring.RETENTION, "FEEDBACK_KINDS": hiring.FEEDBACK_KINDS, "AUDIT_ACTIONS": hiring.AUDIT_ACTIONS,
}


@pytest.mark.parametrize("name", TABLES)
def test_each_code_has_distinct_chinese_and_english_names(name):
    for language in ("zh", "en"):
        seen = set()
        for code, names in TABLES[name].items():
            assert names[language].strip(), (name, code)
            assert names[language] not in seen, (name, code, names[language])
            seen.add(names[language])
            if language == "zh":
                assert CJK.search(names["zh"]), (name, code)
            else:
                assert not CJK.search(names["en"]) and "、" not in names["en"], (name, code)


def test_the_codes_are_those_of_the_models():
    assert tuple(hiring.STATUSES) == models.JOB_APPLICATION_STATUSES
    assert tuple(hiring.FEEDBACK_KINDS) == models.FEEDBACK_KINDS
    assert set(hiring.RETENTION) == {models.RETENTION_PENDING, models.RETENTION_ASKED, models.RETAINED, models.LEFT}


def test_hiring_refusals_are_registered_with_both_languages():
    for refusal in (hiring.ALREADY_APPLIED, hiring.POST_FILLED, hiring.BAD_TRANSITION, hiring.NEEDS_PROFILE):
        assert refusals.REFUSALS[refusal.code] is refusal
        assert CJK.search(refusal.zh) and not CJK.search(refusal.en)


def test_every_audit_action_the_services_write_has_a_name():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "talent" / "services"
    written = set()
    for name in ("hiring.py", "retention.py"):
        text = (root / name).read_text(encoding="utf-8")
        written |= set(re.findall(r'"((?:job_application|placement)\.[a-z_]+)"', text))
    written.discard("job_application.status")  # a notification's text key (services.notifications), not an action
    assert len(written) >= 10 and written <= set(hiring.AUDIT_ACTIONS), written - set(hiring.AUDIT_ACTIONS)
