"""Model-written text may say no more than its sentences: the adversarial paraphrase table, and the
general rules that replaced the seeds' word lists in disagreement detection. Pure."""

from __future__ import annotations

import pytest

from summarizer.merge import find_conflicts, merge_facts
from summarizer.models import Claim, Span
from summarizer.support import quantities, says_more, supported

BARRIER = "The barrier cost 310 million euros and was criticised by residents."
MET = "The ministers met in Brussels on Thursday."
WILL = "The ministers will meet in Brussels on Thursday."
ATTACK = "Russia attacked Ukraine overnight."


@pytest.mark.parametrize(("text", "support", "why"), [
    # numbers and magnitudes
    ("The barrier cost 310 billion euros.", BARRIER, "a number"),
    ("The barrier cost 31 million euros.", BARRIER, "a number"),
    ("The barrier cost 310 million euros.", BARRIER, None),
    ("About a dozen countries may contribute troops.", "Around 12 countries may be willing to contribute troops.",
     None),
    ("Six countries may contribute troops.", "Around 12 countries may be willing to contribute troops.", "a number"),
    # names, actors and places
    ("The ministers met in Paris on Thursday.", MET, "a name"),
    ("Healey met Macron in Brussels.", "Healey met ministers in Brussels.", "a name"),
    ("Ukraine attacked Russia overnight.", ATTACK, "names swapped"),
    ("Ukraine was attacked by Russia overnight.", ATTACK, None),
    # negation, added or dropped
    ("The ministers did not meet in Brussels on Thursday.", MET, "a negation"),
    ("The ministers met in Brussels.", "The ministers did not meet in Brussels.", "a negation"),
    ("The United States has not committed troops.", "The United States has not committed to sending troops.", None),
    # opposite senses
    ("Residents praised the barrier.", BARRIER, "the opposite"),
    ("Residents criticised the barrier.", BARRIER, None),
    ("Prices rose in March.", "Prices fell in March.", "the opposite"),
    ("Parliament rejected the bill.", "Parliament approved the bill.", "the opposite"),
    # tense: still to come told as done, and the reverse
    ("The ministers will meet in Brussels.", MET, "a different tense"),
    ("The ministers met in Brussels.", WILL, "a different tense"),
    ("The ministers met in Brussels on Thursday.", MET, None),
    # letters of a script the sources do not use (the embedded Qwen model's slips, from the mixed day)
    ("The ministers met in Brussels on Thursday后来.", MET, "letters of a script"),
    ("The ministers met in Брюссель on Thursday.", MET, "letters of a script"),
    ("Zoë met the ministers in Brussels.", "Zoë met the ministers in Brussels on Thursday.", None),
])
def test_what_a_paraphrase_may_not_do(text: str, support: str, why: str | None) -> None:
    reason = says_more(text, support)
    assert (reason is None) if why is None else (reason is not None and reason.startswith(why)), reason
    if why is not None:
        assert not supported(text, support)


@pytest.mark.parametrize(("text", "expected"), [
    ("The talks were held on March 3 in Paris.", set()),  # a date, and "in" counts nothing
    ("In 2022, the country joined the alliance.", set()),  # a year, not 2022 countries
    ("By 2030 the plan ends.", set()),
    ("About a dozen countries may contribute troops.", {("country", 12.0)}),
    ("Just 6 western nations back the deployment.", {("country", 6.0)}),  # an adjective before the noun
    ("Only six Western nations have pledged troops.", {("country", 6.0)}),  # a capitalised modifier
    ("200 military planners met.", {("planner", 200.0)}),
    ("The barrier cost 310 million euros.", {("euro", 310e6)}),  # the scale is part of the value
    ("2000 troops were sent.", {("troop", 2000.0)}),
])
def test_quantities_are_counts_not_dates(text: str, expected: set[tuple[str, float]]) -> None:
    assert quantities(text) == expected


def claim(cid: int, source: int, quote: str) -> Claim:
    return Claim(id=cid, article_id=source, chunk_index=0,
                 span=Span(source=source, start=0, end=len(quote), quote=quote))


def conflicts_of(*quotes: tuple[int, str]) -> list[str]:
    claims = [claim(i, src, q) for i, (src, q) in enumerate(quotes, start=1)]
    return [c.topic for c in find_conflicts(merge_facts(claims))]


def test_two_dates_are_not_a_disagreement_on_a_number() -> None:
    assert conflicts_of((1, "The summit of the ministers was held on March 3 in Paris."),
                        (2, "The summit of the ministers was held on March 17 in Paris.")) == []


def test_a_year_is_not_a_count_of_countries() -> None:
    assert conflicts_of((1, "In 2022, the country asked the ministers of the alliance for troops."),
                        (2, "About a dozen countries asked the ministers of the alliance for troops.")) == []


def test_different_counts_of_the_same_thing_are_a_disagreement() -> None:
    assert conflicts_of((1, "About a dozen countries may send troops to the peacekeeping mission in Ukraine."),
                        (2, "Just six countries may send troops to the peacekeeping mission in Ukraine.")) == [
        "Sources differ on the number of countries"]


def test_the_same_fact_told_as_done_and_as_still_to_come_is_a_disagreement() -> None:
    assert conflicts_of((1, "Ukraine’s key allies met on April 10 to continue discussions on a peacekeeping mission."),
                        (2, "Ukraine’s key allies are set to meet on April 10 to continue discussions on a "
                            "peacekeeping mission.")) == ["Already done, or still to come? The outlets differ"]
    # one outlet telling both is no disagreement between outlets
    assert conflicts_of((1, "The allies met on April 10 to discuss the mission."),
                        (1, "The allies will meet again on April 20 to discuss the mission.")) == []


@pytest.mark.parametrize(("a", "b", "topic"), [
    ("Workers hoisted a 72-foot Norway spruce in Rome's Piazza Venezia this month.",
     "Workers hoisted a 70-foot Norway spruce in Rome's Piazza Venezia this month.", "feet"),
    ("Officers found the two brothers dead in the apartment just before 3 p.m., police said.",
     "Police received a call at 2:45 p.m. Sunday about the two brothers in the apartment.", None),  # not a count
    ("Eight critically endangered black rhinos died after the move to the new park.",
     "Seven critically endangered black rhinos died after the move to the new park.", "rhinos"),
])
def test_a_disagreement_is_over_something_counted(a: str, b: str, topic: str | None) -> None:
    found = conflicts_of((1, a), (2, b))
    assert found == ([f"Sources differ on the number of {topic}"] if topic else [])
