"""Policy-simulation benchmark: `talent rules simulate` and the page's in-process call, against `talent rules eval`.

    .venv/bin/python bench/simulate.py                      # 100,000 and 1,000,000 people, prints a Markdown table
    .venv/bin/python bench/simulate.py --sizes 100000 --record   # ... and rewrites the simulation section of
                                                                 #     docs/benchmarks.md (only that section)

The population is bench/factgen.py's (seed 1, 2 % refused lines); the reform is the issue's example (tier C salary
threshold 500,000 → 400,000 from 2023-01-01). For each size:
  (a) the in-process call the officer page makes (`simulate(people, reform)`: both runs, the comparison, 10
      examples with reasons), facts already parsed, median of --repeat runs;
  (b) the process wall time of `talent rules simulate --population F --reform R > out` (start, parsing included);
  (c) the baseline in the same run: `talent rules eval F > out`, which decides the population once under the policy
      in force and writes every decision.
(b) and (c) alternate, so load from other processes hits both alike; the ratio is the figure to trust.
Targets (issue 13): 100,000 people in ≤ 3 s for the page, 1,000,000 with the command in ≤ 30 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import record  # bench/record.py: the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
REFORM = """id: tier-c-400k
title: {zh: C类人才年薪门槛降至40万元, en: "Tier C salary threshold lowered to 400,000"}
parameters:
  tier_c_min_annual_salary:
    values: {2023-01-01: 400000}
"""


def _factgen():
    spec = importlib.util.spec_from_file_location("bench_factgen_simulate", ROOT / "bench" / "factgen.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module



def _talent() -> str:
    return str(Path(sys.executable).parent / "talent")


def _wall(command: list[str], out: Path) -> float:
    with out.open("wb") as sink:
        started = time.perf_counter()
        done = subprocess.run(command, stdout=sink, check=False)
        elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some lines were refused, as the population has them on purpose
        raise RuntimeError(f"{command[1:3]} exited with {done.returncode}")
    return elapsed


def measure(size: int, repeat: int, folder: Path) -> dict:
    import yaml

    from talent.simulation import parse_reform, simulate

    people = _factgen().generate(size, seed=1, invalid_share=0.02)
    facts_file, reform_file = folder / f"people-{size}.jsonl", folder / "reform.yaml"
    facts_file.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in people) + "\n", encoding="utf-8")
    reform_file.write_text(REFORM, encoding="utf-8")
    reform = parse_reform(yaml.safe_load(REFORM))
    in_process = []
    if size <= 200_000:  # the page's path; a million people is the command's job
        for _ in range(repeat):
            started = time.perf_counter()
            simulate(people, reform)
            in_process.append(time.perf_counter() - started)
    del people
    simulate_walls, eval_walls = [], []
    for _ in range(repeat if size <= 200_000 else 1):
        simulate_walls.append(_wall([_talent(), "rules", "simulate", "--population", str(facts_file), "--reform",
                                     str(reform_file)], folder / "simulate.json"))
        eval_walls.append(_wall([_talent(), "rules", "eval", str(facts_file)], folder / "eval.jsonl"))
    result = json.loads((folder / "simulate.json").read_text())
    return {
        "size": size,
        "in_process": statistics.median(in_process) if in_process else None,
        "simulate": statistics.median(simulate_walls),
        "eval": statistics.median(eval_walls),
        "changed": result["people"]["changed"],
    }


def render(rows: list[dict], where: dict) -> str:
    lines = [
        "## Policy simulation",
        "",
        f"- Commit: `{where['commit']}` · command: `{where['command']}` (every row of the table below)",
        f"- {where['date']}; machine: {where['machine']}; load average at the start {where['load']}.",
        "- Population: `bench/factgen.py` (seed 1, 2 % refused lines); reform: tier C salary threshold 500,000 → "
        "400,000 from 2023-01-01. Baseline in the same run: `talent rules eval` over the same file (one decision per "
        "person, written out), alternated with the simulation.",
        "",
        "| people | page call `simulate()` (s) | `talent rules simulate` wall (s) | `talent rules eval` wall (s) "
        "| simulate / eval | results changed |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        page = f"{row['in_process']:.2f}" if row["in_process"] is not None else "—"
        lines.append(f"| {row['size']:,} | {page} | {row['simulate']:.2f} | {row['eval']:.2f} "
                     f"| {row['simulate'] / row['eval']:.2f} | {row['changed']:,} |")
    lines.append("")
    lines.append("Targets (issue 13): the page's call for 100,000 people ≤ 3 s; the command for 1,000,000 ≤ 30 s.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    where = record.provenance("simulate.py", argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="talent-bench-simulate-") as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(measure(size, args.repeat, Path(folder)))
            print(rows[-1], file=sys.stderr)
    section = render(rows, where)
    print(section)
    if args.record:
        record.write_section("simulation", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
