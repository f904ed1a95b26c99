"""Policy simulation: decide one population under the policy in force and under a reform, and compare.

The population's facts are validated and normalised once (the reform changes parameters, never which facts
are valid nor which policy version covers a date); each run then evaluates the policy versions column-wise
with NumPy (talent.rules.batch.evaluate_arrays) and keeps only what the comparison needs per person: the
tier, which programmes are granted, and the money. Money follows the payment schedule the platform creates
for a decision (services/cards.create_instalments): housing-subsidy parts on their due dates (start + k
years), the living allowance month by month from the application date, the 2022-Q3 purchase grant on the
application date.

A person "gains" when their entitlement (all money of the decision, whatever the horizon) is larger under the
reform, and "loses" when it is smaller; tier and programme changes are counted separately, since a card is
not money.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from talent.rules import expr
from talent.rules.batch import _group_arrays, _programmes, _values, evaluate_arrays
from talent.rules.columns import NormalisedFacts, _policy_groups, normalise_many
from talent.rules.dates import EPOCH_ORDINAL
from talent.rules.engine import Engine, load_engine
from talent.rules.facts import FACT_INDEX, InputError
from talent.rules.names import PROGRAMMES
from talent.rules.tables import TableError
from talent.simulation.reform import Reform, reformed_engine

TIER_CODES = ("none", "A", "B", "C")
_TIER_INDEX = {"A": 1, "B": 2, "C": 3}
PROGRAMME_CODES = tuple(PROGRAMMES)
MONEY_PROGRAMMES = ("housing_subsidy", "living_allowance", "purchase_measure_2022q3")
# Edges of the gain/loss distribution in yuan (a person's entitlement under the reform minus in force).
DISTRIBUTION_EDGES = (-1_000_000, -100_000, -10_000, 0, 10_000, 100_000, 1_000_000)
CHUNK_SIZE = 100_000  # people normalised and decided together (bounded memory; the unit of a forked worker)


@dataclass
class Outcomes:
    """What one run decided, one entry per person of the population (refused people: tier -1)."""

    tier: np.ndarray  # int8: -1 refused, 0 no tier, 1 A, 2 B, 3 C
    granted: dict[str, np.ndarray]  # programme -> bool per person
    housing_total: np.ndarray  # int64 yuan
    housing_parts: np.ndarray  # int64 number of yearly parts
    living_monthly: np.ndarray
    living_months: np.ndarray
    purchase_amount: np.ndarray

    @classmethod
    def empty(cls, n: int) -> Outcomes:
        zeros = lambda: np.zeros(n, dtype=np.int64)  # noqa: E731
        return cls(np.full(n, -1, dtype=np.int8), {p: np.zeros(n, dtype=bool) for p in PROGRAMME_CODES},
                   zeros(), zeros(), zeros(), zeros(), zeros())

    def entitlement(self) -> np.ndarray:
        return self.housing_total + self.living_monthly * self.living_months + self.purchase_amount


def _whole(values: list[Any], granted: np.ndarray) -> np.ndarray:
    """Whole yuan (or counts) of the granted people; 0 elsewhere (values there may be unknown)."""
    try:
        array = np.asarray(values)
        if array.dtype.kind in "iu":
            return np.where(granted, array.astype(np.int64), 0)
    except (TypeError, ValueError):
        pass
    out = np.zeros(len(values), dtype=np.int64)
    for k in np.flatnonzero(granted).tolist():
        out[k] = int(values[k])
    return out


def _fill_from_env(out: Outcomes, policy, env: dict[str, Any], positions: np.ndarray) -> None:
    n = len(positions)
    tier_name = policy.decision.get("tier")
    tiers = _values(env[tier_name], n) if tier_name else [None] * n
    out.tier[positions] = [_TIER_INDEX.get(t, 0) if isinstance(t, str) else 0 for t in tiers]
    for programme in _programmes(policy, env, n):
        out.granted[programme.name][positions] = programme.eligible
        if not programme.in_force:
            continue
        granted = programme.eligible
        if programme.name == "housing_subsidy":
            out.housing_total[positions] = _whole(_values(programme.fields["total"], n), granted)
            out.housing_parts[positions] = _whole(_values(programme.fields["instalment_count"], n), granted)
        elif programme.name == "living_allowance":
            out.living_monthly[positions] = _whole(_values(programme.fields["monthly"], n), granted)
            out.living_months[positions] = _whole(_values(programme.fields["months"], n), granted)
        elif programme.name == "purchase_measure_2022q3":
            out.purchase_amount[positions] = _whole(_values(programme.fields["amount"], n), granted)


def _fill_from_decision(out: Outcomes, position: int, decision: dict[str, Any]) -> None:
    out.tier[position] = _TIER_INDEX.get(decision.get("tier"), 0)
    programmes = decision["programmes"]
    for code in PROGRAMME_CODES:
        out.granted[code][position] = bool(programmes[code]["eligible"])
    housing, living = programmes["housing_subsidy"], programmes["living_allowance"]
    if housing["eligible"]:
        out.housing_total[position] = int(housing["total"])
        out.housing_parts[position] = len(housing["instalments"])
    if living["eligible"]:
        out.living_monthly[position] = int(living["monthly"])
        out.living_months[position] = int(living["months"])
    purchase = programmes["purchase_measure_2022q3"]
    if purchase["eligible"]:
        out.purchase_amount[position] = int(purchase["amount"])


def decide_outcomes(engine: Engine, normalised: NormalisedFacts, groups: list, n: int) -> tuple[Outcomes, int]:
    """Evaluate every group; returns the outcomes and how many people went down the one-case path."""
    out = Outcomes.empty(n)
    one_by_one = 0
    for policy, positions in groups:
        facts = _group_arrays(normalised.arrays, positions)
        params = policy.parameter_values(int(facts[FACT_INDEX["application_date"]][0][0]))
        try:
            env = evaluate_arrays(policy, facts, params, len(positions))
        except (expr.EvaluationError, TableError):
            # as decide_normalised does: the group is decided case by case; a case the policy cannot decide
            # is counted as refused (tier -1), like a refused line of `talent rules eval`
            for position in positions.tolist():
                one_by_one += 1
                decision = engine._guarded(normalised.record(position), policy, False)
                if not isinstance(decision, InputError):
                    _fill_from_decision(out, position, decision)
            continue
        _fill_from_env(out, policy, env, positions)
    return out, one_by_one


def money_by_year(out: Outcomes, applications: np.ndarray, years: list[int]) -> dict[str, np.ndarray]:
    """Money per programme per year of ``years`` (yuan), summed over the population."""
    days = (applications - EPOCH_ORDINAL).astype("datetime64[D]")
    start_year = days.astype("datetime64[Y]").astype(np.int64) + 1970
    start_month = days.astype("datetime64[M]").astype(np.int64) % 12  # 0..11
    result = {code: np.zeros(len(years), dtype=np.int64) for code in MONEY_PROGRAMMES}
    parts = np.maximum(out.housing_parts, 1)
    base, remainder = np.divmod(out.housing_total, parts)
    for j, year in enumerate(years):
        offset = year - start_year  # years since the application's year
        # housing: part k due start + k years; the remainder of the division goes with the first part
        due = (offset >= 0) & (offset < out.housing_parts)
        result["housing_subsidy"][j] = int(np.sum(np.where(due, base + np.where(offset == 0, remainder, 0), 0)))
        # living allowance: month k due start + k months, k < months
        first = np.maximum(0, 12 * offset - start_month)
        last = np.minimum(out.living_months, 12 * (offset + 1) - start_month)
        result["living_allowance"][j] = int(np.sum(np.maximum(last - first, 0) * out.living_monthly))
        result["purchase_measure_2022q3"][j] = int(np.sum(np.where(offset == 0, out.purchase_amount, 0)))
    return result


def summarise(out: Outcomes, applications: np.ndarray, years: list[int]) -> dict[str, Any]:
    decided = out.tier >= 0
    tiers = np.bincount(out.tier[decided].astype(np.int64), minlength=4)
    money = money_by_year(out, applications, years)
    totals = sum(money.values())
    return {
        "tiers": {code: int(tiers[k]) for k, code in enumerate(TIER_CODES)},
        "programmes": {code: int(np.count_nonzero(out.granted[code] & decided)) for code in PROGRAMME_CODES},
        "money": {
            **{code: {str(y): int(v) for y, v in zip(years, money[code], strict=True)} for code in MONEY_PROGRAMMES},
            "total": {str(y): int(v) for y, v in zip(years, totals, strict=True)},
        },
        "entitlement": {
            "housing_subsidy": int(out.housing_total[decided].sum()),
            "living_allowance": int((out.living_monthly * out.living_months)[decided].sum()),
            "purchase_measure_2022q3": int(out.purchase_amount[decided].sum()),
            "total": int(out.entitlement()[decided].sum()),
        },
    }


def _difference(reform: Any, base: Any) -> Any:
    if isinstance(base, dict):
        return {key: _difference(reform[key], base[key]) for key in base}
    return reform - base


def _distribution(delta: np.ndarray) -> list[dict[str, Any]]:
    """People whose entitlement changed, by size of the change (from inclusive, to exclusive; null: open)."""
    edges = [None, *DISTRIBUTION_EDGES, None]
    rows = []
    for low, high in zip(edges, edges[1:], strict=False):
        mask = delta != 0
        if low is not None:
            mask &= delta >= low
        if high is not None:
            mask &= delta < high
        if low == 0:
            mask &= delta > 0
        rows.append({"from": low, "to": high, "people": int(np.count_nonzero(mask))})
    return rows


def _changed_rules(base: dict[str, Any], reform: dict[str, Any]) -> list[dict[str, Any]]:
    """The rules whose outcome or parameter differs between two decisions with reasons, in policy order."""
    before = {reason["rule"]: reason for reason in base.get("reasons", [])}
    changed = []
    for reason in reform.get("reasons", []):
        old = before.get(reason["rule"])
        if old is None:
            continue
        if old["held"] != reason["held"] or old.get("parameter") != reason.get("parameter"):
            changed.append({
                "rule": reason["rule"], "zh": reason["zh"], "en": reason["en"],
                "held": {"in_force": old["held"], "reform": reason["held"]},
                "parameter": {"in_force": old.get("parameter"), "reform": reason.get("parameter")},
            })
    return changed


def _brief(decision: dict[str, Any]) -> dict[str, Any]:
    programmes = decision["programmes"]
    return {
        "tier": decision.get("tier"),
        "granted": [code for code in PROGRAMME_CODES if programmes[code]["eligible"]],
        "entitlement": int(programmes["housing_subsidy"]["total"]) + int(programmes["living_allowance"]["total"])
        + int(programmes["purchase_measure_2022q3"]["amount"]),
    }


def _label(facts: Any, position: int) -> dict[str, Any]:
    from talent.codes import mask_id_number

    label: dict[str, Any] = {"line": position + 1}
    if isinstance(facts, dict):
        if isinstance(facts.get("id_number"), str):
            label["id_number"] = mask_id_number(facts["id_number"])
        for key in ("application_id", "case_number"):
            if key in facts:
                label[key] = facts[key]
    return label


@dataclass
class _Chunk:
    """Both runs over one slice of the population (positions relative to the slice)."""

    base: Outcomes
    reform: Outcomes
    applications: np.ndarray  # int64 ordinals (meaningless where refused)
    accepted: np.ndarray  # bool: the facts were valid and a policy version covers the date
    one_by_one: tuple[int, int]


def _decide_chunk(facts_list: list[Any], base_engine: Engine, other: Engine) -> _Chunk:
    normalised = normalise_many(base_engine, facts_list)
    n = len(facts_list)
    applications = normalised.arrays[FACT_INDEX["application_date"]][0].astype(np.int64)
    accepted = np.ones(n, dtype=bool)
    accepted[list(normalised.errors)] = False
    # the reform changes parameters only, so the same people are valid and covered; its periods may differ
    reform_groups, _ = _policy_groups(other, applications, np.flatnonzero(accepted))
    base, base_one = decide_outcomes(base_engine, normalised, normalised.groups, n)
    changed, reform_one = decide_outcomes(other, normalised, reform_groups, n)
    return _Chunk(base, changed, applications, accepted, (base_one, reform_one))


_FORKED: dict[str, Any] = {}  # what forked workers read (set before the pool starts, inherited by fork)


def _decide_forked(bounds: tuple[int, int]) -> _Chunk:
    start, end = bounds
    return _decide_chunk(_FORKED["facts"][start:end], _FORKED["base"], _FORKED["other"])


def _concatenate(chunks: list[_Chunk]) -> _Chunk:
    def outcomes(parts: list[Outcomes]) -> Outcomes:
        return Outcomes(
            np.concatenate([p.tier for p in parts]),
            {code: np.concatenate([p.granted[code] for p in parts]) for code in PROGRAMME_CODES},
            *(np.concatenate([getattr(p, name) for p in parts]) for name in
              ("housing_total", "housing_parts", "living_monthly", "living_months", "purchase_amount")),
        )

    if len(chunks) == 1:
        return chunks[0]
    return _Chunk(outcomes([c.base for c in chunks]), outcomes([c.reform for c in chunks]),
                  np.concatenate([c.applications for c in chunks]), np.concatenate([c.accepted for c in chunks]),
                  (sum(c.one_by_one[0] for c in chunks), sum(c.one_by_one[1] for c in chunks)))


def decide_both(facts_list: list[Any], base_engine: Engine, other: Engine, *, chunk_size: int = CHUNK_SIZE,
                workers: int = 1, progress: Callable[[int], None] | None = None) -> _Chunk:
    """Both runs over the whole population, in slices of ``chunk_size`` (over ``workers`` forked processes)."""
    bounds = [(start, min(start + chunk_size, len(facts_list))) for start in range(0, len(facts_list), chunk_size)]
    chunks: list[_Chunk] = []
    if workers > 1 and len(bounds) > 1:
        import multiprocessing

        _FORKED.update(facts=facts_list, base=base_engine, other=other)
        try:
            with multiprocessing.get_context("fork").Pool(min(workers, len(bounds))) as pool:
                for chunk in pool.imap(_decide_forked, bounds):
                    chunks.append(chunk)
                    if progress:
                        progress(len(chunk.accepted))
        finally:
            _FORKED.clear()
    else:
        for start, end in bounds:
            chunks.append(_decide_chunk(facts_list[start:end], base_engine, other))
            if progress:
                progress(end - start)
    if not chunks:
        return _decide_chunk([], base_engine, other)
    return _concatenate(chunks)


def simulate(facts_list: list[Any], reform: Reform, *, years: int = 5, from_year: int | None = None,
             examples: int = 10, policy_dir: str | None = None, reform_engine: Engine | None = None,
             workers: int = 1, chunk_size: int = CHUNK_SIZE,
             progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Decide ``facts_list`` under the policy in force and under ``reform``; the comparison as one JSON object.

    ``progress`` is called with the number of people decided after each slice of the population.
    """
    base_engine = load_engine(policy_dir)
    other = reform_engine if reform_engine is not None else reformed_engine(reform, policy_dir)
    both = decide_both(facts_list, base_engine, other, chunk_size=chunk_size, workers=workers, progress=progress)
    return compare(facts_list, reform, both, base_engine, other, years=years, from_year=from_year,
                   examples=examples)


def compare(facts_list: list[Any], reform: Reform, both: _Chunk, base_engine: Engine, other: Engine, *,
            years: int, from_year: int | None, examples: int) -> dict[str, Any]:
    base, changed, applications = both.base, both.reform, both.applications
    n = len(facts_list)
    decided = (base.tier >= 0) & (changed.tier >= 0)
    if from_year is None:
        from_year = int((applications[decided] - EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[Y]")
                        .astype(np.int64).min() + 1970) if decided.any() else dt.date.today().year
    year_list = list(range(from_year, from_year + years))
    in_force = summarise(base, applications, year_list)
    reformed = summarise(changed, applications, year_list)
    delta = np.where(decided, changed.entitlement() - base.entitlement(), 0)
    gain, lose = delta > 0, delta < 0
    tier_moves = Counter(zip(base.tier[decided].tolist(), changed.tier[decided].tolist(), strict=True))
    outcome_changed = decided & ((base.tier != changed.tier) | (delta != 0) | np.logical_or.reduce(
        [base.granted[code] != changed.granted[code] for code in PROGRAMME_CODES]))
    result: dict[str, Any] = {
        "reform": {"id": reform.id, "title": reform.title},
        "population": {"people": n, "decided": int(np.count_nonzero(decided)),
                       "refused": n - int(np.count_nonzero(decided))},
        "years": year_list,
        "in_force": in_force,
        "reform_result": reformed,
        "difference": _difference(reformed, in_force),
        "people": {
            "changed": int(np.count_nonzero(outcome_changed)),
            "gain": {"people": int(np.count_nonzero(gain)), "yuan": int(delta[gain].sum())},
            "lose": {"people": int(np.count_nonzero(lose)), "yuan": int(delta[lose].sum())},
            "distribution": _distribution(delta),
            "tier_changes": [
                {"from": TIER_CODES[a], "to": TIER_CODES[b], "people": count}
                for (a, b), count in sorted(tier_moves.items()) if a != b
            ],
            "programme_changes": {
                code: {"gain": int(np.count_nonzero(decided & changed.granted[code] & ~base.granted[code])),
                       "lose": int(np.count_nonzero(decided & base.granted[code] & ~changed.granted[code]))}
                for code in PROGRAMME_CODES
            },
        },
        "one_case_path": {"in_force": both.one_by_one[0], "reform": both.one_by_one[1]},
        "examples": [],
    }
    if examples > 0:
        # the people whose result changes most; ties in population order
        candidates = np.flatnonzero(outcome_changed)
        order = candidates[np.lexsort((candidates, -np.abs(delta[candidates])))][:examples]
        for position in order.tolist():
            facts = facts_list[position]
            before = base_engine.decide(facts, reasons=True)
            after = other.decide(facts, reasons=True)
            result["examples"].append({
                **_label(facts, position),
                "in_force": _brief(before),
                "reform": _brief(after),
                "difference": int(delta[position]),
                "rules": _changed_rules(before, after),
            })
    return result
