"""Structured output per server, and the hierarchical reduce, against stand-in servers (httpx2
transports that behave like the real ones: no network, no SDK patching)."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from summarizer.client import ModelClient, ModelConfig
from summarizer.compose import Synthesis, synthesize
from summarizer.exchanges import ExchangeTransport
from summarizer.models import Fact, Span
from summarizer.prompts import load_prompts

from .faults import GOOD, PROBE, Answer, completion


class StandIn:
    """A server: answers /models with ``owned_by``; rejects some response_format types with 500
    (as llama-cpp-python does for json_schema); records what it was sent."""

    def __init__(self, owned_by: str, rejects: set[str] = frozenset(), reply: Any = None) -> None:  # type: ignore[assignment]
        self.owned_by, self.rejects, self.reply = owned_by, rejects, reply
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/models"):
            return httpx2.Response(200, json={"object": "list", "data": [
                {"id": "m", "object": "model", "owned_by": self.owned_by}]})
        body = json.loads(request.content)
        self.bodies.append(body)
        kind = (body.get("response_format") or {}).get("type") or ("tools" if "tools" in body else
                                                                    "gbnf" if "grammar" in body else "prompt")
        if kind in self.rejects:
            return httpx2.Response(500, json={"error": {"message": f"{kind} not supported"}})
        if kind == "tools":
            msg = {"role": "assistant", "content": None, "tool_calls": [{
                "id": "c1", "type": "function", "function": {"name": "answer", "arguments": GOOD}}]}
            return httpx2.Response(200, json={**completion(""), "choices": [
                {"index": 0, "finish_reason": "tool_calls", "message": msg}]})
        content = self.reply(body) if self.reply else GOOD
        if kind == "prompt":
            content = "Here you go:\n```json\n" + content + "\n```"
        return httpx2.Response(200, json=completion(content))


def client_for(server: StandIn, mode: str = "auto") -> ModelClient:
    t = ExchangeTransport("off", inner=httpx2.MockTransport(server))
    return ModelClient(ModelConfig(model="m", base_url="http://server.test/v1", structured=mode, max_retries=0), t)


def ask(client: ModelClient) -> str:
    async def go() -> str:
        try:
            return (await client.structured(PROBE, {"question": "Where?"}, Answer, max_tokens=64)).value.answer
        finally:
            await client.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("owned_by", "mode"),
    [("me", "gbnf"), ("llamacpp", "json_schema"), ("vllm", "json_schema"), ("library", "json_schema"),
     ("someone-else", "json_schema")],
)
def test_auto_mode_is_picked_from_the_server(owned_by: str, mode: str) -> None:
    server = StandIn(owned_by)
    client = client_for(server)
    assert ask(client).startswith("The talks")
    assert client._mode == mode
    if mode == "gbnf":  # llama-cpp-python's server: a grammar of ours, newlines allowed
        assert "response_format" not in server.bodies[0]
        assert '"\\n"' in server.bodies[0]["grammar"] and '"\\"answer\\""' in server.bodies[0]["grammar"]
        return
    rf = server.bodies[0].get("response_format", {})
    assert rf["type"] == mode
    schema = rf["schema"] if mode == "json_object" else rf["json_schema"]["schema"]
    assert schema["required"] == ["answer"]


def test_a_server_that_rejects_json_schema_is_asked_again_in_the_next_shape() -> None:
    server = StandIn("unknown", rejects={"json_schema"})
    client = client_for(server)
    assert ask(client).startswith("The talks")
    assert [b["response_format"]["type"] for b in server.bodies] == ["json_schema", "json_object"]
    assert client._modes["probe"] == "json_object"  # and it stays there for this prompt's next calls
    assert len(client.usage.mode_changes) == 1  # reported (the build's summary line shows it)
    assert client.usage.mode_changes[0].startswith("probe: json_schema -> json_object (the server answered HTTP 500")


class Failing(StandIn):
    """A healthy json_schema server that fails the first chat call with ``status`` and ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__("unknown")
        self.status, self.message, self.failed = status, message, False

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/chat/completions") and not self.failed:
            self.failed = True
            self.bodies.append(json.loads(request.content))
            return httpx2.Response(self.status, json={"error": {"message": self.message}})
        return super().__call__(request)


@pytest.mark.parametrize(("status", "message"), [
    (500, "internal error"),  # an overloaded server: not a verdict on the request shape
    (400, "This model's maximum context length is 8192 tokens"),
    (503, "json_schema backend restarting"),  # 503 is transient whatever it says
])
def test_an_error_that_does_not_reject_the_shape_never_changes_the_mode(status: int, message: str) -> None:
    server = Failing(status, message)
    client = client_for(server)
    with pytest.raises(openai.APIStatusError):
        ask(client)
    assert [b["response_format"]["type"] for b in server.bodies] == ["json_schema"]
    assert client._modes == {} and client.usage.mode_changes == []


@pytest.mark.parametrize("mode", ["tools", "prompt"])
def test_tool_calls_and_plain_json(mode: str) -> None:
    server = StandIn("unknown")
    assert ask(client_for(server, mode)).startswith("The talks")
    body = server.bodies[0]
    if mode == "tools":
        assert body["tool_choice"]["function"]["name"] == "answer"
        assert body["tools"][0]["function"]["parameters"]["required"] == ["answer"]
    else:
        assert "response_format" not in body and "JSON schema" in body["messages"][0]["content"]


def test_an_explicit_mode_is_never_changed() -> None:
    server = StandIn("unknown", rejects={"json_schema"})
    client = client_for(server, "json_schema")
    with pytest.raises(openai.InternalServerError):
        ask(client)
    assert client._mode == "json_schema"


def test_a_story_of_any_size_is_one_short_composition_call() -> None:
    """Thirty facts, far more than the listing's tokens: one call, listing the best of them in
    rank order (F1, F2, …) within compose.listed_tokens; the model's summary cites only those."""
    def reply(body: dict[str, Any]) -> str:
        ids = re.findall(r"^(F\d+) \(\d sources?\): (.*)$", body["messages"][1]["content"], re.M)
        return json.dumps({"title": "T", "summary": [{"text": text, "facts": [fid]} for fid, text in ids[:1]]})

    server = StandIn("vllm", reply=reply)
    client = client_for(server, "json_schema")
    facts = [Fact(id=f"F{i}", text=f"Minister number {i} visited the harbour city of Rivermouth today.",
                  citations=[Span(source=i % 3 + 1, quote=f"Minister number {i} visited the harbour city of "
                                      f"Rivermouth today.", start=0, end=10)]) for i in range(1, 31)]

    async def go() -> Synthesis:
        try:
            return await synthesize(client, load_prompts()["synthesize"], facts, [], lambda s, d, t: None)
        finally:
            await client.aclose()

    synthesis = asyncio.run(go())
    assert len(server.bodies) == 1
    listed = re.findall(r"^(F\d+) \(", server.bodies[0]["messages"][1]["content"], re.M)
    assert 3 <= len(listed) < len(facts) and listed == [f"F{i}" for i in range(1, len(listed) + 1)]
    assert [s.facts for s in synthesis.summary] == [["F1"]]


def test_a_reply_with_a_broken_character_is_asked_again_and_never_cached(tmp_path: Path) -> None:
    # Half an emoji ("\ud83d" without its pair) parses as JSON but cannot be stored or printed.
    replies = ['{"answer": "The talks took place at NATO \\ud83d headquarters."}', GOOD]
    server = StandIn("vllm", reply=lambda _body: replies.pop(0))
    transport = ExchangeTransport("cache", inner=httpx2.MockTransport(server), cache_dir=tmp_path / "cache",
                                  base_url="http://server.test/v1")
    client = ModelClient(ModelConfig(model="m", base_url="http://server.test/v1", max_retries=0), transport)
    assert ask(client) == "The talks took place at NATO headquarters in Brussels."
    assert client.usage.reasks == 1 and len(server.bodies) == 2
    assert "broken character" in server.bodies[1]["messages"][-1]["content"]  # the model is told what was wrong
    exchanges = [json.loads(f.read_text()) for f in (tmp_path / "cache").glob("*.json")]
    answers = [json.dumps(ex["responses"]) for ex in exchanges if ex["endpoint"] == "chat/completions"]
    assert answers and all("ud83d" not in a and "NATO headquarters in Brussels" in a for a in answers)


def test_a_reask_that_recovers_from_an_oversized_reply_answers_the_first_request_too(tmp_path: Path) -> None:
    sent: list[int] = []

    def serve(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/models"):
            return httpx2.Response(200, json={"object": "list", "data": [{"id": "m", "owned_by": "vllm"}]})
        sent.append(1)
        if len(sent) == 1:  # over the 4 MB cap: not read, not cached
            return httpx2.Response(200, content=b'{"choices": "' + b"x" * (4 << 20) + b'"}')
        return httpx2.Response(200, json=completion(GOOD))

    def client() -> ModelClient:
        transport = ExchangeTransport("cache", inner=httpx2.MockTransport(serve), cache_dir=tmp_path / "cache",
                                      base_url="http://server.test/v1")
        return ModelClient(ModelConfig(model="m", base_url="http://server.test/v1", max_retries=0), transport)

    assert ask(client()).startswith("The talks")
    assert len(sent) == 2
    again = client()
    assert ask(again).startswith("The talks")
    assert len(sent) == 2 and again.usage.cached == 1  # the re-run is answered from the cache


def test_a_query_in_the_server_url_is_sent_with_every_request_not_mangled() -> None:
    urls: list[str] = []

    def serve(request: httpx2.Request) -> httpx2.Response:
        urls.append(str(request.url))
        if request.url.path.endswith("/models"):
            return httpx2.Response(200, json={"object": "list", "data": [{"id": "m", "owned_by": "vllm"}]})
        return httpx2.Response(200, json=completion(GOOD))

    base = "http://gateway.test/openai/v1?api-version=2024-10-21&api-key=k"
    t = ExchangeTransport("off", inner=httpx2.MockTransport(serve), base_url=base)
    client = ModelClient(ModelConfig(model="m", base_url=base, max_retries=0), t)
    assert ask(client).startswith("The talks")
    assert urls == ["http://gateway.test/openai/v1/models?api-version=2024-10-21&api-key=k",
                    "http://gateway.test/openai/v1/chat/completions?api-version=2024-10-21&api-key=k"]
