"""The youth-talent apartment lottery (docs/policy.md §9) as a pure library: no Flask, no SQLAlchemy.

A round's published inputs (units and applications), its seed and its commitment are enough to re-run
the allocation anywhere: ``allocate(round_inputs, seed)`` gives the offers and the waiting list, and
``verify_round`` checks a published result against them. See ``talent.allocation.lottery`` for the rules.
"""

from talent.allocation.lottery import (
    GROUP_NAMES,
    UNIT_TYPES,
    Allocation,
    ApplicationInput,
    Exclusion,
    Offer,
    RoundInputs,
    UnitInput,
    Verification,
    allocate,
    canonical_json,
    canonical_json_digest,
    commitment_of,
    inputs_digest,
    lottery_number,
    new_seed,
    next_for_declined_unit,
    priority_group,
    unit_sort_key,
    verify_round,
)

__all__ = [
    "GROUP_NAMES",
    "UNIT_TYPES",
    "Allocation",
    "ApplicationInput",
    "Exclusion",
    "Offer",
    "RoundInputs",
    "UnitInput",
    "Verification",
    "allocate",
    "canonical_json",
    "canonical_json_digest",
    "commitment_of",
    "inputs_digest",
    "lottery_number",
    "new_seed",
    "next_for_declined_unit",
    "priority_group",
    "unit_sort_key",
    "verify_round",
]
