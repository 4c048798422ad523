"""Reduce, model part: the synthesis schema, the fact list it reads, and the checks on its reply.

The model writes the briefing over a compact list of facts (merged, verified claims), citing
fact ids. ``assemble`` turns its reply into a Briefing: unknown ids are stripped, a sentence left
without a valid citation is dropped, and so is one that says what its cited quotes do not (a
figure they lack, or mostly other words). Deterministic conflicts the model missed are added, and
points are filled from the best-supported facts up to a minimum. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .models import Briefing, Citation, Claim, Conflict, Disagreement, Group, Point, Position, SourceRef
from .parsing import inline_schema
from .settings import SETTINGS
from .support import about, numbers_in, supported, title_supported
from .textutil import content_words, is_directive, jaccard

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
    points: list[CitedSentence] = Field(max_length=12)
    disagreements: list[SynthesisDisagreement] = Field(default_factory=list, max_length=4)
    open_questions: list[str] = Field(default_factory=list, max_length=3)


def synthesis_schema(fact_ids: Sequence[str], max_points: int) -> dict[str, Any]:
    """The schema sent for one composition over facts ``fact_ids``: a sentence can cite only
    those ids, at most SETTINGS.compose.facts_per_sentence of them, and every list and string is bounded."""
    js = inline_schema(Synthesis)
    props = js["properties"]
    sentence = props["summary"]["items"]
    sentence["properties"]["facts"]["items"] = {"type": "string", "enum": list(fact_ids) or ["F1"]}
    sentence["properties"]["facts"]["maxItems"] = SETTINGS.compose.facts_per_sentence
    sentence["properties"]["facts"]["minItems"] = 1
    for key in ("points",):
        props[key]["items"] = sentence
    props["summary"]["maxItems"] = SETTINGS.compose.summary_sentences
    props["points"]["maxItems"] = max_points
    props["disagreements"]["maxItems"] = SETTINGS.compose.disagreements
    side = props["disagreements"]["items"]["properties"]["positions"]
    side["items"] = sentence
    side["maxItems"] = SETTINGS.compose.sides
    # Open questions are not asked for: on the embedded model they were generic ("What is the
    # current status of …?") and cost 35 of the seeds' 401 generated tokens.
    del props["open_questions"]
    js["required"] = [k for k in js.get("required", []) if k in props]
    return js


# --- the facts it reads -------------------------------------------------------------------


@dataclass
class Fact:
    id: str  # "F1"
    text: str
    citations: list[Citation]

    @property
    def sources(self) -> set[int]:
        return {c.source for c in self.citations}

    @property
    def support(self) -> str:
        return " ".join(c.quote for c in self.citations)


def citations_of(claims: Sequence[Claim]) -> list[Citation]:
    seen: set[tuple[int, int, int]] = set()
    out = []
    for c in claims:
        key = (c.span.source, c.span.start, c.span.end)
        if key not in seen:
            seen.add(key)
            out.append(Citation(source=c.span.source, quote=c.span.quote, start=c.span.start, end=c.span.end))
    return out


def facts_from_groups(groups: Sequence[Group], claims: dict[int, Claim]) -> list[Fact]:
    facts = []
    for n, g in enumerate(groups, start=1):
        members = [claims[i] for i in g.claim_ids]
        cites = citations_of(members)
        text = g.statement if supported(g.statement, " ".join(c.quote for c in cites)) else members[0].span.quote
        facts.append(Fact(id=f"F{n}", text=text, citations=cites))
    return facts


def render_facts(facts: Sequence[Fact]) -> str:
    lines = []
    for f in facts:
        n = len(f.sources)
        lines.append(f"{f.id} ({n} source{'s' if n != 1 else ''}): {' '.join(f.text.split())}")
    return "\n".join(lines)


FactConflict = tuple[str, list[Fact]]  # (topic, the facts that disagree)


def conflicts_as_facts(conflicts: Sequence[Conflict], group_fact: dict[int, Fact]) -> list[FactConflict]:
    out = []
    for c in conflicts:
        fs = [group_fact[g] for g in c.group_ids if g in group_fact]
        if len(fs) >= 2:
            out.append((c.topic, fs))
    return out


def render_conflicts(conflicts: Sequence[FactConflict], known: dict[str, Fact]) -> str:
    lines = []
    for topic, fs in conflicts:
        if all(known.get(f.id) is f for f in fs):
            lines.append(f"- {topic}: " + " vs ".join(f"{f.id} ({' '.join(f.text.split())})" for f in fs))
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
    text = " ".join(s.text.split())
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
    words = content_words(text)
    relevant = [i for i in ids if len(words & content_words(facts[i].support)) >= min(2, len(words))]
    if len(relevant) < len(ids):
        dropped["irrelevant citations stripped"] += len(ids) - len(relevant)
    if not relevant:
        dropped["not supported by its cited quotes"] += 1
        return None
    cites: list[Citation] = []
    for i in relevant:
        for c in facts[i].citations:
            if c not in cites:
                cites.append(c)
    if not supported(text, " ".join(c.quote for c in cites)):
        dropped["not supported by its cited quotes"] += 1
        return None
    return Point(text=text, citations=cites)


def _near_duplicate(p: Point, others: Sequence[Point]) -> bool:
    """Same words and same figures: "six nations pledged troops" is no repeat of "a dozen"."""
    words, figures = content_words(p.text), numbers_in(p.text)
    overlap = SETTINGS.compose.repeat_overlap
    return any(jaccard(words, content_words(o.text)) >= overlap and numbers_in(o.text) == figures for o in others)


def assemble(
    synthesis: Synthesis | None,
    facts: Sequence[Fact],
    conflicts: Sequence[FactConflict],
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
    points: list[Point] = []
    for s in syn.points:
        p = check_sentence(s, by_id, dropped)
        if p is None:
            continue
        if _near_duplicate(p, points) or _near_duplicate(p, summary):
            dropped["repeated point"] += 1
            continue
        points.append(p)
    model_points = len(points)
    model_summary = len(summary)
    # Without a summary from the model, the two best-corroborated facts are the summary (when
    # enough are left for the points), and then not points as well: each fact is said once.
    summary_from_facts = not summary
    want = min_points + (2 if summary_from_facts else 0)
    # Every fact that several outlets report belongs in the briefing; then fill up to min_points
    # from the best-supported facts the model left out, in the facts' own (verified) words.
    used = {(c.source, c.start) for p in [*points, *summary] for c in p.citations}
    for f in facts:
        multi = len(f.sources) >= 2
        if len(points) >= (max_points + 2 if multi else want):
            if multi:
                continue
            break
        if any((c.source, c.start) in used for c in f.citations):
            continue
        p = Point(text=" ".join(f.text.split()), citations=list(f.citations))
        if not _near_duplicate(p, points):
            points.append(p)
            used |= {(c.source, c.start) for c in f.citations}
    # Best-corroborated first; the model's order of importance within the same support.
    points.sort(key=lambda p: -len({c.source for c in p.citations}))
    if summary_from_facts and len(points) >= min_points + 2:
        summary, points = points[:2], points[2:]
    points = points[:max_points]

    disagreements: list[Disagreement] = []
    for d in syn.disagreements:
        positions = [Position(text=p.text, citations=p.citations)
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
    for topic, fs in conflicts:
        if all(any((c.source, c.start) in covered for c in f.citations) for f in fs):
            continue
        disagreements.append(Disagreement(
            topic=topic,
            positions=[Position(text=f.text, citations=list(f.citations)) for f in fs],
        ))
        added += 1

    title = " ".join(syn.title.split())
    all_quotes = " ".join(c.quote for f in facts for c in f.citations)
    if not title or is_directive(title) or not title_supported(title, [f.support for f in facts]):
        title = sources[0].title if sources else "Briefing"
    # An open question is model-written text like any other: it must be about what the quotes
    # say (the same support check as a point), or it is not shown.
    questions = []
    for q in syn.open_questions:
        q = " ".join(q.split())
        if not q.endswith("?") or is_directive(q) or not about(q, all_quotes):
            dropped["open question not supported by the quotes"] += bool(q)
            continue
        questions.append(q)
    questions = questions[:3]
    if written is not None:
        model_title = " ".join(syn.title.split())
        written.update({
            "title written": int(bool(model_title)), "title kept": int(bool(model_title) and title == model_title),
            "summary written": len(syn.summary), "summary kept": model_summary,
            "points written": len(syn.points), "points kept": model_points,
            "sides written": sum(len(d.positions) for d in syn.disagreements),
            "sides kept": sum(len(d.positions) for d in disagreements[: len(disagreements) - added]),
        })
    briefing = Briefing(
        title=title,
        summary=" ".join(p.text for p in summary),
        summary_sentences=summary,
        sources=list(sources),
        points=points,
        disagreements=disagreements,
        open_questions=questions,
    )
    return briefing, dropped
