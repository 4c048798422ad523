"""Selection: which of a story's facts a composition reads, when they do not all fit one call.

Reading costs time (the embedded model reads 65–80 prompt tokens a second), so a story too long
for one composition is not first read by the model to pick its facts (measured on a 4-article
Multi-News story of 19,847 characters: six picking calls that returned every sentence, then a
composition over all of them). Its facts are ranked here instead, and the best that fit the
budget are listed, best first.

A fact ranks higher when more outlets report it, when its words are the story's words (shared
with the other articles), and when it comes early in its article (news puts what matters
first). The weights are chosen with ``bench/selection.py`` against the human attributions of the
dev clusters (``settings.py`` says what they gave). Pure: no I/O.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .models import Fact
from .settings import Weights
from .textutil import content_words


@dataclass(frozen=True)
class Context:
    """What ranking needs to know about a story's articles: their texts' sentence starts and
    which content words each article uses."""

    sentence_starts: dict[int, list[int]]  # article id -> sorted sentence start offsets
    words: dict[int, set[str]]  # article id -> content words


def context_of(articles: dict[int, str], sentences: dict[int, list[tuple[int, int]]]) -> Context:
    return Context(sentence_starts={a: sorted(s for s, _ in spans) for a, spans in sentences.items()},
                   words={a: content_words(text) for a, text in articles.items()})


def rank_in_article(ctx: Context, source: int, start: int) -> int:
    """The sentence's index in its article (0 for the first)."""
    starts = ctx.sentence_starts.get(source, [])
    return max(0, bisect.bisect_right(starts, start) - 1)


def score(fact: Fact, ctx: Context, weights: Weights) -> float:
    words = content_words(fact.text)
    sources = fact.sources
    others = [ws for a, ws in ctx.words.items() if a not in sources]
    shared = 0.0
    if words and others:
        df = Counter(w for ws in others for w in words & ws)
        shared = sum(df.values()) / (len(others) * math.sqrt(len(words)))
    rank = min(rank_in_article(ctx, c.source, c.start) for c in fact.citations)
    lead = 1.0 / (1.0 + rank / 3.0)
    return weights.sources * (len(sources) - 1) + weights.shared * shared + weights.lead * lead


def select_facts(facts: Sequence[Fact], ctx: Context, budget: int, cost: Callable[[Fact], int],
                 weights: Weights) -> list[Fact]:
    """The best-ranked facts whose listing fits ``budget`` tokens, best first (a small model
    cites the top of a list more often than its end, and a fallback takes facts in this order)."""
    ranked = sorted(facts, key=lambda f: -score(f, ctx, weights))
    chosen: list[Fact] = []
    used = 0
    for f in ranked:
        c = cost(f)
        if used + c <= budget:
            chosen.append(f)
            used += c
    return chosen
