"""Compose: a story's facts told by the model, and its reply checked into a briefing.

``tell_story`` merges a story's claims into facts, finds where outlets' figures differ, ranks the
facts and keeps the best (``select_facts``), and asks the model for a headline and a summary over
the top of them (``synthesize``, the one place a composition call is made), citing fact ids.
``assemble`` turns its reply into a Briefing: unknown ids are stripped, a sentence left without a
valid citation is dropped, and so is every sentence the support check (``support.py``) refuses
against the facts it cites. The points are the best facts in their own words; where outlets'
figures differ, the sides are told together. A story of one article is told without a
composition (``item_points``).
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import openai
from pydantic import BaseModel, ConfigDict, Field

from .batch import gather_deferring
from .client import CONFIGURATION_ERRORS, CallFailed, ModelClient, connection_words
from .errors import ServerUnreachable
from .headline import fallback_headline, headline_ok, needs_headline, retitle, shortened
from .merge import disputed_sides, find_conflicts, merge_facts
from .models import (
    Article,
    Briefing,
    Chunk,
    Claim,
    Conflict,
    Disagreement,
    Fact,
    Point,
    SourceRef,
    Span,
    Story,
)
from .parsing import inline_schema
from .plan import BuildOptions, Progress, RunPlan
from .prompts import Prompt
from .selection import Said, context_of, rank_facts, says_again, select_facts, top_that_fit
from .settings import SETTINGS
from .stats import StoryReport
from .stories import Plan
from .support import about, numbers_in, supported
from .textutil import content_words, coverage, is_call_to_action, is_directive, jaccard, not_reporting, without_dateline
from .tokens import count_tokens
from .verify import SourceIndex

# --- what the model returns ---------------------------------------------------------------


# Bounds sent with the schema (not enforced when validating): with a grammar they bound what the
# model can write, so a reply cannot run on to its token cap. A news sentence is rarely longer
# than 240 characters (the seeds' longest is 236); a headline is under 90.


class CitedSentence(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str = Field(json_schema_extra={"maxLength": SETTINGS.compose.sentence_chars})
    facts: list[str] = Field(description='Ids of the facts that support the sentence, e.g. ["F1", "F4"].')


class SynthesisDisagreement(BaseModel):
    model_config = ConfigDict(extra="ignore")
    topic: str = Field(json_schema_extra={"maxLength": SETTINGS.compose.topic_chars})
    positions: list[CitedSentence] = Field(max_length=4)


class Synthesis(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str = Field(json_schema_extra={"maxLength": SETTINGS.compose.title_chars})
    summary: list[CitedSentence] = Field(max_length=3)
    # Not asked for (``synthesis_schema``); a reply that carries them anyway has them checked.
    points: list[CitedSentence] = Field(default_factory=list, max_length=12)
    disagreements: list[SynthesisDisagreement] = Field(default_factory=list, max_length=4)
    open_questions: list[str] = Field(default_factory=list, max_length=3)


def synthesis_schema(fact_ids: Sequence[str]) -> dict[str, Any]:
    """The schema sent for one composition over facts ``fact_ids``: a headline and a summary whose
    sentences cite only those ids, at most SETTINGS.compose.facts_per_sentence of them; every list
    and string bounded. Points and disagreements are not asked for: the facts are the points, the
    code finds where outlets differ, and on one eval run of dev clusters 0-27 the embedded model's
    points were kept 23 of 60 times and its disagreement sides 0 of 8, for about 40% of the tokens it
    generated (replayed without them: R-L 0.213 against 0.216, precision 0.68 against 0.67, recall
    0.39 against 0.38; the seeds' briefing the same)."""
    js = inline_schema(Synthesis)
    props = js["properties"]
    sentence = props["summary"]["items"]
    sentence["properties"]["facts"]["items"] = {"type": "string", "enum": list(fact_ids) or ["F1"]}
    sentence["properties"]["facts"]["maxItems"] = SETTINGS.compose.facts_per_sentence
    sentence["properties"]["facts"]["minItems"] = 1
    props["summary"]["maxItems"] = SETTINGS.compose.summary_sentences
    # Open questions are not asked for either: on the embedded model they were generic ("What is
    # the current status of …?") and cost 35 of the seeds' 401 generated tokens.
    for key in ("points", "disagreements", "open_questions"):
        del props[key]
    js["required"] = [k for k in js.get("required", []) if k in props]
    return js


# --- the facts it reads -------------------------------------------------------------------


def render_facts(facts: Sequence[Fact]) -> str:
    lines = []
    for f in facts:
        n = len(f.sources)
        lines.append(f"{f.id} ({n} source{'s' if n != 1 else ''}): {' '.join(f.text.split())}")
    return "\n".join(lines)


def render_conflicts(conflicts: Sequence[Conflict], known: dict[str, Fact]) -> str:
    lines = []
    for c in conflicts:
        if all(known.get(f.id) is f for f in c.facts):
            lines.append(f"- {c.topic}: " + " vs ".join(f"{f.id} ({' '.join(f.text.split())})" for f in c.facts))
    return "\n".join(lines) or "(none found)"


# --- checking the reply -------------------------------------------------------------------

_ID = re.compile(r"[Ff]?\s*(\d+)")


def fact_ids(raw: Sequence[str], known: dict[str, Fact]) -> list[str]:
    """Known ids among ``raw``, normalised ("f3", "[F3]", "3" -> "F3"); unknown ones are stripped."""
    out: list[str] = []
    for r in raw:
        for m in _ID.finditer(str(r)):
            fid = f"F{int(m.group(1))}"
            if fid in known and fid not in out:
                out.append(fid)
    return out


def check_sentence(s: CitedSentence, facts: dict[str, Fact], dropped: Counter[str]) -> Point | None:
    text = without_dateline(" ".join(s.text.split()))
    if not text:
        return None
    ids = fact_ids(s.facts, facts)
    if len(ids) < len(s.facts):
        dropped["unknown fact ids stripped"] += len(s.facts) - len(ids)
    if not ids:
        dropped["no valid citation"] += 1
        return None
    # Keep only the cited facts that bear on the sentence: a point citing seven facts at once
    # would otherwise pass the support check on their combined words.
    if (why := not_reporting(text)) in ("a sentence cut short", "a fragment", "a transcript in capitals"):
        dropped[f"model sentence that does not report ({why})"] += 1
        return None
    words = content_words(text)
    least = SETTINGS.compose.relevant_words
    relevant = [i for i in ids if len(words & content_words(facts[i].support)) >= min(least, len(words))]
    if len(relevant) < len(ids):
        dropped["irrelevant citations stripped"] += len(ids) - len(relevant)
    if not relevant:
        dropped["not supported by its cited quotes"] += 1
        return None
    cites: list[Span] = []
    for i in relevant:
        for c in facts[i].citations:
            if c not in cites:
                cites.append(c)
    if not supported(text, " ".join(c.quote for c in cites)):
        dropped["not supported by its cited quotes"] += 1
        return None
    # A sentence that one cited fact supports alone cites only the facts that do: the model also
    # citing "are set to meet" for "met", or "about 30 countries" for "about a dozen", would have
    # the statement cite a sentence that says otherwise.
    alone = [i for i in relevant if supported(text, facts[i].support)]
    if alone and len(alone) < len(relevant):
        dropped["citations that say otherwise stripped"] += len(relevant) - len(alone)
        cites = []
        for i in alone:
            cites += [c for c in facts[i].citations if c not in cites]
    return Point(text=text, citations=cites)


# A sentence that opens by referring back to the one before it: a pronoun subject ("He insisted",
# "She added", "They said") or a possessive ("His remarks").
_REFERS_BACK = re.compile(r"(?:He|She|They|His|Her|Their|It)\s")


def continuation(fact: Fact, facts: Sequence[Fact]) -> Fact | None:
    """The fact that continues ``fact`` in one of its articles: the very next sentence, when it
    opens by referring back to this one ("Sweden's minister echoed those doubts. He insisted …").
    The two are one point, so that the second has its subject and a quote its speaker."""
    for c in fact.citations:
        for g in facts:
            if g is not fact and _REFERS_BACK.match(g.text) and any(
                    d.source == c.source and 0 <= d.start - c.end <= 3 for d in g.citations):
                return g
    return None


def fit_words(sentences: list[Point], most: int) -> tuple[list[Point], list[Point]]:
    """(the first sentences that fit ``most`` words, always at least one; the rest)."""
    n, words = 1, len(sentences[0].text.split()) if sentences else 0
    while n < len(sentences) and words + len(sentences[n].text.split()) <= most:
        words += len(sentences[n].text.split())
        n += 1
    return sentences[:n], sentences[n:]


def _keep(points: list[Point], ok: Callable[[Point], bool], reason: str, dropped: Counter[str]) -> list[Point]:
    """The points ``ok`` keeps; each one it does not is counted under ``reason``."""
    kept = [p for p in points if ok(p)]
    if len(kept) < len(points):
        dropped[reason] += len(points) - len(kept)
    return kept


def _near_duplicate(p: Point, others: Sequence[Point]) -> bool:
    """Same words and same figures: "six nations pledged troops" is no repeat of "a dozen"."""
    words, figures = content_words(p.text), numbers_in(p.text)
    overlap = SETTINGS.compose.repeat_overlap
    return any(jaccard(words, content_words(o.text)) >= overlap and numbers_in(o.text) == figures for o in others)


def assemble(
    synthesis: Synthesis | None,
    facts: Sequence[Fact],
    conflicts: Sequence[Conflict],
    sources: Sequence[SourceRef],
    *,
    min_points: int = 8,
    max_points: int = 12,
    written: Counter[str] | None = None,
) -> tuple[Briefing, Counter[str]]:
    """The briefing from the model's reply and the facts. ``written`` (when given) counts what
    the model wrote and what of it the checks kept: "title", "summary", "points" and "sides",
    each as "<kind> written" and "<kind> kept"."""
    by_id = {f.id: f for f in facts}
    dropped: Counter[str] = Counter()
    syn = synthesis or Synthesis(title="", summary=[], points=[])

    summary = [p for s in syn.summary if (p := check_sentence(s, by_id, dropped))]
    # What a reader reads first reports (no question, exclamation or quote without its speaker),
    # and never tells as settled what the outlets dispute: a sentence that cites a side of a
    # disagreement cites the side most outlets give ("met", not the one outlet's "are set to
    # meet"); so does the headline.
    lesser = disputed_sides(conflicts)
    summary = _keep(summary, lambda p: not not_reporting(p.text), "summary sentence that does not report", dropped)
    summary = _keep(summary, lambda p: not any((c.source, c.start) in lesser for c in p.citations),
                    "summary sentence that takes a disputed side", dropped)
    summary, cut = fit_words(summary, SETTINGS.compose.summary_words)  # what does not fit is not said
    if cut:
        dropped["summary sentence past the summary's words"] += len(cut)
    if summary and not tells_the_top(summary, facts, SETTINGS.compose.summary_top_facts):
        dropped["summary that tells none of the top facts"] += len(summary)  # the top facts stand in
        summary = []
    said = Said.over([f.text for f in facts])  # what the briefing has said so far
    for p in summary:
        said.add(p.text)
    # The facts where outlets differ are told side by side under the disagreements, not again as
    # points: each fact is told once.
    sides = {(c.source, c.start) for conflict in conflicts for f in conflict.facts for c in f.citations}
    once = SETTINGS.compose.said_before
    points: list[Point] = []
    for s in syn.points:
        p = check_sentence(s, by_id, dropped)
        if p is None:
            continue
        if _near_duplicate(p, points) or _near_duplicate(p, summary) or says_again(p.text, said, once) or \
                all((c.source, c.start) in sides for c in p.citations):
            dropped["repeated point"] += 1
            continue
        points.append(p)
        said.add(p.text)
    model_points = len(points)
    model_summary = len(summary)
    # Without a summary from the model, the two best-corroborated facts are the summary (when
    # enough are left for the points), and then not points as well: each fact is said once.
    summary_from_facts = not summary
    # What happened leads, even where outlets differ on a detail of it: the best-ranked fact may be
    # the side of a disagreement most outlets give (the seeds: "met on April 10", against one
    # outlet's "are set to meet"); it opens the summary, and is told among the sides as well.
    lead = leading_side(facts, sides, lesser) if summary_from_facts else None
    if lead is not None:
        said.add(lead.text)
    want = min_points + (2 if summary_from_facts else 0) - (lead is not None)
    # Every fact that several outlets report belongs in the briefing; then fill up to min_points
    # from the best-supported facts the model left out, in the facts' own (verified) words.
    used = {(c.source, c.start) for p in [*points, *summary] for c in p.citations} | sides

    tried: set[int] = set()

    def add(f: Fact) -> bool:
        """``f`` as a point, unless it cannot be one or repeats one (each fact is weighed once);
        whether it was added."""
        nonlocal used
        if id(f) in tried or any((c.source, c.start) in used for c in f.citations):
            return False
        tried.add(id(f))
        if not_reporting(f.text):  # a question, a speakerless quote, a photo's caption
            dropped["fact that does not report: not a point"] += 1
            return False
        if says_again(f.text, said, once):
            dropped["fact said already: not a point"] += 1
            return False
        if _REFERS_BACK.match(f.text):  # "He insisted …" alone: who? Told with the sentence before it, or not
            dropped["fact that refers back: not a point on its own"] += 1
            return False
        p = as_point(f)
        after = continuation(f, facts)
        if after is not None and not any((c.source, c.start) in used for c in after.citations) and \
                len(p.text.split()) + len(after.text.split()) <= SETTINGS.compose.pair_words:
            p = Point(text=f"{p.text} {' '.join(after.text.split())}", citations=[*f.citations, *after.citations])
        if _near_duplicate(p, points):
            return False
        points.append(p)
        said.add(p.text)
        used |= {(c.source, c.start) for c in p.citations}
        return True

    for f in facts:  # every fact that several outlets report, first
        if len(f.sources) >= 2 and len(points) < max_points + 2:
            add(f)
    # Every outlet is heard: an article no statement cites yet gives its best fact (the next day's
    # new outlet on a continuing story, an outlet's own report), before the rest fill the room. A
    # figure given as a side of a disagreement is not its report (the seeds' S5, on the
    # coalition's divisions, was heard only as "Just 6 western nations back …").
    heard = {c.source for p in [*points, *summary, *([lead] if lead else [])] for c in p.citations}
    for src in sources:
        if len(points) >= want:
            break
        if src.id in heard:
            continue
        for f in facts:
            if src.id in f.sources and add(f):
                heard |= f.sources
                break
    for f in facts:  # then the best of the rest, in rank order
        if len(points) >= want:
            break
        add(f)
    # Most important first: in the order of the facts (ranked by selection.rank_facts), a point
    # where the best fact it cites ranks.
    rank = {(c.source, c.start): i for i, f in enumerate(facts) for c in f.citations}
    points.sort(key=lambda p: min((rank.get((c.source, c.start), len(rank)) for c in p.citations), default=len(rank)))
    if summary_from_facts and (lead is not None or len(points) >= want):
        # the best-ranked statements that fit the summary's words together (a long one stays a
        # point: the seeds' lead of 25 words and a quote of 35 would have been one sentence)
        summary = [lead] if lead else []
        room = SETTINGS.compose.summary_words - sum(len(p.text.split()) for p in summary)
        for p in list(points) if len(points) >= want else []:
            if len(summary) >= SETTINGS.compose.summary_sentences:
                break
            if len(p.text.split()) <= room or not summary:
                summary.append(p)
                points.remove(p)
                room -= len(p.text.split())
    summary, rest = fit_words(summary, SETTINGS.compose.summary_words)
    if summary_from_facts:
        points = rest + points  # a fact not in the summary is still a point
    points = within(points, summary, max_points)

    disagreements: list[Disagreement] = []
    for d in syn.disagreements:
        positions = [Point(text=p.text, citations=p.citations)
                     for s in d.positions if (p := check_sentence(s, by_id, dropped))]
        # Two sides, from different sources, citing different facts, about the topic named.
        if len(positions) < 2 or len({c.source for p in positions for c in p.citations}) < 2 or \
                len({tuple((c.source, c.start) for c in p.citations) for p in positions}) < len(positions):
            dropped["one-sided disagreement"] += 1
            continue
        topic = " ".join(d.topic.split())
        if not supported(topic, " ".join(c.quote for p in positions for c in p.citations)):
            dropped["disagreement topic not supported by its sides"] += 1
            continue
        disagreements.append(Disagreement(topic=topic, positions=positions))
    covered = {(c.source, c.start) for d in disagreements for p in d.positions for c in p.citations}
    added = 0
    for conflict in conflicts:
        if all(any((c.source, c.start) in covered for c in f.citations) for f in conflict.facts):
            continue
        disagreements.append(Disagreement(
            topic=conflict.topic,
            positions=[Point(text=f.text, citations=list(f.citations)) for f in conflict.facts],
        ))
        added += 1

    title = " ".join(syn.title.split())
    all_quotes = " ".join(c.quote for f in facts for c in f.citations)
    if not headline_ok(title, facts, lesser):
        title = fallback_headline(sources, [*summary, *points])
    # An open question is model-written text like any other: it must be about what the quotes
    # say (the same support check as a point), or it is not shown.
    questions = []
    for q in syn.open_questions:
        q = " ".join(q.split())
        if not q.endswith("?") or is_directive(q) or not about(q, all_quotes):
            dropped["open question not supported by the quotes"] += bool(q)
            continue
        questions.append(q)
    questions = questions[: SETTINGS.compose.open_questions]
    if written is not None:
        model_title = " ".join(syn.title.split())
        written.update({
            "title written": int(bool(model_title)), "title kept": int(bool(model_title) and title == model_title),
            "summary written": len(syn.summary), "summary kept": model_summary,
            "points written": len(syn.points), "points kept": model_points,
            "sides written": sum(len(d.positions) for d in syn.disagreements),
            "sides kept": sum(len(d.positions) for d in disagreements[: len(disagreements) - added]),
        })
    story = Story(id="", title=title, summary=" ".join(p.text for p in summary), summary_sentences=summary,
                  points=points, disagreements=disagreements, open_questions=questions,
                  sources=[s.id for s in sources], outlets=len(sources), reason="")
    briefing = Briefing(sources=list(sources), stories=[story])
    return briefing, dropped


def tells_the_top(summary: Sequence[Point], facts: Sequence[Fact], top: int) -> bool:
    """Whether a summary cites one of the ``top`` best-ranked facts that report (what happened),
    not only a detail further down (the mixed day: "The group's most recent hit was a tag-team
    with Cardi B" for Maroon 5's halftime show); always, with ``top`` 0."""
    if top <= 0:
        return True
    best = [f for f in facts if not not_reporting(f.text)][:top]
    cited = {(c.source, c.start) for p in summary for c in p.citations}
    return any((c.source, c.start) in cited for f in best for c in f.citations)


def within(points: list[Point], summary: Sequence[Point], most: int) -> list[Point]:
    """At most ``most`` of the points, in their order: the last go first, but not one that is the
    only statement an outlet is heard in (every outlet is heard), unless only such are left."""
    points = list(points)
    while len(points) > most:
        def alone(i: int) -> bool:
            others = {c.source for j, p in enumerate([*points, *summary]) if j != i for c in p.citations}
            return not {c.source for c in points[i].citations} <= others

        cut = next((i for i in reversed(range(len(points))) if not alone(i)), len(points) - 1)
        del points[cut]
    return points


def leading_side(facts: Sequence[Fact], sides: AbstractSet[tuple[int, int]],
                 lesser: AbstractSet[tuple[int, int]]) -> Point | None:
    """The best-ranked fact that reports, as the summary's first sentence, when it is a side of a
    disagreement (``sides``: sentences by source and start) that no other side outnumbers
    (``lesser``: those another side does); else None (it is a point, or not told)."""
    top = next((f for f in facts if not not_reporting(f.text)), None)
    if top is None or not any((c.source, c.start) in sides for c in top.citations) or \
            any((c.source, c.start) in lesser for c in top.citations):
        return None
    return as_point(top)


def as_point(f: Fact) -> Point:
    """A fact told in its own words: without its dateline, shortened when it runs long."""
    return Point(text=shortened(without_dateline(" ".join(f.text.split()))), citations=list(f.citations))


async def synthesize(client: ModelClient, prompt: Prompt, facts: list[Fact], conflicts: list[Conflict],
                     progress: Progress) -> Synthesis:
    """The one composition call: the model writes the headline and the summary from the best of
    the ranked ``facts`` (those that fit ``compose.listed_tokens``: a short prompt, whatever the
    story's size; the points are the facts themselves)."""
    listed = top_that_fit(facts, SETTINGS.compose.listed_tokens,
                          lambda f: count_tokens(render_facts([f]), client.config.model) + 1)
    known = {f.id: f for f in listed}
    progress("synthesize", 0, 1)
    r = await client.structured(
        prompt, {"claims": render_facts(listed), "conflicts": render_conflicts(conflicts, known)},
        Synthesis, json_schema=synthesis_schema(list(known)),
    )
    progress("synthesize", 1, 1)
    return r.value


async def tell_story(plan: Plan, articles: list[Article], claims: list[Claim], client: ModelClient, prompt: Prompt,
                     headline_prompt: Prompt, options: BuildOptions, min_points: int, max_points: int,
                     progress: Progress) -> tuple[Story, StoryReport]:
    """Merge a story's claims into facts, find where outlets differ, rank them, and compose it
    (one call for its headline and summary; the points are its best facts); every sentence the
    model writes is checked against its facts.
    When the composed headline fails and no article has one, one short call asks for a headline
    alone (``headline.retitle``)."""
    facts = merge_facts(claims)
    conflicts = find_conflicts(facts)
    facts = ranked_facts(facts, articles, options, client.config.model, conflicts)
    synthesis: Synthesis | None = None
    failed: str | None = None
    if facts:
        try:
            synthesis = await synthesize(client, prompt, facts, conflicts, progress)
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
    # The points are the best facts in their own words (the model writes none); the summary too when
    # the model's fails its checks or the call failed.
    written: Counter[str] = Counter()
    briefing, dropped = assemble(synthesis, facts, conflicts,
                                 [a.ref() for a in articles], min_points=min_points, max_points=max_points,
                                 written=written)
    story = as_story(briefing, plan)
    if facts and failed is None and not written["title kept"] and needs_headline(articles):
        await retitle(story, facts, client, headline_prompt, written, disputed_sides(conflicts))
    return story, StoryReport(facts=len(facts), synthesis_dropped=dropped, failed=failed, written=written)


def ranked_facts(facts: list[Fact], articles: list[Article], options: BuildOptions, model: str,
                 conflicts: Sequence[Conflict] = ()) -> list[Fact]:
    """A story's facts, most important first (selection.rank_facts), renumbered F1, F2, … in that
    order: the model reads the best first, and the points are filled in that order. Unless
    ``--select never``, only the best that fit ``candidate_tokens``, without those that mostly
    repeat a better one."""
    indexes = {a.id: SourceIndex.build(a) for a in articles}
    ctx = context_of({a.id: a.text for a in articles}, {a.id: indexes[a.id].sentences for a in articles})
    if options.select == "never":
        chosen = rank_facts(facts, ctx, SETTINGS.selection.weights)
    else:
        # A fact that mostly repeats a better one takes no room in the call (bench/seeds_key_facts.py
        # --no-model: 11 -> 13 of 19 key facts; bench/salience.py: dev summaries' sentences covered
        # 0.549 -> 0.576); a side of a disagreement stays, to be listed with it.
        chosen = select_facts(facts, ctx, options.candidate_tokens,
                              lambda f: count_tokens(render_facts([f]), model) + 1, SETTINGS.selection.weights,
                              keep=[f for c in conflicts for f in c.facts])
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
            if len(text.split()) < SETTINGS.compose.item_words or text == title or index.touches_directive(s, e) \
                    or is_call_to_action(text) or not_reporting(text):
                continue
            out.append(Point(text=without_dateline(text), citations=[Span(source=article.id, quote=quote, start=s,
                                                                                      end=e)]))
            if len(out) >= n:
                return out
    return out


def as_story(b: Briefing, plan: Plan) -> Story:
    """The story a composition told, placed in the day: its articles, outlets and rank."""
    told = b.stories[0]
    return told.model_copy(update={"sources": list(plan.members), "outlets": plan.outlets, "reason": plan.reason,
                                   "composed": True})


async def tell_all(run: RunPlan, claims: list[list[Claim]], by_id: dict[int, Article], client: ModelClient,
                   prompts: dict[str, Prompt], options: BuildOptions,
                   progress: Progress) -> list[tuple[Story, StoryReport]]:
    """Every story of ``run.composed`` told from its claims, ``options.concurrency`` at a time, in
    that order. With several stories, each is told in fewer points than a single one."""
    one_story = len(run.plans) == 1
    min_points = options.min_points if one_story else min(options.min_points, options.story_min_points)
    max_points = options.max_points if one_story else min(options.max_points, options.story_max_points)
    sem = asyncio.Semaphore(max(1, options.concurrency))
    told: list[tuple[Story, StoryReport] | None] = [None] * len(run.composed)
    done = 0
    if run.composed:
        progress("stories composed", 0, len(run.composed))

    async def tell(k: int, p: Plan) -> None:
        nonlocal done
        n = points_for(p.outlets, options)
        async with sem:
            told[k] = await tell_story(p, [by_id[i] for i in p.members], claims[k], client, prompts["synthesize"],
                                       prompts["headline"], options,
                                       min(min_points, n), min(max_points, n), lambda _s, _d, _t: None)
        done += 1
        progress("stories composed", done, len(run.composed))

    await gather_deferring(tell(k, p) for k, p in enumerate(run.composed))
    return [t for t in told if t is not None]


def points_for(outlets: int, options: BuildOptions) -> int:
    """How many points a story gets: ``--points N``, else three and one per outlet, at most ten
    (a reader takes in a story of two outlets in five points, and no story in more than ten)."""
    c = SETTINGS.compose
    return options.points or min(c.points_most, c.points_base + outlets)


def item_story(article: Article, plan: Plan, n: int) -> tuple[Story, list[Point]]:
    """A story of one article, told without a composition: its title (when it reads like a
    headline, else one made from its first statements) and its first ``n`` sentences that state
    something; and the statements its headline is made from (``item_headline_facts``, at least)."""
    leads = item_points(article, plan.chunks, max(n, SETTINGS.compose.item_headline_facts))
    title = fallback_headline([article.ref()], leads)
    story = Story(id="", title=title, points=beyond_headline(title, leads, n), sources=[article.id],
                  outlets=plan.outlets, reason=plan.reason)
    return story, leads


def beyond_headline(title: str, leads: Sequence[Point], n: int) -> list[Point]:
    """A one-article item's first ``n`` statements, but for one its headline was made from: the
    headline's words all its own and half of its words the headline's (on the mixed day, "High-profile
    Hollywooders are offering up … contributions both Barack Obama and Mitt Romney" told twice),
    while another is left to tell."""
    def again(p: Point) -> bool:
        return coverage(title, p.text) >= 0.9 and coverage(p.text, title) >= SETTINGS.compose.item_told_by_headline

    fresh = [p for p in leads if not again(p)]
    return fresh[:n] if len(fresh) >= min(n, len(leads)) else list(leads[:n])


async def tell_items(plans: Sequence[Plan], by_id: dict[int, Article], client: ModelClient, prompt: Prompt,
                     options: BuildOptions, progress: Progress) -> list[Story]:
    """Every story of one article (``item_story``), in order; an article whose title does not
    read like a headline gets one from the model (``retitle``: one short call), ``options.concurrency``
    at a time."""
    items = [item_story(by_id[p.members[0]], p, options.item_points) for p in plans]
    untitled = [it for it, p in zip(items, plans, strict=True) if needs_headline([by_id[p.members[0]]])]
    if not untitled:
        return [st for st, _ in items]
    sem = asyncio.Semaphore(max(1, options.concurrency))
    done = 0
    progress("headlines written", 0, len(untitled))

    async def one(st: Story, leads: list[Point]) -> None:
        nonlocal done
        async with sem:
            await retitle(st, leads, client, prompt)
        done += 1
        progress("headlines written", done, len(untitled))

    await gather_deferring(one(st, leads) for st, leads in untitled)
    for st, leads in untitled:  # a headline from the model may be its first statement again
        st.points = beyond_headline(st.title, leads, options.item_points)
    return [st for st, _ in items]


def day_briefing(stories: list[Story], kept: list[Article], since_run: int | None) -> Briefing:
    """The briefing of the day: its stories and the articles they cite (a run of one story is a
    briefing of one story)."""
    return Briefing(sources=[a.ref() for a in kept], stories=stories, since_run=since_run)
