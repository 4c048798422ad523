"""The build, conducted: stories -> chunks (numbered sentences) -> claims -> merge -> select ->
compose (the model call) -> check -> briefing.

This module sequences the pure stages and the model calls; it does no file or terminal I/O of its
own (progress goes through a callback).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai

from .chunking import chunk_article, segment
from .client import CallFailed, ModelClient, connection_words
from .errors import BriefingError, ModelFailure
from .merge import dedupe, find_conflicts, group_claims, off_story
from .models import (
    Article,
    Briefing,
    Chunk,
    Citation,
    Claim,
    ClaimKind,
    DropReason,
    Point,
    Selection,
    SourceRef,
    Span,
    Story,
)
from .parsing import inline_schema
from .prompts import Prompt
from .reduce import (
    Fact,
    FactConflict,
    Synthesis,
    assemble,
    conflicts_as_facts,
    facts_from_groups,
    render_conflicts,
    render_facts,
    synthesis_schema,
)
from .selection import context_of, select_facts
from .settings import SETTINGS
from .stories import Earlier, Plan, continuity, digest, lead, plan_day, story_id
from .textutil import content_words, is_furniture
from .tokens import count_tokens
from .verify import SourceIndex


@dataclass(frozen=True)
class BuildOptions:
    """One run's choices, filled by the command line's flags; the defaults and the measurements
    behind them are in ``settings.py``."""

    chunk_tokens: int = SETTINGS.chunking.chunk_tokens
    concurrency: int = 1
    min_points: int = SETTINGS.compose.min_points
    max_points: int = SETTINGS.compose.max_points
    synth_input_tokens: int = SETTINGS.compose.synth_input_tokens
    model_points: int = SETTINGS.compose.model_points
    max_chunks: int = SETTINGS.limits.max_chunks
    max_story_articles: int = SETTINGS.limits.max_story_articles
    # How a story whose facts do not fit one composition call (``synth_input_tokens``) is cut to
    # fit: "auto" ranks its facts (selection.py) and lists the best, with no model call; "always"
    # has the model pick each chunk's sentences first (measured on the seeds and on a 4-article
    # story of 19,847 characters: the embedded 1.5B model picked every sentence, six calls for
    # nothing), then ranks what it picked; "never" lists every content sentence, composing in
    # several calls when they do not fit one.
    select: str = "auto"
    # The daily briefing: keep only the first ``top`` stories (None: all); stories matching one of
    # ``topics`` rank first. With several stories, each is told in fewer points than a single one.
    top: int | None = None
    topics: tuple[str, ...] = ()
    story_min_points: int = SETTINGS.compose.story_min_points
    story_max_points: int = SETTINGS.compose.story_max_points
    item_points: int = SETTINGS.compose.item_points


SELECT_MODES = ("auto", "always", "never")

# Answers that no re-run will change (a wrong key, a forbidden model, a wrong path or model name):
# the build stops at once, with nothing stored, instead of a "partial run, re-run to retry".
CONFIGURATION_ERRORS = (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError)


class TooMuchInput(BriefingError):
    """The input would make more model calls than the run allows; nothing was sent."""


class NothingToTell(BriefingError):
    """No article has a sentence a statement could cite; nothing was sent and nothing is stored."""


class ServerUnreachable(ModelFailure):
    """Not one extraction call got through to the server."""

    def line(self) -> str:
        return f"{self}; nothing was built"


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


def selection_schema(sentences: int) -> dict[str, Any]:
    """The reply schema for a chunk of ``sentences`` numbered sentences: numbers from 1 to that,
    at most that many (grammar-constrained servers then cannot name a sentence it does not have)."""
    js = inline_schema(Selection)
    ids = js["properties"]["ids"]
    ids["items"] = {"type": "integer", "enum": list(range(1, sentences + 1))}
    ids["maxItems"] = max(1, sentences)
    return js


def needs_selection(chunks: list[Chunk], options: BuildOptions) -> bool:
    """Whether the model first picks each chunk's fact sentences: only with ``--select always``."""
    return options.select == "always" and bool(chunks)


def picked_nothing(selection: Selection, chunk: Chunk) -> bool:
    """A pick of every sentence of a chunk (of more than three) picks nothing: it is treated as
    no selection, and the story's facts are ranked as if the call had not been made."""
    n = len(chunk.sentences)
    return n > 3 and len({i for i in selection.ids if 1 <= i <= n}) >= n


def listed_tokens(chunks: list[Chunk]) -> int:
    """The chunks' sentences listed as facts for a composition call ("F12 (1 source): …")."""
    return sum(len(c.sentences) * 8 + c.tokens - 4 * len(c.sentences) for c in chunks)


def chunk_all(articles: list[Article], budget: int, model: str) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a, budget, lambda t: count_tokens(t, model))]


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
                          statement=" ".join(quote.split()), kind=ClaimKind.fact,
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
    written = min(options.max_points, options.model_points)  # the points the model writes
    level = 0
    while True:
        parts = batches(facts, options.synth_input_tokens, client.config.model)
        if len(parts) == 1:
            progress("synthesize", 0, 1)
            known = {f.id: f for f in facts}
            r = await client.structured(
                prompt, {"claims": render_facts(facts), "conflicts": render_conflicts(conflicts, known),
                         "max_points": written},
                Synthesis, json_schema=synthesis_schema(list(known), written),
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
                         "max_points": written},
                Synthesis, json_schema=synthesis_schema(list(known), written),
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


@dataclass(frozen=True)
class EarlierRun:
    """The stored run a build is compared with, for stable story ids and what is new."""

    run_id: int
    stories: list[Earlier]
    digests: frozenset[str]  # every article of that run


def earlier_run(run_id: int, briefing: Briefing, articles: list[Article]) -> EarlierRun:
    """From a stored run's briefing and articles. A run from before stories existed is one story
    of all its articles."""
    by_id = {a.id: a for a in articles}
    stories = briefing.stories or [Story(id=story_id([digest(a.text) for a in articles] or [""]), title=briefing.title,
                                         sources=[a.id for a in articles], outlets=0, reason="")]
    out = []
    for st in stories:
        arts = [by_id[i] for i in st.sources if i in by_id]
        out.append(Earlier(id=st.id, digests=frozenset(digest(a.text) for a in arts),
                           leads=tuple(lead(a.title, a.text) for a in arts)))
    return EarlierRun(run_id=run_id, stories=out, digests=frozenset(digest(a.text) for a in articles))


@dataclass
class StoryWork:
    """A story's claims, ready to be told (the pure steps after extraction)."""

    plan: Plan
    articles: list[Article]
    claims: list[Claim]
    dropped: list[Dropped]


def story_claims(plan: Plan, by_id: dict[int, Article], chunks: list[Chunk],
                 extractions: dict[tuple[int, int], Selection | None], next_id: Callable[[], int]) -> StoryWork:
    """Claims of one story from its chunks' selections (deduplicated, off-story ones dropped:
    the off-story test compares a story's articles with each other, never with the whole day)."""
    arts = [by_id[i] for i in plan.members]
    claims: list[Claim] = []
    dropped: list[Dropped] = []
    for chunk in chunks:
        ex = extractions.get((chunk.article_id, chunk.index))
        if ex is None:
            continue
        kept, lost = claims_from_selection(ex, chunk, by_id[chunk.article_id], next_id)
        claims.extend(kept)
        dropped.extend(lost)
    claims, dups = dedupe(claims)
    dropped += [Dropped(c.article_id, c.chunk_index, c.statement, c.span.quote, DropReason.duplicate) for c in dups]
    paragraphs = {a.id: [(s, e, content_words(a.text[s:e])) for s, e in segment(a.text).paragraphs] for a in arts}
    claims, off = off_story(claims, paragraphs)
    furniture = [c for c in claims if is_furniture(c.span.quote)]
    claims = [c for c in claims if not is_furniture(c.span.quote)]
    dropped += [Dropped(c.article_id, c.chunk_index, c.statement, c.span.quote, DropReason.furniture)
                for c in [*off, *furniture]]
    return StoryWork(plan=plan, articles=arts, claims=claims, dropped=dropped)


def source_refs(articles: list[Article]) -> list[SourceRef]:
    return [SourceRef(id=a.id, path=a.path, title=a.title, outlet=a.outlet, url=a.url, published=a.published)
            for a in articles]


@dataclass
class Told:
    briefing: Briefing  # the story, told as a one-story briefing
    groups: int
    synthesis_dropped: Counter[str]
    failed: str | None
    written: Counter[str] = field(default_factory=Counter)  # what the model wrote, what was kept


async def tell_story(work: StoryWork, client: ModelClient, prompt: Prompt, options: BuildOptions,
                     min_points: int, max_points: int, progress: Progress) -> Told:
    """Merge a story's claims into facts, find where outlets differ, and compose it (one call,
    more when the facts outgrow it); every sentence of the result is checked against its facts."""
    claim_by_id = {c.id: c for c in work.claims}
    groups = group_claims(work.claims)
    facts = facts_from_groups(groups, claim_by_id)
    group_fact = {g.id: f for g, f in zip(groups, facts, strict=True)}
    conflicts = conflicts_as_facts(find_conflicts(groups, claim_by_id), group_fact)
    indexes = {a.id: SourceIndex.build(a) for a in work.articles}
    if options.select != "never":
        facts = fit_facts(facts, work.articles, indexes, options, client.config.model)
    synthesis: Synthesis | None = None
    failed: str | None = None
    final_facts = facts
    if facts:
        opts = dataclasses.replace(options, max_points=max_points)
        try:
            synthesis, final_facts, _ = await synthesize(client, prompt, facts, conflicts, opts, progress)
        except CallFailed as exc:
            failed = str(exc)
        except CONFIGURATION_ERRORS:
            raise
        except openai.APIConnectionError as exc:
            if client.usage.calls == 0 and client.usage.cached == 0:  # not one call got through
                raise ServerUnreachable(connection_words(exc)) from None
            failed = f"{type(exc).__name__}: {exc}"
        except openai.OpenAIError as exc:  # the server failed even after the SDK's retries
            failed = f"{type(exc).__name__}: {exc}"
    # Points are filled from the merged facts when the synthesis is thin or failed.
    written: Counter[str] = Counter()
    briefing, dropped = assemble(synthesis, final_facts if synthesis else facts, conflicts,
                                 source_refs(work.articles), min_points=min_points, max_points=max_points,
                                 written=written)
    return Told(briefing=briefing, groups=len(groups), synthesis_dropped=dropped, failed=failed, written=written)


def fit_facts(facts: list[Fact], articles: list[Article], indexes: dict[int, SourceIndex], options: BuildOptions,
              model: str) -> list[Fact]:
    """The facts one composition call lists: all of them when they fit ``synth_input_tokens``,
    else the best-ranked that fit (selection.py), renumbered F1, F2, … in their new order."""
    cost = {id(f): count_tokens(render_facts([f]), model) + 1 for f in facts}
    if sum(cost.values()) <= options.synth_input_tokens:
        return facts
    ctx = context_of({a.id: a.text for a in articles}, {a.id: indexes[a.id].sentences for a in articles})
    chosen = select_facts(facts, ctx, options.synth_input_tokens, lambda f: cost[id(f)], SETTINGS.selection.weights)
    for n, f in enumerate(chosen, start=1):
        f.id = f"F{n}"
    return chosen


def item_points(article: Article, chunks: list[Chunk], n: int) -> list[Point]:
    """A story of one article, told without a model call: its first ``n`` sentences that state
    something (eight words or more, not the title, not addressed to the reader or the model, not
    page furniture), each citing itself."""
    index = SourceIndex.build(article)
    title = " ".join(article.title.split())
    out: list[Point] = []
    for c in chunks:
        for s, e in c.sentences:
            quote = article.text[s:e]
            text = " ".join(quote.split())
            if len(text.split()) < 8 or text == title or index.touches_directive(s, e) or is_furniture(text):
                continue
            out.append(Point(text=text, citations=[Citation(source=article.id, quote=quote, start=s, end=e)]))
            if len(out) >= n:
                return out
    return out


def as_story(b: Briefing, plan: Plan, composed: bool) -> Story:
    return Story(id="", title=b.title, summary=b.summary, summary_sentences=b.summary_sentences,
                 points=b.points, disagreements=b.disagreements, open_questions=b.open_questions,
                 sources=list(plan.members), outlets=plan.outlets, reason=plan.reason, composed=composed)


def mark_new(stories: list[Story], by_id: dict[int, Article], earlier: EarlierRun | None) -> None:
    """Stable ids (an earlier story's, when this one continues it) and what is new: a story that
    continues none, and in a continuing story the points whose every cited article is new."""
    current = [(frozenset(digest(by_id[i].text) for i in st.sources),
                [lead(by_id[i].title, by_id[i].text) for i in st.sources]) for st in stories]
    links = continuity(current, earlier.stories if earlier else [])
    used: set[str] = set()
    for st, (dg, _), link in zip(stories, current, links, strict=True):
        if link is not None:
            st.id, st.continues = link
            st.new = False
            assert earlier is not None
            for p in [*st.summary_sentences, *st.points]:
                p.new = all(digest(by_id[c.source].text) not in earlier.digests for c in p.citations)
        else:
            st.id = story_id(sorted(dg))
            st.new = True
        base, n = st.id, 2
        while st.id in used:  # two stories from one earlier id cannot happen; a hash clash can
            st.id, n = f"{base}-{n}", n + 1
        used.add(st.id)


@dataclass
class RunPlan:
    """What a build will do, decided before any call (``build`` and ``estimate`` share it)."""

    found: list[Plan]  # every story of the day, ranked
    plans: list[Plan]  # the stories kept (--top)
    kept: list[Article]  # their articles
    chunks: list[Chunk]
    chunks_of: dict[int, list[Chunk]]  # by id() of a plan
    composed: list[Plan]  # the stories told by a composition call
    picks: dict[int, bool]  # by id() of a composed plan: whether its sentences are picked first


def plan_run(articles: list[Article], options: BuildOptions, model: str) -> RunPlan:
    # A cheap bound first (no article has fewer than ~6 characters a token), so a stray 20 MB
    # file is refused at once instead of after it has been chunked.
    # Every article is at least one chunk, too: 10,000 two-sentence records are refused here, before
    # story grouping (quadratic in the articles) has run out of memory on them.
    at_least = max(len(articles), sum(len(a.text) for a in articles) // (6 * options.chunk_tokens))
    if at_least > options.max_chunks:
        raise TooMuchInput(f"the input makes at least {at_least:,} chunks (model calls), over the limit of "
                           f"{options.max_chunks:,}; nothing was sent (--max-chunks N to allow more)")
    found = plan_day(articles, options.topics, max_articles=options.max_story_articles)
    plans = found[: options.top] if options.top else found
    kept = [a for a in articles if any(a.id in p.members for p in plans)]
    chunks = chunk_all(kept, options.chunk_tokens, model)
    if not any(c.sentences for c in chunks):
        raise NothingToTell(f"nothing to build: none of the {len(kept)} article(s) has a sentence a briefing could "
                            "cite (give articles with running text)")
    if len(chunks) > options.max_chunks:
        raise TooMuchInput(f"the input makes {len(chunks):,} chunks (model calls), over the limit of "
                           f"{options.max_chunks:,}; nothing was sent (--max-chunks N to allow more)")
    chunks_of = {id(p): [c for c in chunks if c.article_id in p.members] for p in plans}
    composed = told_by_model(plans)
    return RunPlan(found=found, plans=plans, kept=kept, chunks=chunks, chunks_of=chunks_of, composed=composed,
                   picks={id(p): needs_selection(chunks_of[id(p)], options) for p in composed})


def told_by_model(plans: list[Plan]) -> list[Plan]:
    """The stories that get a composition call: those of two or more articles — and the only
    story of a run, even of one article, since then it is the whole briefing."""
    return [p for p in plans if len(p.members) >= 2 or len(plans) == 1]


async def build(
    articles: list[Article], client: ModelClient, prompts: dict[str, Prompt], options: BuildOptions,
    progress: Progress = lambda _s, _d, _t: None, earlier: EarlierRun | None = None,
) -> BuildResult:
    """The day's briefing: group the articles into stories, rank them, extract each story's
    claims, tell each story of two or more articles through one composition (a story of one
    article as a short item, with no call), and mark what is new since ``earlier``."""
    started = time.monotonic()
    by_id = {a.id: a for a in articles}
    run = plan_run(articles, options, client.config.model)
    found, plans, kept, chunks, chunks_of, composed = \
        run.found, run.plans, run.kept, run.chunks, run.chunks_of, run.composed
    to_pick = [c for p in composed if run.picks[id(p)] for c in chunks_of[id(p)]]
    extractions: dict[tuple[int, int], Selection | None] = {
        (c.article_id, c.index): Selection(ids=list(range(1, len(c.sentences) + 1))) for c in chunks}
    failures: list[ChunkFailure] = []
    picked_all = 0
    if to_pick:
        picked, failures = await extract_all(client, prompts["extract"], by_id, to_pick, options, progress)
        if len(failures) == len(to_pick) and any(f.unreachable for f in failures):
            raise ServerUnreachable(next(f.error for f in failures if f.unreachable))
        extractions.update({(c.article_id, c.index): sel for c, sel in zip(to_pick, picked, strict=True)})
        # A pick of every sentence is no selection: the story's facts are ranked as without it.
        picked_all = sum(1 for c, sel in zip(to_pick, picked, strict=True) if sel and picked_nothing(sel, c))

    # Claims in input order, so their ids do not depend on which call finished first.
    counter = iter(range(1, 1_000_000))
    works = {id(p): story_claims(p, by_id, chunks_of[id(p)], extractions, lambda: next(counter)) for p in composed}
    one_story = len(plans) == 1
    min_points = options.min_points if one_story else min(options.min_points, options.story_min_points)
    max_points = options.max_points if one_story else min(options.max_points, options.story_max_points)

    sem = asyncio.Semaphore(max(1, options.concurrency))
    told: dict[int, Told] = {}
    done = 0
    if composed:
        progress("stories composed", 0, len(composed))

    async def tell(p: Plan) -> None:
        nonlocal done
        async with sem:
            told[id(p)] = await tell_story(works[id(p)], client, prompts["synthesize"], options,
                                           min_points, max_points, lambda _s, _d, _t: None)
        done += 1
        progress("stories composed", done, len(composed))

    await asyncio.gather(*(tell(p) for p in composed))

    stories: list[Story] = []
    for p in plans:
        if id(p) in told:
            stories.append(as_story(told[id(p)].briefing, p, composed=True))
        else:
            a = by_id[p.members[0]]
            pts = item_points(a, chunks_of[id(p)], options.item_points)
            stories.append(Story(id="", title=a.title, points=pts, sources=[a.id], outlets=p.outlets,
                                 reason=p.reason))
    mark_new(stories, by_id, earlier)

    claims = [c for p in composed for c in works[id(p)].claims]
    dropped = [d for p in composed for d in works[id(p)].dropped]
    syn_dropped: Counter[str] = Counter()
    written: Counter[str] = Counter()
    for t in told.values():
        syn_dropped += t.synthesis_dropped
        written.update(t.written)
    failed = [t.failed for t in told.values() if t.failed]
    if one_story:  # the briefing is that story's, as before stories existed
        briefing = told[id(plans[0])].briefing
        briefing.summary_sentences, briefing.points = stories[0].summary_sentences, stories[0].points
    else:
        briefing = Briefing(title=f"{len(stories)} stories from {len(kept)} articles", summary="",
                            sources=source_refs(kept), points=[])
    briefing.sources = source_refs(kept)
    briefing.stories = stories
    briefing.since_run = earlier.run_id if earlier else None
    result = BuildResult(briefing=briefing, chunks=chunks, claims=claims, dropped=dropped, failures=failures,
                         synthesis_dropped=syn_dropped, synthesis_failed=failed[0] if failed else None)
    briefing.stats = stats_of(result, articles, client, time.monotonic() - started,
                              sum(t.groups for t in told.values()))
    briefing.stats.update({
        "stories": len(stories), "stories_found": len(found), "stories_composed": len(told),
        "stories_failed": len(failed),
        "articles_unread": sum(p.unread for p in plans),
        "picks_of_every_sentence": picked_all,
        # What the model wrote and what of it the checks kept (the rest are source sentences).
        "model_sentences": {kind: {"written": written[f"{kind} written"], "kept": written[f"{kind} kept"]}
                            for kind in ("title", "summary", "points", "sides")},
        "stories_new": sum(s.new for s in stories) if earlier else None,
        "points_new": sum(p.new for s in stories for p in s.points) if earlier else None,
    })
    return result


def stats_of(result: BuildResult, articles: list[Article], client: ModelClient, wall: float,
             groups: int) -> dict[str, object]:
    reasons = Counter(str(d.reason) for d in result.dropped)
    points = [p for st in result.briefing.stories for p in st.points] or result.briefing.points
    disagreements = sum(len(st.disagreements) for st in result.briefing.stories) or \
        len(result.briefing.disagreements)
    multi = sum(1 for p in points if len({c.source for c in p.citations}) >= 2)
    u = client.usage
    return {
        "articles": len(articles),
        "chunks": len(result.chunks),
        "chunks_failed": len(result.failures),
        "claims_extracted": len(result.claims) + len(result.dropped),
        "claims_kept": len(result.claims),
        "claims_dropped": dict(reasons),
        "facts": groups,
        "points": len(points),
        "multi_source_points": multi,
        "disagreements": disagreements,
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


@dataclass
class Estimate:
    articles: int
    stories: int
    composed: int
    items: int
    extract_calls: int
    compose_calls: int
    calls: int
    tokens_in: int
    tokens_out: int
    rate: float
    rate_source: str
    seconds: float
    unread: int = 0  # articles left unread: over the per-story limit


def estimate(articles: list[Article], prompts: dict[str, Prompt], options: BuildOptions, model: str,
             rate: float | None = None, out_per_call: float | None = None) -> Estimate:
    """What a build would cost, before any call: the same stories, chunks and selection decision
    as ``build``; a composition's input as every candidate sentence listed once (an upper bound:
    merging across outlets shortens it). ``rate``: prompt-equivalent tokens a second measured on
    this model in earlier runs, else the embedded model's; ``out_per_call``: generated tokens a
    composition call, measured likewise, else SETTINGS.estimate.compose_tokens_out."""
    run = plan_run(articles, options, model)
    by_id = {a.id: a for a in articles}
    tokens_in = tokens_out = extract_calls = compose_calls = 0
    synth_base = count_tokens(" ".join(m["content"] for m in prompts["synthesize"].render(
        claims="", conflicts="", max_points=options.story_max_points)), model)
    for p in run.composed:
        mine = run.chunks_of[id(p)]
        listed = listed_tokens(mine)
        if run.picks[id(p)]:
            for c in mine:
                a = by_id[c.article_id]
                msgs = prompts["extract"].render(title=a.title, outlet=a.outlet or "unknown", text=c.text)
                tokens_in += count_tokens(" ".join(m["content"] for m in msgs), model)
                tokens_out += 16 + SETTINGS.estimate.pick_tokens_out * len(c.sentences)
                extract_calls += 1
        if options.select != "never":  # the best facts that fit one call (selection.py)
            listed = min(listed, options.synth_input_tokens)
        parts = max(1, -(-listed // options.synth_input_tokens))
        compose_calls += parts + (1 if parts > 1 else 0)
        tokens_in += listed + synth_base * (parts + (1 if parts > 1 else 0))
        tokens_out += round(out_per_call or SETTINGS.estimate.compose_tokens_out) * (parts + (1 if parts > 1 else 0))
    r = rate or SETTINGS.estimate.embedded_rate
    seconds = (tokens_in + 4 * tokens_out) / r / max(1, options.concurrency)
    return Estimate(articles=len(run.kept), stories=len(run.plans), composed=len(run.composed),
                    items=len(run.plans) - len(run.composed), unread=sum(p.unread for p in run.plans),
                    extract_calls=extract_calls, compose_calls=compose_calls, calls=extract_calls + compose_calls,
                    tokens_in=tokens_in, tokens_out=tokens_out, rate=r,
                    rate_source="measured on this model's earlier runs" if rate
                    else "the embedded model's measured rate",
                    seconds=seconds)
