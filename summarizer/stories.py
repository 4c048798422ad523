"""Stories: which of a day's articles report the same event.

Pure functions on text. An article is represented by its title and lead (the first words of its
body), weighted by TF-IDF over the day's articles; articles are grouped by average-linkage
agglomerative clustering on cosine similarity, stopping at a threshold. The method sits behind
the small ``Grouper`` protocol so another representation (an embedding model) can stand in; the
figures that chose this one are in ``bench/stories.py`` and the README.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlsplit

from .chunking import segment
from .models import Article, Chunk, Story
from .settings import SETTINGS
from .textutil import content_words, tokens

Vector = dict[str, float]


def lead(title: str, text: str, words: int = SETTINGS.stories.lead_words) -> str:
    """The title and the first ``words`` words of the body's content paragraphs."""
    seg = segment(text)
    out: list[str] = []
    for s, e in seg.paragraphs:
        out.extend(text[s:e].split())
        if len(out) >= words:
            break
    body = " ".join(out[:words])
    return f"{title}\n{body}" if title and not body.startswith(title) else body


def term_counts(text: str) -> Counter[str]:
    """Stemmed content words, counted (names and rare words carry the weight through IDF)."""
    counts: Counter[str] = Counter()
    for t in tokens(text):
        for w in content_words(t):
            counts[w] += 1
    return counts


def tfidf(docs: Sequence[Counter[str]]) -> list[Vector]:
    """Sublinear TF times smoothed IDF over these documents, L2-normalised."""
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    out = []
    for d in docs:
        v = {w: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[w])) + 1) for w, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({w: x / norm for w, x in v.items()})
    return out


def cosine(a: Vector, b: Vector) -> float:
    return sum(a[w] * b[w] for w in a.keys() & b.keys())


Pairs = dict[tuple[int, int], float]  # (i, j) with i < j -> similarity; a pair left out is 0


def agglomerate(n: int, pairs: Pairs, threshold: float,
                similarity: Callable[[int, int], float] | None = None) -> list[list[int]]:
    """Average-linkage agglomerative clustering of ``n`` items: merge the two groups whose mean
    pairwise similarity is highest while it is at least ``threshold``. Two groups are compared
    when one of the given pairs joins them; their link is then the mean over all their members'
    pairs, through ``similarity`` (a pair not given counts 0 without it). A heap keeps the links,
    so the cost grows with the pairs, not with n^2. Groups come out in order of their first
    member, members in index order; ties merge the lowest indexes first (deterministic)."""
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    sums: dict[int, dict[int, float]] = {i: {} for i in range(n)}  # summed similarity between groups
    for (i, j), v in pairs.items():
        sums[i][j] = sums[j][i] = v

    def total(a: int, b: int) -> float:
        known = sums[a].get(b)
        if known is not None:
            return known
        if similarity is None:
            return 0.0
        return sum(similarity(x, y) for x in members[a] for y in members[b])

    heap = [(-v, i, j) for (i, j), v in pairs.items() if v >= threshold]
    heapq.heapify(heap)
    while heap:
        neg, i, j = heapq.heappop(heap)
        if i not in members or j not in members:
            continue  # a link to a group merged since
        if sums[i][j] / (len(members[i]) * len(members[j])) != -neg:
            continue  # a stale entry: the pair's link changed and was pushed again
        near = (sums[i].keys() | sums[j].keys()) - {i, j}
        merged = {k: total(i, k) + total(j, k) for k in near}
        for k in near:  # i < j: the merged group keeps its lowest member's index
            sums[k].pop(j, None)
            sums[k][i] = merged[k]
        del sums[j]
        sums[i] = merged
        members[i] = sorted(members[i] + members.pop(j))
        size = len(members[i])
        for k, x in merged.items():
            link = x / (size * len(members[k]))
            if link >= threshold:
                heapq.heappush(heap, (-link, min(i, k), max(i, k)))
    return sorted(members.values(), key=lambda g: g[0])


def dense_pairs(sim: Sequence[Sequence[float]]) -> Pairs:
    """The pairs of a full similarity matrix (an embedding model's)."""
    return {(i, j): float(sim[i][j]) for i in range(len(sim)) for j in range(i + 1, len(sim)) if sim[i][j]}


class Grouper(Protocol):
    """Groups documents (title and lead each) into stories: the similar pairs among them."""

    def similarity(self, texts: Sequence[str]) -> tuple[Pairs, Callable[[int, int], float]]: ...


@dataclass(frozen=True)
class Lexical:
    """TF-IDF over the day's titles and leads."""

    def similarity(self, texts: Sequence[str]) -> tuple[Pairs, Callable[[int, int], float]]:
        vs = tfidf([term_counts(t) for t in texts])
        return neighbours(vs, SETTINGS.stories.similarity), lambda i, j: cosine(vs[i], vs[j])


def neighbours(vs: Sequence[Vector], least: float, top: int = SETTINGS.stories.top_terms,
               most: int = SETTINGS.stories.top_shared_most) -> Pairs:
    """The cosines of the pairs of L2-normalised sparse vectors that share one of their ``top``
    heaviest terms (an inverted index of those terms finds them). Articles on one event share its
    names and rare words, which weigh most; a pair that shares only lighter words counts 0, so
    the pairs grow with the stories' sizes, not with the day's squared. A word among the heaviest
    of more than ``most`` articles is no one event's and pairs none of them (its pairs would grow
    with the day squared). bench/grouping.py: the figures that chose both."""
    postings: dict[str, list[int]] = {}
    for i, v in enumerate(vs):
        for w in heapq.nlargest(top, v, key=v.__getitem__):
            postings.setdefault(w, []).append(i)
    out: Pairs = {}
    seen: set[tuple[int, int]] = set()
    for plist in postings.values():
        if len(plist) > most:
            continue
        for a, i in enumerate(plist):
            for j in plist[a + 1:]:
                if (i, j) not in seen:
                    seen.add((i, j))
                    if (c := cosine(vs[i], vs[j])) >= least:
                        out[(i, j)] = c
    return out


def group(texts: Sequence[str], grouper: Grouper | None = None,
          threshold: float = SETTINGS.stories.similarity) -> list[list[int]]:
    """Stories as lists of indexes into ``texts``."""
    if not texts:
        return []
    pairs, similarity = (grouper or Lexical()).similarity(texts)
    return agglomerate(len(texts), pairs, threshold, similarity)


# --- measuring a grouping against known stories --------------------------------------------

def adjusted_rand(truth: Sequence[object], found: Sequence[object]) -> float:
    """Adjusted Rand index of two labelings of the same items (1 = identical, ~0 = chance)."""
    n = len(truth)
    if n < 2:
        return 1.0

    def pairs(k: int) -> float:
        return k * (k - 1) / 2

    table = Counter(zip(truth, found, strict=True))
    index = sum(pairs(c) for c in table.values())
    a = sum(pairs(c) for c in Counter(truth).values())
    b = sum(pairs(c) for c in Counter(found).values())
    expected = a * b / pairs(n)
    most = (a + b) / 2
    return 1.0 if most == expected else (index - expected) / (most - expected)


def purity(truth: Sequence[object], found: Sequence[object]) -> float:
    """Share of items whose found group's majority true label is their own."""
    by_group: dict[object, Counter[object]] = {}
    for t, f in zip(truth, found, strict=True):
        by_group.setdefault(f, Counter())[t] += 1
    return sum(c.most_common(1)[0][1] for c in by_group.values()) / max(1, len(truth))


# --- the day's stories: outlets, ranking, topics, continuity across runs ---------------------

def digest(text: str) -> str:
    """An article's identity across runs: the hash of its whitespace-normalised text."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def outlet_key(a: Article) -> str:
    """Who published it: the outlet's name, else the URL's host; an article with neither counts
    as its own outlet (it cannot be shown to be a repeat of another)."""
    if a.outlet and a.outlet.strip():
        return a.outlet.strip().casefold()
    host = urlsplit(a.url).hostname if a.url else None
    if host:
        return host.removeprefix("www.")
    return f"#{a.id}"


def when(published: str | None) -> datetime | None:
    """ISO 8601 or RFC 2822 (feeds) to an aware datetime; None when absent or unreadable."""
    if not published:
        return None
    text = published.strip()
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            t = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def matches(topic: str, text: str) -> bool:
    """Every content word of ``topic`` (stemmed) is in ``text``."""
    want = content_words(topic)
    return bool(want) and want <= content_words(text)


@dataclass
class Plan:
    """A story before it is told: its articles, and what ranks it."""

    members: list[int]  # article ids, in input order
    outlets: int
    outlets_known: bool
    latest: datetime | None
    topics: list[str] = field(default_factory=list)  # the --topic phrases it matches
    unread: int = 0  # articles of the story left unread (over the per-story limit)
    chunks: list[Chunk] = field(default_factory=list)  # its articles' chunks (plan.plan_run)
    composed: bool = False  # told by a composition call (plan.told_by_model), not as a one-article item
    pick: bool = False  # the model picks its sentences before composition (--select always)

    @property
    def reason(self) -> str:
        parts = [f"{self.outlets} {'outlet' if self.outlets_known else 'source'}{'s' if self.outlets != 1 else ''}"]
        parts += [f"matches “{t}”" for t in self.topics]
        if self.latest:
            parts.append(f"latest {self.latest:%Y-%m-%d %H:%M}")
        return " · ".join(parts)


def plan_day(articles: Sequence[Article], topics: Sequence[str] = (), grouper: Grouper | None = None,
             threshold: float = SETTINGS.stories.similarity, max_articles: int | None = None,
             one_story: bool = False) -> list[Plan]:
    """The day's stories, ranked: those matching a topic first, then by independent outlets,
    then by the latest publication time (unknown last), then by input order. A story of more
    than ``max_articles`` articles is read from that many (``cap_members``). ``one_story``: the
    articles are one story (the user says so), not grouped."""
    leads = [lead(a.title, a.text) for a in articles]
    plans = []
    for members in [list(range(len(articles)))] if one_story and articles else group(leads, grouper, threshold):
        arts = [articles[i] for i in members]
        keys = {outlet_key(a) for a in arts}
        times = [t for a in arts if (t := when(a.published))]
        text = "\n".join(leads[i] for i in members)
        plans.append(Plan(members=[a.id for a in arts], outlets=len(keys),
                          outlets_known=not any(k.startswith("#") for k in keys),
                          latest=max(times) if times else None,
                          topics=[t for t in topics if matches(t, text)]))
    oldest = datetime.min.replace(tzinfo=UTC)
    if max_articles is not None:
        by_id = {a.id: a for a in articles}
        for p in plans:
            p.unread = cap_members(p, by_id, max_articles)
    plans.sort(key=lambda p: (not p.topics, -p.outlets, -(p.latest or oldest).timestamp(), p.members[0]))
    return plans


def cap_members(plan: Plan, by_id: dict[int, Article], most: int) -> int:
    """Keep at most ``most`` of a story's articles, each outlet's first before any outlet's
    second (a story's support is its outlets), in input order; how many were left out."""
    if len(plan.members) <= most:
        return 0
    seen: Counter[str] = Counter()
    rank = {}
    for i in plan.members:
        key = outlet_key(by_id[i])
        rank[i] = (seen[key], plan.members.index(i))
        seen[key] += 1
    keep = set(sorted(plan.members, key=lambda i: rank[i])[:most])
    unread = len(plan.members) - len(keep)
    plan.members = [i for i in plan.members if i in keep]
    return unread


def story_id(digests: Sequence[str]) -> str:
    """A new story's id: from its first article's identity, so the same input gets the same id."""
    return "s" + hashlib.sha1(min(digests).encode()).hexdigest()[:6]


def footprint(story: Story, by_id: Mapping[int, Article]) -> tuple[frozenset[str], list[str]]:
    """What continuity compares of a story: its articles' digests and leads."""
    arts = [by_id[i] for i in story.sources if i in by_id]
    return frozenset(digest(a.text) for a in arts), [lead(a.title, a.text) for a in arts]


def continuity(current: Sequence[Story], now: Mapping[int, Article], earlier: Sequence[Story],
               then: Mapping[int, Article], threshold: float = SETTINGS.stories.continues,
               ) -> list[tuple[str, str] | None]:
    """For each current story (its articles in ``now``): (earlier id, why) when it continues a
    story of the earlier run (its articles in ``then``) — it shares an article, or its leads are at
    least ``threshold`` similar on average (TF-IDF over both days' leads). One-to-one, strongest
    link first."""
    if not current or not earlier:
        return [None] * len(current)
    cur = [footprint(s, now) for s in current]
    old = [footprint(s, then) for s in earlier]
    texts = [t for _, ls in cur for t in ls] + [t for _, ls in old for t in ls]
    owner = [i for i, (_, ls) in enumerate(cur) for _ in ls] + [-1 - j for j, (_, ls) in enumerate(old) for _ in ls]
    vs = tfidf([term_counts(t) for t in texts])
    members: dict[int, list[int]] = {}
    for a, o in enumerate(owner):
        members.setdefault(o, []).append(a)
    # the story pairs to compare: they share an article, or two of their articles are at least
    # ``threshold`` similar (their mean can reach it only then); found without all pairs
    candidates: set[tuple[int, int]] = set()
    by_digest: dict[str, list[int]] = {}
    for j, (old_dg, _) in enumerate(old):
        for d in old_dg:
            by_digest.setdefault(d, []).append(j)
    for i, (dg, _) in enumerate(cur):
        candidates.update((i, j) for d in dg for j in by_digest.get(d, ()))
    for a, b in neighbours(vs, threshold):
        oa, ob = owner[a], owner[b]
        if (oa < 0) != (ob < 0):
            candidates.add((max(oa, ob), -1 - min(oa, ob)))
    links = []
    for i, j in candidates:
        shared = len(cur[i][0] & old[j][0])
        here, there = members.get(i, []), members.get(-1 - j, [])
        sim = (sum(cosine(vs[a], vs[b]) for a in here for b in there) / max(1, len(here) * len(there)))
        if shared or sim >= threshold:
            links.append((shared, sim, i, j))
    links.sort(key=lambda x: (-x[0], -x[1], x[2], x[3]))
    out: list[tuple[str, str] | None] = [None] * len(current)
    taken: set[int] = set()
    for shared, sim, i, j in links:
        if out[i] is None and j not in taken:
            why = (f"shares {shared} article{'s' if shared != 1 else ''}" if shared
                   else f"similar ({sim:.2f})")
            out[i] = (earlier[j].id, why)
            taken.add(j)
    return out
