"""Issue 14: relevance before preferences, direct evidence before structural relation, the learned ranker, fair
exposure. Made-up posts and graduates (not copies of anyone's data)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from talent.scoring import MatchModel, ModelFileRejected, load_model, save_model
from talent.scoring.demo import demo_graduates, demo_jobs
from talent.scoring.exposure import DEFAULT_STRENGTH, coverage_and_gini, rerank
from talent.scoring.features import PREFERRED_WEIGHT, Weights, check_prefer, preference_part
from talent.scoring.learn import (
    cross_validate,
    fit_weights,
    outcome_grade,
    read_grades,
    read_outcomes,
    read_records,
    weights_from_coefficients,
)
from talent.scoring.ranker import SHIPPED, RankerFileRejected, default_weights, read_ranker
from talent.scoring.records import validate_graduate, validate_job

# Both the hand-set fallback and the shipped learned weights must keep the guarantees.
WEIGHTS = pytest.mark.parametrize("weights", [Weights(), read_ranker(SHIPPED)[0]], ids=["hand-set", "learned"])


def job(job_id, title, description, district, salary_min, salary_max, majors=(), education="bachelor", headcount=3):
    return {"id": job_id, "title": title, "description": description, "min_education": education,
            "district": district, "salary_min": salary_min, "salary_max": salary_max, "headcount": headcount,
            "majors": list(majors)}


# A vehicle-engineering graduate who would like to work in 朝阳区 (220104) for 9,000 a month.
VEHICLE_GRADUATE = {"id": "G1", "major": "车辆工程", "education": "bachelor", "skills": ["CATIA", "有限元分析"],
                    "preferred_districts": ["220104"], "expected_salary": 9000}
RELEVANT_FAR = job("R-far", "底盘结构设计工程师", "负责底盘零部件三维结构设计，熟练使用CATIA，车辆工程、机械类相关专业。",
                   "220174", 5000, 6000, majors=["080207"])
RELEVANT_NEAR = job("R-near", "车身结构设计工程师", "负责车身零部件三维结构设计，熟练使用CATIA，车辆工程、机械类相关专业。",
                    "220104", 5000, 6000, majors=["080207"])
IRRELEVANT_NEAR_RICH = [
    job("X-nurse", "护士", "负责病房护理，护理学专业，持护士执业资格证。", "220104", 12000, 16000, majors=["101101"]),
    job("X-teacher", "小学语文教师", "负责语文教学，汉语言文学专业，持教师资格证。", "220104", 12000, 16000, majors=["050101"]),
    job("X-account", "会计", "负责总账与报表，会计学、财务管理专业，熟悉用友。", "220104", 12000, 16000, majors=["120203K"]),
]


def ranked_ids(model, graduate, prefer=None, top=10):
    return [m["job_id"] for m in model.rank_jobs_for_graduates([graduate], top=top, prefer=prefer)[0]["matches"]]


@WEIGHTS
def test_a_relevant_post_far_away_and_worse_paid_stays_above_irrelevant_near_well_paid_ones(weights):
    model = MatchModel(weights=weights, n_threads=1).fit([RELEVANT_FAR, *IRRELEVANT_NEAR_RICH])
    for prefer in (None, "relevance", "near", "pay"):
        ids = ranked_ids(model, VEHICLE_GRADUATE, prefer)
        assert ids[0] == "R-far", (prefer, ids)
    # The irrelevant posts are preferred on both counts: without the tolerance they would have been above.
    scores = model.score_pairs([VEHICLE_GRADUATE])[0]
    preference = [preference_part(weights, validate_graduate(VEHICLE_GRADUATE), validate_job(j))
                  for j in [RELEVANT_FAR, *IRRELEVANT_NEAR_RICH]]
    assert preference[0] < min(preference[1:])
    assert scores[0] - max(scores[1:]) > PREFERRED_WEIGHT + weights.salary


@WEIGHTS
def test_among_similar_fits_near_first_puts_the_post_in_the_preferred_district_first(weights):
    # A process-engineering post fits a shade less than the design post (scores within a few hundredths):
    # relevance first keeps the design post first, near first swaps the two; the irrelevant posts stay below.
    far = {**RELEVANT_FAR, "description": RELEVANT_FAR["description"] + "熟悉汽车底盘。"}
    near = {**RELEVANT_NEAR, "title": "车身工艺工程师"}
    model = MatchModel(weights=weights, n_threads=1).fit([far, near, *IRRELEVANT_NEAR_RICH])
    scores = model.score_pairs([VEHICLE_GRADUATE])[0]
    assert 0 < scores[0] - scores[1] < PREFERRED_WEIGHT - weights.district  # similar fits
    assert ranked_ids(model, VEHICLE_GRADUATE)[:2] == ["R-far", "R-near"]
    assert ranked_ids(model, VEHICLE_GRADUATE, "near")[:2] == ["R-near", "R-far"]
    # Better paid first: the same two posts in one district, the process post paying the expectation.
    rich = {**near, "salary_min": 9000, "salary_max": 12000, "district": "220174"}
    model = MatchModel(weights=weights, n_threads=1).fit([far, rich, *IRRELEVANT_NEAR_RICH])
    assert ranked_ids(model, VEHICLE_GRADUATE, "pay")[:2] == ["R-near", "R-far"]
    assert set(ranked_ids(model, VEHICLE_GRADUATE, "pay")[2:]) == {j["id"] for j in IRRELEVANT_NEAR_RICH}


def test_prefer_accepts_the_three_choices_only():
    assert [check_prefer(p) for p in (None, "", "relevance", "near", "pay")] == \
        ["relevance", "relevance", "relevance", "near", "pay"]
    model = MatchModel(n_threads=1).fit([RELEVANT_FAR])
    with pytest.raises(ValueError, match="prefer"):
        model.rank_jobs_for_graduates([VEHICLE_GRADUATE], prefer="cheap")


def test_the_preference_part_is_exactly_what_a_prefer_choice_changes_in_the_score():
    jobs, graduates = demo_jobs(120, seed=3), demo_graduates(40, seed=4)
    model = MatchModel(n_threads=1).fit(jobs)
    weights = model._layout().weights
    records = {j.id: j for j in model.job_records_}
    base = model.score_pairs(graduates)
    for prefer in ("near", "pay"):
        changed = model.score_pairs(graduates, prefer=prefer)
        for row, record in enumerate(graduates):
            graduate = validate_graduate(record)
            expected = [preference_part(weights.for_preference(prefer), graduate, records[i])
                        - preference_part(weights, graduate, records[i]) for i in model.job_ids_]
            finite = np.isfinite(base[row])
            if not finite.any():
                continue
            difference = changed[row][finite] - base[row][finite]
            assert np.array_equal(difference, np.array(expected, dtype=np.float32)[finite])


def test_the_prefer_choice_gives_the_same_ranking_on_the_bulk_json_path():
    jobs, graduates = demo_jobs(200, seed=5), demo_graduates(30, seed=6)
    model = MatchModel(n_threads=1).fit(jobs)
    for prefer in ("near", "pay"):
        lines = [json.loads(line) for line in model.rank_jobs_json_lines(graduates, top=8, prefer=prefer)]
        direct = model.rank_jobs_for_graduates(graduates, top=8, prefer=prefer)
        assert lines == direct
    assert any(model.rank_jobs_for_graduates(graduates, top=8, explain=False, prefer="near") !=
               model.rank_jobs_for_graduates(graduates, top=8, explain=False) for _ in [0])


# --- failure pattern 2: direct evidence over a structural relation --------------------------------------------

COMPUTING_GRADUATE = {"id": "C1", "major": "计算机科学与技术", "education": "bachelor",
                      "skills": ["Python", "MySQL", "Linux"], "preferred_districts": [], "expected_salary": 0}
EVIDENCE_POST = job("E-skills", "后台开发工程师", "负责数据接口开发与维护，要求熟练使用Python、MySQL，熟悉Linux环境。",
                    "220102", 6000, 9000)
CLASS_ONLY_POSTS = [
    job(f"S-class{k}", title, "计算机类相关专业，本科及以上学历，工作认真负责。", "220102", 6000, 9000, majors=["0809"])
    for k, title in enumerate(["软件测试工程师", "信息系统运维工程师", "软件实施工程师", "网络管理员"])
]


@WEIGHTS
def test_a_post_naming_exactly_the_graduates_skills_outranks_posts_sharing_only_the_major_class(weights):
    model = MatchModel(weights=weights, n_threads=1).fit([*CLASS_ONLY_POSTS, EVIDENCE_POST])
    result = model.rank_jobs_for_graduates([COMPUTING_GRADUATE], top=5)[0]["matches"]
    assert result[0]["job_id"] == "E-skills"
    assert set(result[0]["why"]["shared_skills"]) == {"Python", "SQL", "Linux"}
    assert {m["why"]["major"] for m in result[1:]} == {"same_class"}


def test_learned_weights_keep_skills_above_class_and_category_and_preferences_at_the_tolerance():
    weights = weights_from_coefficients({"same_class": 2.0, "same_category": 1.0, "skills": 0.1, "field": 1.0,
                                         "district": 5.0, "salary": 5.0})
    assert weights.skills >= weights.same_class + weights.same_category
    assert (weights.district, weights.salary) == (Weights().district, Weights().salary)
    assert all(getattr(weights, f.name) >= 0 for f in dataclasses.fields(Weights))


# --- the learned ranker ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def devset():
    jobs, graduates = read_records("bench/data/devset_jobs.jsonl", "bench/data/devset_graduates.jsonl")
    return jobs, graduates, read_grades("bench/data/devset_grades.jsonl")


def test_cross_validation_holds_out_whole_graduates(devset):
    jobs, graduates, grades = devset
    report = cross_validate(jobs, graduates, grades, code_occupations=False)
    seen = []
    for train, test in report["groups"]:
        assert not set(train) & set(test)
        seen += test
    assert sorted(seen) == sorted(g.id for g in graduates)
    # Every ranking comes from the fold that did not train on the graduate; the metrics are those rankings'.
    assert set(report["rankings"]) == {g.id for g in graduates}
    assert 0 < report["metrics"]["ndcg@10"] <= 1 and report["metrics"]["graduates_scored"] > 0
    # The folds learned different weights (they saw different graduates), all non-negative.
    assert len({w for w in report["weights"]}) > 1


def test_fitting_learns_from_the_grades_not_a_fixed_answer():
    # Two parts, the grade follows only the second: its weight must dominate.
    rng = np.random.default_rng(0)
    parts = np.zeros((30, 20, len(dataclasses.fields(Weights))))
    parts[:, :, 0] = rng.random((30, 20))  # same_major: noise
    parts[:, :, 5] = rng.random((30, 20))  # skills: the signal
    grades = np.round(3 * parts[:, :, 5])
    weights = fit_weights(parts, grades, np.ones((30, 20), dtype=bool))
    assert weights.skills > 5 * weights.same_major


def test_the_shipped_ranker_is_the_default_and_the_hand_set_weights_the_fallback(monkeypatch, tmp_path):
    weights, document = read_ranker(SHIPPED)
    assert document["metrics_held_out_folds"]["ndcg@10"] > 0 and document["folds"] == 5
    monkeypatch.setenv("TALENT_MATCH_RANKER", str(SHIPPED))
    assert default_weights() == weights != Weights()
    monkeypatch.setenv("TALENT_MATCH_RANKER", "none")
    assert default_weights() == Weights()
    bad = tmp_path / "ranker.json"
    bad.write_text(json.dumps({**document, "weights": {**document["weights"], "skills": -1}}), encoding="utf-8")
    with pytest.raises(RankerFileRejected):
        read_ranker(bad)
    bad.write_text(json.dumps({**document, "weights": {"skills": 0.3}}), encoding="utf-8")
    with pytest.raises(RankerFileRejected):
        read_ranker(bad)


def test_a_model_with_learned_weights_saves_and_loads_with_its_checks(tmp_path):
    weights = read_ranker(SHIPPED)[0]
    jobs, graduates = demo_jobs(80, seed=1), demo_graduates(10, seed=2)
    model = MatchModel(weights=weights, n_threads=1).fit(jobs)
    path = save_model(model, tmp_path / "model.joblib", "key-1", metrics={"ndcg@10": 0.8})
    sidecar = json.loads((tmp_path / "model.joblib.json").read_text(encoding="utf-8"))
    assert sidecar["metrics"] == {"ndcg@10": 0.8} and "skills=" in sidecar["params"]["weights"]
    loaded = load_model(path, "key-1")
    assert loaded.weights == weights
    assert loaded.rank_jobs_for_graduates(graduates) == model.rank_jobs_for_graduates(graduates)
    with pytest.raises(ModelFileRejected):
        load_model(path, "another-key")
    path.write_bytes(path.read_bytes()[:-1] + b"\0")
    with pytest.raises(ModelFileRejected):
        load_model(path, "key-1")


def test_outcomes_become_grades_of_the_pairs_shown(tmp_path):
    assert outcome_grade({"impressions": 3}) == 0
    assert outcome_grade({"impressions": 1, "opened": 1, "applied": 1}) == 1
    assert outcome_grade({"applied": 1, "shortlisted": 1}) == 2
    assert outcome_grade({"hired": 1}) == 3
    assert outcome_grade({}) is None
    path = tmp_path / "outcomes.jsonl"
    lines = [{"graduate_id": "G1", "job_id": "J1", "impressions": 2},
             {"graduate_id": "G1", "job_id": "J1", "applied": 1},
             {"graduate_id": "G1", "job_id": "J2", "impressions": 1, "opened": 1},
             {"graduate_id": "G2", "job_id": "J1"}]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    assert read_outcomes(path) == {("G1", "J1"): 1, ("G1", "J2"): 0}
    path.write_text(json.dumps({"graduate_id": "G1", "job_id": "J1", "hired": -1}), encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        read_outcomes(path)


# --- occupation agreement --------------------------------------------------------------------------------------

def test_occupation_codes_of_titles_agree_with_the_graduates_major():
    posts = [job("O-acc", "会计", "负责日常账务处理。", "220102", 5000, 7000),
             job("O-nurse", "护士", "负责病房护理工作。", "220102", 5000, 7000)]
    model = MatchModel(n_threads=1, code_occupations=True).fit(posts)
    profiles = {p.job.id: p for p in model.job_profiles_}
    assert profiles["O-acc"].occupation == "2-06" and profiles["O-nurse"].occupation == "2-05"
    graduate = {"id": "A1", "major": "会计学", "education": "bachelor", "skills": []}
    assert model.graduate_profiles([graduate])[0].occupations.get("2-06", 0) > 0.5
    without = MatchModel(n_threads=1).fit(posts)
    gain = model.score_pairs([graduate])[0] - without.score_pairs([graduate])[0]
    assert gain[model.job_ids_.index("O-acc")] > gain[model.job_ids_.index("O-nurse")]


# --- fair exposure -----------------------------------------------------------------------------------------------

def test_fair_reranking_spreads_a_crowd_and_never_lifts_an_irrelevant_post():
    # 40 graduates with the same candidates: 20 relevant posts of nearly equal score, 5 irrelevant ones.
    relevant = [(k, round(0.9 - 0.002 * k, 4)) for k in range(20)]
    irrelevant = [(20 + k, 0.4) for k in range(5)]
    matches = [relevant + irrelevant for _ in range(40)]
    headcount = np.ones(25)
    plain = [[k for k, _ in m[:10]] for m in matches]
    fair = rerank(matches, headcount, np.zeros(25), 10, 0.12)
    shown = [[k for k, _ in m] for m in fair]
    posts = list(range(25))
    coverage_plain, gini_plain = coverage_and_gini(plain, posts)
    coverage_fair, gini_fair = coverage_and_gini(shown, posts)
    assert gini_fair < gini_plain - 0.1 and coverage_fair > coverage_plain
    for chosen in fair:
        assert all(k < 20 for k, _ in chosen)  # never an irrelevant post while relevant ones remain
        scores = [s for _, s in chosen]
        assert scores == sorted(scores, reverse=True)
        original = dict(relevant)
        assert all(0 <= original[k] - s <= 0.12 + 1e-9 for k, s in chosen)


def test_applications_so_far_count_as_exposure():
    matches = [[(0, 0.9), (1, 0.89)]]
    assert [k for k, _ in rerank(matches, np.array([1.0, 1.0]), np.zeros(2), 1, 0.1)[0]] == [0]
    assert [k for k, _ in rerank(matches, np.array([1.0, 1.0]), np.array([30.0, 0.0]), 1, 0.1)[0]] == [1]


def test_fair_exposure_on_the_model_lowers_the_gini_of_the_shown_posts():
    jobs, graduates = demo_jobs(300, seed=8), demo_graduates(150, seed=9)
    plain = MatchModel(n_threads=1).fit(jobs)
    fair = MatchModel(n_threads=1, fair_exposure=DEFAULT_STRENGTH).fit(jobs)
    shown_plain = [[m["job_id"] for m in r["matches"]] for r in plain.rank_jobs_for_graduates(graduates, explain=False)]
    shown_fair = [[m["job_id"] for m in r["matches"]] for r in fair.rank_jobs_for_graduates(graduates, explain=False)]
    open_posts = plain.job_ids_
    assert coverage_and_gini(shown_fair, open_posts)[1] < coverage_and_gini(shown_plain, open_posts)[1]
    # The education filter still holds after the re-ranking.
    level = {j.id: j.level for j in plain.job_records_}
    for record, shown in zip(graduates, shown_fair, strict=True):
        assert all(level[j] <= validate_graduate(record).level for j in shown)


# --- the commands --------------------------------------------------------------------------------------------

def _write_lines(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_match_rank_prefer_keeps_the_output_shape_and_reorders_similar_fits(tmp_path):
    from click.testing import CliRunner

    from talent.cli_match import match

    far = {**RELEVANT_FAR, "description": RELEVANT_FAR["description"] + "熟悉汽车底盘。"}
    near = {**RELEVANT_NEAR, "title": "车身工艺工程师"}
    _write_lines(tmp_path / "jobs.jsonl", [far, near, *IRRELEVANT_NEAR_RICH])
    _write_lines(tmp_path / "graduates.jsonl", [VEHICLE_GRADUATE])

    def run(*options):
        result = CliRunner().invoke(match, ["rank", "--jobs", str(tmp_path / "jobs.jsonl"), "--graduates",
                                            str(tmp_path / "graduates.jsonl"), "--top", "3", "--no-progress",
                                            "--threads", "1", *options])
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()]

    default, near_first = run(), run("--prefer", "near")
    assert run("--prefer", "relevance") == default
    for lines in (default, near_first):
        assert [set(line) for line in lines] == [{"graduate_id", "matches"}]
        assert all(set(m) == {"job_id", "score", "why"} for m in lines[0]["matches"])
    assert [m["job_id"] for m in default[0]["matches"]][:2] == ["R-far", "R-near"]
    assert [m["job_id"] for m in near_first[0]["matches"]][:2] == ["R-near", "R-far"]
    bad = CliRunner().invoke(match, ["rank", "--jobs", str(tmp_path / "jobs.jsonl"), "--graduates",
                                     str(tmp_path / "graduates.jsonl"), "--prefer", "cheap"])
    assert bad.exit_code == 2 and "--prefer" in bad.output


def test_match_train_writes_a_ranker_with_held_out_metrics(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from talent.cli_match import match

    output = tmp_path / "ranker.json"
    result = CliRunner().invoke(match, ["train", "--jobs", "bench/data/devset_jobs.jsonl", "--graduates",
                                        "bench/data/devset_graduates.jsonl", "--grades",
                                        "bench/data/devset_grades.jsonl", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "held-out folds: nDCG@10" in result.output
    weights, document = read_ranker(output)
    assert document["folds"] == 5 and document["trained_on"] == "grades: devset_grades.jsonl"
    assert weights == read_ranker(SHIPPED)[0]  # the shipped file is what this command writes
    monkeypatch.setenv("TALENT_MATCH_RANKER", str(output))
    assert MatchModel(n_threads=1).fit([RELEVANT_FAR])._layout().weights == weights
    both = CliRunner().invoke(match, ["train", "--jobs", "bench/data/devset_jobs.jsonl", "--graduates",
                                      "bench/data/devset_graduates.jsonl", "-o", str(output)])
    assert both.exit_code == 2 and "exactly one of --grades and --outcomes" in both.output
