"""Batch mode: a build's model requests sent as one batch per stage instead of one by one.

The build runs as usual over the exchange cache. A chat request the cache cannot answer is put off
(``exchanges.Deferred``); each stage goes on with its other calls, and the build stops after the
stage (``Pending``) with every such request collected. Those requests are written as OpenAI batch
JSONL (``custom_id`` = the exchange key the cache computes, the body exactly the live request's)
and either submitted through the server's Batch API (``submit``) or left in a file for an engine
that reads the format (``vllm run-batch``). Their answers go into the cache under their keys
(``import_results``), so the next run of the same build is served from the cache up to the next
stage's requests: picking, then composition, then headlines, exactly as a live run would ask.

State lives in ``$BRIEFING_HOME/batches/<name>.json``: the requests (so an answer can be cached
under the request it answers), the batch id once the server has one, and the lines that failed.
It is written before the batch is created and again once it is, so an interrupted submission is
found again (``recover``), never lost or sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import openai

from .errors import EXIT_PENDING, BriefingError
from .exchanges import Batching, Deferred, ExchangeTransport, Request
from .files import atomic_write

FINAL = ("completed", "failed", "expired", "cancelled")
Retry = Literal["batch", "live"]


class BatchError(BriefingError):
    """A batch's state or answers cannot be written or read."""


class Pending(BriefingError):
    """The build stopped at a stage whose requests wait for a batch."""

    exit_code = EXIT_PENDING

    def __init__(self, stage: str, requests: int) -> None:
        n = f"{requests} model request{'s' if requests != 1 else ''}"
        super().__init__(f"{n} of the {stage} stage wait for a batch")
        self.stage = stage
        self.requests = requests


async def gather_deferring(calls: Iterable[Awaitable[None]]) -> int:
    """Await every call; one whose model request was put off for a batch ends early without
    stopping the others. How many were put off."""

    async def one(call: Awaitable[None]) -> int:
        try:
            await call
        except Deferred:
            return 1
        return 0

    return sum(await asyncio.gather(*(one(c) for c in calls)))


# --- the file format ----------------------------------------------------------------------

def request_line(req: Request) -> str:
    """One line of batch JSONL: the request the live path would send."""
    return json.dumps({"custom_id": req.key, "method": "POST", "url": f"/v1/{req.endpoint}", "body": req.body},
                      ensure_ascii=False, separators=(",", ":"))


def requests_jsonl(requests: Iterable[Request]) -> str:
    """The batch input file: a line per request."""
    return "".join(request_line(r) + "\n" for r in requests)


@dataclass
class Results:
    """What a results file (or a batch's output and error files) says."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> the chat completion
    failed: dict[str, str] = field(default_factory=dict)  # key -> why
    unknown: int = 0  # lines for requests this state did not send
    malformed: int = 0  # lines that are not a result at all


def read_results(lines: Iterable[str], requests: dict[str, Request]) -> Results:
    """Parse OpenAI batch output/error JSONL (``vllm run-batch`` writes the same): a line answers its
    ``custom_id`` with ``response.status_code`` 200 and a body, or fails with ``error``."""
    out = Results()
    for raw in lines:
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            key = line["custom_id"]
        except (ValueError, KeyError, TypeError):
            out.malformed += 1
            continue
        if not isinstance(key, str) or key not in requests:
            out.unknown += 1
            continue
        response = line.get("response") or {}
        body = response.get("body") if isinstance(response, dict) else None
        status = response.get("status_code") if isinstance(response, dict) else None
        if status == 200 and isinstance(body, dict) and body.get("choices"):
            out.answers[key] = body
            out.failed.pop(key, None)
            continue
        error = line.get("error") or (body.get("error") if isinstance(body, dict) else None) or {}
        message = error.get("message") if isinstance(error, dict) else str(error)
        if key not in out.answers:
            out.failed[key] = f"HTTP {status}: {message}" if status else str(message or "no answer")
    return out


# --- the state on disk --------------------------------------------------------------------

@dataclass
class BatchState:
    """One batch of requests: written before submission, updated as it goes."""

    name: str
    server: str  # where it was submitted (scrubbed), or "file" for an engine's file
    requests: dict[str, Request]
    batch_id: str | None = None
    input_file: str | None = None
    status: str = "new"  # new, submitted, validating, in_progress, ..., completed, collected, exported
    counts: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)  # key -> batches it has been in
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def to_json(self) -> str:
        return json.dumps({
            "name": self.name, "server": self.server, "batch_id": self.batch_id, "input_file": self.input_file,
            "status": self.status, "counts": self.counts, "failed": self.failed, "attempts": self.attempts,
            "created": self.created,
            "requests": [{"key": r.key, "endpoint": r.endpoint, "prompt": r.prompt, "body": r.body}
                         for r in self.requests.values()],
        }, ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def load(cls, path: Path) -> BatchState:
        data = json.loads(path.read_text(encoding="utf-8"))
        reqs = {r["key"]: Request(r["key"], r["endpoint"], r["prompt"], r["body"]) for r in data["requests"]}
        return cls(name=data["name"], server=data["server"], requests=reqs, batch_id=data.get("batch_id"),
                   input_file=data.get("input_file"), status=data.get("status", "new"),
                   counts=data.get("counts", {}), failed=data.get("failed", {}),
                   attempts=data.get("attempts", {}), created=data.get("created", ""))

    @property
    def open(self) -> bool:
        """Still waiting for answers: not collected, not given up."""
        return self.status not in ("collected", "abandoned")


class Batches:
    """The batch states of ``$BRIEFING_HOME/batches``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def all(self) -> list[BatchState]:
        out = []
        for f in sorted(self.root.glob("*.json")) if self.root.is_dir() else []:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                out.append(BatchState.load(f))
        return out

    def open(self) -> list[BatchState]:
        return [b for b in self.all() if b.open]

    def save(self, state: BatchState) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            atomic_write(self.root / f"{state.name}.json", state.to_json())
        except OSError as exc:
            raise BatchError(f"cannot write the batch state in {self.root}: {exc.strerror or exc}") from None

    def new(self, requests: dict[str, Request], server: str) -> BatchState:
        states = self.all()
        earlier = {k: n for b in states for k, n in b.attempts.items()}
        name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + f"-{len(states) + 1}"
        state = BatchState(name=name, server=server, requests=dict(requests),
                           attempts={k: earlier.get(k, 0) + 1 for k in requests})
        self.save(state)
        return state

    def failed_lines(self) -> dict[str, tuple[str, int]]:
        """key -> (why its last batch line failed, batches it has been in), over every batch."""
        out: dict[str, tuple[str, int]] = {}
        for b in self.all():
            for k, why in b.failed.items():
                out[k] = (why, b.attempts.get(k, 1))
        return out


def batching_for(batches: Batches, retry: Retry, most: int) -> Batching:
    """The transport's batch mode for the next run: a request whose batch line failed goes live
    (``retry`` "live"), into the next batch while it has been in fewer than ``most``, else it
    fails with its line's error (the briefing is partial)."""
    b = Batching()
    for key, (why, attempts) in batches.failed_lines().items():
        if retry == "live":
            b.live.add(key)
        elif attempts >= most:
            b.failed[key] = why
    return b


def close_batch(state: BatchState, results: Results, transport: ExchangeTransport, missing: str) -> int:
    """A batch's results in: a request no line answered failed (``missing`` says why), the
    answers are cached, the batch is collected. Answers cached."""
    for key in state.requests:
        if key not in results.answers and key not in results.failed:
            results.failed[key] = missing
    got = import_results(state, results, transport)
    state.status = "collected"
    return got


def import_results(state: BatchState, results: Results, transport: ExchangeTransport) -> int:
    """Cache the answers of ``results`` under their requests' keys; note the failed lines. How
    many answers were cached."""
    meta = {"batch": state.batch_id or state.name, "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "server": state.server}
    n = 0
    for key, body in results.answers.items():
        try:
            transport.import_answer(state.requests[key], body, meta)
        except OSError as exc:
            raise BatchError(f"cannot write the exchange cache: {exc.strerror or exc}") from None
        n += 1
    state.failed = {k: why for k, why in {**state.failed, **results.failed}.items() if k not in results.answers}
    return n


# --- the Batch API (the openai SDK's files and batches endpoints) -------------------------

async def submit(sdk: openai.AsyncOpenAI, state: BatchState, batches: Batches) -> None:
    """Upload the requests and create the batch; the state is saved after each step."""
    if state.input_file is None:
        blob = requests_jsonl(state.requests.values()).encode()
        uploaded = await sdk.files.create(file=(f"briefing-{state.name}.jsonl", io.BytesIO(blob)), purpose="batch")
        state.input_file = uploaded.id
        state.status = "uploaded"
        batches.save(state)
    # Never retried by the SDK: a create that timed out may have been taken, and a retry would
    # make a second batch. The state says "uploaded"; the next run finds the batch by its file
    # (``recover``) or creates it then.
    created = await sdk.with_options(max_retries=0).batches.create(
        input_file_id=state.input_file, endpoint="/v1/chat/completions", completion_window="24h",
        metadata={"briefing": state.name})
    state.batch_id, state.status = created.id, created.status
    batches.save(state)


async def recover(sdk: openai.AsyncOpenAI, state: BatchState, batches: Batches) -> None:
    """A state interrupted between upload and creation: find its batch on the server by its
    input file, or create it now."""
    if state.batch_id is not None or state.input_file is None:
        return
    async for b in sdk.batches.list(limit=100):  # every page, newest first
        if b.input_file_id == state.input_file:
            state.batch_id, state.status = b.id, b.status
            batches.save(state)
            return
    await submit(sdk, state, batches)


async def poll(sdk: openai.AsyncOpenAI, state: BatchState, batches: Batches, transport: ExchangeTransport) -> int:
    """Ask the server how the batch stands; when it is done, cache its answers and note its failed
    lines (an expired or failed batch: every line it did not answer). Answers cached."""
    if state.batch_id is None:
        await recover(sdk, state, batches)
        if state.batch_id is None:
            return 0
    b = await sdk.batches.retrieve(state.batch_id)
    state.status = b.status
    if b.request_counts is not None:
        state.counts = {"completed": b.request_counts.completed, "failed": b.request_counts.failed,
                        "total": b.request_counts.total}
    got = 0
    if b.status in FINAL:
        lines: list[str] = []
        for file_id in (b.output_file_id, b.error_file_id):
            if file_id:
                content = await sdk.files.content(file_id)
                lines += content.text.splitlines()
        got = close_batch(state, read_results(lines, state.requests), transport,
                          f"the batch {b.status} without answering it")
    batches.save(state)
    return got


async def wait(sdk: openai.AsyncOpenAI, states: list[BatchState], batches: Batches, transport: ExchangeTransport,
               every: float, until: float, progress: Any) -> int:
    """Poll every ``every`` seconds until each batch is collected or ``until`` (monotonic) passes."""
    got = 0
    while True:
        for s in states:
            if s.open and s.server != "file":
                got += await poll(sdk, s, batches, transport)
                progress(f"batch {s.batch_id or s.name} ({s.status})", s.counts.get("completed", 0)
                         + s.counts.get("failed", 0), s.counts.get("total") or len(s.requests))
        if all(not s.open or s.server == "file" for s in states) or time.monotonic() >= until:
            return got
        await asyncio.sleep(max(0.0, min(every, until - time.monotonic())))
