"""An in-process fake model: a function from the request to the reply, behind the client's one
seam (its HTTP transport). For pipeline and check tests that are about what the code does with a
reply, not about what a recorded model happened to write; HTTP replay stays for end-to-end and
fault tests (``fakeserver.py``, ``fixtures/``).

    def model(asked: Asked) -> dict | str:
        if asked.prompt == "synthesize":
            return {"title": ..., "summary": [...]}
        ...
    client = fake_client(model)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from summarizer.client import ModelClient, ModelConfig
from summarizer.exchanges import ExchangeTransport

MODEL = "fake-model"
PROMPTS = {"synthesis": "synthesize", "selection": "extract", "modelanswer": "answer",
           "headline": "headline"}  # by schema name


@dataclass
class Asked:
    """One request as the model sees it."""

    prompt: str  # what is asked, by the reply's schema: "synthesize", "extract", "headline" or "answer"
    messages: list[dict[str, str]]
    schema: dict[str, Any] | None

    @property
    def user(self) -> str:
        return next((m["content"] for m in reversed(self.messages) if m["role"] == "user"), "")

    def facts(self) -> dict[str, str]:
        """A composition's facts as listed to the model: {"F1": "text", ...}."""
        return dict(re.findall(r"^(F\d+) \(\d+ sources?\): (.*)$", self.user, re.M))

    def conflicting(self) -> set[str]:
        """The ids of the facts listed as the sides of a possible conflict."""
        listed = self.user.split("Where the sources differ:", 1)[1] if "Where the sources differ:" in self.user else ""
        return set(re.findall(r"\b(F\d+) \(", listed))


Reply = Callable[[Asked], "dict[str, Any] | str"]


@dataclass
class FunctionModel(httpx2.AsyncBaseTransport):
    reply: Reply
    asked: list[Asked] = field(default_factory=list)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/models"):
            return httpx2.Response(200, json={"object": "list", "data": [
                {"id": MODEL, "object": "model", "owned_by": "fake"}]}, request=request)
        body = json.loads(await request.aread())
        spec = (body.get("response_format") or {}).get("json_schema") or {}
        asked = Asked(prompt=PROMPTS.get(spec.get("name", ""), ""), messages=body["messages"],
                      schema=spec.get("schema"))
        self.asked.append(asked)
        out = self.reply(asked)
        content = out if isinstance(out, str) else json.dumps(out)
        return httpx2.Response(200, json={
            "id": "fake", "object": "chat.completion", "created": 0, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": len(json.dumps(body)) // 4, "completion_tokens": len(content) // 4,
                      "total_tokens": 0}}, request=request)


def fake_client(reply: Reply) -> tuple[ModelClient, FunctionModel]:
    model = FunctionModel(reply)
    client = ModelClient(ModelConfig(model=MODEL, base_url="http://fake.invalid/v1", structured="json_schema",
                                     max_retries=0),
                         ExchangeTransport("off", inner=model))
    return client, model
