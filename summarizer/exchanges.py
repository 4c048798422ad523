"""One mechanism for the cache, recording and replay: an HTTP transport under the openai SDK.

Every exchange is stored as one readable JSON file named by the hash of its canonical request
(endpoint, JSON body with sorted keys, and the prompt file's content hash). No request header is
stored, so no Authorization or api-key header can leak into a fixture.

Modes:
- ``cache``: serve hits from the cache directory, forward misses to the server and store them.
- ``record``: like ``cache``, and every exchange the run uses is also written to the record dir.
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
from openai import OpenAIError

PROMPT_HEADER = "x-briefing-prompt"  # "name@sha": which prompt file made this request
CACHE_HEADER = "x-briefing-cache"  # on responses: "hit" when served from a file


class ReplayMiss(OpenAIError):
    """A request that the replay directory has no recording for."""


def endpoint_of(path: str) -> str:
    for known in ("chat/completions", "completions", "models", "embeddings"):
        if path.rstrip("/").endswith("/" + known):
            return known
    return path.strip("/")


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
    def load(cls, path: Path) -> Exchange:
        data = json.loads(path.read_text(encoding="utf-8"))
        endpoint = data["endpoint"]
        prompt = data.get("prompt", "")
        # The key is recomputed from the stored request, never trusted from the file.
        key = canonical_key(endpoint, data["request"], prompt)
        return cls(key=key, endpoint=endpoint, prompt=prompt, request=data["request"],
                   responses=data["responses"], meta=data.get("meta", {}))


class ExchangeDir:
    """A directory of exchange files, indexed by key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._index: dict[str, Path] | None = None
        self._loaded: dict[str, Exchange] = {}  # each file is read once per run

    def index(self) -> dict[str, Path]:
        if self._index is None:
            self._index = {}
            if self.path.is_dir():
                for f in sorted(self.path.glob("*.json")):
                    try:
                        ex = Exchange.load(f)
                    except (OSError, ValueError, KeyError):
                        continue
                    self._index[ex.key] = f
                    self._loaded[ex.key] = ex
        return self._index

    def get(self, key: str) -> Exchange | None:
        return self._loaded.get(key) if key in self.index() else None

    def put(self, ex: Exchange) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        target = self.path / fixture_name(ex.prompt, ex.endpoint, ex.key)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(ex.to_json(), encoding="utf-8")
        tmp.replace(target)
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
    ) -> None:
        if mode not in {"cache", "record", "replay", "off"}:
            raise ValueError(f"unknown exchange mode {mode!r}")
        if mode == "replay" and replay_dir is None:
            raise ValueError("replay mode needs a directory")
        if mode == "record" and record_dir is None:
            raise ValueError("record mode needs a directory")
        self.mode = mode
        self.inner = inner
        self.cache = ExchangeDir(cache_dir) if cache_dir and mode in {"cache", "record"} else None
        self.record = ExchangeDir(record_dir) if record_dir and mode == "record" else None
        self.replay = ExchangeDir(replay_dir) if replay_dir and mode == "replay" else None
        self.base_url = base_url
        self.stats = TransportStats()
        self._served: Counter[str] = Counter()

    def _lookup(self, key: str) -> Exchange | None:
        for d in (self.replay, self.record, self.cache):
            if d is not None:
                ex = d.get(key)
                if ex is not None:
                    return ex
        return None

    def _respond(self, ex: Exchange, request: httpx2.Request) -> httpx2.Response:
        n = self._served[ex.key]
        self._served[ex.key] += 1
        stored = ex.responses[min(n, len(ex.responses) - 1)]
        headers = {"content-type": "application/json", CACHE_HEADER: "hit"}
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

        if self.mode != "off":
            ex = self._lookup(key)
            if ex is not None:
                self.stats.hits += 1
                self.stats.used.add(key)
                if self.record is not None and key not in self.record.index():
                    self.record.put(ex)
                return self._respond(ex, request)
        if self.mode == "replay":
            assert self.replay is not None
            why = self.replay.explain_miss(endpoint, body, prompt)
            raise ReplayMiss(
                f"no recording in {self.replay.path} for {request.method} {endpoint} "
                f"(prompt {prompt or '-'}, key {key[:16]}): {why}"
            )
        if self.inner is None:
            raise ReplayMiss(f"no server to forward {endpoint} to")
        self.stats.misses += 1
        fwd_headers = [(k, v) for k, v in request.headers.raw if k.decode().lower() != PROMPT_HEADER]
        fwd = httpx2.Request(request.method, request.url, headers=fwd_headers, content=raw,
                             extensions=request.extensions)
        started = time.monotonic()
        response = await self.inner.handle_async_request(fwd)
        content = await response.aread()
        elapsed = time.monotonic() - started
        if response.status_code == 200 and self.mode != "off":
            try:
                parsed: Any = json.loads(content)
            except ValueError:
                parsed = content.decode("utf-8", "replace")
            ex = Exchange(
                key=key, endpoint=endpoint, prompt=prompt, request=body,
                responses=[{"status": 200, "body": parsed}],
                meta={"recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
                      "server": _scrub_url(self.base_url), "seconds": round(elapsed, 2)},
            )
            for d in (self.cache, self.record):
                if d is not None:
                    d.put(ex)
            self.stats.stored += 1
            self.stats.used.add(key)
        headers = [(k, v) for k, v in response.headers.items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx2.Response(response.status_code, headers=headers, content=content, request=request)

    def unused_recordings(self) -> list[Path]:
        """Recordings in the replay dir that this run never asked for (stale fixtures)."""
        if self.replay is None:
            return []
        return sorted(p for k, p in self.replay.index().items() if k not in self.stats.used)

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()


def _scrub_url(url: str) -> str:
    """Scheme, host and path only: no user info, no query string (keys sometimes travel there)."""
    try:
        u = httpx2.URL(url)
    except Exception:
        return ""
    port = f":{u.port}" if u.port else ""
    return f"{u.scheme}://{u.host}{port}{u.path}" if u.host else ""
