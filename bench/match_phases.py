"""CPU seconds of the phases of `talent match rank`, one process and one thread, in-process.

    python bench/match_phases.py [--data DIR] [--record]

Measures, on the files of bench/match_speed.py (default: the varied 20,000 × 22,400 set), the time to
validate, to fit (job vectors), to build the ranking index, to rank with and without explanations (their
difference is the cost of the `why` texts), and the old product (one GEMM over all 409 columns in 96 MB
chunks) against the split product the model uses, checking that both give the same ranking. Run it with
another checkout on PYTHONPATH to compare code versions (the product comparison needs this one).
Each run is one cold measurement (the knowledge caches of titles and descriptions start empty): run the
command several times rather than repeating inside one process. With --record the run becomes the row of
its data set and measured commit in the `bench:match-phases` table of docs/benchmarks.md (bench/record.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from pathlib import Path

import numpy as np
import orjson
from threadpoolctl import threadpool_limits

from talent.scoring.model import MatchModel
from talent.scoring.records import validate_graduate, validate_job
from talent.scoring.topk import rank_all_pairs

sys.path.insert(0, str(Path(__file__).resolve().parent))
import record  # noqa: E402  (bench/record.py)

PHASES = ["validate", "fit", "index", "rank without why", "why texts",
          "product: one GEMM, 409 columns, 96 MB chunks", "product: split, used columns, 12 MB chunks"]
NOTE = """CPU seconds (`time.process_time`) of the phases of `talent match rank` in one process on one thread, garbage
collector paused as in the command, cold caches: validation, job vectors (fit), the ranking index, ranking
without the `why` texts, the texts (ranking with them minus without), and the product with top-k done the
old way (one GEMM over all 409 columns in 96 MB chunks) and the way the model does it (the major / class /
category columns as one score row per distinct combination, unused columns dropped, 12 MB chunks), both
checked to give the same ranking. One row per data set and measured commit (the code imported: another
checkout can be measured by putting it on PYTHONPATH). Machine: {machine}, shared with other running work."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/talent-match-bench/20000x22400-varied"))
    parser.add_argument("--record", action="store_true", help="put the figures into docs/benchmarks.md")
    args = parser.parse_args()
    import talent

    run_info = record.provenance("match_phases.py")
    run_info["commit"] = record.commit(Path(talent.__file__).resolve().parents[1])
    gc.disable()  # as talent match rank does
    jobs = [orjson.loads(line) for line in (args.data / "jobs.jsonl").read_bytes().splitlines()]
    graduates = [orjson.loads(line) for line in (args.data / "graduates.jsonl").read_bytes().splitlines()]
    with threadpool_limits(1):
        times = {}
        start = time.process_time()
        valid_jobs = [validate_job(j, as_of=dt.date(2026, 11, 27)) for j in jobs]
        valid_graduates = [validate_graduate(g) for g in graduates]
        times["validate"] = time.process_time() - start
        start = time.process_time()
        model = MatchModel(n_threads=1, n_processes=1).fit(valid_jobs)
        times["fit"] = time.process_time() - start
        start = time.process_time()
        model._ordered_index()
        if hasattr(model, "_output_tables"):
            model._output_tables()
        times["index"] = time.process_time() - start
        for explain in (False, True):
            start = time.process_time()
            size = sum(len(block) for block in model.rank_jobs_json_bytes(valid_graduates, top=10, explain=explain))
            times[f"rank {'with' if explain else 'without'} why"] = time.process_time() - start
        times["why texts"] = times["rank with why"] - times["rank without why"]
        if hasattr(model, "_rank_matrix"):
            index = model._ordered_index()
            layout = model._layout()
            matrix = layout.graduate_matrix(model.graduate_profiles(valid_graduates))
            levels = np.array([g.level for g in valid_graduates], dtype=np.int8)
            start = time.process_time()
            old = rank_all_pairs(matrix, levels, model.job_matrix_[index.chosen], index.cuts, 10, chunk_rows=1071,
                                 n_threads=1)
            times["product: one GEMM, 409 columns, 96 MB chunks"] = time.process_time() - start
            start = time.process_time()
            new = model._rank_matrix(matrix, levels, 10, None)
            times["product: split, used columns, 12 MB chunks"] = time.process_time() - start
            assert np.array_equal(old[0], new[0]) and np.array_equal(old[1], new[1]), "the products disagree"
        print("  ".join(f"{name} {seconds:.2f}" for name, seconds in times.items()), f"({size / 1e6:.0f} MB out)",
              flush=True)
    if args.record:
        row = [args.data.name, f"`{run_info['commit']}`", f"`{run_info['command']}`", run_info["date"],
               run_info["load"], *(f"{times[name]:.2f} s" if name in times else "–" for name in PHASES)]
        record.write_rows("match-phases", "## Matching phases", ["data", "commit", "command", "date",
                          "load average at start", *PHASES], row, key_cells=2,
                          note=NOTE.format(machine=run_info["machine"]))


if __name__ == "__main__":
    main()
