"""Benchmark: many feeds. A site on 127.0.0.1 serves ``--feeds`` RSS feeds (conditional requests:
ETag and Last-Modified, 304 when unchanged), each with ``--entries`` entries whose pages are
synthetic articles (bench/synthday.py). The day is fetched twice into a fresh store, as
``briefing build`` fetches it (``fetch.gather``: per-host limits, the window, pages stored once).

    python bench/feeds.py [--feeds 1000] [--entries 2]

It prints, for each fetch: seconds, requests (feeds, pages), feeds answered 304, pages fetched,
articles, source problems. The second fetch, minutes later in a real day, must make only
conditional feed requests and fetch no page again.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthday import day

from summarizer.fetch import gather
from summarizer.store import Store
from summarizer.webfeeds import FeedRef


def serve(feeds: int, entries: int) -> tuple[ThreadingHTTPServer, Counter[str]]:
    arts = day(feeds * entries, seed=11)
    now = datetime.now(UTC).replace(microsecond=0)
    stamp = format_datetime(now, usegmt=True)
    asked: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path.startswith("/feeds/f"):
                n = int(self.path[8:].split(".")[0])
                tag = f'"f{n}-v1"'
                conditional = self.headers.get("if-none-match") == tag or self.headers.get("if-modified-since") == stamp
                with lock:
                    asked["feed 304" if conditional else "feed 200"] += 1
                if conditional:
                    self.send(304, b"", {"etag": tag, "last-modified": stamp})
                    return
                items = "".join(
                    f"<item><title>{html.escape(arts[n * entries + k].title)}</title>"
                    f"<link>{base}/a/p{n}-{k}.html</link><pubDate>{stamp}</pubDate></item>" for k in range(entries))
                body = (f'<rss version="2.0"><channel><title>Feed {n}</title><link>{base}/</link>{items}'
                        "</channel></rss>").encode()
                self.send(200, body, {"content-type": "application/rss+xml", "etag": tag, "last-modified": stamp})
                return
            if self.path.startswith("/a/p"):
                n, k = (int(x) for x in self.path[4:-5].split("-"))
                a = arts[n * entries + k]
                paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in a.text.split("\n") if p.strip())
                body = (f"<html><head><title>{html.escape(a.title)}</title></head><body><article>"
                        f"<h1>{html.escape(a.title)}</h1>{paragraphs}</article></body></html>").encode()
                with lock:
                    asked["page"] += 1
                self.send(200, body, {"content-type": "text/html; charset=utf-8"})
                return
            self.send(404, b"not found", {"content-type": "text/plain"})

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, asked


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--entries", type=int, default=2)
    args = ap.parse_args()
    server, asked = serve(args.feeds, args.entries)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    refs = [FeedRef(url=f"{base}/feeds/f{n}.xml") for n in range(args.feeds)]
    print(f"{args.feeds} feeds of {args.entries} entries on one host (127.0.0.1)")
    print(f"{'fetch':>5} {'seconds':>7} {'feed 200':>8} {'feed 304':>8} {'pages':>5} {'articles':>8} {'problems':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "b.db")
        try:
            for n in (1, 2):
                before = Counter(asked)
                started = time.monotonic()
                got = asyncio.run(gather(store, refs, [], None))
                secs = time.monotonic() - started
                d = Counter(asked)
                d.subtract(before)
                print(f"{n:>5} {secs:>7.1f} {d['feed 200']:>8} {d['feed 304']:>8} {d['page']:>5} "
                      f"{len(got.articles):>8} {len(got.problems):>8}", flush=True)
                for line in sorted({p.split(": ", 1)[-1] for p in got.problems})[:3]:
                    print(f"      e.g. {line}")
        finally:
            store.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
