"""`Knowledge.scan` (compiled per-pattern payloads, clause spans found from the cues) equals a plain
reference scan on demo ads, the development set and varied generated ads."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import ahocorasick
import pytest

from talent.scoring import knowledge as knowledge_module
from talent.scoring.demo import demo_jobs
from talent.scoring.features import FeatureLayout, Weights
from talent.scoring.knowledge import Hits, Knowledge, knowledge
from talent.scoring.records import validate_job
from talent.scoring.text import normalize_text
from tests.scoring.varied_data import varied_generator

BENCH_DATA = Path(__file__).resolve().parents[2] / "bench" / "data"
_CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\n:：]")
_MAJOR_CUE = re.compile(r"专业|学科|类|相关|背景|毕业")
_ASCII_WORD = re.compile(r"[0-9a-z]")


class ReferenceScanner:
    """The scan as first written: one automaton over `Knowledge.pattern_items`, the items of each
    match interpreted one by one, clause spans from splitting the whole text."""

    def __init__(self, kb: Knowledge) -> None:
        self.automaton = ahocorasick.Automaton()
        for pattern, items in kb.pattern_items.items():
            self.automaton.add_word(pattern, (len(pattern), items))
        self.automaton.make_automaton()

    def scan(self, text: str, majors_from_text: bool = True, weight: float = 1.0) -> Hits:
        hits = Hits()
        spans = None
        for end, (length, items) in self.automaton.iter_long(text):
            start = end - length + 1
            if not _ascii_edges_ok(text, start, end):
                continue
            in_major_clause = True
            if majors_from_text:
                spans = _major_clause_spans(text) if spans is None else spans
                in_major_clause = any(low <= start <= high for low, high in spans)
            for item in items:
                kind = item[0]
                if kind == "field":
                    hits.fields[item[1]] = hits.fields.get(item[1], 0.0) + item[2] * weight
                elif kind == "skill":
                    hits.skills.add(item[1])
                elif kind == "district":
                    hits.districts.add(item[1])
                elif kind == "major" and in_major_clause:
                    hits.majors.add(item[1])
                elif kind == "class" and in_major_clause:
                    hits.classes.add(item[1])
                elif kind == "any" and in_major_clause:
                    hits.any_major = True
        return hits


def _ascii_edges_ok(text: str, start: int, end: int) -> bool:
    before = start > 0 and _ASCII_WORD.match(text[start]) and _ASCII_WORD.match(text[start - 1])
    after = end + 1 < len(text) and _ASCII_WORD.match(text[end]) and _ASCII_WORD.match(text[end + 1])
    return not (before or after)


def _major_clause_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in _CLAUSE_BREAK.finditer(text + "\n"):
        if match.start() > start and _MAJOR_CUE.search(text, start, match.start()):
            spans.append((start, match.start()))
        start = match.end()
    return spans


def _varied_ads(count: int) -> list[dict]:
    """Ads from bench/data/generate_varied.py (nearly every sentence distinct), made in memory."""
    module = varied_generator()
    rng = random.Random(11)
    return [module.make_job(rng, f"v{number}") for number in range(count)]


def _texts() -> list[str]:
    ads = demo_jobs(300, seed=5)
    dev = BENCH_DATA / "devset_jobs.jsonl"  # committed with the repository
    ads += [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    ads += _varied_ads(400)
    texts = [normalize_text(ad.get(key)) for ad in ads for key in ("title", "description")]
    # Edge cases: Latin boundaries, a text that is one clause, cues at the ends, breaks only.
    texts += ["debug ug nx catia autocad cad", "专业不限", "计算机类相关专业", "：专业；", "机械，", "，，，", ""]
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _texts()


def test_the_corpus_is_large_and_varied(texts):
    assert len(set(texts)) > 1000


@pytest.mark.parametrize("majors_from_text", [True, False])
def test_scan_equals_the_reference(texts, majors_from_text):
    kb = knowledge()
    reference = ReferenceScanner(kb)
    differences = []
    for text in texts:
        expected = reference.scan(text, majors_from_text, weight=3.0)
        found = kb.scan(text, weight=3.0, majors_from_text=majors_from_text)
        if found != expected:
            differences.append(text)
    assert not differences, differences[:3]


def test_scan_adds_to_given_hits():
    kb = knowledge()
    hits = kb.scan("熟悉python，计算机类相关专业")
    again = kb.scan("护理学专业，专业不限", hits=hits)
    assert again is hits
    assert {"0809"} <= hits.classes and hits.any_major and "python" in hits.skills


def test_majors_count_only_in_clauses_about_majors():
    kb = knowledge()
    assert not kb.scan("负责一汽汽车金融业务，机械设备采购").classes
    assert kb.scan("负责采购；要求机械类相关专业").classes
    assert kb.scan("机械设备采购", majors_from_text=False).classes


def test_major_cues_never_overlap():
    """`_major_clause_spans` finds cues with one non-overlapping regex scan of the whole text; that
    finds a cue in every clause that has one only while no cue can overlap another."""
    cues = knowledge_module._MAJOR_CUE.pattern.split("|")
    for first in cues:
        for second in cues:
            assert first == second or second not in first
            assert not any(second.startswith(first[-size:]) for size in range(1, len(first)))


def test_job_profile_scans_whole_texts_and_shares_nothing_mutable():
    layout = FeatureLayout(knowledge(), Weights())
    post = {
        "id": "a", "title": "数据分析师", "min_education": "bachelor", "district": "220104", "headcount": 1,
        "description": "一汽集团招聘。负责汽车销售数据分析；要求：统计学、计算机类相关专业，熟悉Python。",
    }
    profile = layout.job_profile(validate_job(post))
    # 统计学 is also a graduate discipline (0714), which an ad lists through the undergraduate major; 计算机类
    # is a class of the undergraduate (0809) and of the vocational (5102) catalogue.
    assert profile.majors == {"071201"} and profile.classes == {"0809", "5102", "0712"}
    assert "0802" not in profile.classes  # 汽车 is not in the clause about majors
    assert "python" in profile.skills
    profile.skills.add("changed")
    profile.majors.add("changed")
    twin = layout.job_profile(validate_job({**post, "id": "b", "district": "220102"}))
    assert "changed" not in twin.skills and "changed" not in twin.majors
    assert twin.fields == profile.fields and twin.classes == profile.classes
    # The title counts three times: a title of another field shifts the profile towards it.
    nurse_title = layout.job_profile(validate_job({**post, "id": "c", "title": "护士"}))
    assert nurse_title.fields != profile.fields
