"""The one seam to the model: typed structured-output calls over the openai SDK.

Who owns which failure:
- the SDK retries 429, 5xx and timeouts (``max_retries``), honouring Retry-After;
- tenacity re-asks on unusable output (invalid JSON, schema violation), feeding the error back
  to the model, a bounded number of times; a reply cut at its token cap is not asked for again
  (it would run to the same cap): the call fails at once and the caller falls back;
- the caller decides what a call that still fails means for the run.

Only a reply that parsed and validated is committed to the exchange cache; every re-ask is a
distinct request (it carries the error and the attempt number), so a re-run asks again exactly
where a run failed.

Structured output differs by server, so the request shape is a *mode*:
``json_schema`` (OpenAI, vLLM, Ollama, llama.cpp's llama-server), ``gbnf`` (a grammar of our
own, with newlines allowed and every string and list bounded: llama-cpp-python's server, the
embedded default, which rejects json_schema with HTTP 500 and whose own json_object grammar
allows no newline), ``json_object`` with a ``schema`` key, ``tools``
(a forced function call), and ``prompt`` (schema in the prompt, JSON dug out of the text).
With ``auto`` the server's ``/models`` answer picks the mode, trusted only when it is a valid
model list. A mode changes only when the server rejects the request shape itself (an error status
whose message names it), only for that prompt's calls, and every change is reported in
``Usage.mode_changes``: a transient 500 or an unrelated 400 never changes it.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx2
import openai
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletion
from pydantic import BaseModel
from tenacity import AsyncRetrying, retry_if_exception_type, retry_if_not_exception_type, stop_after_attempt

from .errors import ModelFailure
from .exchanges import CACHE_HEADER, KEY_HEADER, PROMPT_HEADER, ExchangeTransport, ReplyTooLarge
from .grammar import reply_tokens, to_gbnf
from .parsing import InvalidOutput, NotAnAPIReply, TruncatedOutput, inline_schema, parse_reply
from .prompts import Prompt

T = TypeVar("T", bound=BaseModel)

MODES = ("json_schema", "gbnf", "json_object", "tools", "prompt")
# The mode to try when a server rejects a request's shape (with --structured auto).
STEP_DOWN = {"json_schema": "json_object", "gbnf": "json_object", "json_object": "tools", "tools": "prompt"}
# What each server's /models answer says about itself (``owned_by``) -> the mode it supports.
OWNED_BY_MODE = {
    "me": "gbnf",  # llama-cpp-python's server: its json_object grammar allows no newline (see grammar.py)
    "llamacpp": "json_schema",  # llama.cpp's llama-server
    "vllm": "json_schema",
    "library": "json_schema",  # Ollama
    "openai": "json_schema",
    "system": "json_schema",
}


@dataclass(frozen=True)
class ModelConfig:
    model: str
    base_url: str
    api_key: str = "not-needed"
    structured: str = "auto"  # auto or one of MODES
    max_retries: int = 3  # SDK retries on 429/5xx/timeouts
    reasks: int = 2  # extra attempts on unusable output
    timeout: float = 600.0  # the most one call may take, the SDK's retries included


@dataclass
class Usage:
    calls: int = 0  # requests answered by the server
    cached: int = 0  # requests answered from a recording or the cache
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0  # what the cached answers cost when they were recorded
    cached_completion_tokens: int = 0
    reasks: int = 0
    failures: int = 0
    seconds: float = 0.0  # time waiting for the server
    mode_changes: list[str] = field(default_factory=list)  # "extract: json_schema -> tools (why)"


@dataclass
class CallResult(Generic[T]):
    value: T
    attempts: int
    prompt_tokens: int
    completion_tokens: int
    cached: bool
    mode: str


class CallFailed(ModelFailure):
    """A call that still has no usable answer after the SDK's retries and our re-asks."""


class BudgetSpent(CallFailed):
    """Not started: the run's token budget (``--max-tokens-total``) is spent."""


class CallTimedOut(CallFailed):
    """A call that had no answer within ``ModelConfig.timeout`` (never retried past it)."""


# Words by which a server's error message says it rejects the *shape* of a structured request
# (rather than being overloaded, or the input being too long).
_SHAPE_WORDS = ("response_format", "json_schema", "json_object", "schema", "tool", "function", "grammar")


def rejects_shape(exc: openai.APIStatusError) -> bool:
    """Whether an error status is the server refusing the request shape: 400, 422 or 500 (as
    llama-cpp-python answers json_schema) with a message that names the shape."""
    if exc.status_code not in (400, 422, 500):
        return False
    text = f"{exc.message} {exc.body if isinstance(exc.body, str | dict) else ''}".lower()
    return any(w in text for w in _SHAPE_WORDS)


def connection_words(exc: BaseException) -> str:
    """One line for a request that got no answer: a server that closed the connection without
    answering (it took the request, then dropped it) is not one that cannot be reached."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, httpx2.RemoteProtocolError | httpx2.ReadError):
            return ("the model server closed the connection without answering (it dropped the request; "
                    "its own log says why)")
        if isinstance(cause, httpx2.ConnectError | httpx2.ConnectTimeout):
            return ("cannot reach the model server: nothing accepted the connection "
                    "(start the server, or check --base-url / BRIEFING_BASE_URL)")
        cause = cause.__cause__ or cause.__context__
    return f"cannot reach the model server: {type(exc).__name__}: {exc}"


def reask_messages(base: list[dict[str, str]], content: str | None, error: InvalidOutput, attempt: int,
                   attempts: int) -> list[dict[str, str]]:
    """The conversation for re-ask number ``attempt``: the unusable reply and what was wrong with
    it. The attempt number makes each re-ask a distinct request, never served from a cache."""
    return [
        *base,
        {"role": "assistant", "content": (content or "")[:4000]},
        {"role": "user", "content": f"{error.feedback} (attempt {attempt} of {attempts})"},
    ]


@dataclass
class _Reply:
    content: str | None
    finish_reason: str | None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    key: str | None = None  # the exchange, to commit once the reply is known to be usable


def sdk_for(config: ModelConfig, transport: httpx2.AsyncBaseTransport) -> AsyncOpenAI:
    """The openai SDK client for ``config`` over ``transport`` (the exchange transport for model
    calls; the bare HTTP transport for the Batch API's files and batches)."""
    # A query in the server URL (Azure's "?api-version=…", a gateway's key) is sent with every
    # request; left in the base URL, the SDK would append the path after it.
    parts = urlsplit(config.base_url)
    return AsyncOpenAI(
        api_key=config.api_key or "not-needed",
        base_url=urlunsplit(parts._replace(query="", fragment="")),
        default_query=dict(parse_qsl(parts.query, keep_blank_values=True)) or None,
        max_retries=config.max_retries,
        # The HTTP timeout sits past the call's own deadline (``_send``): a hung request is cut
        # by the deadline once, never timed out and retried.
        timeout=config.timeout + 5,
        http_client=httpx2.AsyncClient(transport=transport, timeout=config.timeout + 5, follow_redirects=False),
    )


@dataclass
class ModelClient:
    config: ModelConfig
    transport: ExchangeTransport
    usage: Usage = field(default_factory=Usage)
    _mode: str | None = None
    _modes: dict[str, str] = field(default_factory=dict)  # per prompt, after a rejected shape
    budget: int | None = None  # tokens (in + out) this client may spend on new calls; then it stops

    def __post_init__(self) -> None:
        self._sdk = sdk_for(self.config, self.transport)
        if self.config.structured != "auto":
            if self.config.structured not in MODES:
                raise ValueError(f"unknown structured-output mode {self.config.structured!r}")
            self._mode = self.config.structured

    async def aclose(self) -> None:
        await self._sdk.close()

    # -- mode ------------------------------------------------------------------------------

    async def mode(self) -> str:
        if self._mode is None:
            self._mode = await self._detect_mode()
        return self._mode

    async def _detect_mode(self) -> str:
        """The mode the server's ``/models`` answer names; json_schema when the answer is not a
        valid model list (then it is not cached either, so the next run asks again)."""
        if "api.openai.com" in self.config.base_url:
            return "json_schema"
        try:
            raw = await asyncio.wait_for(self._sdk.models.with_raw_response.list(), self.config.timeout)
        except (openai.OpenAIError, ModelFailure, TimeoutError):
            return "json_schema"
        key = raw.headers.get(KEY_HEADER)
        try:
            data = json.loads(raw.content)
            owners = [m.get("owned_by") for m in data["data"]] if isinstance(data, dict) else None
        except (ValueError, KeyError, TypeError, AttributeError):
            owners = None
        if not owners or not all(isinstance(o, str) for o in owners):
            self.transport.discard(key)
            return "json_schema"
        self.transport.commit(key)
        for owner in owners:
            if owner in OWNED_BY_MODE:
                return OWNED_BY_MODE[owner]
        return "json_schema"

    async def model_names(self) -> list[str]:
        """The models the server's ``/models`` lists (``briefing doctor``)."""
        page = await asyncio.wait_for(self._sdk.models.list(), self.config.timeout)
        return [m.id for m in page.data]

    async def plain(self, messages: list[dict[str, str]], max_tokens: int) -> tuple[int, int, float]:
        """One unstructured call, timed: (prompt tokens, generated tokens, seconds). For measuring
        a server's speed (``briefing doctor``), never for content."""
        _, p, g, seconds = await self.text(messages, max_tokens)
        return p, g, seconds

    async def text(self, messages: list[dict[str, str]], max_tokens: int) -> tuple[str, int, int, float]:
        """One unstructured call: (its text, prompt tokens, generated tokens, seconds), counted in
        ``usage``. Only for baselines (``briefing eval``'s one-prompt summary) and speed
        probes: nothing it returns reaches a briefing."""
        started = time.monotonic()
        completion = await asyncio.wait_for(self._sdk.chat.completions.create(
            model=self.config.model, messages=messages, max_tokens=max_tokens, temperature=0,  # type: ignore[arg-type]
        ), self.config.timeout)
        seconds = time.monotonic() - started
        u = completion.usage
        p, g = (u.prompt_tokens if u else 0), (u.completion_tokens if u else 0)
        self.usage.calls += 1
        self.usage.prompt_tokens += p
        self.usage.completion_tokens += g
        self.usage.seconds += seconds
        return completion.choices[0].message.content or "", p, g, seconds

    # -- one structured call ---------------------------------------------------------------

    def request_for(self, mode: str, messages: list[dict[str, str]], schema: type[BaseModel],
                    max_tokens: int | None = None, json_schema: dict[str, Any] | None = None) -> dict[str, Any]:
        """The request body. ``max_tokens`` defaults to the longest reply the schema's bounds
        allow (``grammar.reply_tokens``): a reply is never cut short of what it was asked for."""
        js = json_schema or inline_schema(schema)
        name = schema.__name__.lower()
        body: dict[str, Any] = {"model": self.config.model, "messages": messages,
                                "temperature": 0, "max_tokens": max_tokens or reply_tokens(js)}
        if mode == "gbnf":
            body["grammar"] = to_gbnf(js)
        elif mode == "json_schema":
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": name, "schema": js, "strict": False}}
        elif mode == "json_object":
            body["response_format"] = {"type": "json_object", "schema": js}
        elif mode == "tools":
            body["tools"] = [{"type": "function", "function": {
                "name": name, "description": "Submit the answer.", "parameters": js}}]
            body["tool_choice"] = {"type": "function", "function": {"name": name}}
        else:
            hint = ("\n\nReply with one JSON object that follows this JSON schema, and nothing else:\n"
                    + json.dumps(js, separators=(",", ":")))
            msgs = [dict(m) for m in messages]
            msgs[0] = {**msgs[0], "content": msgs[0]["content"] + hint}
            body["messages"] = msgs
        return body

    async def _send(self, body: dict[str, Any], prompt: Prompt, mode: str) -> _Reply:
        started = time.monotonic()
        kwargs = dict(body)
        if "grammar" in kwargs:  # not an OpenAI parameter: sent as is, in the request's JSON
            kwargs["extra_body"] = {"grammar": kwargs.pop("grammar")}
        try:
            raw = await asyncio.wait_for(
                self._sdk.chat.completions.with_raw_response.create(
                    **kwargs, extra_headers={PROMPT_HEADER: f"{prompt.name}@{prompt.sha}"}),
                self.config.timeout)
        except ReplyTooLarge as exc:
            raise NotAnAPIReply(str(exc), key=exc.key) from None
        except TimeoutError:
            self.usage.seconds += time.monotonic() - started
            raise CallTimedOut(f"{prompt.name}: no reply within {self.config.timeout:g}s "
                               "(--timeout to allow longer)") from None
        key = raw.headers.get(KEY_HEADER)
        cached = raw.headers.get(CACHE_HEADER) == "hit"
        if not cached:
            self.usage.seconds += time.monotonic() - started
        try:
            completion = raw.parse()
        except (ValueError, openai.APIResponseValidationError):
            completion = None
        if not isinstance(completion, ChatCompletion):
            head = " ".join(raw.content[:60].decode("utf-8", "replace").split())
            raise NotAnAPIReply(f"the server's reply is not a chat completion (it starts {head!r})",
                                key=key, cached=cached)
        choice = completion.choices[0] if completion.choices else None
        content: str | None = None
        finish = None
        if choice is not None:
            finish = choice.finish_reason
            msg = choice.message
            content = msg.content
            if mode == "tools" and msg.tool_calls:
                call = msg.tool_calls[0]
                content = getattr(getattr(call, "function", None), "arguments", None)
                if finish == "tool_calls":
                    finish = "stop"
        usage = completion.usage
        return _Reply(content=content, finish_reason=finish,
                      prompt_tokens=usage.prompt_tokens if usage else 0,
                      completion_tokens=usage.completion_tokens if usage else 0, cached=cached, key=key)

    async def structured(self, prompt: Prompt, values: dict[str, Any], schema: type[T], *,
                         max_tokens: int | None = None, json_schema: dict[str, Any] | None = None) -> CallResult[T]:
        """Render ``prompt``, ask, and return the reply as ``schema``; re-ask on unusable output.

        ``json_schema`` replaces the schema sent to the server (e.g. tighter item counts); the
        reply is still validated against ``schema``."""
        if self.budget is not None and self.usage.prompt_tokens + self.usage.completion_tokens >= self.budget:
            raise BudgetSpent(f"not started: the token budget of {self.budget:,} is spent "
                              f"({self.usage.prompt_tokens + self.usage.completion_tokens:,} used)")
        base = prompt.render(**values)
        mode = self._modes.get(prompt.name) or await self.mode()
        while True:
            try:
                return await self._ask(base, prompt, schema, mode, max_tokens, json_schema)
            except openai.APIStatusError as exc:
                # A server that rejects this request shape: with auto-detection, step down a mode
                # for this prompt's calls, and say so.
                if self.config.structured != "auto" or mode not in STEP_DOWN or not rejects_shape(exc):
                    raise
                nxt = STEP_DOWN[mode]
                self.usage.mode_changes.append(
                    f"{prompt.name}: {mode} -> {nxt} (the server answered HTTP {exc.status_code}: "
                    f"{' '.join(str(exc.message).split())[:120]})")
                self._modes[prompt.name] = mode = nxt

    async def _ask(self, base: list[dict[str, str]], prompt: Prompt, schema: type[T], mode: str,
                   max_tokens: int | None, json_schema: dict[str, Any] | None = None) -> CallResult[T]:
        messages = base
        attempts = 0
        first_key: str | None = None  # the first request's exchange: a usable re-ask answers it too
        p_tok = c_tok = 0
        cached_all = True
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(1 + self.config.reasks),
                # A reply cut at its cap is not asked for again in the same form (it would run to
                # the cap again): the caller falls back at once.
                retry=retry_if_exception_type(InvalidOutput) & retry_if_not_exception_type(TruncatedOutput),
                reraise=True,
            ):
                with attempt:
                    attempts += 1
                    if attempts > 1:
                        self.usage.reasks += 1
                    body = self.request_for(mode, messages, schema, max_tokens, json_schema)
                    try:
                        reply = await self._send(body, prompt, mode)
                    except NotAnAPIReply as exc:
                        first_key = first_key or exc.key
                        self.transport.discard(exc.key)
                        self.usage.calls += 0 if exc.cached else 1
                        messages = reask_messages(base, "", exc, attempts + 1, 1 + self.config.reasks)
                        raise
                    first_key = first_key or reply.key
                    if reply.cached:
                        self.usage.cached += 1
                    else:
                        self.usage.calls += 1
                        cached_all = False
                    p_tok += reply.prompt_tokens
                    c_tok += reply.completion_tokens
                    if reply.cached:
                        self.usage.cached_prompt_tokens += reply.prompt_tokens
                        self.usage.cached_completion_tokens += reply.completion_tokens
                    else:
                        self.usage.prompt_tokens += reply.prompt_tokens
                        self.usage.completion_tokens += reply.completion_tokens
                    try:
                        value = parse_reply(reply.content, reply.finish_reason, schema, loose=mode == "prompt")
                    except InvalidOutput as exc:
                        self.transport.discard(reply.key)
                        messages = reask_messages(base, reply.content, exc, attempts + 1, 1 + self.config.reasks)
                        raise
                    self.transport.commit(reply.key, answers=first_key)
        except InvalidOutput as exc:
            self.usage.failures += 1
            raise CallFailed(f"{prompt.name}: no usable reply after {attempts} attempts: {exc}") from exc
        return CallResult(value=value, attempts=attempts, prompt_tokens=p_tok, completion_tokens=c_tok,
                          cached=cached_all, mode=mode)


# Answers that no re-run will change (a wrong key, a forbidden model, a wrong path or model name):
# the build stops at once, with nothing stored, instead of a "partial run, re-run to retry".
CONFIGURATION_ERRORS = (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError)
