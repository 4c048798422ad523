"""Selection: a story too long for one composition lists its best facts, ranked with no model call."""

from __future__ import annotations

import pytest

from summarizer.claims import picked_nothing
from summarizer.models import Chunk, Fact, Selection, Span
from summarizer.selection import (
    Said,
    context_of,
    fit_budget,
    rank_facts,
    rank_in_article,
    says_again,
    select_facts,
    signals,
    top_that_fit,
)
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


def rank(facts: list[Fact], weights: Weights = SELECTION_WEIGHTS) -> list[str]:
    return [f.id for f in rank_facts(facts, CTX, weights)]


@pytest.mark.parametrize(("better", "worse", "why"), [
    (MET, DOZEN, "two outlets beat one"),
    (DOZEN, WEATHER, "the story's words, earlier"),
    (WEATHER, BAKERY, "earlier in the article"),
])
def test_ranking(better: Fact, worse: Fact, why: str) -> None:
    assert rank([worse, better]) == [better.id, worse.id], why


@pytest.mark.parametrize(("weights", "first", "why"), [
    (Weights(sources=1, shared=0, lead=0), "F1", "outlets alone: the one fact two outlets report"),
    (Weights(sources=0, shared=0, lead=1), "F1", "lead alone: a first sentence (of either article)"),
    (Weights(sources=0, shared=1, lead=0), "F2", "shared vocabulary alone: 'a dozen countries ... troops'"),
    (Weights(sources=0, shared=0, lead=0, specific=1), "F1", "specificity alone: Brussels, Thursday"),
])
def test_each_signal_alone_ranks_what_it_measures(weights: Weights, first: str, why: str) -> None:
    assert rank([WEATHER, BAKERY, DOZEN, MET], weights)[0] == first, why


def test_a_sentence_that_says_more_ranks_above_a_short_one() -> None:
    """Length alone: the one sentence of 18 words leads the sentences of six to eight, and the
    signal grows with the words up to ``full_words``."""
    long = Fact(id="F7", text="Ministers from a dozen countries met in Brussels on Thursday to plan how troops "
                "would keep the peace.", citations=BAKERY.citations)
    assert rank([WEATHER, BAKERY, long, MET], Weights(sources=0, shared=0, lead=0, full=1))[0] == "F7"
    full = {f.id: s.full for f, s in zip([long, MET], signals([long, MET], CTX), strict=True)}
    assert full["F7"] == 18 / SETTINGS.selection.full_words and full["F1"] == 6 / SETTINGS.selection.full_words


def test_signals_are_measured_on_the_story() -> None:
    by_id = dict(zip(["F1", "F2", "F3", "F5"], signals([MET, DOZEN, WEATHER, RUSSIA], CTX), strict=True))
    assert by_id["F1"].sources == 1 and by_id["F2"].sources == 0
    assert by_id["F1"].lead == 1.0 > by_id["F2"].lead > by_id["F3"].lead
    assert by_id["F2"].shared > by_id["F3"].shared == 0.0
    assert by_id["F2"].central > by_id["F3"].central  # a dozen countries, troops: what the story is about


def test_diversity_tells_a_fact_once_before_its_near_repeat() -> None:
    """Two near-identical sentences: with diversity the second waits behind a different fact."""
    again = Fact(id="F9", text="A dozen countries may send troops now, officials say.", citations=DOZEN.citations)
    plain = Weights(sources=0, shared=1, lead=0)
    assert rank([DOZEN, again, RUSSIA], plain).index("F9") == 1
    assert rank([DOZEN, again, RUSSIA], plain.model_copy(update={"diversity": 2.0})).index("F9") == 2


def test_what_does_not_report_comes_last() -> None:
    question = Fact(id="F8", text="Will a dozen countries in Brussels send troops now?", citations=MET.citations)
    assert rank([question, BAKERY, MET])[-1] == "F8"


@pytest.mark.parametrize(("budget", "kept"), [
    # everything fits, best first; "About a dozen countries could send troops" (F6) tells nothing
    # "A dozen countries may send troops now" (F2) has not: a repeat. "Russia rejects troops from
    # a dozen countries" (F5) shares three of its five words with F2, but its own two (Russia
    # rejects) are the story's rarest: new
    (100, ["F1", "F2", "F5", "F3", "F4"]),
    (3, ["F1", "F2", "F5"]),
    (1, ["F1"]),
    (0, []),
])
def test_select_facts_fits_the_budget_best_first(budget: int, kept: list[str]) -> None:
    facts = [WEATHER, BAKERY, RUSSIA, DOZEN, MET, fact("F6", (2, 1))]
    chosen = select_facts(facts, CTX, budget, lambda f: 1, SELECTION_WEIGHTS)
    assert [f.id for f in chosen] == kept


def test_a_fact_too_large_for_what_is_left_is_skipped_not_the_rest() -> None:
    cost = {"F1": 5, "F2": 1, "F3": 1}
    chosen = select_facts([MET, DOZEN, WEATHER], CTX, 2, lambda f: cost[f.id], SELECTION_WEIGHTS)
    assert [f.id for f in chosen] == ["F2", "F3"]


def test_every_outlet_is_heard_however_its_facts_rank() -> None:
    """Room for two facts; the three best are all the first article's: the second article's best
    fact takes the second place (a new outlet on a continuing story is heard), in rank order."""
    assert [f.id for f in fit_budget([DOZEN, WEATHER, BAKERY, RUSSIA], 2, lambda f: 1)] == ["F2", "F5"]
    assert [f.id for f in fit_budget([DOZEN, WEATHER, BAKERY], 2, lambda f: 1)] == ["F2", "F3"]


@pytest.mark.parametrize(("budget", "listed"), [
    (3, ["F2", "F3", "F4"]),  # the best, in rank order, while they fit
    (2, ["F2", "F3"]),  # F4 would pass the budget: it and everything after it stay out
    (1, ["F2"]),
    (0, ["F2"]),  # the best fact always: a composition call lists at least one
])
def test_the_composition_lists_the_best_facts_that_fit_in_rank_order(budget: int, listed: list[str]) -> None:
    """Unlike fit_budget, no lower-ranked fact jumps the queue: the model writes the headline and
    the summary from the top of the ranking (RUSSIA is a second outlet's, and still waits)."""
    cost = {"F2": 1, "F3": 1, "F4": 1, "F5": 1}
    assert [f.id for f in top_that_fit([DOZEN, WEATHER, BAKERY, RUSSIA], budget, lambda f: cost[f.id])] == listed


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


STORY = ["NATO ministers met in Brussels on Thursday to discuss Ukraine.",
         "Ukraine asked NATO ministers for more air defence.",
         "The ministers in Brussels promised Ukraine support.",
         "NATO will also host the Ukraine Defense Contact Group on Friday."]


@pytest.mark.parametrize(("text", "repeat", "why"), [
    ("NATO ministers met in Brussels on Thursday to discuss Ukraine.", True, "said word for word"),
    ("Ministers of NATO met in Brussels to discuss Ukraine.", True, "the same words, fewer of them"),
    ("NATO will also host the Ukraine Defense Contact Group on Friday.", False,
     "the story's common words (NATO, Ukraine) said, its rare ones (Contact Group, host) not"),
    ("NATO ministers met in Brussels on 12 March to discuss Ukraine.", False, "a figure not said before"),
    ("", False, "no words, nothing repeated"),
])
def test_a_fact_repeats_what_is_said_by_what_its_rarer_words_tell(text: str, repeat: bool, why: str) -> None:
    said = Said.over(STORY)
    said.add(STORY[0])
    said.add(STORY[1])
    assert says_again(text, said, SETTINGS.compose.said_before) is repeat, why
