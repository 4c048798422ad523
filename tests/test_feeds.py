"""Sources from the web: feeds, OPML, URLs, fetched from a news site on 127.0.0.1 (tests/webserver.py);
the model is the loopback fake that answers from the recordings of the real local model."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from summarizer.cli import main
from summarizer.webfeeds import (
    OPMLError,
    canonical_url,
    in_window,
    parse_feed,
    parse_opml,
    parse_sources_file,
    parse_window,
)
from tests.fakeserver import MODEL, SEEDS_FIXTURES, FakeServer
from tests.webserver import FEEDS, NewsSite

# The three feeds' build recorded from the real local model (python -m tests.webserver; feeds add;
# build --record fixtures/feeds); other builds here fall back to a recorded reply of the same prompt.
FEEDS_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"


def model_server() -> FakeServer:
    return FakeServer(fixtures=(FEEDS_FIXTURES, *SEEDS_FIXTURES))


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://Example.ORG/a/b?utm_source=rss&utm_medium=feed", "https://example.org/a/b"),
    ("https://example.org:443/a?id=3&fbclid=x#comments", "https://example.org/a?id=3"),
    ("http://example.org:8080/a?b=2&a=1", "http://example.org:8080/a?a=1&b=2"),
    ("https://example.org", "https://example.org/"),
    ("https://example.org/a?gclid=1&ref=tw&page=2", "https://example.org/a?page=2"),
])
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_sources_file() -> None:
    urls, problems = parse_sources_file("# my sources\n\nhttps://a.example/rss  # world\nftp://x\nhttps://b.example/s\n")
    assert urls == ["https://a.example/rss", "https://b.example/s"]
    assert problems == ["line 4: not an http(s) URL: ftp://x"]


def test_opml_keeps_folders_as_categories() -> None:
    with NewsSite() as site:
        refs = parse_opml(site.opml())
    assert [(r.name, r.category) for r in refs] == [
        ("Harbor Times", "News / Europe"), ("Valley Courier", "News / Europe"), ("Metro Wire", "News")]
    with pytest.raises(OPMLError):
        parse_opml(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body/></opml>')
    with pytest.raises(OPMLError):
        parse_opml(b"<html><body></body></html>")
    with pytest.raises(OPMLError):
        parse_opml(b"not xml at all <")


@pytest.mark.parametrize("name", list(FEEDS))
def test_each_feed_format_gives_its_entries(name: str) -> None:
    with NewsSite() as site:
        base, now = site.base, site.now
        body = site.answer(f"/feeds/{name}", {})[2]
    kind = {"harbor.xml": "application/rss+xml", "valley.atom": "application/atom+xml",
            "metro.json": "application/feed+json"}[name]
    feed = parse_feed(body, f"{base}/feeds/{name}", kind)
    assert feed.is_feed and feed.malformed is None and feed.title
    assert [e.url.split("/a/")[1].split("?")[0].split("#")[0] for e in feed.entries] == \
        [f"seed{i}.html" for i in FEEDS[name]]
    for e in feed.entries:
        assert e.published is not None and abs(e.published - now) < timedelta(hours=6)


def test_malformed_and_not_a_feed() -> None:
    bozo = parse_feed(b"<rss><channel><title>Broken</title><item><title>x", "http://h/f", "application/rss+xml")
    assert bozo.malformed and not bozo.entries
    page = parse_feed(b"<html><body><p>An article.</p></body></html>", "http://h/a", "text/html")
    assert not page.is_feed
    assert not parse_feed(b'{"not": "a feed"}', "http://h/j", "application/json").is_feed


@pytest.mark.parametrize(("value", "hours"), [("24h", 24), ("90m", 1.5), ("2d", 48), ("1w", 168), ("12", None),
                                              ("yesterday", None), ("520w", 87360),
                                              ("200000000m", None), ("5000000d", None)])  # past ten years
def test_window(value: str, hours: float | None) -> None:
    got = parse_window(value)
    assert (got.total_seconds() / 3600 if got else None) == hours


def test_in_window_uses_publication_time_then_first_seen() -> None:
    now = datetime(2026, 11, 21, 8, tzinfo=UTC)
    start = now - timedelta(hours=24)
    assert in_window(now - timedelta(hours=2), now, start)
    assert not in_window(now - timedelta(days=3), now, start)  # old entry, just seen
    assert in_window(None, now, start)  # no date: counts from when it was first seen


# --- end to end --------------------------------------------------------------------------------

def build(capsys: pytest.CaptureFixture[str], model: FakeServer, *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["build", *args, "--base-url", model.url, "--model", MODEL, "--format", "json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


def stored_text(capsys: pytest.CaptureFixture[str], run: int, source: int) -> str:
    assert main(["show", str(run), "--source", str(source)]) == 0
    return capsys.readouterr().out


def test_kept_feeds_build_today_and_a_second_run_only_asks_if_they_changed(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with NewsSite() as site, model_server() as model:
        for name in FEEDS:
            assert main(["feeds", "add", site.feed_url(name)]) == 0
        capsys.readouterr()
        code, run, err = build(capsys, model)
        assert code == 0, err
        assert len(run["sources"]) == 5 and {s["outlet"] for s in run["sources"]} == {
            "Harbor Times", "Valley Courier", "Metro Wire"}
        for s in run["sources"]:
            assert s["url"].startswith(site.base + "/a/seed") and "utm_" not in s["url"]
        first = list(site.requests)
        assert sorted(p for p, _, _ in first if p.startswith("/a/")) == [f"/a/seed{i}.html" for i in range(5)]
        # Every citation is exact against the text stored with the run, as `show --source` prints it.
        texts = {s["id"]: stored_text(capsys, run["stats"]["run"], s["id"]) for s in run["sources"]}
        cites = [c for p in run["points"] + run["summary_sentences"] for c in p["citations"]]
        assert cites and all(texts[c["source"]][c["start"]:c["end"]] == c["quote"] for c in cites)
        for text in texts.values():  # the page's scripts, frames and handlers were never kept
            assert "pwned" not in text and "<script" not in text and "injected" not in text
        calls = len(model.requests)
        assert calls == 1 and json.dumps(model.requests[0], sort_keys=True, ensure_ascii=False) in \
            {json.dumps(json.loads(f.read_text(encoding="utf-8"))["request"], sort_keys=True, ensure_ascii=False)
             for f in FEEDS_FIXTURES.glob("*.json")}  # exactly the recorded request
        # Minutes later: one conditional request per feed (304), no page fetched, no model call —
        # even when the first run was stamped in the second its newest entry was published (the
        # window continues from when the feeds were read, not from that stamp).
        with sqlite3.connect(home / "briefing.db") as db:
            db.execute("UPDATE runs SET created_at = ?", (site.now.isoformat(timespec="seconds"),))
        code, again, err = build(capsys, model)
        assert code == 0, err
        later = site.requests[len(first):]
        assert sorted(later) == sorted((f"/feeds/{n}", 304, True) for n in FEEDS)
        assert len(model.requests) == calls
        assert [s["url"] for s in again["sources"]] == [s["url"] for s in run["sources"]]
        assert again["stats"]["feeds_not_modified"] == 3 and again["stats"]["pages_stored"] == 5
        assert "no new entries since run 1" in err


def test_opml_import_and_feeds_list_remove(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with NewsSite() as site:
        opml = tmp_path / "subs.opml"
        opml.write_bytes(site.opml())
        assert main(["feeds", "add", "--opml", str(opml)]) == 0
        assert main(["feeds", "add", "--opml", str(opml)]) == 0  # again: nothing doubled
        assert main(["feeds", "list", "--format", "json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert [f["category"] for f in listed] == ["News / Europe", "News / Europe", "News"]
        assert main(["feeds", "remove", "Metro Wire"]) == 0
        assert main(["feeds", "list"]) == 0
        out = capsys.readouterr().out
        assert "Metro Wire" not in out and out.count("\n") == 3  # "removed …" and two feeds
        assert main(["feeds", "remove", "nope"]) == 1


def test_every_bad_source_is_one_line_and_the_run_completes(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with NewsSite() as site, model_server() as model:
        bad = [site.feed_url(n) for n in ("down.xml", "slow.xml", "bozo.xml", "mixed.xml")]
        code, run, err = build(capsys, model, site.feed_url("harbor.xml"), *bad, "--fetch-timeout", "1",
                               "--since", "24h")
        assert code == 0, err
        lines = err.splitlines()

        def one(fragment: str) -> None:
            hits = [line for line in lines if fragment in line]
            assert len(hits) == 1, (fragment, err)

        one("down.xml: HTTP 503")
        one("slow.xml: timed out")
        one("bozo.xml: malformed")
        one("paywall.html: paywalled or forbidden (HTTP 402)")
        one("home.html: not an article")
        one("loop.html: more than 5 redirects")
        one("huge.html: too large")
        assert "Traceback" not in err
        # The redirect led to seed 1, which the good feed also carries: one article, not two.
        assert sorted(s["url"].rsplit("/", 1)[1] for s in run["sources"]) == ["seed0.html", "seed1.html"]
        assert run["stats"]["source_problems"] == 7
        # Nothing is retried within the run.
        paths = [p.split("?")[0] for p in site.arrived]
        assert paths.count("/a/loop.html") <= 6 and paths.count("/feeds/slow.xml") == 1


def test_offline_builds_from_what_is_stored(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with NewsSite() as site, model_server() as model:
        feed = site.feed_url("valley.atom")
        code, _, _ = build(capsys, model, feed, "--since", "24h")
        assert code == 0
        before = len(site.requests)
        code, run, err = build(capsys, model, feed, f"{site.base}/a/seed4.html", "--offline", "--since", "24h")
        assert len(site.requests) == before  # nothing fetched
    assert code == 0, err
    assert len(run["sources"]) == 2
    assert "seed4.html: not fetched yet (--offline)" in err


def test_an_article_url_and_a_sources_file(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with NewsSite() as site, model_server() as model:
        sources = tmp_path / "sources.txt"
        sources.write_text(f"# mine\n{site.base}/a/seed2.html?utm_source=x\n{site.feed_url('metro.json')}\n")
        code, run, err = build(capsys, model, "--sources", str(sources), f"{site.base}/a/seed2.html")
        assert code == 0, err
        assert sorted(s["url"].rsplit("/", 1)[1] for s in run["sources"]) == ["seed2.html", "seed4.html"]
        assert [p for p, _, _ in site.requests].count("/a/seed2.html") == 1  # one page, fetched once


def test_nothing_to_build_is_one_line(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("briefing: nothing to build") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(("make", "words"), [
    (lambda p: p.write_bytes(b"<opml><body>" + b'<outline text="f">' * 5000 + b'<outline xmlUrl="https://a.example/rss"/>'
                             + b"</outline>" * 5000 + b"</body></opml>"), "nested more than 64 deep"),
    (lambda p: p.mkdir(), "not a regular file"),
    (lambda p: os.mkfifo(p), "not a regular file"),
])
def test_an_opml_that_cannot_be_used_is_one_line(make: Any, words: str, home: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "subs.opml"
    make(path)
    code = main(["feeds", "add", "--opml", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and words in err, err
