"""CPU seconds of the phases of `talent match rank`, one process and one thread, in-process.

    python bench/match_phases.py [--data DIR]

Measures, on the files of bench/match_speed.py (default: the varied 20,000 × 22,400 set), the time to
validate, to fit (job vectors), to build the ranking index, to rank with and without explanations (their
difference is the cost of the `why` texts), and the old product (one GEMM over all 409 columns in 96 MB
chunks) against the split product the model uses, checking that both give the same ranking. Run it with
another checkout on PYTHONPATH to compare code versions (the product comparison needs this one).
Each run is one cold measurement (the knowledge caches of titles and descriptions start empty): run the
command several times rather than repeating inside one process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time
from pathlib import Path

import numpy as np
import orjson
from threadpoolctl import threadpool_limits

from talent.scoring.model import MatchModel
from talent.scoring.records import validate_graduate, validate_job
from talent.scoring.topk import rank_all_pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/talent-match-bench/20000x22400-varied"))
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
