"""The fault matrix: real builds of the seeds against a real HTTP server on loopback that answers
from the recorded exchanges and injects one fault at a time, alone, sticky and in bursts. Each run
is followed by a re-run against the healthy server, which must ask exactly for what failed. The
builds use --select always, so that a run makes several calls: one per article, then the
composition.

Asserted for every case: the documented exit code, no traceback, stdout a complete JSON briefing,
nothing unusable in the cache, and the re-run's requests.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from summarizer.cli import main

from .fakeserver import FAULT_KINDS, MODEL, FakeServer, Fault, body_key

ROOT = Path(__file__).resolve().parent.parent
CALLS = 6  # the seeds build with --select always: 5 articles, 1 composition
# A 400 is final; a reply cut at its token cap is not asked for again in the same form.
RECOVERED_BY_RETRY_OR_REASK = [k for k in FAULT_KINDS if k not in ("400", "length")]


def build(server: FakeServer, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    code = main(["build", "seeds/", "--base-url", server.url, "--model", MODEL, "--concurrency", "1",
                 "--select", "always", "--retries", "1", "--format", "json", "--quiet", *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "briefing: internal error" not in err
    return code, json.loads(out) if out else {}, err


def is_synthesis(body: dict) -> bool:  # type: ignore[type-arg]
    return "F1 (" in body["messages"][1]["content"]  # the fact list the synthesis reads


def assert_cache_holds_only_usable_replies(home: Path) -> None:
    files = list((home / "cache").glob("*.json"))
    assert files
    for f in files:
        text = f.read_text()
        assert "chatcmpl-fake" not in text and "<!DOCTYPE" not in text, f.name  # no fault reply was cached


def assert_complete(doc: dict) -> None:  # type: ignore[type-arg]
    assert len(doc["points"]) >= 8
    for p in doc["points"]:
        for c in p["citations"]:
            src = next(s for s in doc["sources"] if s["id"] == c["source"])
            assert (ROOT / src["path"]).read_text(encoding="utf-8")[c["start"] : c["end"]] == c["quote"]


@pytest.mark.parametrize("kind", RECOVERED_BY_RETRY_OR_REASK)
def test_a_single_fault_is_absorbed_and_the_rerun_asks_nothing(kind: str, home: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(faults=[Fault(kind, on={3})]) as server:
        code, doc, err = build(server, capsys)
        assert code == 0, err
        assert_complete(doc)
        assert_cache_holds_only_usable_replies(home)
        server.healthy()
        code, doc2, _ = build(server, capsys)
        assert code == 0
        assert server.requests == []  # the re-asked call is cached as the answer to its first request
        assert doc2["points"] == doc["points"]


def test_a_reply_cut_at_its_cap_is_not_asked_again_and_the_rerun_asks_only_for_it(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(faults=[Fault("length", on={3})]) as server:
        code, doc, err = build(server, capsys)
        assert code == 3, err
        failed = body_key(server.requests[2])
        assert sum(body_key(b) == failed for b in server.requests) == 1  # asked once, not re-asked
        assert doc["stats"]["reasks"] == 0 and doc["stats"]["chunks_failed"] == 1
        server.healthy()
        code, _, err = build(server, capsys)
        assert code == 0, err
        assert [body_key(b) for b in server.requests[:1]] == [failed] and len(server.requests) == 2


@pytest.mark.parametrize("kind", [*FAULT_KINDS, "hang"])
def test_a_call_that_keeps_failing_makes_a_partial_run_and_the_rerun_asks_only_for_it(
        kind: str, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = ["--timeout", "1"] if kind == "hang" else []
    with FakeServer(faults=[Fault(kind, on={3}, sticky=True)]) as server:
        code, doc, err = build(server, capsys, *extra)
        assert code == 3, err
        assert doc["points"] and doc["stats"]["chunks_failed"] == 1  # the briefing holds the rest
        failed = body_key(server.requests[2])
        if kind == "hang":  # cut by the deadline once, never retried
            assert sum(body_key(b) == failed for b in server.requests) == 1
        assert_cache_holds_only_usable_replies(home)
        server.healthy()
        code, doc2, err = build(server, capsys)
        assert code == 0, err
        # Exactly the failed call, then the synthesis (whose input now has that chunk's facts).
        assert [body_key(b) for b in server.requests[:1]] == [failed]
        assert len(server.requests) == 2 and is_synthesis(server.requests[1])
        assert_complete(doc2)


@pytest.mark.parametrize(("kind", "burst", "failed_calls"), [
    ("500", range(2, 6), 2),  # calls 2 and 3 each fail their try and their one retry
    ("429", range(1, 3), 1),
    ("drop", range(4, 8), 2),
    ("invalid-json", range(1, 4), 1),  # the first call's three attempts
    ("html200", range(1, 7), 2),  # three attempts each for calls 1 and 2
])
def test_a_burst_fails_only_the_calls_it_covers(kind: str, burst: range, failed_calls: int, home: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(faults=[Fault(kind, on=burst)]) as server:
        code, doc, err = build(server, capsys)
        assert code == 3, err
        assert doc["stats"]["chunks_failed"] == failed_calls
        server.healthy()
        code, _, err = build(server, capsys)
        assert code == 0, err
        assert len(server.requests) == failed_calls + 1  # the failed calls and the synthesis


def test_twenty_500s_never_change_the_structured_mode(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(faults=[Fault("500", on=range(1, 21))]) as server:
        code, doc, _err = build(server, capsys, "--retries", "3")  # 4 tries a call: all 5 article calls fail
        assert code == 3
        assert doc["stats"]["chunks_failed"] == 5 and doc["stats"]["mode_changes"] == []
        assert all("grammar" in b and "response_format" not in b for b in server.requests)
        server.healthy()
        code, _, _ = build(server, capsys)
        assert code == 0 and len(server.requests) == 5 + 1


def test_an_html_models_page_is_not_trusted_and_a_mode_change_is_reported(
        home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(models_fault="html200") as server:
        code = main(["build", "seeds/", "--base-url", server.url, "--model", MODEL, "--concurrency", "1",
                     "--select", "always", "--retries", "1", "-o", str(home.parent / "out.md")])
        err = capsys.readouterr().err
        assert code == 0, err
        # The probe's page was not trusted: json_schema was tried, the server rejected the shape
        # (as llama-cpp-python does), and each prompt's calls stepped down, said in the summary.
        assert "structured mode changed: extract: json_schema -> json_object" in err
        assert "structured mode changed: synthesize: json_schema -> json_object" in err
        server.healthy()
        code, _, _ = build(server, capsys)
        assert code == 0
        assert server.models_requests == 1  # the invalid /models answer was not cached: asked again
        # and trusted now: llama-cpp-python's server, asked with the grammar this time
        assert server.requests and all("grammar" in b for b in server.requests)


def test_an_unreachable_server_exits_4_with_one_line(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    code = main(["build", "seeds/", "--base-url", f"http://127.0.0.1:{port}/v1", "--model", MODEL,
                 "--retries", "0", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 4
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("briefing: cannot reach the model server")


@pytest.mark.parametrize("kind", ["html200", "500", "invalid-json"])
def test_a_synthesis_that_keeps_failing_still_gives_the_verified_facts(kind: str, home: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(faults=[Fault(kind, on={CALLS}, sticky=True)]) as server:
        code, doc, err = build(server, capsys)
        assert code == 3 and "synthesis failed" in err
        assert doc["stats"]["synthesis_failed"] and len(doc["points"]) >= 8  # the best-supported facts
        assert_complete(doc)
        server.healthy()
        code, _, _ = build(server, capsys)
        assert code == 0 and len(server.requests) == 1 and is_synthesis(server.requests[0])


def test_concurrent_builds_sharing_a_home_all_complete(home: Path) -> None:
    import os
    import subprocess
    import sys

    with FakeServer() as server:
        env = {**os.environ, "BRIEFING_HOME": str(home)}
        argv = [sys.executable, "-m", "summarizer", "build", "seeds/", "--base-url", server.url, "--model", MODEL,
                "--format", "json", "--quiet"]
        procs = [subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [e for _, e in results]
    assert all(len(json.loads(out)["points"]) >= 8 for out, _ in results)
    assert list((home / "cache").glob("*.tmp")) == [] and list((home / "cache").glob(".*")) == []
    runs = subprocess.run([sys.executable, "-m", "summarizer", "runs", "--format", "json"], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    assert sorted(r["id"] for r in json.loads(runs.stdout)) == [1, 2, 3, 4]
