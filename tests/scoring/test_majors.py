"""The national major catalogues as data and how a graduate's major resolves against them.

The failure cases are made up for these tests (compound and vocational names written the way people
write them), not taken from anyone's data.
"""

from __future__ import annotations

import json
import re

import pytest

from talent.scoring import MatchModel, load_catalogues, load_majors
from talent.scoring.knowledge import CATEGORY_NAMES, LEVEL_PREFERENCE, SIMILARITY_THRESHOLD, knowledge

COLLEGE, BACHELOR, MASTER = 0, 1, 2


def test_each_catalogue_records_its_edition_source_and_counts():
    catalogues = {c.id: c for c in load_catalogues()}
    assert set(catalogues) == {"undergraduate", "vocational", "graduate"}
    assert (catalogues["undergraduate"].edition, catalogues["vocational"].edition, catalogues["graduate"].edition) == (
        "2025年", "2021年", "2022年")
    for catalogue in catalogues.values():
        assert catalogue.source.startswith("https://github.com/") and catalogue.title
        assert catalogue.majors == len(load_majors(catalogue.id))
    assert catalogues["vocational"].note  # it says what the source lacks
    assert len(load_majors()) == sum(c.majors for c in catalogues.values()) >= 1600


def test_rows_are_consistent_codes_classes_and_categories():
    kb = knowledge()
    for major in load_majors():
        assert major.category_name == CATEGORY_NAMES[major.code[:2]] == CATEGORY_NAMES[major.category_code]
        if major.catalogue == "graduate":
            assert re.fullmatch(r"\d{4}", major.code) and major.class_code == ""
        else:
            assert re.fullmatch(r"\d{6}", major.code) and major.class_code == major.code[:4]
            assert kb.classes[major.class_code].name == major.class_name
    vocational = {m.code: m for m in load_majors("vocational")}
    assert (vocational["530302"].name, vocational["530302"].class_name, vocational["530302"].category_name) == (
        "大数据与会计", "财务会计类", "财经商贸大类")
    undergraduate = {m.code: m for m in load_majors("undergraduate")}
    assert (undergraduate["082302"].name, undergraduate["082302"].class_name) == ("农业机械化及其自动化", "农业工程类")
    # every class has field affinities (hand-set in classes.tsv)
    assert all(kb.class_affinities(code) for code in kb.classes)


@pytest.mark.parametrize(("code", "level", "expected"), [
    ("080910T", BACHELOR, "080910"),  # the T/K suffix letters are not part of the key
    ("100201k", BACHELOR, "100201"),
    ("530302", COLLEGE, "530302"),
    ("0812", MASTER, "0812"),  # a graduate discipline
    ("081200", MASTER, "0812"),  # written with its two trailing zeros
])
def test_a_given_major_code_is_used(code, level, expected):
    found = knowledge().resolve_major_detailed("随便写的专业", code, level)
    assert (found.method, found.code) == ("code", expected)


def test_a_four_digit_code_of_a_bachelor_is_a_class_not_a_graduate_discipline():
    found = knowledge().resolve_major_detailed("", "0809", BACHELOR)
    assert (found.method, found.code, found.class_code) == ("class", None, "0809")


@pytest.mark.parametrize(("name", "level", "code", "method"), [
    ("工业设计", COLLEGE, "460105", "exact"),  # the same name in two catalogues: the level decides
    ("工业设计", BACHELOR, "080205", "exact"),
    ("计算机科学与技术", MASTER, "0812", "exact"),
    ("计算机科学与技术", BACHELOR, "080901", "exact"),
    ("护理", COLLEGE, "520201", "exact"),
    ("护理", BACHELOR, "101101", "alias"),  # an informal name in the bachelor's own catalogue goes first
    ("会计", COLLEGE, "530302", "alias"),
    ("会计", BACHELOR, "120203", "alias"),
    ("会计", MASTER, "1253", "exact"),
    ("车辆工程（汽车电子方向）", BACHELOR, "080207", "exact"),  # decorations are ignored
])
def test_exact_name_then_alias_with_the_level_choosing_the_catalogue(name, level, code, method):
    found = knowledge().resolve_major_detailed(name, None, level)
    assert (found.code, found.method) == (code, method)


def test_text_similarity_has_a_threshold_below_which_the_major_is_unresolved():
    kb = knowledge()
    close = kb.resolve_major_detailed("长春理工大学光电信息科学与工程专业", None, BACHELOR)
    assert (close.method, close.code) == ("similar", "080705") and close.score >= SIMILARITY_THRESHOLD
    far = kb.resolve_major_detailed("量子烹饪学", None, BACHELOR)
    assert (far.method, far.code, far.class_code) == ("unresolved", None, None)
    assert kb.resolve_major_detailed("计算机类", None, COLLEGE).class_code == "5102"  # a class name, by level
    assert kb.resolve_major_detailed("计算机类", None, BACHELOR).class_code == "0809"


# Failure pattern 1: compound and vocational names resolved to the wrong class.
@pytest.mark.parametrize(("name", "level", "class_code", "not_class"), [
    ("大数据与会计", COLLEGE, "5303", "5102"),  # accounting (财务会计类), not IT
    ("大数据与智能会计", COLLEGE, "5303", "5102"),
    ("大数据财务会计", COLLEGE, "5303", "0809"),
    ("农业机械自动化", BACHELOR, "0823", "0808"),  # agricultural engineering, not automation
    ("现代农业机械化与自动化技术", COLLEGE, "0823", "4603"),
    ("汽车电子技术与检测", COLLEGE, "4607", "5101"),  # car manufacturing, not electronics
    ("电子商务与直播营销", COLLEGE, "5307", "5101"),
])
def test_compound_names_resolve_to_the_class_of_their_subject(name, level, class_code, not_class):
    found = knowledge().resolve_major_detailed(name, None, level)
    assert found.class_code == class_code != not_class, found


POSTS = [
    {"id": "acct", "title": "会计", "min_education": "college", "district": "220104",
     "description": "负责日常会计核算、凭证录入、纳税申报和报表编制，熟练使用Excel和财务软件。"},
    {"id": "bigdata", "title": "大数据开发工程师", "min_education": "college", "district": "220104",
     "salary_min": 9000, "salary_max": 12000,
     "description": "负责大数据平台开发，熟悉Hadoop、Spark、Python和SQL，参与数据仓库建设。"},
    {"id": "agri", "title": "农机技术员", "min_education": "bachelor", "district": "220122",
     "description": "负责农业机械的选型、调试与维修，指导拖拉机、收获机等农机具的田间作业。"},
    {"id": "elec", "title": "电气自动化工程师", "min_education": "bachelor", "district": "220104",
     "salary_min": 9000, "salary_max": 12000,
     "description": "负责工厂PLC编程、电气控制柜设计与变频器调试，维护生产线电气设备。"},
]


@pytest.fixture(scope="module")
def model() -> MatchModel:
    return MatchModel(n_threads=1).fit(POSTS)


@pytest.mark.parametrize(("major", "education", "first", "below"), [
    ("大数据与会计", "college", "acct", "bigdata"),
    ("大数据与智能会计", "college", "acct", "bigdata"),
    ("农业机械自动化", "bachelor", "agri", "elec"),
])
def test_the_ranking_puts_the_post_of_the_resolved_subject_first(model, major, education, first, below):
    [result] = model.rank_jobs_for_graduates([{"id": "g", "major": major, "education": education}], top=4)
    order = [m["job_id"] for m in result["matches"]]
    assert order[0] == first and order.index(first) < order.index(below)


def test_the_explanation_says_how_the_major_was_resolved(model):
    graduates = [
        {"id": "exact", "major": "大数据与会计", "education": "college"},
        {"id": "similar", "major": "大数据与智能会计", "education": "college"},
        {"id": "alias", "major": "会计", "education": "college"},
        {"id": "code", "major": "x", "major_code": "530302", "education": "college"},
        {"id": "none", "major": "量子烹饪学", "education": "college"},
    ]
    results = {r["graduate_id"]: r["matches"][0]["why"] for r in model.rank_jobs_for_graduates(graduates, top=1)}
    assert "按专业名称精确匹配：大数据与会计（530302，高职专科）" in results["exact"]["zh"]
    assert "major resolved by exact name: 大数据与会计 (530302, vocational (associate))" in results["exact"]["en"]
    assert "按文字相近：大数据与会计（530302，高职专科）" in results["similar"]["zh"]
    assert "按曾用名或别名：会计 → 大数据与会计（530302，高职专科）" in results["alias"]["zh"]
    assert "按专业代码：大数据与会计（530302，高职专科）" in results["code"]["zh"]
    assert "专业未能对应到目录" in results["none"]["zh"] and "major not found in the catalogues" in results["none"]["en"]
    assert results["similar"]["major_resolution"] == {
        "method": "similar", "code": "530302", "name": "大数据与会计", "catalogue": "vocational"}
    assert results["none"]["major_resolution"]["method"] == "unresolved"


def test_the_bulk_output_carries_the_same_resolution(model):
    graduates = [
        {"id": "a", "major": "大数据与智能会计", "education": "college"},
        {"id": "b", "major": "农业机械自动化", "education": "bachelor"},
        {"id": "c", "major": "农业机械自动化", "education": "college"},  # same text, other level: own profile
    ]
    expected = model.rank_jobs_for_graduates(graduates, top=3)
    bulk = [json.loads(line) for line in model.rank_jobs_json_lines(graduates, top=3)]
    assert bulk == expected
    assert {m["why"]["major_resolution"]["code"] for r in bulk for m in r["matches"]} == {"530302", "082302"}


def test_level_preference_covers_every_level():
    assert set(LEVEL_PREFERENCE) == {None, 0, 1, 2, 3}
    assert all(sorted(order) == sorted(("undergraduate", "vocational", "graduate")) for order in LEVEL_PREFERENCE.values())
