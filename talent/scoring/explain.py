"""Why a job was matched to a graduate, in Chinese and English, with the structured parts."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np

from talent.scoring.features import QUANTUM, GraduateProfile, JobProfile
from talent.scoring.knowledge import (
    CATALOGUE_LABELS,
    CATEGORY_NAMES,
    DISTRICT_NAMES,
    RESOLUTION_TEXT,
    Knowledge,
)
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


def scored_affinities(graduate: GraduateProfile, field_weight: float) -> dict[str, float]:
    """The graduate's field affinities as the score holds them: `field_weight × affinity` on the
    2^-8 grid of the vectors (features.snap), so that products with a job's field shares (also on
    that grid) are exact and a sum of them does not depend on the order it is added in: the bulk
    path (NumPy) and this one give the same field fit to the last bit."""
    scored = {}
    for fid, affinity in graduate.affinities.items():
        value = round(float(np.float32(field_weight * affinity)) * QUANTUM) / QUANTUM
        if value > 0:
            scored[fid] = value
    return scored


def field_products(scored: dict[str, float], job: JobProfile) -> dict[str, float]:
    """Per field of the ad: the share of the ad about it × the graduate's scored affinity (> 0 only)."""
    return {fid: share * scored[fid] for fid, share in job.fields.items() if fid in scored and share > 0}


def field_fit(products: dict[str, float], field_weight: float) -> float:
    """0..1: how much of what the ad is about the graduate's major and skills are strong in."""
    return sum(products.values()) / field_weight if field_weight > 0 else 0.0


def top_fields(kb: Knowledge, products: dict[str, float]) -> list[str]:
    """The (at most) two fields that contribute most to the field fit; ties go by catalogue order."""
    position = field_positions(kb)
    return sorted(products, key=lambda fid: (-products[fid], position[fid]))[:2]


@lru_cache(maxsize=4)
def field_positions(kb: Knowledge) -> dict[str, int]:
    return {fid: number for number, fid in enumerate(kb.fields)}


def major_relation(graduate: GraduateProfile, job: JobProfile, fit: float) -> str:
    if graduate.major_code and graduate.major_code in job.majors:
        return "same_major"
    if graduate.class_code and graduate.class_code in job.classes:
        return "same_class"
    if fit >= RELATED_FIELD_FIT:
        return "related_field"
    if graduate.category_code and graduate.category_code in job.categories:
        return "same_category"
    if job.any_major:
        return "any_major"
    return "weak"


def relation_text(kb: Knowledge, relation: str, graduate: GraduateProfile, fields: list[str]) -> tuple[str, str]:
    """The major sentence (zh, en) of an explanation."""
    values = {
        "major": kb.majors[graduate.major_code].name if graduate.major_code else graduate.graduate.major,
        "class_name": kb.classes[graduate.class_code].name if graduate.class_code else "",
        "category": CATEGORY_NAMES.get(graduate.category_code or "", ""),
        "fields": "、".join(kb.fields[f].zh for f in fields),
        "fields_en": ", ".join(kb.fields[f].en for f in fields),
    }
    zh, en = MAJOR_RELATION_TEXT[relation]
    return zh.format(**values), en.format(**values)


def resolution_part(kb: Knowledge, graduate: GraduateProfile) -> tuple[str, str, dict[str, Any]]:
    """How the graduate's major was resolved: (zh sentence, en sentence, structured part), e.g.
    "按文字相近：大数据与会计（530302，高职专科）". The sentences begin with the separator."""
    found = graduate.resolution
    if found is None:
        return "", "", {}
    zh_method, en_method = RESOLUTION_TEXT[found.method]
    part: dict[str, Any] = {"method": found.method, "code": found.code, "name": None, "catalogue": None}
    if found.code:
        major = kb.majors[found.code]
        zh_label, en_label = CATALOGUE_LABELS[major.catalogue]
        part.update(name=major.name, catalogue=major.catalogue)
        via = f"{found.matched} → " if found.method == "alias" else ""
        zh = f"；{zh_method}：{via}{major.name}（{major.code}，{zh_label}）"
        en = f"; major resolved {en_method}: {via}{major.name} ({major.code}, {en_label})"
    elif found.class_code:
        major_class = kb.classes[found.class_code]
        part.update(code=major_class.code, name=major_class.name, catalogue=major_class.catalogue)
        zh = f"；{zh_method}：{major_class.name}（{major_class.code}）"
        en = f"; major resolved {en_method}: {major_class.name} ({major_class.code})"
    else:
        zh, en = f"；{zh_method}", f"; {en_method}"
    return zh, en, part


def skills_text(labels: list[str]) -> tuple[str, str]:
    """The shared-skills sentence (zh, en), empty without shared skills."""
    if not labels:
        return "", ""
    return "；共同技能：" + "、".join(labels), "; shared skills: " + ", ".join(labels)


def shared_skill_labels(kb: Knowledge, skill_ids: Iterable[str]) -> list[str]:
    return [kb.skills[s].label for s in sorted(skill_ids)]


def major_part(
    kb: Knowledge, graduate: GraduateProfile, job: JobProfile, field_weight: float
) -> tuple[str, str, str, float, list, list]:
    """(zh, en, relation, field fit, top fields, shared skill labels): the part of an explanation that
    depends on what the ad is about (the same for every ad with the same content).

    `job` must be a profile read back from its vector (`FeatureLayout.profile_from_row`), whose field
    shares are the ones the score uses; `field_weight` is the model's `Weights.field`.
    """
    products = field_products(scored_affinities(graduate, field_weight), job)
    fit = field_fit(products, field_weight)
    relation = major_relation(graduate, job, fit)
    fields = top_fields(kb, products)
    zh, en = relation_text(kb, relation, graduate, fields)
    resolution_zh, resolution_en, _ = resolution_part(kb, graduate)
    labels = shared_skill_labels(kb, graduate.skills & job.skills)
    skills_zh, skills_en = skills_text(labels)
    return (zh + resolution_zh + skills_zh, en + resolution_en + skills_en, relation, round(fit, 3), fields,
            labels)


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
    kb: Knowledge, graduate: GraduateProfile, job: JobProfile, field_weight: float, content_part: tuple | None = None
) -> dict[str, Any]:
    """The `why` object of one match: zh and en sentences plus the parts they are made of."""
    zh, en, relation, fit, fields, shared_labels = content_part or major_part(kb, graduate, job, field_weight)
    tail = tail_key(graduate, job)
    tail_zh, tail_en = tail_text(*tail)
    why = {
        "zh": zh + "；" + tail_zh,
        "en": en + "; " + tail_en,
        "major": relation,
        "field_fit": fit,
        "fields": fields,
        "shared_skills": shared_labels,
        "education": tail[0],
        "district": tail[2],
        "salary": tail[4],
    }
    resolution = resolution_part(kb, graduate)[2]
    if resolution:
        why["major_resolution"] = resolution
    return why


# --- the same explanation pre-encoded as JSON, for batch output ----------------------------------
# JSON-escaping is compositional for strings, so a `why` is assembled from cached encoded pieces;
# `json.loads` of the result equals `explain_match` (tested).
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@lru_cache(maxsize=4096)
def tail_json(education: str, required: str, district: str, district_code: str, salary: str) -> tuple[str, str, str]:
    zh, en = tail_text(education, required, district, district_code, salary)
    fragment = f'"education":{_encode(education)},"district":{_encode(district)},"salary":{_encode(salary)}'
    return _encode(zh)[1:-1], _encode(en)[1:-1], fragment
