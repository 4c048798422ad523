from __future__ import annotations

import pytest

from summarizer.models import Article
from summarizer.verify import SourceIndex, locate

TEXT = (
    "Ukraine allies meet\n\n"
    "Ukraine’s key allies met on April 10 to continue discussions on a potential peacekeeping mission.\n\n"
    "The meeting, led by France’s Defense Minister Sébastien Lecornu and British Defense\n"
    "Secretary John Healey, involved defense ministers from the coalition of the willing.\n\n"
    "The talks took place at NATO headquarters in Brussels. Around a dozen countries may be willing "
    "to contribute troops, Pavlo Palisa told reporters.\n\n"
    "Read more\n\n"
    "Russia has strongly opposed any foreign troop deployment without a U.N. mandate.\n"
)
SRC = SourceIndex.build(Article(id=1, path="a.txt", title="t", text=TEXT))

SENT_APRIL = "Ukraine’s key allies met on April 10 to continue discussions on a potential peacekeeping mission."
SENT_TALKS = "The talks took place at NATO headquarters in Brussels."
SENT_DOZEN = "Around a dozen countries may be willing to contribute troops, Pavlo Palisa told reporters."
SENT_LED = (
    "The meeting, led by France’s Defense Minister Sébastien Lecornu and British Defense\n"
    "Secretary John Healey, involved defense ministers from the coalition of the willing."
)


@pytest.mark.parametrize(
    ("quote", "expected", "exact"),
    [
        (SENT_TALKS, SENT_TALKS, True),  # verbatim
        ("Ukraine's key allies met on April 10", SENT_APRIL, False),  # straight apostrophe, fragment
        ("the TALKS   took place at nato headquarters", SENT_TALKS, False),  # case and whitespace
        ("“The talks took place at NATO headquarters in Brussels.”", SENT_TALKS, False),  # wrapped in quotes
        ("British Defense Secretary John Healey, involved defense ministers", SENT_LED, False),  # across a line wrap
        ("The meeting took place at NATO headquarters", SENT_TALKS, False),  # a word swapped: snapped
        ("Around a dozen countries may be willing to send troops", SENT_DOZEN, False),  # near-miss
    ],
)
def test_quotes_are_located_and_widened_to_the_exact_sentence(quote: str, expected: str, exact: bool) -> None:
    span = locate(quote, SRC)
    assert span is not None
    assert TEXT[span.start : span.end] == span.quote == expected
    assert (span.score == 100.0) is exact
    assert span.score >= 85


@pytest.mark.parametrize(
    "quote",
    [
        "Around 30 countries may be willing to contribute troops",  # a figure the source does not give
        "The talks took place at EU headquarters in Brussels.",  # a name the source does not give
        "Ukraine will join NATO next year, officials confirmed on Friday.",  # not in the source at all
        "Palisa said",  # too short to support anything
        "Read more",  # furniture is never a source
        "",
    ],
)
def test_quotes_without_support_are_rejected(quote: str) -> None:
    assert locate(quote, SRC) is None


def test_offsets_index_the_text_as_decoded_including_crlf_and_bom() -> None:
    text = "\ufeffTitle line here\r\n\r\nThe ministers agreed on a plan for the mission.\r\n"
    src = SourceIndex.build(Article(id=2, path="b.txt", title="Title", text=text))
    span = locate("the ministers agreed on a plan", src)
    assert span is not None
    assert text[span.start : span.end] == "The ministers agreed on a plan for the mission."
