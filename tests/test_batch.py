"""Batch mode: a build's model requests as one batch per stage, through a fake Batch API on
127.0.0.1 (``fakebatch``) or a results file, giving the briefing a live run gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from summarizer.batch import read_results, request_line
from summarizer.cli import main
from summarizer.errors import EXIT_PARTIAL, EXIT_PENDING
from summarizer.exchanges import Request
from tests.fakebatch import FakeBatchServer
from tests.fakeserver import MODEL, FakeServer

SEEDS = "seeds/"
# --select always: two stages (each article's sentences picked, then the composition)
COMMON = ["--model", MODEL, "--select", "always", "--concurrency", "2", "--format", "json"]


def build(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["build", SEEDS, *COMMON, *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


def content(briefing: dict[str, Any]) -> list[Any]:
    """What a reader reads: the stories, their statements and citations (not timings or ids of runs)."""
    keys = ("title", "summary", "points", "disagreements", "sources")
    return [{k: st[k] for k in keys} for st in briefing["stories"]]


def live_briefing(capsys: pytest.CaptureFixture[str], home: Path, monkeypatch: pytest.MonkeyPatch,
                  *args: str) -> dict[str, Any]:
    monkeypatch.setenv("BRIEFING_HOME", str(home.parent / "live-home"))
    with FakeServer() as server:
        code, out, err = build(capsys, "--base-url", server.url, *args)
    monkeypatch.setenv("BRIEFING_HOME", str(home))
    assert code == 0, err
    return out


def test_a_day_builds_across_two_batches_and_reads_as_the_live_run(
        home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    live = live_briefing(capsys, home, monkeypatch)
    with FakeBatchServer() as server:
        url = ["--base-url", server.url]
        code, out, err = build(capsys, *url, "--batch")
        assert code == EXIT_PENDING and out == {}
        assert "5 model requests of the picking sentences stage" in err and "submitted as batch batch_1" in err
        code, _, err = build(capsys, *url, "--batch")  # the batch is in progress: nothing new is sent
        assert code == EXIT_PENDING and "batch_1: in_progress" in err and server.created == 1
        code, _, err = build(capsys, *url, "--batch")  # completed: collected, then the composition's batch
        assert code == EXIT_PENDING and "5 batch answers cached" in err and "composition" in err
        assert server.created == 2
        assert main(["batch", "status", *url, "--wait", "5"]) == 0
        capsys.readouterr()
        code, batched, err = build(capsys, *url, "--batch")
        assert code == 0, err
        assert server.live == 0  # every model request went through a batch
    assert content(batched) == content(live)
    assert batched["stats"]["cache_hits"] == 6


def test_failed_lines_go_into_the_next_batch_then_fail_the_run_as_partial(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    failing: list[str] = []  # one request's line fails in every batch
    with FakeBatchServer(steps=["completed"], fail=lambda line: line["custom_id"] in failing) as server:
        url = ["--base-url", server.url]
        code, _, _ = build(capsys, *url, "--batch")
        assert code == EXIT_PENDING
        state = json.loads(next((home / "batches").glob("*.json")).read_text())
        failing.append(state["requests"][0]["key"])
        code, _, err = build(capsys, *url, "--batch")  # 4 of 5 answered; the failed line goes again
        assert code == EXIT_PENDING and "1 model request of the picking sentences stage" in err
        code, _, err = build(capsys, *url, "--batch")  # it failed twice: the run goes on without it
        assert code == EXIT_PENDING and "composition" in err
        code, out, err = build(capsys, *url, "--batch")
        assert code == EXIT_PARTIAL, err
        assert "the batch did not answer this request" in err
        assert out["stories"] and server.created == 3  # 5 picks, the failed one again, the composition


def test_failed_lines_can_be_asked_live(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    failing: list[str] = []
    with FakeBatchServer(steps=["completed"], fail=lambda line: line["custom_id"] in failing) as server:
        url = ["--base-url", server.url, "--batch", "--batch-retry", "live"]
        assert build(capsys, *url)[0] == EXIT_PENDING
        state = json.loads(next((home / "batches").glob("*.json")).read_text())
        failing.append(state["requests"][0]["key"])
        code, _, err = build(capsys, *url)  # 4 answers cached, the failed line asked live, then the composition
        assert code == EXIT_PENDING and "composition" in err
        assert server.live == 1
        code, out, err = build(capsys, *url)
        assert code == 0, err
        assert server.created == 2 and out["stories"]


def test_an_interrupted_submission_is_found_again_never_sent_twice(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeBatchServer(steps=["completed"]) as server:
        url = ["--base-url", server.url]
        assert build(capsys, *url, "--batch")[0] == EXIT_PENDING
        path = next((home / "batches").glob("*.json"))
        state = json.loads(path.read_text())
        state["batch_id"], state["status"] = None, "uploaded"  # as if stopped before the id was saved
        path.write_text(json.dumps(state))
        code, _, err = build(capsys, *url, "--batch")
        assert code == EXIT_PENDING and "5 batch answers cached" in err
        assert server.created == 2  # the first batch found by its input file; the second is the composition's
        state = json.loads(path.read_text())
        assert state["batch_id"] == "batch_1" and state["status"] == "collected"


def engine(requests: Path, results: Path, server: FakeServer) -> None:
    """What ``vllm run-batch -i requests -o results`` does: answer each line, write the results."""
    out = []
    for raw in requests.read_text().splitlines():
        line = json.loads(raw)
        answered = server.answer(line["url"], line["body"])
        assert answered is not None
        status, _, body = answered
        out.append({"id": "x", "custom_id": line["custom_id"],
                    "response": {"status_code": status, "body": json.loads(body)}, "error": None})
    results.write_text("".join(json.dumps(x) + "\n" for x in out))


def test_export_and_import_through_a_results_file_give_the_live_briefing(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    live = live_briefing(capsys, home, monkeypatch, "--structured", "gbnf")
    jobs = tmp_path / "jobs"
    with FakeServer() as server:  # the engine answers in process: no request reaches it over HTTP
        for stage in ("picking sentences", "composition"):
            run_stage(capsys, jobs, tmp_path, server, stage)
    code, batched, err = build(capsys, "--structured", "gbnf", "--batch-export", str(jobs))
    assert code == 0, err
    assert content(batched) == content(live)


def run_stage(capsys: pytest.CaptureFixture[str], jobs: Path, tmp_path: Path, server: FakeServer, stage: str) -> None:
    """One stage through a file: the build writes its requests, the engine answers, they are imported."""
    code, _, err = build(capsys, "--structured", "gbnf", "--batch-export", str(jobs))
    assert code == EXIT_PENDING and stage in err and "vllm run-batch" in err
    requests = sorted(jobs.glob("requests-*.jsonl"))[-1]
    results = tmp_path / f"results-{stage[:4]}.jsonl"
    engine(requests, results, server)
    code, _, err = build(capsys, "--structured", "gbnf", "--batch-export", str(jobs))
    assert code == EXIT_PENDING and "wait for an engine" in err  # not imported yet: nothing is written again
    assert main(["batch", "import", str(results)]) == 0
    assert "answers cached, 0 requests without one" in capsys.readouterr().err


@pytest.mark.parametrize(("line", "answered", "failed"), [
    ({"custom_id": "k", "response": {"status_code": 200, "body": {"choices": [{"message": {}}]}}, "error": None},
     True, False),
    ({"custom_id": "k", "response": {"status_code": 500, "body": {"error": {"message": "boom"}}}, "error": None},
     False, True),
    ({"custom_id": "k", "response": None, "error": {"code": "batch_expired", "message": "late"}}, False, True),
    ({"custom_id": "k", "response": {"status_code": 200, "body": {"choices": []}}, "error": None}, False, True),
    ({"custom_id": "other", "response": {"status_code": 200, "body": {}}, "error": None}, False, False),
])
def test_results_lines(line: dict[str, Any], answered: bool, failed: bool) -> None:
    got = read_results([json.dumps(line), "", "not json"], {"k": Request("k", "chat/completions", "p@1", {})})
    assert ("k" in got.answers) == answered and ("k" in got.failed) == failed
    assert got.malformed == 1 and got.unknown == (line["custom_id"] == "other")


def test_a_request_line_is_the_live_request() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "ü"}]}
    line = json.loads(request_line(Request("abc", "chat/completions", "extract@1", body)))
    assert line == {"custom_id": "abc", "method": "POST", "url": "/v1/chat/completions", "body": body}


def test_batch_needs_a_server_and_the_cache(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", SEEDS, "--batch"]) == 1
    assert "--batch needs a server with the Batch API" in capsys.readouterr().err
    assert main(["build", SEEDS, "--batch-export", "x", "--replay", "fixtures/seeds"]) == 1
    assert "work through the exchange cache" in capsys.readouterr().err
    assert main(["batch", "import", "nothing.jsonl"]) == 1
    assert "no batch is waiting" in capsys.readouterr().err


def test_a_server_without_the_batch_api_is_one_line_and_blocks_nothing(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer() as server:  # it answers chat requests; an upload is a request it drops
        for _ in range(2):  # the failed submission is not left waiting: the next run says it again
            code, _, err = build(capsys, "--base-url", server.url, "--batch")
            assert code == 1 and err.strip().splitlines()[-1].startswith(
                "briefing: the server did not take the batch (the model server closed the connection")
            assert "use --batch-export DIR" in err


def test_import_takes_only_a_file_that_answers_the_waiting_requests(
        home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jobs = tmp_path / "jobs"
    assert build(capsys, "--structured", "gbnf", "--batch-export", str(jobs))[0] == EXIT_PENDING
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(json.dumps({"custom_id": "not-ours", "response": {"status_code": 200, "body": {}}}) + "\n")
    assert main(["batch", "import", str(wrong)]) == 1
    assert "answers none of the requests waiting for an engine" in capsys.readouterr().err
    code, _, err = build(capsys, "--structured", "gbnf", "--batch-export", str(jobs))
    assert code == EXIT_PENDING and "wait for an engine" in err  # still waiting, nothing lost
    assert main(["batch", "import"]) == 1
    assert "batch import needs a results file" in capsys.readouterr().err
    assert main(["batch", "export"]) == 1
    assert "batch export needs a folder" in capsys.readouterr().err
