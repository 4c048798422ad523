"""The briefing as one self-contained HTML page. A pure function.

No script, no external request: styles are inline, and a Content-Security-Policy of
``default-src 'none'`` forbids any script, frame, image or connection even if something got
through. Every text from an article or a model is HTML-escaped; the only links are a source's
http(s) URL. A citation marker is a focusable element whose quoted sentence, outlet and link
show on hover and on keyboard focus (pure CSS), and are listed again under each story.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from .models import Briefing, Point, SourceRef, Span, Story
from .render import as_sentence, so_far, story_tags
from .sanitize import safe_url

SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a story id that can name a file and a fragment

CSS = """
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fff; --muted: #5a5a5a; --tip: #fffbe6;
        --line: #ddd; --new: #0a6b2f; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e8e8; --bg: #151515; --muted: #a8a8a8; --tip: #2a2618; --line: #333; --new: #6fd08f; }
}
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; font: 1.05rem/1.55 system-ui, sans-serif;
       color: var(--fg); background: var(--bg); }
h1 { font-size: 1.5rem; line-height: 1.25; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-top: 1px solid var(--line); padding-top: 1rem; }
.meta, .sources { color: var(--muted); font-size: .9rem; }
.new { color: var(--new); font-weight: 600; font-size: .8rem; text-transform: uppercase; margin-right: .3rem; }
ol.contents li { margin: .2rem 0; }
.cite { position: relative; display: inline-block; font-size: .75rem; vertical-align: super; line-height: 1;
        padding: .1rem .2rem; margin-left: .1rem; border-radius: .2rem; cursor: help; color: var(--muted);
        border: 1px solid var(--line); }
.cite:focus { outline: 2px solid #2b6cb0; }
.cite .tip { display: none; position: absolute; z-index: 2; left: 0; top: 1.4rem; width: min(22rem, 80vw);
             padding: .6rem; background: var(--tip); color: var(--fg); border: 1px solid var(--line);
             border-radius: .3rem; font-size: .9rem; line-height: 1.4; vertical-align: baseline;
             box-shadow: 0 2px 8px rgba(0, 0, 0, .25); }
.cite:hover .tip, .cite:focus .tip, .cite:focus-within .tip { display: block; }
/* A tip opened by hovering previews; it does not catch the pointer, so it never hides the next
   marker beneath it. A click or a tab pins it (focus), and then its link can be followed. */
.cite:not(:focus-within) .tip { pointer-events: none; }
.tip q { display: block; font-style: italic; margin-bottom: .3rem; }
.tip a { word-break: break-all; }
"""


def _source_line(s: SourceRef) -> str:
    parts = [f"<b>S{s.id}</b>", escape(s.outlet) if s.outlet else "", escape(s.title)]
    url = safe_url(s.url)
    if url:
        parts.append(f'<a href="{escape(url)}" rel="noopener noreferrer">{escape(url)}</a>')
    else:
        parts.append(escape(s.path))
    return " — ".join(p for p in parts if p)


class Markers:
    """Numbered citation markers, one number per distinct sentence, in order of first use."""

    def __init__(self, sources: dict[int, SourceRef]) -> None:
        self.sources = sources
        self.numbers: dict[tuple[int, int, int], int] = {}

    def mark(self, c: Span) -> str:
        key = (c.source, c.start, c.end)
        n = self.numbers.setdefault(key, len(self.numbers) + 1)
        s = self.sources.get(c.source)
        who = escape(f"S{c.source}" + (f" · {s.outlet}" if s and s.outlet else "") + (f" · {s.title}" if s else ""))
        url = safe_url(s.url) if s else None
        link = f'<br><a href="{escape(url)}" rel="noopener noreferrer">{escape(url)}</a>' if url else ""
        return (f'<span class="cite" tabindex="0" role="button" aria-label="source {n}: S{c.source}">{n}'
                f'<span class="tip" role="tooltip"><q>{escape(c.quote)}</q>{who} '
                f'<span class="offsets">(characters {c.start}–{c.end})</span>{link}</span></span>')

    def sentence(self, p: Point) -> str:
        new = '<span class="new">new</span>' if p.new else ""
        return new + escape(as_sentence(p.text)) + "".join(self.mark(c) for c in p.citations)


def _who(pos: Point, sources: dict[int, SourceRef]) -> str:
    """Who gives a side of a disagreement: "S1 (Reuters), S3" — the point of the section."""
    labels = dict.fromkeys(f"S{c.source}" + (f" ({sources[c.source].outlet})" if sources[c.source].outlet else "")
                           for c in pos.citations if c.source in sources)
    return f'<b>{escape(", ".join(labels))}:</b> ' if labels else ""


def _story(st: Story, n: int | None, markers: Markers, compared: bool, timeline_href: str | None = None,
           heading: bool = True) -> list[str]:
    """One story's section; ``heading``: its title as a heading (not on a one-story page, whose
    title is the page's)."""
    out = []
    head = f"{n}. {escape(st.title)}" if n else escape(st.title)
    out.append(f'<section id="{escape(st.id or "story")}">' + (f"<h2>{head}</h2>" if heading else ""))
    link = f' · <a href="{escape(timeline_href)}">timeline</a>' if timeline_href else ""
    out.append(f'<p class="meta">{escape(story_tags(st, compared))}{link}</p>')
    if st.timeline:
        out.append(f'<p class="meta">{escape(so_far(st))}</p>')
    if st.summary_sentences:
        out.append("<p>" + " ".join(markers.sentence(p) for p in st.summary_sentences) + "</p>")
    if st.points:
        out.append("<ul>" + "".join(f"<li>{markers.sentence(p)}</li>" for p in st.points) + "</ul>")
    for d in st.disagreements:
        out.append(f"<h3>Where sources disagree: {escape(d.topic)}</h3><ul>")
        for pos in d.positions:
            side = Point(text=pos.text, citations=pos.citations)
            out.append(f"<li>{_who(side, markers.sources)}{markers.sentence(side)}</li>")
        out.append("</ul>")
    if st.open_questions:
        out.append("<h3>Open questions</h3><ul>" + "".join(f"<li>{escape(q)}</li>" for q in st.open_questions)
                   + "</ul>")
    srcs = [markers.sources[i] for i in st.sources if i in markers.sources]
    out.append('<p class="sources">' + "<br>".join(_source_line(s) for s in srcs) + "</p></section>")
    return out


def as_stories(b: Briefing) -> list[Story]:
    """A briefing from before stories (or a one-story run) as its one story."""
    if b.stories:
        return b.stories
    return [Story(id="story", title=b.title, summary=b.summary, summary_sentences=b.summary_sentences,
                  points=b.points, disagreements=b.disagreements, open_questions=b.open_questions,
                  sources=[s.id for s in b.sources], outlets=len(b.sources), reason="")]


def title_of(b: Briefing) -> str:
    stories = as_stories(b)
    return stories[0].title if len(stories) == 1 else b.title


def body(b: Briefing, timeline_href: Callable[[str], str] | None = None) -> str:
    """The briefing's HTML, without the page around it (a page's body, a feed entry's content).
    ``timeline_href``: a story id's timeline page, linked from each story (the published site)."""
    sources = {s.id: s for s in b.sources}
    markers = Markers(sources)
    stories = as_stories(b)
    compared = b.since_run is not None
    one = len(stories) == 1
    out = [f"<h1>{escape(title_of(b))}</h1>"]
    if compared:
        new = sum(st.new for st in stories)
        pts = sum(p.new for st in stories for p in st.points)
        out.append(f'<p class="meta">Compared with run {b.since_run}: {new} new stor{"y" if new == 1 else "ies"}, '
                   f'{pts} new point{"s" if pts != 1 else ""} in continuing stories.</p>')
    if not one:
        out.append('<nav><ol class="contents">' + "".join(
            f'<li><a href="#{escape(st.id)}">{escape(st.title)}</a> <span class="meta">'
            f'{escape(story_tags(st, compared))}</span></li>' for st in stories) + "</ol></nav>")
    for n, st in enumerate(stories, start=1):
        href = timeline_href(st.id) if timeline_href and SAFE_ID.fullmatch(st.id) and st.id != "story" else None
        out += _story(st, None if one else n, markers, compared, href, heading=not one)
    stats = b.stats
    if stats is not None:
        out.append(f'<p class="meta">{stats.articles} articles · {stats.points} points · '
                   f'model {escape(stats.model or "?")}</p>')
    return "\n".join(out)


def page(title: str, content: str, nav: str = "") -> str:
    """A self-contained page: the styles inline, no script allowed (CSP), no request made."""
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"referrer\" content=\"no-referrer\">\n"
        f"<title>{escape(title)}</title>\n<style>{CSS}</style></head>\n<body>\n"
        + (f"<nav class=\"meta\">{nav}</nav>\n" if nav else "") + content + "\n</body></html>\n"
    )


def to_html(b: Briefing) -> str:
    return page(title_of(b), body(b))
