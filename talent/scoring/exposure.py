"""Fair exposure: spread graduates over posts instead of sending everyone to the same few.

Relevance ranking alone shows the same popular posts to nearly everyone, while many open posts are shown to
nobody. `rerank` lowers the score of a post by at most `strength` in proportion to how over-exposed it is
relative to its headcount, and reorders each graduate's best `CANDIDATES` posts by the lowered score. Greedy,
graduate after graduate (in the given order), with the exposure of the lists chosen so far:

    load(post)    = times shown in the first SHOWN of earlier graduates' lists
                    / (earlier graduates × SHOWN × the post's share of all places offered)
                    + applications so far / (headcount × APPLICATIONS_PER_PLACE)
    penalty(post) = strength × (1 − 1 / load^POWER) when load > 1, else 0

A post at or below its fair share (load ≤ 1) loses nothing; one shown twice its share loses 7/8 of `strength`,
and no post ever loses all of it. The penalty rises strictly with the load, so among over-exposed posts the
less exposed come first. The strength was chosen on the development set (bench/match_quality.py,
docs/matching.md, "Fair exposure").

Guarantees: a penalty is at most `strength`, so a post never falls below one whose score was lower by more
than `strength` (an irrelevant post never overtakes a relevant one when `strength` is below the relevance
gap, see docs/matching.md), and posts not among a graduate's candidates are never shown. Shares are relative,
so a shard of graduates (services.match_store) measures the same loads as the whole population, up to
sampling.
"""

from __future__ import annotations

import numpy as np

CANDIDATES = 50  # each graduate's best posts that fair exposure may reorder
SHOWN = 10  # the slots whose exposure counts (what a graduate sees on the first page)
APPLICATIONS_PER_PLACE = 10.0
DEFAULT_STRENGTH = 0.2
POWER = 3.0


def penalty(load: np.ndarray, strength: float) -> np.ndarray:
    """0 up to the fair share (load 1), then rising towards `strength` without reaching it: strictly increasing,
    so of two over-exposed posts the more exposed one always loses more."""
    return strength * (1.0 - 1.0 / np.maximum(load, 1.0) ** POWER)


def rerank(matches: list[list[tuple[int, float]]], headcount: np.ndarray, applications: np.ndarray, top: int,
           strength: float) -> list[list[tuple[int, float]]]:
    """Each graduate's candidates `(post position, score)` (best first) reordered by score minus the post's
    penalty, the best `top` kept, with the lowered scores (rounded to 4 places); ties keep the given order.

    Greedy over the graduates in the given order: a graduate's penalties are those of the loads of the lists
    chosen before (plus the applications), with each post's expected exposure so far as its fair share."""
    places = np.maximum(np.asarray(headcount, dtype=np.float64), 1.0)
    if not len(places):
        return [[] for _ in matches]
    place_share = places / places.sum()
    applied = np.asarray(applications, dtype=np.float64) / (places * APPLICATIONS_PER_PLACE)
    exposure = np.zeros(len(places))
    result = []
    for done, candidates in enumerate(matches):
        if not candidates:
            result.append([])
            continue
        positions = np.fromiter((c[0] for c in candidates), dtype=np.int64, count=len(candidates))
        scores = np.fromiter((c[1] for c in candidates), dtype=np.float64, count=len(candidates))
        expected = max(done, 1) * SHOWN * place_share[positions]
        load = exposure[positions] / expected + applied[positions]
        lowered = np.round(scores - penalty(load, strength), 4)
        order = np.lexsort((np.arange(len(candidates)), -lowered))[:top]
        exposure[positions[order[:SHOWN]]] += 1
        result.append([(int(positions[k]), float(lowered[k])) for k in order])
    return result


def coverage_and_gini(shown_posts: list[list[str]], open_posts: list[str]) -> tuple[float, float]:
    """(share of open posts shown to at least one graduate, Gini coefficient of the exposure counts over the
    open posts) of the given top lists."""
    index = {post: i for i, post in enumerate(open_posts)}
    counts = np.zeros(len(open_posts))
    for posts in shown_posts:
        for post in posts:
            if post in index:
                counts[index[post]] += 1
    if not len(counts) or counts.sum() == 0:
        return 0.0, 0.0
    coverage = float((counts > 0).mean())
    ordered = np.sort(counts)
    n = len(ordered)
    gini = float((2 * np.arange(1, n + 1) - n - 1) @ ordered / (n * ordered.sum()))
    return coverage, gini
