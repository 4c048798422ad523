"""``briefing doctor`` names the step that fails and says what to do; it exits 4 then.

The run on a working machine, against the real embedded model, is in test_local_model.py."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from summarizer.cli import main
from summarizer.local import DEFAULT_MODEL_NAME, GGUF_SIZE

from .loopback import HTTPLoopback

LLAMA_INSTALLED = importlib.util.find_spec("llama_cpp") is not None
needs_llama = pytest.mark.skipif(not LLAMA_INSTALLED, reason="llama-cpp-python (the [local] extra) is not installed")


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in list(os.environ):
        if var.startswith(("OPENAI_", "BRIEFING_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BRIEFING_CACHE", str(tmp_path / "cache"))
    return tmp_path


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["doctor", "-q", *args])
    return code, capsys.readouterr().out.splitlines()


def failed_step(lines: list[str]) -> str:
    fails = [line for line in lines if line.startswith("FAIL")]
    assert len(fails) == 1, lines  # one step fails; the steps that need it are not tried
    return fails[0]


@needs_llama
def test_a_missing_gguf(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = doctor(capsys, "--gguf", str(clean_env / "nowhere.gguf"))
    assert code == 4
    assert failed_step(lines).startswith("FAIL  model file: ") and "does not exist" in failed_step(lines)
    assert any(line.strip().startswith("what to do: give the path of a GGUF file") for line in lines)
    assert lines[0].startswith("ok    briefing:") and lines[-1] == "a check failed: see what to do above"
    assert not any("server start" in line for line in lines)


@needs_llama
def test_a_damaged_default_gguf_is_found_by_its_sha256(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The right size and a marker that says it was verified, but every byte zero.
    target = clean_env / "cache" / "models" / f"{DEFAULT_MODEL_NAME}.gguf"
    target.parent.mkdir(parents=True)
    with target.open("wb") as f:
        f.truncate(GGUF_SIZE)
    target.with_suffix(".verified").write_text(f"{GGUF_SIZE}:{int(target.stat().st_mtime)}\n")
    code, lines = doctor(capsys)
    assert code == 4
    step = failed_step(lines)
    assert step.startswith("FAIL  model file: ") and "is damaged" in step and "expected 1,117,320,768 bytes" in step
    assert any(f"what to do: delete it (rm '{target}')" in line for line in lines)


@needs_llama
def test_a_server_that_crashes_at_start(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = clean_env / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + os.urandom(4096))  # a GGUF header, then nonsense
    code, lines = doctor(capsys, "--gguf", str(bad))
    assert code == 4
    assert any(line.startswith("ok    model file: ") for line in lines)
    step = failed_step(lines)
    assert step.startswith("FAIL  server start: the local model server ") and "at start; its log: " in step


def test_a_file_that_is_not_a_gguf(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not LLAMA_INSTALLED:
        pytest.skip("llama-cpp-python (the [local] extra) is not installed")
    text = clean_env / "notes.gguf"
    text.write_text("not a model")
    code, lines = doctor(capsys, "--gguf", str(text))
    assert code == 4 and "is not a GGUF file" in failed_step(lines)


def test_an_unreachable_base_url(clean_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    code, lines = doctor(capsys, "--base-url", f"http://127.0.0.1:{port}/v1", "--model", "m")
    assert code == 4
    step = failed_step(lines)
    assert step.startswith(f"FAIL  server: http://127.0.0.1:{port}/v1: cannot reach the model server")
    assert any("what to do: start the server, or correct --base-url" in line for line in lines)


PROBE_REPLY = '{"headline": "Rivermouth opens flood barrier", "numbers": ["2.4", "310 million", "45,000"]}'


def probe_server(kinds: list[str]) -> HTTPLoopback:
    """A vLLM-like server: /models says ``owned_by: "vllm"``; a chat request gets a valid probe
    reply in the shape it asked for (noted in ``kinds``), except that ``tools`` gets HTTP 400."""

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._send(200, {"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "vllm"}]})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            kind = ((body.get("response_format") or {}).get("type")
                    or ("tools" if "tools" in body else "gbnf" if "grammar" in body else "prompt"))
            kinds.append(kind)
            if kind == "tools":
                self._send(400, {"error": {"message": "tools are not supported by this model"}})
                return
            self._send(200, {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                             "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": PROBE_REPLY}}],
                             "usage": {"prompt_tokens": 90, "completion_tokens": 30, "total_tokens": 120}})

        def log_message(self, *args: object) -> None:
            pass

    return HTTPLoopback(Handler)


def test_a_server_is_checked_in_every_mode_and_auto_is_named(clean_env: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    kinds: list[str] = []
    with probe_server(kinds) as server:
        code, lines = doctor(capsys, "--base-url", server.url, "--model", "m")
    assert code == 0, lines
    assert lines[1] == f"ok    server: {server.url}/models lists 1 model(s)"
    assert kinds == ["json_schema", "gbnf", "json_object", "tools", "prompt"]
    calls = {line.split(":")[0].split("(")[1].rstrip(")"): line for line in lines if "structured call (" in line}
    assert set(calls) == {"json_schema", "gbnf", "json_object", "tools", "prompt"}
    assert calls["tools"].startswith("note  structured call (tools): not usable with this server (HTTP 400")
    assert all(calls[m].startswith("ok") and "reply parsed" in calls[m] for m in ("json_schema", "gbnf", "prompt"))
    assert lines[-2] == "ok    structured output: auto picks json_schema"
    assert lines[-1] == "all checks passed"
