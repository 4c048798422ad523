"""Merging across outlets, conflicts, and the checks on the synthesis reply."""

from __future__ import annotations

import pytest

from summarizer.compose import (
    CitedSentence,
    Synthesis,
    SynthesisDisagreement,
    assemble,
    beyond_headline,
    fact_ids,
    fit_words,
    points_for,
    within,
)
from summarizer.merge import (
    dedupe,
    find_conflicts,
    merge_facts,
    off_story,
    same_fact,
    same_sentence_fact,
    tense_differs,
)
from summarizer.models import Claim, Point, SourceRef, Span
from summarizer.plan import BuildOptions
from summarizer.settings import SETTINGS
from summarizer.support import numbers_in, quantities, supported
from summarizer.textutil import aligned_words, content_words, jaccard, without_dateline, word_set

_next = iter(range(1, 10_000))


def claim(article: int, quote: str, start: int = 0) -> Claim:
    start = start or next(_next) * 1000
    return Claim(id=next(_next), article_id=article, chunk_index=0,
                 span=Span(source=article, start=start, end=start + len(quote), quote=quote))


DOZEN_A = claim(1, "Around a dozen countries may be willing to contribute troops, Pavlo Palisa told reporters.")
DOZEN_B = claim(2, "Pavlo Palisa stated that about a dozen countries could potentially contribute troops.")
SIX = claim(4, "Despite ongoing talks, only six nations have pledged to contribute troops so far.")
NATO_A = claim(1, "The talks took place at NATO headquarters in Brussels.")
NATO_C = claim(3, "This meeting took place at NATO’s headquarters in Brussels.")
BIO = claim(2, "Olena Goncharova is the Head of North America desk at The Kyiv Independent.")


def test_text_measures() -> None:
    assert numbers_in("about a dozen countries and 30,000 troops") == {12.0, 30000.0}
    assert ("country", 12.0) in quantities("Around a dozen countries may be willing")
    assert ("country", 6.0) in quantities("only six nations have pledged")
    assert ("country", 30.0) in quantities("military leaders from about 30 countries")
    assert content_words("The talks took place") & content_words("The meeting took place") == {"took", "place"}
    assert supported("The meeting was at NATO headquarters.", NATO_A.span.quote)
    assert not supported("The meeting was at NATO headquarters in 2024.", NATO_A.span.quote)  # a new figure
    assert not supported("Leaders agreed to send 5,000 troops to Kyiv next week.", NATO_A.span.quote)


def spans(*claims: Claim) -> frozenset[tuple[int, int]]:
    return frozenset((c.span.source, c.span.start) for c in claims)


def test_same_fact_from_several_outlets_is_one_fact_citing_all() -> None:
    facts = merge_facts([DOZEN_A, NATO_A, DOZEN_B, NATO_C, SIX])
    by_spans = {frozenset((c.source, c.start) for c in f.citations): f for f in facts}
    assert spans(DOZEN_A, DOZEN_B) in by_spans
    assert spans(NATO_A, NATO_C) in by_spans
    assert spans(SIX) in by_spans  # different figure: never merged with "a dozen"
    assert [len(f.sources) for f in facts] == [2, 2, 1]  # most-supported first
    assert [f.id for f in facts] == ["F1", "F2", "F3"]


@pytest.mark.parametrize(("a", "b", "one_word"), [
    ("Russia warned against a deployment without a United Nations mandate.",
     "Russia rejects any deployment without a UN mandate.", True),
    ("Russia warned against a deployment without a United Nations mandate.",
     "Russia rejects any deployment without a U.N. mandate.", True),
    ("The European Central Bank raised rates.", "The ECB raised its rates.", True),
    ("The Bank of England held rates.", "The BoE held rates.", False),  # not all capitals: no acronym
    ("The United Nations met.", "The US met.", False),  # other initials
    ("Nations united behind the UN.", "The United Nations met.", False),  # its words are the other's own
])
def test_a_name_spelled_out_and_its_acronym_are_one_word(a: str, b: str, one_word: bool) -> None:
    assert (jaccard(*aligned_words(a, b)) > jaccard(word_set(a), word_set(b))) is one_word
    assert aligned_words(a, b) == tuple(reversed(aligned_words(b, a)))


def test_outlets_naming_an_organisation_differently_tell_one_fact() -> None:
    """The seeds: three outlets tell Russia's condition, as "U.N.", "United Nations" and "UN"."""
    facts = merge_facts([
        claim(1, "Russia has strongly opposed any foreign troop deployment without a U.N. mandate, describing it "
                 "as unacceptable."),
        claim(2, "Meanwhile, Russia has warned that any troop deployment without a United Nations mandate would "
                 "be unacceptable."),
        claim(3, "Russia, however, has stated that any foreign troop deployment without a UN mandate would be "
                 "unacceptable."),
    ])
    assert [sorted(f.sources) for f in facts] == [[1, 2, 3]]


def test_a_fact_cites_no_sentence_that_says_something_else_through_a_chain() -> None:
    """Each claim joins a group through any one of its claims, so a chain can link sentences that
    tell different facts (here the dozen countries, and Riga's drills). A fact is told in the
    claim most of its group state alike, and cites only those."""
    dozen = claim(1, "Around a dozen countries may be willing to contribute troops, Pavlo Palisa told reporters.")
    palisa = claim(3, "Pavlo Palisa stated that about a dozen countries could potentially contribute troops, "
                      "including Baltic and Nordic nations.")
    nations = claim(4, "Baltic and Nordic nations could potentially contribute forces, officials in Riga stated.")
    drills = claim(5, "Officials in Riga stated that Baltic and Nordic nations would hold drills with their forces.")
    facts = merge_facts([dozen, palisa, nations, drills])
    assert sorted(sorted(f.sources) for f in facts) == [[1], [3, 4, 5]]
    for f in facts:
        told = next(c for c in [dozen, palisa, nations, drills] if c.text == f.text)
        for c in [dozen, palisa, nations, drills]:
            if (c.span.source, c.span.start) in {(x.source, x.start) for x in f.citations}:
                assert c is told or same_fact(told, c), (f.text, c.text)


def test_one_sentence_alike_with_each_holds_a_chain_together() -> None:
    """The seeds: S1 quotes two of Palisa's sentences, S2 gives the first, S3 the second: one fact,
    told in S1's words, which each of the others states alike."""
    s1 = claim(1, "“There is also talk of the participation of the Baltic and Nordic countries. In any case, this "
                  "can be implemented through bilateral agreements with each member country of the coalition,” "
                  "Palisa said.")
    s2 = claim(2, "\"There is also talk of the participation of the Baltic and Nordic countries,” Palisa told "
                  "reporters.")
    s3 = claim(3, "“This can be implemented through bilateral agreements with each member country of the "
                  "coalition,” Palisa said.")
    facts = merge_facts([s2, s1, s3])
    assert [sorted(f.sources) for f in facts] == [[1, 2, 3]]
    assert facts[0].text == s1.text


def test_conflicting_figures_between_outlets_are_found() -> None:
    conflicts = find_conflicts(merge_facts([DOZEN_A, NATO_A, DOZEN_B, NATO_C, SIX]))
    assert len(conflicts) == 1
    cited = frozenset((c.source, c.start) for f in conflicts[0].facts for c in f.citations)
    assert cited == spans(DOZEN_A, DOZEN_B, SIX)
    assert "countries" in conflicts[0].topic


def test_an_outlet_that_gives_both_figures_is_not_a_side_against_itself() -> None:
    # The mixed day's food-stamp story: two outlets give 2014's 16 million children, one of them
    # also 2007's 9 million. That outlet does not dispute itself; a third outlet's figure does.
    now_a = claim(15, "The Census Bureau said 16 million children received food stamps in 2014, one in five kids.")
    now_b = claim(25, "The Census Bureau reported 16 million children received food stamps in 2014, one in five.")
    then = claim(25, "The Census Bureau said 9 million children received food stamps in 2007, before the recession.")
    assert find_conflicts(merge_facts([now_a, now_b, then])) == []
    other = claim(8, "The Census Bureau said 15 million children received food stamps in 2014, one in five.")
    conflicts = find_conflicts(merge_facts([now_a, now_b, then, other]))
    assert [[f.sources for f in k.facts] for k in conflicts] == [[{8}, {15, 25}]]  # no outlet on two sides


def test_dedupe_within_an_article_and_off_story_claims() -> None:
    dup = claim(1, NATO_A.span.quote, start=NATO_A.span.start)
    kept, dropped = dedupe([NATO_A, dup, DOZEN_A])
    assert dropped == [dup] and kept == [NATO_A, DOZEN_A]
    def paras(article: int, *texts: str, start: int = 0) -> list[tuple[int, int, set[str]]]:
        return [(start + 1000 * i, start + 1000 * i + 999, content_words(t)) for i, t in enumerate(texts)]

    bio_start = BIO.span.start
    paragraphs = {1: paras(1, NATO_A.span.quote, DOZEN_A.span.quote + " troops Ukraine", start=900_000),
                  2: [*paras(2, DOZEN_B.span.quote, start=800_000),
                      (bio_start, bio_start + 100, content_words(BIO.span.quote))],
                  3: paras(3, NATO_C.span.quote, start=700_000)}
    kept, off = off_story([NATO_A, DOZEN_B, BIO], paragraphs)
    assert off == [BIO]  # an island: nothing in common with the other articles or its own
    # The same sentence in an article that goes on about Goncharova is that article's story.
    paragraphs[2].append((0, 10, content_words("Olena Goncharova heads the desk of The Kyiv Independent.")))
    assert off_story([NATO_A, DOZEN_B, BIO], paragraphs)[1] == []
    # A single article has no other story to compare with: nothing is off-story.
    assert off_story([BIO], {2: paragraphs[2]}) == ([BIO], [])


def _facts():  # type: ignore[no-untyped-def]
    facts = merge_facts([DOZEN_A, NATO_A, DOZEN_B, NATO_C, SIX])
    return facts, find_conflicts(facts)


SOURCES = [SourceRef(id=i, path=f"{i}.txt", title=f"Article {i}") for i in (1, 2, 3, 4)]


def test_fact_ids_are_normalised_and_unknown_ones_stripped() -> None:
    facts, _ = _facts()
    known = {f.id: f for f in facts}
    assert fact_ids(["F1", "[f2]", "3", "F99", "F1"], known) == ["F1", "F2", "F3"]


def test_assemble_keeps_only_supported_cited_sentences() -> None:
    facts, conflicts = _facts()
    syn = Synthesis(
        title="Allies meet at NATO headquarters on a peacekeeping force",
        summary=[CitedSentence(text="Talks took place at NATO headquarters in Brussels.", facts=["F2"])],
        points=[
            CitedSentence(text="Around a dozen countries may contribute troops.", facts=["F1", "F77"]),
            CitedSentence(text="The talks took place at NATO headquarters in Brussels.", facts=["F99"]),  # unknown id
            CitedSentence(text="Thirty countries will send 5,000 troops.", facts=["F1"]),  # figures not in quotes
        ],
        disagreements=[SynthesisDisagreement(topic="One side only", positions=[
            CitedSentence(text="Around a dozen countries may contribute troops.", facts=["F1"])])],
        open_questions=["Which countries will contribute troops?", "This is not a question.",
                        # about nothing the quotes say (a planted instruction's story): not shown
                        "Why was the meeting cancelled, as officials confirmed?"],
    )
    b, dropped = assemble(syn, facts, conflicts, SOURCES, min_points=3, max_points=5)
    texts = [p.text for p in b.points]
    assert "Thirty countries will send 5,000 troops." not in texts
    # Each fact once: the summary states F2, and F1 and F3 are the sides of the disagreement, so
    # the model's point on F1 is not repeated as a point, and nothing is left to fill with.
    assert texts == [] and dropped["repeated point"] == 1
    assert dropped["unknown fact ids stripped"] == 2
    assert dropped["no valid citation"] == 1
    assert dropped["not supported by its cited quotes"] == 1
    assert dropped["one-sided disagreement"] == 1
    # The deterministic conflict the model missed is still shown, both sides cited (the dozen
    # side, a merged fact, cites both its outlets).
    assert len(b.disagreements) == 1
    sides = b.disagreements[0].positions
    assert len(sides) == 2 and all(p.citations for p in sides)
    assert [{c.source for c in p.citations} for p in sides] == [{1, 2}, {4}]
    assert b.open_questions == ["Which countries will contribute troops?"]
    assert dropped["open question not supported by the quotes"] == 2
    assert dropped["open question not supported by the quotes"] == 2
    assert b.summary == "Talks took place at NATO headquarters in Brussels."


def test_assemble_without_a_synthesis_still_gives_cited_points() -> None:
    facts, conflicts = _facts()
    b, _ = assemble(None, facts, conflicts, SOURCES, min_points=8)
    sides = [f for c in conflicts for f in c.facts]
    assert [p.text for p in b.points] == [f.text for f in facts if f not in sides]  # the sides are told once
    assert all(p.citations for p in b.points)
    # No model title, and "Article 1" is no headline: the story's first statement stands in.
    assert b.title in {p.text.rstrip(".") for p in [*b.summary_sentences, *b.points][:1]}


@pytest.mark.parametrize(("a", "b", "same"), [
    ("Ukraine’s key allies met on April 10 to continue discussions on a peacekeeping mission.",
     "Ukraine’s key allies are set to meet on April 10 to continue discussions on a peacekeeping mission.", False),
    ("Ukraine’s key allies met on April 10 to continue discussions on a peacekeeping mission.",
     "Ukraine’s key allies met in Brussels on April 10 to continue discussions on a peacekeeping mission.", True),
    # who said it is not what is told: both say the board is still to meet
    ("Supervisor Rex Bohn told the paper that his board would probably meet to consider the secession plan.",
     "Bohn added that the supervisors will likely meet to consider the secession plan.", True),
])
def test_done_and_still_to_come_are_never_one_fact(a: str, b: str, same: bool) -> None:
    assert same_sentence_fact(a, b) is same
    assert tense_differs(a, b) is (not same)


@pytest.mark.parametrize(("outlets", "points", "expected"), [
    (2, None, 5), (5, None, 8), (7, None, 10), (12, None, 10),  # three and one per outlet, at most ten
    (5, 3, 3), (2, 12, 12),  # --points N
])
def test_a_story_gets_three_points_and_one_per_outlet(outlets: int, points: int | None, expected: int) -> None:
    assert points_for(outlets, BuildOptions(points=points)) == expected


def test_a_summary_fits_at_a_glance() -> None:
    long = Point(text=" ".join(["word"] * 30) + ".", citations=[])
    short = Point(text="Ten words and no more than that in this sentence.", citations=[])
    assert fit_words([long, short], 45) == ([long, short], [])
    assert fit_words([long, long], 45) == ([long], [long])  # the second would run past 45 words
    assert fit_words([], 45) == ([], [])


def test_a_sentence_that_refers_back_is_told_with_the_one_before_it() -> None:
    """ "He insisted …" has no subject on its own: it is a point together with the sentence before
    it in its article (one point citing both), and never a point alone."""
    from summarizer.models import Fact

    text = ("Sweden's defence minister, Pal Jonson, echoed those doubts on Thursday. He insisted Stockholm "
            "would not sign on until the mission's objectives were clearly defined. The ministers will meet "
            "again in May to discuss the plan further. They said more countries could join the plan later.")
    spans = []
    for sentence in text.split(". "):
        sentence = sentence if sentence.endswith(".") else sentence + "."
        start = text.index(sentence.rstrip("."))
        spans.append(Span(source=1, start=start, end=start + len(sentence), quote=text[start:start + len(sentence)]))
    first, refers, other, orphan = (Fact(id=f"F{i}", text=s.quote, citations=[s]) for i, s in enumerate(spans, 1))
    b, _ = assemble(None, [first, other, orphan, refers], [], SOURCES[:1], min_points=4, max_points=4)
    shown = [*b.summary_sentences, *b.points]
    assert [p.text for p in shown] == [f"{first.text} {refers.text}", f"{other.text} {orphan.text}"]
    assert [c.start for c in shown[0].citations] == [spans[0].start, spans[1].start]
    # Without the sentence it refers back to, "They said …" is no point on its own.
    b, dropped = assemble(None, [first, orphan], [], SOURCES[:1], min_points=4, max_points=4)
    assert [p.text for p in b.points] == [first.text] and dropped["fact that refers back: not a point on its own"] == 1


@pytest.mark.parametrize(("sentence", "shown"), [
    ("JAMESTOWN, Tuolumne County (KPIX 5) - Weeks of rainy weather have triggered a new gold rush.",
     "Weeks of rainy weather have triggered a new gold rush."),
    ("WASHINGTON The number of children relying on food stamps spiked last year.",
     "The number of children relying on food stamps spiked last year."),
    ("BALTIMORE (AP) - The Coast Guard says it is looking for a man.", "The Coast Guard says it is looking for a man."),
    ("NATO said on Monday that the troops would stay.", "NATO said on Monday that the troops would stay."),
    ("UN - Talks resumed.", "UN - Talks resumed."),  # what is left is no sentence of its own: kept whole
    ("Summary: Microsoft's acquisition of Nokia is aimed at building a devices business.",
     "Microsoft's acquisition of Nokia is aimed at building a devices business."),
    ("Jim Cole / AP i Jim Cole / AP Voters in 11 states will pick their governors tonight.",
     "Voters in 11 states will pick their governors tonight."),
    ("Enlarge this image toggle caption Jim Cole/AP Jim Cole/AP Voters in 11 states will pick their governors "
     "tonight.", "Voters in 11 states will pick their governors tonight."),
    # a name and a slash that are no photo credit stay
    ("Ana Lopez/Martin said the vote was close and that the count would go on all night.",
     "Ana Lopez/Martin said the vote was close and that the count would go on all night."),
    ("Oroville >> Now is not the time to quit your day job in hopes of striking it rich.",
     "Now is not the time to quit your day job in hopes of striking it rich."),
])
def test_an_opening_dateline_is_not_shown(sentence: str, shown: str) -> None:
    assert without_dateline(sentence) == shown


def test_a_summary_is_never_a_question_or_a_quote_without_its_speaker() -> None:
    """The model's summary quotes a line no one is named as saying, then asks a question: neither
    reads as a summary (both restate their facts, so the support check alone would pass them);
    the summary is a reported fact instead."""
    from summarizer.models import Fact

    said = "“We are continuing to work on our plans, but do not have any announcements to make at this time.”"
    quote = Span(source=1, start=0, end=len(said), quote=said)
    news = "The band will play the halftime show at the stadium in Atlanta on February 3."
    fact = Span(source=2, start=0, end=len(news), quote=news)
    more = [f"The band announced {n} new concert dates in Europe for the spring tour this year." for n in (12, 15)]
    facts = [Fact(id="F1", text=said, citations=[quote]), Fact(id="F2", text=news, citations=[fact]),
             *(Fact(id=f"F{i}", text=t, citations=[Span(source=2, start=100 * i, end=100 * i + len(t), quote=t)])
               for i, t in enumerate(more, start=3))]
    syn = Synthesis(title="", summary=[CitedSentence(text=said, facts=["F1"]),
                                       CitedSentence(text="Will the band play the halftime show in Atlanta?",
                                                     facts=["F2"])],
                    points=[])
    b, dropped = assemble(syn, facts, [], SOURCES[:2], min_points=1, max_points=4)
    assert dropped["summary sentence that does not report"] == 2
    assert b.summary.startswith(news) and said not in b.summary


def test_a_summary_never_tells_a_disputed_side_as_settled() -> None:
    """Two outlets say "about a dozen" countries, one says six: a summary sentence may tell the
    account most outlets give, never the other as if it were settled (it is shown side by side
    under the disagreement)."""
    facts, conflicts = _facts()
    def cites(c: Claim) -> str:
        return next(f.id for f in facts if any(x.start == c.span.start for x in f.citations))

    dozen, six = cites(DOZEN_A), cites(SIX)

    def summary_of(text: str, fid: str) -> str:
        syn = Synthesis(title="", summary=[CitedSentence(text=text, facts=[fid])], points=[])
        b, _ = assemble(syn, facts, conflicts, SOURCES, min_points=1, max_points=4)
        return b.summary

    assert summary_of("Only six nations have pledged to contribute troops so far.", six) != \
        "Only six nations have pledged to contribute troops so far."
    assert summary_of("Around a dozen countries may be willing to contribute troops.", dozen) == \
        "Around a dozen countries may be willing to contribute troops."


@pytest.mark.parametrize(("first", "lead"), [
    (DOZEN_A, True),  # the side two outlets give leads the summary, and is still among the sides
    (SIX, False),  # the side one outlet gives never does
    (NATO_A, False),  # no side ranks first: the summary is the first facts, as ever
])
def test_without_a_model_summary_what_happened_leads_even_where_outlets_differ(first: Claim, lead: bool) -> None:
    facts, conflicts = _facts()
    top = next(f for f in facts if any(x.start == first.span.start for x in f.citations))
    facts = [top, *(f for f in facts if f is not top)]  # as ranked
    b, _ = assemble(None, facts, conflicts, SOURCES, min_points=1, max_points=4)
    assert (bool(b.summary_sentences) and b.summary_sentences[0].text == top.text) is lead
    assert all(SIX.span.start not in {c.start for c in p.citations} for p in b.summary_sentences)
    assert [p.text for d in b.disagreements for p in d.positions].count(top.text) == (top.text != NATO_A.text)


def test_a_headline_never_tells_a_disputed_side_as_settled() -> None:
    facts, conflicts = _facts()
    six = next(f.id for f in facts if any(x.start == SIX.span.start for x in f.citations))
    dozen = next(f.id for f in facts if any(x.start == DOZEN_A.span.start for x in f.citations))

    def title_of(title: str, fid: str) -> str:
        syn = Synthesis(title=title, summary=[], points=[CitedSentence(text="", facts=[fid])])
        b, _ = assemble(syn, facts, conflicts, SOURCES, min_points=1, max_points=4)
        return b.title

    assert title_of("Only six nations pledge troops", six) != "Only six nations pledge troops"
    assert title_of("A dozen countries may contribute troops", dozen) == "A dozen countries may contribute troops"


HOLLYWOOD = Point(text="High-profile Hollywooders, as well as several sports, business and political luminaries, "
                       "are offering up a string of last-minute, big-dollar contributions both Barack Obama and "
                       "Mitt Romney.", citations=[])
DONORS = Point(text="Director Steven Spielberg gave $100,000 to the super PAC backing Obama this week.", citations=[])


@pytest.mark.parametrize(("title", "leads", "shown"), [
    # a headline made from the first statement: the next is shown under it
    ("High-profile Hollywooders are offering up a string of last-minute, big-dollar contributions both Barack "
     "Obama and Mitt Romney", [HOLLYWOOD, DONORS], [DONORS]),
    # the article's own headline: its first statement, which says more
    ("Stars Open Their Wallets for Obama and Romney", [HOLLYWOOD, DONORS], [HOLLYWOOD]),
    # nothing else to tell: the statement stays (an item is never empty)
    ("High-profile Hollywooders are offering up contributions both Barack Obama and Mitt Romney", [HOLLYWOOD],
     [HOLLYWOOD]),
])
def test_a_one_article_item_does_not_tell_its_headline_twice(title: str, leads: list[Point],
                                                            shown: list[Point]) -> None:
    assert beyond_headline(title, leads, 1) == shown


def _point(source: int, text: str) -> Point:
    return Point(text=text, citations=[Span(source=source, start=0, end=len(text), quote=text)])


@pytest.mark.parametrize(("sources", "most", "kept"), [
    ([1, 1, 2], 2, [0, 2]),  # the last point is outlet 2's only one: the one before it goes
    ([1, 2, 1], 2, [0, 1]),  # the last goes when its outlet is heard elsewhere
    ([1, 2, 3], 2, [0, 1]),  # every one alone: the last goes
    ([1, 1], 3, [0, 1]),  # room for all
])
def test_points_cut_to_their_number_keep_every_outlet_heard(sources: list[int], most: int, kept: list[int]) -> None:
    points = [_point(s, f"Point {i} from outlet {s} says something.") for i, s in enumerate(sources)]
    assert within(points, [], most) == [points[i] for i in kept]


def test_a_summary_made_without_the_model_is_the_best_facts_that_fit_its_words() -> None:
    words = SETTINGS.compose.summary_words
    texts = [("Officials met in Brussels on Thursday to discuss the mission " + "and its plans " * 5).strip() + ".",
             "Ministers said " + "the long quote goes on " * 7 + "to the end.",
             "The coalition excludes the United States.",
             "Planners are at work on the mission in Brussels.",
             "Russia rejects any foreign troops in Ukraine."]
    facts = merge_facts([claim(i + 1, t) for i, t in enumerate(texts)])
    b, _ = assemble(None, facts, [], SOURCES, min_points=2, max_points=5)
    told = [p.text for p in b.summary_sentences]
    assert told == [facts[0].text, facts[2].text]  # the second fact is too long to fit with the first
    assert sum(len(t.split()) for t in told) <= words
    assert facts[1].text in [p.text for p in b.points]


@pytest.mark.parametrize(("cited", "kept"), [
    (0, True),  # the best-ranked fact: what happened
    (SETTINGS.compose.summary_top_facts - 1, True),  # still among the top
    (4, False),  # a detail further down: the top facts stand in
])
def test_a_model_summary_tells_one_of_the_top_facts(cited: int, kept: bool) -> None:
    texts = ["Maroon 5 will play the Super Bowl halftime show in Atlanta.",
             "Multiple sources confirmed the band as the halftime performers.",
             "The game is on February 3 at the stadium in Atlanta.",
             "The band is on tour and has a break in the schedule.",
             "The band's most recent hit was a song with Cardi B."]
    facts = merge_facts([claim(i + 1, t) for i, t in enumerate(texts)])
    syn = Synthesis(title="", summary=[CitedSentence(text=texts[cited], facts=[facts[cited].id])], points=[])
    b, dropped = assemble(syn, facts, [], SOURCES, min_points=3, max_points=5)
    assert (b.summary_sentences[0].text == texts[cited]) is kept
    assert b.summary_sentences[0].text == texts[cited] if kept else b.summary_sentences[0].text == texts[0]
    assert dropped["summary that tells none of the top facts"] == (not kept)
