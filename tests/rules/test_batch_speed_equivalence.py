"""The fast batch path against the one-case path it must agree with, exactly.

``decide_many`` and ``talent rules eval`` validate fact sets column by column (talent/rules/columns.py),
evaluate them with NumPy and write the JSON from columns (talent/rules/batch.py). Every record, every
error, every decision and every output byte must be what ``Engine.normalise`` / ``Engine.decide`` and
``orjson.dumps`` give one case at a time. The cases: generated facts (bench/factgen.py) with each one
mutated in a few places towards the values the column checks treat specially (floats for amounts,
1 for true, dates and ID numbers of every odd form, lists and objects where scalars belong...).
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
import random
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import orjson
import pytest

from talent import codes
from talent.rules import InputError, load_engine
from talent.rules import dates as rule_dates
from talent.rules.columns import _id_birth_ordinals, _iso_ordinals, normalise_many
from talent.rules.engine import Engine
from talent.rules.facts import parse_date
from talent.rules.policy import build_policy, read_yaml

ENGINE = load_engine()
ROOT = Path(__file__).resolve().parents[2]

ODD_VALUES = [
    None, True, False, 0, 1, -1, 1.0, 2.5, 3.0, -0.0, 500000.0, 500000.5, 1e15, 1e16, 10**15, 10**15 + 1, 2**63,
    2**70, "", "abc", "1", "true", "2021-02-29", "2020-02-29", "1900-02-29", "2000-02-29", "2021-2-3", "2021-13-01",
    "2021-00-10", "1899-12-31", "2200-01-01", "2199-12-31", "+202-01-01", " 2021-01-01", "2021-01-01 ",
    "２０２１-01-01", "2021-01-+1", "2021/01/01", "20210101", "2021-01-01T00:00", [], ["x"], {}, {"a": 1},
    "220101", "220102", "22010a", "２２０１０２", "doctor", "none", "college", "full_senior", "enterprise",
    "government", "public_institution", "administrative", "civil_servant", 85.37, 132.28, 1000000, 5000000000,
]
PATHS = {
    None: ["application_date", "id_number", "birth_date", "education", "full_time_degree", "graduation_date",
           "professional_title", "honours", "achievements", "employment", "conduct", "housing", "history",
           "a_case_number"],
    "employment": ["employer_district", "employer_kind", "role_kind", "contract_years", "full_time",
                   "annual_salary", "income_tax_last_year", "enterprise_revenue", "social_insurance_local"],
    "conduct": ["disciplinary_sanction", "credit_blacklisted"],
    "housing": ["owns_home_in_city", "purchase"],
    "history": ["last_classified_on", "last_rejected_on", "revoked_on"],
    "purchase": ["contract_date", "price", "floor_area_m2", "district", "new_commodity_housing", "first_home"],
}
HONOUR_LISTS = [[], ["academician_cas"], ["national_talent_programme", "provincial_st_award_first"], ["bogus"],
                [1], [None], [["academician_cas"]], "academician_cas", {}, None]


def _factgen():
    spec = importlib.util.spec_from_file_location("factgen_for_equivalence", ROOT / "bench" / "factgen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _container(facts: dict, group: str | None) -> dict | None:
    if group is None:
        return facts
    if group == "purchase":
        housing = facts.get("housing")
        purchase = housing.get("purchase") if isinstance(housing, dict) else None
        return purchase if isinstance(purchase, dict) else None
    value = facts.get(group)
    return value if isinstance(value, dict) else None


def _id_variant(rng: random.Random, number: str) -> object:
    variants = [
        number[:17] + "x", " " + number, number + " ", number[:6] + "18991231" + number[14:],
        number[:6] + "22000101" + number[14:], number[:6] + "20230229" + number[14:],
        number[:6] + "19000229" + number[14:], number[:6] + "20000229" + number[14:], number[:5] + "٢" + number[6:],
        number[:17], number[:17] + "Y", number[:17] + str((int(number[17]) + 1) % 10) if number[17].isdigit() else
        number[:17] + "0", number.lower(), 220102198001011234, "",
    ]
    return rng.choice(variants)


def _mutated(rng: random.Random, facts: dict) -> object:
    """The facts with up to three changes towards odd values (or odd containers)."""
    roll = rng.random()
    if roll < 0.02:
        return rng.choice([None, [], "facts", 1, [facts]])
    if roll < 0.04:
        return OrderedDict(facts)  # an object that is not exactly a dict
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        group = rng.choice(list(PATHS))
        container = _container(facts, group)
        if container is None:
            continue
        key = rng.choice(PATHS[group])
        roll = rng.random()
        if roll < 0.15:
            container.pop(key, None)
        elif key == "id_number" and roll < 0.7 and isinstance(facts.get("id_number"), str):
            container[key] = _id_variant(rng, facts["id_number"])
        elif key == "honours" and roll < 0.7:
            container[key] = copy.deepcopy(rng.choice(HONOUR_LISTS))
        elif key.endswith("date") and roll < 0.3:
            container[key] = dt.date(2022, 3, 1)  # a date object, as YAML test cases give
        else:
            container[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    return facts


def _cases(count: int = 2500, seed: int = 5) -> list:
    rng = random.Random(seed)
    base = _factgen().generate(count, seed=seed, invalid_share=0.05)
    return [_mutated(rng, copy.deepcopy(facts)) if rng.random() < 0.6 else facts for facts in base]


CASES = _cases()


def _one_by_one(engine: Engine, facts: object) -> tuple[str, object]:
    try:
        record, policy = engine.normalise(copy.deepcopy(facts))
    except InputError as error:
        return "error", (error.errors, error.errors_zh)
    return "record", ([(type(value), value) for value in record], policy.id)


def test_records_and_errors_are_those_of_the_one_case_path():
    normalised = normalise_many(ENGINE, CASES)
    policy_of = {position: policy.id for policy, positions in normalised.groups for position in positions.tolist()}
    kinds = set()
    for position, facts in enumerate(CASES):
        kind, expected = _one_by_one(ENGINE, facts)
        kinds.add(kind)
        if kind == "error":
            error = normalised.errors.get(position)
            assert error is not None and (error.errors, error.errors_zh) == expected, facts
        else:
            assert position not in normalised.errors, (facts, normalised.errors[position].errors)
            record = normalised.record(position)
            assert ([(type(value), value) for value in record], policy_of[position]) == expected, facts
    assert kinds == {"error", "record"}
    refused = len(normalised.errors)
    assert 0.1 * len(CASES) < refused < 0.9 * len(CASES)  # both paths well exercised


def test_decide_many_gives_the_decisions_of_decide():
    batch = ENGINE.decide_many(CASES)
    for facts, result in zip(CASES, batch, strict=True):
        try:
            expected = ENGINE.decide(copy.deepcopy(facts), reasons=False)
        except InputError as error:
            assert isinstance(result, InputError) and result.errors == error.errors, facts
            continue
        assert result == expected, facts
        assert orjson.dumps(result) == orjson.dumps(expected)  # same types too (int, not float or numpy)


def test_json_decisions_are_the_bytes_of_the_decisions():
    texts = ENGINE.decide_many_json(CASES)
    decided = 0
    for facts, text in zip(CASES, texts, strict=True):
        try:
            expected = ENGINE.decide(copy.deepcopy(facts), reasons=False)
        except InputError as error:
            assert isinstance(text, InputError) and text.errors == error.errors, facts
            continue
        assert text == orjson.dumps(expected).decode(), facts
        decided += 1
    assert decided > 0.1 * len(CASES)


def test_every_programme_field_is_written_like_dumps():
    """Cases eligible for each programme (instalments, services, decimals of floor areas) come out alike."""
    factgen = _factgen()
    cases = factgen.generate(4000, seed=9, invalid_share=0)
    texts = ENGINE.decide_many_json(cases)
    eligible = set()
    for facts, text in zip(cases, texts, strict=True):
        decision = ENGINE.decide(copy.deepcopy(facts), reasons=False)
        assert text == orjson.dumps(decision).decode()
        eligible |= {name for name, programme in decision["programmes"].items() if programme["eligible"]}
    assert eligible == {"privilege_card", "housing_subsidy", "living_allowance", "purchase_measure_2022q3",
                        "youth_apartment"}


def _expected_cli_lines(source: Path, on_date: str | None) -> list[str]:
    """What the one-case path writes for each line (the CLI before the batch path, line by line)."""
    expected = []
    with source.open("rb") as lines:
        numbered = list(enumerate(lines, start=1))
    for number, line in numbered:
        try:
            facts = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            expected.append(orjson.dumps({"error": {"line": number, "errors": {"": [f"not valid JSON: {exc}"]}}}))
            continue
        if on_date is not None and isinstance(facts, dict):
            facts["application_date"] = on_date
        try:
            expected.append(orjson.dumps(ENGINE.decide(facts, reasons=False)))
        except InputError as error:
            expected.append(orjson.dumps({"error": {"line": number, "errors": error.errors}}))
    return [text.decode() for text in expected]


@pytest.mark.parametrize("on_date", [None, "2022-09-01"])
def test_cli_writes_the_one_case_output_byte_for_byte(tmp_path, on_date):
    lines = [json.dumps(facts, ensure_ascii=bool(i % 2), default=str) for i, facts in enumerate(CASES[:1200])]
    lines[7:7] = ["", "{", "[1, 2", "null", "{\"application_date\": 1e400}", "\ufeff{}"]
    source = tmp_path / "facts.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # the installed console script of this environment, as documented (no fallback to `python -c`)
    command = [str(Path(sys.executable).parent / "talent"), "rules", "eval", str(source)]
    if on_date is not None:
        command[3:3] = ["--on", on_date]
    run = subprocess.run(command, capture_output=True, check=False, timeout=300)
    assert run.returncode == 1, run.stderr.decode()[-2000:]  # some lines are refused
    assert run.stdout.decode().split("\n")[:-1] == _expected_cli_lines(source, on_date)


def test_calendar_tables_agree_with_datetime64():
    days = np.arange(dt.date(1790, 1, 1).toordinal(), dt.date(2410, 12, 31).toordinal())
    for months in (-600, -37, -36, -12, -1, 0, 1, 11, 12, 24, 60, 1200):
        assert (rule_dates.v_add_months(days, months) == rule_dates._datetime64_add_months(days, months)).all()
    offsets = np.random.default_rng(1).integers(-1500, 1500, len(days))
    assert (rule_dates.v_add_months(days, offsets) == rule_dates._datetime64_add_months(days, offsets)).all()
    odd = np.array([0, 1, 2, 5, dt.date(9000, 1, 1).toordinal()])  # unknown fillers and far days
    assert (rule_dates.v_add_months(odd, 14) == rule_dates._datetime64_add_months(odd, 14)).all()
    rng = np.random.default_rng(2)
    births = rng.integers(dt.date(1750, 1, 1).toordinal(), dt.date(2450, 1, 1).toordinal(), 20000)
    on = rng.integers(dt.date(1750, 1, 1).toordinal(), dt.date(2450, 1, 1).toordinal(), 20000)
    births[:3] = [dt.date(2000, 2, 29).toordinal(), 1, dt.date(1800, 1, 1).toordinal()]  # 1: never
    on[:3] = [dt.date(2001, 2, 28).toordinal(), dt.date(2022, 6, 1).toordinal(), dt.date(2399, 12, 31).toordinal()]
    assert rule_dates.v_age_on(births, on).tolist() == [rule_dates.age_on(b, o) for b, o in
                                                        zip(births.tolist(), on.tolist(), strict=True)]


def _parse_or_none(text: str) -> int | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def test_date_texts_read_in_bulk_as_parse_date_reads_them():
    texts = [(dt.date(1899, 12, 25) + dt.timedelta(days=k)).isoformat() for k in range(0, 110_500, 7)]
    texts += [f"{year:04d}-{month:02d}-{day:02d}" for year in (1899, 1900, 2000, 2023, 2024, 2199, 2200)
              for month in range(0, 14) for day in (0, 1, 28, 29, 30, 31, 32)]
    texts += ["2021/01/01", "2021-01-+1", "+202-01-01", " 2021-01-1", "2021-01-1 ", "abcd-ef-gh", "2021_01_01"]
    ordinals, accepted = _iso_ordinals("".join(texts), len(texts))
    expected = [_parse_or_none(text) for text in texts]
    assert [int(o) if ok else None for o, ok in zip(ordinals, accepted, strict=True)] \
        == [value if text[4] == "-" and text[7] == "-" and text.replace("-", "").isdigit() else None
            for value, text in zip(expected, texts, strict=True)]
    # and the texts it leaves out are the ones parse_date either refuses or reads another way
    assert all(ok or value is None or not text.replace("-", "").isdigit()
               for ok, value, text in zip(accepted, expected, texts, strict=True))


def _id_or_none(number: str) -> int | None:
    try:
        birth = codes.parse_id_number(number)[0]
    except ValueError:
        return None
    return birth.toordinal() if birth.year <= 2199 else None


def test_id_numbers_read_in_bulk_as_parse_id_number_reads_them():
    rng = random.Random(3)
    numbers = []
    for _ in range(6000):
        first17 = "2201" + f"{rng.randrange(100):02d}" + f"{rng.choice([1899, 1900, 1985, 2000, 2199, 2200, 2400])}" \
            + f"{rng.randrange(0, 14):02d}{rng.randrange(0, 33):02d}" + f"{rng.randrange(1000):03d}"
        check = codes.id_check_character(first17)
        numbers.append(first17 + rng.choice([check, check, check.lower(), "0", "X", "5"]))
    numbers += ["22010219900101123", "2201021990010112345"[:18], "22010a199001011234"]
    numbers = [number for number in numbers if len(number) == 18]
    ordinals, accepted = _id_birth_ordinals(numbers)
    assert [int(o) if ok else None for o, ok in zip(ordinals, accepted, strict=True)] \
        == [_id_or_none(number) for number in numbers]
    assert 0.2 * len(numbers) < int(accepted.sum()) < 0.8 * len(numbers)


GAP_POLICY = """
id: GAP
title: {zh: 测试, en: test}
effective_from: 2020-01-01
reference: test
parameters:
  limit: {unit: year, reference: test, description: {zh: 测试, en: test}, values: {2020-01-01: 40}}
steps:
  - value: age
    expr: age_on(birth_date, application_date)
  - table: band
    hit_policy: first
    reference: test
    zh: 测试
    en: test
    inputs:
      age: {expr: age}
    outputs: [band]
    rows:
      - {when: {age: "< $limit"}, then: {band: young}}
      - {when: {age: ">= 50"}, then: {band: old}}
  - rule: ELIGIBLE
    when: band == "young"
    reference: test
    zh: 测试
    en: test
decision:
  eligible: ELIGIBLE
"""


def test_a_table_gap_refuses_only_the_cases_in_the_gap(tmp_path, record_path_fallbacks):
    """The one place the record path is expected: a gap stops the group's vectorised evaluation, so its four
    cases are decided one by one, in each of the four batch calls below (tests/rules/conftest.py counts)."""
    record_path_fallbacks.expected = 4 * 4
    path = tmp_path / "gap.yaml"
    path.write_text(GAP_POLICY, encoding="utf-8")
    engine = Engine([build_policy(read_yaml(path))])
    births = ["1990-01-01", "1978-06-01", "1960-01-01", "1975-01-01"]  # ages 32, 44 (gap), 62, 47 (gap)
    cases = [{"application_date": "2022-06-01", "birth_date": birth, "education": "none"} for birth in births]
    for results in (engine.decide_many(cases), engine.decide_many_json(cases)):
        assert [isinstance(result, InputError) for result in results] == [False, True, False, True]
    decided = engine.decide_many(cases)
    assert decided[0] == engine.decide(cases[0], reasons=False)
    assert decided[1].errors == {"": ["the policy could not decide these facts: table band: no row matched "
                                      "(a gap in the table)"]}
    assert engine.decide_many_json(cases)[2] == orjson.dumps(engine.decide(cases[2], reasons=False)).decode()


def test_well_formed_facts_never_take_the_one_case_path():
    """Speed, not correctness: a column check that refused good values would only make the batch slow."""

    class CountingEngine(Engine):
        calls = 0

        def normalise(self, facts):
            CountingEngine.calls += 1
            return super().normalise(facts)

    engine = CountingEngine(ENGINE._policies)
    cases = _factgen().generate(3000, seed=13, invalid_share=0)
    for facts in cases[::3]:
        facts["id_number"] = facts["id_number"].lower() if facts.get("id_number") else None  # x as well as X
    results = engine.decide_many_json(cases)
    assert not any(isinstance(result, InputError) for result in results)
    assert CountingEngine.calls == 0
