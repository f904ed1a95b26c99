"""Graduate positions: posting, editing and closing by a verified employer; public search.

Every change writes an audit event and flushes; nothing here commits, and nothing here touches the
matching index: the index catches up with the database by the posts' `updated_at` the next time it is
used (talent.services.matching), so a change that is rolled back never reaches it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from talent.clock import today_in_changchun
from talent.codes import DIVISIONS, EDUCATION_NAMES
from talent.db import utcnow
from talent.models import Employer, Role, User
from talent.models.jobs import EDUCATION_LEVELS, JOB_KINDS, Job
from talent.services import Conflict, InvalidInput, NotAllowed, NotFound, job_search
from talent.services import occupations as occupation_service
from talent.services.audit import record_event
from talent.services.paging import (
    MAX_PER_PAGE,
    Page,
    fetch_page,
    is_valid_id,
    is_whole_number,
    paging_problems,
)

MAX_SALARY = 1_000_000  # monthly yuan; anything above is a typo (an annual figure, an extra zero)
MAX_HEADCOUNT = 10_000
MAX_MAJORS = 30
EDITABLE_FIELDS = (
    "title", "description", "min_education", "district", "salary_min", "salary_max", "headcount", "majors",
    "closing_date", "occupation_code",
)
_MAJOR_CODE = re.compile(r"^\d{2}(\d{2}(\d{2}[TK]{0,2})?)?$")


def education_rank(level: str) -> int:
    return EDUCATION_LEVELS.index(level)


# --- errors in both languages -----------------------------------------------------------------------


class LocalizedInvalidInput(InvalidInput):
    """InvalidInput whose field messages also exist in Chinese (`errors_zh`), for the pages.

    `errors` (English) is what the API answers; pages show `errors_zh` or `errors` by language.
    """

    def __init__(self, message: str, errors: dict[str, list[str]], errors_zh: dict[str, list[str]]) -> None:
        super().__init__(message, errors)
        self.errors_zh = errors_zh

    def errors_in(self, language: str) -> dict[str, list[str]]:
        return self.errors_zh if language == "zh" else self.errors


class Problems:
    """Field problems collected while checking input, so that every one is reported at once."""

    def __init__(self) -> None:
        self.en: dict[str, list[str]] = {}
        self.zh: dict[str, list[str]] = {}

    def add(self, field: str, zh: str, en: str) -> None:
        self.zh.setdefault(field, []).append(zh)
        self.en.setdefault(field, []).append(en)

    def __bool__(self) -> bool:
        return bool(self.en)

    def __contains__(self, field: str) -> bool:
        return field in self.en

    def raise_if_any(self, message: str) -> None:
        if self.en:
            raise LocalizedInvalidInput(message, self.en, self.zh)


def check_text(problems: Problems, field: str, value: Any, *, max_length: int, label_zh: str) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.add(field, f"请填写{label_zh}", "Must not be empty.")
        return ""
    value = value.strip()
    if len(value) > max_length:
        problems.add(field, f"{label_zh}不能超过 {max_length} 个字", f"Must be at most {max_length} characters long.")
    return value


def check_education(problems: Problems, field: str, value: Any) -> None:
    if value not in EDUCATION_LEVELS:
        names = [EDUCATION_NAMES[level]["zh"] for level in EDUCATION_LEVELS]
        problems.add(
            field, f"请选择学历：{'、'.join(names[:-1])}或{names[-1]}",
            f"Must be one of: {', '.join(EDUCATION_LEVELS)}.",
        )


def check_district(problems: Problems, field: str, value: Any) -> None:
    if value not in DIVISIONS:
        problems.add(
            field, f"“{value}”不是长春市的区县代码（GB/T 2260，例如 220104 朝阳区）",
            f"Unknown district {value!r}: must be a Changchun division code (GB/T 2260), e.g. 220104.",
        )


def check_money(problems: Problems, field: str, value: Any, *, label_zh: str, required: bool = True) -> None:
    if value is None:
        if required:
            problems.add(field, f"请填写{label_zh}", "Must be given (monthly yuan, a whole number).")
        return
    if not is_whole_number(value):
        problems.add(field, f"{label_zh}须为整数（元/月）", "Must be a whole number of yuan per month.")
    elif value <= 0 or value > MAX_SALARY:
        problems.add(
            field, f"{label_zh}须在 1 至 {MAX_SALARY:,} 元/月之间",
            f"Must be between 1 and {MAX_SALARY:,} yuan per month.",
        )


def check_major_references(problems: Problems, field: str, value: Any) -> list[str]:
    """Accepted majors: catalogue codes (080207), class prefixes (0809), category codes (08) or names.

    Codes must exist in the shipped catalogue; names are free text (the model reads them as the catalogue
    would, and an unknown name still counts by its field of work)."""
    from talent.services.graduates import major_catalogue

    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        problems.add(field, "专业须为专业代码或名称的列表", "Must be a list of major codes or names.")
        return []
    catalogue = major_catalogue()
    cleaned: list[str] = []
    for index, raw in enumerate(value):
        item = raw.strip()
        if not item:
            continue
        code = item.upper()
        if _MAJOR_CODE.match(code) or code.isdigit():
            if not catalogue.knows_code(code):
                problems.add(
                    f"{field}.{index}", f"专业目录中没有代码“{item}”（可填专业代码如 080902、专业类如 0809 或专业名称）",
                    f"Unknown major code {item!r}: give a catalogue major code (080902), a class prefix (0809) "
                    "or a major name.",
                )
                continue
            item = code
        elif len(item) > 60:
            problems.add(f"{field}.{index}", "专业名称不能超过 60 个字", "A major name must be at most 60 characters.")
            continue
        if item not in cleaned:
            cleaned.append(item)
    if len(cleaned) > MAX_MAJORS:
        problems.add(field, f"最多填写 {MAX_MAJORS} 个专业", f"At most {MAX_MAJORS} majors.")
    return cleaned


def _check_job_values(values: dict[str, Any], problems: Problems, *, closing_date_changed: bool) -> dict[str, Any]:
    """Check a complete set of job fields; return them cleaned (stripped text, upper-case codes)."""
    cleaned = dict(values)
    cleaned["title"] = check_text(problems, "title", values.get("title"), max_length=120, label_zh="岗位名称")
    cleaned["description"] = check_text(
        problems, "description", values.get("description"), max_length=10_000, label_zh="岗位描述"
    )
    check_education(problems, "min_education", values.get("min_education"))
    check_district(problems, "district", values.get("district"))
    check_money(problems, "salary_min", values.get("salary_min"), label_zh="最低月薪")
    check_money(problems, "salary_max", values.get("salary_max"), label_zh="最高月薪")
    low, high = values.get("salary_min"), values.get("salary_max")
    if "salary_min" not in problems and "salary_max" not in problems and low is not None and high is not None \
            and low > high:
        problems.add(
            "salary_min", f"最低月薪（{low:,} 元）不能高于最高月薪（{high:,} 元）",
            f"salary_min ({low}) is above salary_max ({high}).",
        )
    headcount = values.get("headcount")
    if headcount is None:
        problems.add("headcount", "请填写招聘人数", "Must be given.")
    elif not is_whole_number(headcount):
        problems.add("headcount", "招聘人数须为整数", "Must be a whole number.")
    elif headcount < 1 or headcount > MAX_HEADCOUNT:
        problems.add(
            "headcount", f"招聘人数须在 1 至 {MAX_HEADCOUNT:,} 之间",
            f"Must be between 1 and {MAX_HEADCOUNT:,} (got {headcount}).",
        )
    cleaned["majors"] = check_major_references(problems, "majors", values.get("majors"))
    cleaned["occupation_code"] = occupation_service.check_occupation_code(
        problems, "occupation_code", values.get("occupation_code"))
    closing = values.get("closing_date")
    if closing is not None:
        if not isinstance(closing, dt.date) or isinstance(closing, dt.datetime):
            problems.add("closing_date", "截止日期须为日期（年-月-日）", "Must be a date (YYYY-MM-DD).")
        elif closing_date_changed and closing < today_in_changchun():
            problems.add(
                "closing_date", f"截止日期 {closing.isoformat()} 已经过去",
                f"The closing date {closing.isoformat()} is in the past.",
            )
    return cleaned


def check_kind(session: Session, problems: Problems, employer: Employer, kind: Any) -> str:
    """`job` (the default) or `internship`, which only a designated training base posts."""
    from talent.names.events import INTERNSHIP_NEEDS_BASE
    from talent.services.training_bases import is_training_base

    if kind is None:
        return "job"
    if kind not in JOB_KINDS:
        problems.add("kind", "岗位类别只能是 job（就业岗位）或 internship（实训岗位）", "Must be job or internship.")
    elif kind == "internship" and not is_training_base(session, employer.id):
        problems.add("kind", INTERNSHIP_NEEDS_BASE.zh, INTERNSHIP_NEEDS_BASE.en)
    return kind


# --- who may post -------------------------------------------------------------------------------------


def posting_employer(session: Session, actor: User, employer_id: int | None = None) -> Employer:
    """The verified organisation `actor` posts for; refuse with a clear reason otherwise."""
    if actor.role != Role.EMPLOYER:
        raise NotAllowed("Only employer accounts post positions.")
    query = select(Employer).where(Employer.owner_id == actor.id).order_by(Employer.id)
    if employer_id is not None:
        if not is_valid_id(employer_id):
            raise InvalidInput("No such employer.", {"employer_id": ["Must be the id of your organisation."]})
        employer = session.get(Employer, employer_id)
        if employer is None:
            raise InvalidInput("No such employer.", {"employer_id": ["No such employer."]})
        if employer.owner_id != actor.id:
            raise NotAllowed("You may only post for the organisation your account registered.")
    else:
        owned = list(session.scalars(query))
        if not owned:
            raise NotAllowed("Register your organisation (POST /api/v1/employers) before posting positions.")
        if len(owned) > 1:
            raise InvalidInput(
                "Your account acts for several organisations: say which one posts.",
                {"employer_id": ["Required when the account acts for several organisations."]},
            )
        employer = owned[0]
    if not employer.is_verified:
        raise NotAllowed(
            f"The organisation {employer.name!r} has not been verified by the talent-service bureau yet; "
            "positions can be posted once an officer has verified it."
        )
    return employer


def get_job(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id, options=[joinedload(Job.employer)])
    if job is None:
        raise NotFound("No such position.")
    return job


def job_of_caller(session: Session, actor: User, job_id: int, *, lock: bool = False) -> Job:
    """A post of the caller's organisation; 404 if it does not exist, 403 if it belongs to another one."""
    query = select(Job).where(Job.id == job_id)
    if lock:
        query = query.with_for_update()
    job = session.scalar(query)
    if job is None:
        raise NotFound("No such position.")
    if actor.role != Role.EMPLOYER or job.employer.owner_id != actor.id:
        raise NotAllowed("This position belongs to another organisation.")
    return job


# --- use cases ------------------------------------------------------------------------------------------


def post_job(
    session: Session,
    actor: User,
    *,
    title: str,
    description: str,
    min_education: str,
    district: str,
    salary_min: int,
    salary_max: int,
    headcount: int,
    majors: Iterable[str] | None = None,
    closing_date: dt.date | None = None,
    employer_id: int | None = None,
    kind: str = "job",
    occupation_code: str | None = None,
) -> Job:
    """Post a position for the caller's verified organisation (`kind` internship: training bases only). Without
    `occupation_code` the platform's best CSCO-2022 suggestion is stored, unconfirmed; a code the employer gives
    counts as confirmed."""
    fields = {
        "kind": kind,
        "title": title, "description": description, "min_education": min_education, "district": district,
        "salary_min": salary_min, "salary_max": salary_max, "headcount": headcount,
        "majors": list(majors) if majors is not None else [], "closing_date": closing_date,
        "employer_id": employer_id, "occupation_code": occupation_code,
    }
    return post_jobs(session, [(actor, fields)])[0]


def post_jobs(session: Session, postings: list[tuple[User, dict[str, Any]]]) -> list[Job]:
    """Post several positions at once (each `(actor, fields)` as for `post_job`), all or none.

    One flush for the posts and one for their audit events, so that loading many posts (demo data, an
    import) costs two round trips instead of two per post. Errors name the field as `N.field` when more
    than one post is given."""
    problems = Problems()
    employers: dict[tuple[int, int | None], Employer] = {}
    prepared: list[tuple[User, Employer, dict[str, Any]]] = []
    for position, (actor, fields) in enumerate(postings):
        employer_key = (actor.id, fields.get("employer_id"))
        if employer_key not in employers:
            employers[employer_key] = posting_employer(session, actor, fields.get("employer_id"))
        own = Problems()
        values = _check_job_values(
            {name: fields.get(name) for name in EDITABLE_FIELDS}, own, closing_date_changed=True
        )
        values["kind"] = check_kind(session, own, employers[employer_key], fields.get("kind"))
        prefix = f"{position}." if len(postings) > 1 else ""
        for name in own.en:
            for zh, en in zip(own.zh[name], own.en[name], strict=True):
                problems.add(prefix + name, zh, en)
        prepared.append((actor, employers[employer_key], values))
    problems.raise_if_any("The position is not valid: see errors for each field.")
    _suggest_missing_codes([values for _actor, _employer, values in prepared])
    now = utcnow()
    jobs = [
        Job(employer_id=employer.id, created_by_id=actor.id, status="open", created_at=now, updated_at=now, **values)
        for actor, employer, values in prepared
    ]
    session.add_all(jobs)
    session.flush()
    for (actor, _employer, _values), job in zip(prepared, jobs, strict=True):
        record_event(session, actor=actor, action="job.posted", entity_type="job", entity_id=job.id, after=job.snapshot())
    session.flush()
    return jobs


def _suggest_missing_codes(posts: list[dict[str, Any]]) -> None:
    """Give each post without an occupation code the best suggestion for its title and description
    (unconfirmed); a post with a code has it confirmed."""
    missing = [values for values in posts if not values.get("occupation_code")]
    suggestions = occupation_service.suggest_many(
        [values["title"] for values in missing], [values["description"] for values in missing], top=1)
    for values, found in zip(missing, suggestions, strict=True):
        values["occupation_code"] = found[0].code if found else None
        values["occupation_confirmed"] = False
    for values in posts:
        values.setdefault("occupation_confirmed", True)


def update_job(session: Session, actor: User, job_id: int, changes: Mapping[str, Any]) -> Job:
    """Change fields of an open post; `status: "closed"` closes it (with any other changes, one event)."""
    job = job_of_caller(session, actor, job_id, lock=True)
    if not job.employer.is_verified:
        raise NotAllowed("Your organisation is not verified; its positions cannot be changed.")
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS) - {"status", "kind"})
    if unknown:
        raise InvalidInput("Unknown fields.", {name: ["Unknown field."] for name in unknown})
    status = changes.get("status")
    if status is not None and status not in ("open", "closed"):
        problems = Problems()
        problems.add("status", "状态只能是 open 或 closed", "Must be open or closed.")
        problems.raise_if_any("The change is not valid.")
    if job.status == "closed":
        if status == "closed" and len(changes) == 1:
            raise Conflict("The position is already closed.")
        raise Conflict("The position is closed; a closed post cannot be changed or reopened. Post it again instead.")
    before = job.snapshot()
    merged = {name: getattr(job, name) for name in EDITABLE_FIELDS}
    merged["majors"] = list(job.majors or [])
    merged.update({name: value for name, value in changes.items() if name in EDITABLE_FIELDS})
    problems = Problems()
    cleaned = _check_job_values(
        merged, problems, closing_date_changed="closing_date" in changes and changes["closing_date"] != job.closing_date
    )
    if "kind" in changes and changes["kind"] != job.kind:
        kind = check_kind(session, problems, job.employer, changes["kind"])
    else:
        kind = job.kind
    problems.raise_if_any("The change is not valid: see errors for each field.")
    for name in EDITABLE_FIELDS:
        if name in changes and name != "occupation_code":
            setattr(job, name, cleaned[name])
    job.kind = kind
    if "occupation_code" in changes and cleaned["occupation_code"]:
        job.occupation_code, job.occupation_confirmed = cleaned["occupation_code"], True  # the employer's choice
    elif "occupation_code" in changes or (
            not job.occupation_confirmed and ("title" in changes or "description" in changes)):
        # Cleared, or the words changed under an unconfirmed suggestion: suggest again from the new words.
        found = occupation_service.suggest(job.title, job.description, top=1)
        job.occupation_code, job.occupation_confirmed = (found[0].code if found else None), False
    closing = status == "closed"
    if closing:
        job.status = "closed"
        job.closed_at = utcnow()
    after = job.snapshot()
    if after == before:
        return job  # nothing changed: no event, and the index has nothing to catch up with
    job.updated_at = utcnow()
    record_event(
        session, actor=actor, action="job.closed" if closing else "job.updated", entity_type="job", entity_id=job.id,
        before=before, after=after,
    )
    if closing:
        # Nobody can be hired on a closed post: its open applications are declined and their graduates told.
        from talent.services.hiring import decline_pipeline

        decline_pipeline(session, job, reason="position_closed")
    session.flush()
    return job


def close_job(session: Session, actor: User, job_id: int) -> Job:
    return update_job(session, actor, job_id, {"status": "closed"})


# --- reading ---------------------------------------------------------------------------------------------


def open_jobs_condition(day: dt.date | None = None) -> Any:
    day = day or today_in_changchun()
    return (Job.status == "open") & or_(Job.closing_date.is_(None), Job.closing_date >= day)


def search_jobs(
    session: Session,
    *,
    q: str | None = None,
    district: str | None = None,
    education: str | None = None,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
    after: str | None = None,
    kind: str | None = None,
    occupation: str | None = None,
    before: str | None = None,
) -> Any:
    """Open positions (not closed, closing date not passed), one page in `sort` order: `relevance` to the
    keywords (the default with `q`), `newest` (the default without), `salary` (highest maximum first).

    `q`: every keyword must occur in the title, the description or the employer's name (services.job_search);
    `education`: posts whose minimum education is at most this level; `occupation`: a CSCO-2022 code or the
    prefix of a group (2, 2-02, 2-02-10); `kind`: job or internship only; `after`: the `next` cursor of the
    previous page (keyset paging, any depth at the same cost); `before`: the `previous` cursor of a page, for
    the page before it (the web page's "previous" link). `total` is exact up to job_search.COUNT_CAP hits
    (`total_is_exact`), beyond that COUNT_CAP.
    """
    problems = Problems()
    occupation = occupation_service.check_occupation_filter(problems, "occupation", occupation)
    if district:
        check_district(problems, "district", district)
    if education:
        check_education(problems, "education", education)
    for field, zh, en in paging_problems(page, per_page, MAX_PER_PAGE):
        problems.add(field, zh, en)
    if kind is not None and kind not in JOB_KINDS:
        problems.add("kind", "岗位类别只能是 job 或 internship", "Must be job or internship.")
    if q is not None and len(q) > 200:
        problems.add("q", "关键词不能超过 200 个字", "Must be at most 200 characters long.")
    if sort is not None and sort not in job_search.SORTS:
        problems.add("sort", "排序只能是 relevance、newest 或 salary", "Must be relevance, newest or salary.")
    sort = sort or ("relevance" if q else "newest")
    for field, cursor in (("after", after), ("before", before)):
        if cursor is not None:
            try:
                job_search.decode_cursor(cursor, "newest" if sort == "relevance" and not q else sort)
            except job_search.BadCursor:
                problems.add(field, "翻页标记无效，请从第一页重新查询",
                             "Not a cursor of this search: start again from the first page.")
    problems.raise_if_any("The search is not valid: see errors for each field.")

    condition = open_jobs_condition()
    if district:
        condition = condition & (Job.district == district)
    if education:
        condition = condition & Job.min_education.in_(EDUCATION_LEVELS[: education_rank(education) + 1])
    if kind:
        condition = condition & (Job.kind == kind)
    if occupation:
        condition = condition & job_search.occupation_condition(occupation)
    # What identifies this search's hits (not its order or page): a recent count of them may be reused.
    count_key = (tuple(job_search.query_terms(q)) if q else (), district, education, kind, occupation,
                 today_in_changchun())
    return job_search.search(session, condition, q=q, sort=sort, page=page, per_page=per_page, after=after,
                             before=before, count_key=count_key)


def jobs_of_employers(
    session: Session,
    employers: Iterable[Employer],
    *,
    status: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page[Job]:
    """The posts of some organisations (an employer account's), newest first, one page at a time;
    `status` open or closed narrows them."""
    problems = Problems()
    if status not in (None, "open", "closed"):
        problems.add("status", "状态只能是 open 或 closed", "Must be open or closed.")
    for field, zh, en in paging_problems(page, per_page, MAX_PER_PAGE):
        problems.add(field, zh, en)
    problems.raise_if_any("The listing is not valid: see errors for each field.")
    ids = [employer.id for employer in employers]
    query = select(Job).where(Job.employer_id.in_(ids)).order_by(Job.created_at.desc(), Job.id.desc())
    if status is not None:
        query = query.where(Job.status == status)
    return fetch_page(session, query, page, per_page, options=[joinedload(Job.employer)])


def job_counts(session: Session, employer: Employer) -> dict[str, int]:
    rows = session.execute(
        select(Job.status, func.count()).where(Job.employer_id == employer.id).group_by(Job.status)
    ).all()
    counts = {"open": 0, "closed": 0}
    counts.update({status: count for status, count in rows})
    return counts


def job_record(job: Job, *, day: dt.date | None = None) -> dict[str, Any]:
    """The job in the shape of an API.md job line, as the matching model reads it.

    A post that is closed or past its closing date is marked closed, so that the model drops it."""
    return {
        "id": str(job.id),
        "title": job.title,
        "description": job.description,
        "min_education": job.min_education,
        "district": job.district,
        "salary_min": job.salary_min,
        "salary_max": job.salary_max,
        "headcount": job.headcount,
        "majors": list(job.majors or []),
        "status": "open" if job.is_open_on(day or today_in_changchun()) else "closed",
        **({"occupation_code": job.occupation_code} if job.occupation_code else {}),
    }
