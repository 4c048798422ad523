"""One mechanism for the cache, recording and replay: an HTTP transport under the openai SDK.

Every exchange is stored as one readable JSON file named by the hash of its canonical request
(endpoint, JSON body with sorted keys, and the prompt file's content hash). No request header is
stored, so no Authorization or api-key header can leak into a fixture.

Only usable exchanges are cached: a 200 reply whose body is the API's JSON is held back until the
client has parsed and validated it and calls ``commit(key)``; an error status, a page that is not
JSON, or a reply that failed parsing or validation is never written to the cache, so a re-run asks
again. Writes go through a unique temporary file and an atomic rename, so concurrent processes
sharing a cache never see or clobber each other's half-written files.

Modes:
- ``cache``: serve hits from the cache directory, forward misses to the server, cache what the
  client commits.
- ``record``: like ``cache``, and every exchange the run uses is also written to the record dir,
  the unusable replies included (so that a replay reproduces the run, re-asks and all).
- ``replay``: serve only from the replay dir; a miss is a loud ``ReplayMiss`` that says why.
- ``off``: forward everything, store nothing.

A fixture may hold several responses for one request (hand-made fault fixtures: a 429, then a
success); they are served in order and the last one repeats.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2

from .errors import BriefingError, ModelFailure
from .files import atomic_write
from .sanitize import redact, scrub_url
from .settings import SETTINGS

PROMPT_HEADER = "x-briefing-prompt"  # "name@sha": which prompt file made this request
CACHE_HEADER = "x-briefing-cache"  # on responses: "hit" when served from a file
KEY_HEADER = "x-briefing-key"  # on responses: the exchange's key, for ``commit``


class ReplyTooLarge(ModelFailure):
    """A server reply over SETTINGS.limits.max_reply_bytes. ``key`` is the exchange it answered, so that a re-ask
    that recovers is cached as the answer to the first request too."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class RecordError(BriefingError):
    """The record directory cannot be written."""


class Deferred(Exception):  # a request put off, not an error: the stage goes on without it
    """A request that batch mode put off for a batch instead of sending it (``Batching``). Raised
    through the SDK to the stage, which goes on with its other calls; the build then stops
    (``Pending``) with every request it could not answer yet collected in ``Batching.requests``."""


@dataclass(frozen=True)
class Request:
    """One request as the cache keys it: the exchange key, the endpoint, the prompt it came from
    ("name@sha") and the JSON body."""

    key: str
    endpoint: str
    prompt: str
    body: Any


@dataclass
class Batching:
    """Batch mode in the transport: a chat request the cache cannot answer is collected into
    ``requests`` and put off (``Deferred``) instead of sent. A request whose batch line failed is
    sent live when ``live`` holds its key, and answered with its line's error (HTTP 400, so the
    call fails and the briefing is partial) when ``failed`` does."""

    requests: dict[str, Request] = field(default_factory=dict)
    live: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # key -> why its batch line failed


class ReplayMiss(ModelFailure):
    """A request that the replay directory has no recording for."""

    def line(self) -> str:
        return f"replay miss: {self}"


def endpoint_of(path: str) -> str:
    for known in ("chat/completions", "completions", "models", "embeddings"):
        if path.rstrip("/").endswith("/" + known):
            return known
    return path.strip("/")


def scrubbed(value: Any, secrets: Sequence[str]) -> Any:
    """``value`` (parsed JSON) with every secret in its strings replaced by ``***``."""
    if not secrets:
        return value
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, list):
        return [scrubbed(v, secrets) for v in value]
    if isinstance(value, dict):
        return {redact(k, secrets): scrubbed(v, secrets) for k, v in value.items()}
    return value


def canonical_key(endpoint: str, body: Any, prompt: str) -> str:
    blob = json.dumps({"endpoint": endpoint, "body": body, "prompt": prompt}, sort_keys=True,
                      ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def fixture_name(prompt: str, endpoint: str, key: str) -> str:
    label = prompt.split("@", 1)[0] if prompt else endpoint.replace("/", "-")
    return f"{label}-{key[:16]}.json"


@dataclass
class Exchange:
    key: str
    endpoint: str
    prompt: str
    request: Any
    responses: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {"key": self.key, "endpoint": self.endpoint, "prompt": self.prompt, "meta": self.meta,
             "request": self.request, "responses": self.responses},
            indent=2, ensure_ascii=False,
        ) + "\n"

    @classmethod
    def load(cls, path: Path, *, usable_only: bool = False) -> Exchange:
        """The exchange in ``path``; ValueError when it is not one: not a regular file (a FIFO or a
        link to a device would hang the read), over SETTINGS.limits.max_file_bytes, or malformed. ``usable_only``
        (the cache) also refuses an exchange whose last response is not a 200."""
        if not path.is_file() or path.stat().st_size > SETTINGS.limits.max_file_bytes:
            raise ValueError(f"{path.name}: not a regular file of at most {SETTINGS.limits.max_file_bytes:,} bytes")
        data = json.loads(path.read_text(encoding="utf-8"))
        endpoint = data["endpoint"]
        prompt = data.get("prompt", "")
        responses = data["responses"]
        if not isinstance(endpoint, str) or not isinstance(prompt, str) or not isinstance(responses, list) \
                or not responses or not all(isinstance(r, dict) and isinstance(r.get("status", 200), int)
                                            and 100 <= r.get("status", 200) <= 599 for r in responses):
            raise ValueError(f"{path.name}: not an exchange")
        if usable_only and responses[-1].get("status", 200) != 200:
            raise ValueError(f"{path.name}: not a usable reply")
        # The key is recomputed from the stored request, never trusted from the file.
        key = canonical_key(endpoint, data["request"], prompt)
        return cls(key=key, endpoint=endpoint, prompt=prompt, request=data["request"],
                   responses=responses, meta=data.get("meta", {}))


class ExchangeDir:
    """A directory of exchange files, indexed by key."""

    def __init__(self, path: Path, *, usable_only: bool = False) -> None:
        self.path = path
        self.usable_only = usable_only  # the cache: only exchanges that end in a usable reply
        self._index: dict[str, Path] | None = None
        self._loaded: dict[str, Exchange] = {}  # each file is read once per run

    def index(self) -> dict[str, Path]:
        if self._index is None:
            self._index = {}
            if self.path.is_dir():
                for f in sorted(self.path.glob("*.json")):
                    try:
                        ex = Exchange.load(f, usable_only=self.usable_only)
                    except (OSError, ValueError, KeyError, TypeError):  # damaged: a miss, asked again
                        continue
                    self._index[ex.key] = f
                    self._loaded[ex.key] = ex
        return self._index

    def get(self, key: str) -> Exchange | None:
        return self._loaded.get(key) if key in self.index() else None

    def put(self, ex: Exchange) -> Path:
        """Write ``ex`` atomically (a unique temporary file, then a rename); OSError on failure."""
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.path / fixture_name(ex.prompt, ex.endpoint, ex.key)
        atomic_write(target, ex.to_json())
        self.index()[ex.key] = target
        self._loaded[ex.key] = ex
        return target

    def explain_miss(self, endpoint: str, body: Any, prompt: str) -> str:
        """Why a request has no recording: a changed prompt file, or which part of it differs."""
        name, _, sha = prompt.partition("@")
        same_prompt_name = []
        self.index()
        for ex in self._loaded.values():
            if ex.endpoint != endpoint:
                continue
            ex_name, _, ex_sha = ex.prompt.partition("@")
            if ex_name == name:
                same_prompt_name.append(ex)
                if ex_sha != sha:
                    return (f"prompt file prompts/{name}.md changed since the recording "
                            f"(recorded with {ex_sha}, now {sha}); re-record with --record")
        if not same_prompt_name:
            return f"no recording for prompt '{name or endpoint}' at all in {self.path}"
        # Same prompt: show which fields of the request differ from the closest recording.
        def diff(other: Any) -> list[str]:
            if not isinstance(body, dict) or not isinstance(other, dict):
                return ["body"]
            return sorted(k for k in set(body) | set(other) if body.get(k) != other.get(k))
        closest = min((diff(ex.request) for ex in same_prompt_name), key=len)
        return (f"the request differs from every recording of '{name}' in: {', '.join(closest)} "
                "(different input or settings)")


@dataclass
class TransportStats:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    not_cached: int = 0  # replies held back as unusable (never committed)
    write_errors: list[str] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # keys served or stored this run
    by_endpoint: Counter[str] = field(default_factory=Counter)


class ExchangeTransport(httpx2.AsyncBaseTransport):
    def __init__(
        self,
        mode: str,
        inner: httpx2.AsyncBaseTransport | None = None,
        cache_dir: Path | None = None,
        record_dir: Path | None = None,
        replay_dir: Path | None = None,
        base_url: str = "",
        secrets: Sequence[str] = (),
        batching: Batching | None = None,
    ) -> None:
        """``secrets``: the configured key and URL credentials, scrubbed from every reply before
        it is cached or recorded (a server that echoes the key back must not get it on disk).
        ``batching``: chat requests the cache cannot answer are collected for a batch (cache mode)."""
        if mode not in {"cache", "record", "replay", "off"}:
            raise ValueError(f"unknown exchange mode {mode!r}")
        if mode == "replay" and replay_dir is None:
            raise ValueError("replay mode needs a directory")
        if mode == "record" and record_dir is None:
            raise ValueError("record mode needs a directory")
        self.mode = mode
        self.inner = inner
        self.cache = ExchangeDir(cache_dir, usable_only=True) if cache_dir and mode in {"cache", "record"} else None
        self.record = ExchangeDir(record_dir) if record_dir and mode == "record" else None
        self.replay = ExchangeDir(replay_dir) if replay_dir and mode == "replay" else None
        if batching is not None and mode != "cache":
            raise ValueError("batch mode works through the cache")
        self.batching = batching
        self.base_url = base_url
        self.secrets = [x for x in secrets if x]
        self.stats = TransportStats()
        self._served: Counter[str] = Counter()
        self._pending: dict[str, Exchange] = {}  # usable-looking replies the client has not vouched for
        self._asked: dict[str, tuple[str, str, Any]] = {}  # key -> (endpoint, prompt, body) seen this run

    def _lookup(self, key: str) -> Exchange | None:
        # The record dir is written, never read: it may hold the unusable replies of a run.
        for d in (self.replay, self.cache):
            if d is not None:
                ex = d.get(key)
                if ex is not None:
                    return ex
        return None

    def _respond(self, ex: Exchange, request: httpx2.Request) -> httpx2.Response:
        n = self._served[ex.key]
        self._served[ex.key] += 1
        stored = ex.responses[min(n, len(ex.responses) - 1)]
        headers = {"content-type": "application/json", CACHE_HEADER: "hit", KEY_HEADER: ex.key}
        headers.update({k.lower(): str(v) for k, v in stored.get("headers", {}).items()})
        body = stored.get("body")
        content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        return httpx2.Response(stored.get("status", 200), headers=headers, content=content, request=request)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        prompt = request.headers.get(PROMPT_HEADER, "")
        raw = await request.aread()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        endpoint = endpoint_of(request.url.path)
        key = canonical_key(endpoint, body, prompt)
        self.stats.by_endpoint[endpoint] += 1
        self._asked[key] = (endpoint, prompt, body)

        if self.mode != "off":
            ex = self._lookup(key)
            if ex is not None:
                self.stats.hits += 1
                self.stats.used.add(key)
                if self.record is not None and key not in self.record.index():
                    self._record(ex)
                return self._respond(ex, request)
        if self.mode == "replay":
            assert self.replay is not None
            why = self.replay.explain_miss(endpoint, body, prompt)
            raise ReplayMiss(
                f"no recording in {self.replay.path} for {request.method} {endpoint} "
                f"(prompt {prompt or '-'}, key {key[:16]}): {why}"
            )
        if self.batching is not None and endpoint == "chat/completions" and key not in self.batching.live:
            if key in self.batching.failed:
                said = {"error": {"message": f"the batch did not answer this request: {self.batching.failed[key]}"}}
                return httpx2.Response(400, headers={KEY_HEADER: key}, json=said, request=request)
            self.batching.requests[key] = Request(key, endpoint, prompt, body)
            raise Deferred(key)
        if self.inner is None:
            raise ReplayMiss(f"no server to forward {endpoint} to")
        self.stats.misses += 1
        fwd_headers = [(k, v) for k, v in request.headers.raw if k.decode().lower() != PROMPT_HEADER]
        fwd = httpx2.Request(request.method, request.url, headers=fwd_headers, content=raw,
                             extensions=request.extensions)
        started = time.monotonic()
        response = await self.inner.handle_async_request(fwd)
        try:
            content = await _read_capped(response, SETTINGS.limits.max_reply_bytes)
        except ReplyTooLarge as exc:
            raise ReplyTooLarge(str(exc), key=key) from None
        elapsed = time.monotonic() - started
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        headers.append((KEY_HEADER, key))
        if response.status_code == 200 and self.mode != "off":
            try:
                parsed: Any = json.loads(content)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):  # the API's JSON; an HTML page or a bare string is not
                ex = Exchange(
                    key=key, endpoint=endpoint, prompt=prompt, request=body,
                    responses=[{"status": 200, "body": scrubbed(parsed, self.secrets)}],
                    meta={"recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                          "server": scrub_url(self.base_url), "seconds": round(elapsed, 2)},
                )
                if self.record is not None:
                    self._record(ex)
                self._pending[key] = ex
                self.stats.used.add(key)
        return httpx2.Response(response.status_code, headers=headers, content=content, request=request)

    def _record(self, ex: Exchange) -> None:
        """The user asked for these files: a failure to write them is an error."""
        assert self.record is not None
        try:
            self.record.put(ex)
        except OSError as exc:
            raise RecordError(f"cannot write the recording into {self.record.path}: {exc.strerror or exc}") from None

    def commit(self, key: str | None, answers: str | None = None) -> None:
        """The client parsed and validated the reply to ``key``: cache it. ``answers`` is the key
        of the call's first request when ``key`` is a re-ask: the usable reply is then cached as
        the answer to that request too, so a re-run asks nothing. A cache that cannot be written
        is reported once in ``stats.write_errors`` and the run goes on."""
        ex = self._pending.pop(key, None) if key else None
        if ex is None or self.cache is None:
            return
        store = [ex]
        if answers and answers != key and answers in self._asked:
            endpoint, prompt, body = self._asked[answers]
            store.append(Exchange(key=answers, endpoint=endpoint, prompt=prompt, request=body,
                                  responses=ex.responses, meta={**ex.meta, "after_reasks": True}))
        try:
            for item in store:
                self.cache.put(item)
                self.stats.stored += 1
        except OSError as exc:
            if not self.stats.write_errors:
                self.stats.write_errors.append(f"cannot write the exchange cache {self.cache.path}: "
                                               f"{exc.strerror or exc}")

    def discard(self, key: str | None) -> None:
        """The reply to ``key`` was unusable: never cache it."""
        if key and self._pending.pop(key, None) is not None:
            self.stats.not_cached += 1

    def import_answer(self, request: Request, body: dict[str, Any], meta: dict[str, Any]) -> None:
        """A batch's answer to ``request`` into the cache, as if it had been asked live (the
        client still checks it when the build uses it); OSError when the cache cannot be written."""
        assert self.cache is not None
        self.cache.put(Exchange(key=request.key, endpoint=request.endpoint, prompt=request.prompt,
                                request=request.body, responses=[{"status": 200, "body": scrubbed(body, self.secrets)}],
                                meta=meta))

    def unused_recordings(self) -> list[Path]:
        """Recordings in the replay dir that this run never asked for (stale fixtures)."""
        if self.replay is None:
            return []
        return sorted(p for k, p in self.replay.index().items() if k not in self.stats.used)

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()


async def _read_capped(response: httpx2.Response, limit: int) -> bytes:
    """The body, read up to ``limit`` bytes; a larger one raises ReplyTooLarge."""
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise ReplyTooLarge(f"the server's reply is over {limit:,} bytes; it was not read")
            chunks.append(chunk)
    finally:
        await response.aclose()
    return b"".join(chunks)
