"""Answers to follow-up questions: the schema the model fills, and the checks on it. Pure.

The model answers from numbered passages of the run's articles, citing passage numbers and the
verbatim sentence. Every quote is verified (and snapped) exactly as in ``build``; a sentence
whose support cannot be found, or that says what its quotes do not, is dropped; if nothing
supported is left, the answer is a refusal that cites nothing.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from .chunking import sentence_spans
from .merge import same_sentence_fact
from .models import Disagreement, Point, Span
from .settings import SETTINGS
from .support import numbers_in, supported
from .textutil import _stem, content_words, coverage, tokens
from .verify import WORD_FOR_WORD, SourceIndex, locate

REFUSAL_PREFIX = "The sources don't say"


# Bounds sent with the schema (see compose.py): what a grammar lets the model write.
class QuoteRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    passage: int = Field(description="Number of the passage [n] the quote is from.")
    quote: str = Field(description="The sentence of that passage that supports the answer, copied exactly.",
                       json_schema_extra={"maxLength": 600})


# An answer sentence is asked to be at most 300 characters (the schema's maxLength); a server that
# does not enforce it may send more. Four times that is no sentence: it is dropped unchecked.


class AnswerSentence(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str = Field(json_schema_extra={"maxLength": 300})
    quotes: list[QuoteRef] = Field(max_length=4, json_schema_extra={"maxItems": 2})


class ModelAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    answerable: bool = Field(description="Whether the passages answer the question at all.")
    sentences: list[AnswerSentence] = Field(default_factory=list, max_length=6, json_schema_extra={"maxItems": 4})
    refusal: str = Field(default="", description="When not answerable: one sentence starting "
                                                 "\"The sources don't say\".", json_schema_extra={"maxLength": 200})


class Standalone(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: str = Field(json_schema_extra={"maxLength": 300})


@dataclass
class CheckedAnswer:
    answerable: bool
    sentences: list[Point]
    dropped: Counter[str] = field(default_factory=Counter)
    disagreements: list[Disagreement] = field(default_factory=list)  # both sides, from the build

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def citations(self) -> list[Span]:
        seen: list[Span] = []
        groups = [s.citations for s in self.sentences] + [p.citations for d in self.disagreements for p in d.positions]
        for cs in groups:
            for c in cs:
                if c not in seen:
                    seen.append(c)
        return seen


def render_passages(passages: Sequence[Span], labels: dict[int, str]) -> str:
    return "\n\n".join(f"[{n}] ({labels.get(p.source, f'S{p.source}')}) {' '.join(p.quote.split())}"
                       for n, p in enumerate(passages, start=1))


def refusal_text(question: str, model_refusal: str = "") -> str:
    """One plain sentence: the model's if it is one, else a generic one."""
    r = " ".join(model_refusal.split())
    one_sentence = r.count(".") <= 1 and len(r) < SETTINGS.compose.sentence_chars
    if r.startswith(REFUSAL_PREFIX) and one_sentence and not re.search(r"\d", r):
        return r if r.endswith(".") else r + "."
    q = " ".join(question.split()).rstrip("?")
    return f"{REFUSAL_PREFIX} — none of the articles answers “{q}?”."


# How the model opens an answer sentence that it then draws from a passage: "The sources say that
# …", "According to the articles, …". The citation is the attribution; the frame's own words
# ("sources", "articles") are in no passage, so the support check would refuse the sentence.
_FRAME = re.compile(r"^(?:(?:the|these|both|all|this|one) (?:sources?|articles?|reports?|outlets?|passages?|"
                    r"press release|statement)(?: (?:in|from) S\d+(?: \([^)]*\))?| \[\d+\])?"
                    r" (?:also |directly |further )?(?:say|says|said|report|reports|reported|state|states|"
                    r"stated|note|notes|noted|mention|mentions|mentioned|explain|explains|explained|indicate|"
                    r"indicates|indicated|agree)(?: that)?[,:]?|according to (?:the|these|both|all|this|one) "
                    r"(?:sources?|articles?|reports?|outlets?|passages?),?)\s+", re.IGNORECASE)


_QUOTE_MARKS = (("'", "'"), ('"', '"'), ("‘", "’"), ("“", "”"))


def unpaired_quote_stripped(sentence: str) -> str:
    """A sentence cut from a quotation ("'Share it away!", "We can change the world!'") without
    the quotation mark it opens or closes and does not pair."""
    for opening, closing in _QUOTE_MARKS:
        if opening == closing:
            if sentence.count(opening) % 2 and (sentence.startswith(opening) or sentence.endswith(opening)):
                sentence = sentence[1:] if sentence.startswith(opening) else sentence[:-1]
        elif sentence.startswith(opening) and closing not in sentence:
            sentence = sentence[1:]
        elif sentence.endswith(closing) and opening not in sentence:
            sentence = sentence[:-1]
    return sentence.strip()


def without_frame(text: str) -> str:
    """An answer sentence without its opening "The sources say that" (capitalised again)."""
    m = _FRAME.match(text)
    if not m or len(text) == m.end():
        return text
    rest = text[m.end():]
    return rest[:1].upper() + rest[1:]


def check_answer(
    answer: ModelAnswer, passages: Sequence[Span], indexes: dict[int, SourceIndex], question: str
) -> CheckedAnswer:
    dropped: Counter[str] = Counter()
    kept: list[Point] = []
    said: set[frozenset[str]] = set()  # the words of each kept sentence: a repeat is not kept twice
    if not answer.answerable:
        return CheckedAnswer(answerable=False, sentences=[Point(text=refusal_text(question, answer.refusal),
                                                                citations=[])], dropped=dropped)
    exact: list[Span] = []  # quotes found word for word: the answer when the model's text fails
    for s in answer.sentences:
        # Located quotes first; then each sentence of the model's text is checked on its own.
        located: list[Span] = []
        for ref in s.quotes:
            span = None
            if 1 <= ref.passage <= len(passages):
                p = passages[ref.passage - 1]
                span = locate(ref.quote, indexes[p.source], (p.start, p.end))
            if span is None:  # a wrong passage number: look in every retrieved article
                for sid in dict.fromkeys(p.source for p in passages):
                    span = locate(ref.quote, indexes[sid])
                    if span is not None:
                        break
            if span is None:
                dropped["quote not found in the sources"] += 1
                continue
            c = Span(source=span.source, quote=span.quote, start=span.start, end=span.end)
            if c not in located:
                located.append(c)
            if span.score >= WORD_FOR_WORD and c not in exact:
                exact.append(c)
        if len(s.text) > SETTINGS.ask.max_answer_text:  # not a sentence: checking it would take minutes
            dropped[f"answer text over {SETTINGS.ask.max_answer_text:,} characters"] += 1
            continue
        whole = without_frame(" ".join(s.text.split()))
        for a, b in sentence_spans(whole):
            text = unpaired_quote_stripped(whole[a:b])
            if not content_words(text) or text.startswith(REFUSAL_PREFIX):
                continue  # "'", "The sources don't say": nothing to check, nothing said
            cites = [c for c in located if supported(text, c.quote)] or located
            if not cites or not supported(text, " ".join(c.quote for c in cites)):
                # The model often pairs a true sentence with the wrong quote: cite instead the one
                # retrieved sentence that supports it, if there is one.
                better = best_support(text, passages, indexes)
                if better is None:
                    dropped["sentence without a supporting quote"] += 1
                    continue
                dropped["re-attributed to the sentence that supports it"] += 1
                cites = [better]
            words = frozenset(content_words(text))
            if words in said:
                continue
            said.add(words)
            kept.append(Point(text=text, citations=cites + corroboration(cites, passages, indexes)))
    if kept and asks_for_a_figure(question) and not any(numbers_in(p.text) for p in kept):
        # "How many planners?" answered with sentences that give no number answers nothing.
        dropped["no figure for a question that asks for one"] += len(kept)
        kept = []
    if kept and not about_the_question(question, kept):
        # True sentences about something else are no answer ("Both girls in the Slender Man case
        # …?" answered with the shooting the articles report): refused, not passed off as one.
        dropped["sentences about something else than the question"] += len(kept)
        kept = []
    if not kept:
        # The model quoted a sentence that answers, then wrote something its check refuses (or
        # "The sources don't say"): the sentence it quoted is the answer, as a build's fact stands
        # in for a refused point. A refusal only when no quoted sentence bears on the question.
        for c in [c for c in exact if answers(question, c.quote)][: SETTINGS.ask.stand_in]:
            dropped["the quoted sentence stands in for the model's text"] += 1
            kept.append(Point(text=" ".join(c.quote.split()), citations=[c, *corroboration([c], passages, indexes)]))
    if not kept:
        # The model quoted the wrong passage: the first retrieved sentence that answers (every
        # name of the question, most of its words, the figure it asks for) is the answer.
        for c in retrieved_answers(question, passages, indexes)[:1]:
            dropped["the retrieved sentence that answers stands in"] += 1
            kept.append(Point(text=" ".join(c.quote.split()), citations=[c, *corroboration([c], passages, indexes)]))
    if not kept:
        return CheckedAnswer(answerable=False, sentences=[Point(text=refusal_text(question), citations=[])],
                             dropped=dropped)
    return CheckedAnswer(answerable=True, sentences=kept, dropped=dropped)


# Words a question uses to ask, not to name what it asks about.
_ASKING = frozenset("say tell happen happened think know mean describe explain report".split())


def bears_on(question: str, sentence: str) -> bool:
    """Whether ``sentence`` is about what ``question`` asks: it has every name the question
    gives, and at least ``ask.bears_share`` of its other content words."""
    words = content_words(question) - _ASKING
    return bool(words) and question_names(question) <= content_words(sentence) and \
        len(words & content_words(sentence)) >= SETTINGS.ask.bears_share * len(words)


_FIGURE_QUESTION = re.compile(r"^\W*(?:how (?:many|much|long|old|far|big|large|often|tall|high)|what (?:number|"
                              r"percentage|share|amount|proportion)|what is the (?:number|cost|price|toll))\b",
                              re.IGNORECASE)


def asks_for_a_figure(question: str) -> bool:
    """Whether a question asks for a number ("How many …?", "What share …?")."""
    return bool(_FIGURE_QUESTION.match(question))


def answers(question: str, sentence: str, share: float | None = None) -> bool:
    """Whether ``sentence`` answers ``question``: it has every name the question gives and
    ``share`` of its other content words (default ``ask.bears_share``, as ``bears_on``), and,
    when the question asks for a figure ("how many" is then no word to find), gives one."""
    share = SETTINGS.ask.bears_share if share is None else share
    figure = _FIGURE_QUESTION.match(question)
    words = content_words(question) - _ASKING - (content_words(figure.group()) if figure else set())
    have = content_words(sentence)
    return bool(words) and question_names(question) <= have and len(words & have) >= share * len(words) and \
        (figure is None or bool(numbers_in(sentence)))


def retrieved_answers(question: str, passages: Sequence[Span], indexes: dict[int, SourceIndex]) -> list[Span]:
    """The retrieved sentences that answer ``question`` with most of its words
    (``retrieved_share``), in retrieval order; never one that addresses the reader or the model."""
    out: list[Span] = []
    for p in passages:
        src = indexes[p.source]
        for s, e in src.sentences:
            if p.start <= s and e <= p.end and not src.touches_directive(s, e) and \
                    answers(question, src.article.text[s:e], SETTINGS.ask.retrieved_share):
                out.append(Span(source=p.source, quote=src.article.text[s:e], start=s, end=e))
    return out


def question_names(question: str) -> set[str]:
    """The names a question gives (capitalised words past its first, stemmed as content words)."""
    return {w for w in content_words(question) - _ASKING
            if any(t[:1].isupper() and _stem(t) == w for t in tokens(question)[1:])}


def about_the_question(question: str, kept: Sequence[Point]) -> bool:
    """Whether an answer is about what the question asks: unless it (with the sentences it cites)
    has few of the question's content words (``elsewhere_share``) and none of the names the
    question gives (``elsewhere_names`` or more)."""
    asked = content_words(question) - _ASKING
    if not asked:
        return True
    said = set().union(*(content_words(" ".join([p.text, *(c.quote for c in p.citations)])) for p in kept))
    names = question_names(question)
    elsewhere = len(asked & said) < SETTINGS.ask.elsewhere_share * len(asked) and \
        len(names) >= SETTINGS.ask.elsewhere_names and not names & said
    return not elsewhere


def corroboration(cites: Sequence[Span], passages: Sequence[Span], indexes: dict[int, SourceIndex]) -> list[Span]:
    """Sentences of the other retrieved outlets that state the same fact as a cited one (the rule
    that merges facts across outlets in a briefing): the answer then cites every outlet that says
    it, as a briefing's point does."""
    sources = {c.source for c in cites}
    out: list[Span] = []
    for p in passages:
        if p.source in sources or len(out) >= SETTINGS.ask.corroborate:
            continue
        src = indexes[p.source]
        for s, e in src.sentences:
            if not (p.start <= s and e <= p.end):
                continue
            quote = src.article.text[s:e]
            if any(same_sentence_fact(c.quote, quote) for c in cites):
                out.append(Span(source=p.source, quote=quote, start=s, end=e))
                sources.add(p.source)
                break
    return out


def best_support(text: str, passages: Sequence[Span], indexes: dict[int, SourceIndex]) -> Span | None:
    """The retrieved sentence (or pair of sentences) that best supports ``text``, if any does."""
    best: tuple[float, Span] | None = None
    for p in passages:
        sents = [x for x in indexes[p.source].sentences if p.start <= x[0] and x[1] <= p.end]
        windows = sents + [(a[0], b[1]) for a, b in itertools.pairwise(sents)]
        for s, e in windows:
            if indexes[p.source].touches_directive(s, e):
                continue
            quote = indexes[p.source].article.text[s:e]
            if supported(text, quote):
                score = coverage(text, quote) - 0.001 * len(quote) / 100  # the tighter span wins a tie
                if best is None or score > best[0]:
                    best = (score, Span(source=p.source, quote=quote, start=s, end=e))
    return best[1] if best else None


def related_disagreements(cited: Sequence[Span], question: str,
                          disagreements: Sequence[Disagreement]) -> list[Disagreement]:
    """The run's disagreements that the answer touches (it cites one side's sentence) or that
    the question is about (it shares most of a side's words): both sides are then shown."""
    spans = {(c.source, c.start) for c in cited}
    q = content_words(question) - {"many", "much", "kind", "happen", "say", "tell"}
    out = []
    for d in disagreements:
        sides = [{(c.source, c.start) for c in p.citations} for p in d.positions]
        touched = any(side & spans for side in sides)
        share = SETTINGS.ask.asked_share
        least = SETTINGS.ask.asked_words
        asked = any(len(q & content_words(p.text)) >= max(least, math.ceil(share * len(q))) for p in d.positions)
        if touched or asked:
            out.append(d)
    return out


def trim_history(turns: Sequence[tuple[str, str]], budget: int, count: Callable[[str], int]) -> list[tuple[str, str]]:
    """The most recent (question, answer) turns that fit ``budget`` tokens, oldest dropped first."""
    kept: list[tuple[str, str]] = []
    used = 0
    for q, a in reversed(turns):
        cost = count(q) + count(a) + 8
        if used + cost > budget:
            break
        kept.append((q, a))
        used += cost
    return list(reversed(kept))


def render_history(turns: Sequence[tuple[str, str]]) -> str:
    if not turns:
        return "(none)"
    return "\n".join(f"Q: {q}\nA: {a}" for q, a in turns)
