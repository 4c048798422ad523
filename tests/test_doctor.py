"""``briefing doctor`` names the step that fails and says what to do; it exits 4 then.

The run on a working machine, against the real embedded model, is in test_local_model.py."""

from __future__ import annotations

import importlib.util
import os
import socket
from pathlib import Path

import pytest

from summarizer.cli import main
from summarizer.local import DEFAULT_MODEL_NAME, GGUF_SIZE

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
