"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests: it answers from the exchanges
recorded from the real local model (``fixtures/seeds``, ``fixtures/seeds-select``) and injects
faults on chosen requests.

It behaves like llama-cpp-python's server: ``/v1/models`` says ``owned_by: "me"``, and a request
with ``response_format.type == "json_schema"`` gets HTTP 500 naming ``response_format``. A re-ask
(the recorded request plus the unusable reply and the error) is answered with the recorded reply.
A request it has no recording for is answered with the first recorded reply of the same prompt
(its system message), as a stand-in server would; verification then drops what does not fit.

Faults are rules: ``Fault(kind, on=calls)`` applies to the chat requests whose 1-based number is
in ``on`` (alone: ``{3}``; a burst: ``range(2, 7)``), or with ``sticky=True`` to every request for
the same call as the first one it hit (a call that keeps failing, re-asks and retries included).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The seeds build in both shapes: one composition call (the default for five articles), and
# --select always (a sentence-picking call per article, then the composition).
SEEDS_FIXTURES = (ROOT / "fixtures" / "seeds", ROOT / "fixtures" / "seeds-select")
MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"

FAULT_KINDS = (
    "500", "503", "429", "400", "drop", "html200", "invalid-json", "schema", "length", "empty-choices",
    "null-content", "content-filter",
)
HANG_SECONDS = 4.0  # the "hang" fault: no reply for this long, then the recorded one


def body_key(body: dict[str, Any]) -> str:
    """A request without its re-ask turns: what the call asked in the first place."""
    base = {**body, "messages": body.get("messages", [])[:2]}
    return json.dumps(base, sort_keys=True, ensure_ascii=False)


@dataclass
class Fault:
    kind: str
    on: Iterable[int] = ()
    sticky: bool = False
    _call: str | None = None  # with sticky: the call (body_key) it stuck to

    def hits(self, n: int, key: str) -> bool:
        if self.sticky and self._call is not None:
            return key == self._call
        if n in set(self.on):
            if self.sticky:
                self._call = key
            return True
        return False


def completion(content: str | None, finish: str = "stop") -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": finish, "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


@dataclass
class FakeServer:
    fixtures: tuple[Path, ...] = SEEDS_FIXTURES
    faults: list[Fault] = field(default_factory=list)
    models_fault: str | None = None  # "html200": /models answers an HTML page
    fallback: dict[str, Any] | None = None  # the reply to a request nothing recorded answers
    requests: list[dict[str, Any]] = field(default_factory=list)  # chat bodies, in order
    models_requests: int = 0

    def __post_init__(self) -> None:
        self.replies: dict[str, dict[str, Any]] = {}
        self.by_system: dict[str, dict[str, Any]] = {}
        # A headline asked for alone (a story none of whose articles has one) is answered by a
        # recorded headline reply whatever the story: the check then keeps or refuses it.
        headlines = sorted((ROOT / "fixtures" / "day").glob("headline-*.json"))[:1]
        for f in [*sorted(p for d in self.fixtures for p in d.glob("*.json")), *headlines]:
            ex = json.loads(f.read_text(encoding="utf-8"))
            body = ex["responses"][-1]["body"]
            self.replies[body_key(ex["request"])] = body
            self.by_system.setdefault(ex["request"]["messages"][0]["content"], body)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda *_a: None  # type: ignore[method-assign]  # a client that hung up
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def healthy(self) -> None:
        """No more faults; forget what was asked so far."""
        with self._lock:
            self.faults, self.models_fault = [], None
            self.requests.clear()
            self.models_requests = 0

    # -- what to answer ------------------------------------------------------------------

    def answer(self, path: str, body: dict[str, Any] | None,
               auth: str = "") -> tuple[int, dict[str, str], bytes] | None:
        """(status, headers, content), or None to drop the connection."""
        if path.endswith("/models"):
            with self._lock:
                self.models_requests += 1
                fault = self.models_fault
            if fault == "html200":
                return 200, {"content-type": "text/html"}, b"<!DOCTYPE html><html><body>Proxy login</body></html>"
            data = {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "me"}]}
            return 200, {}, json.dumps(data).encode()
        assert body is not None
        rf = (body.get("response_format") or {}).get("type")
        if rf == "json_schema":  # as llama-cpp-python answers it
            msg = "1 validation error for CreateChatCompletionRequest\nresponse_format.type\n  Input should be " \
                  "'text' or 'json_object' [type=literal_error, input_value='json_schema']"
            return 500, {}, json.dumps({"error": {"message": msg, "type": "internal_server_error"}}).encode()
        key = body_key(body)
        with self._lock:
            self.requests.append(body)
            n = len(self.requests)
            fault = next((f.kind for f in self.faults if f.hits(n, key)), None)
        if fault == "hang":
            time.sleep(HANG_SECONDS)
        elif fault == "400-echo":  # a server whose error repeats what it was sent, key and all
            msg = f"invalid request {path} with credentials {auth!r}"
            return 400, {}, json.dumps({"error": {"message": msg}}).encode()
        elif fault is not None and fault != "200-echo":
            return self.fault(fault)
        reply = self.replies.get(key) or self.by_system.get(body["messages"][0]["content"]) or self.fallback
        if reply is None:
            return 404, {}, b'{"error": {"message": "no such prompt"}}'
        if fault == "200-echo":  # a good reply that also repeats the credentials it was sent
            reply = {**reply, "system_fingerprint": f"served for {auth}"}
        return 200, {}, json.dumps(reply).encode()

    @staticmethod
    def fault(kind: str) -> tuple[int, dict[str, str], bytes] | None:
        fast = {"retry-after-ms": "1"}
        err = {"500": (500, "internal error"), "503": (503, "overloaded"), "429": (429, "rate limit reached"),
               "400": (400, "This model's maximum context length is 8192 tokens")}
        if kind in err:
            status, msg = err[kind]
            return status, fast, json.dumps({"error": {"message": msg}}).encode()
        if kind == "drop":
            return None
        if kind == "html200":
            return 200, {"content-type": "text/html"}, b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"
        body = {
            "invalid-json": completion('{"claims": [{"paragraph": 1, "quote": "'),
            "schema": completion('{"facts": "none"}'),
            "length": completion('{"claims": [', "length"),
            "empty-choices": {**completion(""), "choices": []},
            "null-content": completion(None),
            "content-filter": completion(None, "content_filter"),
        }[kind]
        return 200, {}, json.dumps(body).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, body: dict[str, Any] | None) -> None:
                answer = server.answer(self.path, body, self.headers.get("authorization", ""))
                if answer is None:  # drop the connection without a reply
                    self.close_connection = True
                    self.connection.close()
                    return
                status, headers, content = answer
                self.send_response(status)
                headers = {"content-type": "application/json", **headers}
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def do_GET(self) -> None:
                self._reply(None)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self._reply(json.loads(self.rfile.read(length) or b"{}"))

        return Handler
