"""The batch path of `talent match rank` (vectorised explanations, split GEMM) against the per-match
path and a brute-force ranking, on posts and profiles unlike the demo templates."""

from __future__ import annotations

import json

import numpy as np
import pytest

from talent.scoring import MatchModel
from talent.scoring.demo import demo_graduates, demo_jobs
from talent.scoring.explain import field_fit, field_products, scored_affinities
from tests.scoring.varied_data import varied_generator


@pytest.fixture(scope="module")
def varied() -> tuple[list[dict], list[dict]]:
    import random

    module = varied_generator()
    rng = random.Random(5)
    jobs = [module.make_job(rng, f"V{i:05d}") for i in range(1500)]
    graduates = [module.make_graduate(rng, f"H{i:05d}") for i in range(400)]
    return jobs, graduates


@pytest.fixture(scope="module")
def varied_model(varied) -> MatchModel:
    return MatchModel(n_threads=1).fit(varied[0])


def test_varied_posts_are_mostly_distinct(varied_model):
    distinct = len({row.tobytes() for row in varied_model.job_matrix_})
    assert distinct > 0.9 * len(varied_model.job_ids_)


def test_bulk_lines_equal_the_per_match_explanations(varied, varied_model):
    graduates = varied[1]
    bulk = [json.loads(line) for line in varied_model.rank_jobs_json_lines(graduates, top=10)]
    assert bulk == varied_model.rank_jobs_for_graduates(graduates, top=10)
    relations = {match["why"]["major"] for line in bulk for match in line["matches"]}
    # the data exercises most relations, so the vectorised relation logic is really compared
    assert {"same_major", "same_class", "related_field"} <= relations
    assert any(match["why"]["shared_skills"] for line in bulk for match in line["matches"])


def test_bulk_ranking_equals_a_brute_force_sort(varied, varied_model):
    graduates = varied[1][:150]
    scores = varied_model.score_pairs(graduates)
    levels, ids = varied_model.job_levels_, varied_model.job_ids_
    for row, line in enumerate(varied_model.rank_jobs_json_lines(graduates, top=10)):
        expected = sorted((i for i in range(len(ids)) if np.isfinite(scores[row, i])),
                          key=lambda i: (-scores[row, i], levels[i], ids[i]))[:10]
        matches = json.loads(line)["matches"]
        assert [m["job_id"] for m in matches] == [ids[i] for i in expected]
        assert [m["score"] for m in matches] == [round(float(scores[row, i]), 4) for i in expected]


def test_field_fit_in_the_explanation_is_the_scored_field_part(varied_model, varied):
    """The field fit an explanation reports is the field block's share of the score / its weight."""
    layout = varied_model._layout()
    profiles = varied_model.graduate_profiles(varied[1][:40])
    vectors = layout.graduate_matrix(profiles)
    columns = list(layout.field_index.values())
    for profile, vector in zip(profiles, vectors, strict=True):
        for job, job_vector in list(zip(varied_model.job_profiles_, varied_model.job_matrix_, strict=True))[:50]:
            products = field_products(scored_affinities(profile, layout.weights.field), job)
            part = float(np.dot(vector[columns].astype(np.float64), job_vector[columns].astype(np.float64)))
            assert field_fit(products, layout.weights.field) == part / layout.weights.field


def test_worker_processes_give_the_same_bytes_on_varied_data(varied):
    jobs, graduates = varied
    many = graduates * 6  # ≥ 2000 graduates, so the forked path runs
    many = [dict(g, id=f"{g['id']}-{n}") for n, g in enumerate(many)]
    serial = MatchModel(n_threads=1).fit(jobs)
    parallel = MatchModel(n_threads=2, n_processes=2).fit(jobs)
    assert b"".join(parallel.rank_jobs_json_bytes(many, top=5)) == b"".join(serial.rank_jobs_json_bytes(many, top=5))


def test_incremental_profiles_follow_adds_and_removals():
    jobs = demo_jobs(60, seed=9)
    model = MatchModel(n_threads=1).fit(jobs[:40])
    assert len(model.job_profiles_) == 40  # the lazily built profiles now exist and must be kept up to date
    model.add_jobs(jobs[40:]).remove_jobs([jobs[0]["id"], jobs[45]["id"]])
    refit = MatchModel(n_threads=1).fit([j for j in jobs if j["id"] not in {jobs[0]["id"], jobs[45]["id"]}])
    assert [p.job.id for p in model.job_profiles_] == [p.job.id for p in refit.job_profiles_]
    graduates = demo_graduates(20, seed=9)
    assert model.rank_jobs_for_graduates(graduates, top=5) == refit.rank_jobs_for_graduates(graduates, top=5)


def test_identical_rows_numbers_distinct_vectors_by_first_occurrence():
    from talent.scoring.model import _identical_rows

    rng = np.random.default_rng(3)
    base = np.round(rng.random((40, 30)) * 256).astype(np.float32) / 256
    matrix = base[rng.integers(0, 40, size=500)]
    order = rng.permutation(500)
    first_of: dict[bytes, int] = {}
    expected = [first_of.setdefault(matrix[i].tobytes(), len(first_of)) for i in order.tolist()]
    assert _identical_rows(matrix, order).tolist() == expected


def test_a_hash_collision_groups_row_by_row(monkeypatch, slow_path_fallbacks):
    """The one place the row-by-row grouping is expected: with every hash weight 0 all rows collide, the exact
    check sees it, and the rows are grouped by their bytes (tests/scoring/conftest.py counts the fallback)."""
    from talent.scoring.model import _identical_rows

    rng = np.random.default_rng(4)
    matrix = (np.round(rng.random((30, 12)) * 256).astype(np.float32) / 256)[rng.integers(0, 30, size=200)]
    order = rng.permutation(200)
    first_of: dict[bytes, int] = {}
    expected = [first_of.setdefault(matrix[i].tobytes(), len(first_of)) for i in order.tolist()]

    class ZeroWeights:
        def __init__(self, _seed):
            pass

        def integers(self, _low, _high, size, dtype):
            return np.zeros(size, dtype=dtype)

    monkeypatch.setattr(np.random, "default_rng", ZeroWeights)
    assert _identical_rows(matrix, order).tolist() == expected
    assert slow_path_fallbacks.taken == 1
    slow_path_fallbacks.expected = 1


def test_cli_bad_graduate_found_while_workers_build_job_vectors(tmp_path):
    """With ≥ 4000 posts the graduates are checked while forked workers build the job vectors: a bad
    graduate line still stops the run with its message, writes nothing, and the collector is back on."""
    import gc

    from click.testing import CliRunner

    from talent.cli_match import match

    jobs = demo_jobs(4100, seed=2)
    (tmp_path / "jobs.jsonl").write_text("".join(json.dumps(j, ensure_ascii=False) + "\n" for j in jobs),
                                         encoding="utf-8")
    graduates = demo_graduates(3, seed=2) + [{"id": "bad", "major": "车辆工程", "education": "bachelor",
                                              "preferred_districts": ["220999"]}]
    (tmp_path / "graduates.jsonl").write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in graduates),
                                              encoding="utf-8")
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(match, ["rank", "--jobs", str(tmp_path / "jobs.jsonl"), "--graduates",
                                        str(tmp_path / "graduates.jsonl"), "-o", str(output), "--threads", "2",
                                        "--no-progress"])
    assert result.exit_code == 1
    assert "graduates" in result.stderr and "line 4 (id bad): field preferred_districts" in result.stderr
    assert not output.exists() and gc.isenabled()
    good = CliRunner().invoke(match, ["rank", "--jobs", str(tmp_path / "jobs.jsonl"), "--graduates", "-",
                                      "--threads", "2", "--no-progress"],
                              input="".join(json.dumps(g, ensure_ascii=False) + "\n" for g in graduates[:3]))
    assert good.exit_code == 0, good.output
    assert [json.loads(line)["graduate_id"] for line in good.stdout.splitlines()] == [g["id"] for g in graduates[:3]]
