"""The build, conducted: stories -> chunks (numbered sentences) -> claims -> merge -> select ->
compose (the model call) -> check -> briefing.

This module sequences the pure stages and the model calls; it does no file or terminal I/O of its
own (progress goes through a callback).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from .batch import Pending
from .claims import ChunkFailure, Dropped, pick_sentences, story_claims
from .client import ModelClient
from .compose import day_briefing, tell_all, tell_items
from .exchanges import Request
from .models import (
    Article,
    Briefing,
    Chunk,
    Claim,
)
from .novelty import EarlierRun, mark_new
from .plan import (
    BuildOptions,
    Progress,
    plan_run,
)
from .prompts import Prompt
from .stats import stats_of


def deferred(client: ModelClient) -> dict[str, Request]:
    """The requests batch mode has put off so far (none outside batch mode)."""
    b = client.transport.batching
    return b.requests if b is not None else {}


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


async def build(
    articles: list[Article], client: ModelClient, prompts: dict[str, Prompt], options: BuildOptions,
    progress: Progress = lambda _s, _d, _t: None, earlier: EarlierRun | None = None,
) -> BuildResult:
    """The day's briefing: plan the stories, take each story's claims (picked by the model first
    only with ``--select always``), tell each story of two or more articles through one
    composition (a story of one article as a short item, with no call), and mark what is new
    since ``earlier``. Each step is its stage's function; this only conducts. In batch mode a
    stage whose requests the cache cannot answer yet ends the build with ``Pending``."""
    started = time.monotonic()
    by_id = {a.id: a for a in articles}
    run = plan_run(articles, options, client.config.model)
    picks = await pick_sentences(run, by_id, client, prompts["extract"], options, progress)
    if deferred(client):  # batch mode: the picks are out; the items' headlines go in the same batch
        await tell_items([p for p in run.plans if not p.composed], by_id, client, prompts["headline"], options,
                         progress)
        raise Pending("picking sentences", len(deferred(client)))
    counter = iter(range(1, 1_000_000))  # claims in input order: ids do not depend on call order
    claimed = [story_claims(p, by_id, picks.selections, lambda: next(counter)) for p in run.composed]
    told = await tell_all(run, [c for c, _ in claimed], by_id, client, prompts, options, progress)
    items = await tell_items([p for p in run.plans if not p.composed], by_id, client, prompts["headline"], options,
                             progress)
    if deferred(client):
        raise Pending("composition and headlines", len(deferred(client)))
    composed = iter(story for story, _ in told)  # in the order of run.composed, a subsequence of run.plans
    one_article = iter(items)
    stories = [next(composed) if p.composed else next(one_article) for p in run.plans]
    mark_new(stories, by_id, earlier)
    briefing = day_briefing(stories, run.kept, earlier.run_id if earlier else None)
    reports = [r for _, r in told]
    failed = [r.failed for r in reports if r.failed]
    result = BuildResult(
        briefing=briefing, chunks=run.chunks, claims=[c for cs, _ in claimed for c in cs],
        dropped=[d for _, ds in claimed for d in ds], failures=picks.failures,
        synthesis_dropped=sum((r.synthesis_dropped for r in reports), Counter()),
        synthesis_failed=failed[0] if failed else None)
    briefing.stats = stats_of(result, articles, client, time.monotonic() - started, run, reports,
                              picks.every_sentence, earlier is not None)
    return result
