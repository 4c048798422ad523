"""Publishing: the stored runs as a static site and an Atom feed (``briefing publish DIR``).

Pure functions from stored runs to files (path -> text); the CLI writes only the files whose text
changed. The site works from ``file://`` and from any static host: relative links only, every page
self-contained (``html.page``: no script allowed, no request made), everything from an article
escaped. Pages: ``index.html`` (the runs, newest first), ``runs/N.html`` (a run's briefing, each
story linked to its timeline), ``stories/ID.html`` (a story's timeline: every run that carried
it, with that run's summary and new points, each statement still cited to its sentence) and
``feed.atom`` (RFC 4287: one entry per run, or per story of each run; ids that never change).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from .html import SAFE_ID, Markers, as_stories, body, page, title_of
from .models import Briefing, Point, Story, Telling
from .render import as_sentence

FEED_ID = "tag:briefing.local,2026:"  # + "run-N" or "run-N/story-ID": stable whatever the site's address


@dataclass(frozen=True)
class StoredRun:
    id: int
    date: str  # when it was built, ISO 8601 UTC
    briefing: Briefing


def tellings(runs: Sequence[StoredRun]) -> dict[str, list[Telling]]:
    """Every story id -> each run's telling of it, oldest first: the run's summary, and its new
    points (all of them the first time the story was told; then the points marked new)."""
    out: dict[str, list[Telling]] = {}
    for r in sorted(runs, key=lambda r: r.id):
        sources = {s.id: s for s in r.briefing.sources}
        for st in as_stories(r.briefing):
            if st.id == "story" or not SAFE_ID.fullmatch(st.id):  # a run from before ids; an id unfit for a file
                continue
            first = st.id not in out
            new_points = list(st.points) if first else [p for p in st.points if p.new]
            cited = sorted({c.source for p in [*st.summary_sentences, *new_points] for c in p.citations})
            out.setdefault(st.id, []).append(Telling(
                run=r.id, date=r.date, title=st.title, summary=list(st.summary_sentences), new_points=new_points,
                sources=[sources[i] for i in cited if i in sources]))
    return out


def with_timelines(b: Briefing, told: dict[str, list[Telling]], run: int | None) -> None:
    """Give each continuing story of ``b`` (run ``run``; None: not stored) the runs before it that
    carried it."""
    for st in b.stories:
        st.timeline = [t for t in told.get(st.id, []) if run is None or t.run < run]


def _sentences(points: Sequence[Point], markers: Markers) -> str:
    return " ".join(markers.sentence(Point(text=as_sentence(p.text), citations=p.citations)) for p in points)


def story_page(sid: str, told: Sequence[Telling]) -> str:
    """A story's timeline: each run that carried it, oldest first."""
    title = told[-1].title
    out = [f"<h1>{escape(title)}</h1>",
           f'<p class="meta">story {escape(sid)} · told in {len(told)} run{"s" if len(told) != 1 else ""} since '
           f"{escape(told[0].date[:10])}</p>"]
    for t in told:
        markers = Markers({s.id: s for s in t.sources})
        when = escape(t.date[:16].replace("T", " "))
        out.append(f'<section id="run-{t.run}"><h2><a href="../runs/{t.run}.html">{when}</a> · run {t.run}</h2>')
        if t.title != title:
            out.append(f'<p class="meta">{escape(t.title)}</p>')
        if t.summary:
            out.append(f"<p>{_sentences(t.summary, markers)}</p>")
        if t.new_points:
            label = "Points" if t is told[0] else "New since the run before"
            out.append(f"<h3>{label}</h3><ul>" + "".join(f"<li>{markers.sentence(p)}</li>" for p in t.new_points)
                       + "</ul>")
        elif t is not told[0]:
            out.append('<p class="meta">Nothing new in this run.</p>')
        out.append("</section>")
    return page(title, "\n".join(out), '<a href="../index.html">All runs</a>')


def run_page(r: StoredRun, told: dict[str, list[Telling]]) -> str:
    """A run's briefing, each continuing story with its "so far" line and a link to its timeline."""
    b = r.briefing.model_copy(deep=True)
    with_timelines(b, told, r.id)
    nav = f'<a href="../index.html">All runs</a> · run {r.id} · {escape(r.date[:16].replace("T", " "))}'
    return page(title_of(b), body(b, lambda sid: f"../stories/{sid}.html"), nav)


def index_page(runs: Sequence[StoredRun]) -> str:
    """The runs, newest first: when, how many stories, and the first stories' headlines."""
    rows = []
    for r in sorted(runs, key=lambda r: -r.id):
        stories = as_stories(r.briefing)
        n = len(stories)
        heads = "".join(f'<li><a href="runs/{r.id}.html#{escape(st.id)}">{escape(st.title)}</a></li>'
                        for st in stories[:3])
        more = f'<li class="meta">and {n - 3} more</li>' if n > 3 else ""
        rows.append(f'<li><a href="runs/{r.id}.html"><b>{escape(r.date[:16].replace("T", " "))}</b></a> '
                    f'<span class="meta">run {r.id} · {n} stor{"y" if n == 1 else "ies"}</span>'
                    f"<ul>{heads}{more}</ul></li>")
    content = ("<h1>Briefings</h1>\n<p class=\"meta\"><a href=\"feed.atom\">Atom feed</a></p>\n<ol reversed>"
               + "".join(rows) + "</ol>")
    return page("Briefings", content)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    """Text for XML: escaped, without the characters XML 1.0 cannot hold (an article's stray
    control character would make feed readers refuse the whole feed)."""
    return escape(_NOT_XML.sub("", text), quote=True)


def _story_html(r: StoredRun, st: Story, href: str) -> str:
    one = Briefing(sources=r.briefing.sources, stories=[st], since_run=r.briefing.since_run)
    return body(one, lambda sid: href)


def atom(runs: Sequence[StoredRun], base_url: str = "", per: str = "run", most: int = 50) -> str:
    """The Atom feed of the latest ``most`` runs: an entry per run (``per`` "run") or per story of
    each run ("story"), its content the escaped HTML of the briefing or story."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    latest = sorted(runs, key=lambda r: -r.id)[:most]
    updated = latest[0].date if latest else "1970-01-01T00:00:00+00:00"
    entries = []
    for r in latest:
        if per == "story":
            for st in as_stories(r.briefing):
                sid = st.id or "story"
                link = f"{base}stories/{sid}.html" if SAFE_ID.fullmatch(st.id) else f"{base}runs/{r.id}.html"
                entries.append(_entry(f"{FEED_ID}run-{r.id}/story-{sid}", st.title, r.date, link,
                                      _story_html(r, st, link)))
        else:
            entries.append(_entry(f"{FEED_ID}run-{r.id}", title_of(r.briefing), r.date, f"{base}runs/{r.id}.html",
                                  body(r.briefing, lambda sid: f"{base}stories/{sid}.html")))
    self_link = f'  <link rel="self" type="application/atom+xml" href="{_x(base)}feed.atom"/>\n' if base else ""
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <id>{FEED_ID}feed</id>\n  <title>Briefings</title>\n  <updated>{_x(updated)}</updated>\n"
            f"  <author><name>briefing</name></author>\n{self_link}"
            f'  <link rel="alternate" type="text/html" href="{_x(base)}index.html"/>\n'
            + "".join(entries) + "</feed>\n")


def _entry(eid: str, title: str, date: str, link: str, html: str) -> str:
    return (f"  <entry>\n    <id>{_x(eid)}</id>\n    <title>{_x(title)}</title>\n    <updated>{_x(date)}</updated>\n"
            f'    <link rel="alternate" type="text/html" href="{_x(link)}"/>\n'
            f'    <content type="html">{_x(html)}</content>\n  </entry>\n')


def site(runs: Sequence[StoredRun], base_url: str = "", per: str = "run") -> dict[str, str]:
    """Every file of the site, by its path under the site's folder."""
    files = {"index.html": index_page(runs), "feed.atom": atom(runs, base_url, per)}
    told = tellings(runs)
    for r in runs:
        files[f"runs/{r.id}.html"] = run_page(r, told)
    for sid, t in told.items():
        files[f"stories/{sid}.html"] = story_page(sid, t)
    return files
