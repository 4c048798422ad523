"""Follow-up questions over a stored run: rewrite (with history) -> retrieve -> answer -> verify.

A thin shell: the store, the retriever and the model client in, a checked answer out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .answer import (
    CheckedAnswer,
    ModelAnswer,
    Standalone,
    check_answer,
    refusal_text,
    related_disagreements,
    render_history,
    render_passages,
    trim_history,
)
from .client import ModelClient
from .errors import BriefingError
from .models import Article, Point, Span
from .prompts import Prompt
from .render import as_sentence, citations_json
from .retrieve import BM25, Hit, Retriever, passages_of
from .sanitize import one_line
from .settings import SETTINGS
from .store import Store, StoreError
from .tokens import count_tokens
from .verify import SourceIndex


class AskError(BriefingError):
    """A user error: no run, unknown run or conversation, empty question."""


@dataclass
class AskResult:
    question: str
    standalone: str
    answer: CheckedAnswer
    hits: list[Hit]
    conversation: int | None  # None when the store could not keep the conversation
    run: int
    not_stored: str | None = None  # why the turn could not be stored (the answer still stands)


def resolve_run_and_conversation(store: Store, run: int | None, conversation: int | None,
                                 continue_last: bool) -> tuple[int, int | None]:
    """(run id, conversation id or None for a new one), or AskError with one clear line."""
    if conversation is not None:
        conv_run = store.conversation_run(conversation)
        if conv_run is None:
            raise AskError(f"no conversation with id {conversation}")
        if run is not None and run != conv_run:
            raise AskError(f"conversation {conversation} belongs to run {conv_run}, not run {run}")
        return conv_run, conversation
    if continue_last:
        last = store.latest_conversation()
        if last is None:
            raise AskError("no conversation to continue yet: ask without -c first")
        conv_run = store.conversation_run(last)
        assert conv_run is not None
        if run is not None and run != conv_run:
            raise AskError(f"the last conversation belongs to run {conv_run}; use --run {conv_run} or drop -c")
        return conv_run, last
    if run is None:
        latest = store.latest_run_id()
        if latest is None:
            raise AskError("no stored run yet: run `briefing build` first")
        return latest, None
    if not store.run_exists(run):
        raise AskError(f"no run with id {run} (see `briefing runs`)")
    return run, None


def story_sources(store: Store, run: int, story: str) -> list[int]:
    """The article ids of one story of a stored run, or AskError naming the run's stories."""
    briefing = store.briefing(run)
    stories = {s.id: s for s in (briefing.stories if briefing else [])}
    if story not in stories:
        known = ", ".join(list(stories)[:8]) or "none (a run from before stories)"
        raise AskError(f"run {run} has no story {story!r}; its stories: {known}")
    return stories[story].sources


class Session:
    """One run's articles ready for questions, and one conversation about them."""

    def __init__(self, store: Store, run: int, conversation: int | None, client: ModelClient,
                 prompts: dict[str, Prompt], story: str | None = None) -> None:
        self.store, self.run, self.client, self.prompts = store, run, client, prompts
        self.articles: list[Article] = store.articles(run)
        if story is not None:  # only that story's articles are searched and cited
            keep = set(story_sources(store, run, story))
            self.articles = [a for a in self.articles if a.id in keep]
        self.by_id = {a.id: a for a in self.articles}
        self.indexes = {a.id: SourceIndex.build(a) for a in self.articles}
        passages = passages_of(self.articles)
        # The run's extracted claims add their (verified) statements to the passage they quote,
        # so a question worded like a claim finds its sentence.
        extra: dict[int, str] = {}
        for c in store.claims(run):
            for i, p in enumerate(passages):
                if p.source == c.article_id and p.start <= c.span.start < p.end:
                    extra[i] = extra.get(i, "") + " " + c.text
                    break
        self.retriever: Retriever = BM25(passages, extra)
        self.briefing = store.briefing(run)
        self.conversation = conversation

    def labels(self) -> dict[int, str]:
        return {a.id: f"S{a.id}" + (f" {a.outlet}" if a.outlet else "") for a in self.articles}

    async def ask(self, question: str) -> AskResult:
        question = " ".join(question.split())
        if not question:
            raise AskError("the question is empty")
        history = self.store.turns(self.conversation) if self.conversation else []
        history = trim_history(history, SETTINGS.ask.history_tokens,
                               lambda t: count_tokens(t, self.client.config.model))
        standalone = question
        if history:
            r = await self.client.structured(self.prompts["rewrite"],
                                             {"history": render_history(history), "question": question},
                                             Standalone)
            rewritten = " ".join(r.value.question.split())
            times, more = SETTINGS.ask.rewrite_growth
            if rewritten and len(rewritten) < times * len(question) + more:
                standalone = rewritten
        hits = self.retriever.search(standalone, SETTINGS.ask.top_k)
        if not hits:  # no passage shares a word with the question: nothing to ask the model
            answer = CheckedAnswer(answerable=False,
                                   sentences=[Point(text=refusal_text(question), citations=[])])
        else:
            passages = [h.passage for h in hits]
            r2 = await self.client.structured(
                self.prompts["answer"],
                {"question": standalone, "passages": render_passages(passages, self.labels())},
                ModelAnswer,
            )
            answer = check_answer(r2.value, passages, self.indexes, standalone)
            if answer.answerable and self.briefing is not None:
                answer.disagreements = related_disagreements(answer.citations, standalone,
                                                             self.briefing.disagreements)
        # The answer is the user's once the model has given it: a store that cannot keep it (read
        # only, full, locked) is said after the answer is printed, never instead of it.
        result = AskResult(question=question, standalone=standalone, answer=answer, hits=hits,
                           conversation=self.conversation, run=self.run)
        try:
            if self.conversation is None:
                self.conversation = result.conversation = self.store.new_conversation(self.run)
            self.store.add_turn(self.conversation, question, standalone, answer.text, answer.answerable,
                                to_json_obj(result, self.articles))
        except StoreError as exc:
            result.not_stored = str(exc)
        return result


def to_json_obj(r: AskResult, articles: list[Article]) -> dict[str, Any]:
    cited = {c.source for c in r.answer.citations}
    return {
        "question": r.question,
        "standalone_question": r.standalone,
        "answer": r.answer.text,
        "answerable": r.answer.answerable,
        "citations": citations_json(r.answer.citations),
        "sentences": [{"text": s.text, "citations": citations_json(s.citations)}
                      for s in r.answer.sentences],
        "disagreements": [{"topic": d.topic,
                           "positions": [{"text": p.text, "citations": citations_json(p.citations)}
                                         for p in d.positions]}
                          for d in r.answer.disagreements],
        "sources": [{"id": a.id, "path": a.path, "title": a.title, "outlet": a.outlet, "url": a.url}
                    for a in articles if a.id in cited],
        "conversation": r.conversation,
        "run": r.run,
    }


def to_text(r: AskResult, articles: list[Article]) -> str:
    """The answer with [n] markers, then each citation: source and the quoted sentence."""
    by_id = {a.id: a for a in articles}
    order: list[Span] = []
    parts = []
    for s in r.answer.sentences:
        marks = ""
        for c in s.citations:
            if c not in order:
                order.append(c)
            marks += f"[{order.index(c) + 1}]"
        parts.append(one_line(as_sentence(s.text)) + marks)
    lines = [" ".join(parts)]
    for d in r.answer.disagreements:
        lines.append(f"Sources disagree — {one_line(d.topic)}:")
        for p in d.positions:
            marks = ""
            for c in p.citations:
                if c not in order:
                    order.append(c)
                marks += f"[{order.index(c) + 1}]"
            who = ", ".join(dict.fromkeys(f"S{c.source}" for c in p.citations))
            lines.append(f"  - {who}: {one_line(as_sentence(p.text))}{marks}")
    if order:
        lines.append("")
    for n, c in enumerate(order, start=1):
        a = by_id[c.source]
        label = f"S{a.id} {a.outlet + ' — ' if a.outlet else ''}{a.title}"
        lines.append(f"  [{n}] {one_line(label)}")
        lines.append(f"      “{one_line(c.quote)}”")
    return "\n".join(lines) + "\n"
