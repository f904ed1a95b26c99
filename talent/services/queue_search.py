"""Finding cases in the officers' queue: one search box (applicant's name, case number, the visible parts of
a masked ID number, employer) and a district filter, plus sorting by applicant or employer.

Only the parts of an ID number that the pages show (region code, last four characters) can be searched: an
officer who sees ``220104********123X`` may type ``220104``, ``123X`` or the masked form itself, but the hidden
birth date is never matched, so the search cannot be used to probe it.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_
from sqlalchemy.orm import aliased

from talent.codes import DIVISIONS
from talent.models import Employer, User
from talent.models.applications import Application
from talent.models.identities import Identity

MAX_SEARCH_LENGTH = 60
EXTRA_SORTS = ("applicant", "employer")
_CASE_NUMBER = re.compile(r"^(?:TA-\d{4}-)?0*(\d{1,9})$", re.IGNORECASE)
_MASKED = re.compile(r"^(\d{0,6})\*+([\dX]{0,4})$", re.IGNORECASE)

Owner = aliased(User, name="queue_owner")
QueueEmployer = aliased(Employer, name="queue_employer")
QueueIdentity = aliased(Identity, name="queue_identity")


def check(search: str | None, district: str | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if search is not None and len(search) > MAX_SEARCH_LENGTH:
        errors["q"] = [f"At most {MAX_SEARCH_LENGTH} characters."]
    if district is not None and district not in DIVISIONS:
        errors["district"] = [f"Must be one of: {', '.join(DIVISIONS)}."]
    return errors


def _id_number_condition(text: str) -> ColumnElement[bool] | None:
    # the masked number (region code, eight stars, last 4) keeps exactly the parts a search may match; an old
    # case whose number is still in its facts (before `talent init-db` moved it) is matched there
    id_number = func.coalesce(QueueIdentity.id_masked, Application.facts["id_number"].as_string())
    compact = text.replace(" ", "").upper()
    masked = _MASKED.match(compact)
    if masked:
        prefix, suffix = masked.groups()
        if not prefix and not suffix:
            return None
        parts = []
        if prefix:
            parts.append(id_number.startswith(prefix, autoescape=True))
        if suffix:
            parts.append(id_number.endswith(suffix, autoescape=True))
        return parts[0] if len(parts) == 1 else (parts[0] & parts[1])
    if re.fullmatch(r"\d{6}", compact):
        return id_number.startswith(compact)
    if re.fullmatch(r"\d{3}[\dX]", compact):
        return id_number.endswith(compact)
    return None


def conditions(search: str | None, district: str | None) -> list[ColumnElement[bool]]:
    """WHERE conditions over Application joined with `Owner` and `QueueEmployer` (see `joined`)."""
    found: list[ColumnElement[bool]] = []
    text = (search or "").strip()
    if text:
        options: list[ColumnElement[bool]] = [
            Owner.name.contains(text, autoescape=True),
            QueueEmployer.name.contains(text, autoescape=True),
        ]
        number = _CASE_NUMBER.match(text)
        if number:
            options.append(Application.id == int(number.group(1)))
        id_condition = _id_number_condition(text)
        if id_condition is not None:
            options.append(id_condition)
        found.append(or_(*options) if options else false())
    if district:
        found.append(QueueEmployer.district == district)
    return found


def joined(statement: Any) -> Any:
    """`statement` over Application, joined with its applicant and employer (for searching and sorting)."""
    return statement.join(Owner, Application.owner_id == Owner.id).join(
        QueueEmployer, Application.employer_id == QueueEmployer.id
    ).outerjoin(QueueIdentity, Application.identity_id == QueueIdentity.id)


def order(sort: str) -> list[Any]:
    return {
        "applicant": [Owner.name.asc(), Application.id.asc()],
        "employer": [QueueEmployer.name.asc(), Application.id.asc()],
    }[sort]
