"""Allocation of a youth-apartment round, exactly as docs/policy.md §9 says.

1. Applications that are not eligible on their application date, or whose person already had
   ``max_months`` of leases, are left out (``Allocation.excluded``, with the reason).
2. The rest are drawn in order of priority group (1 tier A/B/C holders, 2 doctor, 3 master, 4 bachelor) and,
   within a group, of the lottery number: SHA-256 of ``seed + ":" + application id`` (UTF-8), read as a
   big-endian integer, smallest first. (Equal numbers cannot happen in practice; the application id breaks
   the tie so that the order is total.)
3. In that order each applicant gets the lowest free unit (by building, then number, compared naturally:
   runs of digits as numbers, so building 9 comes before building 10) of the chosen type in the first listed
   community that still has one; otherwise the applicant joins the waiting list, which keeps the draw order.

A declined or expired offer goes to ``next_for_declined_unit``: the first applicant still waiting who chose
that type and named that community among their (up to three) preferences.

Everything a citizen needs to re-run a round is in ``RoundInputs.to_json()``, the seed and the commitment
(SHA-256 of the seed's 64 hex characters as ASCII); ``verify_round`` compares a published result with a
re-run. Ids are text in the inputs (the platform's integer ids are written in decimal).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

UNIT_TYPES: tuple[str, ...] = ("studio", "one_bed", "two_bed")
GROUP_NAMES: dict[int, str] = {1: "holder", 2: "doctor", 3: "master", 4: "bachelor"}
MAX_PREFERENCES = 3
_SEED_PATTERN = re.compile(r"[0-9a-f]{64}")
_NATURAL_PART = re.compile(r"[0-9]+|[^0-9]+")
_GROUP_OF_EDUCATION = {"doctor": 2, "master": 3, "bachelor": 4}


def priority_group(tier: str | None, education: str | None) -> int | None:
    """Group 1 for a tier A/B/C holder, then 2 doctor, 3 master, 4 bachelor; None when none applies."""
    if tier in ("A", "B", "C"):
        return 1
    return _GROUP_OF_EDUCATION.get(education or "")


def _natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part)
        for part in _NATURAL_PART.findall(text)
    )


@dataclass(frozen=True, slots=True)
class UnitInput:
    id: str
    community: str
    building: str
    number: str
    unit_type: str


def unit_sort_key(unit: UnitInput) -> tuple[Any, ...]:
    """Building, then number, compared naturally ("9" < "10"); the unit id breaks the rare tie."""
    return (_natural_key(unit.building), _natural_key(unit.number), unit.id)


@dataclass(frozen=True, slots=True)
class ApplicationInput:
    id: str
    group: int
    communities: tuple[str, ...]
    unit_type: str
    eligible: bool = True
    months_leased: int = 0


@dataclass(frozen=True, slots=True)
class Offer:
    application_id: str
    unit_id: str


@dataclass(frozen=True, slots=True)
class Exclusion:
    application_id: str
    reason: str  # "not_eligible" | "lease_limit"


@dataclass(frozen=True)
class Allocation:
    offers: tuple[Offer, ...]
    waiting: tuple[str, ...]
    excluded: tuple[Exclusion, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "offers": [[offer.application_id, offer.unit_id] for offer in self.offers],
            "waiting": list(self.waiting),
            "excluded": [[item.application_id, item.reason] for item in self.excluded],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Allocation:
        try:
            return cls(
                offers=tuple(Offer(str(a), str(u)) for a, u in data["offers"]),
                waiting=tuple(str(a) for a in data["waiting"]),
                excluded=tuple(Exclusion(str(a), str(r)) for a, r in data["excluded"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an allocation result: {error}") from error


@dataclass(frozen=True)
class RoundInputs:
    units: tuple[UnitInput, ...]
    applications: tuple[ApplicationInput, ...]
    max_months: int = 36

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ValueError("; ".join(problems[:10]))

    def to_json(self) -> dict[str, Any]:
        """The published form: units and applications sorted by id, so equal inputs give equal digests."""
        return {
            "max_months": self.max_months,
            "units": [
                {"id": u.id, "community": u.community, "building": u.building, "number": u.number,
                 "type": u.unit_type}
                for u in sorted(self.units, key=lambda u: u.id)
            ],
            "applications": [
                {"id": a.id, "group": a.group, "communities": list(a.communities), "type": a.unit_type,
                 "eligible": a.eligible, "months_leased": a.months_leased}
                for a in sorted(self.applications, key=lambda a: a.id)
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RoundInputs:
        # Written as plain loops with exact type checks: a round has tens of thousands of lines, and this is
        # the first step of every verification.
        try:
            units = tuple(
                UnitInput(str(u["id"]), str(u["community"]), str(u["building"]), str(u["number"]), str(u["type"]))
                for u in data["units"]
            )
            applications = []
            append = applications.append
            for a in data["applications"]:
                group, months, eligible = a["group"], a["months_leased"], a["eligible"]
                if type(group) is not int or type(months) is not int:
                    raise TypeError(f"application {a['id']}: group and months_leased must be integers")
                if type(eligible) is not bool:
                    raise TypeError(f"application {a['id']}: eligible must be true or false")
                append(ApplicationInput(str(a["id"]), group, tuple(map(str, a["communities"])), str(a["type"]),
                                        eligible, months))
            max_months = _strict_int(data["max_months"])
        except (KeyError, TypeError) as error:
            raise ValueError(f"not round inputs: {error!r}") from error
        return cls(units=units, applications=tuple(applications), max_months=max_months)


def _strict_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{value!r} is not an integer")
    return value


def _strict_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{value!r} is not true or false")
    return value


def _problems(inputs: RoundInputs) -> list[str]:
    problems: list[str] = []
    if inputs.max_months < 0:
        problems.append("max_months must be ≥ 0")
    seen_units: set[str] = set()
    for unit in inputs.units:
        if unit.id in seen_units:
            problems.append(f"unit {unit.id}: listed twice")
        seen_units.add(unit.id)
        if unit.unit_type not in UNIT_TYPES:
            problems.append(f"unit {unit.id}: unknown type {unit.unit_type!r}")
    seen_applications: set[str] = set()
    for application in inputs.applications:
        where = f"application {application.id}"
        if application.id in seen_applications:
            problems.append(f"{where}: listed twice")
        seen_applications.add(application.id)
        if application.group not in GROUP_NAMES:
            problems.append(f"{where}: group must be 1–4")
        if application.unit_type not in UNIT_TYPES:
            problems.append(f"{where}: unknown type {application.unit_type!r}")
        if not 1 <= len(application.communities) <= MAX_PREFERENCES:
            problems.append(f"{where}: names 1 to {MAX_PREFERENCES} communities")
        if len(set(application.communities)) != len(application.communities):
            problems.append(f"{where}: names a community twice")
        if application.months_leased < 0:
            problems.append(f"{where}: months_leased must be ≥ 0")
    return problems


def new_seed() -> str:
    """A secret seed: 32 random bytes as 64 lowercase hex characters."""
    return secrets.token_hex(32)


def _check_seed(seed: str) -> None:
    if not isinstance(seed, str) or not _SEED_PATTERN.fullmatch(seed):
        raise ValueError("the seed must be 64 lowercase hex characters")


def commitment_of(seed: str) -> str:
    """The published commitment: SHA-256 of the seed's hex text (ASCII), as hex."""
    _check_seed(seed)
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def lottery_number(seed: str, application_id: str) -> int:
    """SHA-256 of ``seed + ":" + application id`` read as a big-endian integer."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{application_id}".encode()).digest(), "big")


def canonical_json(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def canonical_json_digest(data: Any) -> str:
    """SHA-256 (hex) of the canonical JSON of `data` (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(canonical_json(data)).hexdigest()


def inputs_digest(inputs: RoundInputs) -> str:
    """The digest of the published inputs: `canonical_json_digest(inputs.to_json())`."""
    return canonical_json_digest(inputs.to_json())


def draw_order(seed: str, applications: Iterable[ApplicationInput]) -> list[ApplicationInput]:
    """Applications by priority group, then lottery number (equal-length digests compare as integers do)."""
    sha256 = hashlib.sha256
    prefix = f"{seed}:"
    keyed = [
        (application.group, sha256((prefix + application.id).encode()).digest(), application.id, application)
        for application in applications
    ]
    keyed.sort(key=lambda item: item[:3])
    return [item[3] for item in keyed]


def allocate(inputs: RoundInputs, seed: str) -> Allocation:
    """Offers (in draw order), the waiting list (in draw order) and the applications left out."""
    _check_seed(seed)
    excluded: list[Exclusion] = []
    drawn: list[ApplicationInput] = []
    for application in sorted(inputs.applications, key=lambda a: a.id):
        if not application.eligible:
            excluded.append(Exclusion(application.id, "not_eligible"))
        elif application.months_leased >= inputs.max_months:
            excluded.append(Exclusion(application.id, "lease_limit"))
        else:
            drawn.append(application)

    # Each (community, type) keeps its units lowest-last, so taking the lowest is a pop from the end.
    free: dict[tuple[str, str], list[UnitInput]] = {}
    for unit in sorted(inputs.units, key=unit_sort_key, reverse=True):
        free.setdefault((unit.community, unit.unit_type), []).append(unit)

    offers: list[Offer] = []
    waiting: list[str] = []
    for application in draw_order(seed, drawn):
        for community in application.communities:
            stack = free.get((community, application.unit_type))
            if stack:
                offers.append(Offer(application.id, stack.pop().id))
                break
        else:
            waiting.append(application.id)
    return Allocation(tuple(offers), tuple(waiting), tuple(excluded))


def next_for_declined_unit(
    unit: UnitInput, waiting: Sequence[ApplicationInput], skip: frozenset[str] | set[str] = frozenset()
) -> ApplicationInput | None:
    """The first applicant on the waiting list (in its order) who chose the unit's type and community.

    ``skip`` holds applications no longer waiting (housed since, withdrawn, no longer eligible).
    """
    for application in waiting:
        if application.id in skip:
            continue
        if application.unit_type == unit.unit_type and unit.community in application.communities:
            return application
    return None


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    allocation: Allocation | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_round(
    inputs: RoundInputs,
    seed: str,
    commitment: str,
    published: Allocation,
    published_inputs_digest: str | None = None,
) -> Verification:
    """Re-run a round from its published parts; every difference is a problem in the answer."""
    result = Verification()
    try:
        if commitment_of(seed) != commitment:
            result.problems.append("the seed does not match the published commitment")
    except ValueError as error:
        result.problems.append(str(error))
        return result
    if published_inputs_digest is not None and inputs_digest(inputs) != published_inputs_digest:
        result.problems.append("the inputs do not match the published inputs' digest")
    rerun = allocate(inputs, seed)
    result.allocation = rerun
    if rerun.offers != published.offers:
        differing = sum(1 for a, b in zip(rerun.offers, published.offers, strict=False) if a != b)
        differing += abs(len(rerun.offers) - len(published.offers))
        result.problems.append(f"{differing} offers differ from the re-run")
    if rerun.waiting != published.waiting:
        result.problems.append("the waiting list differs from the re-run")
    if rerun.excluded != published.excluded:
        result.problems.append("the applications left out differ from the re-run")
    return result
