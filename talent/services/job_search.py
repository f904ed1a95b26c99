"""Job search at the city's scale: keywords in Chinese or English through an index made for it.

PostgreSQL has no Chinese text parser, and what its default parser and pg_trgm make of CJK characters depends
on the database's locale. So the words are cut here, in Python, the same way for every database: a run of
Chinese characters gives its single characters and its overlapping pairs (软件工程 → 软 件 工 程 软件 件工 工程),
a run of Latin letters or digits gives the lower-cased word (NFKC first: full-width letters become ASCII).
The lexemes of a post (title weight A, employer name B, description D) are written with the post into
`job_search_documents` (a `tsvector` built from quoted lexemes — no parser involved — with a GIN index on
PostgreSQL; the same lexemes as plain text on SQLite, the development database). A keyword becomes a
`tsquery` of its lexemes ANDed: a Chinese word of two or more characters must contain all its pairs, one
character itself, a Latin word is a prefix (`java` finds Java and JavaScript). Results are ranked by
`ts_rank` over the small `headline` (title weight A, employer name B: ranking thousands of hits never reads
their descriptions), posts matching only in the description after them, newest first; SQLite ranks by how
many keyword parts the title holds.

Paging: `page` for the first pages, and a keyset cursor `after` (the last row's sort key and id, as returned
in `next`) that costs the same on any page — no OFFSET scan; `before` (the first row's, `previous`) goes back
a page the same way (the web page's links, docs/jobs.md).

Counting: the hits are counted exactly up to `COUNT_CAP` and no further (`total_is_exact` false: "1,000+"):
an exact count of thousands of hits costs more than finding and ranking the page shown.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, and_, case, cast, delete, event, func, insert, literal, select, tuple_
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session, joinedload

from talent.models.employers import Employer
from talent.models.jobs import Job
from talent.models.matches import JobSearchDocument

SORTS = ("relevance", "newest", "salary")
COUNT_CAP = 1000  # hits counted exactly up to this many; beyond, `total` is COUNT_CAP and not exact
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_HAN}]+|[0-9a-z]+")
_IS_HAN = re.compile(f"[{_HAN}]")
_MAX_POSITIONS = 64  # positions kept per lexeme (PostgreSQL keeps at most 256)
_MAX_POSITION = 16383


def _tokens(text: str | None) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text or "").lower())


def lexemes(text: str | None) -> list[str]:
    """The lexemes of a text in order: Chinese characters and character pairs, Latin words."""
    out: list[str] = []
    for token in _tokens(text):
        if _IS_HAN.match(token):
            out.extend(token)
            out.extend(token[i : i + 2] for i in range(len(token) - 1))
        else:
            out.append(token)
    return out


def _quoted(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def document(title: str, employer_name: str, description: str, *, postgresql: bool) -> str:
    """The search document of a post: a tsvector literal (PostgreSQL) or the lexemes as text (SQLite)."""
    if not postgresql:
        words = dict.fromkeys(lexemes(title) + lexemes(employer_name) + lexemes(description))
        return " " + " ".join(words) + " "
    positions: dict[str, list[str]] = {}
    position = 0
    for text, weight in ((title, "A"), (employer_name, "B"), (description, "D")):
        for lexeme in lexemes(text):
            position = min(position + 1, _MAX_POSITION)
            kept = positions.setdefault(lexeme, [])
            if len(kept) < _MAX_POSITIONS:
                kept.append(f"{position}{weight}")
    return " ".join(f"{_quoted(lexeme)}:{','.join(kept)}" for lexeme, kept in positions.items())


def query_terms(q: str) -> list[tuple[str, bool]]:
    """(lexeme, is prefix) that a post must all hold to match the keywords `q`."""
    terms: dict[tuple[str, bool], None] = {}
    for token in _tokens(q):
        if _IS_HAN.match(token):
            if len(token) == 1:
                terms[(token, False)] = None
            for i in range(len(token) - 1):
                terms[(token[i : i + 2], False)] = None
        else:
            terms[(token, True)] = None
    return list(terms)


def tsquery_text(terms: Iterable[tuple[str, bool]]) -> str:
    return " & ".join(_quoted(lexeme) + (":*" if prefix else "") for lexeme, prefix in terms)


# --- keeping the documents with the posts ------------------------------------------------------------------

_INDEXED = ("title", "description", "employer_id")


def write_document(connection: Any, job_id: int, title: str, description: str, employer_id: int) -> None:
    name = connection.execute(select(Employer.name).where(Employer.id == employer_id)).scalar() or ""
    postgresql = connection.dialect.name == "postgresql"
    connection.execute(delete(JobSearchDocument).where(JobSearchDocument.job_id == job_id))
    connection.execute(insert(JobSearchDocument).values(
        job_id=job_id, document=document(title, name, description, postgresql=postgresql),
        headline=document(title, name, "", postgresql=postgresql)))


@event.listens_for(Job, "after_insert")
def _document_of_a_new_post(_mapper: Any, connection: Any, job: Job) -> None:
    write_document(connection, job.id, job.title, job.description, job.employer_id)


@event.listens_for(Job, "after_update")
def _document_of_an_edited_post(_mapper: Any, connection: Any, job: Job) -> None:
    from sqlalchemy import inspect

    state = inspect(job)
    if any(state.attrs[name].history.has_changes() for name in _INDEXED):
        write_document(connection, job.id, job.title, job.description, job.employer_id)


# --- searching ---------------------------------------------------------------------------------------------


class BadCursor(ValueError):
    pass


def encode_cursor(sort: str, key: Any, job_id: int) -> str:
    if isinstance(key, dt.datetime):
        key = key.isoformat()
    raw = json.dumps([sort, key, job_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, sort: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        kind, key, job_id = json.loads(raw)
    except (ValueError, TypeError):
        raise BadCursor("not a cursor of this search") from None
    if kind != sort or isinstance(job_id, bool) or not isinstance(job_id, int):
        raise BadCursor("a cursor of another sort order")
    if sort == "newest":
        if not isinstance(key, str):
            raise BadCursor("not a cursor of this search")
        try:
            key = dt.datetime.fromisoformat(key)
        except ValueError:
            raise BadCursor("not a cursor of this search") from None
    elif isinstance(key, bool) or not isinstance(key, int | float):
        raise BadCursor("not a cursor of this search")
    return key, job_id


@dataclass
class SearchPage:
    items: list[Job]
    total: int  # exact when `total_is_exact`, else COUNT_CAP (there are more)
    page: int
    per_page: int
    sort: str
    next: str | None
    total_is_exact: bool = True
    previous: str | None = None  # the first row's cursor (pass as `before`), on pages after the first

    @property
    def pages(self) -> int:
        """Pages of the counted hits (a lower bound when the count is capped)."""
        return max(1, -(-self.total // self.per_page)) if self.per_page else 1


def occupation_condition(occupation: str) -> Any:
    """Posts coded with `occupation` (a whole CSCO-2022 code) or within the group a prefix names (2, 2-02,
    2-02-10): an equality or a LIKE on the indexed column, the same on PostgreSQL and SQLite."""
    if len(occupation) == len("0-00-00-00"):
        return Job.occupation_code == occupation
    return Job.occupation_code.startswith(occupation + "-", autoescape=True)


def search(
    session: Session, condition: Any, *, q: str | None, sort: str, page: int, per_page: int, after: str | None,
    before: str | None = None,
) -> SearchPage:
    """Open posts matching `condition` (the filters) and the keywords, `per_page` of them in `sort` order.
    `after`/`before`: a row's cursor; the page after it (or before it) in that order."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    query = select(Job).where(condition)
    count = select(Job.id).where(condition)
    rank: Any = None
    terms = query_terms(q) if q else []
    if q:
        if not terms:  # only punctuation: nothing can match
            return SearchPage([], 0, page, per_page, sort, None)
        query = query.join(JobSearchDocument, JobSearchDocument.job_id == Job.id)
        count = count.join(JobSearchDocument, JobSearchDocument.job_id == Job.id)
        if postgresql:
            tsquery = cast(literal(tsquery_text(terms)), TSQUERY)
            matches = JobSearchDocument.document.op("@@")(tsquery)
            rank = cast(func.ts_rank(JobSearchDocument.headline, tsquery), Float)
        else:
            matches = and_(*[
                JobSearchDocument.document.contains(f" {lexeme}" if prefix else f" {lexeme} ", autoescape=True)
                for lexeme, prefix in terms
            ])
            rank = sum((case((func.lower(Job.title).contains(lexeme, autoescape=True), 1), else_=0)
                        for lexeme, _ in terms), literal(0))
        query = query.where(matches)
        count = count.where(matches)
    if sort == "relevance" and rank is None:
        sort = "newest"
    key: Any = {"relevance": rank, "newest": Job.created_at, "salary": Job.salary_max}[sort]
    columns = [key.label("sort_key")] if sort == "relevance" else []
    query = query.add_columns(*columns) if columns else query
    key_type = Float() if sort == "relevance" else key.type
    backwards = bool(before) and not after
    if after:
        value, last_id = decode_cursor(after, sort)
        query = query.where(tuple_(key, Job.id) < tuple_(literal(value, key_type), literal(last_id)))
    elif before:
        value, first_id = decode_cursor(before, sort)
        query = query.where(tuple_(key, Job.id) > tuple_(literal(value, key_type), literal(first_id)))
    if backwards:
        # The page before the cursor: the rows just above it, read upwards and put back in order.
        query = query.order_by(key.asc(), Job.id.asc())
    else:
        query = query.order_by(key.desc(), Job.id.desc())
    query = query.options(joinedload(Job.employer))
    if not after and not before and page > 1:
        query = query.offset((page - 1) * per_page)
    rows = session.execute(query.limit(per_page + 1)).unique().all()
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    # Counted up to the cap: a LIMIT inside the count stops the scan there.
    counted = session.scalar(select(func.count()).select_from(count.limit(COUNT_CAP + 1).subquery())) or 0
    items = [row[0] for row in rows]

    def cursor(row: Any) -> str:
        value = row[1] if sort == "relevance" else getattr(row[0], "created_at" if sort == "newest" else "salary_max")
        return encode_cursor(sort, value, row[0].id)

    following = cursor(rows[-1]) if rows and (more or backwards) else None
    first_page = page <= 1 or (backwards and not more)
    previous = cursor(rows[0]) if rows and not first_page else None
    return SearchPage(items, min(counted, COUNT_CAP), page, per_page, sort, following,
                      total_is_exact=counted <= COUNT_CAP, previous=previous)
