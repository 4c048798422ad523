"""The cache/record/replay transport, and where the model is resolved from."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx2
import pytest

from summarizer.client import ModelClient, ModelConfig
from summarizer.config import OPENAI_URL, REPLAY_URL, resolve_target
from summarizer.exchanges import ExchangeTransport, ReplayMiss

from .faults import GOOD, PROBE, Answer, completion


class CountingServer:
    """A stand-in server (an httpx2 transport) that counts requests and records their headers."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return httpx2.Response(200, json=completion(GOOD))


def run(transport: ExchangeTransport, question: str = "Where?") -> str:
    client = ModelClient(ModelConfig(model="m", base_url="http://server.test/v1", api_key="sk-secret-key-123456789",
                                     structured="json_object"), transport)

    async def go() -> str:
        try:
            r = await client.structured(PROBE, {"question": question}, Answer, max_tokens=64)
            return r.value.answer
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_record_then_replay_without_a_server(tmp_path: Path) -> None:
    server = CountingServer()
    inner = httpx2.MockTransport(server)
    rec = ExchangeTransport("record", inner=inner, cache_dir=tmp_path / "cache", record_dir=tmp_path / "fx",
                            base_url="http://user:pw@server.test/v1?key=abc")
    assert run(rec).startswith("The talks")
    assert len(server.requests) == 1
    assert server.requests[0].headers["authorization"] == "Bearer sk-secret-key-123456789"
    assert "x-briefing-prompt" not in server.requests[0].headers  # our header stays local

    files = list((tmp_path / "fx").glob("*.json"))
    assert len(files) == 1 and files[0].name.startswith("probe-")
    stored = files[0].read_text()
    assert "sk-secret" not in stored and "authorization" not in stored.lower()
    assert "pw@" not in stored and "key=abc" not in stored
    data = json.loads(stored)
    assert data["request"]["messages"][1]["content"] == "Where?"
    assert data["prompt"] == f"probe@{PROBE.sha}"

    replay = ExchangeTransport("replay", replay_dir=tmp_path / "fx")
    assert run(replay).startswith("The talks")
    assert replay.stats.hits == 1
    with pytest.raises(ReplayMiss):
        run(ExchangeTransport("replay", replay_dir=tmp_path / "fx"), "Another question?")


def test_cache_serves_a_repeat_without_calling_the_server(tmp_path: Path) -> None:
    server = CountingServer()
    for _ in range(3):
        t = ExchangeTransport("cache", inner=httpx2.MockTransport(server), cache_dir=tmp_path)
        run(t)
    assert len(server.requests) == 1
    t = ExchangeTransport("off", inner=httpx2.MockTransport(server), cache_dir=tmp_path)
    run(t)
    assert len(server.requests) == 2


def test_target_resolution() -> None:
    local = resolve_target({})
    assert local.local and local.structured == "gbnf" and local.concurrency == 1
    openai = resolve_target({"OPENAI_API_KEY": "sk-x"})
    assert openai.base_url == OPENAI_URL and openai.model == "gpt-4o-mini" and openai.structured == "auto"
    ollama = resolve_target({"BRIEFING_BASE_URL": "http://localhost:11434/v1/"}, model="llama3.1")
    assert ollama.base_url == "http://localhost:11434/v1" and ollama.api_key == "not-needed"
    assert resolve_target({"OPENAI_BASE_URL": "http://a/v1", "BRIEFING_BASE_URL": "http://b/v1",
                           "BRIEFING_MODEL": "m"}).base_url == "http://b/v1"
    with pytest.raises(ValueError, match="--model"):
        resolve_target({"BRIEFING_BASE_URL": "http://localhost:8000/v1"})
    gguf = resolve_target({"OPENAI_API_KEY": "sk-x"}, gguf="~/models/other.gguf")
    assert gguf.local and gguf.model == "other"
    replay = resolve_target({}, replay=True)
    assert replay.base_url == REPLAY_URL and replay.model == local.model  # same requests as the live run
