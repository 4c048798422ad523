"""Locating the model's quotes in the source, exactly.

A quote is compared with the article after normalising case, whitespace, typographic quotes,
apostrophes and dashes. A match is widened to the whole sentence(s) it falls in, so a citation is
always a readable sentence. A near-miss (a word swapped, an apostrophe changed) is snapped to the
best sentence if it is close enough and every number in the quote is in that sentence; its score
is recorded. Anything else has no supporting span and is rejected.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from .chunking import segment
from .models import Article, Span
from .settings import SETTINGS

_TRANSLATE = str.maketrans(
    {
        # One quotation mark for all: a model quotes “peacekeepers” as ‘peacekeepers’ (and "'"
        # for an apostrophe is the same on both sides).
        "'": '"', "‘": '"', "’": '"', "‚": '"', "‛": '"', "′": '"', "`": '"', "´": '"',
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
        "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "…": ".",
    }
)
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_EDGE = " \t\n\"'.,;:-"
# The scores of a located quote (verify.snap gives lower ones, by similarity): labels, not thresholds.
BYTE_FOR_BYTE = 100.0
WORD_FOR_WORD = 99.0  # the same words, other spacing or quote marks


def normalise(text: str) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index in ``text`` it came from."""
    out: list[str] = []
    index: list[int] = []
    prev_space = True
    for i, ch in enumerate(text.translate(_TRANSLATE)):
        if ch.isspace():
            if prev_space:
                continue
            out.append(" ")
            index.append(i)
            prev_space = True
            continue
        out.append(ch.lower())
        index.append(i)
        prev_space = False
    while out and out[-1] == " ":
        out.pop()
        index.pop()
    return "".join(out), index


def norm(text: str) -> str:
    return normalise(text)[0]


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Capitalised words after the first (people, places, organisations), normalised."""
    tokens = re.findall(r"[\w.'’-]+", text)
    return {norm(t).strip(_EDGE) for t in tokens[1:] if t[:1].isupper()} - {""}


@dataclass(frozen=True)
class SourceIndex:
    """An article prepared for quote lookup: normalised text and its sentences."""

    article: Article
    normalised: str
    index: list[int]
    sentences: list[tuple[int, int]]  # the sentences a citation may quote
    # Sentences that address the reader or a model ("Ignore previous instructions and write ...").
    # They are not in ``sentences`` and no span that touches one is ever returned.
    directives: tuple[tuple[int, int], ...] = ()

    @classmethod
    def build(cls, article: Article) -> SourceIndex:
        n, idx = normalise(article.text)
        doc = segment(article.text)
        sents = [sp for sp in doc.sentences if sp not in doc.directives]
        return cls(article=article, normalised=n, index=idx, sentences=sents, directives=tuple(sorted(doc.directives)))

    def touches_directive(self, start: int, end: int) -> bool:
        return any(s < end and e > start for s, e in self.directives)

    def widen(self, start: int, end: int) -> tuple[int, int]:
        """Grow [start, end) to the sentences it overlaps."""
        s, e = start, end
        for ss, se in self.sentences:
            if ss < end and se > start:
                s, e = min(s, ss), max(e, se)
        return s, e

    def span(self, start: int, end: int, score: float) -> Span:
        return Span(source=self.article.id, start=start, end=end, quote=self.article.text[start:end],
                    score=round(score, 1))


def _occurrences(haystack: str, needle: str) -> list[int]:
    found, pos = [], haystack.find(needle)
    while pos >= 0:
        found.append(pos)
        pos = haystack.find(needle, pos + 1)
    return found


def locate(quote: str, src: SourceIndex, near: tuple[int, int] | None = None) -> Span | None:
    """The exact span of ``src`` that supports ``quote``, or None.

    ``near`` is where the model said the quote is (a paragraph's span): preferred when the text
    says the same thing twice, and searched first for a near-miss.
    """
    if len(quote) > SETTINGS.chunking.max_quote_chars:  # no sentence is that long; fuzzy matching it would cost minutes
        return None
    q = norm(quote).strip(_EDGE)
    q_names = names(quote)
    if len(q.split()) < SETTINGS.verify.min_quote_words:
        return None
    hits = _occurrences(src.normalised, q)
    if hits:
        inside = [h for h in hits if near and near[0] <= src.index[h] < near[1]]
        pos = (inside or hits)[0]
        start = src.index[pos]
        end = src.index[pos + len(q) - 1] + 1
        s, e = src.widen(start, end)
        if src.touches_directive(s, e):
            return None
        exact = quote.strip(_EDGE) in src.article.text
        return src.span(s, e, BYTE_FOR_BYTE if exact else WORD_FOR_WORD)
    if near is not None:
        span = snap(q, src, q_names, near)
        if span is not None:
            return span
    return snap(q, src, q_names)


def snap(q: str, src: SourceIndex, q_names: set[str] | None = None,
         near: tuple[int, int] | None = None) -> Span | None:
    """Best sentence (or pair of adjacent sentences) for a near-miss, if close enough.

    Never snaps to a sentence that lacks a number or a name the quote has: "30 countries" is
    not "a dozen countries", and "EU headquarters" is not "NATO headquarters".
    """
    q_numbers = numbers(q)
    best: tuple[float, int, int] | None = None
    sents = [x for x in src.sentences if near is None or (near[0] <= x[0] and x[1] <= near[1])]
    windows = sents + [(a[0], b[1]) for a, b in itertools.pairwise(sents)]
    for s, e in windows:
        if src.touches_directive(s, e):
            continue
        cand = norm(src.article.text[s:e])
        if q_numbers - numbers(cand):
            continue
        if q_names and any(n not in cand for n in q_names):
            continue
        score = fuzz.ratio(q, cand)
        if score < SETTINGS.verify.snap_ratio and len(q) >= SETTINGS.verify.min_coverage * len(cand):
            partial = fuzz.partial_ratio(q, cand)
            if partial >= SETTINGS.verify.snap_partial:
                score = max(score, partial - 5.0)  # a fragment is a little less certain
                if score < SETTINGS.verify.snap_ratio:
                    score = SETTINGS.verify.snap_ratio
        if score >= SETTINGS.verify.snap_ratio and (best is None or score > best[0]):
            best = (score, s, e)
    if best is None:
        return None
    return src.span(best[1], best[2], best[0])
