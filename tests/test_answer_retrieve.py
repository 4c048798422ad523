"""Retrieval and the checks on answers (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.answer import (
    REFUSAL_PREFIX,
    AnswerSentence,
    ModelAnswer,
    QuoteRef,
    bears_on,
    check_answer,
    refusal_text,
    trim_history,
    unpaired_quote_stripped,
)
from summarizer.ingest import load_inputs
from summarizer.retrieve import BM25, passages_of
from summarizer.verify import SourceIndex

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLES, _ = load_inputs([str(SEEDS)])
INDEXES = {a.id: SourceIndex.build(a) for a in ARTICLES}
RETRIEVER = BM25(passages_of(ARTICLES))


def test_passages_are_exact_spans_without_furniture() -> None:
    by_id = {a.id: a for a in ARTICLES}
    for p in RETRIEVER.passages:
        assert by_id[p.source].text[p.start : p.end] == p.quote
        assert "Haberin Devamı" not in p.quote and "Zdieľaj" not in p.quote


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did the Dutch defense minister say?", "Brekelmans"),  # "Dutch" finds the Netherlands' minister
        ("What did Sweden's defense minister insist on?", "Stockholm won’t sign on"),
        ("How many military planners are working on the plans?", "200 military planners"),
        ("Who will chair the Ukraine Defense Contact Group meeting?", "German officials will chair"),
    ],
)
def test_bm25_finds_the_passage_that_answers(question: str, expected: str) -> None:
    hits = RETRIEVER.search(question, 3)
    assert any(expected in h.passage.quote for h in hits)


def test_bm25_finds_nothing_for_words_the_articles_do_not_have() -> None:
    assert RETRIEVER.search("What is the capital of Mongolia?", 5) == []


def _passages(question: str):  # type: ignore[no-untyped-def]
    return [h.passage for h in RETRIEVER.search(question, 6)]


def test_answers_keep_only_verified_supported_sentences() -> None:
    q = "What did the Dutch defense minister say?"
    passages = _passages(q)
    n = next(i for i, p in enumerate(passages, start=1) if "Brekelmans" in p.quote)
    answer = ModelAnswer(answerable=True, sentences=[
        AnswerSentence(text="Dutch Defense Minister Ruben Brekelmans questioned the mission's overall purpose.",
                       quotes=[QuoteRef(passage=n, quote="Dutch Defense Minister Ruben Brekelmans questioned "
                                                          "the mission's overall purpose, stressing the importance "
                                                          "of U.S. involvement.")]),
        AnswerSentence(text="He said the Netherlands will send 5,000 troops.",  # not in the articles
                       quotes=[QuoteRef(passage=n, quote="The Netherlands will send 5,000 troops.")]),
        AnswerSentence(text="He asked what they would actually be doing there.",  # wrong passage number
                       quotes=[QuoteRef(passage=99, quote="“What would we actually be doing there?” he asked")]),
    ])
    checked = check_answer(answer, passages, INDEXES, q)
    assert checked.answerable
    assert [s.text for s in checked.sentences] == [
        "Dutch Defense Minister Ruben Brekelmans questioned the mission's overall purpose.",
        "He asked what they would actually be doing there.",
    ]
    for c in checked.citations:  # exact spans of the source file
        a = next(a for a in ARTICLES if a.id == c.source)
        assert a.text[c.start : c.end] == c.quote
    assert checked.dropped["quote not found in the sources"] == 1


def test_nothing_verified_means_a_refusal_without_citations() -> None:
    q = "What did Japan pledge?"
    answer = ModelAnswer(answerable=True, sentences=[
        AnswerSentence(text="Japan pledged 2,000 troops.",
                       quotes=[QuoteRef(passage=1, quote="Japan pledged 2,000 troops to the mission.")])])
    checked = check_answer(answer, _passages("pledge troops"), INDEXES, q)
    assert not checked.answerable and checked.citations == []
    assert checked.text.startswith(REFUSAL_PREFIX) and "Japan" in checked.text


@pytest.mark.parametrize(
    ("model_refusal", "expected_start"),
    [
        ("The sources don't say what Japan pledged.", "The sources don't say what Japan pledged."),
        ("Japan pledged nothing.", "The sources don't say — none of the articles answers"),  # not a refusal
        ("The sources don't say. But Japan sent 300 troops.", "The sources don't say — none"),  # smuggled claim
    ],
)
def test_refusals_are_one_plain_sentence(model_refusal: str, expected_start: str) -> None:
    assert refusal_text("What did Japan pledge?", model_refusal).startswith(expected_start)


def test_history_is_trimmed_oldest_first_to_the_budget() -> None:
    turns = [(f"question {i}", "answer " * 20) for i in range(10)]
    kept = trim_history(turns, 100, lambda t: len(t.split()))
    assert kept == turns[-len(kept):] and 0 < len(kept) < 10
    assert sum(len(q.split()) + len(a.split()) + 8 for q, a in kept) <= 100
    assert trim_history(turns, 5, lambda t: len(t.split())) == []


def test_an_answer_that_is_no_sentence_is_dropped_unchecked() -> None:
    """A server that ignores the schema's bounds may send megabytes as one "sentence": it is
    dropped before any check (checking a 3 MB answer took over 120 s), and repeats of a kept
    sentence are not kept twice however many there are."""
    q = "What did the Dutch defense minister say?"
    passages = _passages(q)
    n = next(i for i, p in enumerate(passages, start=1) if "Brekelmans" in p.quote)
    said = "Dutch Defense Minister Ruben Brekelmans questioned the mission's overall purpose."
    quote = QuoteRef(passage=n, quote=said.rstrip("."))
    answer = ModelAnswer(answerable=True, sentences=[
        AnswerSentence(text=said + " " + "The troops went on. " * 150_000, quotes=[quote]),  # 3 MB
        AnswerSentence(text=" ".join([said] * 6), quotes=[quote]),
    ])
    checked = check_answer(answer, passages, INDEXES, q)
    assert [s.text for s in checked.sentences] == [said]
    assert checked.dropped["answer text over 1,200 characters"] == 1


@pytest.mark.parametrize("marks", ["“”", "‘’"])
def test_a_quoted_sentence_that_answers_stands_in_for_a_refused_text(marks: str) -> None:
    """The embedded model, asked "What did Medvedev say?", quoted S5's sentence and wrote "The
    sources don't say" as its text: the sentence it quoted is the answer, not a refusal — also
    when it quoted ‘peacekeepers’ for the article's “peacekeepers” (what it did on the seeds)."""
    q = "What did Medvedev say?"
    passages = _passages(q)
    said = ("Former Russian President Dmitry Medvedev recently stated that the arrival of so-called “peacekeepers” "
            "would mark the beginning of a broader war between NATO and Russia.")
    quoted = said.replace("“", marks[0]).replace("”", marks[1])
    n = next(i for i, p in enumerate(passages, start=1) if "Medvedev" in p.quote)
    answer = ModelAnswer(answerable=True, sentences=[
        AnswerSentence(text="The sources don't say.", quotes=[QuoteRef(passage=n, quote=quoted)])])
    checked = check_answer(answer, passages, INDEXES, q)
    assert checked.answerable and [s.text for s in checked.sentences] == [said]
    assert checked.citations[0].quote == said


def test_a_quoted_sentence_that_is_not_about_the_question_is_still_a_refusal() -> None:
    q = "What did Japan pledge?"
    passages = _passages("pledge troops")
    said = passages[0].quote.split(". ")[0]
    answer = ModelAnswer(answerable=True, sentences=[
        AnswerSentence(text="Japan pledged 2,000 troops.", quotes=[QuoteRef(passage=1, quote=said)])])
    checked = check_answer(answer, passages, INDEXES, q)
    assert not checked.answerable and checked.citations == []


@pytest.mark.parametrize(("question", "sentence", "bears"), [
    ("What did Medvedev say?", "Medvedev said the peacekeepers would start a war.", True),
    ("What did Japan pledge?", "Six nations pledged troops.", False),  # the name is missing
    ("How many countries may contribute troops?", "About a dozen countries may contribute troops.", True),
    ("How many countries may contribute troops?", "The talks took place in Brussels.", False),
])
def test_what_bears_on_a_question(question: str, sentence: str, bears: bool) -> None:
    assert bears_on(question, sentence) is bears


@pytest.mark.parametrize("frame", [
    "The sources say that", "According to the articles,", "The article states that", "The article also mentions that",
    "The passage notes that", "This article reports that",  # what the embedded model wrote on the dev clusters
    "The passage in S2 (S2 1.txt) directly states that",
])
def test_an_answer_framed_as_what_the_sources_say_is_checked_without_the_frame(frame: str) -> None:
    """ "The sources say that …" opens many of the embedded model's answers; "sources" is in no
    passage, so the frame is dropped before the check (the citation is the attribution)."""
    q = "What did the Dutch defense minister say?"
    passages = _passages(q)
    n = next(i for i, p in enumerate(passages, start=1) if "Brekelmans" in p.quote)
    answer = ModelAnswer(answerable=True, sentences=[AnswerSentence(
        text=f"{frame} Dutch Defense Minister Ruben Brekelmans questioned the mission's overall purpose.",
        quotes=[QuoteRef(passage=n, quote="Dutch Defense Minister Ruben Brekelmans questioned the mission's overall "
                                          "purpose, stressing the importance of U.S. involvement.")])])
    checked = check_answer(answer, passages, INDEXES, q)
    assert checked.answerable
    assert [s.text for s in checked.sentences] == [
        "Dutch Defense Minister Ruben Brekelmans questioned the mission's overall purpose."]
    # The frame around an unsupported claim does not help it through.
    answer.sentences[0].text = f"{frame} Brekelmans will send 5,000 troops."
    assert not check_answer(answer, passages, INDEXES, q).sentences[0].text.endswith("5,000 troops.")


def _nato_answer(text: str) -> ModelAnswer:
    quote = "The talks took place at NATO headquarters in Brussels."
    n = next(i for i, p in enumerate(_passages("Where did the talks take place?"), start=1) if quote in p.quote)
    return ModelAnswer(answerable=True,
                       sentences=[AnswerSentence(text=text, quotes=[QuoteRef(passage=n, quote=quote)])])


def test_true_sentences_about_something_else_are_no_answer() -> None:
    """Asked what the articles do not cover, the embedded model answered with true sentences about
    what they do cover (a question on the Slender Man case answered with another shooting): a
    refusal, never an answer passed off as one."""
    passages = _passages("Where did the talks take place?")
    answer = _nato_answer("The talks took place at NATO headquarters in Brussels.")
    elsewhere = "Will both girls in Wisconsin's Slender Man case plead not guilty by reason of insanity?"
    checked = check_answer(answer, passages, INDEXES, elsewhere)
    assert not checked.answerable and checked.citations == []
    assert checked.dropped["sentences about something else than the question"] == 1
    # The same sentence answers a question about it.
    assert check_answer(answer, passages, INDEXES, "Where did the talks take place?").answerable


@pytest.mark.parametrize("text", ["'", "“”", "—"])
def test_a_sentence_with_no_words_is_never_an_answer(text: str) -> None:
    """The model's text split around a closing quotation mark left "'": any sentence "supports"
    nothing, so it was kept, cited, as the answer."""
    q = "Where did the talks take place?"
    checked = check_answer(_nato_answer(text), _passages(q), INDEXES, q)
    assert all(s.text.strip("'“”— ") for s in checked.sentences)


@pytest.mark.parametrize(("cut", "shown"), [
    ("'Share it away!", "Share it away!"),
    ("We can change the world!'", "We can change the world!"),
    ("“The talks went well,” he said.", "“The talks went well,” he said."),  # paired: kept
    ("He said 'no'.", "He said 'no'."),
    ("The group’s plan was set.", "The group’s plan was set."),  # an apostrophe is no quotation mark
])
def test_a_sentence_cut_from_a_quotation_loses_its_unpaired_mark(cut: str, shown: str) -> None:
    assert unpaired_quote_stripped(cut) == shown


def test_a_figure_question_answered_without_a_figure_is_answered_from_the_retrieved_sentence() -> None:
    """Seeds, embedded model: "How many military planners …?" answered with four true sentences of
    the wrong passage, none with a number. No figure, no answer; the retrieved sentence that
    has every word the question asks about and the figure stands in."""
    q = "How many military planners are working on the plans?"
    passages = _passages(q)
    wrong = "Leaders are eager to create a strong deterrent force but face challenges as many European countries " \
            "have reduced their military sizes since the Cold War."
    n = next(i for i, p in enumerate(passages, start=1) if wrong in p.quote)
    answer = ModelAnswer(answerable=True, sentences=[
        AnswerSentence(text="Many European countries have reduced their military sizes since the Cold War.",
                       quotes=[QuoteRef(passage=n, quote=wrong)])])
    checked = check_answer(answer, passages, INDEXES, q)
    assert checked.answerable and checked.dropped["no figure for a question that asks for one"] == 1
    (said,) = checked.sentences
    assert "200 military planners" in said.text
    # Asked for a figure no retrieved sentence gives: a refusal.
    other = "How many military planners does Japan send?"
    assert not check_answer(answer, _passages(other), INDEXES, other).answerable
