"""Random but realistic fact sets (docs/policy.md §7) that land on every rule and every boundary.

    python bench/factgen.py --n 100000 --seed 1 --invalid-share 0.02 > facts.jsonl

or, from Python, `generate(n, seed, invalid_share) -> list[dict]`. The same seed always gives the same
lines. Valid lines pass docs/policy.md's input checks (ID numbers carry correct GB 11643 check digits); a share
`invalid_share` of lines is corrupted in exactly one way that section 7 refuses.

Most draws are "ordinary" people; each fact is, with a good probability, pulled onto one of the edges the
policy names (ages 35/36 and 60/61 on or next to the birthday, 29 February, graduation + 3 / + 5 years,
the G6 36/12-month cut-offs, version boundaries, money thresholds met exactly, the 2022-Q3 window, 90 m2,
the 50 % cap, odd totals for instalment remainders), and optional facts are sometimes left out so that the
`missing` logic and "absent means fail" are exercised.
"""

from __future__ import annotations

import argparse
import calendar
import copy
import json
import random
import sys
from datetime import date, timedelta
from typing import Any

CHANGCHUN_DISTRICTS = [
    "220102", "220103", "220104", "220105", "220106", "220112", "220113", "220122", "220171", "220172",
    "220173", "220174", "220182", "220183", "220184",
]
# Jilin city, Siping, Beijing Xicheng, Shanghai Xuhui, Shenyang Heping: valid codes outside Changchun.
OTHER_DISTRICTS = ["220202", "220302", "110102", "310104", "210102"]
ID_REGIONS = CHANGCHUN_DISTRICTS[:6] + ["220202", "110105", "310104", "230102", "210102", "370102"]

HONOURS_A = ["academician_cas", "academician_cae", "nobel_prize", "turing_award", "fields_medal",
             "state_supreme_st_award"]
HONOURS_B = ["national_talent_programme", "national_st_award_first", "state_council_special_allowance",
             "china_skills_award"]
HONOURS_C = ["provincial_talent_programme", "national_st_award_second", "provincial_st_award_first",
             "national_technical_expert"]
ALL_HONOURS = HONOURS_A + HONOURS_B + HONOURS_C

EDUCATIONS = ["doctor", "master", "bachelor", "college", "none"]
TITLES = ["none", "junior", "intermediate", "associate_senior", "full_senior"]

VERSION_EDGES = [
    date(2020, 7, 1), date(2020, 7, 2), date(2021, 12, 31), date(2022, 1, 1), date(2024, 5, 31),
    date(2024, 6, 1), date(2024, 2, 29), date(2023, 2, 28), date(2023, 3, 1), date(2028, 2, 29),
]
FIRST_DAY = date(2020, 7, 1)
LAST_DAY = date(2027, 12, 31)
PURCHASE_WINDOW_EDGES = [date(2022, 7, 31), date(2022, 8, 1), date(2022, 10, 8), date(2022, 10, 9),
                         date(2022, 9, 1)]

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"


# --- helpers -----------------------------------------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def id_check_character(first_17_digits: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first_17_digits, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def make_id_number(rng: random.Random, birth: date, lower_x: bool = False) -> str:
    body = f"{rng.choice(ID_REGIONS)}{birth:%Y%m%d}{rng.randrange(1, 1000):03d}"
    check = id_check_character(body)
    return body + (check.lower() if lower_x else check)


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _near(rng: random.Random, day: date) -> date:
    """The day itself (most often) or one day either side: the three cases a boundary needs."""
    return day + timedelta(days=rng.choice((0, 0, -1, 1)))


def _safe_date(day: date, floor: date = date(1930, 1, 1)) -> date:
    return max(day, floor)


# --- one valid person --------------------------------------------------------------------------------------------

def _application_date(rng: random.Random) -> date:
    roll = rng.random()
    if roll < 0.2:
        return rng.choice(VERSION_EDGES)
    if roll < 0.35:  # inside the 2022-Q3 measure's reach, where purchase edges matter
        return random_day(rng, date(2022, 8, 1), date(2023, 10, 31))
    return random_day(rng, FIRST_DAY, LAST_DAY)


def _birth_date(rng: random.Random, application_date: date) -> date:
    roll = rng.random()
    if roll < 0.3:  # on, or a day around, the 35/36 and 60/61 birthdays
        age = rng.choice((35, 36, 60, 61))
        return _near(rng, add_years(application_date, -age))
    if roll < 0.38:  # 29 February births
        year = rng.choice([y for y in range(application_date.year - 62, application_date.year - 20)
                           if calendar.isleap(y)])
        return date(year, 2, 29)
    if roll < 0.75:  # young graduates
        return random_day(rng, add_years(application_date, -34), add_years(application_date, -21))
    return random_day(rng, add_years(application_date, -68), add_years(application_date, -25))


def _education(rng: random.Random, birth: date, application_date: date) -> tuple[str, bool, date | None]:
    education = rng.choices(EDUCATIONS, weights=(15, 25, 35, 15, 10))[0]
    full_time_degree = rng.random() < 0.85
    if education == "none":
        return education, full_time_degree, None
    roll = rng.random()
    if roll < 0.35:  # graduation + 3 or + 5 years on or next to the application date
        graduation = _near(rng, add_years(application_date, -rng.choice((3, 5))))
    elif roll < 0.42:
        graduation = _near(rng, application_date)  # graduates on the day (or one day later: not yet)
    elif roll < 0.47:
        graduation = date(rng.choice((2016, 2020, 2024)), 2, 29)
    else:
        typical_age = {"doctor": 29, "master": 25, "bachelor": 22, "college": 21}[education]
        graduation = random_day(rng, add_years(birth, typical_age - 1), add_years(birth, typical_age + 8))
    return education, full_time_degree, _safe_date(graduation, add_years(birth, 16))


def _money(rng: random.Random, edges: list[int], ordinary: tuple[int, int]) -> int:
    if rng.random() < 0.4:
        return rng.choice(edges)
    return rng.randrange(*ordinary)


def _employment(rng: random.Random) -> dict[str, Any]:
    district = rng.choice(CHANGCHUN_DISTRICTS) if rng.random() < 0.85 else rng.choice(OTHER_DISTRICTS)
    employer_kind = rng.choices(["enterprise", "public_institution", "government"], weights=(70, 20, 10))[0]
    role_kind = rng.choices(["professional", "administrative", "civil_servant"], weights=(75, 15, 10))[0]
    senior = rng.random() < 0.3  # the enterprise routes need big numbers; make them common enough
    return {
        "employer_district": district,
        "employer_kind": employer_kind,
        "role_kind": role_kind,
        "contract_years": rng.choice((1, 2, 2.5, 2.99, 3, 3, 3.0, 3.5, 5, 5, 10)),
        "full_time": rng.random() < 0.9,
        "annual_salary": _money(
            rng, [499_999, 500_000, 999_999, 1_000_000, 1_200_000],
            (400_000, 2_000_000) if senior else (40_000, 300_000),
        ),
        "income_tax_last_year": _money(
            rng, [99_999, 100_000, 100_001], (80_000, 400_000) if senior else (0, 40_000)
        ),
        "enterprise_revenue": _money(
            rng, [4_999_999_999, 5_000_000_000, 6_000_000_000],
            (1_000_000_000, 9_000_000_000) if senior else (1_000_000, 800_000_000),
        ),
        "social_insurance_local": rng.random() < 0.9,
    }


def _purchase(rng: random.Random, application_date: date) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.3:  # G5.2 window edges: application date minus 12 months, and the application date
        contract = _near(rng, rng.choice((add_months(application_date, -12), application_date)))
    elif roll < 0.55:
        contract = rng.choice(PURCHASE_WINDOW_EDGES)
    else:
        contract = random_day(rng, add_months(application_date, -20), application_date)
    area_roll = rng.random()
    if area_roll < 0.25:
        area: float | int = rng.choice((90, 90.0, 89.99, 90.01, 85, 85.37, 60.5, 72.15, 33.33))
    elif area_roll < 0.5:
        area = rng.randrange(40, 150)
    else:
        area = round(rng.uniform(35, 140), 2)
    price_roll = rng.random()
    if price_roll < 0.2:  # caps just around the graduate amounts, 0 and tiny
        price = rng.choice((0, 1, 59_999, 60_000, 60_001, 100_001, 160_000, 160_001, 99_999))
    elif price_roll < 0.4:  # caps around the tier amounts, odd totals for remainders
        price = rng.choice((1_400_000, 1_400_001, 1_999_999, 2_000_000, 2_000_003, 4_000_000, 4_000_009))
    else:
        price = rng.randrange(150_000, 5_000_000)
    return {
        "contract_date": contract.isoformat(),
        "price": price,
        "floor_area_m2": area,
        "district": rng.choice(CHANGCHUN_DISTRICTS) if rng.random() < 0.9 else rng.choice(OTHER_DISTRICTS),
        "new_commodity_housing": rng.random() < 0.8,
        "first_home": rng.random() < 0.8,
    }


def _history(rng: random.Random, application_date: date) -> dict[str, Any]:
    history: dict[str, Any] = {"last_classified_on": None, "last_rejected_on": None, "revoked_on": None}
    if rng.random() < 0.75:
        return history
    field = rng.choice(list(history))
    months_back = 12 if field == "last_rejected_on" else 36
    if rng.random() < 0.7:
        day = _near(rng, add_months(application_date, -months_back))
    else:
        day = random_day(rng, add_months(application_date, -60), application_date)
    history[field] = day.isoformat()
    return history


def _honours(rng: random.Random) -> list[str]:
    roll = rng.random()
    if roll < 0.82:
        return []
    if roll < 0.97:
        return [rng.choice(ALL_HONOURS)]
    return rng.sample(ALL_HONOURS, 2)


def valid_facts(rng: random.Random) -> dict[str, Any]:
    application_date = _application_date(rng)
    birth = _birth_date(rng, application_date)
    education, full_time_degree, graduation = _education(rng, birth, application_date)
    facts: dict[str, Any] = {"application_date": application_date.isoformat()}

    identity = rng.random()
    if identity < 0.12:  # foreign applicant: birth_date only
        facts["birth_date"] = birth.isoformat()
    else:
        facts["id_number"] = make_id_number(rng, birth, lower_x=rng.random() < 0.3)
        if identity > 0.8:  # both given, agreeing
            facts["birth_date"] = birth.isoformat()

    facts["education"] = education
    facts["full_time_degree"] = full_time_degree
    if graduation is not None:
        facts["graduation_date"] = graduation.isoformat()
    facts["professional_title"] = rng.choices(TITLES, weights=(25, 25, 25, 15, 10))[0]
    facts["honours"] = _honours(rng)
    facts["achievements"] = rng.choice((0, 0, 1, 1, 2, 5))
    facts["employment"] = _employment(rng)
    facts["conduct"] = {
        "disciplinary_sanction": rng.random() < 0.04,
        "credit_blacklisted": rng.random() < 0.04,
    }
    housing: dict[str, Any] = {"owns_home_in_city": rng.random() < 0.25}
    if rng.random() < 0.5:
        housing["purchase"] = _purchase(rng, application_date)
    facts["housing"] = housing
    facts["history"] = _history(rng, application_date)
    _drop_optional_facts(rng, facts)
    return facts


# Facts whose absence is allowed (docs/policy.md §7 requires only application_date and a birth date).
OPTIONAL_PATHS = [
    ("full_time_degree",), ("professional_title",), ("honours",), ("achievements",),
    ("employment", "employer_district"), ("employment", "employer_kind"), ("employment", "role_kind"),
    ("employment", "contract_years"), ("employment", "full_time"), ("employment", "annual_salary"),
    ("employment", "income_tax_last_year"), ("employment", "enterprise_revenue"),
    ("employment", "social_insurance_local"), ("conduct", "disciplinary_sanction"),
    ("conduct", "credit_blacklisted"), ("housing", "owns_home_in_city"), ("housing", "purchase", "price"),
    ("housing", "purchase", "floor_area_m2"), ("housing", "purchase", "first_home"),
    ("housing", "purchase", "new_commodity_housing"), ("history",), ("conduct",), ("employment",),
]


def _drop_optional_facts(rng: random.Random, facts: dict[str, Any]) -> None:
    if rng.random() >= 0.15:
        return
    for path in rng.sample(OPTIONAL_PATHS, rng.choice((1, 1, 2))):
        container = facts
        for key in path[:-1]:
            container = container.get(key)
            if not isinstance(container, dict):
                break
        else:
            container.pop(path[-1], None)


# --- one invalid person (exactly one thing wrong) ----------------------------------------------------------------

def _bad_check_digit(rng: random.Random, facts: dict[str, Any]) -> None:
    birth = date.fromisoformat(facts.get("birth_date") or "1990-01-01")
    good = make_id_number(rng, birth)
    wrong = rng.choice([c for c in "0123456789X" if c != good[17]])
    facts["id_number"] = good[:17] + wrong


def _impossible_id_birth(rng: random.Random, facts: dict[str, Any]) -> None:
    body = f"{rng.choice(ID_REGIONS)}{rng.choice(('19990230', '19870229', '19901301', '19900000'))}"
    body += f"{rng.randrange(1, 1000):03d}"
    facts["id_number"] = body + id_check_character(body)
    facts.pop("birth_date", None)


def _id_disagrees(rng: random.Random, facts: dict[str, Any]) -> None:
    birth = date(1990, 5, 17) + timedelta(days=rng.randrange(3000))
    facts["id_number"] = make_id_number(rng, birth)
    facts["birth_date"] = (birth + timedelta(days=rng.choice((1, -1, 365)))).isoformat()


def _no_birth_date(rng: random.Random, facts: dict[str, Any]) -> None:
    facts.pop("id_number", None)
    facts.pop("birth_date", None)


def _unknown_honour(rng: random.Random, facts: dict[str, Any]) -> None:
    facts["honours"] = [rng.choice(("knighthood", "academician", "nobel", "ACADEMICIAN_CAS"))]


def _unknown_education(rng: random.Random, facts: dict[str, Any]) -> None:
    facts["education"] = rng.choice(("phd", "high_school", "Doctor", "博士"))
    facts.setdefault("graduation_date", "2015-07-01")


def _unknown_title(rng: random.Random, facts: dict[str, Any]) -> None:
    facts["professional_title"] = rng.choice(("senior", "professor", "middle"))


def _negative_money(rng: random.Random, facts: dict[str, Any]) -> None:
    field = rng.choice(("annual_salary", "income_tax_last_year", "enterprise_revenue", "price"))
    if field == "price":
        housing = facts.setdefault("housing", {})
        purchase = housing.setdefault("purchase", {"contract_date": facts["application_date"],
                                                   "floor_area_m2": 80, "district": "220104",
                                                   "new_commodity_housing": True, "first_home": True})
        purchase["price"] = -rng.randrange(1, 2_000_000)
    else:
        facts.setdefault("employment", {})[field] = -rng.randrange(1, 1_000_000)


def _before_first_policy(rng: random.Random, facts: dict[str, Any]) -> None:
    facts["application_date"] = _near(rng, date(2020, 6, 29)).isoformat()  # 06-28 .. 06-30


def _malformed_date(rng: random.Random, facts: dict[str, Any]) -> None:
    bad = rng.choice(("2022-13-01", "2022/01/05", "2021-02-29", "2023-04-31", "20230105", "2023-1-5", "tomorrow"))
    target = rng.choice(("application_date", "graduation_date", "history.last_rejected_on", "birth_date"))
    if target == "history.last_rejected_on":
        facts.setdefault("history", {})["last_rejected_on"] = bad
    elif target == "birth_date":
        facts.pop("id_number", None)
        facts["birth_date"] = bad
    else:
        if target == "graduation_date" and facts.get("education") in (None, "none"):
            facts["education"] = "bachelor"
        facts[target] = bad


def _wrong_type(rng: random.Random, facts: dict[str, Any]) -> None:
    choice = rng.randrange(4)
    employment = facts.setdefault("employment", {})
    if choice == 0:
        employment["full_time"] = rng.choice(("yes", 1, "true"))
    elif choice == 1:
        employment["annual_salary"] = rng.choice(("lots", "500000"))
    elif choice == 2:
        facts.setdefault("conduct", {})["credit_blacklisted"] = rng.choice(("no", 0))
    else:
        facts["application_date"] = rng.choice((20220915, True))


def _missing_graduation_date(rng: random.Random, facts: dict[str, Any]) -> None:
    if facts.get("education") in (None, "none"):
        facts["education"] = rng.choice(("bachelor", "master", "college"))
    facts.pop("graduation_date", None)


def _bad_check_digit_only(rng: random.Random, facts: dict[str, Any]) -> None:
    _bad_check_digit(rng, facts)
    facts.pop("birth_date", None)


CORRUPTIONS = [
    _bad_check_digit_only, _impossible_id_birth, _id_disagrees, _no_birth_date, _unknown_honour,
    _unknown_education, _unknown_title, _negative_money, _before_first_policy, _malformed_date, _wrong_type,
    _missing_graduation_date,
]


def invalid_facts(rng: random.Random) -> dict[str, Any]:
    facts = copy.deepcopy(valid_facts(rng))
    rng.choice(CORRUPTIONS)(rng, facts)
    return facts


# --- public API ---------------------------------------------------------------------------------------------------

def generate(n: int, seed: int = 1, invalid_share: float = 0.02) -> list[dict[str, Any]]:
    """`n` fact sets; about `invalid_share` of them carry exactly one input error."""
    rng = random.Random(seed)
    return [invalid_facts(rng) if rng.random() < invalid_share else valid_facts(rng) for _ in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="how many fact sets")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--invalid-share", type=float, default=0.02, help="share of refused lines (0..1)")
    args = parser.parse_args(argv)
    write = sys.stdout.write
    for facts in generate(args.n, args.seed, args.invalid_share):
        write(json.dumps(facts, ensure_ascii=False))
        write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
