"""Benchmark: which of a story's facts the composition reads when they do not all fit one call.

For each dev cluster, every content sentence becomes a fact exactly as a build makes them (claims,
dedupe, off-story, furniture, merge across outlets); then ``selection.select_facts`` keeps the
facts that fit a budget. Recall: the share of the human summary's gold spans that a kept fact's
citation overlaps. The budget is set low (default 600 tokens, about a third of a dev cluster) so
that the ranking matters; the baselines are the build's old order (multi-outlet first, then each
article's facts in turn) and a reader's lead-only rule.

    python bench/selection.py [--eval ../shared/eval/multinews-dev.jsonl] [--budget 600]

No model. Prints recall per weighting, over all 28 clusters.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from summarizer.claims import story_claims
from summarizer.compose import render_facts
from summarizer.merge import merge_facts
from summarizer.models import Article, Fact, Selection
from summarizer.plan import chunk_all
from summarizer.selection import context_of, select_facts
from summarizer.settings import Weights
from summarizer.stories import Plan
from summarizer.tokens import count_tokens
from summarizer.verify import SourceIndex

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "multinews-dev.jsonl"


def cluster_facts(cluster: dict) -> tuple[list[Fact], list[Article], list[tuple[int, int, int]]]:
    articles, gold = [], []
    for i, doc in enumerate(cluster["documents"], start=1):
        articles.append(Article(id=i, path=f"{i}.txt", title=doc.get("documentTitle") or f"Article {i}",
                                text=doc["rawDocumentText"], outlet=f"outlet{i}"))
        for h in cluster["set_of_highlights_in_context"]:
            if h["documentFile"] == doc["documentFile"]:
                gold += [(i, s, e) for s, e in h["docSpanOffsets"]]
    by_id = {a.id: a for a in articles}
    chunks = chunk_all(articles, 1200, "gpt-4o-mini")
    plan = Plan(members=[a.id for a in articles], outlets=len(articles), outlets_known=True, latest=None,
                chunks=chunks)
    ext = {(c.article_id, c.index): Selection(ids=list(range(1, len(c.sentences) + 1))) for c in chunks}
    counter = itertools.count(1)
    claims, _ = story_claims(plan, by_id, ext, lambda: next(counter))
    return merge_facts(claims), articles, gold


def recall(kept: list[Fact], gold: list[tuple[int, int, int]]) -> tuple[int, int]:
    hit = sum(1 for g, s, e in set(gold)
              if any(c.source == g and c.start < e and s < c.end for f in kept for c in f.citations))
    return hit, len(set(gold))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--budget", type=int, default=600)
    args = ap.parse_args()
    clusters = [json.loads(line) for line in args.eval.read_text(encoding="utf-8").splitlines()]
    prepared = []
    for cl in clusters:
        facts, articles, gold = cluster_facts(cl)
        indexes = {a.id: SourceIndex.build(a) for a in articles}
        ctx = context_of({a.id: a.text for a in articles}, {a.id: indexes[a.id].sentences for a in articles})
        cost = {id(f): count_tokens(render_facts([f]), "gpt-4o-mini") + 1 for f in facts}
        prepared.append((facts, ctx, cost, gold))
    total_tokens = sum(sum(c.values()) for _, _, c, _ in prepared)
    print(f"{len(prepared)} clusters, {sum(len(f) for f, *_ in prepared)} facts, "
          f"{total_tokens:,} tokens listed in all; budget {args.budget} tokens a story")

    def run(name: str, pick) -> None:
        hit = n = 0
        for facts, ctx, cost, gold in prepared:
            h, t = recall(pick(facts, ctx, cost), gold)
            hit, n = hit + h, n + t
        print(f"{name:<44} recall {hit}/{n} = {hit / n:.3f}")

    def in_order(facts, ctx, cost):  # the build's old order, cut at the budget
        out, used = [], 0
        for f in facts:
            if used + cost[id(f)] <= args.budget:
                out.append(f)
                used += cost[id(f)]
        return out

    run("old order (multi-outlet, then round robin)", in_order)
    steps = (0.0, 0.5, 1.0, 2.0)
    grid = [Weights(sources=s, shared=h, lead=e) for s in steps for h in steps for e in steps if (s, h, e) != (0, 0, 0)]
    for w in grid:
        run(f"sources {w.sources} shared {w.shared} lead {w.lead}",
            lambda facts, ctx, cost, w=w: select_facts(facts, ctx, args.budget, lambda f: cost[id(f)], w))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
