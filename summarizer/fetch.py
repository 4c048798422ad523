"""Sources from the web, the network shell: feeds fetched with conditional requests, their
entries' pages fetched once and their main text extracted, everything kept in the store.

Politeness and bounds: a clear User-Agent, gzip, a connect and a read timeout, at most
``per_host`` requests in flight per host, redirects capped, bodies capped at ``max_bytes`` (``SETTINGS.fetch``). A
source that fails (down, slow, malformed, paywalled, not an article) is one line in ``problems``
and the rest goes on; nothing is retried within a run, and only passing failures (a timeout, a
5xx, a refused connection) are tried again on a later run. Only the extracted text is stored:
the page's HTML, with its scripts, frames and handlers, is never kept or shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx2

from . import __version__
from .errors import BriefingError
from .ingest import InputError, parse_html, safe_url
from .models import Article
from .sanitize import clean_text, is_http_url, one_line, scrub_url
from .settings import SETTINGS
from .store import Store, StoreError
from .stories import digest, when
from .webfeeds import FeedRef, canonical_url, in_window, parse_feed

USER_AGENT = f"briefing/{__version__} (a news briefing tool; fetches each article once)"
PERMANENT = ("not an article", "paywalled", "too large", "gone", "not HTML")

Progress = Callable[[str, int, int], None]


class FetchError(BriefingError):
    """One line: why a URL could not be fetched."""


@dataclass
class Fetched:
    status: int
    url: str  # after redirects
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None


@dataclass
class Gathered:
    articles: list[Article] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line per bad source
    requests: int = 0
    not_modified: int = 0  # feeds answered 304
    tried: set[str] = field(default_factory=set)  # pages asked for in this run: never twice
    from_feeds: set[str] = field(default_factory=set)  # pages that are entries of a feed in the window
    fetched_pages: int = 0
    stored_pages: int = 0  # pages served from the store, not fetched again
    window_end: str | None = None  # when the feeds were read (ISO, microseconds): the next run's window starts here


class Fetcher:
    def __init__(self, transport: httpx2.AsyncBaseTransport | None = None,
                 timeout: float = SETTINGS.fetch.read_timeout) -> None:
        self.client = httpx2.AsyncClient(
            headers={"user-agent": USER_AGENT, "accept-encoding": "gzip, deflate"},
            timeout=httpx2.Timeout(timeout, connect=SETTINGS.fetch.connect_timeout), follow_redirects=True,
            max_redirects=SETTINGS.fetch.max_redirects, transport=transport,
            limits=httpx2.Limits(max_connections=SETTINGS.fetch.in_flight,
                                 max_keepalive_connections=SETTINGS.fetch.in_flight),
        )
        self.timeout = timeout
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self.requests = 0

    async def aclose(self) -> None:
        await self.client.aclose()

    async def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
                  accept: str = "*/*") -> Fetched:
        host = urlsplit(url).hostname or ""
        sem = self._hosts.setdefault(host, asyncio.Semaphore(SETTINGS.fetch.per_host))
        headers = {"accept": accept}
        if etag:
            headers["if-none-match"] = etag
        if last_modified:
            headers["if-modified-since"] = last_modified
        async with sem:
            self.requests += 1
            try:
                async with asyncio.timeout(self.timeout * 2):  # the whole exchange, slow bodies included
                    async with self.client.stream("GET", url, headers=headers) as r:
                        size = int(r.headers.get("content-length") or 0)
                        if size > SETTINGS.fetch.max_bytes:
                            raise FetchError(f"too large ({size:,} bytes; the limit is {SETTINGS.fetch.max_bytes:,})")
                        body = bytearray()
                        async for chunk in r.aiter_bytes():
                            body += chunk
                            if len(body) > SETTINGS.fetch.max_bytes:
                                raise FetchError(f"too large (over {SETTINGS.fetch.max_bytes:,} bytes)")
                        return Fetched(status=r.status_code, url=str(r.url), body=bytes(body),
                                       content_type=r.headers.get("content-type", "").lower(),
                                       etag=r.headers.get("etag"), last_modified=r.headers.get("last-modified"))
            except TimeoutError:
                raise FetchError(f"timed out after {self.timeout * 2:g}s") from None
            except httpx2.TooManyRedirects:
                raise FetchError(f"more than {SETTINGS.fetch.max_redirects} redirects") from None
            except httpx2.TimeoutException:
                raise FetchError(f"timed out after {self.timeout:g}s") from None
            except httpx2.HTTPError as exc:
                raise FetchError(f"cannot fetch ({type(exc).__name__}: {' '.join(str(exc).split())[:100]})") from None


def _status_problem(status: int) -> str:
    if status in (401, 402, 403):
        return f"paywalled or forbidden (HTTP {status})"
    if status in (404, 410):
        return f"gone (HTTP {status})"
    return f"HTTP {status}"




def unfetchable(url: str) -> str | None:
    """Why a link from a feed cannot be fetched, stored or printed, or None when it can."""
    if len(url) > SETTINGS.fetch.max_url_chars:
        return f"its link is over {SETTINGS.fetch.max_url_chars:,} characters"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "its link holds a control character"
    if clean_text(url) != url:
        return "its link holds a broken character"
    if not is_http_url(url):
        return "its link is not an http(s) URL"
    return None


def label(url: str) -> str:
    """A source's URL for a one-line problem: credentials removed, printable, at most 120 characters."""
    shown = one_line(scrub_url(clean_text(url)) or clean_text(url))
    return shown if len(shown) <= 120 else shown[:119] + "…"


def source_failed(out: Gathered, name: str, exc: Exception) -> None:
    """Anything one feed, URL or page does wrong is that source's one line; a store that fails
    ends the run (it is every source's)."""
    if isinstance(exc, StoreError):
        raise exc
    out.problems.append(f"{name}: could not be read ({one_line(clean_text(f'{type(exc).__name__}: {exc}'))[:160]})")


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


async def gather(store: Store, feeds: list[FeedRef], urls: list[str], start: datetime | None, *,
                 offline: bool = False, fetcher: Fetcher | None = None, timeout: float = SETTINGS.fetch.read_timeout,
                 progress: Progress = lambda _s, _d, _t: None) -> Gathered:
    """Today's web articles: the entries of ``feeds`` in the window (from ``start``; None: all
    stored) and the pages ``urls`` (a URL that turns out to be a feed is read as one)."""
    out = Gathered()
    own = fetcher is None
    f = fetcher or Fetcher(timeout=timeout)
    try:
        pages: dict[str, tuple[str, str, str | None, str | None]] = {}  # page -> (url, title, published, outlet)
        done = 0
        total = len(feeds) + len(urls)
        progress("feeds and URLs checked", 0, total)

        async def feed(ref: FeedRef) -> None:
            nonlocal done
            try:
                await read_feed(store, f, ref, start, offline, out, pages)
            except Exception as exc:
                source_failed(out, f"feed {label(ref.url)}", exc)
            finally:
                done += 1
                progress("feeds and URLs checked", done, total)

        async def direct(url: str) -> None:
            nonlocal done
            try:
                page = canonical_url(url)
                etag, _ = store.http_state(url)
                if not offline and store.page(page) is None and etag is None:
                    # Unknown: fetch once; a feed is read as a feed, a page kept for below.
                    try:
                        got = await f.get(url)
                    except FetchError as exc:
                        out.problems.append(f"{label(url)}: {exc}")
                        return
                    parsed = parse_feed(got.body, got.url, got.content_type) if got.status == 200 else None
                    if parsed is not None and parsed.is_feed:
                        await read_feed(store, f, FeedRef(url=url), start, offline, out, pages, first=got)
                        return
                    save_page(store, page, url, got, None, None, None, out)
                    out.tried.add(page)
                    pages.setdefault(page, (url, "", None, None))
                elif etag is not None:
                    await read_feed(store, f, FeedRef(url=url), start, offline, out, pages)
                else:
                    pages.setdefault(page, (url, "", None, None))
            except Exception as exc:
                source_failed(out, label(url), exc)
            finally:
                done += 1
                progress("feeds and URLs checked", done, total)

        await asyncio.gather(*(feed(r) for r in feeds), *(direct(u) for u in urls))

        todo = list(pages.items())
        progress("pages", 0, len(todo))
        n = 0

        async def one(page: str, url: str, title: str, published: str | None, outlet: str | None) -> None:
            nonlocal n
            try:
                art = await read_page(store, f, page, url, offline, out)
                if art is not None:
                    final = art.url or url
                    out.articles.append(Article(page=page, path=final, url=final, title=title or art.title or final,
                                                text=art.text, outlet=art.outlet or outlet or host_of(url),
                                                published=published or art.published, from_file_text=False))
            except Exception as exc:
                source_failed(out, label(url), exc)
            finally:
                n += 1
                progress("pages", n, len(todo))

        await asyncio.gather(*(one(p, *v) for p, v in todo))
        out.articles.sort(key=lambda a: (a.published or "", a.page or ""))
        out.requests = f.requests
        return out
    finally:
        if own:
            await f.aclose()


async def read_feed(store: Store, f: Fetcher, ref: FeedRef, start: datetime | None, offline: bool, out: Gathered,
                    pages: dict[str, tuple[str, str, str | None, str | None]], first: Fetched | None = None) -> None:
    name = ref.name
    if not offline:
        got = first
        if got is None:
            etag, modified = store.http_state(ref.url)
            try:
                got = await f.get(ref.url, etag, modified,
                                  accept="application/rss+xml, application/atom+xml, application/feed+json, "
                                         "application/json;q=0.9, application/xml;q=0.8, */*;q=0.5")
            except FetchError as exc:
                out.problems.append(f"feed {label(ref.url)}: {exc}; its stored entries are used")
                got = None
        if got is not None and got.status == 304:
            out.not_modified += 1
        elif got is not None and got.status != 200:
            out.problems.append(f"feed {label(ref.url)}: {_status_problem(got.status)}; its stored entries are used")
        elif got is not None:
            parsed = parse_feed(got.body, got.url, got.content_type)
            if not parsed.is_feed:
                out.problems.append(f"feed {label(ref.url)}: not a feed (RSS, Atom or JSON Feed)")
            elif parsed.malformed and not parsed.entries:
                out.problems.append(f"feed {label(ref.url)}: malformed ({parsed.malformed})")
            else:
                if parsed.malformed:
                    out.problems.append(f"feed {label(ref.url)}: malformed ({parsed.malformed}); "
                                        f"{len(parsed.entries)} entries read anyway")
                good = []
                for e in parsed.entries:
                    why = unfetchable(e.url)
                    if why is None:
                        good.append(e)
                    else:
                        out.problems.append(f"feed {label(ref.url)}: an entry skipped ({why}: {label(e.url)})")
                store.add_entries(ref.url, [(canonical_url(e.url), clean_text(e.title),
                                             e.published.isoformat() if e.published else None)
                                            for e in good])
                store.set_http_state(ref.url, got.etag, got.last_modified)
                if not name and parsed.title:
                    name = parsed.title
                    store.name_feed(ref.url, name)
    for page, title, published, first_seen in store.entries(ref.url):
        seen = when(first_seen) or datetime.now(UTC)
        if start is None or in_window(when(published), seen, start):
            pages.setdefault(page, (page, title, published, name or None))
            out.from_feeds.add(page)


def save_page(store: Store, page: str, url: str, got: Fetched, title: str | None, published: str | None,
              outlet: str | None, out: Gathered) -> None:
    """Extract a fetched page's main text and keep it (or why it has none)."""
    if got.status != 200:
        store.save_page(page, url, _status_problem(got.status))
        return
    if got.content_type and "html" not in got.content_type and "xml" not in got.content_type:
        store.save_page(page, url, f"not HTML ({got.content_type.split(';')[0]})")
        return
    try:
        rec = parse_html(got.url, clean_text(got.body.decode("utf-8", errors="replace")))
    except InputError:
        store.save_page(page, url, "not an article (no main text found)")
        return
    if len(rec.text) < SETTINGS.fetch.min_article_chars:
        store.save_page(page, url, f"not an article or paywalled (only {len(rec.text)} characters of text)")
        return
    d = digest(rec.text)
    twin = store.page_with_digest(d)
    if twin is not None and twin != page:
        store.save_page(page, url, f"duplicate of {twin}")
        return
    # The address shown and linked is the final one, without its tracking parameters.
    store.save_page(page, canonical_url(got.url), "ok", rec.title, rec.outlet, rec.published, rec.text, d)
    out.fetched_pages += 1


async def read_page(store: Store, f: Fetcher, page: str, url: str, offline: bool, out: Gathered) -> Article | None:
    kept = store.page(page)
    passing = kept is not None and kept["status"] != "ok" and not kept["status"].startswith((*PERMANENT, "duplicate"))
    if page not in out.tried and (kept is None or (passing and not offline)):
        if offline:
            out.problems.append(f"{label(url)}: not fetched yet (--offline)")
            return None
        out.tried.add(page)
        try:
            got = await f.get(url, accept="text/html, application/xhtml+xml;q=0.9, */*;q=0.5")
        except FetchError as exc:
            why = str(exc)
            store.save_page(page, url, why if why.startswith("too large") else f"failed: {why}")
            out.problems.append(f"{label(url)}: {why}")
            return None
        save_page(store, page, url, got, None, None, None, out)
        kept = store.page(page)
    elif kept is not None and kept["status"] == "ok" and page not in out.tried:
        out.stored_pages += 1
    assert kept is not None
    if kept["status"] != "ok":
        if not kept["status"].startswith("duplicate"):
            out.problems.append(f"{label(url)}: {kept['status']}")
        return None
    return Article(id=0, path=kept["url"], title=kept["title"] or "", text=kept["text"], outlet=kept["outlet"],
                   url=kept["url"], published=kept["published"], from_file_text=False)


def to_articles(web: Iterable[Article], first_id: int) -> list[Article]:
    return [w.model_copy(update={"id": first_id + i, "path": safe_url(w.url or "") or label(w.url or ""),
                                 "url": safe_url(w.url or ""), "page": None})
            for i, w in enumerate(web)]
