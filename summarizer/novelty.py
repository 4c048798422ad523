"""What is new since an earlier run: the same story keeps its id, and its new points are marked.
Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import (
    Article,
    Briefing,
    Story,
)
from .stories import continuity, digest, story_id


@dataclass(frozen=True)
class EarlierRun:
    """The stored run a build is compared with, for stable story ids and what is new."""

    run_id: int
    stories: list[Story]
    articles: dict[int, Article]  # by id, as that run numbered them
    digests: frozenset[str] = field(init=False)  # every article of that run

    def __post_init__(self) -> None:
        object.__setattr__(self, "digests", frozenset(digest(a.text) for a in self.articles.values()))


def earlier_run(run_id: int, briefing: Briefing, articles: list[Article]) -> EarlierRun:
    """From a stored run's briefing and articles. A run from before stories existed is one story
    of all its articles."""
    stories = briefing.stories or [Story(id=story_id([digest(a.text) for a in articles] or [""]), title=briefing.title,
                                         sources=[a.id for a in articles], outlets=0, reason="")]
    return EarlierRun(run_id=run_id, stories=stories, articles={a.id: a for a in articles})


def mark_new(stories: list[Story], by_id: dict[int, Article], earlier: EarlierRun | None) -> None:
    """Stable ids (an earlier story's, when this one continues it) and what is new: a story that
    continues none, and in a continuing story the points whose every cited article is new."""
    links = continuity(stories, by_id, earlier.stories, earlier.articles) if earlier else [None] * len(stories)
    used: set[str] = set()
    for st, link in zip(stories, links, strict=True):
        if link is not None:
            st.id, st.continues = link
            st.new = False
            assert earlier is not None
            for p in [*st.summary_sentences, *st.points]:
                p.new = all(digest(by_id[c.source].text) not in earlier.digests for c in p.citations)
        else:
            st.id = story_id(sorted(digest(by_id[i].text) for i in st.sources))
            st.new = True
        base, n = st.id, 2
        while st.id in used:  # two stories from one earlier id cannot happen; a hash clash can
            st.id, n = f"{base}-{n}", n + 1
        used.add(st.id)
