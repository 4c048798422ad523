"""One bad entry in a feed is that entry's one-line problem: the rest of the feed, and the run, go on."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx2

from summarizer.fetch import Fetcher, gather, to_articles
from summarizer.store import Store
from summarizer.webfeeds import FeedRef

ARTICLE = ("<html><head><title>Barrier opens</title></head><body><article><h1>Barrier opens</h1>"
           + "".join(f"<p>The city of Rivermouth opened its flood barrier on Tuesday, paragraph {i}, after six "
                     "years of construction and a long public debate about its cost.</p>" for i in range(6))
           + "</article></body></html>")

# link -> the one-line problem it makes (each once made every build exit 70)
BAD_LINKS = {
    "https://news.example/" + "a" * 70_000: "its link is over 8,192 characters",
    "https://news.example/x\u0000y": "its link holds a control character",
    "https://news.example/\ud83d": "its link holds a broken character",
}


def site(request: httpx2.Request) -> httpx2.Response:
    if request.url.path == "/feed.json":
        items = [{"id": str(n), "url": url, "title": f"Entry {n}", "content_text": "teaser"}
                 for n, url in enumerate(BAD_LINKS)]
        items.append({"id": "good", "url": "https://news.example/good.html", "title": "Barrier opens"})
        body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Example", "items": items})
        return httpx2.Response(200, content=body.encode(), headers={"content-type": "application/feed+json"})
    if request.url.path == "/good.html":
        return httpx2.Response(200, content=ARTICLE.encode(), headers={"content-type": "text/html"})
    return httpx2.Response(404)


def test_bad_links_in_a_feed_are_one_line_each_and_the_good_entry_is_read(tmp_path: Path) -> None:
    store = Store(tmp_path / "briefing.db")
    try:
        fetcher = Fetcher(transport=httpx2.MockTransport(site))
        got = asyncio.run(gather(store, [FeedRef(url="https://news.example/feed.json")], [], None, fetcher=fetcher))
    finally:
        store.close()
    assert [a.title for a in got.articles] == ["Barrier opens"]
    assert sorted(p.split("(")[1].split(":")[0] for p in got.problems) == sorted(BAD_LINKS.values())
    for problem in got.problems:
        assert problem.startswith("feed https://news.example/feed.json: an entry skipped (")
        assert "\n" not in problem and len(problem) < 400
        problem.encode("utf-8")  # printable: no lone surrogate
        assert "\x00" not in problem


def test_credentials_in_a_feed_link_are_never_printed_or_kept(tmp_path: Path) -> None:
    def creds_site(request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/feed.json":
            body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Example", "items": [
                {"id": "1", "url": "https://reader:s3cret@news.example/good.html?token=t0k&page=1", "title": "Opens"},
                {"id": "2", "url": "https://reader:s3cret@news.example/gone.html?api_key=k3y", "title": "Gone"}]})
            return httpx2.Response(200, content=body.encode(), headers={"content-type": "application/feed+json"})
        if request.url.path == "/good.html":
            return httpx2.Response(200, content=ARTICLE.encode(), headers={"content-type": "text/html"})
        return httpx2.Response(404)

    store = Store(tmp_path / "briefing.db")
    try:
        fetcher = Fetcher(transport=httpx2.MockTransport(creds_site))
        got = asyncio.run(gather(store, [FeedRef(url="https://news.example/feed.json?api_key=feedkey")], [], None,
                                 fetcher=fetcher))
    finally:
        store.close()
    articles = to_articles(got.articles, 1)
    shown = json.dumps([a.model_dump() for a in articles]) + "\n".join(got.problems)
    assert articles and got.problems  # one read, one not found
    for secret in ("s3cret", "t0k", "k3y", "feedkey"):
        assert secret not in shown
