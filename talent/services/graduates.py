"""Graduate profiles: what a graduate looks for, and whether employers may see it.

`consent_to_match` is the graduate's explicit permission to appear among an employer's candidates. Without
it the graduate still gets their own recommendations; no employer ever sees the profile.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talent.codes import DIVISIONS
from talent.db import utcnow
from talent.models import Role, User
from talent.models.jobs import EDUCATION_LEVELS, GraduateProfile
from talent.services import Conflict, NotAllowed, NotFound
from talent.services.audit import record_event
from talent.services.jobs import Problems, check_district, check_education, check_money

MAX_SKILLS = 30
MAX_SKILL_LENGTH = 40
_SKILL_SEPARATORS = re.compile(r"[、,，;；\n]+")


# --- the major catalogue (shipped with talent.scoring) ----------------------------------------------------


@dataclass(frozen=True)
class CatalogueMajor:
    code: str
    name: str
    class_code: str
    class_name: str
    category_code: str
    category_name: str
    catalogue: str = "undergraduate"


class MajorCatalogue:
    """The majors the platform knows (undergraduate, vocational and graduate catalogues), with their classes
    and categories; names and codes resolve as the matching model resolves them (talent.scoring.knowledge)."""

    def __init__(self, majors: list[CatalogueMajor], aliases: dict[str, str]) -> None:
        self.majors = majors
        self.by_code = {m.code: m for m in majors}
        self.by_alias = aliases
        self.class_codes = {m.class_code for m in majors if m.class_code}
        self.category_codes = {m.category_code for m in majors}

    @staticmethod
    def normalise_code(code: str, education: str | None = None) -> str:
        """080910T → 080910 (the suffix letters are not part of the key); 081200 → 0812 for a master."""
        from talent.scoring.knowledge import knowledge

        level = EDUCATION_LEVELS.index(education) if education in EDUCATION_LEVELS else None
        return knowledge().normalise_code(code, level)

    def knows_code(self, code: str) -> bool:
        """A major code (080902, 100201K, 530302), a class prefix (0809) or a category (08) in the catalogues."""
        return self.normalise_code(code) in self.by_code or code in self.class_codes or code in self.category_codes

    def major_for_name(self, name: str, education: str | None = None) -> CatalogueMajor | None:
        """The major a name, written exactly (or a known former or informal name), stands for; when catalogues
        share the name the education level picks one (高职专科 for college, 本科 for bachelor, 研究生 for master
        and doctor), as the matching model does (talent.scoring.knowledge.resolve_major_detailed)."""
        from talent.scoring.knowledge import LEVEL_PREFERENCE, knowledge
        from talent.scoring.text import normalize_text

        kb = knowledge()
        order = LEVEL_PREFERENCE[EDUCATION_LEVELS.index(education) if education in EDUCATION_LEVELS else None]
        key = normalize_text(name.strip())
        candidates = [(order.index(kb.majors[c].catalogue), 0, c) for c in kb.majors_by_name.get(key, ())]
        candidates += [(order.index(kb.majors[c].catalogue), 1, c) for c in kb.majors_by_alias.get(key, ())]
        return self.by_code.get(min(candidates)[2]) if candidates else None

    def grouped(self) -> list[tuple[str, list[CatalogueMajor]]]:
        """Majors grouped by class (for a select with optgroups), in code order; graduate disciplines by
        category (that catalogue has no classes)."""
        groups: dict[str, list[CatalogueMajor]] = {}
        for major in sorted(self.majors, key=lambda m: m.code):
            key = f"{major.class_code} {major.class_name}" if major.class_code else f"{major.category_code} {major.category_name}"
            groups.setdefault(key, []).append(major)
        return list(groups.items())


@lru_cache(maxsize=1)
def major_catalogue() -> MajorCatalogue:
    from talent.scoring import load_majors

    majors = []
    aliases: dict[str, str] = {}
    for major in load_majors():
        majors.append(
            CatalogueMajor(
                code=major.code, name=major.name, class_code=major.class_code, class_name=major.class_name,
                category_code=major.category_code, category_name=major.category_name, catalogue=major.catalogue,
            )
        )
        for alias in major.aliases:
            aliases.setdefault(alias, major.code)
    return MajorCatalogue(majors, aliases)


# --- profiles -------------------------------------------------------------------------------------------


def profile_of(session: Session, user: User) -> GraduateProfile | None:
    return session.scalar(select(GraduateProfile).where(GraduateProfile.user_id == user.id))


def require_profile(session: Session, user: User) -> GraduateProfile:
    profile = profile_of(session, user)
    if profile is None:
        raise NotFound("You have no graduate profile yet: fill it in first (PUT /api/v1/graduates/me).")
    return profile


def parse_skills(value: Any) -> list[str] | None:
    """Skills as a list, or as one text separated by 、 , ; or new lines; None when neither."""
    if value is None:
        return []
    if isinstance(value, str):
        value = _SKILL_SEPARATORS.split(value)
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        return None
    skills: list[str] = []
    for item in value:
        item = item.strip()
        if item and item not in skills:
            skills.append(item)
    return skills


def check_profile_values(
    *,
    major: Any,
    education: Any,
    skills: Any = None,
    preferred_districts: Any = None,
    expected_salary: Any = None,
    major_code: Any = None,
    graduation_date: Any = None,
    consent_to_match: Any = False,
) -> dict[str, Any]:
    """Check the fields of a graduate profile; return them cleaned, or raise LocalizedInvalidInput."""
    problems = Problems()
    catalogue = major_catalogue()
    if not isinstance(major, str) or not major.strip():
        problems.add("major", "请填写所学专业", "Must not be empty.")
        major = ""
    major = major.strip()
    if len(major) > 100:
        problems.add("major", "专业名称不能超过 100 个字", "Must be at most 100 characters long.")
    if major_code not in (None, ""):
        major_code = catalogue.normalise_code(str(major_code), education if isinstance(education, str) else None)
        if major_code not in catalogue.by_code:
            problems.add(
                "major_code", f"专业目录中没有专业代码“{major_code}”",
                f"Unknown major code {major_code!r}: not in the shipped catalogue.",
            )
    else:
        # A name typed exactly as in the catalogue gets its code, so that major fit is judged by code.
        found = catalogue.major_for_name(major, education if isinstance(education, str) else None) if major else None
        major_code = found.code if found else None
    check_education(problems, "education", education)
    if graduation_date is not None:
        if not isinstance(graduation_date, dt.date) or isinstance(graduation_date, dt.datetime):
            problems.add("graduation_date", "毕业日期须为日期（年-月-日）", "Must be a date (YYYY-MM-DD).")
        elif not dt.date(1960, 1, 1) <= graduation_date <= dt.date.today() + dt.timedelta(days=6 * 366):
            problems.add(
                "graduation_date", "毕业日期不在合理范围内（1960 年至今后 6 年）",
                "Must be between 1960 and six years from now.",
            )
    cleaned_skills = parse_skills(skills)
    if cleaned_skills is None:
        problems.add("skills", "技能须为文字列表", "Must be a list of texts.")
        cleaned_skills = []
    elif len(cleaned_skills) > MAX_SKILLS:
        problems.add("skills", f"最多填写 {MAX_SKILLS} 项技能", f"At most {MAX_SKILLS} skills.")
    elif any(len(skill) > MAX_SKILL_LENGTH for skill in cleaned_skills):
        problems.add(
            "skills", f"每项技能不能超过 {MAX_SKILL_LENGTH} 个字", f"Each skill must be at most {MAX_SKILL_LENGTH} characters."
        )
    districts: list[str] = []
    if preferred_districts is None:
        preferred_districts = []
    if not isinstance(preferred_districts, list | tuple):
        problems.add("preferred_districts", "意向区域须为区县代码列表", "Must be a list of district codes.")
    else:
        for index, code in enumerate(preferred_districts):
            if code in DIVISIONS:
                if code not in districts:
                    districts.append(code)
            else:
                check_district(problems, f"preferred_districts.{index}", code)
    check_money(problems, "expected_salary", expected_salary, label_zh="期望月薪", required=False)
    if not isinstance(consent_to_match, bool):
        problems.add("consent_to_match", "请明确选择是否同意", "Must be true or false.")
    problems.raise_if_any("The graduate profile is not valid: see errors for each field.")
    return {
        "major": major, "major_code": major_code, "education": education, "graduation_date": graduation_date,
        "skills": cleaned_skills, "preferred_districts": districts, "expected_salary": expected_salary,
        "consent_to_match": consent_to_match,
    }


def save_graduate_profile(session: Session, actor: User, **fields: Any) -> GraduateProfile:
    """Create or replace the caller's graduate profile (a PUT: every field is given anew).

    Fields: major, education, skills, preferred_districts, expected_salary, major_code, graduation_date,
    consent_to_match (see `check_profile_values`)."""
    if actor.role != Role.APPLICANT:
        raise NotAllowed("Only applicant accounts have a graduate profile.")
    values = check_profile_values(**fields)
    profile = profile_of(session, actor)
    if profile is None:
        created = create_graduate_profiles(session, [(actor, values)])[0]
        _refresh_matches_after_commit(session, created)
        return created
    before = profile.snapshot()
    now = utcnow()
    if profile.consent_to_match != values["consent_to_match"]:
        profile.consent_changed_at = now
    for name, value in values.items():
        setattr(profile, name, value)
    after = profile.snapshot()
    if before == after:
        return profile
    profile.updated_at = now
    if before["consent_to_match"] != after["consent_to_match"]:
        action = "graduate_profile.consent_given" if after["consent_to_match"] else "graduate_profile.consent_withdrawn"
    else:
        action = "graduate_profile.updated"
    record_event(
        session, actor=actor, action=action, entity_type="graduate_profile", entity_id=profile.id,
        before=before, after=after,
    )
    session.flush()
    _refresh_matches_after_commit(session, profile)
    return profile


def _refresh_matches_after_commit(session: Session, profile: GraduateProfile) -> None:
    """Once the saved profile is committed, its stored matches are recomputed (a worker's task; in the calling
    process without Redis), so the graduate's matches are right without waiting for the nightly refresh; a
    withdrawn consent removes the stored set."""
    from talent.tasks import enqueue

    enqueue("talent.refresh_graduate_matches", [profile.id], after_commit_of=session)


def create_graduate_profiles(session: Session, entries: list[tuple[User, dict[str, Any]]]) -> list[GraduateProfile]:
    """First profiles of several graduates at once, from values checked by `check_profile_values`
    (two flushes in all: the demo data and imports load many)."""
    now = utcnow()
    profiles = []
    for user, values in entries:
        if user.role != Role.APPLICANT:
            raise NotAllowed("Only applicant accounts have a graduate profile.")
        profiles.append(
            GraduateProfile(user_id=user.id, created_at=now, updated_at=now, consent_changed_at=now, **values)
        )
    try:
        # A graduate's two first saves at once (two tabs, a double click) both find no profile; the unique
        # user_id decides, and the second gets a 409 instead of a failed transaction.
        with session.begin_nested():
            session.add_all(profiles)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "The graduate profile was created meanwhile by another request: load it and save again."
        ) from exc
    for (user, _values), profile in zip(entries, profiles, strict=True):
        record_event(
            session, actor=user, action="graduate_profile.created", entity_type="graduate_profile",
            entity_id=profile.id, after=profile.snapshot(),
        )
    session.flush()
    return profiles


def consenting_profiles(session: Session, *, min_education: str, limit: int) -> list[GraduateProfile]:
    """Profiles whose owners agreed to be shown to employers (active accounts only) and whose education is at
    least `min_education`: the pool a post's candidates are ranked from.

    Both conditions are applied by the database, and at most `limit` profiles are read, the most recently
    updated first (a graduate who keeps the profile up to date is looking now). The accounts are not loaded:
    only the few candidates shown need their (masked) names."""
    levels = EDUCATION_LEVELS[EDUCATION_LEVELS.index(min_education):]
    query = (
        select(GraduateProfile)
        .join(User, GraduateProfile.user_id == User.id)
        .where(
            GraduateProfile.consent_to_match.is_(True),
            User.is_active.is_(True),
            GraduateProfile.education.in_(levels),
        )
        .order_by(GraduateProfile.updated_at.desc(), GraduateProfile.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def graduate_record(profile: GraduateProfile) -> dict[str, Any]:
    """The profile in the shape of an API.md graduate line, as the matching model reads it."""
    record: dict[str, Any] = {
        "id": str(profile.id),
        "major": profile.major,
        "education": profile.education,
        "skills": list(profile.skills or []),
        "preferred_districts": list(profile.preferred_districts or []),
        "expected_salary": profile.expected_salary,
    }
    if profile.major_code:
        record["major_code"] = profile.major_code
    return record
