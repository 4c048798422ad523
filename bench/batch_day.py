"""Benchmark: a synthetic day built live, through a (fake) Batch API, and through an engine's file:
the same briefing three ways, and what each costs.

    python bench/batch_day.py [--articles 10000] [--concurrency 64]

The day is bench/synthday.py's, written as one JSONL input. The model is the latency-free answerer
of bench/scale.py (a picked pair of sentences, an empty composition, a fixed headline), served by
the fake Batch API of the tests (tests/fakebatch.py: files, batches, statuses) on 127.0.0.1. Each
way runs `briefing build` (the CLI, in this process) in its own BRIEFING_HOME:

1. live: one build, ``--concurrency``;
2. ``--batch``: builds until one exits 0 (each collects the last batch and submits the next);
3. ``--batch-export``: builds until one exits 0, an in-process engine answering each exported file
   between them (what ``vllm run-batch`` does) and ``briefing batch import`` reading its results.

It prints each way's builds, batches, seconds and whether its briefing (stories, statements,
citations) equals the live one.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import sim_reply
from synthday import day

from summarizer.cli import main as cli
from tests.fakebatch import FakeBatchServer


class SimBatchServer(FakeBatchServer):
    def answer(self, path: str, body: dict[str, Any] | None,
               auth: str = "") -> tuple[int, dict[str, str], bytes] | None:
        if path.endswith("/models"):
            return 200, {}, json.dumps({"object": "list", "data": [{"id": "sim", "object": "model",
                                                                     "owned_by": "bench"}]}).encode()
        assert body is not None
        return 200, {}, json.dumps(sim_reply(body)).encode()


def run(home: Path, args: list[str]) -> tuple[int, str]:
    os.environ["BRIEFING_HOME"] = str(home)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli(["build", *args])
    return code, err.getvalue()


def content(path: Path) -> list[Any]:
    briefing = json.loads(path.read_text())
    return [{k: st[k] for k in ("title", "summary", "points", "disagreements", "sources")}
            for st in briefing["stories"]]


def engine(requests: Path, results: Path) -> None:
    with results.open("w") as out:
        for raw in requests.read_text().splitlines():
            line = json.loads(raw)
            out.write(json.dumps({"id": "x", "custom_id": line["custom_id"], "error": None,
                                  "response": {"status_code": 200, "body": sim_reply(line["body"])}}) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--concurrency", type=int, default=64)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="batchday-"))
    src = tmp / "day.jsonl"
    with src.open("w") as f:
        for i, art in enumerate(day(a.articles)):
            f.write(json.dumps({"title": art.title, "text": art.text, "outlet": art.outlet,
                                "url": f"https://{art.outlet}/a{i}"}) + "\n")
    common = [str(src), "--model", "sim", "--select", "always", "--structured", "json_object", "--max-chunks",
              "1000000", "--concurrency", str(a.concurrency), "--format", "json", "-q"]
    print(f"{a.articles} articles, concurrency {a.concurrency}")
    print(f"{'way':<14} {'builds':>6} {'batches':>7} {'seconds':>7}  same briefing as live")
    with SimBatchServer(steps=["completed"]) as server:
        url = ["--base-url", server.url]
        t = time.monotonic()
        code, err = run(tmp / "live", [*common, *url, "-o", str(tmp / "live.json")])
        assert code == 0, err
        print(f"{'live':<14} {1:>6} {0:>7} {time.monotonic() - t:>7.1f}  -", flush=True)
        live = content(tmp / "live.json")
        for way in ("batch", "batch-export"):
            t = time.monotonic()
            builds, made = 0, server.created
            out = tmp / f"{way}.json"
            jobs = tmp / "jobs"
            while True:
                builds += 1
                extra = [*url, "--batch"] if way == "batch" else ["--batch-export", str(jobs)]
                code, err = run(tmp / way, [*common, *extra, "-o", str(out)])
                if code == 0:
                    break
                assert code == 75, err
                if way == "batch-export":
                    requests = sorted(jobs.glob("requests-*.jsonl"), key=lambda p: p.stat().st_mtime)[-1]
                    engine(requests, tmp / "results.jsonl")
                    os.environ["BRIEFING_HOME"] = str(tmp / way)
                    with contextlib.redirect_stderr(io.StringIO()):
                        assert cli(["batch", "import", str(tmp / "results.jsonl")]) == 0
                    made += 1
                assert builds < 10, err
            batches = server.created - made if way == "batch" else made - server.created
            print(f"{way:<14} {builds:>6} {batches:>7} {time.monotonic() - t:>7.1f}  {content(out) == live}",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
