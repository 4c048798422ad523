"""Selection: a story too long for one composition lists its best facts, ranked with no model call."""

from __future__ import annotations

import pytest

from summarizer.claims import picked_nothing
from summarizer.models import Chunk, Fact, Selection, Span
from summarizer.selection import context_of, rank_in_article, score, select_facts
from summarizer.settings import SETTINGS, Weights

SELECTION_WEIGHTS = SETTINGS.selection.weights

# Two articles of one story; each sentence 40 characters apart.
A1 = ("Ministers met in Brussels on Thursday.  A dozen countries may send troops now. "
      "The weather in the city was cold again.  A local bakery sold out of its bread. ")
A2 = ("Defence ministers met in Brussels today. About a dozen countries could send troops. "
      "Russia rejects troops from a dozen countries.  ")
ARTICLES = {1: A1, 2: A2}


def sentences(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for part in text.split(". "):
        if part.strip():
            out.append((pos, pos + len(part) + 1))
        pos += len(part) + 2
    return out


CTX = context_of(ARTICLES, {a: sentences(t) for a, t in ARTICLES.items()})


def fact(fid: str, *cites: tuple[int, int]) -> Fact:
    cs = []
    for source, n in cites:
        s, e = sentences(ARTICLES[source])[n]
        cs.append(Span(source=source, quote=ARTICLES[source][s:e], start=s, end=e))
    return Fact(id=fid, text=cs[0].quote, citations=cs)


MET = fact("F1", (1, 0), (2, 0))  # both outlets, first sentence
DOZEN = fact("F2", (1, 1))  # one outlet, second sentence, the story's words
WEATHER = fact("F3", (1, 2))  # one outlet, third sentence, words no other article uses
BAKERY = fact("F4", (1, 3))
RUSSIA = fact("F5", (2, 2))


def test_rank_in_article_counts_sentences() -> None:
    starts = [s for s, _ in sentences(A1)]
    assert [rank_in_article(CTX, 1, s) for s in starts] == [0, 1, 2, 3]


@pytest.mark.parametrize(("better", "worse", "why"), [
    (MET, DOZEN, "two outlets beat one"),
    (DOZEN, WEATHER, "the story's words, earlier"),
    (WEATHER, BAKERY, "earlier in the article"),
])
def test_ranking(better: Fact, worse: Fact, why: str) -> None:
    assert score(better, CTX, SELECTION_WEIGHTS) > score(worse, CTX, SELECTION_WEIGHTS), why


def test_shared_words_outrank_position_when_weighted_so() -> None:
    only_shared = Weights(sources=0.0, shared=1.0, lead=0.0)
    assert score(DOZEN, CTX, only_shared) > score(WEATHER, CTX, only_shared) == 0.0


@pytest.mark.parametrize(("budget", "kept"), [
    (100, ["F1", "F2", "F5", "F3", "F4"]),  # everything fits: best first
    (3, ["F1", "F2", "F5"]),
    (1, ["F1"]),
    (0, []),
])
def test_select_facts_fits_the_budget_best_first(budget: int, kept: list[str]) -> None:
    facts = [WEATHER, BAKERY, RUSSIA, DOZEN, MET]
    chosen = select_facts(facts, CTX, budget, lambda f: 1, SELECTION_WEIGHTS)
    assert [f.id for f in chosen] == kept


def test_a_fact_too_large_for_what_is_left_is_skipped_not_the_rest() -> None:
    cost = {"F1": 5, "F2": 1, "F3": 1}
    chosen = select_facts([MET, DOZEN, WEATHER], CTX, 2, lambda f: cost[f.id], SELECTION_WEIGHTS)
    assert [f.id for f in chosen] == ["F2", "F3"]


def chunk(n: int) -> Chunk:
    return Chunk(article_id=1, index=0, start=0, end=n, text="", tokens=n, sentences=[(i, i + 1) for i in range(n)])


@pytest.mark.parametrize(("ids", "n", "nothing"), [
    (list(range(1, 35)), 34, True),  # the long story's picking calls: every sentence
    ([3, 1, 2, 4, 5, 5], 5, True),  # every sentence, in any order, some twice
    ([1, 2, 3, 4], 5, False),
    ([1, 2, 3], 3, False),  # three sentences: all of them may well be facts
    ([1, 2, 3, 4, 99], 5, False),  # an unknown number does not make it whole
])
def test_a_pick_of_every_sentence_is_no_selection(ids: list[int], n: int, nothing: bool) -> None:
    assert picked_nothing(Selection(ids=ids), chunk(n)) is nothing
