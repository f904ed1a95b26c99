"""Wall time and peak memory of `talent match rank` and of the plain TF-IDF baseline, same data,
same run, each as a whole process (start-up included).

    python bench/match_speed.py --graduates 20000 --jobs 22400 [--repeat 2] [--skip-baseline]
    python bench/match_speed.py --graduates 100000 --jobs 112000 --skip-baseline
    python bench/match_speed.py --data varied   # posts from generate_varied.py, nearly all distinct
    ... --record   # put the best run into the `bench:match-speed` table of docs/benchmarks.md (one row per
                   # data set and size, replacing that row only; bench/record.py)

Synthetic Chinese posts and profiles come from bench/data/generate_synthetic.py (cached under
--workdir). Peak memory is the child's maximum resident set size (os.wait4 rusage). The runs
alternate (model, baseline, model, …) so that load from other processes hits both alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "data"))

from generate_synthetic import generate  # noqa: E402
from generate_varied import generate as generate_varied  # noqa: E402

sys.path.insert(0, str(HERE))
import record  # noqa: E402  (bench/record.py)

HEADER = ["data", "graduates × posts", "commit", "command", "date", "load average at start", "model wall",
          "model CPU", "model peak RSS", "baseline wall", "baseline CPU", "baseline peak RSS",
          "model ÷ baseline (wall / CPU)"]
NOTE = """Wall time, CPU time (user + system of the process and its workers, `os.wait4`) and peak resident set of
`talent match rank` (the installed console script, with the `why` texts) against the plain TF-IDF baseline
(`python -m talent.scoring.baseline`, without them), each a whole process (start-up, reading, validation,
output), top 10, runs alternated, best of the command's `--repeat` runs. Data: *templates* from
`bench/data/generate_synthetic.py` (seed 7; posts are shuffled sentences of 38 templates, so few distinct
vectors), *varied* from `bench/data/generate_varied.py` (seed 11; nearly every post its own vector); method
and data in [matching.md](matching.md). Machine: {machine}, shared with other running work: wall times
under load are inflated and noisy, the CPU times and the ratio against the baseline of the same run steadier.
"Not run": the command skipped the baseline (`--skip-baseline`)."""


def run(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds user+system) of one child process and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[:4]} failed ({process.returncode}):\n{stderr[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, default=20000)
    parser.add_argument("--jobs", type=int, default=22400)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/talent-match-bench"))
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--record", action="store_true", help="put the figures into docs/benchmarks.md")
    parser.add_argument("--data", choices=("templates", "varied"), default="templates",
                        help="templates: generate_synthetic.py (demo templates); varied: generate_varied.py "
                             "(nearly every post distinct)")
    args = parser.parse_args()
    run_info = record.provenance("match_speed.py")

    suffix = "" if args.data == "templates" else "-varied"
    data = args.workdir / f"{args.graduates}x{args.jobs}{suffix}"
    jobs, graduates = data / "jobs.jsonl", data / "graduates.jsonl"
    if not (jobs.exists() and graduates.exists()):
        started = time.perf_counter()
        (generate if args.data == "templates" else generate_varied)(args.jobs, args.graduates, data)
        print(f"generated {args.graduates} graduates x {args.jobs} jobs in {time.perf_counter() - started:.1f} s")
    python = sys.executable
    commands = {
        "model": [str(Path(python).parent / "talent"), "match", "rank", "--jobs", str(jobs),
                  "--graduates", str(graduates), "--top", str(args.top), "-o", str(data / "model.jsonl"),
                  "--no-progress"],
        "baseline": [python, "-m", "talent.scoring.baseline", "--jobs", str(jobs), "--graduates", str(graduates),
                     "--top", str(args.top), "--output", str(data / "baseline.jsonl")],
    }
    if args.skip_baseline:
        del commands["baseline"]
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            results[name].append(run(command))
            wall, megabytes, cpu = results[name][-1]
            print(f"{name:<9} {wall:8.1f} s wall  {cpu:8.1f} s CPU  {megabytes:8.0f} MB", flush=True)
    print(f"\n{args.graduates} graduates x {args.jobs} jobs, top {args.top}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    best = {name: min(runs) for name, runs in results.items()}
    for name, (seconds, megabytes, cpu) in best.items():
        print(f"{name:<9} best wall {seconds:8.1f} s   CPU {cpu:8.1f} s   peak RSS {megabytes:8.0f} MB")
    if "baseline" in best:
        print(f"model / baseline wall time: {best['model'][0] / best['baseline'][0]:.2f}; "
              f"CPU time: {best['model'][2] / best['baseline'][2]:.2f}")
    if args.record:
        model_wall, model_mb, model_cpu = best["model"]
        row = [args.data, f"{args.graduates:,} × {args.jobs:,}", f"`{run_info['commit']}`", f"`{run_info['command']}`",
               run_info["date"], run_info["load"], f"{model_wall:.1f} s", f"{model_cpu:.1f} s", f"{model_mb:,.0f} MB"]
        if "baseline" in best:
            base_wall, base_mb, base_cpu = best["baseline"]
            row += [f"{base_wall:.1f} s", f"{base_cpu:.1f} s", f"{base_mb:,.0f} MB",
                    f"{model_wall / base_wall:.2f} / {model_cpu / base_cpu:.2f}"]
        else:
            row += ["not run", "not run", "not run", "–"]
        record.write_rows("match-speed", "## Matching speed", HEADER, row, key_cells=2,
                          note=NOTE.format(machine=run_info["machine"]))


if __name__ == "__main__":
    main()
