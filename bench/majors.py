"""Start-up cost of the major catalogues: a fresh process importing the scoring knowledge and building the
model's feature layout, this checkout against an earlier commit (before the full catalogues), same run.

    .venv/bin/python bench/majors.py --before e391bc0 [--repeat 7]
    .venv/bin/python bench/majors.py --before e391bc0 --record   # ... and rewrites its section of docs/benchmarks.md

Each run is a new Python process (`-c`, the measured part timed inside it: imports of talent.scoring.knowledge
and features, `knowledge()`, `FeatureLayout`), the two checkouts alternated; the median of `--repeat` runs is
reported. The earlier commit is exported with `git archive` into a temporary folder and put on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import record  # bench/record.py: the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, time
started = time.perf_counter()
from talent.scoring.features import FeatureLayout, Weights
from talent.scoring.knowledge import knowledge
kb = knowledge()
layout = FeatureLayout(kb, Weights())
loaded = time.perf_counter() - started
started = time.perf_counter()
names = ["大数据与会计", "农业机械自动化", "软件工程", "车辆工程（汽车电子方向）", "量子烹饪学", "护理"] * 50
for number, name in enumerate(names):
    kb.resolve_major(name + ("" if number < 6 else str(number)))
resolved = (time.perf_counter() - started) / len(names)
print(json.dumps({"seconds": loaded, "width": layout.width, "majors": len(kb.majors), "classes": len(kb.classes),
                  "resolve_ms": resolved * 1000}))
"""


def run(path: Path) -> dict:
    environment = {**os.environ, "PYTHONPATH": str(path), "PYTHONDONTWRITEBYTECODE": "1"}
    # The child runs in the checkout's folder: `-c` puts the working directory first on sys.path.
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=environment, check=True,
                         cwd=path)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", required=True, help="the commit to compare with (e.g. the base of the branch)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    where = record.provenance("majors.py", argv)
    with tempfile.TemporaryDirectory(prefix="majors-before-") as folder:
        archive = subprocess.run(["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        runs: dict[str, list[dict]] = {"before": [], "after": []}
        for _ in range(args.repeat):
            runs["before"].append(run(Path(folder)))
            runs["after"].append(run(ROOT))
    median = {key: statistics.median(r["seconds"] for r in found) for key, found in runs.items()}
    after, before = runs["after"][0], runs["before"][0]
    resolve = statistics.median(r["resolve_ms"] for r in runs["after"])
    lines = [
        "## Major catalogues: start-up of the scoring knowledge",
        "",
        f"- Commit: `{where['commit']}` · command: `{where['command']}`",
        f"- {where['date']}; machine: {where['machine']}; load average at the start {where['load']}.",
        f"- A fresh process importing `talent.scoring` knowledge and features, loading the data and building the "
        f"feature layout; median of {args.repeat} runs each, the two checkouts alternated.",
        "",
        "| code | majors | classes | layout width | start-up (median) |",
        "|---|---:|---:|---:|---:|",
        f"| `{args.before}` (before) | {before['majors']:,} | {before['classes']:,} | {before['width']:,} | "
        f"{median['before']:.3f} s |",
        f"| `{where['commit']}` (this run) | {after['majors']:,} | {after['classes']:,} | {after['width']:,} | "
        f"{median['after']:.3f} s |",
        "",
        f"Start-up after ÷ before: {median['after'] / median['before']:.2f}×. Resolving a major written as free text "
        f"(new text each time, cache-less `Knowledge.resolve_major`): {resolve:.2f} ms on average (median of the "
        "runs' means).",
    ]
    text = "\n".join(lines)
    print(text)
    if args.record:
        record.write_section("majors-startup", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
