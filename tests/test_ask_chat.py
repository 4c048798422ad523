"""`briefing ask` and `briefing chat` on the seeds run, replayed from fixtures/ask (recorded from
the real local model by tests/record_ask.sh)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from summarizer.cli import main

from .test_server_death import default_signals

ROOT = Path(__file__).resolve().parent.parent
SEEDS_FX = ROOT / "fixtures" / "seeds"
ASK_FX = ROOT / "fixtures" / "ask"
ASK = ["--replay", str(ASK_FX), "--format", "json", "-q"]


@pytest.fixture
def run_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A store holding the seeds run (built from the recorded fixtures)."""
    home = tmp_path / "home"
    monkeypatch.setenv("BRIEFING_HOME", str(home))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_API_KEY", "BRIEFING_BASE_URL", "BRIEFING_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(ROOT)
    assert main(["build", "seeds/", "--replay", str(SEEDS_FX), "-q", "-o", str(tmp_path / "b.md")]) == 0
    capsys.readouterr()
    return home


def ask(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    assert main(["ask", *argv, *ASK]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def assert_exact(doc: dict) -> None:  # type: ignore[type-arg]
    paths = {s["id"]: s["path"] for s in doc["sources"]}
    assert set(paths) == {c["source"] for c in doc["citations"]}
    for c in doc["citations"]:
        text = (ROOT / paths[c["source"]]).read_bytes().decode("utf-8")
        assert text[c["start"] : c["end"]] == c["quote"]


def cited(doc: dict[str, Any], words: str) -> bool:
    """Whether an answer rests on a sentence that says ``words`` (a fact of the articles, not the
    model's wording)."""
    return any(words in c["quote"] for c in doc["citations"])


def test_answer_from_several_outlets(run_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = ask(capsys, "Who led the meeting?")
    assert doc["answerable"] and cited(doc, "Lecornu") and cited(doc, "Healey")
    assert len({c["source"] for c in doc["citations"]}) >= 2
    assert_exact(doc)
    assert doc["conversation"] == 1 and doc["run"] == 1


def test_answer_from_one_outlet(run_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = ask(capsys, "What did the Dutch defense minister say?")
    assert doc["answerable"] and doc["citations"]
    assert all("Brekelmans" in c["quote"] for c in doc["citations"])
    assert_exact(doc)


def test_a_question_the_articles_do_not_answer_is_refused(run_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = ask(capsys, "What did Japan pledge?")
    assert doc["answerable"] is False
    assert doc["answer"].startswith("The sources don't say")
    assert doc["citations"] == [] and doc["sources"] == []


def test_where_sources_disagree_both_sides_are_cited(run_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = ask(capsys, "How many countries are willing to send troops?")
    assert doc["answerable"] and cited(doc, "dozen")
    counts = [d for d in doc["disagreements"] if "number of countries" in d["topic"].lower()]
    assert len(counts) == 1
    sides = [" ".join(c["quote"] for c in p["citations"]) for p in counts[0]["positions"]]
    assert any("dozen" in s for s in sides) and any("6 western nations" in s for s in sides)
    assert_exact(doc)


def test_follow_up_uses_the_conversation(run_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = ask(capsys, "What did Sweden's defense minister say?")
    assert first["answerable"] and cited(first, "Jonson")
    follow = ask(capsys, "-c", "Which objectives does he mean?")
    assert follow["conversation"] == first["conversation"]
    assert "Jonson" in follow["standalone_question"] or "Sweden" in follow["standalone_question"]
    assert follow["answerable"] and cited(follow, "peacekeeping, deterrence, or reassurance")
    assert_exact(follow)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", "   "], "the question is empty"),
        (["ask", "Who?", "--run", "7"], "no run with id 7"),
        (["ask", "Who?", "--conversation", "42"], "no conversation with id 42"),
        (["ask", "-c", "And then?"], "no conversation to continue yet"),
    ],
)
def test_bad_ask_input_is_one_clear_line(run_home: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                         message: str) -> None:
    assert main([*argv, *ASK]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_ask_before_any_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path))
    assert main(["ask", "Who led the meeting?", *ASK]) == 1
    assert "no stored run yet: run `briefing build` first" in capsys.readouterr().err


def test_chat_in_a_terminal(run_home: Path) -> None:
    env = {**os.environ, "BRIEFING_HOME": str(run_home), "TERM": "dumb"}
    child = pexpect.spawn(sys.executable, ["-m", "summarizer", "chat", "--replay", str(ASK_FX)], cwd=str(ROOT),
                          preexec_fn=default_signals,
                          env=env, encoding="utf-8", timeout=60, dimensions=(40, 200))
    transcript: list[str] = []
    try:
        child.expect(r"briefing chat · run 1 · 5 articles")
        child.expect_exact("? ")
        child.sendline("What did Sweden's defense minister say?")
        child.expect_exact("? ")
        transcript.append(child.before)
        child.sendline("Which objectives does he mean?")
        child.expect_exact("? ")
        transcript.append(child.before)
        child.sendline("/sources")
        child.expect_exact("? ")
        transcript.append(child.before)
        child.sendcontrol("c")  # Ctrl-C at the prompt: the session goes on
        child.expect_exact("? ")
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    answer, follow, sources = transcript
    assert "Jonson" in answer and "[1] S5" in answer and "“" in answer  # numbered quotes under the answer
    assert "peacekeeping, deterrence, or reassurance" in follow
    assert all(f"S{i}" in sources for i in range(1, 6)) and "seeds/004_98495e7bedb7fce5.txt" in sources
    assert child.exitstatus == 0
    # The conversation was kept: the next `ask -c` continues it.
    from summarizer.store import Store

    store = Store(run_home / "briefing.db")
    try:
        conv = store.latest_conversation()
        assert conv is not None and len(store.turns(conv)) == 2
    finally:
        store.close()
