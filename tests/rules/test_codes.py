import datetime as dt

import pytest

from talent.codes import (
    DIVISIONS,
    credit_code_check,
    id_check_character,
    is_valid_credit_code,
    is_valid_id_number,
    mask_id_number,
    mask_name,
    organisation_code_check,
    parse_id_number,
    validate_credit_code,
)


def make_id(prefix17: str) -> str:
    return prefix17 + id_check_character(prefix17)


def test_reference_example_id_parses_as_female_born_1949_12_31():
    assert parse_id_number("11010519491231002X") == (dt.date(1949, 12, 31), "F")


def test_lower_case_x_is_read_as_upper_case():
    assert parse_id_number("11010519491231002x") == (dt.date(1949, 12, 31), "F")


def test_odd_sequence_is_male():
    number = make_id("22010219900101001")
    assert parse_id_number(number) == (dt.date(1990, 1, 1), "M")


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231002", "18 characters"),
        ("11010519491231002X1", "18 characters"),
        ("1101051949123100AX", "digits"),
        ("11010519491231002Y", "last character"),
        ("110105194912310021", "check character"),
        ("110105194902300027", "impossible birth date"),
        ("110105180001010020", "before 1900"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_reason(number, reason):
    with pytest.raises(ValueError, match=reason):
        parse_id_number(number)
    assert not is_valid_id_number(number)


def test_29_february_birth_is_valid_only_in_leap_years():
    assert parse_id_number(make_id("22010220000229001"))[0] == dt.date(2000, 2, 29)
    with pytest.raises(ValueError, match="impossible"):
        parse_id_number(make_id("22010219990229001"))


def test_mask_id_number_keeps_region_and_last_four():
    assert mask_id_number("22010219900101123X") == "220102********123X"
    assert mask_id_number("22010219900101123x") == "220102********123X"
    assert mask_id_number("12345") == "*2345"
    assert mask_id_number("123") == "***"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("李四", "李*"), ("王", "*"), ("John Smith", "J*** S****"), ("  ", "")],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_reference_credit_code_passes():
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"
    assert validate_credit_code(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_organisation_code_check_of_reference_example():
    assert organisation_code_check("M000100Y") == "4"
    assert credit_code_check("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100YI3", "not allowed"),
        ("91350100M000100Y53", "organisation code"),
        ("91350100M000100Y44", "credit code check character"),
    ],
)
def test_bad_credit_codes_are_refused_with_a_reason(code, reason):
    with pytest.raises(ValueError, match=reason):
        validate_credit_code(code)
    assert not is_valid_credit_code(code)


def test_divisions_are_the_fifteen_changchun_codes():
    assert len(DIVISIONS) == 15
    assert all(code.startswith("2201") for code in DIVISIONS)
    assert DIVISIONS["220173"] == "长春高新技术产业开发区"
