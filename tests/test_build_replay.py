"""The whole build on the seeds, replayed from fixtures recorded from the real local model."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from summarizer.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures" / "seeds"
FIXTURES_SELECT = ROOT / "fixtures" / "seeds-select"  # recorded with --select always
MODEL = "qwen2.5-coder-1.5b-instruct-q4_k_m"  # the embedded default the fixtures were recorded with

# Page furniture and other stories in the seeds: none of it may reach the briefing.
FURNITURE = [
    "Haberin Devamı", "Zdieľaj", "ZDIEĽATEĽNÁ", "Posledný", "Ďalšie", "Pridaj komentár", "Read more", "Read next",
    "Show More", "News Feed", "2 min read", "Illustrative purposes", "UNIFIL", "Getty Images", "Avatar",
    "Article image", "Olena Goncharova", "Head of North America desk", "Syrskyi", "Israeli army", "F-47",
    "rare earth", "tariffs", "By Vafa Guliyeva",
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_API_KEY", "BRIEFING_BASE_URL", "BRIEFING_MODEL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(ROOT)
    return tmp_path


def build(out: Path, *extra: str, replay: Path = FIXTURES) -> int:
    return main(["build", "seeds/", "--replay", str(replay), "-o", str(out), "--quiet", *extra])


def cited_spans(doc: dict) -> list[dict]:  # type: ignore[type-arg]
    cites = [c for p in doc["points"] for c in p["citations"]]
    cites += [c for s in doc["summary_sentences"] for c in s["citations"]]
    cites += [c for d in doc["disagreements"] for p in d["positions"] for c in p["citations"]]
    return cites


def test_seeds_build_json_contract(home: Path) -> None:
    out = home / "out.json"
    assert build(out, "--format", "json") == 0
    doc = json.loads(out.read_text())
    sources = {s["id"]: s for s in doc["sources"]}
    assert len(sources) == 5
    assert all(s["path"].startswith("seeds/") for s in sources.values())  # as given on the command line

    assert len(doc["points"]) >= 8
    assert all(p["citations"] for p in doc["points"])
    for c in cited_spans(doc):  # every citation is an exact span of its file
        text = (ROOT / sources[c["source"]]["path"]).read_bytes().decode("utf-8")
        assert text[c["start"] : c["end"]] == c["quote"]

    everything = json.dumps(doc, ensure_ascii=False)
    assert not [f for f in FURNITURE if f in everything]

    multi = [p for p in doc["points"] if len({c["source"] for c in p["citations"]}) >= 2]
    assert multi, "no point cites two or more outlets"

    assert doc["disagreements"]
    for d in doc["disagreements"]:
        assert len(d["positions"]) >= 2 and all(p["citations"] for p in d["positions"])
        assert len({c["source"] for p in d["positions"] for c in p["citations"]}) >= 2
    troops = [d for d in doc["disagreements"]
              if re.search(r"dozen", json.dumps(d)) and re.search(r"\b(six|6|30)\b", json.dumps(d))]
    assert troops, "the troop-count disagreement (a dozen vs six/30) is missing"

    st = doc["stats"]
    assert st["calls"] == 0 and st["cache_hits"] > 0  # replayed: no model call at all
    assert st["replay_unused"] == 0  # and no stale recording in fixtures/seeds
    assert st["claims_kept"] >= 8


def test_seeds_build_markdown_reads_like_a_briefing(home: Path) -> None:
    out = home / "out.md"
    assert build(out) == 0
    md = out.read_text()
    assert md.startswith("# ")
    for heading in ("## Key points", "## Where sources disagree", "## Quoted evidence", "## Sources"):
        assert heading in md
    points = re.findall(r"^- (.+)$", md.split("## Key points")[1].split("\n## ")[0], re.M)
    assert len(points) >= 8
    assert all(re.search(r"(\[\d+\])+( \*\(\d sources\)\*)?$", p) for p in points)  # each sentence is cited
    notes = re.findall(r"^(\d+)\. S(\d): “(.+)”$", md.split("## Quoted evidence")[1], re.M)
    used = {int(n) for n in re.findall(r"\[(\d+)\]", md.split("## Quoted evidence")[0])}
    assert used == {int(n) for n, _, _ in notes}  # every marker has its quote and vice versa
    assert not [f for f in FURNITURE if f in md]


def test_runs_are_stored_listed_and_shown(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build(home / "a.json", "--format", "json") == 0
    capsys.readouterr()
    assert main(["runs"]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"^\s+1\s+\S+", listing, re.M) and "complete" in listing and "seeds/" in listing
    assert main(["show", "1", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["points"] == json.loads((home / "a.json").read_text())["points"]


def test_prune_drops_old_runs_but_the_latest_and_old_cached_exchanges(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(3):
        assert build(home / "a.json", "--format", "json") == 0
    cache = home / "home" / "cache"
    shutil.copytree(FIXTURES_SELECT, cache)
    old = time.time() - 10 * 86400
    for f in list(cache.glob("*.json"))[:2]:
        os.utime(f, (old, old))
    db = sqlite3.connect(home / "home" / "briefing.db")
    with db:
        db.execute("UPDATE runs SET created_at = '2000-01-01T00:00:00+00:00'")  # every run is old
    db.close()
    capsys.readouterr()
    assert main(["prune", "--older-than", "7"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("2 runs dropped") and "2 cached exchange and batch files" in said
    assert main(["runs", "--format", "json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == [3]  # the latest stays: continuity needs it
    assert main(["show", "3", "--format", "json"]) == 0 and json.loads(capsys.readouterr().out)["points"]
    assert len(list(cache.glob("*.json"))) == len(list(FIXTURES_SELECT.glob("*.json"))) - 2
    for bad in ("nan", "-1", "0"):  # never "everything": a number of days above 0
        with pytest.raises(SystemExit) as stop:
            main(["prune", "--older-than", bad])
        assert stop.value.code == 2


def test_replay_miss_is_loud_and_names_the_prompt(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    extra = home / "new.txt"
    # A third outlet for the story's best fact: the composition's listing of the best facts changes.
    extra.write_text("Allies meet in Brussels\n\nUkraine’s key allies met on April 10 to continue discussions on a "
                     "potential peacekeeping mission in the event of a peace agreement with Russia.\n")
    code = main(["build", "seeds/", str(extra), "--replay", str(FIXTURES), "-o", str(home / "x.md"), "-q"])
    assert code == 4
    err = capsys.readouterr().err
    assert "replay miss" in err and "prompt synthesize@" in err
    assert not (home / "x.md").exists()


def test_a_failing_chunk_makes_a_partial_run_with_the_rest(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The cache holds every recorded exchange but one chunk's; the server is down (nothing listens
    # on port 9), so that chunk and the synthesis fail and the briefing is built from the rest.
    cache = home / "home" / "cache"
    shutil.copytree(FIXTURES_SELECT, cache)
    victim = sorted(cache.glob("extract-*.json"))[0]
    victim.unlink()
    out = home / "partial.json"
    code = main(["build", "seeds/", "--base-url", "http://127.0.0.1:9/v1", "--model", MODEL, "--select", "always",
                 "--structured", "gbnf", "--retries", "0", "--format", "json", "-o", str(out), "-q"])
    assert code == 3
    err = capsys.readouterr().err
    assert "chunk 0 of seeds/" in err and "cannot reach the model server" in err and "partial" in err
    doc = json.loads(out.read_text())
    assert doc["stats"]["chunks_failed"] == 1 and doc["stats"]["synthesis_failed"]
    assert len(doc["points"]) >= 8 and all(p["citations"] for p in doc["points"])
    # A re-run once the server is back would resume: the finished exchanges are still cached.
    assert len(list(cache.glob("*.json"))) == len(list(FIXTURES_SELECT.glob("*.json"))) - 1


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["build", "does-not-exist.txt"], 1, "no readable article"),
        (["build", "seeds/", "--replay", "x", "--record", "y"], 2, "cannot be used together"),
        (["build", "seeds/", "-o", "seeds/000_0fc1ebe0bf1aaee4.txt"], 1, "refusing to write"),
        (["show", "99"], 1, "no run with id 99"),
        (["show"], 1, "no runs yet"),
        (["build", "seeds/", "--base-url", "http://localhost:1/v1"], 1, "--model"),
    ],
)
def test_user_errors_are_one_clear_line(home: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int,
                                        message: str) -> None:
    before = {p: p.read_bytes() for p in SEEDS.iterdir()}
    assert main(argv) == code
    err = capsys.readouterr().err.strip().splitlines()
    assert any(message in line for line in err)
    assert "Traceback" not in "\n".join(err)
    assert {p: p.read_bytes() for p in SEEDS.iterdir()} == before  # inputs untouched
