"""Rule-engine benchmark: talent.rules against the plain-Python reference (bench/reference_policy.py).

    .venv/bin/python bench/rules.py                 # 100,000 fact sets, prints a Markdown table
    .venv/bin/python bench/rules.py --record        # ... and rewrites its section of docs/benchmarks.md
                                                    #     (the `bench:rules` markers, see bench/record.py)

Measures, on the same generated facts (bench/factgen.py, seed 1, 2 % invalid lines):
  (a) one-at-a-time latency of Engine.decide (with and without reasons) vs reference.decide: median and p99;
  (b) batch throughput of Engine.decide_many(all, reasons=False) vs a loop over reference.decide;
  (c) end-to-end process wall time of `talent rules eval facts.jsonl > out` vs
      `python bench/reference_policy.py facts.jsonl > out`, process start included, median of --repeat runs.
Engine and reference runs are interleaved so that load from other processes hits both alike; the ratios are
the figures to trust on a shared machine.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SECTION = "rules"  # the `<!-- bench:rules start/end -->` markers of docs/benchmarks.md


def _load(name: str):
    module_name = f"bench_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


reference = _load("reference_policy")
factgen = _load("factgen")
record = _load("record")


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def _call_ignoring_refusal(decide, facts: dict[str, Any]) -> None:
    try:
        decide(facts)
    except Exception as refused:  # InputError / ReferenceInputError: refusal is a normal outcome here
        if not hasattr(refused, "errors"):
            raise


def measure_latency(deciders: dict[str, Any], cases: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Median and p99 in microseconds per decider; each case is decided by every decider in turn."""
    timings: dict[str, list[float]] = {name: [] for name in deciders}
    for facts in cases[:200]:  # warm-up: imports, caches, compiled closures
        for decide in deciders.values():
            _call_ignoring_refusal(decide, facts)
    gc.disable()
    try:
        for facts in cases:
            for name, decide in deciders.items():
                start = time.perf_counter_ns()
                _call_ignoring_refusal(decide, facts)
                timings[name].append((time.perf_counter_ns() - start) / 1000)
    finally:
        gc.enable()
    summary = {}
    for name, values in timings.items():
        values.sort()
        summary[name] = {"median_us": statistics.median(values), "p99_us": percentile(values, 0.99)}
    return summary


def measure_batch(engine, cases: list[dict[str, Any]], rounds: int) -> dict[str, float]:
    """Best-of-`rounds` seconds for decide_many(all) and for the reference loop, interleaved."""
    def reference_loop() -> None:
        for facts in cases:
            _call_ignoring_refusal(reference.decide, facts)

    from talent.rules.batch import RECORD_PATH_FALLBACKS

    engine_times, reference_times = [], []
    fallbacks_before = sum(RECORD_PATH_FALLBACKS.values())
    for _ in range(rounds):
        start = time.perf_counter()
        reference_loop()
        reference_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        engine.decide_many(cases, reasons=False)
        engine_times.append(time.perf_counter() - start)
    fallbacks = sum(RECORD_PATH_FALLBACKS.values()) - fallbacks_before
    if fallbacks:  # the figures would not be the vectorised path's
        raise SystemExit(f"decide_many decided {fallbacks} cases on the record path: {dict(RECORD_PATH_FALLBACKS)}")
    return {"reference_s": min(reference_times), "engine_s": min(engine_times)}


def engine_cli_command() -> list[str]:
    """`talent rules eval`: the console script installed beside this interpreter (no fallback)."""
    script = Path(sys.executable).parent / "talent"
    if not script.is_file():
        raise SystemExit(f"{script} is not installed (pip install -e .)")
    return [str(script), "rules", "eval"]


def measure_processes(commands: dict[str, list[str]], facts_file: Path, repeat: int) -> dict[str, float]:
    """Median wall seconds of each command over `repeat` interleaved runs, stdout to a file."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(repeat):
            for name, command in commands.items():
                out_path = Path(scratch) / f"{name}.jsonl"
                with open(out_path, "wb") as out:
                    start = time.perf_counter()
                    run = subprocess.run([*command, str(facts_file)], stdout=out, stderr=subprocess.PIPE,
                                         check=False)
                    walls[name].append(time.perf_counter() - start)
                if run.returncode not in (0, 1):
                    raise RuntimeError(f"{name} failed: {run.stderr.decode()[-2000:]}")
    return {name: statistics.median(values) for name, values in walls.items()}


def _ratio(engine_value: float, reference_value: float) -> str:
    if engine_value != engine_value or reference_value == 0:  # NaN: engine absent
        return "–"
    return f"{engine_value / reference_value:.2f}×"


def _figure(value: float, unit: str, spec: str = ".2f") -> str:
    return "–" if value != value else f"{value:{spec}} {unit}"  # NaN: the engine is absent


def render_table(results: dict[str, Any]) -> str:
    nan = float("nan")
    latency = results["latency"]
    rows = [
        "| measurement | engine | reference | engine ÷ reference |",
        "|---|---:|---:|---:|",
    ]
    ref_latency = latency["reference"]
    for label, key in (("decide, reasons=True", "engine_reasons"), ("decide, reasons=False", "engine_plain")):
        for stat, name in (("median_us", "median"), ("p99_us", "p99")):
            engine_value = latency.get(key, {}).get(stat, nan)
            rows.append(
                f"| (a) {label}, {name} latency | {_figure(engine_value, 'µs', '.1f')} | "
                f"{_figure(ref_latency[stat], 'µs', '.1f')} | {_ratio(engine_value, ref_latency[stat])} |"
            )
    batch = results["batch"]
    n = results["n"]
    engine_rate = n / batch["engine_s"]
    reference_rate = n / batch["reference_s"]
    rows.append(
        f"| (b) decide_many {n:,} facts, wall | {_figure(batch['engine_s'], 's')} | "
        f"{_figure(batch['reference_s'], 's')} | {_ratio(batch['engine_s'], batch['reference_s'])} |"
    )
    rows.append(
        f"| (b) throughput | {_figure(engine_rate, '/s', ',.0f')} | {_figure(reference_rate, '/s', ',.0f')} | "
        f"{_ratio(engine_rate, reference_rate)} |"
    )
    processes = results.get("processes")
    if processes:
        engine_wall = processes.get("engine", nan)
        rows.append(
            f"| (c) process wall, {n:,} lines, median of {results['repeat']} | {_figure(engine_wall, 's')} | "
            f"{_figure(processes['reference'], 's')} | {_ratio(engine_wall, processes['reference'])} |"
        )
    return "\n".join(rows)


def render_section(results: dict[str, Any], table: str) -> str:
    return f"""## Rule engine

Talent rule engine (`talent.rules`) against `bench/reference_policy.py`, a plain hand-written Python
reading of the policy (docs/policy.md; stdlib only, no NumPy) that the differential test also uses as the
second opinion. Ratios of times above 1 (of throughput, below 1) mean the engine is slower. The machine is
shared with other work, so absolute figures are noisy; engine and reference runs are interleaved and the
ratios are the figures to compare.

- Commit: `{results['commit']}` · command: `{results['command']}` (every row of the table below)
- Data: {results['n']:,} fact sets from
  `bench/factgen.py --seed {results['seed']} --invalid-share {results['invalid_share']}`
  (boundary-heavy; ~{results['invalid_share']:.0%} refused lines); latency on the first
  {results['latency_n']:,} of them.
- Machine: {results['machine']}, shared with other running work; load average at start {results['load']}
- Date: {results['date']}
- Engine CLI: `{results['cli']}`

{table}

(a) is one `decide` call per fact set, timed with `perf_counter_ns`, warm; (b) is the best of
{results['rounds']} runs of `decide_many(all, reasons=False)` vs a loop over `reference.decide`; (c) is the whole
process, interpreter start and JSON reading/writing included, stdout to a file.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rule-engine benchmark against the reference policy")
    parser.add_argument("--n", type=int, default=100_000, help="fact sets for (b) and (c)")
    parser.add_argument("--latency-n", type=int, default=5_000, help="fact sets timed one at a time in (a)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--invalid-share", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3, help="process runs per command in (c)")
    parser.add_argument("--rounds", type=int, default=2, help="batch runs in (b), best kept")
    parser.add_argument("--no-cli", action="store_true", help="skip (c)")
    parser.add_argument("--record", action="store_true", help="rewrite the section in docs/benchmarks.md")
    args = parser.parse_args(argv)

    cases = factgen.generate(args.n, seed=args.seed, invalid_share=args.invalid_share)
    from talent.rules import load_engine

    engine = load_engine()
    deciders: dict[str, Any] = {
        "reference": reference.decide,
        "engine_reasons": lambda facts: engine.decide(facts, reasons=True),
        "engine_plain": lambda facts: engine.decide(facts, reasons=False),
    }
    latency_cases = cases[: args.latency_n]
    # Other engineers share the machine: the load says how far to trust absolute figures.
    results: dict[str, Any] = {
        **record.provenance("rules.py", argv),
        "n": args.n, "seed": args.seed, "invalid_share": args.invalid_share, "latency_n": len(latency_cases),
        "repeat": args.repeat, "rounds": args.rounds,
    }
    print(f"(a) latency on {len(latency_cases):,} fact sets ...", file=sys.stderr)
    results["latency"] = measure_latency(deciders, latency_cases)
    print(f"(b) batch of {args.n:,} ...", file=sys.stderr)
    results["batch"] = measure_batch(engine, cases, args.rounds)

    if not args.no_cli:
        with tempfile.TemporaryDirectory() as scratch:
            facts_file = Path(scratch) / "facts.jsonl"
            with open(facts_file, "w", encoding="utf-8") as out:
                for facts in cases:
                    out.write(json.dumps(facts, ensure_ascii=False) + "\n")
            cli = engine_cli_command()
            commands = {"reference": [sys.executable, str(BENCH / "reference_policy.py")], "engine": cli}
            results["cli"] = " ".join(Path(part).name if part.startswith("/") else part for part in cli)
            print(f"(c) processes {list(commands)} x {args.repeat} ...", file=sys.stderr)
            results["processes"] = measure_processes(commands, facts_file, args.repeat)

    table = render_table(results)
    print(table)
    print(json.dumps(results, default=str), file=sys.stderr)
    if args.record:
        if args.no_cli:
            raise SystemExit("--record needs every measurement: drop --no-cli")
        record.write_section(SECTION, render_section(results, table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
