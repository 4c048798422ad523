"""Typed data that flows through the pipeline: articles, chunks, claims, the briefing.

Everything here is plain data (pydantic models); the logic lives in the modules that use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SourceRef(BaseModel):
    """An article as a briefing cites it: everything but its text."""

    id: int
    path: str  # as given on the command line ("-" for stdin; "file.jsonl#3" for records)
    title: str
    outlet: str | None = None
    url: str | None = None
    published: str | None = None


class Article(SourceRef):
    """One input article. ``text`` is the exact decoded content offsets refer to. An article read
    but not yet numbered has ``id`` 0 (ingest and fetch number them in input order)."""

    id: int = 0
    text: str
    # For sources read straight from a file (.txt/.md), quotes index ``text`` which *is* the
    # file's decoded contents; for HTML/JSON sources ``text`` is the extracted body.
    from_file_text: bool = True
    # A web article: the canonical URL it was found under, which may carry a token (never shown,
    # never serialized; ``fetch.to_articles`` drops it).
    page: str | None = Field(default=None, exclude=True)

    def ref(self) -> SourceRef:
        return SourceRef(id=self.id, path=self.path, title=self.title, outlet=self.outlet, url=self.url,
                         published=self.published)


class Skipped(BaseModel):
    path: str
    reason: str


class Chunk(BaseModel):
    article_id: int
    index: int
    start: int  # character offsets in Article.text
    end: int
    text: str  # the paragraphs with their sentences numbered [1], [2], ... as the model sees them
    tokens: int
    paragraphs: list[tuple[int, int]] = Field(default_factory=list)  # the paragraphs' spans
    sentences: list[tuple[int, int]] = Field(default_factory=list)  # spans of sentences [1], [2], ...


# --- what the model returns for one chunk -------------------------------------------------


class Selection(BaseModel):
    """What the model returns for one chunk: the numbers of the sentences that state its facts.
    Every span is the code's: a number is a sentence of the chunk, or it is dropped."""

    model_config = ConfigDict(extra="ignore")
    ids: list[int] = Field(description="Numbers of the sentences that state newsworthy facts, in text order.")


# --- after verification -------------------------------------------------------------------


class Span(BaseModel):
    """An exact span of an article, ``article.text[start:end] == quote``: what a claim is, and what
    every statement of a briefing or an answer cites (the one span type)."""

    source: int  # article id
    start: int
    end: int
    quote: str
    score: float = 100.0  # ``ask``: how closely the model's quote matched it (100: exactly; verify.py)


class Claim(BaseModel):
    """A sentence of an article, taken as a statement of fact: its span is the sentence's."""

    id: int
    article_id: int
    chunk_index: int
    span: Span

    @property
    def text(self) -> str:
        """The sentence on one line."""
        return " ".join(self.span.quote.split())


class DropReason(StrEnum):
    duplicate = "duplicate of another claim in the same article"
    furniture = "page furniture (caption, byline, teaser)"
    unknown_id = "a sentence number the chunk does not have"
    repeated_id = "a sentence picked twice"


# --- the merged result --------------------------------------------------------------------


class Point(BaseModel):
    text: str
    citations: list[Span]
    # In a run compared with an earlier one: every article this point cites arrived since then.
    new: bool = False


class Disagreement(BaseModel):
    topic: str
    positions: list[Point]  # a side is a point: what one or more outlets say


class Telling(BaseModel):
    """One earlier run's telling of a story (its timeline): when, its summary and its new points,
    each still cited (the citations index that run's articles, listed in ``sources``)."""

    run: int
    date: str  # the run's time, ISO 8601 UTC
    title: str
    summary: list[Point] = Field(default_factory=list)
    new_points: list[Point] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)


class Story(BaseModel):
    """One story of the day: articles that report the same event, told once with its sources.

    ``id`` is stable across runs: a story that shares an article with, or is close enough to, a
    story of the run it is compared with keeps that story's id."""

    id: str
    title: str
    summary: str = ""
    summary_sentences: list[Point] = Field(default_factory=list)
    points: list[Point] = Field(default_factory=list)
    disagreements: list[Disagreement] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    sources: list[int]  # article ids, in input order
    outlets: int  # independent outlets (an article without a known outlet counts as its own)
    reason: str  # why it ranks where it does: "3 outlets", "matches 'ukraine'", "latest 2026-11-20"
    composed: bool = False  # a composition call told it (stories of one article are not composed)
    new: bool = True  # not in the run it was compared with (or there was none)
    continues: str | None = None  # why it is the same story as before: "shares 2 articles"
    timeline: list[Telling] = Field(default_factory=list)  # the earlier runs that carried it, oldest first


class Written(BaseModel):
    """Sentences of one kind the model wrote, and how many of them the checks kept."""

    written: int = 0
    kept: int = 0


class RunStats(BaseModel):
    """A run's statistics: what it read, kept, cost and took (``stats.stats_of``; the JSON
    contract's ``stats``). Every field has a default, so a run stored by an older version reads."""

    model_config = ConfigDict(extra="allow")  # a stored run's fields this version does not know are kept

    run: int | None = None  # the stored run's number
    articles: int = 0
    articles_unread: int = 0  # over the per-story limit
    chunks: int = 0
    chunks_failed: int = 0
    claims_extracted: int = 0
    claims_kept: int = 0
    claims_dropped: dict[str, int] = Field(default_factory=dict)  # by reason
    facts: int = 0
    points: int = 0
    multi_source_points: int = 0
    disagreements: int = 0
    synthesis_dropped: dict[str, int] = Field(default_factory=dict)  # model sentences the checks dropped, by reason
    synthesis_failed: str | None = None
    failures: int = 0
    model: str = ""
    calls: int = 0
    cache_hits: int = 0
    reasks: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cached_tokens_in: int = 0
    cached_tokens_out: int = 0
    mode_changes: list[str] = Field(default_factory=list)
    model_seconds: float = 0.0
    wall_seconds: float = 0.0
    stories: int = 1
    stories_found: int = 1
    stories_composed: int = 0
    stories_failed: int = 0
    stories_new: int | None = None  # None: no earlier run compared with
    points_new: int | None = None
    picks_of_every_sentence: int = 0
    model_sentences: dict[str, Written] = Field(default_factory=dict)  # title, summary, points, sides
    window_start: str | None = None  # feeds: the window read (ISO)
    window_end: str | None = None
    web_requests: int | None = None
    feeds_not_modified: int | None = None  # answered 304
    pages_fetched: int | None = None
    pages_stored: int | None = None  # served from the store, not fetched again
    source_problems: int | None = None
    replay_unused: int | None = None  # --replay: recorded exchanges this run did not ask for


class Briefing(BaseModel):
    """The day's briefing: its stories, ranked, and the articles they cite. A run of one story is
    a briefing of one story; the top-level ``title``, ``summary``, ``points`` ... of the JSON
    contract are that story's, derived here (and a briefing of several stories has a title of
    its own and no top-level points)."""

    sources: list[SourceRef]
    stories: list[Story] = Field(default_factory=list)
    stats: RunStats | None = None
    since_run: int | None = None  # the stored run that "new" compares with

    @model_validator(mode="before")
    @classmethod
    def _one_story_form(cls, data: object) -> object:
        """A briefing given (or stored, before stories existed) as one story's fields: that story."""
        if not isinstance(data, dict) or data.get("stories") or "title" not in data:
            return data
        story = {k: data[k] for k in _STORY_FIELDS if k in data}
        ids = [s["id"] if isinstance(s, dict) else s.id for s in data.get("sources", [])]
        story.update(id="", sources=ids, outlets=len(ids), reason="")
        return {**{k: v for k, v in data.items() if k not in _STORY_FIELDS}, "stories": [story]}

    @property
    def story(self) -> Story | None:
        """The one story of a one-story briefing."""
        return self.stories[0] if len(self.stories) == 1 else None

    @property
    def title(self) -> str:
        if self.story is not None:
            return self.story.title
        return f"{len(self.stories)} stories from {len(self.sources)} articles"

    @property
    def summary(self) -> str:
        return self.story.summary if self.story else ""

    @property
    def summary_sentences(self) -> list[Point]:
        return self.story.summary_sentences if self.story else []

    @property
    def points(self) -> list[Point]:
        return self.story.points if self.story else []

    @property
    def disagreements(self) -> list[Disagreement]:
        return self.story.disagreements if self.story else []

    @property
    def open_questions(self) -> list[str]:
        return self.story.open_questions if self.story else []


_STORY_FIELDS = ("title", "summary", "summary_sentences", "points", "disagreements", "open_questions")


@dataclass
class Fact:
    """One fact of a story: the sentence that tells it, citing every outlet's sentence that
    states it (merge.py); "F1", "F2", ... as the composition's fact list numbers them."""

    id: str
    text: str
    citations: list[Span]

    @property
    def sources(self) -> set[int]:
        return {c.source for c in self.citations}

    @property
    def support(self) -> str:
        return " ".join(c.quote for c in self.citations)


@dataclass(eq=False)
class Conflict:
    """Facts from different outlets that give different figures for the same thing: shown side
    by side, and listed to the model."""

    topic: str
    facts: list[Fact]
    kind: str = ""  # what differs: a unit ("country"), or "tense"
