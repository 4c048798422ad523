"""Claims: a story's sentences as claims, exact spans by construction; the optional picking
call (``--select always``) and the pure steps that follow it (dedupe, off-story, furniture).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import openai

from .batch import gather_deferring
from .chunking import segment
from .client import CONFIGURATION_ERRORS, CallFailed, ModelClient, connection_words
from .errors import ServerUnreachable
from .merge import dedupe, off_story
from .models import (
    Article,
    Chunk,
    Claim,
    DropReason,
    Selection,
    Span,
)
from .parsing import inline_schema
from .plan import BuildOptions, Progress, RunPlan
from .prompts import Prompt
from .settings import SETTINGS
from .stories import Plan
from .textutil import content_words, is_call_to_action


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


def selection_schema(sentences: int) -> dict[str, Any]:
    """The reply schema for a chunk of ``sentences`` numbered sentences: numbers from 1 to that,
    at most that many (grammar-constrained servers then cannot name a sentence it does not have)."""
    js = inline_schema(Selection)
    ids = js["properties"]["ids"]
    ids["items"] = {"type": "integer", "enum": list(range(1, sentences + 1))}
    ids["maxItems"] = max(1, sentences)
    return js


def picked_nothing(selection: Selection, chunk: Chunk) -> bool:
    """A pick of every sentence of a chunk (of more than three) picks nothing: it is treated as
    no selection, and the story's facts are ranked as if the call had not been made."""
    n = len(chunk.sentences)
    return n >= SETTINGS.selection.picked_all_min and len({i for i in selection.ids if 1 <= i <= n}) >= n


def claims_from_selection(
    selection: Selection, chunk: Chunk, article: Article, next_id: Callable[[], int]
) -> tuple[list[Claim], list[Dropped]]:
    """One claim per picked sentence: its span is the sentence's, exact by construction, and its
    statement is the sentence itself. Numbers the chunk does not have are dropped and counted."""
    kept: list[Claim] = []
    dropped: list[Dropped] = []
    seen: set[int] = set()
    for n in selection.ids:
        if not 1 <= n <= len(chunk.sentences):
            dropped.append(Dropped(chunk.article_id, chunk.index, f"[{n}]", "", DropReason.unknown_id))
            continue
        s, e = chunk.sentences[n - 1]
        quote = article.text[s:e]
        if n in seen:
            dropped.append(Dropped(chunk.article_id, chunk.index, " ".join(quote.split()), quote,
                                   DropReason.repeated_id))
            continue
        seen.add(n)
        kept.append(Claim(id=next_id(), article_id=chunk.article_id, chunk_index=chunk.index,
                          span=Span(source=article.id, start=s, end=e, quote=quote)))
    return kept, dropped


async def extract_all(
    client: ModelClient, prompt: Prompt, articles: dict[int, Article], chunks: list[Chunk],
    options: BuildOptions, progress: Progress,
) -> tuple[list[Selection | None], list[ChunkFailure]]:
    sem = asyncio.Semaphore(max(1, options.concurrency))
    results: list[Selection | None] = [None] * len(chunks)
    failures: list[ChunkFailure] = []
    done = 0
    progress("chunks extracted", 0, len(chunks))

    async def one(i: int, chunk: Chunk) -> None:
        nonlocal done
        article = articles[chunk.article_id]
        async with sem:
            try:
                r = await client.structured(
                    prompt, {"title": article.title, "outlet": article.outlet or "unknown", "text": chunk.text},
                    Selection,
                    json_schema=selection_schema(len(chunk.sentences)),
                )
                results[i] = r.value
            except CallFailed as exc:
                failures.append(ChunkFailure(chunk.article_id, chunk.index, str(exc)))
            except CONFIGURATION_ERRORS:
                raise
            except openai.APIConnectionError as exc:
                failures.append(ChunkFailure(chunk.article_id, chunk.index, connection_words(exc),
                                             unreachable=True))
            except openai.OpenAIError as exc:
                failures.append(ChunkFailure(chunk.article_id, chunk.index, f"{type(exc).__name__}: {exc}"))
            finally:
                done += 1
                progress("chunks extracted", done, len(chunks))

    await gather_deferring(one(i, c) for i, c in enumerate(chunks))
    failures.sort(key=lambda f: (f.article_id, f.chunk_index))
    return results, failures


def story_claims(plan: Plan, by_id: dict[int, Article], extractions: dict[tuple[int, int], Selection | None],
                 next_id: Callable[[], int]) -> tuple[list[Claim], list[Dropped]]:
    """Claims of one story from its chunks' selections (deduplicated, off-story ones dropped:
    the off-story test compares a story's articles with each other, never with the whole day)."""
    arts = [by_id[i] for i in plan.members]
    claims: list[Claim] = []
    dropped: list[Dropped] = []
    for chunk in plan.chunks:
        ex = extractions.get((chunk.article_id, chunk.index))
        if ex is None:
            continue
        kept, lost = claims_from_selection(ex, chunk, by_id[chunk.article_id], next_id)
        claims.extend(kept)
        dropped.extend(lost)
    claims, dups = dedupe(claims)
    dropped += [Dropped(c.article_id, c.chunk_index, c.text, c.span.quote, DropReason.duplicate) for c in dups]
    paragraphs = {a.id: [(s, e, content_words(a.text[s:e])) for s, e in segment(a.text).paragraphs] for a in arts}
    claims, off = off_story(claims, paragraphs)
    furniture = [c for c in claims if is_call_to_action(c.span.quote)]
    claims = [c for c in claims if not is_call_to_action(c.span.quote)]
    dropped += [Dropped(c.article_id, c.chunk_index, c.text, c.span.quote, DropReason.furniture)
                for c in [*off, *furniture]]
    return claims, dropped


@dataclass
class Picks:
    """The sentences of every chunk a story is told from: every sentence, or what the model
    picked (``--select always``)."""

    selections: dict[tuple[int, int], Selection | None]
    failures: list[ChunkFailure]
    every_sentence: int  # picks of every sentence: no selection, ranked as without one


async def pick_sentences(run: RunPlan, by_id: dict[int, Article], client: ModelClient, prompt: Prompt,
                         options: BuildOptions, progress: Progress) -> Picks:
    to_pick = [c for p in run.composed if p.pick for c in p.chunks]
    selections: dict[tuple[int, int], Selection | None] = {
        (c.article_id, c.index): Selection(ids=list(range(1, len(c.sentences) + 1))) for c in run.chunks}
    if not to_pick:
        return Picks(selections, [], 0)
    picked, failures = await extract_all(client, prompt, by_id, to_pick, options, progress)
    if len(failures) == len(to_pick) and any(f.unreachable for f in failures):
        raise ServerUnreachable(next(f.error for f in failures if f.unreachable))
    selections.update({(c.article_id, c.index): sel for c, sel in zip(to_pick, picked, strict=True)})
    every = sum(1 for c, sel in zip(to_pick, picked, strict=True) if sel and picked_nothing(sel, c))
    return Picks(selections, failures, every)
