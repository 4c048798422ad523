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
from dataclasses import dataclass, field

from .models import Fact
from .settings import SETTINGS, Weights
from .stories import Vector, cosine, term_counts, tfidf
from .textutil import content_words, not_reporting
from .verify import names, numbers


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


@dataclass(frozen=True)
class Signals:
    """Why a fact ranks where it does: ``lead``, ``central`` and ``specific`` in [0, 1],
    ``sources`` a count, ``shared`` from 0 (no other article uses its words) to about 2."""

    sources: float  # outlets besides the first that report it
    shared: float  # how much of its vocabulary the story's other articles use
    lead: float  # early in its article: 1 for the first sentence, 0.5 for the fourth
    central: float  # TF-IDF cosine with the story's centroid (all its facts): what the story is about
    specific: float  # names and figures, three or more count as 1
    full: float  # how much it says: its words, 30 or more count as 1
    reporting: bool  # not a question, exclamation, speakerless quote, fragment or furniture


def signals(facts: Sequence[Fact], ctx: Context, vectors: Sequence[Vector] | None = None) -> list[Signals]:
    """Every fact's ranking signals, computed over the story at once (the centroid needs all);
    ``vectors``: the facts' TF-IDF vectors, when the caller has them already."""
    vectors = vectors if vectors is not None else tfidf([term_counts(f.text) for f in facts])
    centroid: Counter[str] = Counter()
    for v in vectors:
        centroid.update(v)
    norm = math.sqrt(sum(x * x for x in centroid.values())) or 1.0
    centre = {w: x / norm for w, x in centroid.items()}
    out = []
    for f, v in zip(facts, vectors, strict=True):
        words = content_words(f.text)
        others = [ws for a, ws in ctx.words.items() if a not in f.sources]
        shared = 0.0
        if words and others:
            df = Counter(w for ws in others for w in words & ws)
            shared = sum(df.values()) / (len(others) * math.sqrt(len(words)))
        rank = min(rank_in_article(ctx, c.source, c.start) for c in f.citations)
        specific = min(1.0, (len(names(f.text)) + len(numbers(f.text))) / 3)
        out.append(Signals(sources=len(f.sources) - 1, shared=shared, lead=1.0 / (1.0 + rank / 3.0),
                           central=cosine(v, centre), specific=specific,
                           full=min(1.0, len(f.text.split()) / SETTINGS.selection.full_words),
                           reporting=not not_reporting(f.text)))
    return out


def score(s: Signals, weights: Weights) -> float:
    return (weights.sources * s.sources + weights.shared * s.shared + weights.lead * s.lead
            + weights.central * s.central + weights.specific * s.specific + weights.full * s.full)


def rank_facts(facts: Sequence[Fact], ctx: Context, weights: Weights) -> list[Fact]:
    """A story's facts, most important first: by the weighted signals, each next pick penalised
    by its similarity to those already picked (maximal marginal relevance, ``weights.diversity``),
    so that each fact is told once; sentences that do not report come last, in their order."""
    if not facts:
        return []
    vectors = tfidf([term_counts(f.text) for f in facts])
    sig = signals(facts, ctx, vectors)
    base = [score(s, weights) for s in sig]
    todo = [i for i, s in enumerate(sig) if s.reporting]
    picked: list[int] = []
    nearest = [0.0] * len(facts)  # each fact's highest similarity to a picked one
    while todo:
        best = max(todo, key=lambda i: (base[i] - weights.diversity * nearest[i], -i))
        picked.append(best)
        todo.remove(best)
        for i in todo:
            nearest[i] = max(nearest[i], cosine(vectors[i], vectors[best]))
    picked += [i for i, s in enumerate(sig) if not s.reporting]
    return [facts[i] for i in picked]


@dataclass
class Said:
    """What a briefing has said so far, for ``says_again``: the content words and figures of the
    statements made, and how much each of the story's words tells (``rarity``: a word few of its
    facts use tells more than the story's own name)."""

    rarity: dict[str, float]
    words: set[str] = field(default_factory=set)
    figures: set[str] = field(default_factory=set)

    @classmethod
    def over(cls, texts: Sequence[str]) -> Said:
        """Nothing said yet, of a story whose facts are ``texts``: a word's rarity is its inverse
        document frequency over them."""
        df: Counter[str] = Counter(w for t in texts for w in content_words(t))
        n = len(texts) + 1
        return cls(rarity={w: math.log(n / c) for w, c in df.items()})

    def add(self, text: str) -> None:
        self.words |= content_words(text)
        self.figures |= numbers(text)


def says_again(text: str, said: Said, most: float) -> bool:
    """Whether ``text`` mostly repeats what is already said: at least ``most`` of what its
    content words tell (each weighed by its rarity in the story) is in words already said, and
    every figure it gives has been said (a new figure is news, however familiar the words). By
    rarity, not by count: by a story's tenth fact the briefing has used most of the story's
    common words, and a new fact told in them ("NATO will also host the Ukraine Defense Contact
    Group") is still new."""
    words = content_words(text)
    if not words:
        return False
    top = max(said.rarity.values(), default=1.0)
    weight = {w: said.rarity.get(w, top) for w in words}
    if sum(weight[w] for w in words & said.words) < most * sum(weight.values()):
        return False
    return numbers(text) <= said.figures


def told_once(ranked: Sequence[Fact], most: float, keep: Sequence[Fact] = ()) -> list[Fact]:
    """The ranked facts without those that mostly repeat a fact before them (``says_again``),
    but for those in ``keep`` (the sides of a disagreement, told side by side)."""
    said = Said.over([f.text for f in ranked])
    out = []
    kept = {id(f) for f in keep}
    for f in ranked:
        if id(f) not in kept and says_again(f.text, said, most):
            continue
        out.append(f)
        said.add(f.text)
    return out


def select_facts(facts: Sequence[Fact], ctx: Context, budget: int, cost: Callable[[Fact], int],
                 weights: Weights, keep: Sequence[Fact] = ()) -> list[Fact]:
    """The best-ranked facts whose listing fits ``budget`` tokens, best first (a small model
    cites the top of a list more often than its end, and a fallback takes facts in this order),
    none that mostly repeats a better one but for those in ``keep`` (``told_once``)."""
    return fit_budget(told_once(rank_facts(facts, ctx, weights), SETTINGS.compose.said_before, keep), budget, cost)


def fit_budget(ranked: Sequence[Fact], budget: int, cost: Callable[[Fact], int]) -> list[Fact]:
    """The facts, in their order, that fit ``budget`` (one that does not is skipped, not the rest);
    first of all each article's best fact that reports, so that every outlet is heard (a new
    outlet on a continuing story, an outlet's own report) however its facts rank."""
    first: set[int] = set()
    heard: set[int] = set()
    for i, f in enumerate(ranked):
        if not f.sources <= heard and not not_reporting(f.text):
            first.add(i)
            heard |= f.sources
    used = 0
    taken: set[int] = set()
    for i in [*sorted(first), *(i for i in range(len(ranked)) if i not in first)]:
        c = cost(ranked[i])
        if used + c <= budget:
            taken.add(i)
            used += c
    return [f for i, f in enumerate(ranked) if i in taken]


def top_that_fit(ranked: Sequence[Fact], budget: int, cost: Callable[[Fact], int]) -> list[Fact]:
    """The best-ranked facts, in order, up to the first that would take the listing past
    ``budget``; always the best one."""
    out: list[Fact] = []
    used = 0
    for f in ranked:
        used += cost(f)
        if out and used > budget:
            break
        out.append(f)
    return out
