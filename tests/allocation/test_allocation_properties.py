"""Properties of the apartment allocation (docs/policy.md §9) over many random rounds (Hypothesis).

The rounds are small (a few communities, buildings and types) so that they are crowded: most draws leave
people waiting and communities run out, which is where ordering mistakes show. Every round is also re-run
by the independent reference reading (bench/reference_allocation.py) and must give the same result.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talent.allocation import (
    UNIT_TYPES,
    Allocation,
    ApplicationInput,
    RoundInputs,
    UnitInput,
    allocate,
    commitment_of,
    inputs_digest,
    lottery_number,
    next_for_declined_unit,
    priority_group,
    unit_sort_key,
    verify_round,
)

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("reference_allocation", ROOT / "bench" / "reference_allocation.py")
assert _spec and _spec.loader
reference = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference)

COMMUNITIES = ("c1", "c2", "c3", "c4")
TYPES = st.sampled_from(UNIT_TYPES)
SEEDS = st.binary(min_size=32, max_size=32).map(bytes.hex)
ROUNDS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


@st.composite
def round_inputs(draw: st.DrawFn) -> RoundInputs:
    unit_count = draw(st.integers(0, 40))
    units = tuple(
        UnitInput(
            id=f"u{index}",
            community=draw(st.sampled_from(COMMUNITIES)),
            building=str(draw(st.integers(1, 12))),
            number=str(draw(st.integers(101, 120))),
            unit_type=draw(TYPES),
        )
        for index in range(unit_count)
    )
    application_count = draw(st.integers(0, 60))
    applications = tuple(
        ApplicationInput(
            id=str(index + 1),
            group=draw(st.integers(1, 4)),
            communities=tuple(draw(st.permutations(COMMUNITIES))[: draw(st.integers(1, 3))]),
            unit_type=draw(TYPES),
            eligible=draw(st.integers(0, 9)) > 0,
            months_leased=draw(st.sampled_from([0, 0, 0, 12, 35, 36, 40])),
        )
        for index in range(application_count)
    )
    return RoundInputs(units=units, applications=applications, max_months=36)


def _draw_position(inputs: RoundInputs, seed: str) -> dict[str, tuple[int, int]]:
    # Computed here from the policy's words, not with the module's own ordering helper.
    return {a.id: (a.group, lottery_number(seed, a.id)) for a in inputs.applications}


@ROUNDS
@given(round_inputs(), SEEDS)
def test_offers_are_possible_and_never_doubled(inputs: RoundInputs, seed: str) -> None:
    result = allocate(inputs, seed)
    units = {u.id: u for u in inputs.units}
    applications = {a.id: a for a in inputs.applications}
    assert len(result.offers) <= len(inputs.units)
    offered_units = [offer.unit_id for offer in result.offers]
    assert len(offered_units) == len(set(offered_units)), "a unit offered twice"
    offered_people = [offer.application_id for offer in result.offers]
    assert len(offered_people) == len(set(offered_people)), "two offers to one application"
    for offer in result.offers:
        unit, application = units[offer.unit_id], applications[offer.application_id]
        assert application.eligible, "an ineligible applicant housed"
        assert application.months_leased < inputs.max_months, "an applicant over the lease limit housed"
        assert unit.unit_type == application.unit_type
        assert unit.community in application.communities
    # Everyone is accounted for exactly once.
    excluded = {item.application_id for item in result.excluded}
    assert sorted(offered_people + list(result.waiting) + list(excluded)) == sorted(applications)
    assert excluded == {
        a.id for a in inputs.applications if not a.eligible or a.months_leased >= inputs.max_months
    }


@ROUNDS
@given(round_inputs(), SEEDS)
def test_draw_order_priority_and_preferences(inputs: RoundInputs, seed: str) -> None:
    result = allocate(inputs, seed)
    units = {u.id: u for u in inputs.units}
    applications = {a.id: a for a in inputs.applications}
    position = _draw_position(inputs, seed)

    # Offers and the waiting list are each in draw order: group first, then the lottery number.
    offer_keys = [position[offer.application_id] for offer in result.offers]
    assert offer_keys == sorted(offer_keys)
    waiting_keys = [position[a] for a in result.waiting]
    assert waiting_keys == sorted(waiting_keys)

    unit_of = {offer.application_id: units[offer.unit_id] for offer in result.offers}
    for offer in result.offers:
        unit = units[offer.unit_id]
        later = position[offer.application_id]
        for other_id, other_unit in unit_of.items():
            other = applications[other_id]
            if position[other_id] >= later or other.unit_type != unit.unit_type:
                continue
            if unit.community not in other.communities:
                continue
            # Someone drawn earlier who also wanted this unit's community got something at least as good:
            # a more preferred community, or the same community and a lower unit.
            mine = other.communities.index(unit.community)
            theirs = other.communities.index(other_unit.community)
            assert theirs < mine or (theirs == mine and unit_sort_key(other_unit) < unit_sort_key(unit))
        for waiting_id in result.waiting:
            waiting = applications[waiting_id]
            if position[waiting_id] < later:
                # Priority respected: nobody drawn earlier (in particular nobody in a higher group) waits
                # while a unit they asked for goes to someone later.
                assert not (waiting.unit_type == unit.unit_type and unit.community in waiting.communities)

    # Waiting really means nothing asked for was left.
    free_left = {(u.community, u.unit_type) for u in inputs.units if u.id not in {o.unit_id for o in result.offers}}
    for waiting_id in result.waiting:
        waiting = applications[waiting_id]
        assert all((c, waiting.unit_type) not in free_left for c in waiting.communities)


@ROUNDS
@given(round_inputs(), SEEDS, st.randoms(use_true_random=False))
def test_same_seed_and_inputs_same_allocation(inputs: RoundInputs, seed: str, rnd: random.Random) -> None:
    first = allocate(inputs, seed)
    units, applications = list(inputs.units), list(inputs.applications)
    rnd.shuffle(units)
    rnd.shuffle(applications)
    shuffled = RoundInputs(units=tuple(units), applications=tuple(applications), max_months=inputs.max_months)
    assert allocate(shuffled, seed) == first
    assert inputs_digest(shuffled) == inputs_digest(inputs)
    again = RoundInputs.from_json(inputs.to_json())
    assert Allocation.from_json(allocate(again, seed).to_json()) == first


@ROUNDS
@given(round_inputs(), SEEDS)
def test_matches_the_reference_reading(inputs: RoundInputs, seed: str) -> None:
    assert allocate(inputs, seed).to_json() == reference.allocate(inputs.to_json(), seed)


@ROUNDS
@given(round_inputs(), SEEDS, st.data())
def test_declined_offer_goes_to_the_right_next_person(inputs: RoundInputs, seed: str, data: st.DataObject) -> None:
    result = allocate(inputs, seed)
    if not result.offers:
        return
    units = {u.id: u for u in inputs.units}
    applications = {a.id: a for a in inputs.applications}
    declined = data.draw(st.sampled_from(result.offers))
    unit = units[declined.unit_id]
    waiting = [applications[a] for a in result.waiting]
    already_moved = set(data.draw(st.lists(st.sampled_from(result.waiting), max_size=3))) if waiting else set()
    chosen = next_for_declined_unit(unit, waiting, skip=already_moved)
    wanting = [
        a for a in waiting
        if a.id not in already_moved and a.unit_type == unit.unit_type and unit.community in a.communities
    ]
    if not wanting:
        assert chosen is None
        return
    assert chosen is not None and chosen.id == wanting[0].id
    # ... who is the earliest in draw order among those who want it.
    position = _draw_position(inputs, seed)
    assert position[chosen.id] == min(position[a.id] for a in wanting)
    assert chosen.id != declined.application_id


@ROUNDS
@given(round_inputs(), SEEDS, SEEDS)
def test_verification_catches_a_wrong_seed_result_or_inputs(inputs: RoundInputs, seed: str, other: str) -> None:
    published = allocate(inputs, seed)
    digest = inputs_digest(inputs)
    assert verify_round(inputs, seed, commitment_of(seed), published, digest).ok
    if other != seed:
        assert not verify_round(inputs, other, commitment_of(seed), published, digest).ok
    if len(published.offers) >= 2:
        first, second = published.offers[0], published.offers[1]
        swapped = Allocation(
            (type(first)(first.application_id, second.unit_id), type(second)(second.application_id, first.unit_id))
            + published.offers[2:],
            published.waiting,
            published.excluded,
        )
        check = verify_round(inputs, seed, commitment_of(seed), swapped, digest)
        assert not check.ok and "2 offers differ" in check.problems[0]
    if inputs.applications:
        changed = inputs.applications[0]
        tampered = RoundInputs(
            units=inputs.units,
            applications=(ApplicationInput(changed.id, changed.group, changed.communities, changed.unit_type,
                                           not changed.eligible, changed.months_leased),)
            + inputs.applications[1:],
        )
        assert "digest" in " ".join(verify_round(tampered, seed, commitment_of(seed), published, digest).problems)


def test_lottery_number_is_the_sha256_of_seed_colon_id() -> None:
    seed = "00" * 32
    expected = int(hashlib.sha256(("00" * 32 + ":42").encode()).hexdigest(), 16)
    assert lottery_number(seed, "42") == expected
    assert commitment_of(seed) == hashlib.sha256(seed.encode()).hexdigest()


def test_worked_example() -> None:
    """A hand-checked round: groups beat lottery numbers; preferences fall through; the rest wait."""
    seed = "ab" * 32
    units = (
        UnitInput("u1", "east", "10", "101", "studio"),
        UnitInput("u2", "east", "9", "102", "studio"),
        UnitInput("u3", "west", "1", "101", "studio"),
    )
    applications = (
        ApplicationInput("1", 4, ("east",), "studio"),
        ApplicationInput("2", 4, ("east", "west"), "studio"),
        ApplicationInput("3", 2, ("east",), "studio"),
        ApplicationInput("4", 1, ("west", "east"), "studio"),
        ApplicationInput("5", 1, ("east",), "studio", eligible=False),
        ApplicationInput("6", 1, ("east",), "studio", months_leased=36),
    )
    result = allocate(RoundInputs(units, applications), seed)
    bachelors = sorted(["1", "2"], key=lambda a: lottery_number(seed, a))
    # 4 (group 1) takes west; 3 (group 2) takes east building 9 (natural order before 10); of the two
    # bachelors the smaller lottery number takes east building 10, the other has nothing left.
    assert result.offers[0].application_id == "4" and result.offers[0].unit_id == "u3"
    assert (result.offers[1].application_id, result.offers[1].unit_id) == ("3", "u2")
    assert (result.offers[2].application_id, result.offers[2].unit_id) == (bachelors[0], "u1")
    assert result.waiting == (bachelors[1],)
    assert [(e.application_id, e.reason) for e in result.excluded] == [("5", "not_eligible"), ("6", "lease_limit")]


@pytest.mark.parametrize(
    ("tier", "education", "group"),
    [("A", "bachelor", 1), ("C", None, 1), (None, "doctor", 2), (None, "master", 3), (None, "bachelor", 4),
     (None, "college", None), (None, None, None)],
)
def test_priority_group(tier: str | None, education: str | None, group: int | None) -> None:
    assert priority_group(tier, education) == group


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"units": [{"id": "u", "community": "c", "building": "1", "number": "1", "type": "loft"}]}, "unknown type"),
        ({"applications": [{"id": "1", "group": 5, "communities": ["c"], "type": "studio", "eligible": True,
                            "months_leased": 0}]}, "group"),
        ({"applications": [{"id": "1", "group": 1, "communities": ["a", "b", "c", "d"], "type": "studio",
                            "eligible": True, "months_leased": 0}]}, "1 to 3"),
        ({"applications": [{"id": "1", "group": 1, "communities": ["a"], "type": "studio", "eligible": "yes",
                            "months_leased": 0}]}, "true or false"),
        ({"applications": [{"id": "1", "group": True, "communities": ["a"], "type": "studio", "eligible": True,
                            "months_leased": 0}]}, "integers"),
    ],
)
def test_bad_inputs_are_refused(change: dict, message: str) -> None:
    data = {"max_months": 36, "units": [], "applications": []} | change
    with pytest.raises(ValueError, match=message):
        RoundInputs.from_json(data)
    with pytest.raises(ValueError, match="64 lowercase hex"):
        allocate(RoundInputs((), ()), "not-a-seed")
