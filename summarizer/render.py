"""Rendering a briefing: Markdown for people, JSON for tools. Pure functions."""

from __future__ import annotations

import json
from typing import Any

from .models import Briefing, Citation, Point, SourceRef


class Notes:
    """Footnote numbers for citations, in order of first use; one note per distinct span."""

    def __init__(self) -> None:
        self.order: list[Citation] = []
        self._index: dict[tuple[int, int, int], int] = {}

    def mark(self, citations: list[Citation]) -> str:
        marks = []
        for c in citations:
            key = (c.source, c.start, c.end)
            if key not in self._index:
                self.order.append(c)
                self._index[key] = len(self.order)
            marks.append(f"[{self._index[key]}]")
        return "".join(marks)


def source_label(s: SourceRef) -> str:
    return f"S{s.id} ({s.outlet})" if s.outlet else f"S{s.id}"


def as_sentence(text: str) -> str:
    """For display: a sentence ends with punctuation before its citation markers."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "\"", "”", "’", "'", ")")) else text + "."


def _sentence(p: Point, notes: Notes) -> str:
    return f"{as_sentence(p.text)}{notes.mark(p.citations)}"


def _oneline(text: str) -> str:
    return " ".join(text.split())


def to_markdown(b: Briefing) -> str:
    notes = Notes()
    sources = {s.id: s for s in b.sources}
    out = [f"# {b.title}", ""]
    if b.summary_sentences:
        out += [" ".join(_sentence(p, notes) for p in b.summary_sentences), ""]
    if b.points:
        out += ["## Key points", ""]
        for p in b.points:
            n = len({c.source for c in p.citations})
            tag = f" *({n} sources)*" if n > 1 else ""
            out.append(f"- {_sentence(p, notes)}{tag}")
        out.append("")
    if b.disagreements:
        out += ["## Where sources disagree", ""]
        for d in b.disagreements:
            out.append(f"**{d.topic}**")
            out.append("")
            for pos in d.positions:
                who = ", ".join(dict.fromkeys(source_label(sources[c.source]) for c in pos.citations
                                              if c.source in sources))
                out.append(f"- {who}: {_sentence(Point(text=pos.text, citations=pos.citations), notes)}")
            out.append("")
    if b.open_questions:
        out += ["## Open questions", ""]
        out += [f"- {q}" for q in b.open_questions]
        out.append("")
    if notes.order:
        out += ["## Quoted evidence", ""]
        for n, c in enumerate(notes.order, start=1):
            out.append(f"{n}. S{c.source}: “{_oneline(c.quote)}”")
        out.append("")
    out += ["## Sources", ""]
    for s in b.sources:
        parts = [f"**S{s.id}** {s.title}"]
        if s.outlet:
            parts.append(s.outlet)
        if s.published:
            parts.append(s.published)
        parts.append(f"<{s.url}>" if s.url else f"`{s.path}`")
        out.append("- " + " — ".join(parts))
    st = b.stats
    if st:
        out += ["", f"*{st.get('articles', 0)} articles · {st.get('claims_kept', 0)} verified claims · "
                    f"{st.get('points', 0)} points · model {st.get('model', '?')}*"]
    return "\n".join(out).rstrip() + "\n"


def citations_json(cs: list[Citation]) -> list[dict[str, Any]]:
    return [{"source": c.source, "quote": c.quote, "start": c.start, "end": c.end} for c in cs]


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
        "stats": b.stats,
    }


def to_json(b: Briefing) -> str:
    return json.dumps(to_json_obj(b), indent=2, ensure_ascii=False) + "\n"
