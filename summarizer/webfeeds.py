"""Sources from the web, the pure part: canonical URLs, sources files, OPML, feeds (RSS, Atom,
JSON Feed) parsed from bytes, and the time window. No network here (see ``fetch``)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import BriefingError
from .sanitize import is_http_url
from .settings import SETTINGS
from .stories import when

# Query parameters that say where a click came from, not what the page is.
TRACKING = re.compile(r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_hsenc|_hsmi|"
                      r"mkt_tok|ref|ref_src|ref_url|cmpid|ncid|ito|wt\.mc_id|at_medium|at_campaign|s_cid|"
                      r"ocid|sr_share|spm|share|smid|__twitter_impression)$", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """One spelling per page: scheme and host lowercased, default port, fragment and tracking
    parameters (utm_*, fbclid, …) dropped, the other parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING.match(k))
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def parse_sources_file(text: str) -> tuple[list[str], list[str]]:
    """(URLs, problems) from a sources file: one URL per line; blank lines and ``#`` comments
    (whole-line or after the URL) ignored; a line that is not an http(s) URL is a problem."""
    urls, problems = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if is_http_url(line):
            urls.append(line)
        else:
            problems.append(f"line {n}: not an http(s) URL: {line[:80]}")
    return urls, problems


@dataclass(frozen=True)
class FeedRef:
    url: str
    name: str = ""
    category: str = ""  # the OPML folders it sits in, "News / World"


class OPMLError(BriefingError, ValueError):
    pass




def parse_opml(data: bytes) -> list[FeedRef]:
    """Subscriptions of an OPML export: every outline with an ``xmlUrl``, its folders (nested
    outlines without one) kept as its category."""
    if b"<!ENTITY" in data[:4096].upper():
        raise OPMLError("the OPML file declares entities; refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OPMLError(f"not a readable OPML file ({exc})") from None
    body = root.find("body")
    if root.tag.lower() != "opml" or body is None:
        raise OPMLError("not an OPML file (no <opml><body>)")
    out: list[FeedRef] = []
    # Depth first, in document order, with a stack of our own: an export nested thousands deep is
    # refused in one line instead of exhausting the interpreter's recursion.
    stack: list[tuple[Iterator[ET.Element], list[str]]] = [(iter(body.findall("outline")), [])]
    while stack:
        outlines, folders = stack[-1]
        o = next(outlines, None)
        if o is None:
            stack.pop()
            continue
        url = o.get("xmlUrl") or o.get("xmlurl")
        name = o.get("title") or o.get("text") or ""
        if url:
            if is_http_url(url.strip()):
                out.append(FeedRef(url=url.strip(), name=name, category=" / ".join(folders)))
        elif len(stack) > SETTINGS.fetch.max_opml_depth:
            raise OPMLError(f"folders nested more than {SETTINGS.fetch.max_opml_depth} deep; refused")
        else:
            stack.append((iter(o.findall("outline")), [*folders, name] if name else folders))
    return out


@dataclass
class Entry:
    url: str
    title: str
    published: datetime | None


@dataclass
class ParsedFeed:
    title: str
    entries: list[Entry] = field(default_factory=list)
    malformed: str | None = None  # feedparser's bozo reason, or why a JSON Feed is unreadable
    is_feed: bool = True


def _entry_time(e: dict[str, object]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        t = e.get(key)
        if t:
            try:
                return datetime(*t[:6], tzinfo=UTC)  # type: ignore[index,misc]
            except (TypeError, ValueError):
                pass
    for key in ("published", "updated"):
        v = e.get(key)
        if isinstance(v, str) and (t2 := when(v)):
            return t2
    return None


def parse_feed(data: bytes, base_url: str, content_type: str = "") -> ParsedFeed:
    """Entries of an RSS 0.9x/1.0/2.0, Atom or JSON Feed document. ``is_feed`` is False when the
    bytes are not a feed at all (an article page given as a URL)."""
    head = data.lstrip()[:1]
    if "json" in content_type or head == b"{":
        return _json_feed(data)
    import feedparser

    headers = {"content-location": base_url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(data, response_headers=headers)
    version = parsed.get("version") or ""
    entries = []
    for e in parsed.entries:
        link = e.get("link") or ""
        if not is_http_url(link):
            continue
        entries.append(Entry(url=link, title=" ".join((e.get("title") or "").split()), published=_entry_time(e)))
    malformed = None
    exc = parsed.get("bozo_exception")
    benign = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    if parsed.get("bozo") and not isinstance(exc, benign):  # a wrong charset label is no fault of the XML
        malformed = " ".join(str(exc).split())[:120] if exc else "not well-formed"
    title = " ".join((parsed.feed.get("title") or "").split())
    return ParsedFeed(title=title, entries=entries, malformed=malformed, is_feed=bool(version) or bool(entries))


def _json_feed(data: bytes) -> ParsedFeed:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return ParsedFeed(title="", malformed="not valid JSON", is_feed=False)
    if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
        return ParsedFeed(title="", is_feed=False)
    entries = []
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url") or ""
        if isinstance(link, str) and is_http_url(link):
            entries.append(Entry(url=link, title=" ".join(str(item.get("title") or "").split()),
                                 published=when(str(item.get("date_published") or item.get("date_modified") or ""))))
    return ParsedFeed(title=" ".join(str(doc.get("title") or "").split()), entries=entries)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)




def parse_window(value: str) -> timedelta | None:
    """"24h", "90m", "2d", "1w" as a duration; None when it is not one, or longer than ten years."""
    m = _DURATION.match(value)
    if not m:
        return None
    n, unit = float(m.group(1)), m.group(2).lower()
    days = n * {"m": 1 / 1440, "min": 1 / 1440, "h": 1 / 24, "d": 1, "w": 7}[unit]
    if not days <= timedelta(days=SETTINGS.limits.window_days).days:  # also NaN and inf
        return None
    return timedelta(days=days)


def in_window(published: datetime | None, first_seen: datetime, start: datetime) -> bool:
    """An entry is in the window when it was published at or after ``start``; an entry with no
    date counts from when it was first seen."""
    return (published or first_seen) >= start
