"""The anonymous eligibility check: facts in, decision out, nothing stored.

The API, the checker pages and applications all decide through `assess_facts`, so that every caller gets the
same refusals for bad input and the same decision. The decision in plain words is
talent.services.eligibility_explain (and the three-state result talent.services.eligibility_states); names
are in talent.names. The names below are re-exported so that older imports keep working.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from talent import codes
from talent.rules import EvaluationError, InputError, load_engine
from talent.services import InvalidInput

log = logging.getLogger("talent.eligibility")

class EligibilityInputError(InvalidInput):
    """Refused facts: `errors` in English (the API's language), `errors_zh` the same problems in Chinese."""

    def __init__(self, errors: dict[str, list[str]], errors_zh: dict[str, list[str]]) -> None:
        super().__init__("The facts are not valid: see errors for each field.", errors)
        self.errors_zh = errors_zh


def _field_path(path: str) -> str:
    # The engine names a whole-body problem with the empty path; the API envelope names it `_schema`,
    # like every other area's body-level errors (talent.errors.flatten_errors).
    return path or "_schema"


def assess_facts(facts: Any, *, reasons: bool = True) -> dict[str, Any]:
    """Decide `facts` (docs/policy.md §7) under the policy version in force on their application date.

    Raises EligibilityInputError (422) for every input error the engine reports. Nothing is stored, and the
    decision never repeats the ID number (the engine only reads the birth date from it).
    """
    try:
        return load_engine().decide(facts, reasons=reasons)
    except InputError as error:
        raise EligibilityInputError(
            {_field_path(k): list(v) for k, v in error.errors.items()},
            {_field_path(k): list(v) for k, v in error.errors_zh.items()},
        ) from None
    except EvaluationError as error:
        # A policy that cannot decide valid-looking facts is our defect, but the caller still gets a
        # refusal naming no field rather than a 500; the log keeps the cause (never the facts themselves).
        log.error("policy could not decide the facts: %s", error)
        raise EligibilityInputError(
            {"_schema": ["The policy could not decide these facts."]}, {"_schema": ["政策无法对这些信息作出测算。"]}
        ) from None


def list_policies() -> list[dict[str, Any]]:
    """The policy versions with their effective dates, oldest first."""
    return load_engine().policies()


def facts_for_session(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts to keep in the (signed, not encrypted) session cookie: the ID number replaced by the birth date
    it gives, because the decision only needs the birth date and the cookie must not carry the ID number."""
    kept = copy.deepcopy(facts)
    id_number = kept.pop("id_number", None)
    if id_number and not kept.get("birth_date"):
        kept["birth_date"] = codes.parse_id_number(id_number)[0].isoformat()
    return kept




# Old import paths (pages, PDFs and other branches import these from here).
from talent.names.policy import FACT_LABELS, STEP_NAMES, fact_label, tier_label  # noqa: E402
from talent.services.eligibility_explain import (  # noqa: E402
    ProgrammeSummary,
    ReasonRow,
    Sensitivity,
    _policy_by_id,
    explain_reasons,
    honour_names,
    parameter_label,
    parameter_text,
    service_names,
    step_label,
    summarise_programmes,
    value_label,
    value_text,
    what_would_change,
)

__all__ = [
    "FACT_LABELS", "STEP_NAMES", "EligibilityInputError", "ProgrammeSummary", "ReasonRow", "Sensitivity",
    "_policy_by_id", "assess_facts", "explain_reasons", "fact_label", "facts_for_session", "honour_names",
    "list_policies", "parameter_label", "parameter_text", "service_names", "step_label", "summarise_programmes",
    "tier_label", "value_label", "value_text", "what_would_change",
]
