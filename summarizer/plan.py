"""Planning a run before any call: which stories are told, from which chunks, and what it will cost.

``plan_run`` is shared by the build and ``--estimate``, so the estimate counts the calls the build
will make. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .chunking import chunk_article
from .errors import BriefingError
from .headline import needs_headline
from .models import (
    Article,
    Chunk,
)
from .prompts import Prompt
from .settings import SETTINGS
from .stories import Plan, plan_day
from .tokens import count_tokens


@dataclass(frozen=True)
class BuildOptions:
    """One run's choices, filled by the command line's flags; the defaults and the measurements
    behind them are in ``settings.py``."""

    chunk_tokens: int = SETTINGS.chunking.chunk_tokens
    concurrency: int = 1
    min_points: int = SETTINGS.compose.min_points
    max_points: int = SETTINGS.compose.max_points
    candidate_tokens: int = SETTINGS.compose.candidate_tokens
    max_chunks: int = SETTINGS.limits.max_chunks
    max_story_articles: int = SETTINGS.limits.max_story_articles
    # Which of a story's facts are its candidate points (the composition call lists the best of
    # them): "auto" ranks its facts (selection.py) and keeps the best that fit ``candidate_tokens``,
    # with no model call; "always" has the model pick each chunk's sentences first (measured on the
    # seeds and on a 4-article story of 19,847 characters: the embedded 1.5B model picked every
    # sentence, six calls for nothing), then ranks what it picked; "never" keeps every fact, ranked.
    select: str = "auto"
    # The daily briefing: keep only the first ``top`` stories (None: all); stories matching one of
    # ``topics`` rank first. With several stories, each is told in fewer points than a single one.
    top: int | None = None
    topics: tuple[str, ...] = ()
    story_min_points: int = SETTINGS.compose.story_min_points
    story_max_points: int = SETTINGS.compose.story_max_points
    item_points: int = SETTINGS.compose.item_points
    points: int | None = None  # --points N: every story's points; None: three and one per outlet, at most ten
    one_story: bool = False  # --one-story: every article is about one story; no grouping


SELECT_MODES = ("auto", "always", "never")


class TooMuchInput(BriefingError):
    """The input would make more model calls than the run allows; nothing was sent."""


class NothingToTell(BriefingError):
    """No article has a sentence a statement could cite; nothing was sent and nothing is stored."""


Progress = Callable[[str, int, int], None]  # (stage, done, total)


def needs_selection(chunks: list[Chunk], options: BuildOptions) -> bool:
    """Whether the model first picks each chunk's fact sentences: only with ``--select always``."""
    return options.select == "always" and bool(chunks)


def listed_tokens(chunks: list[Chunk]) -> int:
    """The chunks' sentences listed as facts for a composition call ("F12 (1 source): …")."""
    return sum(len(c.sentences) * 8 + c.tokens - 4 * len(c.sentences) for c in chunks)


def chunk_all(articles: list[Article], budget: int, model: str) -> list[Chunk]:
    return [c for a in articles for c in chunk_article(a, budget, lambda t: count_tokens(t, model))]


@dataclass
class RunPlan:
    """What a build will do, decided before any call (``build`` and ``estimate`` share it)."""

    found: list[Plan]  # every story of the day, ranked
    plans: list[Plan]  # the stories kept (--top)
    kept: list[Article]  # their articles
    chunks: list[Chunk]

    @property
    def composed(self) -> list[Plan]:
        """The stories told by a composition call."""
        return [p for p in self.plans if p.composed]


def plan_run(articles: list[Article], options: BuildOptions, model: str) -> RunPlan:
    # A cheap bound first (no article has fewer than ~6 characters a token), so a stray 20 MB
    # file is refused at once instead of after it has been chunked.
    # Every article is at least one chunk, too: 10,000 two-sentence records are refused here, before
    # story grouping (quadratic in the articles) has run out of memory on them.
    at_least = max(len(articles), sum(len(a.text) for a in articles) // (6 * options.chunk_tokens))
    if at_least > options.max_chunks:
        raise TooMuchInput(f"the input makes at least {at_least:,} chunks (model calls), over the limit of "
                           f"{options.max_chunks:,}; nothing was sent (--max-chunks N to allow more)")
    found = plan_day(articles, options.topics, max_articles=options.max_story_articles, one_story=options.one_story)
    plans = found[: options.top] if options.top else found
    kept = [a for a in articles if any(a.id in p.members for p in plans)]
    chunks = chunk_all(kept, options.chunk_tokens, model)
    if not any(c.sentences for c in chunks):
        raise NothingToTell(f"nothing to build: none of the {len(kept)} article(s) has a sentence a briefing could "
                            "cite (give articles with running text)")
    if len(chunks) > options.max_chunks:
        raise TooMuchInput(f"the input makes {len(chunks):,} chunks (model calls), over the limit of "
                           f"{options.max_chunks:,}; nothing was sent (--max-chunks N to allow more)")
    for p in plans:
        p.chunks = [c for c in chunks if c.article_id in p.members]
        p.composed = told_by_model(p, plans)
        p.pick = p.composed and needs_selection(p.chunks, options)
    return RunPlan(found=found, plans=plans, kept=kept, chunks=chunks)


def told_by_model(plan: Plan, plans: list[Plan]) -> bool:
    """Whether a story gets a composition call: one of two or more articles — and the only story
    of a run, even of one article, since then it is the whole briefing."""
    return len(plan.members) >= 2 or len(plans) == 1


@dataclass
class Estimate:
    articles: int
    stories: int
    composed: int
    items: int
    extract_calls: int
    compose_calls: int
    headline_calls: int  # one-article items with no headline of their own (a composed story's only if its fails)
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
    as ``build``; a composition's input as the candidate sentences listed once, up to
    ``compose.listed_tokens`` (an upper bound: merging across outlets shortens the list).
    ``rate``: prompt-equivalent tokens a second measured on this model in earlier runs, else the
    embedded model's; ``out_per_call``: generated tokens a composition call, measured likewise,
    else SETTINGS.estimate.compose_tokens_out."""
    run = plan_run(articles, options, model)
    by_id = {a.id: a for a in articles}
    tokens_in = tokens_out = extract_calls = compose_calls = 0
    synth_base = count_tokens(" ".join(m["content"] for m in prompts["synthesize"].render(
        claims="", conflicts="")), model)
    for p in run.composed:
        mine = p.chunks
        listed = listed_tokens(mine)
        if p.pick:
            for c in mine:
                a = by_id[c.article_id]
                msgs = prompts["extract"].render(title=a.title, outlet=a.outlet or "unknown", text=c.text)
                tokens_in += count_tokens(" ".join(m["content"] for m in msgs), model)
                tokens_out += 16 + SETTINGS.estimate.pick_tokens_out * len(c.sentences)
                extract_calls += 1
        # one call, listing the best facts (compose.synthesize)
        compose_calls += 1
        tokens_in += min(listed, SETTINGS.compose.listed_tokens) + synth_base
        tokens_out += round(out_per_call or SETTINGS.estimate.compose_tokens_out)
    untitled = [p for p in run.plans if not p.composed and needs_headline([by_id[p.members[0]]])]
    if untitled:
        headline_base = count_tokens(" ".join(m["content"] for m in prompts["headline"].render(facts="")), model)
        tokens_in += len(untitled) * (headline_base + SETTINGS.estimate.headline_tokens_in)
        tokens_out += len(untitled) * SETTINGS.estimate.headline_tokens_out
    r = rate or SETTINGS.estimate.embedded_rate
    seconds = (tokens_in + SETTINGS.estimate.generated_weight * tokens_out) / r / max(1, options.concurrency)
    return Estimate(articles=len(run.kept), stories=len(run.plans), composed=len(run.composed),
                    items=len(run.plans) - len(run.composed), unread=sum(p.unread for p in run.plans),
                    extract_calls=extract_calls, compose_calls=compose_calls, headline_calls=len(untitled),
                    calls=extract_calls + compose_calls + len(untitled),
                    tokens_in=tokens_in, tokens_out=tokens_out, rate=r,
                    rate_source="measured on this model's earlier runs" if rate
                    else "the embedded model's measured rate",
                    seconds=seconds)
