"""One page of a list: every list the jobs area hands out (searches, an employer's posts, organisations waiting
for verification) is read a page at a time, so that no request loads a whole table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_PAGE = 100_000  # (page - 1) × per_page stays far inside a 32-bit offset
MAX_PER_PAGE = 100
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns: anything larger cannot exist


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.per_page else 1


def is_whole_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_valid_id(value: Any) -> bool:
    return is_whole_number(value) and 1 <= value <= MAX_ID


def paging_problems(page: Any, per_page: Any, max_per_page: int = MAX_PER_PAGE) -> list[tuple[str, str, str]]:
    """(field, Chinese, English) for each paging argument out of bounds; empty when both are fine."""
    problems = []
    if not is_whole_number(page) or not 1 <= page <= MAX_PAGE:
        problems.append(("page", f"页码须在 1 至 {MAX_PAGE:,} 之间", f"Must be a whole number between 1 and {MAX_PAGE}."))
    if not is_whole_number(per_page) or not 1 <= per_page <= max_per_page:
        problems.append(
            ("per_page", f"每页条数须在 1 至 {max_per_page} 之间", f"Must be between 1 and {max_per_page}.")
        )
    return problems


def fetch_page(
    session: Session, query: Select[Any], page: int, per_page: int, *, options: Sequence[Any] = ()
) -> Page[Any]:
    """One page of `query` (already ordered) and the number of rows it has in all; `options` (loader options
    such as joinedload) apply to the page's rows, not to the count."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(session.scalars(query.options(*options).offset((page - 1) * per_page).limit(per_page)))
    return Page(items=items, total=total, page=page, per_page=per_page)
