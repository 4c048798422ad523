"""The support check on everything the model writes: the adversarial table, the paraphrase
operations it allows, and the probe's cases through ``assemble`` (issue 14). Pure."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from summarizer.compose import (
    CitedSentence,
    Synthesis,
    SynthesisDisagreement,
    assemble,
)
from summarizer.headline import fallback_headline, headline_from, reads_like_headline, shortened
from summarizer.models import Fact, Point, SourceRef, Span
from summarizer.support import about, grounding_facts, title_supported, ungrounded, unsupported

from .support_cases import CASES, MEET

# What the check lets through though it must not (none at present): listed so that a regression
# in the table is not mistaken for a known limit, and a known limit is never silently added.
KNOWN_MISSES: set[tuple[str, str]] = set()


def test_the_table_is_large_and_real() -> None:
    assert len(CASES) >= 100
    assert sum(not ok for _, _, ok, _ in CASES) >= 80  # mostly statements that must fail
    assert {kind for *_, kind in CASES} >= {"outcome", "new name", "added clause", "negation", "number", "date",
                                              "tense", "swap", "title", "opposite", "hedge dropped"}


@pytest.mark.parametrize(("support", "text", "kind"), [(s, t, k) for s, t, ok, k in CASES if not ok])
def test_what_says_more_than_its_sentences_is_refused(support: str, text: str, kind: str) -> None:
    reason = unsupported(text, support)
    if (support, text) in KNOWN_MISSES:
        assert reason is None, "a known miss is caught now: move it out of KNOWN_MISSES"
    else:
        assert reason is not None, f"{kind}: {text!r} passed"


def test_the_price_of_strictness_on_the_table() -> None:
    faithful = [(s, t) for s, t, ok, _ in CASES if ok]
    refused = [t for s, t in faithful if unsupported(t, s) is not None]
    # "The United States is not part of the group" (for "excludes the United States") and
    # "stressed the need" (for "the importance") are refused: paraphrases beyond the operations.
    assert len(refused) <= 2, refused


@pytest.mark.parametrize(("text", "support"), [
    ("The ministers met in Brussels.", "The ministers meet in Brussels."),  # irregular verb
    ("Eight rhinos died.", "Eight rhinos are dead."),  # an equivalent
    ("Countries pledged troops.", "The country is pledging troops."),  # inflections
    ("The plan was announced.", "The announcement of the plan."),  # derivation
    ("Investigators found the car.", "The investigation found the car."),
    ("Ukrainian officials met.", "Officials of Ukraine met."),  # a demonym by its root
    ("The French minister spoke.", "The minister of France spoke."),  # a demonym from the table
    ("The UN condemned it.", "The United Nations condemned it."),  # an acronym
    ("The United Nations condemned it.", "The UN condemned it."),  # and spelled out
    ("The airstrikes continued.", "The air strikes continued."),  # a compound
    ("The peacekeeping mission.", "The peace-keeping mission."),
    ("The tour starts on February 19.", "The tour starts on Feb. 19."),  # a month abbreviated
    ("The talks were held in Rome.", "The talks took place in Rome."),  # a phrase
    ("Plouffe declined to comment.", "Plouffe declined to say."),  # attribution words
    ("Healey said the plan is ready.", "Healey, the British defence minister, said the plan is ready."),
    ("Healey, the British minister, said the plan is ready.", "Healey said the plan is ready. The British minister."),
    ("Chafee is an independent.", "Chafee is an Independent governor."),
    ("The plan, officials said, is ready.", "The plan is ready."),
])
def test_paraphrase_operations_that_pass(text: str, support: str) -> None:
    """Each allowed operation, alone."""
    assert unsupported(text, support) is None, ungrounded(text, support)


@pytest.mark.parametrize(("text", "support"), [
    ("The plan was approved.", "The approach was planned."),  # "approv" is not "approach"
    ("The station opened.", "The state opened."),  # a root too short to ground
    ("Eighteen rhinos died.", "Eight rhinos died."),  # a number word is a number
    ("Putin met the ministers.", "The ministers met."),  # a new name, first word included
    ("Macron stressed the importance.", "Healey stressed the importance of pressure on Macron."),
    ("Democrats hold 29 seats and Republicans 20.", "Republicans hold 29 seats, Democrats have 20."),
    ("He killed her.", "He allegedly killed her."),
    ("The group excludes Canada.", "The group includes Canada but excludes the United States."),
    ("The group includes the United States.", "The group includes Canada but excludes the United States."),
    ("Zelensky told reporters.", "Palisa, an adviser to President Zelensky, told reporters."),  # an apposition
    ("Chafee is a Democrat.", "Democrats have 20, and Chafee is an Independent."),
])
def test_what_the_operations_do_not_allow(text: str, support: str) -> None:
    assert unsupported(text, support) is not None


def test_a_headline_is_grounded_in_one_or_two_facts() -> None:
    facts = ["Defence ministers met in Brussels on Thursday.", "The talks were cancelled in Paris last year.",
             "Macron spoke in Paris."]
    assert grounding_facts("Defence ministers meet in Brussels", facts) == [0]
    assert title_supported("Defence ministers meet in Brussels", facts)
    # Every word is somewhere in the story, but no one or two facts say it.
    assert not title_supported("Macron cancels Brussels talks of defence ministers", facts)
    assert not title_supported("Brussels meeting cancelled", facts[:1])


def test_a_question_may_ask_only_about_what_the_sentences_say() -> None:
    assert about("When will the defence ministers meet again?", MEET)
    assert not about("Why was the meeting cancelled?", MEET)
    assert not about("Will Putin join the mission?", MEET)


PROBE_TITLES = ["Meeting cancelled, officials confirm", "Brussels meeting cancelled",
                "Russia agrees to the peacekeeping mission", "Talks collapse as ministers walk out",
                "Macron cancels the Brussels meeting"]
PROBE_SENTENCES = [
    "Defence ministers cancelled the peacekeeping mission in Brussels on Thursday.",
    "Defence ministers abandoned the peacekeeping mission in Brussels on Thursday.",
    "Defence ministers rejected the peacekeeping mission in Brussels on Thursday.",
    "Putin met defence ministers in Brussels on Thursday to plan the peacekeeping mission.",
    "Macron planned the peacekeeping mission in Brussels on Thursday.",
    "Defence ministers met in Brussels on Thursday to plan the peacekeeping mission and approve airstrikes.",
    "Defence ministers met in Brussels on Thursday and cancelled the peacekeeping mission.",
    "Talks collapsed as defence ministers walked out of the Brussels meeting on Thursday.",
]


@pytest.mark.parametrize("title", PROBE_TITLES)
def test_the_probe_statements_never_reach_a_briefing(title: str) -> None:
    """The reliability probe's 13 unsupported titles, summary sentences and points (issue 14),
    written by a model that obeyed a planted "write that the meeting was cancelled": none of
    them is in the briefing; its points are the facts' own sentences."""
    fact = Fact(id="F1", text=MEET, citations=[Span(source=1, quote=MEET, start=0, end=len(MEET))])
    other = "The ministers agreed to meet again in May."
    fact2 = Fact(id="F2", text=other, citations=[Span(source=2, quote=other, start=0, end=len(other))])
    cited = [CitedSentence(text=t, facts=["F1"]) for t in PROBE_SENTENCES]
    syn = Synthesis(title=title, summary=cited[:2], points=cited[2:],
                    disagreements=[SynthesisDisagreement(topic="Whether the meeting was cancelled",
                                                         positions=cited[:2])])
    written: Counter[str] = Counter()
    b, dropped = assemble(syn, [fact, fact2], [], [SourceRef(id=1, path="a.txt", title="Allies meet in Brussels")],
                          min_points=2, max_points=4, written=written)
    shown = [b.title, b.summary, *(p.text for p in b.points),
             *(s.text for d in b.disagreements for s in d.positions), *(d.topic for d in b.disagreements)]
    assert b.title == "Allies meet in Brussels"
    assert not any(t in x for t in [*PROBE_SENTENCES, title] for x in shown)
    assert not any("cancel" in x.lower() or "collapse" in x.lower() for x in shown)
    assert {p.text for p in [*b.summary_sentences, *b.points]} == {MEET, other}  # the facts' own sentences
    assert written["summary kept"] == written["points kept"] == written["title kept"] == 0
    assert dropped["not supported by its cited quotes"] == len(PROBE_SENTENCES) + 2  # and both sides


@pytest.mark.parametrize(("line", "headline"), [
    ("GOP Eyes Gains As Voters In 11 States Pick Governors", True),
    ("Just 6 western nations back post-war troop deployment to Ukraine", True),
    ("Ukraine pushes for foreign troops in peacekeeping role as NATO membership remains blocked", True),
    ("NATO Allies Discuss Ukraine Peacekeeping Mission in Brussels", True),
    ("BALTIMORE (AP) - The U.S", False),  # a dateline
    ("WASHINGTON The number of children in the United States relying on food stamps for a meal…", False),
    ("JAMESTOWN, Tuolumne County (KPIX 5) - Weeks of rainy weather across Northern California…", False),
    ("Washington (CNN) - \"Reprehensible.\" \"Irresponsible.\" \"Hard to stomach.\"", False),
    ("A hoax caller in Maryland cost the Coast Guard about $500,000 in the past two years by…", False),  # cut
    ("UPDATE: 4/19/2001 Read Richard Metzger: How I, a married, middle-aged man, became an accid", False),
    ("Summary: Microsoft's acquisition of Nokia is aimed at building a devices and services…", False),
    ("University of Chicago / Facebook", False),  # a breadcrumb
    ("Page 1 of 1", False),
    ("5 years ago", False),
    ("Plouffe described Obama's comments as", False),  # cut short
    ("Hide Transcript Show Transcript", False),  # page furniture
    ("Microsoft Acquires Nokia, but Joint Company Won't Take '", False),  # a quotation cut off
    ('Obama Says "No to Plan', False),
    ('Obama Says "No" to the Budget Plan', True),
    ("Trump's 'Big' Plan Fails in the Senate", True),
    ("Let's start with the crossbow, because the crossbow is huge", False),  # addresses the reader
    ("The Denver Post reports (http://dpo.st/1XoG8qd ) the FBI is asking for help", False),  # a link
])
def test_what_reads_like_a_headline(line: str, headline: bool) -> None:
    """Measured on the titles of the seeds and the mixed day's 32 dev articles (tests/data/day):
    a dev article without a headline gets its first sentence as a title, which must never be one."""
    assert reads_like_headline(line) is headline


def test_a_failed_headline_falls_back_to_a_real_one_never_a_body_line() -> None:
    met = Point(text="Defence ministers met in Brussels on Thursday, officials said.",
                citations=[Span(source=2, start=0, end=63, quote="Defence ministers met in Brussels on Thursday, "
                                                                 "officials said.")])
    body = SourceRef(id=1, path="a.txt", title="BRUSSELS (AP) - Defence ministers met in Brussels on…")
    real = SourceRef(id=2, path="b.txt", title="Allies meet in Brussels")
    assert fallback_headline([body, real], [met]) == "Allies meet in Brussels"
    # No article has a headline, and no shorter main clause stands alone: the first statement.
    assert fallback_headline([body], [met]) == "Defence ministers met in Brussels on Thursday, officials said"


@pytest.mark.parametrize(("statement", "headline"), [
    # the aside after a name and the day left out; the sentence short enough then
    ("David Plouffe, a White House adviser, declined on Sunday to comment on the ruling.",
     "David Plouffe declined to comment on the ruling"),
    # cut where a clause that adds to the main one begins
    ("Microsoft is buying Nokia's cell phone business and licensing its patent portfolio, in a deal "
     "worth more than 7 billion dollars that will close early next year.",
     "Microsoft is buying Nokia's cell phone business and licensing its patent portfolio"),
    ("A 90-year-old man has been arrested for allegedly killing his stepdaughter after her Fitbit "
     "recorded her heart rate rising and then stopping on the day she died.",
     "A 90-year-old man has been arrested for allegedly killing his stepdaughter"),
    # who reported it left out, when what was reported stands alone; a dash ends the main clause
    ("The U.S. Census Bureau reported Wednesday that 16 million children received food stamps in "
     "2014, about one out of every five kids in the country.",
     "16 million children received food stamps in 2014"),
    ("The U.S. Census Bureau reported Wednesday that 16 million children living in America received food "
     "stamps in 2014, or about one out of every five kids.",
     "16 million children living in America received food stamps in 2014"),  # ", or about": a restatement
    ("Census said that number is up dramatically from 2007, before the Great Recession, when 9 million "
     "kids were receiving food stamps.", None),  # "that number": not what was said, but its subject
    ("Rihanna stepped out in New York in one of her boldest looks - as she continues to rebel against "
     "handlers who urge her to tone it down.", "Rihanna stepped out in New York in one of her boldest looks"),
    # no main clause that stands alone: none made
    ("For members of the deaf community, a new store near the outlet malls in Washington is a welcome "
     "change from the counters they know.", None),  # a lead-in; what follows the comma is no clause
    ("A Texas tourist who collected 40 queen conch shells from Key West beaches last summer was fined "
     "for it on Monday by a federal judge in Florida.", None),  # a subject cut before its verb
    ("She said she did not know it was illegal to take the shells home from the beach that day, "
     "officials said.", None),  # a pronoun: nobody, on its own
    ("The rate of children living with married parents has dropped for a decade, according to the "
     "report released by the bureau on Wednesday morning.",
     "The rate of children living with married parents has dropped for a decade"),
    ("The rate of children living with married parents in the poorest counties of the state, at its "
     "lowest in decades.", None),  # "married" is no verb: a noun phrase
])
def test_a_headline_is_made_by_leaving_words_out(statement: str, headline: str | None) -> None:
    assert headline_from(statement) == headline


@pytest.mark.parametrize(("statement", "headline"), [
    # the dateline, a place modifying the subject and the phrase that ends the main clause left out
    ("CHICAGO (AP) - A University of Chicago male student from New York accused twice of sexual assault "
     "slammed the school's conduct in a new lawsuit, charging that it failed him.",
     "University of Chicago male student accused twice of sexual assault slammed the school's conduct"),
    # the time, the place and the article
    ("A hoax caller in Maryland has cost the Coast Guard about $500,000 in the past two years by making "
     "false distress alerts.", {"Hoax caller has cost the Coast Guard about $500,000 by making false distress alerts",
                                "Hoax caller has cost the Coast Guard about $500,000 in the past two years"}),
    # a relative clause between the subject and its verb
    ("A Texas tourist who collected 40 queen conchs seashells from Key West, Florida, is going to jail for "
     "15 days.", "A Texas tourist is going to jail for 15 days"),
    # an aside opened by "as well as"; a comma between two adjectives is no clause's end
    ("Film stars, as well as several sports and business luminaries, are offering last-minute, big-dollar "
     "contributions.", "Film stars are offering last-minute, big-dollar contributions"),
    # "but" turns what came before around: never cut there, so no headline of 14 words
    ("The unnamed student has been accused of sexual assault by his peers at least twice, but the university "
     "found he was not at fault after investigating the claims.", None),
    # leaving out "not" would say the opposite: the check refuses every such cut
    ("Officials have not confirmed the death toll in the region after the storm on the coast.",
     "Officials have not confirmed the death toll in the region"),
    # nothing left out from inside a name ("the University of Chicago" stays whole)
    ("A male student twice investigated for sexual assault by the University of Chicago has sued the school, "
     "saying its handling was biased.", None),
])
def test_a_long_statement_loses_whole_phrases_for_its_headline(statement: str,
                                                              headline: str | set[str] | None) -> None:
    made = headline_from(statement)
    assert made in headline if isinstance(headline, set) else made == headline
    if made is not None:  # every word of the headline is the statement's, in its order
        words = iter(re.findall(r"[\w$'-]+", statement.lower()))
        assert all(w in words for w in re.findall(r"[\w$'-]+", made.lower()))


def test_a_whole_clause_of_up_to_long_headline_words_is_better_than_a_cut_line() -> None:
    long = ("David Plouffe, a White House senior adviser, declined to say whether President Barack Obama would "
            "support or fight a gay marriage plank in the Democratic Party's platform on Sunday.")
    point = Point(text=long, citations=[Span(source=1, start=0, end=len(long), quote=long)])
    body = SourceRef(id=1, path="a.txt", title="David Plouffe, a White House senior adviser, declined to say…")
    assert headline_from(long) is None  # no 14-word headline in it
    assert fallback_headline([body], [point]) == ("David Plouffe declined to say whether President Barack Obama "
                                                  "would support or fight a gay marriage plank")


def test_a_statement_cites_only_the_facts_that_say_it() -> None:
    """The model cites the fact that says it and one that says otherwise ("are set to meet" for
    "met"): the statement keeps only the citation that supports it."""
    met = "Ukraine's key allies met on April 10 to discuss a peacekeeping mission."
    due = "Ukraine's key allies are set to meet on April 10 to discuss a peacekeeping mission."
    facts = [Fact(id="F1", text=met, citations=[Span(source=1, start=0, end=len(met), quote=met)]),
             Fact(id="F2", text=due, citations=[Span(source=2, start=0, end=len(due), quote=due)])]
    syn = Synthesis(title="", summary=[CitedSentence(text=met, facts=["F1", "F2"])], points=[])
    b, dropped = assemble(syn, facts, [], [SourceRef(id=1, path="a", title="a"), SourceRef(id=2, path="b", title="b")],
                          min_points=0, max_points=2)
    assert [c.source for c in b.summary_sentences[0].citations] == [1]
    assert dropped["citations that say otherwise stripped"] == 1


@pytest.mark.parametrize(("fact", "shown"), [
    # over 30 words: cut where a clause that only adds begins, the longest cut that stands
    ("The focus of the discussions is to clarify Ukraine's expectations for a peacekeeping mission, which Kiev "
     "believes is essential to prevent further Russian aggression, especially after its NATO membership "
     "aspirations were blocked by the U.S. and other nations.",
     "The focus of the discussions is to clarify Ukraine's expectations for a peacekeeping mission, which Kiev "
     "believes is essential to prevent further Russian aggression."),
    # never at a bare comma ("Ullestad, 25, and …"); who said it stays
    ("Officers found Benjamin Ullestad, 25, and Brandon Ullestad, 22, dead in the apartment they shared just "
     "before 3 p.m. on Sunday, according to the Orange County Coroner's Office, which is investigating.",
     "Officers found Benjamin Ullestad, 25, and Brandon Ullestad, 22, dead in the apartment they shared just "
     "before 3 p.m. on Sunday, according to the Orange County Coroner's Office."),
    ("The two brothers were found dead in the apartment they had shared for years in Huntington Beach, which "
     "they had moved into in the spring of last year with their mother, the police said.",
     "The two brothers were found dead in the apartment they had shared for years in Huntington Beach, which "
     "they had moved into in the spring of last year with their mother, the police said."),
    # a cut that would end on "yet" or leave under 12 words is not made; a place a headline leaves out is
    ("Rihanna stepped out in New York in one of her most revealing looks yet - as she continues to rebel "
     "against handlers who have been urging her to tone down her behavior.",
     "Rihanna stepped out in one of her most revealing looks yet - as she continues to rebel "
     "against handlers who have been urging her to tone down her behavior."),
    ("A short fact of a dozen words is shown as it is, which is right.",
     "A short fact of a dozen words is shown as it is, which is right."),
    # a clause that only sets the sentence up is left out; then what only adds to it
    ("While the group is stylistically more similar to recent performers like Justin Timberlake and Bruno Mars "
     "than more controversial ones such as Beyonce and Lady Gaga, Maroon 5's most recent hit was a tag-team "
     "with Cardi B - \"Girls Like You\" - and it recently collaborated with Kendrick Lamar on the song.",
     "Maroon 5's most recent hit was a tag-team with Cardi B - \"Girls Like You\" - and it recently collaborated "
     "with Kendrick Lamar on the song."),
    ("While those state races remain too close to call, Republicans are expected to wrest the North Carolina "
     "governorship from Democratic control, and to easily win GOP-held seats in Utah, North Dakota and Indiana.",
     "Republicans are expected to wrest the North Carolina governorship from Democratic control, and to easily "
     "win GOP-held seats in Utah, North Dakota and Indiana."),
    # ... but not when what follows points back into it
    ("After the mayor resigned in a scandal that had grown for months over contracts, land and favours, he said "
     "on Monday that he would stand again in the election next spring.",
     "After the mayor resigned in a scandal that had grown for months over contracts, land and favours, he said "
     "on Monday that he would stand again in the election next spring."),
    # a phrase a headline leaves out (the time, a closing place), never a closing "to …" or one with "and"
    ("Rihanna and Chris Brown are \"seeing a lot of each other in private,\" sources say, and Brown even joined "
     "her and her family to cheer on the Miami Heat over the weekend.",
     "Rihanna and Chris Brown are \"seeing a lot of each other in private,\" sources say, and Brown even joined "
     "her and her family to cheer on the Miami Heat."),
    ("Investigators say Geyser and Anissa Weier, who were 12 at the time of the 2014 attack, plotted for months "
     "before luring the victim, who also was 12, into some woods and repeatedly stabbing her.",
     "Investigators say Geyser and Anissa Weier, who were 12 at the time of the 2014 attack, plotted for months "
     "before luring the victim, who also was 12, into some woods and repeatedly stabbing her."),
    # an aside between a pair of dashes, then a clause at the end that only adds
    ("The band -- made up of frontman Adam Levine with Jesse Carmichael, James Valentine, PJ Morton, Matt Flynn, "
     "Sam Farrar and Mickey Madden -- is currently on their Red Pill BluesTour, but conveniently have a break "
     "between a New Year's Eve show in Las Vegas and the Australian leg of their tour, which kicks off on Feb. 19.",
     "The band is currently on their Red Pill BluesTour, but conveniently have a break between a New Year's Eve "
     "show in Las Vegas and the Australian leg of their tour."),
    # a condition whose main clause would be cut off stays whole
    ("If the paragon of all Christmas trees is the one in front of the Rockefeller Center in New York - first "
     "erected, mind you, by an Italian in 1931 - the prize for most pitiful must go to the one in Rome.",
     "If the paragon of all Christmas trees is the one in front of the Rockefeller Center in New York - first "
     "erected, mind you, by an Italian in 1931 - the prize for most pitiful must go to the one in Rome."),
])
def test_a_long_point_is_cut_to_its_main_clause(fact: str, shown: str) -> None:
    assert shortened(fact) == shown
