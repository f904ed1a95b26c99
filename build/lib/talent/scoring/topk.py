"""Exact all-pairs top-k of a bilinear score in bounded memory.

Graduates are processed in row chunks; each chunk's scores against every eligible job are one
float32 GEMM (BLAS), so memory is bounded by chunk_rows x n_jobs x 4 bytes per worker.

The hard education filter is structural: jobs are ordered by minimum education, so a graduate of
level L is only ever multiplied with the first `cut[L]` columns (jobs asking for at most L). A job
above the graduate's level is never scored, so it can never be ranked.

Top-k selection avoids a full argpartition of every row (≈20 ns per score here): the row is cut
into blocks of 32 columns, the k-th largest block maximum is a lower bound on the k-th largest score
(the k best blocks each hold a score at least that high), and only scores at or above it are sorted.
The result is exact, ties broken by the lower job position. Chunks run on a small thread pool with
one BLAS thread each (NumPy releases the GIL in GEMM, reductions and comparisons).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

BLOCK = 32
# A chunk's scores are written by GEMM and read by the offset add and several times by the top-k
# selection: chunks that stay in the CPU's caches are ~40 % faster than 96 MB ones (measured at 22,400
# posts: 256 rows 1.06 s, 1,071 rows 1.83 s per 5,000 graduates), and two worker processes share one
# 32 MB L3 here (12 MB chunks were ~5 % faster than 24 MB ones with two workers, within the noise);
# GEMM needs some rows to run at full speed.
_TARGET_CHUNK_BYTES = 12 * 1024 * 1024
_MIN_CHUNK_ROWS = 64


def default_chunk_rows(n_columns: int) -> int:
    """Rows per chunk so one chunk's score matrix stays near 12 MB (at least 64 rows)."""
    return int(max(_MIN_CHUNK_ROWS, min(4096, _TARGET_CHUNK_BYTES // max(4 * n_columns, 1))))


def top_k_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k per row of `scores` (r x m): (columns r x k', values r x k'), k' = min(k, m).

    Rows are sorted by score descending, ties by column ascending.
    """
    rows, columns = scores.shape
    k = min(k, columns)
    if k == 0:
        return np.zeros((rows, 0), np.int64), np.zeros((rows, 0), scores.dtype)
    if columns <= 4 * BLOCK * max(k, 8):
        threshold = np.partition(scores, columns - k, axis=1)[:, columns - k]
        candidate_rows, candidate_cols = np.nonzero(scores >= threshold[:, None])
        candidate_scores = scores[candidate_rows, candidate_cols]
    else:
        # Group g holds the columns g, g + G, g + 2G, ... (G = columns // BLOCK): a max over axis 1
        # of the (rows, BLOCK, G) view reads memory in order, far faster than contiguous blocks.
        groups = columns // BLOCK
        main = scores[:, : groups * BLOCK].reshape(rows, BLOCK, groups)
        group_max = main.max(axis=1)
        threshold = np.partition(group_max, groups - k, axis=1)[:, groups - k]
        group_rows, group_ids = np.nonzero(group_max >= threshold[:, None])
        member_cols = group_ids[:, None] + groups * np.arange(BLOCK)[None, :]
        member_rows = np.broadcast_to(group_rows[:, None], member_cols.shape)
        candidate_rows, candidate_cols = member_rows.ravel(), member_cols.ravel()
        if groups * BLOCK < columns:  # the few columns left over are all candidates
            tail_rows, tail_cols = np.divmod(np.arange(rows * (columns - groups * BLOCK)), columns - groups * BLOCK)
            candidate_rows = np.concatenate([candidate_rows, tail_rows])
            candidate_cols = np.concatenate([candidate_cols, tail_cols + groups * BLOCK])
        candidate_scores = scores[candidate_rows, candidate_cols]
        above = candidate_scores >= threshold[candidate_rows]
        candidate_rows, candidate_cols = candidate_rows[above], candidate_cols[above]
        candidate_scores = candidate_scores[above]
    order = np.lexsort((candidate_cols, -candidate_scores, candidate_rows))
    sorted_rows = candidate_rows[order]
    starts = np.searchsorted(sorted_rows, np.arange(rows))
    rank = np.arange(len(sorted_rows)) - starts[sorted_rows]
    keep = rank < k
    # Every row has at least k candidates (the threshold is at most its k-th largest score).
    out_cols = np.empty((rows, k), np.int64)
    out_vals = np.empty((rows, k), scores.dtype)
    out_cols[sorted_rows[keep], rank[keep]] = candidate_cols[order][keep]
    out_vals[sorted_rows[keep], rank[keep]] = candidate_scores[order][keep]
    return out_cols, out_vals


def iter_chunks(n_rows: int, chunk_rows: int) -> Iterator[slice]:
    for start in range(0, n_rows, chunk_rows):
        yield slice(start, min(start + chunk_rows, n_rows))


def rank_all_pairs(
    graduate_matrix: np.ndarray,
    graduate_levels: np.ndarray,
    job_matrix_by_level: np.ndarray,
    level_cuts: list[int],
    k: int,
    *,
    chunk_rows: int | None = None,
    n_threads: int = 2,
    on_progress: Callable[[int], None] | None = None,
    row_offsets: tuple[np.ndarray, np.ndarray] | None = None,
    blas_threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k job positions (in `job_matrix_by_level` order) and scores for every graduate row.

    `job_matrix_by_level` holds the jobs sorted by minimum education; `level_cuts[L]` is the number
    of jobs a graduate of level L may see. Missing slots (fewer eligible jobs than k) are -1.

    `row_offsets = (table, ids)` adds `table[ids[g]]` (a precomputed score row over all jobs) to
    graduate g's scores: the part of the score from blocks where graduates take few distinct values
    (one major, one class, one category each) is a small table instead of hundreds of GEMM columns.

    With `n_threads` > 1 each chunk's GEMM runs on one BLAS thread (the chunks are the parallelism);
    otherwise BLAS uses `blas_threads` (None: its default). Worker processes that share the cores
    pass 1, or every process would start a BLAS thread per core.
    """
    from threadpoolctl import threadpool_limits

    n_graduates = graduate_matrix.shape[0]
    out_cols = np.full((n_graduates, k), -1, dtype=np.int64)
    out_vals = np.full((n_graduates, k), -np.inf, dtype=np.float32)
    job_columns = np.ascontiguousarray(job_matrix_by_level.T)  # D x m, so each GEMM reads rows
    tasks: list[tuple[np.ndarray, int]] = []
    for level in range(4):
        rows = np.flatnonzero(graduate_levels == level)
        cut = level_cuts[level]
        if len(rows) == 0 or cut == 0:
            if on_progress and len(rows):
                on_progress(len(rows))
            continue
        step = chunk_rows or default_chunk_rows(cut)
        for piece in iter_chunks(len(rows), step):
            tasks.append((rows[piece], cut))

    def run(task: tuple[np.ndarray, int]) -> int:
        rows, cut = task
        scores = graduate_matrix[rows] @ job_columns[:, :cut]
        if row_offsets is not None:
            scores += row_offsets[0][row_offsets[1][rows], :cut]
        # Scores are exact (features.snap), so equal scores are truly equal and ties go by position.
        cols, vals = top_k_rows(scores, k)
        out_cols[rows, : cols.shape[1]] = cols
        out_vals[rows, : vals.shape[1]] = vals
        return len(rows)

    with threadpool_limits(limits=1 if n_threads > 1 else blas_threads, user_api="blas"):
        if n_threads <= 1:
            for task in tasks:
                done = run(task)
                if on_progress:
                    on_progress(done)
        else:
            with ThreadPoolExecutor(max_workers=n_threads) as pool:
                # Bounded look-ahead keeps at most ~2 chunks per worker in memory.
                pending = []
                for task in tasks:
                    pending.append(pool.submit(run, task))
                    if len(pending) >= 2 * n_threads:
                        done = pending.pop(0).result()
                        if on_progress:
                            on_progress(done)
                for future in pending:
                    done = future.result()
                    if on_progress:
                        on_progress(done)
    return out_cols, out_vals
