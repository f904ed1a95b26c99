"""Occupation coding (talent.occupations, `talent occupations code`): the shipped data is what its notice says, the
coder finds exact names and aliases, it beats the names-only TF-IDF baseline by cross-validation on the training
cases, and the command reads and writes JSON Lines as API.md says."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from talent.occupations import (
    TRAINING_FILE,
    OccupationCoder,
    accuracy_at,
    load_coder,
    read_catalogue,
    read_training_cases,
)


def test_the_catalogue_is_csco_2022_with_four_levels():
    catalogue = read_catalogue()
    assert len(catalogue) == len({o.code for o in catalogue}) == 2047  # 2,051 rows, four codes stand twice
    assert Counter(o.level for o in catalogue) == {1: 8, 2: 72, 3: 336, 4: 1631}
    assert all(re.fullmatch(r"\d-\d\d-\d\d-\d\d", o.code) for o in catalogue)
    assert not any(o.name.endswith("S") for o in catalogue)  # the "new occupation" marker is not part of a name


def test_only_the_first_half_of_the_cases_is_shipped_or_read():
    with TRAINING_FILE.open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 1 + 2952
    assert len(read_training_cases()) == 2952
    assert len(read_training_cases(limit=10)) == 10


@pytest.mark.parametrize(("title", "code"), [
    ("数据仓库工程师", "2-02-38-03"),  # an alias of big-data engineers
    ("护理人员", "2-05-08-00"),
    ("Ｊａｖａ开发工程师", "2-02-10-03"),  # full-width letters read as half-width
])
def test_exact_names_and_aliases_come_first(title, code):
    assert load_coder().code([title], top=1)[0][0].code == code


def test_suggestions_are_ordered_named_and_scored():
    [suggestions] = load_coder().code(["前端开发工程师"], top=5)
    assert len(suggestions) == 5 and len({s.code for s in suggestions}) == 5
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert all(0 < s.score <= 1 and s.name for s in suggestions)
    assert load_coder().code(["", "   "]) == [[], []]


def test_cross_validated_accuracy_beats_the_names_only_baseline():
    from sklearn.model_selection import KFold

    catalogue, cases = read_catalogue(), read_training_cases()
    titles, codes = [t for t, _ in cases], [c for _, c in cases]
    scores: dict[str, list[float]] = {"baseline": [], "model": []}
    for train, test in KFold(3, shuffle=True, random_state=1).split(titles):
        expected = [codes[i] for i in test]
        held = [titles[i] for i in test]
        baseline = OccupationCoder().fit(catalogue)
        model = OccupationCoder().fit(catalogue, [titles[i] for i in train], [codes[i] for i in train])
        scores["baseline"].append(accuracy_at(baseline.code(held, top=1), expected))
        scores["model"].append(accuracy_at(model.code(held, top=1), expected))
    baseline, model = (sum(v) / len(v) for v in (scores["baseline"], scores["model"]))
    assert model >= 0.45, model
    assert model - baseline >= 0.1, (model, baseline)


def test_the_estimator_contract():
    coder = OccupationCoder(example_weight=2.0)
    assert coder.get_params() == {"example_weight": 2.0, "ngram_range": (1, 3)}
    with pytest.raises(RuntimeError, match="not fitted"):
        coder.code(["会计"])
    catalogue = read_catalogue()
    assert coder.fit(catalogue) is coder
    with pytest.raises(ValueError, match="differ in length"):
        OccupationCoder().fit(catalogue, ["会计"], [])
    with pytest.raises(ValueError, match="not in the catalogue"):
        OccupationCoder().fit(catalogue, ["会计"], ["9-99-99-99"])


def test_talent_occupations_code_reads_and_writes_json_lines(tmp_path):
    source = tmp_path / "posts.jsonl"
    source.write_text("\n".join([
        json.dumps({"id": 7, "title": "数据仓库工程师"}, ensure_ascii=False),
        json.dumps({"id": "p-2", "title": "内科护士", "description": "负责病房护理"}, ensure_ascii=False),
        "not json",
        json.dumps({"id": 9}),
        json.dumps({"id": True, "title": "会计"}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    talent = Path(sys.executable).parent / "talent"
    done = subprocess.run([str(talent), "occupations", "code", str(source), "--top", "2"], capture_output=True,
                          timeout=120, check=False)
    assert done.returncode == 1  # some lines were refused
    lines = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(lines) == 5
    assert lines[0]["id"] == 7 and lines[0]["codes"][0]["code"] == "2-02-38-03" and len(lines[0]["codes"]) == 2
    assert set(lines[0]["codes"][0]) == {"code", "name", "score"}
    assert lines[1]["id"] == "p-2" and lines[1]["codes"][0]["code"] == "2-05-08-01"
    assert lines[2]["error"]["line"] == 3 and "not valid JSON" in lines[2]["error"]["errors"][""][0]
    assert lines[3]["error"]["errors"] == {"title": ["is required: the job title as text"]}
    assert "id" in lines[4]["error"]["errors"]
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": 1, "title": "会计"}, ensure_ascii=False) + "\n", encoding="utf-8")
    done = subprocess.run([str(talent), "occupations", "code", str(good)], capture_output=True, timeout=120,
                          check=False)
    assert done.returncode == 0 and len(json.loads(done.stdout)["codes"]) == 3
