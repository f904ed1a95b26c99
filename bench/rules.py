"""Rule-engine benchmark: talent.rules against the plain-Python reference (bench/reference_policy.py).

    .venv/bin/python bench/rules.py                 # 100,000 fact sets, prints a Markdown table
    .venv/bin/python bench/rules.py --record        # ... and rewrites the "## Rule engine" section of
                                                    #     docs/benchmarks.md (only that section)

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
import datetime as dt
import gc
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DOCS = ROOT / "docs" / "benchmarks.md"
SECTION_TITLE = "## Rule engine"


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

    engine_times, reference_times = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        reference_loop()
        reference_times.append(time.perf_counter() - start)
        if engine is not None:
            start = time.perf_counter()
            engine.decide_many(cases, reasons=False)
            engine_times.append(time.perf_counter() - start)
    return {
        "reference_s": min(reference_times),
        "engine_s": min(engine_times) if engine_times else float("nan"),
    }


def engine_cli_command() -> list[str] | None:
    """`talent rules eval` once the console script is wired, else the interim module entry point."""
    installed = ROOT / ".venv" / "bin" / "talent"
    candidates = []
    if installed.exists():
        candidates.append([str(installed), "rules", "eval"])
    elif shutil.which("talent"):
        candidates.append(["talent", "rules", "eval"])
    candidates.append([sys.executable, "-c", "from talent.cli_rules import rules; rules()", "eval"])
    for command in candidates:
        if subprocess.run([*command, "--help"], capture_output=True, check=False).returncode == 0:
            return command
    return None


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


def machine_description() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (`nproc`), {model}, Python {platform.python_version()}"


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
    return f"""{SECTION_TITLE}

Talent rule engine (`talent.rules`) against `bench/reference_policy.py`, a plain hand-written Python
reading of POLICY.md (stdlib only, no NumPy) that the differential test also uses as the second opinion.
Ratios of times above 1 (of throughput, below 1) mean the engine is slower. The machine is shared with other work, so absolute figures are
noisy; engine and reference runs are interleaved and the ratios are the figures to compare.

- Command: `{results['command']}`
- Data: {results['n']:,} fact sets from
  `bench/factgen.py --seed {results['seed']} --invalid-share {results['invalid_share']}`
  (boundary-heavy; ~{results['invalid_share']:.0%} refused lines); latency on the first
  {results['latency_n']:,} of them.
- Machine: {results['machine']}; load average at start {results['load']}
- Date: {results['date']}
- Engine CLI: `{results.get('cli', 'not available')}`

{table}

(a) is one `decide` call per fact set, timed with `perf_counter_ns`, warm; (b) is the best of
{results['rounds']} runs of `decide_many(all, reasons=False)` vs a loop over `reference.decide`; (c) is the whole
process, interpreter start and JSON reading/writing included, stdout to a file.
"""


def record(section: str, docs: Path = DOCS) -> None:
    """Replace only our `## Rule engine` section of docs/benchmarks.md (re-read right before writing)."""
    intro = (
        "# Benchmarks\n\nMeasured figures for the platform's engines. Each `##` section belongs to one "
        "benchmark script in `bench/` and is rewritten by it; the section says how to reproduce it.\n\n"
    )
    text = docs.read_text(encoding="utf-8") if docs.exists() else intro
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION_TITLE), None)
    if start is None:
        new_text = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        tail = "".join(lines[end:])
        new_text = "".join(lines[:start]) + section + ("\n" + tail if tail else "")
    docs.parent.mkdir(parents=True, exist_ok=True)
    docs.write_text(new_text, encoding="utf-8")


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
    try:
        from talent.rules import load_engine

        engine = load_engine()
    except (ImportError, AttributeError) as missing:
        print(f"engine not available ({missing}); measuring the reference only", file=sys.stderr)
        engine = None

    deciders: dict[str, Any] = {"reference": reference.decide}
    if engine is not None:
        deciders["engine_reasons"] = lambda facts: engine.decide(facts, reasons=True)
        deciders["engine_plain"] = lambda facts: engine.decide(facts, reasons=False)
    latency_cases = cases[: args.latency_n]
    results: dict[str, Any] = {
        "command": "python bench/rules.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "n": args.n, "seed": args.seed, "invalid_share": args.invalid_share, "latency_n": len(latency_cases),
        "repeat": args.repeat, "rounds": args.rounds, "machine": machine_description(),
        "date": dt.date.today().isoformat(),
        # Other engineers share the machine: the load says how far to trust absolute figures.
        "load": " / ".join(f"{value:.1f}" for value in os.getloadavg()),
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
            commands = {"reference": [sys.executable, str(BENCH / "reference_policy.py")]}
            cli = engine_cli_command() if engine is not None else None
            if cli is not None:
                commands["engine"] = cli
                results["cli"] = " ".join(Path(part).name if part.startswith("/") else part for part in cli)
            print(f"(c) processes {list(commands)} x {args.repeat} ...", file=sys.stderr)
            results["processes"] = measure_processes(commands, facts_file, args.repeat)

    table = render_table(results)
    print(table)
    print(json.dumps(results, default=str), file=sys.stderr)
    if args.record:
        record(render_section(results, table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
