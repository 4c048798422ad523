"""The build: chunk -> extract (map) -> verify -> merge -> synthesise (reduce) -> briefing.

This module sequences the pure steps and the model calls; it does no file or terminal I/O of its
own (progress goes through a callback).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai

from .chunking import chunk_article, content_paragraphs, sentence_spans
from .client import CallFailed, ModelClient
from .exchanges import RecordError, ReplayMiss
from .merge import dedupe, find_conflicts, group_claims, off_story, timing_split, title_conflicts, title_mentions
from .models import Article, Briefing, Chunk, Citation, Claim, DropReason, Extraction, Group, SourceRef
from .parsing import inline_schema
from .prompts import Prompt
from .reduce import (
    Fact,
    FactConflict,
    Synthesis,
    assemble,
    citations_of,
    conflicts_as_facts,
    facts_from_groups,
    render_conflicts,
    render_facts,
)
from .textutil import content_words, is_directive, supported
from .tokens import count_tokens
from .verify import SourceIndex, locate

_LABEL = re.compile(r"\s*\[P(\d+)\]\s*")
STATEMENT_SUPPORT = 0.5  # share of a statement's words its quote must have


@dataclass(frozen=True)
class BuildOptions:
    chunk_tokens: int = 250  # small models lose their place in longer texts (measured: see README)
    concurrency: int = 1
    min_points: int = 8
    max_points: int = 12
    extract_max_tokens: int = 1200
    synth_max_tokens: int = 1500
    synth_input_tokens: int = 3500  # facts per synthesis call; more are merged hierarchically
    # The most chunks (model calls) one run may make unless the user raises it: the seeds make 12,
    # a morning of 60 articles about 250; a stray 20 MB file would make tens of thousands.
    max_chunks: int = 400


class TooMuchInput(ValueError):
    """The input would make more model calls than the run allows; nothing was sent."""


class ServerUnreachable(RuntimeError):
    """Not one extraction call got through to the server."""


@dataclass
class Dropped:
    article_id: int
    chunk_index: int
    statement: str
    quote: str
    reason: str


@dataclass
class ChunkFailure:
    article_id: int
    chunk_index: int
    error: str
    unreachable: bool = False  # the server could not be reached at all


@dataclass
class BuildResult:
    briefing: Briefing
    chunks: list[Chunk]
    claims: list[Claim]  # verified and kept
    dropped: list[Dropped]
    failures: list[ChunkFailure]
    synthesis_dropped: Counter[str] = field(default_factory=Counter)
    synthesis_failed: str | None = None

    @property
    def partial(self) -> bool:
        return bool(self.failures) or self.synthesis_failed is not None


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def sentences_in(text: str, chunk: Chunk) -> int:
    return sum(len(sentence_spans(text, s, e)) for s, e in chunk.paragraphs)


def extraction_schema(sentences: int) -> dict[str, Any]:
    """The claims schema sized to the chunk: no more claims than it has sentences (a small model
    otherwise fills the quota by repeating itself), at least a few when it has them."""
    js = inline_schema(Extraction)
    claims = js["properties"]["claims"]
    claims["maxItems"] = max(1, min(claims["maxItems"], sentences))
    claims["minItems"] = max(1, min(claims["minItems"], sentences // 2))
    return js


def chunk_all(articles: list[Article], budget: int, model: str) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a, budget, lambda t: count_tokens(t, model))]


def verify_extraction(
    extraction: Extraction, chunk: Chunk, src: SourceIndex, next_id: Callable[[], int]
) -> tuple[list[Claim], list[Dropped]]:
    """Claims whose quote is found in the article (snapped to its exact span); the rest dropped."""
    kept: list[Claim] = []
    dropped: list[Dropped] = []
    for ex in extraction.claims:
        quote, paragraph = ex.quote, ex.paragraph
        if m := _LABEL.match(quote):  # "[P5] The focus of ..." : the label is not part of the text
            quote, paragraph = quote[m.end() :], paragraph or int(m.group(1))
        near = chunk.paragraphs[paragraph - 1] if 1 <= paragraph <= len(chunk.paragraphs) else None
        span = locate(quote, src, near)
        if span is None:
            reason = DropReason.directive if is_directive(quote) else DropReason.no_span
            dropped.append(Dropped(chunk.article_id, chunk.index, ex.statement, ex.quote, reason))
            continue
        # Small models sometimes pair a quote with the statement of the next fact: a statement its
        # own quote does not support is replaced by the quote's words.
        statement = " ".join(ex.statement.split())
        if not statement or not supported(statement, span.quote, STATEMENT_SUPPORT):
            statement = " ".join(span.quote.split())
        kept.append(Claim(
            id=next_id(), article_id=chunk.article_id, chunk_index=chunk.index,
            statement=statement, kind=ex.kind,
            who=ex.who, when=ex.when, where=ex.where, figures=ex.figures, span=span,
        ))
    return kept, dropped


async def extract_all(
    client: ModelClient, prompt: Prompt, articles: dict[int, Article], chunks: list[Chunk],
    options: BuildOptions, progress: Progress,
) -> tuple[list[Extraction | None], list[ChunkFailure]]:
    sem = asyncio.Semaphore(max(1, options.concurrency))
    results: list[Extraction | None] = [None] * len(chunks)
    failures: list[ChunkFailure] = []
    done = 0
    progress("extract", 0, len(chunks))

    async def one(i: int, chunk: Chunk) -> None:
        nonlocal done
        article = articles[chunk.article_id]
        async with sem:
            try:
                r = await client.structured(
                    prompt, {"title": article.title, "outlet": article.outlet or "unknown", "text": chunk.text},
                    Extraction, max_tokens=options.extract_max_tokens,
                    json_schema=extraction_schema(sentences_in(article.text, chunk)),
                )
                results[i] = r.value
            except CallFailed as exc:
                failures.append(ChunkFailure(chunk.article_id, chunk.index, str(exc)))
            except (ReplayMiss, RecordError):
                raise
            except openai.APIConnectionError as exc:
                failures.append(ChunkFailure(chunk.article_id, chunk.index, f"{type(exc).__name__}: {exc}",
                                             unreachable=True))
            except openai.OpenAIError as exc:
                failures.append(ChunkFailure(chunk.article_id, chunk.index, f"{type(exc).__name__}: {exc}"))
            finally:
                done += 1
                progress("extract", done, len(chunks))

    await asyncio.gather(*(one(i, c) for i, c in enumerate(chunks)))
    failures.sort(key=lambda f: (f.article_id, f.chunk_index))
    return results, failures


def batches(facts: list[Fact], budget: int, model: str) -> list[list[Fact]]:
    out: list[list[Fact]] = [[]]
    used = 0
    for f in facts:
        cost = count_tokens(render_facts([f]), model) + 1
        if out[-1] and used + cost > budget:
            out.append([])
            used = 0
        out[-1].append(f)
        used += cost
    return out


async def synthesize(
    client: ModelClient, prompt: Prompt, facts: list[Fact], conflicts: list[FactConflict],
    options: BuildOptions, progress: Progress,
) -> tuple[Synthesis, list[Fact], Counter[str]]:
    """One synthesis call, or, when the facts outgrow one call, a synthesis per batch whose
    checked points become the facts of the next level."""
    dropped: Counter[str] = Counter()
    level = 0
    while True:
        parts = batches(facts, options.synth_input_tokens, client.config.model)
        if len(parts) == 1:
            progress("synthesize", 0, 1)
            known = {f.id: f for f in facts}
            r = await client.structured(
                prompt, {"claims": render_facts(facts), "conflicts": render_conflicts(conflicts, known),
                         "max_points": options.max_points},
                Synthesis, max_tokens=options.synth_max_tokens,
            )
            progress("synthesize", 1, 1)
            return r.value, facts, dropped
        level += 1
        merged: list[Fact] = []
        for n, part in enumerate(parts):
            progress(f"synthesize (level {level})", n, len(parts))
            known = {f.id: f for f in part}
            r = await client.structured(
                prompt, {"claims": render_facts(part), "conflicts": render_conflicts(conflicts, known),
                         "max_points": options.max_points},
                Synthesis, max_tokens=options.synth_max_tokens,
            )
            partial, d = assemble(r.value, part, [], [], min_points=options.max_points,
                                  max_points=options.max_points)
            dropped += d
            merged.extend(Fact(id="", text=p.text, citations=p.citations) for p in partial.points)
        progress(f"synthesize (level {level})", len(parts), len(parts))
        for i, f in enumerate(merged, start=1):
            f.id = f"F{i}"
        if len(merged) >= len(facts):  # no progress: keep the best-supported facts only
            merged = merged[: max(1, len(merged) // 2)]
        facts = merged


async def build(
    articles: list[Article], client: ModelClient, prompts: dict[str, Prompt], options: BuildOptions,
    progress: Progress = lambda _s, _d, _t: None,
) -> BuildResult:
    started = time.monotonic()
    by_id = {a.id: a for a in articles}
    # A cheap bound first (no article has fewer than ~6 characters a token), so a stray 20 MB
    # file is refused at once instead of after it has been chunked.
    at_least = sum(len(a.text) for a in articles) // (6 * options.chunk_tokens)
    if at_least > options.max_chunks:
        raise TooMuchInput(f"the input makes at least {at_least:,} chunks (model calls), over the limit of "
                           f"{options.max_chunks:,}; nothing was sent (--max-chunks N to allow more)")
    chunks = chunk_all(articles, options.chunk_tokens, client.config.model)
    if len(chunks) > options.max_chunks:
        raise TooMuchInput(f"the input makes {len(chunks):,} chunks (model calls), over the limit of "
                           f"{options.max_chunks:,}; nothing was sent (--max-chunks N to allow more)")
    extractions, failures = await extract_all(client, prompts["extract"], by_id, chunks, options, progress)
    if chunks and len(failures) == len(chunks) and any(f.unreachable for f in failures):
        raise ServerUnreachable(next(f.error for f in failures if f.unreachable))

    # Verify, in input order, so claim ids do not depend on which call finished first.
    indexes = {a.id: SourceIndex.build(a) for a in articles}
    counter = iter(range(1, 1_000_000))
    claims: list[Claim] = []
    dropped: list[Dropped] = []
    for chunk, ex in zip(chunks, extractions, strict=True):
        if ex is None:
            continue
        kept, lost = verify_extraction(ex, chunk, indexes[chunk.article_id], lambda: next(counter))
        claims.extend(kept)
        dropped.extend(lost)

    claims, dups = dedupe(claims)
    dropped += [Dropped(c.article_id, c.chunk_index, c.statement, c.span.quote, DropReason.duplicate) for c in dups]
    paragraphs = {a.id: [(s, e, content_words(a.text[s:e])) for s, e in content_paragraphs(a.text)]
                  for a in articles}
    claims, off = off_story(claims, paragraphs)
    dropped += [Dropped(c.article_id, c.chunk_index, c.statement, c.span.quote, DropReason.furniture) for c in off]

    claim_by_id = {c.id: c for c in claims}
    groups = group_claims(claims)
    facts = facts_from_groups(groups, claim_by_id)
    group_fact = {g.id: f for g, f in zip(groups, facts, strict=True)}
    conflicts = conflicts_as_facts(find_conflicts(groups, claim_by_id), group_fact)
    conflicts += account_conflicts(groups, claim_by_id, articles, indexes)
    sources = [SourceRef(id=a.id, path=a.path, title=a.title, outlet=a.outlet, url=a.url, published=a.published)
               for a in articles]

    synthesis: Synthesis | None = None
    synthesis_failed: str | None = None
    final_facts = facts
    if facts:
        try:
            synthesis, final_facts, _ = await synthesize(client, prompts["synthesize"], facts, conflicts,
                                                         options, progress)
        except CallFailed as exc:
            synthesis_failed = str(exc)
        except (ReplayMiss, RecordError):
            raise
        except openai.OpenAIError as exc:  # the server failed even after the SDK's retries
            synthesis_failed = f"{type(exc).__name__}: {exc}"
    # Points are filled from the merged facts when the synthesis is thin or failed.
    briefing, syn_dropped = assemble(synthesis, final_facts if synthesis else facts, conflicts, sources,
                                     min_points=options.min_points, max_points=options.max_points)
    result = BuildResult(briefing=briefing, chunks=chunks, claims=claims, dropped=dropped, failures=failures,
                         synthesis_dropped=syn_dropped, synthesis_failed=synthesis_failed)
    briefing.stats = stats_of(result, articles, client, time.monotonic() - started, len(groups))
    return result


def account_conflicts(groups: list[Group], claims: dict[int, Claim], articles: list[Article],
                      indexes: dict[int, SourceIndex]) -> list[FactConflict]:
    """Disagreements in how outlets tell the story: one reports as still to come what another
    reports as done; one calls someone a former president whom another calls president."""
    out: list[FactConflict] = []
    for g in groups:
        if len(g.sources) < 2:
            continue
        split = timing_split([claims[i] for i in g.claim_ids])
        if split is None:
            continue
        future, past = (citations_of(side) for side in split)
        out.append(("Already held, or still to come? The outlets differ",
                    [Fact(id="", text=future[0].quote, citations=future),
                     Fact(id="", text=past[0].quote, citations=past)]))
    mentions = [m for a in articles for m in title_mentions(a.id, a.text, indexes[a.id].sentences)]
    for name, former, current in title_conflicts(mentions):
        sides = []
        for side in (former, current):
            cites = [Citation(source=m.source, quote=indexes[m.source].article.text[m.start : m.end],
                              start=m.start, end=m.end) for m in side]
            sides.append(Fact(id="", text=cites[0].quote, citations=cites))
        out.append((f"Is {name} president, or a former president? The outlets differ", sides))
    return out


def stats_of(result: BuildResult, articles: list[Article], client: ModelClient, wall: float,
             groups: int) -> dict[str, object]:
    reasons = Counter(str(d.reason) for d in result.dropped)
    multi = sum(1 for p in result.briefing.points if len({c.source for c in p.citations}) >= 2)
    u = client.usage
    return {
        "articles": len(articles),
        "chunks": len(result.chunks),
        "chunks_failed": len(result.failures),
        "claims_extracted": len(result.claims) + len(result.dropped),
        "claims_kept": len(result.claims),
        "claims_dropped": dict(reasons),
        "facts": groups,
        "points": len(result.briefing.points),
        "multi_source_points": multi,
        "disagreements": len(result.briefing.disagreements),
        "synthesis_dropped": dict(result.synthesis_dropped),
        "synthesis_failed": result.synthesis_failed,
        "model": client.config.model,
        "calls": u.calls,
        "cache_hits": u.cached,
        "reasks": u.reasks,
        "tokens_in": u.prompt_tokens,
        "tokens_out": u.completion_tokens,
        "cached_tokens_in": u.cached_prompt_tokens,
        "cached_tokens_out": u.cached_completion_tokens,
        "mode_changes": list(u.mode_changes),
        "model_seconds": round(u.seconds, 1),
        "wall_seconds": round(wall, 1),
    }
