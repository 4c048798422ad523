"""Merge: the same fact across outlets becomes one fact citing them all; conflicting figures are found.

Pure functions on verified claims. A group is one fact with every claim (and so every outlet)
that states it; its number of distinct sources is its independent support. A conflict is two
groups about the same thing (shared topic words, same unit) whose figures differ.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from rapidfuzz import fuzz

from .models import Claim, Conflict, Fact, Span
from .settings import SETTINGS
from .support import quantities, quantity_set, supported, tense, word_key
from .textutil import aligned_words, content_words, jaccard, tokens


def same_sentence_fact(a: str, b: str) -> bool | None:
    """Whether two source sentences state the same fact: True; False when their figures differ
    or one tells as done what the other tells as still to come ("met on April 10" and "are set
    to meet on April 10": one fact would cite a sentence that says otherwise); None when their
    words alone cannot tell."""
    qa, qb = quantity_set(a), quantity_set(b)
    if conflicting_units(qa, qb) or tense_differs(a, b):
        return False
    overlap = jaccard(*aligned_words(a, b))
    if overlap >= SETTINGS.merge.same_fact or (qa & qb and overlap >= SETTINGS.merge.same_fact_shared_figure):
        return True
    return None


_SAYING = re.compile(r"\b(?:said|says|told|tells|added|adds|stated|reported|announced|noted|explained|wrote)\b",
                     re.IGNORECASE)


def tense_differs(a: str, b: str) -> bool:
    """One sentence tells only as done, the other only as still to come. Who said it is not what
    is told: "Bohn told the paper the board would meet" is still to come."""
    ta, tb = tense(_SAYING.sub(" ", a)), tense(_SAYING.sub(" ", b))
    return bool(ta and tb) and ta != tb


def same_fact(a: Claim, b: Claim) -> bool:
    """Whether two claims state the same fact, judged on their source sentences: the same span;
    enough shared words (``same_sentence_fact``); or, sharing at least half that, one sentence
    nearly containing the other's words. Never when their figures or their tense differ."""
    if a.span.source == b.span.source and a.span.start == b.span.start and a.span.end == b.span.end:
        return True
    m = SETTINGS.merge
    if jaccard(*aligned_words(a.span.quote, b.span.quote)) < min(m.same_fact / 2, m.same_fact_shared_figure):
        return False  # too few shared words for any of the ways below (the cheap test first: a story's pairs)
    verdict = same_sentence_fact(a.span.quote, b.span.quote)
    if verdict is not None:
        return verdict
    return (jaccard(*aligned_words(a.span.quote, b.span.quote)) >= m.same_fact / 2
            and fuzz.token_set_ratio(a.span.quote.lower(), b.span.quote.lower()) >= m.near_containment)


def conflicting_units(qa: AbstractSet[tuple[str, float]], qb: AbstractSet[tuple[str, float]]) -> list[str]:
    """The units both count, with no value in common ("a dozen countries" against "six nations")."""
    shared = sorted({u for u, _ in qa} & {u for u, _ in qb})
    return [u for u in shared if not {v for x, v in qa if x == u} & {v for x, v in qb if x == u}]


def countable(unit: str) -> bool:
    """A unit a reader counts: a noun ("countries", "troops"), not an abbreviation ("p.m.", "%"), an
    adverb ("critically endangered") or an age ("a 90-year-old")."""
    return unit.isalpha() and len(unit) >= SETTINGS.merge.unit_chars and not unit.endswith("ly")


def unit_word(unit: str, fact: Fact) -> str:
    """The unit as the fact's sentence writes it ("children", "feet"), else its plural."""
    for c in fact.citations:
        for t in tokens(c.quote):
            if word_key(t) == unit and t.isalpha():
                word = t if t.isupper() else t.lower()
                return plural(word) if word_key(word) == word.lower() else word  # "72-foot": "feet"
    return plural(unit)


def dedupe(claims: Sequence[Claim]) -> tuple[list[Claim], list[Claim]]:
    """(kept, dropped): within one article, a claim citing the same span as an earlier one, or
    stating the same thing, is a duplicate."""
    kept: list[Claim] = []
    dropped: list[Claim] = []
    for c in claims:
        if any(k.article_id == c.article_id and same_fact(k, c) for k in kept):
            dropped.append(c)
        else:
            kept.append(c)
    return kept, dropped


def merge_facts(claims: Sequence[Claim]) -> list[Fact]:
    """The story's facts: each claim joins the first group of claims it states the same fact as
    (greedily, in input order); a group is one fact citing every outlet that states it, told in
    the sentence of its shortest exact quote, and every claim of it states the same fact as that
    one (``told_alike``). Ordered by ``fact_order``, numbered F1, F2, ..."""
    facts: list[Fact] = []
    for g in fact_order([alike for group in grouped(claims) for alike in told_alike(group)]):
        cites = spans_of(g)
        rep = representative(g)
        text = rep.text if any(rep.text == c.quote for c in cites) or supported(
            rep.text, " ".join(c.quote for c in cites)) else g[0].span.quote
        facts.append(Fact(id=f"F{len(facts) + 1}", text=text, citations=cites))
    return facts


def grouped(claims: Sequence[Claim]) -> list[list[Claim]]:
    """Each claim in the first group with a claim that states the same fact, else a group of its own."""
    groups: list[list[Claim]] = []
    for c in claims:
        for g in groups:
            if any(same_fact(m, c) for m in g):
                g.append(c)
                break
        else:
            groups.append([c])
    return groups


def representative(group: Sequence[Claim]) -> Claim:
    """The claim a group's fact is told in: the one that states the same fact as most of the
    others (so that the fewest are split off by ``told_alike``), then the best-scored, then the
    shortest."""
    def links(c: Claim) -> int:
        return sum(1 for o in group if o is not c and same_fact(c, o)) if len(group) > 2 else 0

    return max(group, key=lambda c: (links(c), c.span.score, -len(c.text)))


def told_alike(group: list[Claim]) -> list[list[Claim]]:
    """A group split so that every claim states the same fact as the one its fact is told in.
    Grouping links a claim to any member, so a chain can join sentences that say different things:
    on the seeds, "about a dozen countries could potentially contribute troops, including Baltic
    and Nordic nations" (S3) was told for S2's "about a dozen countries could be willing to join
    the coalition", which shares too few of its words, through S1's sentence, which is one fact
    with each."""
    rep = representative(group)
    alike = [c for c in group if c is rep or same_fact(rep, c)]
    rest = [c for c in group if not any(c is a for a in alike)]
    return [alike, *(part for g in grouped(rest) for part in told_alike(g))]


def spans_of(claims: Sequence[Claim]) -> list[Span]:
    """The claims' spans, each once, in order."""
    seen: set[tuple[int, int, int]] = set()
    out = []
    for c in claims:
        key = (c.span.source, c.span.start, c.span.end)
        if key not in seen:
            seen.add(key)
            out.append(Span(source=c.span.source, quote=c.span.quote, start=c.span.start, end=c.span.end))
    return out


def fact_order(groups: list[list[Claim]]) -> list[list[Claim]]:
    """Most sources first; single-source facts taken in turn from each article (its first fact,
    then every article's second, ...), so that no outlet's own reporting is crowded out."""
    def sources(g: list[Claim]) -> set[int]:
        return {c.article_id for c in g}
    numbered = list(enumerate(groups))
    multi = sorted((ig for ig in numbered if len(sources(ig[1])) > 1), key=lambda ig: (-len(sources(ig[1])), ig[0]))
    rank: dict[int, int] = {}
    single = []
    for i, g in (ig for ig in numbered if len(sources(ig[1])) <= 1):
        article = g[0].article_id
        rank[article] = rank.get(article, -1) + 1
        single.append((rank[article], article, i, g))
    return [g for _, g in multi] + [g for *_, g in sorted(single, key=lambda t: (t[0], t[1]))]


_IRREGULAR_PLURAL = {"foot": "feet", "person": "people", "child": "children", "man": "men", "woman": "women"}


def plural(noun: str) -> str:
    if noun.lower() in _IRREGULAR_PLURAL:
        return _IRREGULAR_PLURAL[noun.lower()]
    if noun.lower() in _IRREGULAR_PLURAL.values():
        return noun
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun if noun.endswith("s") else noun + "s"


def find_conflicts(facts: Sequence[Fact]) -> list[Conflict]:
    """Facts from different sources that give different figures for the same thing; facts that
    disagree over one unit with a fact already in a conflict join it."""
    info = []
    for f in facts:
        words: set[str] = set()
        qs: set[tuple[str, float]] = set()
        for c in f.citations:
            words |= content_words(c.quote)
            qs |= quantities(c.quote)
        info.append((f, words, qs))
    conflicts: list[Conflict] = []
    seen: set[frozenset[str]] = set()
    for i, (fa, wa, qa) in enumerate(info):
        for fb, wb, qb in info[i + 1 :]:
            if fa.sources & fb.sources:
                continue  # an outlet that gives both figures tells of two things (2014's 16 million
                # children, 2007's 9 million), not of outlets that differ
            if told_apart_by_tense(fa, fb):
                _add(conflicts, TENSE_TOPIC, fa, fb, kind="tense")
                continue
            units = [u for u in conflicting_units(qa, qb) if countable(u)]
            if not units or jaccard(wa, wb) < SETTINGS.merge.same_topic:
                continue
            unit = units[0]
            if len((wa & wb) - {unit}) < SETTINGS.merge.same_topic_words:
                continue
            key = frozenset({fa.id, fb.id})
            if key in seen:
                continue
            seen.add(key)
            _add(conflicts, f"Sources differ on the number of {unit_word(unit, fa)}", fa, fb, kind=unit)
    return conflicts


def disputed_sides(conflicts: Sequence[Conflict]) -> set[tuple[int, int]]:
    """The sentences (source, start) of every side of a disagreement that fewer outlets give than
    another of its sides, or no more: what a summary or a headline never tells as settled."""
    return {(c.source, c.start) for conflict in conflicts for f in conflict.facts for c in f.citations
            if any(len(g.sources) >= len(f.sources) for g in conflict.facts if g is not f)}


TENSE_TOPIC = "Already done, or still to come? The outlets differ"


def told_apart_by_tense(a: Fact, b: Fact) -> bool:
    """The same fact but for its tense: sentences that would be one fact (``same_fact`` shared
    words) were it not that one tells as done what the other tells as still to come."""
    least = SETTINGS.merge.same_fact
    return any(tense_differs(x.quote, y.quote) and jaccard(*aligned_words(x.quote, y.quote)) >= least
               for x in a.citations for y in b.citations)


def _add(conflicts: list[Conflict], topic: str, a: Fact, b: Fact, kind: str) -> None:
    """A conflict between two facts, folded into one of the same kind (a unit, or tense) that has
    either of them."""
    for known in conflicts:
        if known.kind == kind and (a in known.facts or b in known.facts):
            # An outlet is on one side only: a fact whose outlet a side already gives stays out.
            new = [f for f in (a, b) if f not in known.facts and not any(f.sources & g.sources for g in known.facts)]
            known.facts = sorted([*known.facts, *new], key=_told_first)
            return
    conflicts.append(Conflict(topic=topic, facts=[a, b], kind=kind))


def _told_first(f: Fact) -> tuple[int, int]:
    """Where a fact is first told: its first citation (the story's claims are in input order)."""
    return (f.citations[0].source, f.citations[0].start)


def off_story(claims: Sequence[Claim], paragraphs: dict[int, list[tuple[int, int, set[str]]]],
              min_shared: int = SETTINGS.merge.off_story_words) -> tuple[list[Claim], list[Claim]]:
    """(kept, dropped): with several articles, a claim is about something else (a teaser for
    another story, a bio) when it is an island: fewer than ``min_shared`` of its content words
    appear in the other articles, and fewer than that in the rest of its own article.

    ``paragraphs``: per article, its content paragraphs as (start, end, content words)."""
    if len(paragraphs) < 2:
        return list(claims), []
    per_article = {aid: set().union(*(w for _, _, w in paras)) for aid, paras in paragraphs.items()}
    others_of = {aid: set().union(*(w for other, w in per_article.items() if other != aid)) for aid in per_article}
    kept, dropped = [], []
    for c in claims:
        others = others_of.get(c.article_id, set())
        own_rest: set[str] = set().union(*(w for s, e, w in paragraphs.get(c.article_id, [])
                                            if not (s <= c.span.start < e)))
        words = content_words(c.span.quote)
        if len(words & others) >= min_shared or len(words & own_rest) >= min_shared:
            kept.append(c)
        else:
            dropped.append(c)
    return kept, dropped
