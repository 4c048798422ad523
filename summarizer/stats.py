"""The run's statistics, as the JSON contract's ``stats`` has them. Pure: no I/O."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .client import ModelClient
from .models import Article, RunStats, Written

if TYPE_CHECKING:
    from .pipeline import BuildResult
    from .plan import RunPlan


@dataclass
class StoryReport:
    """What telling one story took and kept (compose.tell_story), summed into the run's stats."""

    facts: int  # the story's facts, after merging
    synthesis_dropped: Counter[str]
    failed: str | None
    written: Counter[str] = field(default_factory=Counter)  # what the model wrote, what was kept


def stats_of(result: BuildResult, articles: list[Article], client: ModelClient, wall: float, run: RunPlan,
             told: list[StoryReport], every_sentence: int, compared: bool) -> RunStats:
    """``every_sentence``: picking calls that picked every sentence (no selection); ``compared``:
    whether an earlier run was compared with (then what is new is counted)."""
    briefing = result.briefing
    reasons = Counter(str(d.reason) for d in result.dropped)
    points = [p for st in briefing.stories for p in st.points] or briefing.points
    disagreements = sum(len(st.disagreements) for st in briefing.stories) or len(briefing.disagreements)
    multi = sum(1 for p in points if len({c.source for c in p.citations}) >= 2)
    written: Counter[str] = Counter()
    for t in told:
        written.update(t.written)
    u = client.usage
    return RunStats.model_validate({
        "articles": len(articles),
        "chunks": len(result.chunks),
        "chunks_failed": len(result.failures),
        "claims_extracted": len(result.claims) + len(result.dropped),
        "claims_kept": len(result.claims),
        "claims_dropped": dict(reasons),
        "facts": sum(t.facts for t in told),
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
        "stories": len(briefing.stories), "stories_found": len(run.found), "stories_composed": len(told),
        "stories_failed": sum(1 for t in told if t.failed),
        "articles_unread": sum(p.unread for p in run.plans),
        "picks_of_every_sentence": every_sentence,
        # What the model wrote and what of it the checks kept (the rest are source sentences).
        "model_sentences": {kind: Written(written=written[f"{kind} written"], kept=written[f"{kind} kept"])
                            for kind in ("title", "summary", "points", "sides")},
        "stories_new": sum(s.new for s in briefing.stories) if compared else None,
        "points_new": sum(p.new for s in briefing.stories for p in s.points) if compared else None,
    })
