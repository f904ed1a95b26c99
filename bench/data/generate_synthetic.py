"""Write synthetic Chinese posts and graduate profiles as JSON Lines for the speed benchmark.

    python bench/data/generate_synthetic.py --jobs 112000 --graduates 100000 --out /tmp/match-full

Posts come from the demo templates (talent.scoring.demo) in several writing styles with random
employers, districts, pay and shuffled clauses; a share of them is rewritten in traditional
characters or full-width Latin to exercise normalisation.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Iterable
from pathlib import Path

from talent.scoring.demo import TEMPLATES, make_graduate, make_job

_TRADITIONAL = str.maketrans("软件开发数据库设计计算机汽车车辆电气检测质量经验负责实验", "軟件開發數據庫設計計算機汽車車輛電氣檢測質量經驗負責實驗")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def write_sets(out: Path, jobs: Iterable[dict], graduates: Iterable[dict]) -> tuple[Path, Path]:
    """Write `out`/jobs.jsonl and `out`/graduates.jsonl (the files bench/match_speed.py reads)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = out / "jobs.jsonl", out / "graduates.jsonl"
    for path, records in zip(paths, (jobs, graduates), strict=True):
        with path.open("w", encoding="utf-8") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return paths


def _job(rng: random.Random, index: int) -> dict:
    job = make_job(rng, rng.choice(TEMPLATES), f"J{index:07d}")
    roll = rng.random()
    if roll < 0.1:
        job["description"] = job["description"].translate(_TRADITIONAL)
    elif roll < 0.15:
        job["description"] = _fullwidth(job["description"])
    return job


def generate(n_jobs: int, n_graduates: int, out: Path, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)  # one generator, jobs first: the files depend on the seed only
    return write_sets(out, (_job(rng, i) for i in range(n_jobs)),
                      (make_graduate(rng, f"G{i:07d}") for i in range(n_graduates)))


def command_line(generate_sets: Callable[[int, int, Path, int], tuple[Path, Path]], description: str,
                 seed: int) -> None:
    """`--jobs N --graduates N --out DIR --seed S` for a generator of this directory."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--jobs", type=int, default=22400)
    parser.add_argument("--graduates", type=int, default=20000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=seed)
    args = parser.parse_args()
    print(*generate_sets(args.jobs, args.graduates, args.out, args.seed))


if __name__ == "__main__":
    command_line(generate, __doc__.splitlines()[0], 7)
