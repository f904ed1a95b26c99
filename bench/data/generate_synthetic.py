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
from pathlib import Path

from talent.scoring.demo import TEMPLATES, make_graduate, make_job

_TRADITIONAL = str.maketrans("软件开发数据库设计计算机汽车车辆电气检测质量经验负责实验", "軟件開發數據庫設計計算機汽車車輛電氣檢測質量經驗負責實驗")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def generate(n_jobs: int, n_graduates: int, out: Path, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    jobs_path, graduates_path = out / "jobs.jsonl", out / "graduates.jsonl"
    with jobs_path.open("w", encoding="utf-8") as handle:
        for index in range(n_jobs):
            job = make_job(rng, rng.choice(TEMPLATES), f"J{index:07d}")
            roll = rng.random()
            if roll < 0.1:
                job["description"] = job["description"].translate(_TRADITIONAL)
            elif roll < 0.15:
                job["description"] = _fullwidth(job["description"])
            handle.write(json.dumps(job, ensure_ascii=False) + "\n")
    with graduates_path.open("w", encoding="utf-8") as handle:
        for index in range(n_graduates):
            handle.write(json.dumps(make_graduate(rng, f"G{index:07d}"), ensure_ascii=False) + "\n")
    return jobs_path, graduates_path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=22400)
    parser.add_argument("--graduates", type=int, default=20000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(*generate(args.jobs, args.graduates, args.out, args.seed))


if __name__ == "__main__":
    main()
