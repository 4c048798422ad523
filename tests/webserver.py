"""A news site on 127.0.0.1 for the feed tests: three feeds (RSS 2.0, Atom, JSON Feed) whose
entries are the five seed articles as HTML pages (with scripts, frames and handlers that must
never run or be kept), an OPML export, and bad sources: a feed that is down, one that is slow,
one that is malformed, a paywalled page, a page that is not an article, a redirect, a redirect
loop and an oversized page. Feeds answer conditional requests (ETag and Last-Modified) with 304.
Every request is counted."""

from __future__ import annotations

import contextlib
import html
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").iterdir())
SLOW_SECONDS = 4.0
OUTLETS = ["Harbor Times", "Harbor Times", "Valley Courier", "Valley Courier", "Metro Wire"]
# Which feed carries which seed: Harbor (RSS) 0, 1; Valley (Atom) 2, 3; Metro (JSON Feed) 4.
FEEDS = {"harbor.xml": [0, 1], "valley.atom": [2, 3], "metro.json": [4]}


def seed_page(i: int) -> bytes:
    lines = SEEDS[i].read_text(encoding="utf-8").strip().split("\n")
    title, body = lines[0], [p for p in "\n".join(lines[1:]).split("\n\n") if p.strip()]
    paras = "\n".join(f"<p>{html.escape(' '.join(p.split()))}</p>" for p in body)
    return f"""<!doctype html><html><head><title>{html.escape(title)}</title>
<meta property="og:site_name" content="{OUTLETS[i]}">
<meta property="og:title" content="{html.escape(title)}">
<script>window.pwned = 1; fetch('http://127.0.0.1:9/steal')</script></head>
<body onload="window.pwned = 2"><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{html.escape(title)}</h1>
<iframe src="http://127.0.0.1:9/ad"></iframe>
{paras}
<p onclick="window.pwned = 3"><script>document.write('injected')</script></p>
</article><footer>© {OUTLETS[i]} — all rights reserved</footer></body></html>""".encode()


def rss(base: str, items: list[int], when: datetime) -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(SEEDS[i].read_text(encoding='utf-8').splitlines()[0])}</title>"
        f"<link>{base}/a/seed{i}.html?utm_source=rss&amp;utm_medium=feed</link>"
        f"<pubDate>{format_datetime(when - timedelta(hours=i))}</pubDate></item>" for i in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbor Times</title>'
            f"<link>{base}/</link>{entries}</channel></rss>").encode()


def atom(base: str, items: list[int], when: datetime) -> bytes:
    entries = "".join(
        f"<entry><title>{html.escape(SEEDS[i].read_text(encoding='utf-8').splitlines()[0])}</title>"
        f'<link href="{base}/a/seed{i}.html"/><id>seed{i}</id>'
        f"<updated>{(when - timedelta(hours=i)).isoformat()}</updated></entry>" for i in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>Valley Courier</title><id>valley</id><updated>{when.isoformat()}</updated>"
            f"{entries}</feed>").encode()


def json_feed(base: str, items: list[int], when: datetime) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Metro Wire", "items": [
        {"id": f"seed{i}", "url": f"{base}/a/seed{i}.html#top",
         "title": SEEDS[i].read_text(encoding="utf-8").splitlines()[0],
         "date_published": (when - timedelta(hours=i)).isoformat()} for i in items]}).encode()


@dataclass
class NewsSite:
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    requests: list[tuple[str, int, bool]] = field(default_factory=list)  # (path, status, conditional)
    arrived: list[str] = field(default_factory=list)  # every request's path, counted as it arrives

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> NewsSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def feed_url(self, name: str) -> str:
        return f"{self.base}/feeds/{name}"

    def opml(self) -> bytes:
        return f"""<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>
<outline text="News"><outline text="Europe">
  <outline type="rss" text="Harbor Times" xmlUrl="{self.feed_url('harbor.xml')}"/>
  <outline type="rss" text="Valley Courier" xmlUrl="{self.feed_url('valley.atom')}"/></outline>
  <outline type="rss" text="Metro Wire" xmlUrl="{self.feed_url('metro.json')}"/></outline>
<outline text="Not a feed" htmlUrl="{self.base}/"/></body></opml>""".encode()

    def answer(self, path: str, headers: Any) -> tuple[int, dict[str, str], bytes]:
        base = self.base
        stamp = format_datetime(self.now, usegmt=True)
        path_only = path.split("?", 1)[0]
        if path_only.startswith("/feeds/") and path_only[7:] in FEEDS:
            name = path_only[7:]
            tag = f'"{name}-v1"'
            if headers.get("if-none-match") == tag or headers.get("if-modified-since") == stamp:
                return 304, {"etag": tag, "last-modified": stamp}, b""
            make = {"harbor.xml": rss, "valley.atom": atom, "metro.json": json_feed}[name]
            kind = {"harbor.xml": "application/rss+xml", "valley.atom": "application/atom+xml",
                    "metro.json": "application/feed+json"}[name]
            return 200, {"etag": tag, "last-modified": stamp, "content-type": kind}, make(base, FEEDS[name], self.now)
        if path_only.startswith("/a/seed") and path_only.endswith(".html"):
            return 200, {"content-type": "text/html; charset=utf-8"}, seed_page(int(path_only[7:-5]))
        if path_only == "/subs.opml":
            return 200, {"content-type": "text/x-opml"}, self.opml()
        # Bad sources.
        if path_only == "/feeds/down.xml":
            return 503, {"content-type": "text/html"}, b"<h1>Service Unavailable</h1>"
        if path_only == "/feeds/slow.xml":
            time.sleep(SLOW_SECONDS)
            return 200, {"content-type": "application/rss+xml"}, rss(base, [0], self.now)
        if path_only == "/feeds/bozo.xml":
            return 200, {"content-type": "application/rss+xml"}, b"<rss><channel><title>Broken</title><item><title>x"
        if path_only == "/feeds/mixed.xml":  # entries that point at the bad pages below
            items = "".join(f"<item><title>{t}</title><link>{base}/a/{t}</link>"
                            f"<pubDate>{format_datetime(self.now)}</pubDate></item>"
                            for t in ("paywall.html", "home.html", "moved.html", "loop.html", "huge.html"))
            return 200, {"content-type": "application/rss+xml"}, \
                f'<rss version="2.0"><channel><title>Mixed</title>{items}</channel></rss>'.encode()
        if path_only == "/a/paywall.html":
            return 402, {"content-type": "text/html"}, b"<p>Subscribe to keep reading.</p>"
        if path_only == "/a/home.html":
            links = "".join(f'<li><a href="/a/seed{i}.html">Story {i}</a></li>' for i in range(5))
            return 200, {"content-type": "text/html"}, f"<html><body><nav><ul>{links}</ul></nav></body></html>".encode()
        if path_only == "/a/moved.html":
            return 301, {"location": f"{base}/a/seed1.html?utm_campaign=moved"}, b""
        if path_only == "/a/loop.html":
            return 302, {"location": f"{base}/a/loop.html"}, b""
        if path_only == "/a/huge.html":
            return 200, {"content-type": "text/html", "content-length": str(6_000_000)}, b"<p>" + b"x" * 6_000_000
        return 404, {"content-type": "text/plain"}, b"not found"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/_requests":  # for a person checking by hand: what was asked, not counted
                    body = json.dumps(site.requests).encode()
                    self.send_response(200)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                site.arrived.append(self.path)
                status, headers, body = site.answer(self.path, self.headers)
                conditional = bool(self.headers.get("if-none-match") or self.headers.get("if-modified-since"))
                site.requests.append((self.path, status, conditional))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if "content-length" not in headers:
                    self.send_header("content-length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up
                    self.wfile.write(body)

        return Handler


if __name__ == "__main__":  # python -m tests.webserver: serve the site until interrupted
    with NewsSite() as site:
        print(site.base, flush=True)
        threading.Event().wait()
