"""``briefing eval``'s scoring (pure) and its conductor with an in-process fake model."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from summarizer.chunking import segment
from summarizer.evaluate import (
    Cluster,
    EvalError,
    Report,
    clean_summary,
    evaluate,
    lead_text,
    one_prompt_messages,
    pick,
    read_clusters,
    rouge_l,
    rouge_n,
    table,
)
from summarizer.models import Article, Briefing
from summarizer.pipeline import build
from summarizer.plan import BuildOptions
from summarizer.prompts import load_prompts

from .fakemodel import Asked, fake_client

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize(("candidate", "reference", "n", "f1"), [
    ("the cat sat on the mat", "the cat sat on the mat", 1, 1.0),
    ("the cat sat", "a dog ran", 1, 0.0),
    ("the cat sat", "the cat ran", 1, 2 / 3),
    ("the cat sat", "the cat ran", 2, 0.5),  # "the cat" of two bigrams each
    ("The Cat, sat!", "the cat sat", 1, 1.0),  # case and punctuation do not count
    ("the the the", "the cat", 1, 0.4),  # clipped: "the" counts once (P 1/3, R 1/2)
    ("", "the cat", 1, 0.0),
])
def test_rouge_n(candidate: str, reference: str, n: int, f1: float) -> None:
    assert rouge_n(candidate, reference, n) == pytest.approx(f1)


@pytest.mark.parametrize(("candidate", "reference", "f1"), [
    ("a b c d", "a c d", 6 / 7),  # LCS a c d: P 3/4, R 1
    ("d c b a", "a b c d", 0.25),  # LCS of one word
    ("a b", "", 0.0),
])
def test_rouge_l(candidate: str, reference: str, f1: float) -> None:
    assert rouge_l(candidate, reference) == pytest.approx(f1)


CLUSTER = {"documents": [{"documentFile": "a", "rawDocumentText": "x"}, {"documentFile": "b", "rawDocumentText": "y"}],
           "response": "r"}


@pytest.mark.parametrize(("spec", "n", "want"), [
    (None, 3, [0, 1, 2]),
    ("0-1", 3, [0, 1]),
    ("2,0,2", 3, [2, 0]),  # in the order given, each once
])
def test_pick(spec: str | None, n: int, want: list[int]) -> None:
    clusters = [Cluster.model_validate(CLUSTER)] * n
    assert [i for i, _ in pick(clusters, spec)] == want


@pytest.mark.parametrize(("spec", "message"), [("5", "has 3 clusters (0-2), not 5"), ("a-b", "give indexes like")])
def test_pick_refuses_what_the_file_has_not(spec: str, message: str) -> None:
    with pytest.raises(EvalError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pick([Cluster.model_validate(CLUSTER)] * 3, spec)


def test_a_line_that_is_not_a_cluster_is_named() -> None:
    with pytest.raises(EvalError, match=r"line 2 is not a cluster .*: response: Field required"):
        read_clusters([json.dumps(CLUSTER), '{"documents": []}'])
    with pytest.raises(EvalError, match="line 1 is not JSON"):
        read_clusters(["{documents"])
    # Missing titles and URLs are null in the dev file: the articles' own title lines stand in.
    nulls = {**CLUSTER, "documents": [{"documentFile": "a", "documentTitle": None, "documentUrl": None,
                                       "rawDocumentText": "Storm hits the coast\n\nA storm hit the coast."}]}
    assert read_clusters([json.dumps(nulls)])[0].articles()[0].title == "Storm hits the coast"
    with pytest.raises(EvalError, match="no clusters"):
        read_clusters(["", "  "])


def test_lead_3_is_each_articles_first_three_sentences() -> None:
    a = Article(id=1, path="a", title="t", text="One is here today. Two is here too. Three comes now. Four is last.\n")
    b = Article(id=2, path="b", title="t", text="Only one sentence stands here.\n")
    assert lead_text([a, b]).splitlines() == ["One is here today.", "Two is here too.", "Three comes now.",
                                              "Only one sentence stands here."]


def test_a_one_prompt_reply_is_scored_as_its_reader_reads_it() -> None:
    shown = clean_summary("**Title**\n- Troops [1, 2] were sent [3].")
    assert shown.split() == ["Title", "Troops", "were", "sent", "."]


def test_the_one_prompt_gives_each_article_an_equal_share_when_they_do_not_fit() -> None:
    prompt = load_prompts(names=["one_prompt"])["one_prompt"]
    arts = [Article(id=i, path=str(i), title=f"T{i}", text="word " * 1000) for i in (1, 2)]
    user = one_prompt_messages(prompt, arts, 200, lambda t: len(t.split()))[-1]["content"]
    assert "[1] T1" in user and "[2] T2" in user
    assert 180 <= user.count("word") <= 210  # about 100 words of each


def seeds_cluster() -> Cluster:
    """Two seed articles as a cluster; the gold spans are every sentence of the first."""
    docs, highlights = [], []
    for n, path in enumerate(sorted(SEEDS.glob("*.txt"))[:2]):
        text = path.read_text(encoding="utf-8")
        docs.append({"documentFile": path.name, "documentTitle": text.splitlines()[0], "rawDocumentText": text})
        if n == 0:
            highlights.append({"documentFile": path.name, "docSpanOffsets": list(segment(text).sentences)})
    return Cluster.model_validate({"documents": docs, "response": "Ukraine's allies met on peacekeeping troops.",
                                   "set_of_highlights_in_context": highlights})


def test_eval_scores_the_briefing_and_its_baselines_with_a_fake_model() -> None:
    def model(asked: Asked) -> dict[str, object]:
        facts = asked.facts()
        first = next(f for f in facts if f not in asked.conflicting())  # the best fact no outlet disputes
        return {"title": "", "summary": [{"text": facts[first], "facts": [first]}], "points": [], "disagreements": []}

    client, _ = fake_client(model)
    prompts = load_prompts()

    async def one(articles: list[Article]) -> Briefing:
        return (await build(articles, client, prompts, BuildOptions())).briefing

    async def baseline(articles: list[Article]) -> str:
        return "Allies met [1]. Troops were discussed [2]."

    async def go() -> Report:
        try:
            return await evaluate([(0, seeds_cluster())], one, baseline, lambda _s, _d, _t: None)
        finally:
            await client.aclose()

    report = asyncio.run(go())
    totals = report.totals()
    assert set(totals) == {"lead-3", "briefing", "one-prompt"}
    b = totals["briefing"]
    assert b.citations > 0 and b.exact == b.citations  # every quote is its article's text
    assert b.gold == len(segment(seeds_cluster().documents[0].rawDocumentText).sentences)
    assert 0 < b.precise < b.citations and 0 < b.recalled < b.gold  # the first article's citations, not the second's
    assert b.written >= 1 and b.kept >= 1  # the model's summary sentence was checked and kept
    assert 0 < totals["one-prompt"].rouge1 < 1 and totals["lead-3"].citations == 0
    shown = table(report)
    assert shown.splitlines()[0].split()[:4] == ["system", "R-1", "R-2", "R-L"] and "briefing" in shown
    doc = report.as_json()
    assert doc["clusters"] == [0]


ROOT = Path(__file__).resolve().parent.parent


def test_briefing_eval_replayed_from_the_embedded_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`briefing eval` as a user runs it, from the recorded exchanges (fixtures/eval): the seeds as
    one cluster, with both baselines; every citation exact, the table on stdout."""
    from summarizer.cli import main

    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path))
    argv = ["eval", str(ROOT / "tests/data/seeds-cluster.jsonl"), "--baseline", "lead-3", "--baseline", "one-prompt",
            "--replay", str(ROOT / "fixtures/eval"), "-q"]
    assert main([*argv, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    systems = doc["systems"]
    assert set(systems) == {"briefing", "lead-3", "one-prompt"}
    b = systems["briefing"]["total"]
    exact, cited = b["exact_spans"].split("/")
    assert int(cited) > 0 and exact == cited
    assert b["citation_precision"] > 0 and b["citation_recall"] > 0 and b["failed"] == 0
    assert 0 < systems["one-prompt"]["total"]["rougeL"] < 1 and systems["lead-3"]["total"]["citation_precision"] is None
    assert main(argv) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["system", "R-1", "R-2", "R-L"] and [r.split()[0] for r in table[1:]] == [
        "lead-3", "briefing", "one-prompt"]


@pytest.mark.parametrize(("argv", "message"), [
    (["eval", "missing.jsonl"], "cannot read missing.jsonl"),
    (["eval", "{file}", "--clusters", "4"], "has 1 clusters (0-0), not 4"),
])
def test_eval_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                  argv: list[str], message: str) -> None:
    from summarizer.cli import main

    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    argv = [a.replace("{file}", str(ROOT / "tests/data/seeds-cluster.jsonl")) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
