"""Validation of many fact sets at once, column by column: the fast path of ``decide_many`` and ``rules eval``.

``facts.normalise`` checks one fact set field by field. On 100,000 fact sets that Python work per field
costs more than deciding them, so here each fact is read for a whole block of fact sets as one column
and checked with C-level operations: set and dictionary look-ups (each distinct code is looked at once),
and NumPy over the text of all dates and all resident ID numbers (format, calendar, check character).
The result is NumPy arrays, ready for the vectorised evaluation in batch.py.

The column checks only *accept*: they recognise the common well-formed values and give the values
``normalise`` gives. A fact set with anything they do not recognise (an error, but also a rarer valid
form such as ``500000.0`` for an amount or blanks around an ID number) goes through ``Engine.normalise``
itself, so every error message and every unusual-but-valid value comes from the one-case code.
tests/rules/test_batch_speed_equivalence.py holds the two paths equal on generated and mutated input.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import compress, repeat
from operator import is_not
from typing import TYPE_CHECKING, Any

import numpy as np

from talent.rules import dates
from talent.rules.facts import (
    _MAX_YEAR,
    _MIN_YEAR,
    ENUMS,
    FACT_INDEX,
    FACT_NAMES,
    FACTS,
    KIND_OF,
    MAX_MONEY,
    NEVER,
    InputError,
    parse_date,
)
from talent.rules.names import HONOURS

if TYPE_CHECKING:
    from talent.rules.engine import Engine
    from talent.rules.policy import Policy

# Fact sets are checked in blocks of this many: a block's parsed objects stay in the CPU cache while
# its thirty-odd columns are read (column after column over 20,000 objects is twice as slow).
BLOCK = 2048

FactArray = tuple[np.ndarray, "np.ndarray | None"]  # (values, known): see fact_array

_NOT_ACCEPTED = object()  # a value the column checks leave to the one-case path
_EMPTY: dict[str, Any] = {}
_NONE_TYPE = type(None)
_HASHABLE = frozenset({bool, int, float, str, _NONE_TYPE})  # the hashable JSON values
_is_not_none = partial(is_not, None)
_INT_KINDS = {"date", "history_date", "money", "count"}
_FILL = {"bool": False, "presence": False, "number": 0, "honours": (), **dict.fromkeys(_INT_KINDS, 0)}  # else ""
_HONOUR_CODES = frozenset(HONOURS)
_PLACEHOLDER = [() if kind == "honours" else None for kind in KIND_OF.values()]  # a refused position's record

# --- reading the objects ----------------------------------------------------------------------------

_CONTAINERS = ("", "employment", "conduct", "housing", "purchase", "history")  # "": the top level
# The facts read from the input: (name, container, key, kind), container by container.
_READ = sorted(
    ((name, path.rpartition(".")[0].rpartition(".")[2], path.rpartition(".")[2], kind)
     for name, (path, kind) in FACTS.items() if kind != "presence"),
    key=lambda item: _CONTAINERS.index(item[1]),
)
# What is read from each kind of object: its facts, and the objects inside it, and the ID number.
_WANTED = {container: tuple(key for _, c, key, _ in _READ if c == container) for container in _CONTAINERS}
_WANTED[""] += ("employment", "conduct", "housing", "history", "id_number")
_WANTED["housing"] += ("purchase",)


def _only_types(column: list[Any], types: set[type]) -> bool:
    return set(map(type, column)) <= types


def _reject(rejected: set[int], accepted: list[bool]) -> None:
    """Add the positions whose flag is false to ``rejected``."""
    if False in accepted:
        rejected.update(i for i, ok in enumerate(accepted) if not ok)


def _read_objects(container: str, objects: list[Any], rejected: set[int]) -> dict[str, list[Any]]:
    """The wanted values of each object of one kind, as columns by key (other keys are ignored).

    An absent object (None) reads as empty; one that is not an object (a dict) is rejected. C-level maps:
    no Python work per object and key.
    """
    if not _only_types(objects, {dict}):
        _reject(rejected, [value is None or type(value) is dict for value in objects])
        objects = [value if type(value) is dict else _EMPTY for value in objects]
    return {key: list(map(dict.get, objects, repeat(key))) for key in _WANTED[container]}


# --- checking and converting columns ------------------------------------------------------------


def _known(column: list[Any], array: np.ndarray | None = None) -> np.ndarray | None:
    """Which values are present (not None); None when all are. ``array``: the column as an object array."""
    if None not in column:
        return None
    if array is None:
        array = np.fromiter(column, dtype=object, count=len(column))
    return np.not_equal(array, None)  # element by element: only None equals None


def _without(column: list[Any], accepted: list[bool]) -> list[Any]:
    """The column with the values not accepted replaced by None (their positions are rejected)."""
    return [value if ok else None for value, ok in zip(column, accepted, strict=True)]


_ID_NONE, _ID_TRUE, _ID_FALSE = id(None), id(True), id(False)


def _bool_array(column: list[Any], rejected: set[int]) -> FactArray:
    # by identity (True, False and None are single objects; 1 == True, and a 1 must be refused), for the
    # whole column at once through the id() of each value
    identities = np.fromiter(map(id, column), dtype=np.int64, count=len(column))
    values, absent = identities == _ID_TRUE, identities == _ID_NONE
    refused = ~(values | absent | (identities == _ID_FALSE))
    if refused.any():
        rejected.update(np.flatnonzero(refused).tolist())
        absent |= refused
    return values, (~absent if absent.any() else None)


def _int_array(column: list[Any], known: np.ndarray | None) -> np.ndarray:
    """Python ints (None where not known) as int64, 0 for None."""
    if known is None:
        return np.array(column, dtype=np.int64)
    values = np.array(column, dtype=object)
    values[~known] = 0
    return values.astype(np.int64)


def _whole_number_array(column: list[Any], rejected: set[int]) -> FactArray:
    """Amounts and counts: JSON integers from 0 to MAX_MONEY (others, 500000.0 included, go one by one)."""
    if not _only_types(column, {int, _NONE_TYPE}):
        accepted = [value is None or type(value) is int for value in column]
        _reject(rejected, accepted)
        column = _without(column, accepted)
    known = _known(column)
    try:
        values = _int_array(column, known)
    except OverflowError:  # beyond 64 bits
        accepted = [value is None or 0 <= value <= MAX_MONEY for value in column]
        _reject(rejected, accepted)
        column = _without(column, accepted)
        known = _known(column)
        values = _int_array(column, known)
    out_of_range = (values < 0) | (values > MAX_MONEY)
    if out_of_range.any():
        rejected.update(np.flatnonzero(out_of_range).tolist())
    return values, known


_DATE_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9])  # the places of the digits in YYYY-MM-DD
_DATE_PARTS = np.array([[1000, 0, 0], [100, 0, 0], [10, 0, 0], [1, 0, 0], [0, 10, 0], [0, 1, 0], [0, 0, 10], [0, 0, 1]])


def _iso_ordinals(joined: str, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(ordinal, accepted) of ``count`` 10-character ASCII texts joined: accepted ones are YYYY-MM-DD in
    digits, a real day, years _MIN_YEAR to _MAX_YEAR: exactly what facts.parse_date accepts among such texts."""
    raw = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(count, 10)
    digits = raw[:, _DATE_DIGITS] - np.uint8(ord("0"))  # a character below "0" wraps round to a large value
    accepted = (digits <= 9).all(axis=1) & (raw[:, 4] == ord("-")) & (raw[:, 7] == ord("-"))
    year, month, day = (digits.astype(np.int64) @ _DATE_PARTS).T
    return _ordinals(year, month, day, accepted)


def _ordinals(year: np.ndarray, month: np.ndarray, day: np.ndarray, accepted: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Proleptic ordinals of (year, month, day), and which of them are real days in _MIN_YEAR.._MAX_YEAR."""
    ordinals, real = dates.v_from_parts(year, month, day)
    accepted = accepted & real & (year >= _MIN_YEAR) & (year <= _MAX_YEAR)
    return np.where(accepted, ordinals, 0), accepted


def _date_array(column: list[Any], history: bool, rejected: set[int]) -> FactArray:
    """Dates as ordinals; an absent date is unknown, an absent history date is NEVER (known)."""
    n = len(column)
    present = _known(column)
    texts = column if present is None else list(compress(column, present.tolist()))
    try:
        joined = "".join(texts)
        usual = set(map(len, texts)) == {10} and joined.isascii()
    except TypeError:  # not all texts
        usual = False
    if usual:
        ordinals, accepted = _iso_ordinals(joined, len(texts))
    else:
        ordinals, accepted = np.zeros(len(texts), dtype=np.int64), np.zeros(len(texts), dtype=bool)
        usual = np.flatnonzero([type(text) is str and len(text) == 10 and text.isascii() for text in texts])
        if len(usual):
            ordinals[usual], accepted[usual] = _iso_ordinals("".join([texts[i] for i in usual.tolist()]), len(usual))
    if not accepted.all():  # other texts (and other values): parse_date decides, one by one
        places = np.arange(n) if present is None else np.flatnonzero(present)
        for i in np.flatnonzero(~accepted).tolist():
            try:
                if type(texts[i]) is not str:
                    raise ValueError(texts[i])
                ordinals[i] = parse_date(texts[i])
            except ValueError:
                rejected.add(int(places[i]))
    if present is None:
        return ordinals, None
    values = np.full(n, NEVER if history else 0, dtype=np.int64)
    values[present] = ordinals
    return values, (None if history else present)


class _Table:
    """Accepted values of one kind of fact -> normalised value, filled as values are first seen.

    ``convert`` gives the normalised value of a value not yet in the table (ValueError: not accepted).
    Only accepted values are kept, up to ``limit`` of them; a value not kept is converted again next time.
    """

    def __init__(self, initial: dict[Any, Any], convert, limit: int = 100_000) -> None:
        self.values, self.convert, self.limit = initial, convert, limit

    def column(self, column: list[Any], rejected: set[int]) -> list[Any]:
        """The normalised values (None for a value not accepted, whose position is rejected)."""
        table = self.values
        try:
            values = list(map(table.get, column, repeat(_NOT_ACCEPTED)))
        except TypeError:  # an unhashable value (a list or an object)
            values = [table.get(value, _NOT_ACCEPTED) if type(value) in _HASHABLE else _NOT_ACCEPTED
                      for value in column]
        if _NOT_ACCEPTED in values:  # first seen, or not accepted
            for i, value in enumerate(values):
                if value is _NOT_ACCEPTED:
                    values[i] = self._first_seen(column[i], i, rejected)
        return values

    def _first_seen(self, value: Any, position: int, rejected: set[int]) -> Any:
        try:
            if type(value) not in _HASHABLE:
                raise ValueError(value)
            converted = self.convert(value)
        except ValueError:
            rejected.add(position)  # the one-case path writes the message
            return None
        if len(self.values) < self.limit:
            self.values[value] = converted
        return converted


def _division_code(code: Any) -> str:
    if type(code) is str and len(code) == 6 and code.isascii() and code.isdigit():
        return code
    raise ValueError(code)


def _refuse(value: Any) -> Any:
    raise ValueError(value)


def _number(value: Any) -> Any:
    """facts._value for a "number" (an int or a float) it accepts; ValueError for the others.

    A float is the shortest decimal that reads back as it (Decimal(repr(value))), an int when that is
    whole: for a float from 0 to MAX_MONEY (< 2**53) that int is int(value), and its Decimal is whole
    exactly when value.is_integer().
    """
    kind = type(value)
    if kind is int and 0 <= value <= MAX_MONEY:
        return value
    if kind is float and 0 <= value <= MAX_MONEY:  # NaN and the infinities fail the comparison
        return int(value) if value.is_integer() else Decimal(repr(value))
    raise ValueError(value)


# Codes and numbers: the tables live as long as the process (a stream has few distinct codes).
_DIVISIONS = _Table({None: None}, _division_code)
_ENUM_TABLES = {f"enum:{kind}": _Table({None: None, **{code: code for code in codes}}, _refuse)
                for kind, codes in ENUMS.items()}
# int and float keys only (see _number_array): 1 == 1.0 and both read as the int 1, but True == 1 too
_NUMBERS = _Table({None: None}, _number)


def _object_array(values: list[Any], fill: Any) -> FactArray:
    array = np.fromiter(values, dtype=object, count=len(values))
    known = _known(values, array)
    if known is not None:
        array[~known] = fill
    return array, known


def _code_array(column: list[Any], table: _Table, rejected: set[int]) -> FactArray:
    return _object_array(table.column(column, rejected), "")


def _number_array(column: list[Any], rejected: set[int]) -> FactArray:
    """Numbers: an int as it is, a float as its exact decimal (int64 when every one is whole)."""
    if not _only_types(column, {int, float, _NONE_TYPE}):  # true/false must not read as 1/0
        accepted = [type(value) in (int, float, _NONE_TYPE) for value in column]
        _reject(rejected, accepted)
        column = _without(column, accepted)
    values = _NUMBERS.column(column, rejected)
    array, known = _object_array(values, 0)
    if _only_types(values, {int, _NONE_TYPE}):
        array = array.astype(np.int64)
    return array, known


def _honours_array(column: list[Any], rejected: set[int]) -> FactArray:
    if None in column:  # absent: no honour
        column = [[] if honours is None else honours for honours in column]
    if _only_types(column, {list}):
        try:
            known_codes = list(map(_HONOUR_CODES.issuperset, column))
        except TypeError:  # a list inside the list
            known_codes = [all(type(code) is str and code in _HONOUR_CODES for code in honours) for honours in column]
    else:
        known_codes = [type(honours) is list and all(type(code) is str and code in _HONOUR_CODES for code in honours)
                       for honours in column]
    if False in known_codes:
        _reject(rejected, known_codes)
        column = [honours if ok else [] for honours, ok in zip(column, known_codes, strict=True)]
    return np.fromiter(map(tuple, column), dtype=object, count=len(column)), None


_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_ID_CHECK_CHARS = np.frombuffer(b"10X98765432", dtype=np.uint8)


def _id_birth_ordinals(numbers: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(birth ordinal, accepted) of 18-character ASCII ID numbers: accepted ones are 17 digits and the right
    check character (digit, X or x), with a real birth date in the engine's years. Same rules as
    codes.parse_id_number and facts._birth_date, for all numbers at once."""
    raw = np.frombuffer("".join(numbers).encode("ascii"), dtype=np.uint8).reshape(len(numbers), 18)
    digits = raw[:, :17].astype(np.int64) - ord("0")
    accepted = ((digits >= 0) & (digits <= 9)).all(axis=1)
    digits = np.where(accepted[:, None], digits, 0)
    check = raw[:, 17]
    check = np.where(check == ord("x"), ord("X"), check)  # parse_id_number reads a lower-case x as X
    accepted &= check == _ID_CHECK_CHARS[(digits * _ID_WEIGHTS).sum(axis=1) % 11]
    year = digits[:, 6] * 1000 + digits[:, 7] * 100 + digits[:, 8] * 10 + digits[:, 9]
    accepted &= year >= 1900  # parse_id_number's own limit
    return _ordinals(year, digits[:, 10] * 10 + digits[:, 11], digits[:, 12] * 10 + digits[:, 13], accepted)


def _birth_array(id_numbers: list[Any], given: FactArray, rejected: set[int]) -> FactArray:
    """The birth date of each case: given, or read from the ID number; both must agree when both are there."""
    n = len(id_numbers)
    given_values, given_known = given
    has_id = _known(id_numbers)
    numbers = id_numbers if has_id is None else list(filter(_is_not_none, id_numbers))
    places = np.arange(n) if has_id is None else np.flatnonzero(has_id)
    if not (_only_types(numbers, {str}) and set(map(len, numbers)) <= {18} and "".join(numbers).isascii()):
        readable = [type(number) is str and len(number) == 18 and number.isascii() for number in numbers]
        places = places[np.array(readable, dtype=bool)]
        numbers = [number for number, ok in zip(numbers, readable, strict=True) if ok]
    from_id = np.zeros(n, dtype=np.int64)
    id_accepted = np.zeros(n, dtype=bool)
    if numbers:
        from_id[places], id_accepted[places] = _id_birth_ordinals(numbers)
    has_id = np.ones(n, dtype=bool) if has_id is None else has_id
    given_known = np.ones(n, dtype=bool) if given_known is None else given_known
    refused = np.where(has_id, ~id_accepted | (given_known & (given_values != from_id)), ~given_known)
    if refused.any():
        rejected.update(np.flatnonzero(refused).tolist())
    known = given_known | id_accepted
    return np.where(given_known, given_values, from_id), (None if known.all() else known)


def fact_array(kind: str, values: list[Any]) -> FactArray:
    """Normalised values of one fact (``facts.normalise`` record values) as NumPy: (values, known).

    ``known`` is None when no value is absent (None); absent values hold a harmless filler (False, 0, "",
    ()) so that NumPy never sees None. Whole numbers become int64, other numbers stay objects.
    """
    if kind in ("bool", "presence"):
        return np.array(values, dtype=bool), _known(values)  # None -> False
    if kind in _INT_KINDS:
        known = _known(values)
        return _int_array(values, known), known
    array, known = _object_array(values, _FILL.get(kind, ""))
    if kind == "number" and _only_types(values, {int, _NONE_TYPE}):
        array = array.astype(np.int64)
    return array, known


def _put(arrays: list[FactArray], position: int, record: list[Any]) -> None:
    """Write one normalised record (from the one-case path) into the block's arrays."""
    for k, value in enumerate(record):
        values, known = arrays[k]
        if value is None:
            if known is None:
                known = np.ones(len(values), dtype=bool)
            known[position] = False
            values[position] = _FILL.get(KIND_OF[FACT_NAMES[k]], "")
        else:
            if known is not None:
                known[position] = True
            if values.dtype == np.int64 and type(value) is not int:  # a decimal number among whole ones
                values = values.astype(object)
            values[position] = value
        arrays[k] = (values, known)


# --- a block, a batch ------------------------------------------------------------------------------


@dataclass
class NormalisedFacts:
    """The fact sets of a batch as NumPy columns, and the refused ones as errors.

    ``arrays[k]`` is ``(values, known)`` for fact ``FACT_NAMES[k]``, as ``fact_array`` makes it from the
    values ``facts.normalise`` gives (meaningless at a refused position). ``groups`` lists the accepted
    positions by policy version and parameter period, in input order within a group.
    """

    arrays: list[FactArray]
    groups: list[tuple[Policy, np.ndarray]]
    errors: dict[int, InputError]

    def record(self, position: int) -> list[Any]:
        """The normalised record at one position, as ``facts.normalise`` gives it."""
        record = []
        for values, known in self.arrays:
            value = values[position]
            record.append(None if known is not None and not known[position] else
                          value.item() if isinstance(value, np.generic) else value)
        return record


def _normalise_block(engine: Engine, facts_list: list[Any]) -> tuple[list[FactArray], dict[int, InputError]]:
    """Fact arrays (FACT_NAMES order) and errors of a block of fact sets small enough to stay in the CPU cache."""
    rejected: set[int] = set()  # positions for the one-case path
    if not _only_types(facts_list, {dict}):
        _reject(rejected, [type(facts) is dict for facts in facts_list])
    read = {"": _read_objects("", facts_list, rejected)}
    for group in ("employment", "conduct", "housing", "history"):
        read[group] = _read_objects(group, read[""][group], rejected)
    purchases = read["housing"]["purchase"]
    read["purchase"] = _read_objects("purchase", purchases, rejected)

    arrays: list[Any] = [None] * len(FACT_NAMES)
    for name, container, key, kind in _READ:
        column = read[container][key]
        if kind == "bool":
            array = _bool_array(column, rejected)
        elif kind in ("date", "history_date"):
            array = _date_array(column, kind == "history_date", rejected)
        elif kind in ("money", "count"):
            array = _whole_number_array(column, rejected)
        elif kind == "number":
            array = _number_array(column, rejected)
        elif kind == "honours":
            array = _honours_array(column, rejected)
        else:
            array = _code_array(column, _DIVISIONS if kind == "division" else _ENUM_TABLES[kind], rejected)
        arrays[FACT_INDEX[name]] = array
    arrays[FACT_INDEX["has_purchase"]] = (np.fromiter(map(_is_not_none, purchases), bool, len(purchases)), None)
    birth = FACT_INDEX["birth_date"]
    arrays[birth] = _birth_array(read[""]["id_number"], arrays[birth], rejected)
    # the two requirements across fields: an application date; a graduation date unless education is none
    _, application_known = arrays[FACT_INDEX["application_date"]]
    education, education_known = arrays[FACT_INDEX["education"]]
    _, graduation_known = arrays[FACT_INDEX["graduation_date"]]
    if application_known is not None:
        rejected.update(np.flatnonzero(~application_known).tolist())
    if graduation_known is not None:
        required = (education != "none") if education_known is None else education_known & (education != "none")
        rejected.update(np.flatnonzero(required & ~graduation_known).tolist())

    errors: dict[int, InputError] = {}
    for position in sorted(rejected):
        try:
            record, _ = engine.normalise(facts_list[position])
        except InputError as error:
            # without its traceback: that would keep this block's frame (and objects) alive in a cycle
            errors[position] = error.with_traceback(None)
            record = _PLACEHOLDER
        _put(arrays, position, record)
    return arrays, errors


def _concatenate(parts: list[FactArray]) -> FactArray:
    if len(parts) == 1:
        return parts[0]
    values = np.concatenate([values for values, _ in parts])
    if all(known is None for _, known in parts):
        return values, None
    return values, np.concatenate([np.ones(len(v), dtype=bool) if k is None else k for v, k in parts])


def _policy_groups(engine: Engine, applications: np.ndarray, positions: np.ndarray) -> tuple[list, np.ndarray]:
    """(policy, positions) per version and parameter period; the positions no version covers."""
    days = applications[positions]
    chosen = np.full(len(days), -1, dtype=np.int64)
    policies = engine._policies
    for index, policy in enumerate(policies):
        covered = days >= policy.effective_from
        if policy.effective_to is not None:
            covered &= days <= policy.effective_to
        chosen = np.where((chosen < 0) & covered, index, chosen)  # the first version covering the day
    groups = []
    for index, policy in enumerate(policies):
        mine = np.flatnonzero(chosen == index)
        if not len(mine):
            continue
        periods = np.searchsorted(np.array(policy.change_dates, dtype=np.int64), days[mine], side="right")
        for period in np.unique(periods).tolist():
            groups.append((policy, positions[mine[periods == period]]))
    return groups, positions[chosen < 0]


def normalise_many(engine: Engine, facts_list: list[Any], block: int = BLOCK) -> NormalisedFacts:
    """Validate and normalise every fact set of ``facts_list`` (as ``engine.normalise`` does, one by one)."""
    parts: list[list[FactArray]] = []
    errors: dict[int, InputError] = {}
    for start in range(0, len(facts_list), block):
        arrays, block_errors = _normalise_block(engine, facts_list[start:start + block])
        parts.append(arrays)
        errors.update((start + position, error) for position, error in block_errors.items())
    if not parts:
        parts.append(_normalise_block(engine, [])[0])
    arrays = [_concatenate([part[k] for part in parts]) for k in range(len(FACT_NAMES))]
    accepted = np.ones(len(facts_list), dtype=bool)
    accepted[list(errors)] = False
    applications = arrays[FACT_INDEX["application_date"]][0]
    groups, uncovered = _policy_groups(engine, applications, np.flatnonzero(accepted))
    for position in uncovered.tolist():
        errors[position] = engine.no_policy_error(int(applications[position]))
    return NormalisedFacts(arrays, groups, errors)
