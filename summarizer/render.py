"""Rendering a briefing: Markdown for people, JSON for tools. Pure functions.

Everything in the Markdown that comes from an article or a model (titles, outlets, paths, URLs,
quotes, statements, topics, questions) goes through ``md_text``: it renders as the same plain
text, so an article cannot add a heading, a list, a link, a code span or raw HTML. The only links
are a source's http(s) URL, as an autolink.
"""

from __future__ import annotations

import json
from typing import Any

from .models import Briefing, Point, SourceRef, Span, Story, Telling
from .sanitize import md_text, safe_url


class Notes:
    """Footnote numbers for citations, in order of first use; one note per distinct span."""

    def __init__(self) -> None:
        self.order: list[Span] = []
        self._index: dict[tuple[int, int, int], int] = {}

    def mark(self, citations: list[Span]) -> str:
        marks = []
        for c in citations:
            key = (c.source, c.start, c.end)
            if key not in self._index:
                self.order.append(c)
                self._index[key] = len(self.order)
            marks.append(f"[{self._index[key]}]")
        return "".join(marks)


def source_label(s: SourceRef) -> str:
    """For Markdown: "S2 (outlet)", the outlet escaped."""
    return f"S{s.id} ({md_text(s.outlet)})" if s.outlet else f"S{s.id}"


def as_sentence(text: str) -> str:
    """For display: a sentence ends with punctuation before its citation markers."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "\"", "”", "’", "'", ")")) else text + "."


def _sentence(p: Point, notes: Notes) -> str:
    return f"{md_text(as_sentence(p.text))}{notes.mark(p.citations)}"


def _single(b: Briefing) -> str:
    notes = Notes()
    sources = {s.id: s for s in b.sources}
    out = [f"# {md_text(b.title)}", ""]
    if b.stories and b.stories[0].timeline:
        out += [f"*{md_text(so_far(b.stories[0]))}*", ""]
    if b.summary_sentences:
        out += [" ".join(_sentence(p, notes) for p in b.summary_sentences), ""]
    if b.points:
        out += ["## Key points", ""]
        for p in b.points:
            n = len({c.source for c in p.citations})
            tag = f" *({n} sources)*" if n > 1 else ""
            out.append(f"- {'**new** ' if p.new else ''}{_sentence(p, notes)}{tag}")
        out.append("")
    if b.disagreements:
        out += ["## Where sources disagree", ""]
        for d in b.disagreements:
            out.append(f"**{md_text(d.topic)}**")
            out.append("")
            for pos in d.positions:
                who = ", ".join(dict.fromkeys(source_label(sources[c.source]) for c in pos.citations
                                              if c.source in sources))
                out.append(f"- {who}: {_sentence(Point(text=pos.text, citations=pos.citations), notes)}")
            out.append("")
    if b.open_questions:
        out += ["## Open questions", ""]
        out += [f"- {md_text(q)}" for q in b.open_questions]
        out.append("")
    out += _evidence_and_sources(b, notes)
    return "\n".join(out).rstrip() + "\n"


def _evidence_and_sources(b: Briefing, notes: Notes) -> list[str]:
    out: list[str] = []
    if notes.order:
        out += ["## Quoted evidence", ""]
        for n, c in enumerate(notes.order, start=1):
            out.append(f"{n}. S{c.source}: “{md_text(c.quote)}”")
        out.append("")
    out += ["## Sources", ""]
    for s in b.sources:
        parts = [f"**S{s.id}** {md_text(s.title)}"]
        if s.outlet:
            parts.append(md_text(s.outlet))
        if s.published:
            parts.append(md_text(s.published))
        url = safe_url(s.url)
        parts.append(f"<{url}>" if url else md_text(s.url or s.path))
        out.append("- " + " — ".join(parts))
    st = b.stats
    if st is not None:
        out += ["", f"*{st.articles} articles · {st.claims_kept} verified claims · "
                    f"{st.points} points · model {md_text(st.model or '?')}*"]
    return out


def so_far(st: Story) -> str:
    """"So far: first seen 2026-11-28, in 2 earlier runs" for a continuing story ("" for a new one)."""
    if not st.timeline:
        return ""
    n = len(st.timeline)
    return f"So far: first seen {st.timeline[0].date[:10]}, in {n} earlier run{'s' if n != 1 else ''}"


def telling_json(t: Telling) -> dict[str, Any]:
    return {"run": t.run, "date": t.date, "title": t.title,
            "summary": [{"text": p.text, "citations": citations_json(p.citations)} for p in t.summary],
            "new_points": [{"text": p.text, "citations": citations_json(p.citations)} for p in t.new_points]}


def timeline_markdown(sid: str, told: list[Telling]) -> str:
    """``briefing show --story ID``: each run that carried the story, its summary and new points,
    every statement cited to its sentence (the quotes listed under each run)."""
    runs = f"{len(told)} run{'s' if len(told) != 1 else ''}"
    out = [f"# {md_text(told[-1].title)}", "", f"*story {md_text(sid)} · told in {runs}*", ""]
    for n, t in enumerate(told):
        notes = Notes()
        out += [f"## {t.date[:16].replace('T', ' ')} · run {t.run}", ""]
        if t.title != told[-1].title:
            out += [f"*{md_text(t.title)}*", ""]
        if t.summary:
            out += [" ".join(_sentence(p, notes) for p in t.summary), ""]
        out += [f"- {'' if n == 0 else '**new** '}{_sentence(p, notes)}" for p in t.new_points]
        if t.new_points:
            out.append("")
        elif n:
            out += ["Nothing new in this run.", ""]
        sources = {x.id: x for x in t.sources}
        for k, c in enumerate(notes.order, start=1):
            who = source_label(sources[c.source]) if c.source in sources else f"S{c.source}"
            out.append(f"{k}. {md_text(who)}: “{md_text(c.quote)}”")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def story_tags(st: Story, compared: bool) -> str:
    """"3 outlets · story s1a2b3c · new": the reason it ranks where it does, its id, news."""
    tags = [st.reason, f"story {st.id}"]
    if compared:
        tags.append("new story" if st.new else "continuing")
    return " · ".join(tags)


def to_markdown(b: Briefing) -> str:
    """One story: the briefing as before. Several: a contents list, then each story in rank
    order (its summary, points, disagreements), then the evidence and sources of all."""
    if len(b.stories) <= 1:
        return _single(b)
    notes = Notes()
    sources = {s.id: s for s in b.sources}
    compared = b.since_run is not None
    out = [f"# {md_text(b.title)}", ""]
    if compared:
        new = sum(st.new for st in b.stories)
        pts = sum(p.new for st in b.stories for p in st.points)
        out += [f"*Compared with run {b.since_run}: {new} new stor{'y' if new == 1 else 'ies'}, "
                f"{pts} new point{'s' if pts != 1 else ''} in continuing stories.*", ""]
    out += ["## Contents", ""]
    for n, st in enumerate(b.stories, start=1):
        out.append(f"{n}. {md_text(st.title)} — {md_text(story_tags(st, compared))}")
    out.append("")
    for n, st in enumerate(b.stories, start=1):
        out += [f"## {n}. {md_text(st.title)}", "", f"*{md_text(story_tags(st, compared))}*", ""]
        if st.timeline:
            out += [f"*{md_text(so_far(st))}*", ""]
        if st.summary_sentences:
            out += [" ".join(_sentence(p, notes) for p in st.summary_sentences), ""]
        for p in st.points:
            k = len({c.source for c in p.citations})
            tag = f" *({k} sources)*" if k > 1 else ""
            out.append(f"- {'**new** ' if p.new else ''}{_sentence(p, notes)}{tag}")
        if st.points:
            out.append("")
        for d in st.disagreements:
            out += [f"**Where sources disagree: {md_text(d.topic)}**", ""]
            for pos in d.positions:
                who = ", ".join(dict.fromkeys(source_label(sources[c.source]) for c in pos.citations
                                              if c.source in sources))
                out.append(f"- {who}: {_sentence(Point(text=pos.text, citations=pos.citations), notes)}")
            out.append("")
        out += ["Sources: " + ", ".join(source_label(sources[i]) for i in st.sources if i in sources), ""]
    out += _evidence_and_sources(b, notes)
    return "\n".join(out).rstrip() + "\n"


def citations_json(cs: list[Span]) -> list[dict[str, Any]]:
    return [{"source": c.source, "quote": c.quote, "start": c.start, "end": c.end} for c in cs]


def point_json(p: Point) -> dict[str, Any]:
    return {"text": p.text, "citations": citations_json(p.citations),
            "independent_sources": len({c.source for c in p.citations}), "new": p.new}


def story_json(st: Story) -> dict[str, Any]:
    return {
        "id": st.id, "title": st.title, "summary": st.summary,
        "summary_sentences": [{"text": p.text, "citations": citations_json(p.citations), "new": p.new}
                              for p in st.summary_sentences],
        "points": [point_json(p) for p in st.points],
        "disagreements": [
            {"topic": d.topic,
             "positions": [{"text": p.text, "citations": citations_json(p.citations)} for p in d.positions]}
            for d in st.disagreements
        ],
        "open_questions": st.open_questions,
        "sources": st.sources, "outlets": st.outlets, "reason": st.reason, "composed": st.composed,
        "new": st.new, "continues": st.continues,
        "timeline": [telling_json(t) for t in st.timeline],
    }


def to_json_obj(b: Briefing) -> dict[str, Any]:
    return {
        "title": b.title,
        "summary": b.summary,
        "summary_sentences": [{"text": p.text, "citations": citations_json(p.citations)} for p in b.summary_sentences],
        "sources": [s.model_dump() for s in b.sources],
        "points": [
            {"text": p.text, "citations": citations_json(p.citations),
             "independent_sources": len({c.source for c in p.citations})}
            for p in b.points
        ],
        "disagreements": [
            {"topic": d.topic,
             "positions": [{"text": p.text, "citations": citations_json(p.citations)} for p in d.positions]}
            for d in b.disagreements
        ],
        "open_questions": b.open_questions,
        "stories": [story_json(st) for st in b.stories],
        "since_run": b.since_run,
        "stats": b.stats.model_dump(mode="json") if b.stats is not None else {},
    }


def to_json(b: Briefing) -> str:
    return json.dumps(to_json_obj(b), indent=2, ensure_ascii=False) + "\n"
