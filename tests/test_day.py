"""The daily briefing on a mixed day whose stories are known (tests/data/day), replayed from the
exchanges recorded from the real local model (fixtures/day): stories found, each told once with
exact citations, a second day re-running only the stories that changed, and what is new."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from summarizer.cli import main
from summarizer.prompts import load_prompts
from summarizer.stories import adjusted_rand, purity
from tests.fakeserver import MODEL, FakeServer

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "day"
FIXTURES = ROOT / "fixtures" / "day"
TRUTH: dict[str, int] = json.loads((DATA / "truth.json").read_text(encoding="utf-8"))
HELD_BACK = set((DATA / "held_back.txt").read_text(encoding="utf-8").split())


@pytest.fixture
def days(tmp_path: Path) -> tuple[Path, Path]:
    d1, d2 = tmp_path / "day1", tmp_path / "day2"
    d1.mkdir()
    d2.mkdir()
    for f in sorted((DATA / "articles").iterdir()):
        shutil.copy(f, d2 / f.name)
        if f.name not in HELD_BACK:
            shutil.copy(f, d1 / f.name)
    return d1, d2


def build(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["build", *args, "--format", "json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


def found_labels(run: dict[str, Any]) -> tuple[list[int], list[int]]:
    names = {s["id"]: Path(s["path"]).name for s in run["sources"]}
    truth, found = [], []
    for n, st in enumerate(run["stories"]):
        for sid in st["sources"]:
            truth.append(TRUTH[names[sid]])
            found.append(n)
    return truth, found


def check_citations(run: dict[str, Any]) -> int:
    texts = {s["id"]: Path(s["path"]).read_text(encoding="utf-8") for s in run["sources"]}
    n = 0
    for st in run["stories"]:
        sentences = [*st["summary_sentences"], *st["points"],
                     *(p for d in st["disagreements"] for p in d["positions"])]
        for p in sentences:
            assert p["citations"], p
            for c in p["citations"]:
                assert c["source"] in st["sources"], "a story cites only its own articles"
                assert texts[c["source"]][c["start"]:c["end"]] == c["quote"]
                n += 1
    return n


def test_a_mixed_day_is_told_story_by_story(home: Path, days: tuple[Path, Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, run, err = build(capsys, str(days[0]), "--replay", str(FIXTURES))
    assert code == 0, err
    truth, found = found_labels(run)
    assert sorted(truth) == sorted(TRUTH[n] for n in TRUTH if n not in HELD_BACK)  # every article, once
    assert adjusted_rand(truth, found) >= 0.8 and purity(truth, found) >= 0.9
    assert check_citations(run) >= 40
    multi = [st for st in run["stories"] if len(st["sources"]) >= 2]
    assert len(multi) >= 8
    for st in multi:
        assert st["composed"] and st["points"] and st["title"]
    assert len({st["title"] for st in run["stories"]}) == len(run["stories"])
    for st in run["stories"]:
        if len(st["sources"]) == 1:  # a one-article story: a short item, no composition call
            assert not st["composed"] and 1 <= len(st["points"]) <= 2
    # Ranked by independent outlets (files have none, so each article counts as its own).
    outlets = [st["outlets"] for st in run["stories"]]
    assert outlets == sorted(outlets, reverse=True)
    assert run["stats"]["stories"] == len(run["stories"]) and run["stats"]["calls"] == 0  # all replayed
    # A composition per story of several articles, and a headline asked for alone where neither
    # the composition nor an article had one (at most one per story).
    assert len(multi) < run["stats"]["cache_hits"] <= len(multi) + len(run["stories"])


HEADLINE_SYSTEM = load_prompts(names=["headline"])["headline"].render(facts="")[0]["content"]


def asks_headline(body: dict[str, Any]) -> bool:
    """Whether a request asks for a headline alone (``prompts/headline.md``), not a composition."""
    return bool(body["messages"]) and body["messages"][0]["content"] == HEADLINE_SYSTEM


def test_the_next_day_reruns_only_the_stories_that_changed(home: Path, days: tuple[Path, Path],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(fixtures=(FIXTURES,)) as server:
        common = ["--base-url", server.url, "--model", MODEL, "--concurrency", "1"]
        code, first, err = build(capsys, str(days[0]), *common)
        assert code == 0, err
        asked_first = len(server.requests)
        compositions = [b for b in server.requests if not asks_headline(b)]
        assert len(compositions) == sum(st["composed"] for st in first["stories"])
        code, second, err = build(capsys, str(days[1]), *common)
        assert code == 0, err
        asked_second = len([b for b in server.requests[asked_first:] if not asks_headline(b)])
    before = {st["id"]: st for st in first["stories"]}
    names1 = {s["id"]: Path(s["path"]).name for s in first["sources"]}
    names2 = {s["id"]: Path(s["path"]).name for s in second["sources"]}
    def articles_of(st: dict[str, Any], names: dict[int, str]) -> set[str]:
        return {names[i] for i in st["sources"]}
    changed = [st for st in second["stories"] if st["composed"] and (
        st["id"] not in before or articles_of(st, names2) != articles_of(before[st["id"]], names1))]
    assert 1 <= len(changed) <= 2
    assert asked_second == len(changed)  # the others were answered from the cache
    assert second["stats"]["cache_hits"] >= sum(st["composed"] for st in second["stories"]) - len(changed)
    assert second["since_run"] == first["stats"]["run"]
    # Stable ids: every story of day 1 is still there under its id, none is new.
    assert {st["id"] for st in first["stories"]} <= {st["id"] for st in second["stories"]}
    assert all(not st["new"] for st in second["stories"])
    # New points are exactly those whose cited articles all arrived today.
    new_names = set(HELD_BACK)
    for st in second["stories"]:
        for p in st["points"]:
            assert p["new"] == all(names2[c["source"]] in new_names for c in p["citations"])
    assert sum(p["new"] for st in changed for p in st["points"]) >= 1
    check_citations(second)


def test_markdown_and_html_of_the_day(home: Path, days: tuple[Path, Path], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", str(days[0]), "--replay", str(FIXTURES), "-q"])
    md = capsys.readouterr().out
    assert code == 0
    contents = md.split("## Contents", 1)[1].split("\n## ", 1)[0]
    items = [line for line in contents.splitlines() if line[:1].isdigit()]
    assert len(items) == md.count("\n## ") - 3  # one entry per story section (not contents/evidence/sources)
    assert all(" sources · story s" in i or " source · story s" in i for i in items)
    code = main(["build", str(days[0]), "--replay", str(FIXTURES), "-q", "--top", "3", "--format", "html",
                 "-o", str(tmp_path / "day.html")])
    assert code == 0
    page = (tmp_path / "day.html").read_text(encoding="utf-8")
    assert page.count("<section") == 3 and "<script" not in page and "default-src 'none'" in page


def test_top_and_topic_choose_stories_before_any_call(home: Path, days: tuple[Path, Path],
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, run, _ = build(capsys, str(days[0]), "--replay", str(FIXTURES), "--top", "2", "--topic", "coast guard")
    assert code == 0
    assert len(run["stories"]) == 2 and run["stats"]["stories_found"] >= 12
    assert "matches “coast guard”" in run["stories"][0]["reason"]
    assert run["stats"]["articles"] == 30 and len(run["sources"]) == sum(len(s["sources"]) for s in run["stories"])


def test_estimate_makes_no_call(home: Path, days: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", str(days[0]), "--estimate", "--base-url", "http://127.0.0.1:9/v1", "--model", MODEL])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("30 articles in ") and "to compose" in lines[0]
    # A call per story of several articles, and one per one-article item with no headline of its own.
    m = re.match(r"(\d+) model calls \(0 to pick sentences, (\d+) to compose, (\d+) for the headline", lines[1])
    assert m is not None, lines[1]
    calls, composed, headlines = map(int, m.groups())
    assert calls == composed + headlines and composed >= 10 and 1 <= headlines <= 4
    assert "min of model time" in lines[3]


def test_one_story_tells_every_article_as_one(home: Path, days: tuple[Path, Path],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """``--one-story``: the user says the articles are one story; the plan has one composition."""
    code = main(["build", str(days[0]), "--estimate", "--one-story", "--base-url", "http://127.0.0.1:9/v1",
                 "--model", MODEL])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines()[0].startswith("30 articles in 1 story")
    assert out.splitlines()[1].startswith("1 model call (0 to pick sentences, 1 to compose)")


def test_ask_about_one_story(home: Path, days: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, run, _ = build(capsys, str(days[0]), "--replay", str(FIXTURES))
    assert code == 0
    code = main(["ask", "--story", "nope", "Who?", "--replay", str(FIXTURES)])
    err = capsys.readouterr().err
    assert code == 1 and "has no story 'nope'" in err and run["stories"][0]["id"] in err
    assert len(err.strip().splitlines()) == 1


def test_a_token_budget_stops_new_calls_and_builds_from_what_is_done(
        home: Path, days: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(fixtures=(FIXTURES,)) as server:
        code, run, err = build(capsys, str(days[0]), "--base-url", server.url, "--model", MODEL,
                               "--concurrency", "1", "--max-tokens-total", "1", "--no-cache")
        assert len(server.requests) == 1  # the first call spends the budget; no other starts
    assert code == 3
    assert "token budget of 1 was spent" in err
    composed = [st for st in run["stories"] if st["composed"]]
    assert run["stats"]["stories_failed"] == len(composed) - 1
    for st in composed:  # every story is still told, from its verified sentences
        assert st["points"]
    check_citations(run)


def test_a_run_of_one_article_is_still_composed(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = sorted(Path("seeds").iterdir())[0]
    with FakeServer() as server:
        code, run, err = build(capsys, str(seed), "--base-url", server.url, "--model", MODEL)
        assert len(server.requests) == 1  # the only story is the whole briefing: one composition
    assert code == 0, err
    assert len(run["stories"]) == 1 and run["stories"][0]["composed"] and run["points"]


def test_since_a_run_that_does_not_exist_is_one_line(home: Path, days: tuple[Path, Path],
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", str(days[0]), "--replay", str(FIXTURES), "--since", "99"])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    assert captured.err.strip().splitlines()[-1] == "briefing: --since 99: no run with that id (see `briefing runs`)"
    assert "Traceback" not in captured.err


def test_ask_one_story_answers_from_its_articles(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, run, _ = build(capsys, "seeds/", "--replay", "fixtures/seeds")
    assert code == 0 and len(run["stories"]) == 1
    story = run["stories"][0]["id"]
    code = main(["ask", "--story", story, "Who led the meeting?", "--replay", "fixtures/ask", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    answer = json.loads(out)
    assert answer["answerable"] and answer["citations"]
    assert {c["source"] for c in answer["citations"]} <= set(run["stories"][0]["sources"])


def test_a_story_over_the_article_limit_is_read_in_part(home: Path, days: tuple[Path, Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["build", str(days[0]), "--estimate", "--max-story-articles", "1",
                 "--base-url", "http://127.0.0.1:9/v1", "--model", MODEL])
    out, err = capsys.readouterr()
    assert code == 0, err
    first = out.splitlines()[0]
    assert "over the per-story limit left unread" in first and not first.startswith("30 articles")
