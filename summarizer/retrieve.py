"""Finding the passages of a run's articles that bear on a question. Pure.

One small interface (``Retriever.search``) so that another ranking (embeddings, a hybrid) can
replace BM25 without touching the rest.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .chunking import segment, words
from .models import Article, Span
from .settings import SETTINGS
from .support import word_key
from .textutil import STOPWORDS, tokens


@dataclass(frozen=True)
class Hit:
    passage: Span
    score: float


class Retriever(Protocol):
    def search(self, query: str, k: int) -> list[Hit]: ...


def passages_of(articles: Sequence[Article]) -> list[Span]:
    """Content paragraphs (no page furniture), long ones cut into runs of whole sentences."""
    out = []
    for a in articles:
        doc = segment(a.text)
        for s, e in doc.paragraphs:
            run: list[tuple[int, int]] = []
            for ss, se in doc.sentences_in(s, e):
                if run and words(a.text[run[0][0] : se]) > SETTINGS.ask.max_passage_words:
                    out.append(Span(source=a.id, start=run[0][0], end=run[-1][1], quote=a.text[run[0][0] : run[-1][1]]))
                    run = []
                run.append((ss, se))
            if run:
                out.append(Span(source=a.id, start=run[0][0], end=run[-1][1], quote=a.text[run[0][0] : run[-1][1]]))
    return out


def bm25_terms(text: str) -> list[str]:
    """Stemmed words for ranking; numbers are kept (a question about "30 countries")."""
    out = []
    for t in tokens(text):
        low = t.lower().rstrip(".")
        if low in STOPWORDS:
            continue
        out.append(t.replace(",", "") if t[0].isdigit() else word_key(t))  # "Dutch" is "Netherlands"
    return out


class BM25:
    """Okapi BM25 over passages."""

    def __init__(self, passages: Sequence[Span], extra: dict[int, str] | None = None,
                 k1: float = SETTINGS.ask.bm25_k1, b: float = SETTINGS.ask.bm25_b) -> None:
        """``extra``: more text to index with passage i (its claims' sentences)."""
        self.passages = list(passages)
        self.k1, self.b = k1, b
        extra = extra or {}
        self.docs = [Counter(bm25_terms(p.quote + " " + extra.get(i, ""))) for i, p in enumerate(self.passages)]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 0.0
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def search(self, query: str, k: int) -> list[Hit]:
        q = set(bm25_terms(query))
        scored = []
        for p, d, length in zip(self.passages, self.docs, self.lengths, strict=True):
            score = 0.0
            for t in q & d.keys():
                tf = d[t]
                score += self.idf[t] * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self.avg))
            if score > 0:
                scored.append(Hit(p, score))
        scored.sort(key=lambda h: (-h.score, h.passage.source, h.passage.start))
        return scored[:k]
