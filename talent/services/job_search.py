"""Job search at the city's scale: keywords in Chinese or English through an index made for it.

PostgreSQL has no Chinese text parser, and what its default parser and pg_trgm make of CJK characters depends
on the database's locale. So the words are cut here, in Python, the same way for every database: a run of
Chinese characters gives its single characters and its overlapping pairs (软件工程 → 软 件 工 程 软件 件工 工程),
a run of Latin letters or digits gives the lower-cased word (NFKC first: full-width letters become ASCII).
The lexemes of a post (title weight A, employer name B, description D) are written with the post into
`job_search_documents` (a `tsvector` built from quoted lexemes — no parser involved — with a GIN index on
PostgreSQL; the same lexemes as plain text on SQLite, the development database). A keyword becomes a
`tsquery` of its lexemes ANDed: a Chinese word of two or more characters must contain all its pairs, one
character itself, a Latin word is a prefix (`java` finds Java and JavaScript). Relevance is by tier — every
keyword in the title; in the title and the employer's name together; only with the description — then newest
first, decided on the small `headline` (title weight A, employer name B), so ranking thousands of hits never
reads their descriptions; each tier is read newest first, within windows of creation time when it is big.

Paging: `page` for the first pages, and a keyset cursor `after` (the last row's sort key and id, as returned
in `next`) that costs the same on any page — no OFFSET scan; `before` (the first row's, `previous`) goes back
a page the same way (the web page's links, docs/jobs.md).

Counting: the hits are counted exactly up to `COUNT_CAP` and no further (`total_is_exact` false: "1,000+"):
an exact count of thousands of hits costs more than finding and ranking the page shown; a count beyond the cap
is reused by the process for `COUNT_SECONDS`, smaller ones are always counted afresh.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import and_, case, cast, delete, event, func, insert, literal, select, tuple_
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session, joinedload

from talent.db import utcnow
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

_INDEXED = ("title", "description", "employer_id", "created_at")  # created_at: copied for the windows


def write_document(connection: Any, job_id: int, title: str, description: str, employer_id: int,
                   created_at: dt.datetime | None = None) -> None:
    name = connection.execute(select(Employer.name).where(Employer.id == employer_id)).scalar() or ""
    if created_at is None:
        created_at = connection.execute(select(Job.created_at).where(Job.id == job_id)).scalar()
    postgresql = connection.dialect.name == "postgresql"
    connection.execute(delete(JobSearchDocument).where(JobSearchDocument.job_id == job_id))
    connection.execute(insert(JobSearchDocument).values(
        job_id=job_id, document=document(title, name, description, postgresql=postgresql),
        headline=document(title, name, "", postgresql=postgresql), created_at=created_at))


@event.listens_for(Job, "after_insert")
def _document_of_a_new_post(_mapper: Any, connection: Any, job: Job) -> None:
    write_document(connection, job.id, job.title, job.description, job.employer_id, job.created_at)


@event.listens_for(Job, "after_update")
def _document_of_an_edited_post(_mapper: Any, connection: Any, job: Job) -> None:
    from sqlalchemy import inspect

    state = inspect(job)
    if any(state.attrs[name].history.has_changes() for name in _INDEXED):
        write_document(connection, job.id, job.title, job.description, job.employer_id, job.created_at)


# --- searching ---------------------------------------------------------------------------------------------


class BadCursor(ValueError):
    pass


def encode_cursor(sort: str, key: Any, job_id: int) -> str:
    if isinstance(key, dt.datetime):
        key = key.isoformat()
    elif isinstance(key, tuple):  # relevance: (tier, created_at)
        key = [key[0], key[1].isoformat()]
    raw = json.dumps([sort, key, job_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _moment(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise BadCursor("not a cursor of this search")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadCursor("not a cursor of this search") from None
    # A post's time, so within any sane range: a made-up one near year 1 or 9999 would overflow the windows.
    if not 2000 <= moment.year <= 2200:
        raise BadCursor("not a cursor of this search")
    return moment


def decode_cursor(text: str, sort: str) -> tuple[Any, int]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        kind, key, job_id = json.loads(raw)
    except (ValueError, TypeError):
        raise BadCursor("not a cursor of this search") from None
    if kind != sort or isinstance(job_id, bool) or not isinstance(job_id, int):
        raise BadCursor("a cursor of another sort order")
    if sort == "newest":
        key = _moment(key)
    elif sort == "relevance":
        if (not isinstance(key, list) or len(key) != 2 or isinstance(key[0], bool) or key[0] not in TIERS):
            raise BadCursor("not a cursor of this search")
        key = (key[0], _moment(key[1]))
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


# --- relevance tiers ---------------------------------------------------------------------------------------

TIERS = (2, 1, 0)  # best first: every keyword in the title; in the title and the employer's name; anywhere


def _tier_conditions(terms: list[tuple[str, bool]], postgresql: bool) -> tuple[dict[int, Any], Any]:
    """The condition of each relevance tier (disjoint) and of a hit at all: tier 2, every keyword part in the
    title; 1, in the title and the employer's name together (not all in the title); 0, found only with the
    description. Under -1: tiers 2 and 1 together (title and employer's name)."""
    if postgresql:
        title_only = " & ".join(_quoted(lexeme) + (":*A" if prefix else ":A") for lexeme, prefix in terms)
        plain = cast(literal(tsquery_text(terms)), TSQUERY)
        in_title = JobSearchDocument.headline.bool_op("@@")(cast(literal(title_only), TSQUERY))
        in_headline = JobSearchDocument.headline.bool_op("@@")(plain)
        anywhere = JobSearchDocument.document.bool_op("@@")(plain)
    else:
        # SQLite (development): the words of title and employer (headline) or of everything (document); the title
        # by its lower-cased characters.
        def holds(column: Any) -> Any:
            return and_(*[column.contains(f" {lexeme}" if prefix else f" {lexeme} ", autoescape=True)
                          for lexeme, prefix in terms])

        in_headline, anywhere = holds(JobSearchDocument.headline), holds(JobSearchDocument.document)
        in_title = and_(in_headline, *[func.lower(Job.title).contains(lexeme, autoescape=True) for lexeme, _ in terms])
    return {2: in_title, 1: and_(in_headline, ~in_title), 0: and_(anywhere, ~in_headline), -1: in_headline}, anywhere


def _tier_expression(conditions: dict[int, Any]) -> Any:
    return case((conditions[2], 2), (conditions[1], 1), else_=0)


# --- counting ----------------------------------------------------------------------------------------------

COUNT_SECONDS = 60.0  # a search's count is reused this long by one process (the page itself is always read)
_COUNT_ENTRIES = 2000


class _Counts:
    """Counts beyond the cap, per search, remembered by one application (one process) for COUNT_SECONDS."""

    def __init__(self) -> None:
        self.entries: OrderedDict[Hashable, tuple[float, int]] = OrderedDict()
        self.lock = threading.Lock()


def _remembered() -> _Counts | None:
    if not has_app_context():
        return None
    return current_app.extensions.setdefault("talent.search_counts", _Counts())


def _capped_count(session: Session, count: Any, key: Hashable | None) -> int:
    """The hits of `count` up to COUNT_CAP + 1. With `key` (the search's words and filters), a search found to
    have more than COUNT_CAP hits less than COUNT_SECONDS ago in this process is taken to have them still:
    counting a popular keyword's thousand hits costs more than finding and showing its page, and "1,000+ posts"
    a minute old is still true (docs/jobs.md, Counting). Smaller counts are cheap and always counted afresh, so a
    post closed or opened shows in them at once."""
    now = time.monotonic()
    counts = _remembered() if key is not None else None
    if counts is not None:
        with counts.lock:
            cached = counts.entries.get(key)
            if cached is not None and cached[0] > now and cached[1] > COUNT_CAP:
                return cached[1]
    counted = session.scalar(select(func.count()).select_from(count.limit(COUNT_CAP + 1).subquery())) or 0
    if counts is not None and counted > COUNT_CAP:
        with counts.lock:
            counts.entries[key] = (now + COUNT_SECONDS, counted)
            counts.entries.move_to_end(key)
            while len(counts.entries) > _COUNT_ENTRIES:
                counts.entries.popitem(last=False)
    return counted


# --- searching ---------------------------------------------------------------------------------------------


def search(
    session: Session, condition: Any, *, q: str | None, sort: str, page: int, per_page: int, after: str | None,
    before: str | None = None, count_key: Hashable | None = None,
) -> SearchPage:
    """Open posts matching `condition` (the filters) and the keywords, `per_page` of them in `sort` order.
    `after`/`before`: a row's cursor; the page after it (or before it) in that order. `count_key`: what
    identifies this search's hits (its words and filters), to reuse a recent count of them (`_capped_count`).

    Relevance (the default with keywords) is by tier — every keyword in the title, then in the title and the
    employer's name, then anywhere in the description — and newest first within a tier: each tier's page is
    read in index order and only as far as the page needs, so a keyword with thousands of hits costs what its
    first page costs (docs/jobs.md)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    query = select(Job).where(condition).options(joinedload(Job.employer))
    count = select(Job.id).where(condition)
    terms = query_terms(q) if q else []
    if q:
        if not terms:  # only punctuation: nothing can match
            return SearchPage([], 0, page, per_page, sort, None)
        tiers, matches = _tier_conditions(terms, postgresql)
        count = _restricted(count, matches, postgresql)
    if sort == "relevance" and not terms:
        sort = "newest"
    backwards = bool(before) and not after
    # Counted up to the cap: a LIMIT inside the count stops the scan there.
    counted = _capped_count(session, count, count_key)
    if sort == "relevance":
        # How many hits the title and employer's name hold (counted and remembered like the total): a tier with
        # none is not read, a tier with few is read whole, a tier with many within windows of time.
        headline = 0 if counted == 0 else _capped_count(
            session, _restricted(select(Job.id).where(condition), tiers[-1], postgresql),
            None if count_key is None else (count_key, "headline"))
        hits = {2: headline, 1: headline, 0: counted}
        rows = [] if counted == 0 else _relevance_rows(session, query, tiers, matches, postgresql, per_page, page,
                                                       after, before, hits)
    else:
        if q:
            query = _restricted(query, matches, postgresql)
        key: Any = {"newest": Job.created_at, "salary": Job.salary_max}[sort]
        if after:
            value, last_id = decode_cursor(after, sort)
            query = query.where(tuple_(key, Job.id) < tuple_(literal(value, key.type), literal(last_id)))
        elif before:
            value, first_id = decode_cursor(before, sort)
            query = query.where(tuple_(key, Job.id) > tuple_(literal(value, key.type), literal(first_id)))
        if backwards:
            # The page before the cursor: the rows just above it, read upwards and put back in order.
            query = query.order_by(key.asc(), Job.id.asc())
        else:
            query = query.order_by(key.desc(), Job.id.desc())
        if not after and not before and page > 1:
            query = query.offset((page - 1) * per_page)
        rows = [(job, None) for job in session.scalars(query.limit(per_page + 1)).unique()]
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    items = [row[0] for row in rows]

    def cursor(row: tuple[Job, int | None]) -> str:
        job, tier = row
        if sort == "relevance":
            return encode_cursor(sort, (tier, job.created_at), job.id)
        return encode_cursor(sort, job.created_at if sort == "newest" else job.salary_max, job.id)

    following = cursor(rows[-1]) if rows and (more or backwards) else None
    first_page = page <= 1 or (backwards and not more)
    previous = cursor(rows[0]) if rows and not first_page else None
    return SearchPage(items, min(counted, COUNT_CAP), page, per_page, sort, following,
                      total_is_exact=counted <= COUNT_CAP, previous=previous)


def _restricted(query: Any, documents: Any, postgresql: bool, *, fenced: bool = True) -> Any:
    """`query` (over jobs) restricted to the posts whose search document meets `documents`.

    PostgreSQL, `fenced`: through a subquery of the matching documents' ids that it plans on its own (an OFFSET
    keeps it from being merged into the outer query): with an ORDER BY … LIMIT outside, the planner may otherwise
    walk every open post in date order and test each one's document — a second and more for a rare keyword —
    instead of asking the GIN index for the few that match."""
    if postgresql and fenced:
        hits = select(JobSearchDocument.job_id).where(documents).offset(0).subquery("hits")
        return query.join(hits, hits.c.job_id == Job.id)
    return query.join(JobSearchDocument, JobSearchDocument.job_id == Job.id).where(documents)


def _relevance_rows(session: Session, query: Any, tiers: dict[int, Any], matches: Any, postgresql: bool,
                    per_page: int, page: int, after: str | None, before: str | None,
                    hits: dict[int, int]) -> list[tuple[Job, int]]:
    """Up to per_page + 1 rows (post, tier) in relevance order after the `after` cursor (or, with `before`,
    the rows just above that cursor, read upwards: the caller puts them back in order). `hits`: at least how
    many hits each tier may hold (capped counts): none, the tier is not read; more than COUNT_CAP, it is read
    within windows of time (`_newest_of_tier`), else all its hits at once."""
    newest = (Job.created_at.desc(), Job.id.desc())

    def tier_query(level: int) -> Any:
        return _restricted(query, tiers[level], postgresql)

    if not after and not before and page > 1:
        # A page by number beyond the first (links to page 2, 3 …): one query over every tier with OFFSET.
        tier = _tier_expression(tiers)
        ordered = _restricted(query, matches, postgresql)
        if postgresql:
            ordered = ordered.join(JobSearchDocument, JobSearchDocument.job_id == Job.id)
        ordered = ordered.add_columns(tier).order_by(tier.desc(), *newest)
        return [(job, int(level)) for job, level in
                session.execute(ordered.offset((page - 1) * per_page).limit(per_page + 1)).unique()]
    rows: list[tuple[Job, int]] = []
    if before and not after:
        (start, moment), first_id = decode_cursor(before, "relevance")
        for level in sorted(TIERS):  # upwards: the cursor's tier, then the better ones
            if level < start or not hits[level]:
                continue
            part = tier_query(level)
            if level == start:
                part = part.where(tuple_(Job.created_at, Job.id) > tuple_(literal(moment, Job.created_at.type),
                                                                         literal(first_id)))
            need = per_page + 1 - len(rows)
            rows += [(job, level) for job in session.scalars(
                part.order_by(Job.created_at.asc(), Job.id.asc()).limit(need)).unique()]
            if len(rows) > per_page:
                break
        return rows
    start, moment, last_id = 2, None, None
    if after:
        (start, moment), last_id = decode_cursor(after, "relevance")
    for level in TIERS:  # downwards: the best tier first, each read newest first and only as far as needed
        if level > start:
            continue
        if not hits[level]:
            continue
        need = per_page + 1 - len(rows)
        cursor = (moment, last_id) if level == start and last_id is not None else None
        rows += [(job, level) for job in _newest_of_tier(session, query, tiers[level], postgresql, need, cursor,
                                                         WINDOWS_DAYS if hits[level] > COUNT_CAP else ())]
        if len(rows) > per_page:
            break
    return rows


# A tier is read newest first within growing windows of creation time (days before the newest post wanted): a
# window holds few posts, which the planner finds by combining the keyword's index with the date index, so a
# frequent keyword costs its page, not all its hits; a rare one widens the window a few times, each cheap.
WINDOWS_DAYS = (7, 42, 180)


def _newest_of_tier(session: Session, query: Any, tier: Any, postgresql: bool, need: int,
                    cursor: tuple[dt.datetime, int] | None, windows: tuple[int, ...]) -> list[Job]:
    """Up to `need` posts of one tier, newest first, after `cursor` (created_at, id) if given."""
    newest = (JobSearchDocument.created_at.desc(), JobSearchDocument.job_id.desc())
    part = query.join(JobSearchDocument, JobSearchDocument.job_id == Job.id).where(tier)
    if cursor is not None:
        part = part.where(tuple_(JobSearchDocument.created_at, JobSearchDocument.job_id)
                          < tuple_(literal(cursor[0], Job.created_at.type), literal(cursor[1])))
    anchor = cursor[0] if cursor is not None else utcnow()
    for days in windows:
        since = anchor - dt.timedelta(days=days)
        found = list(session.scalars(
            part.where(JobSearchDocument.created_at > literal(since, Job.created_at.type))
            .order_by(*newest).limit(need)).unique())
        if len(found) >= need:
            return found
    # The whole history: through the matching documents (`_restricted`), every hit sorted.
    whole = _restricted(query, tier, postgresql, fenced=True)
    if cursor is not None:
        whole = whole.where(tuple_(Job.created_at, Job.id) < tuple_(literal(cursor[0], Job.created_at.type),
                                                                   literal(cursor[1])))
    return list(session.scalars(whole.order_by(Job.created_at.desc(), Job.id.desc()).limit(need)).unique())
