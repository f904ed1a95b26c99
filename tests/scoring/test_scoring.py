"""Behaviour of talent.scoring on small data (no app, no database)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from talent.cli_match import match
from talent.scoring import (
    InvalidRecord,
    MatchModel,
    ModelFileRejected,
    load_majors,
    load_model,
    normalize_text,
    save_model,
    validate_job,
)
from talent.scoring.demo import demo_graduates, demo_jobs
from talent.scoring.topk import top_k_rows

NVH_POST = {
    "id": "nvh", "title": "NVH仿真工程师", "min_education": "bachelor", "district": "220174",
    "description": "负责整车振动噪声性能的仿真分析与优化，熟练使用HyperMesh、Nastran，有模态分析经验。",
    "salary_min": 8000, "salary_max": 12000, "headcount": 2,
}
JAVA_POST = {
    "id": "java", "title": "Java开发工程师", "min_education": "bachelor", "district": "220173",
    "description": "负责政务系统后端开发，熟悉Spring Boot、MySQL。", "salary_min": 7000, "salary_max": 11000,
    "headcount": 3,
}
NURSE_POST = {
    "id": "nurse", "title": "护士", "min_education": "college", "district": "220102",
    "description": "护理学专业，持护士执业资格证。", "salary_min": 4000, "salary_max": 6000, "headcount": 5,
}
VEHICLE_GRADUATE = {
    "id": "g1", "major": "车辆工程", "education": "bachelor", "skills": ["CATIA", "MATLAB"],
    "preferred_districts": ["汽开区"], "expected_salary": 8000,
}


@pytest.fixture(scope="module")
def demo_model() -> MatchModel:
    return MatchModel(n_threads=1).fit(demo_jobs(200, seed=3))


def test_normalisation_folds_width_script_and_case():
    assert normalize_text("ＰＹＴＨＯＮ、軟體工程") == "python、软件工程"
    assert normalize_text("  資料庫\t程式設計 ") == "数据库 程序设计"
    assert normalize_text(None) == ""


def test_catalogue_has_codes_classes_and_categories():
    majors = {m.code: m for m in load_majors()}
    vehicle = majors["080207"]
    assert (vehicle.name, vehicle.class_code, vehicle.class_name, vehicle.category_name) == ("车辆工程", "0802", "机械类", "工学")
    assert majors["080902"].class_name == "计算机类"
    assert len(majors) >= 120


def test_vehicle_engineering_fits_an_nvh_post_although_the_words_differ():
    model = MatchModel(n_threads=1).fit([NVH_POST, JAVA_POST, NURSE_POST])
    [result] = model.rank_jobs_for_graduates([VEHICLE_GRADUATE], top=3)
    first = result["matches"][0]
    assert first["job_id"] == "nvh"
    assert first["why"]["major"] == "related_field"
    assert "仿真" in first["why"]["zh"] and "simulation" in first["why"]["en"]
    scores = {m["job_id"]: m["score"] for m in result["matches"]}
    assert scores["nvh"] > scores["java"] + 0.2


def test_same_class_and_traditional_full_width_input():
    model = MatchModel(n_threads=1).fit([NVH_POST, JAVA_POST])
    graduate = {"id": "g2", "major": "軟體工程", "education": "本科", "skills": "Ｊａｖａ、MySQL"}
    [result] = model.rank_jobs_for_graduates([graduate], top=1)
    why = result["matches"][0]["why"]
    assert result["matches"][0]["job_id"] == "java"
    assert set(why["shared_skills"]) == {"Java", "SQL"}
    assert why["district"] == "no_preference" and why["salary"] == "no_expectation"


def test_education_filter_is_never_violated(demo_model):
    graduates = demo_graduates(120, seed=5)
    levels = {"college": 0, "bachelor": 1, "master": 2, "doctor": 3}
    job_level = {p.job.id: p.job.level for p in demo_model.job_profiles_}
    results = demo_model.rank_jobs_for_graduates(graduates, top=20)
    for graduate, result in zip(graduates, results, strict=True):
        assert all(job_level[m["job_id"]] <= levels[graduate["education"]] for m in result["matches"])
    college_only = MatchModel(n_threads=1).fit([NVH_POST])
    assert college_only.rank_jobs_for_graduates([{**VEHICLE_GRADUATE, "education": "college"}])[0]["matches"] == []


def test_closed_posts_are_not_ranked():
    closed = {**JAVA_POST, "id": "closed", "status": "closed"}
    expired = {**JAVA_POST, "id": "expired", "closing_date": "2020-01-01"}
    import datetime as dt

    model = MatchModel(n_threads=1, as_of=dt.date(2024, 1, 1)).fit([JAVA_POST, closed, expired])
    assert model.job_ids_ == ["java"]


def test_ranking_equals_brute_force(demo_model):
    """Template posts tie often (one template, many ads): the ids and their order must be the brute-force
    sort's too, on both output paths. The tie order docs/matching.md gives: equal scores go by the (education,
    id) of the first post with the same vector, then by (education, id) within that vector."""
    graduates = demo_graduates(60, seed=9)
    scores = demo_model.score_pairs(graduates)
    levels, ids = demo_model.job_levels_.tolist(), demo_model.job_ids_
    first_of: dict[bytes, tuple[int, str]] = {}
    for i, row in enumerate(demo_model.job_matrix_):
        key = row.tobytes()
        first_of[key] = min(first_of.get(key, (levels[i], ids[i])), (levels[i], ids[i]))
    vector_first = [first_of[row.tobytes()] for row in demo_model.job_matrix_]
    assert len(first_of) < 0.9 * len(ids)  # many posts share a vector with another
    results = demo_model.rank_jobs_for_graduates(graduates, top=5, explain=False)
    bulk = [json.loads(line) for line in demo_model.rank_jobs_json_lines(graduates, top=5, explain=False)]
    ties_inside_top = 0
    for row, (result, line) in enumerate(zip(results, bulk, strict=True)):
        expected = sorted((i for i in range(len(ids)) if np.isfinite(scores[row, i])),
                          key=lambda i: (-scores[row, i], vector_first[i], levels[i], ids[i]))[:5]
        assert [m["job_id"] for m in result["matches"]] == [ids[i] for i in expected]
        assert [m["score"] for m in result["matches"]] == [round(float(scores[row, i]), 4) for i in expected]
        assert line == result
        top_scores = [scores[row, i] for i in expected]
        ties_inside_top += len(top_scores) - len(set(top_scores))
    assert ties_inside_top > 20  # the data really has ties inside the top 5, so their order was compared


def test_top_k_rows_is_exact_with_ties():
    rng = np.random.default_rng(0)
    for columns in (7, 900, 5000, 5003):
        scores = (rng.integers(0, 30, (50, columns)) / 10).astype(np.float32)
        cols, _ = top_k_rows(scores, 10)
        expected = np.lexsort((np.tile(np.arange(columns), (50, 1)), -scores), axis=1)[:, :10]
        assert (cols == expected[:, : cols.shape[1]]).all()


def test_incremental_updates_equal_a_refit():
    jobs = demo_jobs(80, seed=11)
    graduates = demo_graduates(40, seed=12)
    incremental = MatchModel(n_threads=1).fit(jobs[:50])
    incremental.add_jobs(jobs[50:])
    edited = {**jobs[3], "title": "NVH仿真工程师", "description": NVH_POST["description"]}
    incremental.update_job(edited)
    incremental.update_job({**jobs[7], "status": "closed"})
    incremental.remove_jobs([jobs[9]["id"]])
    final_jobs = [edited if j["id"] == jobs[3]["id"] else j for j in jobs if j["id"] not in (jobs[7]["id"], jobs[9]["id"])]
    refit = MatchModel(n_threads=1).fit(list(reversed(final_jobs)))
    assert incremental.rank_jobs_for_graduates(graduates, top=8) == refit.rank_jobs_for_graduates(graduates, top=8)


def test_rank_graduates_for_job(demo_model):
    graduates = [VEHICLE_GRADUATE, {"id": "g3", "major": "护理学", "education": "college"},
                 {"id": "g4", "major": "工程力学", "education": "master", "skills": "ANSYS、有限元"}]
    ranked = demo_model.rank_graduates_for_job(NVH_POST, graduates, top=5)
    assert [r["graduate_id"] for r in ranked][:2] in (["g1", "g4"], ["g4", "g1"])
    assert "g3" not in [r["graduate_id"] for r in ranked]  # college is below the bachelor minimum


def test_persistence_round_trip_and_refusal(tmp_path, demo_model):
    path = tmp_path / "model.joblib"
    save_model(demo_model, path, key="secret", metrics={"ndcg@10": 0.5})
    sidecar = json.loads((tmp_path / "model.joblib.json").read_text())
    assert {"python", "numpy", "scipy", "scikit-learn"} <= set(sidecar["versions"]) and sidecar["metrics"]
    loaded = load_model(path, key="secret")
    graduates = demo_graduates(10, seed=1)
    assert loaded.rank_jobs_for_graduates(graduates) == demo_model.rank_jobs_for_graduates(graduates)
    with pytest.raises(ModelFileRejected):
        load_model(path, key="other secret")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileRejected):
        load_model(path, key="secret")


@pytest.mark.parametrize(
    ("change", "field"),
    [({"min_education": "primary"}, "min_education"), ({"salary_min": 9000, "salary_max": 5000}, "salary_min"),
     ({"headcount": -1}, "headcount"), ({"district": "110105"}, "district")],
)
def test_invalid_jobs_name_the_field(change, field):
    with pytest.raises(InvalidRecord) as error:
        validate_job({**JAVA_POST, **change})
    assert error.value.field == field


def _write_lines(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def test_cli_output_shape(tmp_path):
    _write_lines(tmp_path / "jobs.jsonl", [NVH_POST, JAVA_POST, NURSE_POST])
    _write_lines(tmp_path / "graduates.jsonl", [VEHICLE_GRADUATE, {"id": 7, "major": "护理", "education": "college"}])
    # through the installed console script, as documented: `talent match rank`
    script = Path(sys.executable).parent / "talent"
    result = subprocess.run([str(script), "match", "rank", "--jobs", str(tmp_path / "jobs.jsonl"), "--graduates",
                             str(tmp_path / "graduates.jsonl"), "--top", "2", "--no-progress"],
                            capture_output=True, text=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["graduate_id"] for line in lines] == ["g1", "7"]
    assert lines[1]["matches"] == [{"job_id": "nurse", "score": lines[1]["matches"][0]["score"],
                                    "why": lines[1]["matches"][0]["why"]}]
    why = lines[0]["matches"][0]["why"]
    assert {"zh", "en", "major", "shared_skills", "education", "district", "salary"} <= set(why)


def test_cli_rejects_bad_lines_and_writes_nothing(tmp_path):
    _write_lines(tmp_path / "jobs.jsonl", [NVH_POST, {**JAVA_POST, "salary_min": 20000}])
    (tmp_path / "graduates.jsonl").write_text(json.dumps(VEHICLE_GRADUATE) + "\n{not json\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(match, ["rank", "--jobs", str(tmp_path / "jobs.jsonl"), "--graduates",
                                        str(tmp_path / "graduates.jsonl"), "-o", str(output), "--no-progress"])
    assert result.exit_code == 1
    assert "line 2" in result.stderr and "salary_min" in result.stderr and "not valid JSON" in result.stderr
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".match-")] == []


def test_demo_data_is_valid_and_varied():
    jobs, graduates = demo_jobs(300, seed=0), demo_graduates(200, seed=0)
    assert len({j["id"] for j in jobs}) == 300 and len({g["id"] for g in graduates}) == 200
    assert {j["sector"] for j in jobs} >= {"automotive", "optics", "biomedicine", "rail", "agriculture", "software",
                                           "education", "health", "finance", "public_service"}
    for job in jobs:
        validate_job(job)
    assert random.Random(0).choice(jobs)["employer"]


def test_json_lines_fast_path_equals_the_dict_api(demo_model):
    graduates = demo_graduates(30, seed=21)
    lines = [json.loads(line) for line in demo_model.rank_jobs_json_lines(graduates, top=7)]
    assert lines == demo_model.rank_jobs_for_graduates(graduates, top=7)


def test_forked_workers_give_the_same_lines():
    jobs, graduates = demo_jobs(4100, seed=4), demo_graduates(2100, seed=4)
    serial = MatchModel(n_threads=1).fit(jobs)
    parallel = MatchModel(n_threads=2, n_processes=2).fit(jobs)
    assert np.array_equal(serial.job_matrix_, parallel.job_matrix_)
    assert "".join(parallel.rank_jobs_json_lines(graduates, top=5)) == "".join(serial.rank_jobs_json_lines(graduates, top=5))


def test_estimator_contract_with_scikit_learn_tools():
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    model = MatchModel(n_threads=1, chunk_rows=64)
    assert clone(model).get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    with pytest.raises(ValueError, match="not fitted"):
        model.rank_jobs_for_graduates([VEHICLE_GRADUATE])
    assert model.fit([NVH_POST]) is model
    check_is_fitted(model)
    assert model.set_params(n_threads=2).n_threads == 2
