"""Benchmark: story grouping at scale: its quality on the dev day, its cost on large synthetic days.

    python bench/grouping.py [--eval ../shared/eval/multinews-dev.jsonl] [--sizes 1000,10000,50000]
                             [--exact-upto 3000]

1. The dev day (the 28 clusters' 64 articles in one day): ARI and purity of the grouping against
   all-pairs average linkage (every pair's cosine), and the share of the pairs at or above the
   threshold that the inverted index of heavy words finds.
2. Synthetic days (bench/synthday.py) of each size: seconds for the leads (segmentation, which the
   build shares with chunking), the terms and TF-IDF, the candidate pairs, the linkage; ms per
   article, the process's peak resident memory, ARI and purity against the synthetic truth, and against
   all-pairs linkage where that is affordable (``--exact-upto``).
3. Continuity: two synthetic days whose stories are split between them (each story's articles go
   to day 1 or day 2 at random): seconds to link day 2's stories to day 1's, and the share linked
   to their own story.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthday import DEFAULT_EVAL, day

from summarizer.models import Article, Story
from summarizer.settings import SETTINGS
from summarizer.stories import (
    Pairs,
    adjusted_rand,
    agglomerate,
    continuity,
    cosine,
    lead,
    neighbours,
    purity,
    term_counts,
    tfidf,
)

T = SETTINGS.stories.similarity


def labels(groups: list[list[int]], n: int) -> list[int]:
    out = [0] * n
    for g, members in enumerate(groups):
        for m in members:
            out[m] = g
    return out


def similarity(vs: list[dict[str, float]]) -> Callable[[int, int], float]:
    return lambda i, j: cosine(vs[i], vs[j])


def all_pairs(vs: list[dict[str, float]]) -> Pairs:
    return {(i, j): c for i in range(len(vs)) for j in range(i + 1, len(vs)) if (c := cosine(vs[i], vs[j])) >= T}


def dev_day(path: Path) -> None:
    clusters = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = [(c, d.get("documentTitle") or "", d["rawDocumentText"]) for c, cl in enumerate(clusters)
            for d in cl["documents"]]
    random.Random(7).shuffle(docs)
    truth = [c for c, _, _ in docs]
    vs = tfidf([term_counts(lead(t, x)) for _, t, x in docs])
    exact = all_pairs(vs)
    print(f"dev day: {len(docs)} articles, {len(clusters)} stories, threshold {T}")
    print(f"{'method':<34} {'pairs':>6} {'found':>6} {'ARI':>6} {'purity':>6}")
    found = agglomerate(len(vs), exact, T, similarity(vs))
    print(f"{'all pairs':<34} {len(exact):>6} {1:>6.3f} {adjusted_rand(truth, labels(found, len(vs))):>6.3f} "
          f"{purity(truth, labels(found, len(vs))):>6.3f}")
    for top in (5, 10, 20, 30):
        got = neighbours(vs, T, top=top)
        found = agglomerate(len(vs), got, T, similarity(vs))
        mark = " (settings)" if top == SETTINGS.stories.top_terms else ""
        print(f"{f'heaviest {top} words{mark}':<34} {len(got):>6} {len(set(got) & set(exact)) / len(exact):>6.3f} "
              f"{adjusted_rand(truth, labels(found, len(vs))):>6.3f} {purity(truth, labels(found, len(vs))):>6.3f}")


def synthetic(sizes: list[int], exact_upto: int, path: Path) -> None:
    print(f"\nsynthetic days (bench/synthday.py), heaviest {SETTINGS.stories.top_terms} words, a word of more "
          f"than {SETTINGS.stories.top_shared_most} articles pairs none")
    print(f"{'articles':>8} {'stories':>7} {'leads s':>7} {'terms s':>7} {'pairs s':>7} {'link s':>6} "
          f"{'total s':>7} {'ms/art':>6} {'no-lead ms/art':>14} {'max RSS MB':>10} {'links':>8} "
          f"{'ARI':>6} {'purity':>6} {'ARI all pairs':>13}")
    for n in sizes:
        arts = day(n, path=path)
        truth = [a.story for a in arts]
        t0 = time.perf_counter()
        leads = [lead(a.title, a.text) for a in arts]
        t1 = time.perf_counter()
        vs = tfidf([term_counts(x) for x in leads])
        t2 = time.perf_counter()
        pairs = neighbours(vs, T)
        t3 = time.perf_counter()
        found = labels(agglomerate(n, pairs, T, similarity(vs)), n)
        t4 = time.perf_counter()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the process so far (sizes ascend)
        reference = "-"
        if n <= exact_upto:
            ref = labels(agglomerate(n, all_pairs(vs), T, similarity(vs)), n)
            reference = f"{adjusted_rand(truth, ref):.3f}"
        print(f"{n:>8} {len(set(truth)):>7} {t1 - t0:>7.1f} {t2 - t1:>7.1f} {t3 - t2:>7.1f} {t4 - t3:>6.1f} "
              f"{t4 - t0:>7.1f} {(t4 - t0) / n * 1000:>6.2f} {(t4 - t1) / n * 1000:>14.2f} {peak:>10.0f} "
              f"{len(pairs):>8} {adjusted_rand(truth, found):>6.3f} {purity(truth, found):>6.3f} {reference:>13}",
              flush=True)


def continuity_check(sizes: list[int], path: Path) -> None:
    print("\ncontinuity: day 2's stories linked to day 1's (each story's articles split between the days)")
    print(f"{'articles':>8} {'day-2 stories':>13} {'seconds':>7} {'linked right':>12} {'linked wrong':>12}")
    for n in sizes:
        arts = day(n, path=path)
        rng = random.Random(3)
        days: list[list[tuple[int, Article]]] = [[], []]
        for i, a in enumerate(arts):
            days[rng.randrange(2)].append((a.story, Article(id=i + 1, path=f"a{i}", title=a.title, text=a.text,
                                                            outlet=a.outlet)))

        def stories(d: list[tuple[int, Article]], tag: str) -> tuple[list[Story], dict[int, Article], list[int]]:
            by_story: dict[int, list[Article]] = {}
            for s, a in d:
                by_story.setdefault(s, []).append(a)
            out = [Story(id=f"{tag}{s}", title=m[0].title, sources=[a.id for a in m], outlets=len(m), reason="")
                   for s, m in by_story.items()]
            return out, {a.id: a for _, a in d}, list(by_story)

        old, then, _ = stories(days[0], "s")
        cur, now, truth = stories(days[1], "t")
        t0 = time.perf_counter()
        links = continuity(cur, now, old, then)
        secs = time.perf_counter() - t0
        right = sum(1 for lk, s in zip(links, truth, strict=True) if lk and lk[0] == f"s{s}")
        wrong = sum(1 for lk, s in zip(links, truth, strict=True) if lk and lk[0] != f"s{s}")
        can = sum(1 for s in truth if f"s{s}" in {o.id for o in old})
        print(f"{n:>8} {len(cur):>13} {secs:>7.1f} {right:>6}/{can:<5} {wrong:>12}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--exact-upto", type=int, default=3000)
    ap.add_argument("--continuity-sizes", default="1000,10000")
    args = ap.parse_args()
    dev_day(args.eval)
    synthetic([int(s) for s in args.sizes.split(",")], args.exact_upto, args.eval)
    continuity_check([int(s) for s in args.continuity_sizes.split(",") if s], args.eval)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
