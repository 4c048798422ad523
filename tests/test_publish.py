"""Publishing the stored runs (the recorded day, then the day with two more articles): the site's
pages, each story's timeline with cited statements, the Atom feed as a feed reader reads it, the
timeline in the build's own outputs, a quiet run for cron, and runs that overlap."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import feedparser
import pytest

from summarizer.cli import main
from tests.fakeserver import MODEL
from tests.test_day import FIXTURES, build, days  # noqa: F401 - the fixture

FEED = "http://www.w3.org/2005/Atom"


@pytest.fixture
def two_runs(home: Path, days: tuple[Path, Path],  # noqa: F811 - the fixture
             capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    code, first, err = build(capsys, str(days[0]), "--replay", str(FIXTURES))
    assert code == 0, err
    code, second, err = build(capsys, str(days[1]), "--replay", str(FIXTURES))
    assert code == 0, err
    return first, second


def publish(capsys: pytest.CaptureFixture[str], site: Path, *args: str) -> str:
    assert main(["publish", str(site), *args]) == 0
    return capsys.readouterr().err


def test_the_site_has_every_run_and_each_story_a_cited_timeline(
        home: Path, tmp_path: Path, two_runs: tuple[dict[str, Any], dict[str, Any]],
        capsys: pytest.CaptureFixture[str]) -> None:
    first, second = two_runs
    site = tmp_path / "site"
    said = publish(capsys, site)
    stories = {st["id"] for st in first["stories"]} | {st["id"] for st in second["stories"]}
    assert f"{2 + 2 + len(stories)} files, {2 + 2 + len(stories)} written" in said
    index = (site / "index.html").read_text()
    assert 'href="runs/1.html"' in index and 'href="runs/2.html"' in index and 'href="feed.atom"' in index
    assert index.index("runs/2.html") < index.index("runs/1.html")  # newest first
    run2 = (site / "runs" / "2.html").read_text()
    assert all(f'href="../stories/{st["id"]}.html"' in run2 for st in second["stories"])
    assert "So far: first seen" in run2
    # A story of both runs: a two-run timeline, each statement with its quote (as on the run page).
    st = next(s for s in second["stories"] if s["id"] in {x["id"] for x in first["stories"]} and len(s["sources"]) > 1)
    page = (site / "stories" / f"{st['id']}.html").read_text()
    assert page.count('<section id="run-') == 2 and "told in 2 runs" in page
    texts = {s["id"]: Path(s["path"]).read_text(encoding="utf-8") for s in second["sources"]}
    quotes = re.findall(r"<q>(.*?)</q>", page, re.S)
    assert quotes and all(any(" ".join(q.split()) in " ".join(t.split()) for t in texts.values())
                          for q in (html_unescape(q) for q in quotes))
    assert "<script" not in page and "http://" not in page.replace("https://", "")  # nothing is fetched
    # Publishing again writes nothing; a new run rewrites only what it changes.
    assert f"{2 + 2 + len(stories)} files, 0 written" in publish(capsys, site)


def html_unescape(text: str) -> str:
    import html
    return html.unescape(text)


def test_the_feed_reads_in_a_feed_reader_with_stable_ids(
        home: Path, tmp_path: Path, two_runs: tuple[dict[str, Any], dict[str, Any]],
        capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    publish(capsys, site, "--base-url", "https://news.example.org/daily/")
    feed = feedparser.parse((site / "feed.atom").read_bytes())
    assert not feed.bozo and feed.version == "atom10"
    assert [e.id for e in feed.entries] == ["tag:briefing.local,2026:run-2", "tag:briefing.local,2026:run-1"]
    assert [e.link for e in feed.entries] == ["https://news.example.org/daily/runs/2.html",
                                              "https://news.example.org/daily/runs/1.html"]
    assert feed.feed.id and feed.feed.updated == feed.entries[0].updated
    assert all(e.updated_parsed and e.title and e.content[0].type == "text/html" for e in feed.entries)
    assert "news.example.org/daily/stories/" in feed.entries[0].content[0].value
    first_ids = [e.id for e in feed.entries]
    publish(capsys, site, "--base-url", "https://other.example/")  # the ids do not move with the address
    assert [e.id for e in feedparser.parse((site / "feed.atom").read_bytes()).entries] == first_ids
    per_story = tmp_path / "per-story"
    publish(capsys, per_story, "--feed-per", "story")
    entries = feedparser.parse((per_story / "feed.atom").read_bytes()).entries
    first, second = two_runs
    assert len(entries) == len(first["stories"]) + len(second["stories"])
    assert len({e.id for e in entries}) == len(entries)


def test_a_continuing_story_carries_its_timeline_in_every_output(
        home: Path, two_runs: tuple[dict[str, Any], dict[str, Any]], capsys: pytest.CaptureFixture[str]) -> None:
    first, second = two_runs
    assert all(st["timeline"] == [] for st in first["stories"])
    continuing = [st for st in second["stories"] if not st["new"]]
    assert continuing and all(len(st["timeline"]) == 1 and st["timeline"][0]["run"] == 1 for st in continuing)
    told = continuing[0]["timeline"][0]
    assert told["summary"] or told["new_points"]
    assert main(["show", "2"]) == 0
    assert "*So far: first seen " in capsys.readouterr().out
    assert main(["show", "--story", continuing[0]["id"], "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [t["run"] for t in shown["timeline"]] == [1, 2]
    assert main(["show", "--story", "s000000"]) == 1
    assert "no stored run carries story s000000" in capsys.readouterr().err


def test_quiet_runs_print_nothing_on_success_and_only_what_failed(
        home: Path, tmp_path: Path, days: tuple[Path, Path],  # noqa: F811 - the fixture
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(days[0]), "--replay", str(FIXTURES), "-q", "-o", str(tmp_path / "b.md")]) == 0
    assert main(["publish", str(tmp_path / "site"), "-q"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.strip().endswith("index.html")
    assert main(["build", str(tmp_path / "missing"), "--replay", str(FIXTURES), "-q"]) != 0
    err = capsys.readouterr().err.strip().splitlines()  # what failed, and nothing else (no progress, no summary)
    assert err == [f"briefing: skipped {tmp_path / 'missing'}: no such file or directory",
                   "briefing: no readable article in the input (see above)"]


def test_a_run_that_starts_while_another_holds_the_home_waits_for_it(
        home: Path, tmp_path: Path, two_runs: tuple[dict[str, Any], dict[str, Any]]) -> None:
    lock = (home / "run.lock").open("a+")
    fcntl.flock(lock, fcntl.LOCK_EX)  # as a build still running holds it
    lock.truncate(0)
    lock.write("pid 1, started earlier")
    lock.flush()
    second = subprocess.Popen([sys.executable, "-m", "summarizer", "publish", str(tmp_path / "site")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    assert second.poll() is None and not (tmp_path / "site" / "index.html").exists()  # it waits
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()
    _, err = second.communicate(timeout=60)
    assert second.returncode == 0 and (tmp_path / "site" / "index.html").exists()
    assert "waiting for pid 1, started earlier to finish" in err


def readme_block(name: str) -> str:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    after = text.split(f"<!-- {name}: tests/test_publish.py runs this block as written -->", 1)[1]
    return after.split("```sh\n", 1)[1].split("```", 1)[0]


def test_the_readme_daily_run_works_as_written_against_the_loopback_site(home: Path, tmp_path: Path) -> None:
    from tests.test_feeds import model_server
    from tests.webserver import NewsSite

    script = tmp_path / "daily.sh"
    script.write_text(readme_block("daily.sh"))
    script.chmod(0o755)
    with NewsSite() as site, model_server() as model:
        env = {**os.environ, "HOME": str(tmp_path), "BRIEFING_HOME": str(home), "BRIEFING_MODEL": MODEL,
               "BRIEFING_BASE_URL": model.url, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
        for feed in (site.feed_url("harbor.xml"), site.feed_url("down.xml")):
            assert subprocess.run(["briefing", "feeds", "add", feed], env=env, capture_output=True).returncode == 0
        run = subprocess.run([str(script)], env=env, capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        assert run.stdout == "" and run.stderr.splitlines() == [
            f"briefing: feed {site.feed_url('down.xml')}: HTTP 503; its stored entries are used"]
        assert (tmp_path / "briefing" / "today.html").exists()
        assert (tmp_path / "briefing" / "site" / "runs" / "1.html").exists()
        # The model server gone: one line, exit 4, and the site is left as it was.
        before = (tmp_path / "briefing" / "site" / "index.html").read_text()
        env["BRIEFING_BASE_URL"] = "http://127.0.0.1:9/v1"
        (home / "cache").exists() and shutil.rmtree(home / "cache")
        run = subprocess.run([str(script)], env=env, capture_output=True, text=True)
        assert (tmp_path / "briefing" / "site" / "index.html").read_text() == before
        assert run.returncode == 4 and run.stderr.splitlines() == [
            "briefing: cannot reach the model server: nothing accepted the connection (start the server, or check "
            "--base-url / BRIEFING_BASE_URL); nothing was built"]


def test_publish_mails_the_latest_run_through_smtp_from_the_environment(
        home: Path, tmp_path: Path, two_runs: tuple[dict[str, Any], dict[str, Any]],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    got: list[bytes] = []

    class Inbox:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            got.append(envelope.content)
            return "250 OK"

    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == b"ann" and data.password == b"s3cret pw"
        return AuthResult(success=ok)

    with socket.socket() as probe:  # a free port (aiosmtpd checks its server by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Inbox(), hostname="127.0.0.1", port=port, authenticator=check, auth_require_tls=False,
                      timeout=5)
    smtp.start()
    try:
        monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://ann:s3cret%20pw@127.0.0.1:{port}")
        assert main(["publish", str(tmp_path / "site"), "--mail", "reader@example.org"]) == 0
        assert "run 2 mailed to reader@example.org" in capsys.readouterr().err
        monkeypatch.setenv("BRIEFING_SMTP_URL", f"smtp://ann:wrong-pw@127.0.0.1:{port}")
        assert main(["publish", str(tmp_path / "site"), "--mail", "reader@example.org"]) == 1
        err = capsys.readouterr().err
        assert f"the mail server 127.0.0.1:{port} refused the login" in err and "wrong-pw" not in err
    finally:
        smtp.stop()
    import email
    msg = email.message_from_bytes(got[0])
    assert msg["To"] == "reader@example.org" and msg["Subject"].startswith("Briefing ")
    kinds = [p.get_content_type() for p in msg.walk()]
    assert "text/plain" in kinds and "text/html" in kinds
    html = next(p for p in msg.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    assert "Content-Security-Policy" in html and two_runs[1]["stories"][0]["title"][:20] in html
    assert b"s3cret" not in got[0]
    monkeypatch.delenv("BRIEFING_SMTP_URL")
    assert main(["publish", str(tmp_path / "site"), "--mail", "x@example.org"]) == 1
    assert "--mail needs the mail server in BRIEFING_SMTP_URL" in capsys.readouterr().err


def test_a_control_character_from_an_article_never_breaks_the_feed() -> None:
    from summarizer.models import Briefing, Point, SourceRef, Span, Story
    from summarizer.publish import StoredRun, atom

    quote = "Ministers met\x0c in Brussels\x01."
    story = Story(id="s1a2b3c", title="Talks\x01 resume", sources=[1], outlets=1, reason="",
                  points=[Point(text=quote, citations=[Span(source=1, quote=quote, start=0, end=len(quote))])])
    b = Briefing(sources=[SourceRef(id=1, path="a.txt", title="A\x02")], stories=[story])
    feed = feedparser.parse(atom([StoredRun(1, "2026-11-30T07:00:00+00:00", b)]).encode())
    assert not feed.bozo and feed.entries[0].title == "Talks resume"
