"""Typed data that flows through the pipeline: articles, chunks, claims, the briefing.

Everything here is plain data (pydantic models); the logic lives in the modules that use it.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Article(BaseModel):
    """One input article. ``text`` is the exact decoded content offsets refer to."""

    id: int
    path: str  # as given on the command line ("-" for stdin; "file.jsonl#3" for records)
    title: str
    text: str
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    # For sources read straight from a file (.txt/.md), quotes index ``text`` which *is* the
    # file's decoded contents; for HTML/JSON sources ``text`` is the extracted body.
    from_file_text: bool = True


class Skipped(BaseModel):
    path: str
    reason: str


class Chunk(BaseModel):
    article_id: int
    index: int
    start: int  # character offsets in Article.text
    end: int
    text: str  # the paragraphs, numbered [P1], [P2], ... as the model sees them
    tokens: int
    paragraphs: list[tuple[int, int]] = Field(default_factory=list)  # spans of [P1], [P2], ...


# --- what the model returns for one chunk -------------------------------------------------


class ClaimKind(StrEnum):
    event = "event"
    figure = "figure"
    quote = "quote"
    position = "position"
    plan = "plan"
    background = "background"


class ExtractedClaim(BaseModel):
    """A claim as the model states it; ``quote`` is not trusted until verified.

    The schema sent to the server requires ``paragraph`` (grammar-constrained servers put
    optional fields last, and small models then fold "[P5]" into the quote instead); a reply
    without it is still accepted.
    """

    model_config = ConfigDict(extra="ignore",
                              json_schema_extra={"required": ["paragraph", "quote", "statement", "kind"]})

    # Paragraph first: small models walk the text in order instead of looping on one sentence.
    paragraph: int = Field(default=0, description="Number of the paragraph [Pn] the quote is from.")
    quote: str = Field(description="The exact sentence from the text that supports the statement.")
    statement: str = Field(description="One short factual sentence in your own words.")
    kind: ClaimKind
    who: str = Field(default="", description="Main actor, or empty.")
    when: str = Field(default="", description="Time mentioned, or empty.")
    where: str = Field(default="", description="Place mentioned, or empty.")
    figures: list[str] = Field(default_factory=list, description="Numbers stated, as written.")


class Extraction(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # The schema sent asks for at least a few (small models otherwise stop after the first fact;
    # extra ones the text does not support are dropped by verification) but a reply with fewer is
    # still accepted: a short text may have only one fact.
    claims: list[ExtractedClaim] = Field(max_length=10, json_schema_extra={"minItems": 4})


# --- after verification -------------------------------------------------------------------


class Span(BaseModel):
    """An exact span of an article: ``article.text[start:end] == quote``."""

    source: int  # article id
    start: int
    end: int
    quote: str
    score: float = 100.0  # match score of the model's quote against this span (100 = exact)


class Claim(BaseModel):
    id: int
    article_id: int
    chunk_index: int
    statement: str
    kind: ClaimKind
    who: str = ""
    when: str = ""
    where: str = ""
    figures: list[str] = Field(default_factory=list)
    span: Span


class DropReason(StrEnum):
    no_span = "no supporting span in the source"
    duplicate = "duplicate of another claim in the same article"
    furniture = "page furniture (caption, byline, teaser)"
    directive = "quotes a sentence that addresses the reader or the model, not reporting"


# --- the merged result --------------------------------------------------------------------


class Group(BaseModel):
    """Claims from one or more articles that state the same fact."""

    id: int
    claim_ids: list[int]
    sources: list[int]  # distinct article ids, i.e. independent sources
    statement: str


class Conflict(BaseModel):
    """Two or more groups that give different figures or accounts of the same thing."""

    topic: str
    group_ids: list[int]


class Citation(BaseModel):
    source: int
    quote: str
    start: int
    end: int


class Point(BaseModel):
    text: str
    citations: list[Citation]


class Position(BaseModel):
    text: str
    citations: list[Citation]


class Disagreement(BaseModel):
    topic: str
    positions: list[Position]


class SourceRef(BaseModel):
    id: int
    path: str
    title: str
    outlet: str | None = None
    url: str | None = None
    published: str | None = None


class Briefing(BaseModel):
    title: str
    summary: str
    summary_sentences: list[Point] = Field(default_factory=list)  # ``summary`` sentence by sentence
    sources: list[SourceRef]
    points: list[Point]
    disagreements: list[Disagreement] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    stats: dict[str, object] = Field(default_factory=dict)
