"""Why a job was matched to a graduate, in Chinese and English, with the structured parts."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from talent.scoring.features import GraduateProfile, JobProfile
from talent.scoring.knowledge import CATEGORY_NAMES, DISTRICT_NAMES, Knowledge
from talent.scoring.records import EDUCATION_LEVELS, EDUCATION_NAMES_ZH

# Field fit (0..1, the graduate's affinity averaged over the ad's field profile) from which a
# cross-class relation is called "related field" (车辆工程 → NVH simulation).
RELATED_FIELD_FIT = 0.45

MAJOR_RELATION_TEXT = {
    "same_major": ("专业对口（{major}）", "same major ({major})"),
    "same_class": ("专业同类（{class_name}）", "major in the same class ({class_name})"),
    "related_field": ("专业相关领域（{fields}）", "major in a related field ({fields_en})"),
    "same_category": ("同属{category}门类", "same discipline ({category})"),
    "any_major": ("专业不限", "any major accepted"),
    "weak": ("专业关联较弱", "weak major fit"),
}
EDUCATION_TEXT = {
    "meets": ("学历符合（{required}）", "education meets the minimum ({required_en})"),
    "above": ("学历高于要求（要求{required}）", "education above the minimum ({required_en})"),
}
DISTRICT_TEXT = {
    "preferred": ("区域符合（{district}）", "in a preferred district ({district})"),
    "not_preferred": ("区域不在意向内（{district}）", "outside the preferred districts ({district})"),
    "no_preference": ("未限定区域", "no district preference"),
    "unknown": ("岗位区域未注明", "job district not given"),
}
SALARY_TEXT = {
    "meets": ("薪资在期望范围内", "pay meets the expectation"),
    "below": ("薪资低于期望", "pay below the expectation"),
    "unknown": ("薪资面议", "pay not stated"),
    "no_expectation": ("未填写期望薪资", "no salary expectation given"),
}


def explanation_key(job: JobProfile) -> tuple:
    """What the content part of an explanation depends on (besides the graduate)."""
    return (tuple(sorted(job.majors)), tuple(sorted(job.classes)), job.any_major, tuple(sorted(job.skills)),
            tuple(sorted(job.fields.items())))


def field_fit(graduate: GraduateProfile, job: JobProfile) -> float:
    return sum(share * graduate.affinities.get(fid, 0.0) for fid, share in job.fields.items())


def major_relation(graduate: GraduateProfile, job: JobProfile, fit: float | None = None) -> str:
    if graduate.major_code and graduate.major_code in job.majors:
        return "same_major"
    if graduate.class_code and graduate.class_code in job.classes:
        return "same_class"
    if (fit if fit is not None else field_fit(graduate, job)) >= RELATED_FIELD_FIT:
        return "related_field"
    if graduate.category_code and graduate.category_code in job.categories:
        return "same_category"
    if job.any_major:
        return "any_major"
    return "weak"


def major_part(kb: Knowledge, graduate: GraduateProfile, job: JobProfile) -> tuple[str, str, str, float, list, list]:
    """(zh, en, relation, field fit, top fields, shared skill labels): the part of an explanation that
    depends on what the ad is about (the same for every ad with the same content)."""
    fit = field_fit(graduate, job)
    relation = major_relation(graduate, job, fit)
    top_fields = sorted(
        (fid for fid in job.fields if graduate.affinities.get(fid, 0.0) > 0),
        key=lambda fid: -job.fields[fid] * graduate.affinities[fid],
    )[:2]
    major = kb.majors[graduate.major_code].name if graduate.major_code else graduate.graduate.major
    class_name = kb.classes[graduate.class_code].name if graduate.class_code else ""
    category = CATEGORY_NAMES.get(graduate.category_code or "", "")
    values = {
        "major": major,
        "class_name": class_name,
        "category": category,
        "fields": "、".join(kb.fields[f].zh for f in top_fields),
        "fields_en": ", ".join(kb.fields[f].en for f in top_fields),
    }
    zh = MAJOR_RELATION_TEXT[relation][0].format(**values)
    en = MAJOR_RELATION_TEXT[relation][1].format(**values)
    shared_labels = [kb.skills[s].label for s in sorted(graduate.skills & job.skills)]
    if shared_labels:
        zh += "；共同技能：" + "、".join(shared_labels)
        en += "; shared skills: " + ", ".join(shared_labels)
    return zh, en, relation, round(fit, 3), top_fields, shared_labels


def tail_key(graduate: GraduateProfile, job: JobProfile) -> tuple[str, str, str, str, str]:
    """(education, required level, district relation, district code, salary relation)."""
    job_record, graduate_record = job.job, graduate.graduate
    education = "meets" if job_record.level == graduate_record.level else "above"
    if job_record.district is None:
        district = "unknown"
    elif not graduate_record.districts:
        district = "no_preference"
    elif job_record.district in graduate_record.districts:
        district = "preferred"
    else:
        district = "not_preferred"
    expected = graduate_record.expected_salary
    top_pay = job_record.salary_max if job_record.salary_max is not None else job_record.salary_min
    if not expected:
        salary = "no_expectation"
    elif top_pay is None:
        salary = "unknown"
    else:
        salary = "meets" if top_pay >= expected else "below"
    return education, EDUCATION_LEVELS[job_record.level], district, job_record.district or "", salary


@lru_cache(maxsize=4096)
def tail_text(education: str, required: str, district: str, district_code: str, salary: str) -> tuple[str, str]:
    name = DISTRICT_NAMES.get(district_code, "")
    zh = "；".join((
        EDUCATION_TEXT[education][0].format(required=EDUCATION_NAMES_ZH[required]),
        DISTRICT_TEXT[district][0].format(district=name),
        SALARY_TEXT[salary][0],
    ))
    en = "; ".join((
        EDUCATION_TEXT[education][1].format(required_en=required),
        DISTRICT_TEXT[district][1].format(district=district_code),
        SALARY_TEXT[salary][1],
    ))
    return zh, en


def explain_match(
    kb: Knowledge, graduate: GraduateProfile, job: JobProfile, content_part: tuple | None = None
) -> dict[str, Any]:
    """The `why` object of one match: zh and en sentences plus the parts they are made of."""
    zh, en, relation, fit, top_fields, shared_labels = content_part or major_part(kb, graduate, job)
    tail = tail_key(graduate, job)
    tail_zh, tail_en = tail_text(*tail)
    return {
        "zh": zh + "；" + tail_zh,
        "en": en + "; " + tail_en,
        "major": relation,
        "field_fit": fit,
        "fields": top_fields,
        "shared_skills": shared_labels,
        "education": tail[0],
        "district": tail[2],
        "salary": tail[4],
    }


# --- the same explanation pre-encoded as JSON, for batch output ----------------------------------
# JSON-escaping is compositional for strings, so a `why` is assembled from cached encoded pieces;
# `json.loads` of the result equals `explain_match` (tested).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def major_part_json(part: tuple) -> tuple[str, str, str]:
    zh, en, relation, fit, top_fields, shared_labels = part
    fragment = (f'"major":{_encode(relation)},"field_fit":{_encode(fit)},"fields":{_encode(top_fields)},'
                f'"shared_skills":{_encode(shared_labels)}')
    return _encode(zh)[1:-1], _encode(en)[1:-1], fragment


@lru_cache(maxsize=4096)
def tail_json(education: str, required: str, district: str, district_code: str, salary: str) -> tuple[str, str, str]:
    zh, en = tail_text(education, required, district, district_code, salary)
    fragment = f'"education":{_encode(education)},"district":{_encode(district)},"salary":{_encode(salary)}'
    return _encode(zh)[1:-1], _encode(en)[1:-1], fragment


def why_json(content: tuple[str, str, str], tail: tuple[str, str, str]) -> str:
    return (f'{{"zh":"{content[0]}；{tail[0]}","en":"{content[1]}; {tail[1]}",'
            f"{content[2]},{tail[2]}}}")
