"""Benchmark: which of a story's facts a briefing tells first (selection.rank_facts), against the
sentences the dev clusters' human summaries drew on.

Each dev cluster becomes a story's facts exactly as a build makes them (bench/selection.py's
``cluster_facts``). A briefing shows a story's top ``k`` facts: its summary (2) and its points
(3 and one per outlet, at most 10: ``compose.points_for``). Precision: the share of those ``k``
facts that cite a gold span (a sentence a human summary drew on); recall: the share of the gold
spans they cite. Baselines: the merge's own order (multi-outlet first, then each article in
turn) and lead only. Then a grid over the signals' weights; the best by F1 is what settings.py
holds.

    python bench/salience.py [--eval ../shared/eval/multinews-dev.jsonl] [--grid]

No model; about a minute for the grid.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from selection import DEFAULT_EVAL, cluster_facts

from summarizer.models import Fact
from summarizer.selection import Context, context_of, rank_facts, told_once
from summarizer.settings import SETTINGS, Weights
from summarizer.verify import SourceIndex

Gold = list[tuple[int, int, int]]


def hits(fact: Fact, gold: Gold) -> bool:
    return any(c.source == g and c.start < e and s < c.end for c in fact.citations for g, s, e in gold)


def measure(prepared: Sequence[tuple[list[Fact], Context, Gold, int]],
            order: Callable[[list[Fact], Context], list[Fact]]) -> tuple[float, float, float]:
    good = shown = recalled = total = 0
    for facts, ctx, gold, k in prepared:
        top = order(facts, ctx)[:k]
        good += sum(hits(f, gold) for f in top)
        shown += len(top)
        golds = set(gold)
        recalled += sum(1 for g in golds if any(hits(f, [g]) for f in top))
        total += len(golds)
    p, r = good / max(1, shown), recalled / max(1, total)
    return p, r, 2 * p * r / max(1e-9, p + r)


def sentences_recalled(prepared: Sequence[tuple[list[Fact], Context, Gold, int]], by_sentence: list[list[Gold]],
                       order: Callable[[list[Fact], Context], list[Fact]]) -> float:
    """The share of the human summaries' sentences one of the top facts cites a gold span of (a
    sentence drawn on by several articles counts once, however many of its spans are cited)."""
    got = total = 0
    for (facts, ctx, _, k), sentences in zip(prepared, by_sentence, strict=True):
        top = order(facts, ctx)[:k]
        total += len(sentences)
        got += sum(1 for spans in sentences if any(hits(f, spans) for f in top))
    return got / max(1, total)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--grid", action="store_true", help="search the weights (else: baselines and settings only)")
    args = ap.parse_args()
    prepared = []
    by_sentence: list[list[Gold]] = []
    for line in args.eval.read_text(encoding="utf-8").splitlines():
        cluster = json.loads(line)
        facts, articles, gold = cluster_facts(cluster)
        ids = {d["documentFile"]: i for i, d in enumerate(cluster["documents"], start=1)}
        spans: dict[str, Gold] = {}
        for h in cluster["set_of_highlights_in_context"]:
            doc = ids[h["documentFile"]]
            spans.setdefault(h["scuSentence"], []).extend((doc, s, e) for s, e in h["docSpanOffsets"])
        by_sentence.append(list(spans.values()))
        indexes = {a.id: SourceIndex.build(a) for a in articles}
        ctx = context_of({a.id: a.text for a in articles}, {a.id: indexes[a.id].sentences for a in articles})
        k = 2 + min(SETTINGS.compose.points_most, SETTINGS.compose.points_base + len(articles))
        prepared.append((facts, ctx, gold, k))
    print(f"{len(prepared)} clusters, {sum(len(p[0]) for p in prepared)} facts, top k = summary 2 + points "
          f"3 + outlets (at most 10)")

    def show(name: str, order: Callable[[list[Fact], Context], list[Fact]]) -> tuple[float, float, float]:
        p, r, f = measure(prepared, order)
        print(f"{name:<64} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")
        return p, r, f

    # The ceiling: an oracle that knows the gold spans and picks, in each cluster, the k facts that
    # cite the most of them not yet cited. Recall cannot pass this with k citations a story.
    for k in (7, 10, 14, 20):
        got = total = 0
        for facts, _, gold, _ in prepared:
            left = set(gold)
            total += len(left)
            for _ in range(k):
                best = max(facts, key=lambda f: sum(1 for g in left if hits(f, [g])), default=None)
                if best is None:
                    break
                covered = {g for g in left if hits(best, [g])}
                if not covered:
                    break
                left -= covered
                got += len(covered)
        name = f"oracle: the {k} facts that cite the most gold spans"
        print(f"{name:<64} recall {got / max(1, total):.3f}")
    show("merge order (multi-outlet first, then each article in turn)", lambda facts, _: facts)
    show("lead only", lambda facts, ctx: rank_facts(facts, ctx, Weights(sources=0, shared=0, lead=1)))
    show("old selection weights (sources 1, shared 0.5, lead 1)",
         lambda facts, ctx: rank_facts(facts, ctx, Weights(sources=1, shared=0.5, lead=1)))
    w = SETTINGS.selection.weights
    show(f"settings ({w.model_dump()})", lambda facts, ctx: rank_facts(facts, ctx, w))
    covered = sentences_recalled(prepared, by_sentence, lambda f, c: rank_facts(f, c, w))
    print(f"{'':<64} summary sentences covered {covered:.3f}")
    for most in (0.5, 0.6, 0.7, 0.8, 0.9):  # compose.said_before

        def once(facts: list[Fact], ctx: Context, most: float = most) -> list[Fact]:
            return told_once(rank_facts(facts, ctx, w), most)

        show(f"settings, a fact with {most:.0%} of its words said before skipped", once)
        print(f"{'':<64} summary sentences covered {sentences_recalled(prepared, by_sentence, once):.3f}")
    if not args.grid:
        return 0
    best: tuple[float, Weights] | None = None
    steps = (0.0, 0.5, 1.0)
    for so, sh, le, ce, sp, di in itertools.product(steps, steps, (0.5, 1.0, 2.0), steps, steps, (0.0, 0.3, 0.6)):
        wt = Weights(sources=so, shared=sh, lead=le, central=ce, specific=sp, diversity=di)
        p, r, f = measure(prepared, lambda facts, ctx, wt=wt: rank_facts(facts, ctx, wt))
        if best is None or f > best[0]:
            best = (f, wt)
            print(f"  better: {wt.model_dump()}  precision {p:.3f} recall {r:.3f} F1 {f:.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
