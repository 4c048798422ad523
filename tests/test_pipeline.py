"""The build with an in-process fake model (``tests/fakemodel.py``): what the code keeps of a
composition, whatever a model writes, on the seeds. No recording, no server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from summarizer.ingest import load_inputs
from summarizer.models import Article
from summarizer.pipeline import BuildResult, build
from summarizer.plan import BuildOptions
from summarizer.prompts import load_prompts
from summarizer.settings import SETTINGS
from summarizer.textutil import STOPWORDS
from summarizer.tokens import count_tokens

from .fakemodel import MODEL, Asked, FunctionModel, Reply, fake_client

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLES, _ = load_inputs([str(SEEDS)])


def run(reply: Reply) -> tuple[BuildResult, FunctionModel]:
    return run_on(ARTICLES, reply)


def test_a_faithful_composition_is_kept_and_cited() -> None:
    """The model restates two listed facts word for word (not the sides of a disagreement, which
    are told there): both are kept, citing every outlet the facts cite, and one composition call
    is made for the five seed articles."""
    def faithful(asked: Asked) -> dict[str, object]:
        facts = asked.facts()
        # The summary restates the best fact; the point, one with no figure (a figure may make a
        # fact a side of a disagreement the code finds, told there and not as a point).
        second = next(f for f, text in list(facts.items())[1:] if f not in asked.conflicting()
                      and not any(ch.isdigit() for ch in text) and "dozen" not in text)
        return {"title": "", "summary": [{"text": facts["F1"], "facts": ["F1"]}],
                "points": [{"text": facts[second], "facts": [second]}], "disagreements": []}

    result, model = run(faithful)
    assert [a.prompt for a in model.asked] == ["synthesize"]
    b = result.briefing
    assert b.stats is not None
    written = {k: w.model_dump() for k, w in b.stats.model_sentences.items()}
    assert written == {"title": {"written": 0, "kept": 0}, "summary": {"written": 1, "kept": 1},
                       "points": {"written": 1, "kept": 1}, "sides": {"written": 0, "kept": 0}}
    assert b.summary_sentences and all(c.quote for p in b.summary_sentences for c in p.citations)
    for p in [*b.summary_sentences, *b.points]:
        for c in p.citations:
            assert next(a for a in ARTICLES if a.id == c.source).text[c.start : c.end] == c.quote


def test_the_model_reads_the_best_facts_and_writes_a_headline_and_a_summary_only() -> None:
    """The composition lists the top of the ranking (F1, F2, … in order, within listed_tokens: a
    short prompt) and asks for a headline and a summary, nothing else; the points are the story's
    facts, beyond those the model read, each citing its sentence."""
    result, model = run(lambda asked: {"title": "", "summary": []})
    asked = model.asked[0]
    listed = asked.facts()
    assert list(listed) == [f"F{i}" for i in range(1, len(listed) + 1)]
    rendered = "\n".join(f"{k} (1 source): {v}" for k, v in listed.items())
    assert len(listed) >= 3 and count_tokens(rendered, MODEL) <= SETTINGS.compose.listed_tokens
    assert asked.schema is not None and set(asked.schema["properties"]) == {"title", "summary"}
    b = result.briefing
    assert len(b.points) >= SETTINGS.compose.min_points
    assert any(" ".join(p.text.split()) not in listed.values() for p in b.points)
    assert all(p.citations for p in b.points)


def test_what_says_more_than_its_facts_never_reaches_the_briefing() -> None:
    """A model that adds an actor, an outcome and a figure to the facts it cites: all of it is
    refused, and the briefing is the facts' own sentences."""
    def unfaithful(asked: Asked) -> dict[str, object]:
        first = next(iter(asked.facts()))
        return {"title": "Macron cancels the peacekeeping mission",
                "summary": [{"text": "Macron cancelled the peacekeeping mission on Friday.", "facts": [first]}],
                "points": [{"text": "Forty countries rejected the plan.", "facts": [first]}],
                "disagreements": []}

    result, _ = run(unfaithful)
    b = result.briefing
    shown = " ".join([b.title, b.summary, *(p.text for p in b.points)])
    assert "Macron" not in shown and "cancel" not in shown.lower() and "Forty" not in shown
    assert b.stats is not None
    assert b.stats.model_sentences["points"].model_dump() == {"written": 1, "kept": 0}
    assert len(b.points) >= 8 and all(p.citations for p in b.points)


def test_a_reply_that_is_not_json_leaves_the_facts() -> None:
    """A model that answers prose every time: re-asked, then the story falls back to its
    verified facts; the run is partial, nothing is invented."""
    result, model = run(lambda _asked: "Here is your briefing: the allies met.")
    assert len(model.asked) == 3  # the call and its two re-asks
    assert result.partial and result.synthesis_failed
    assert result.briefing.points and all(p.citations for p in result.briefing.points)


UNTITLED = [a.model_copy(update={"title": ""}) for a in ARTICLES]  # no article with a headline


def run_on(articles: list[Article], reply: Reply) -> tuple[BuildResult, FunctionModel]:
    client, model = fake_client(reply)

    async def go() -> BuildResult:
        try:
            return await build(articles, client, load_prompts(), BuildOptions())
        finally:
            await client.aclose()

    return asyncio.run(go()), model


def words(text: str, n: int) -> str:
    """The first ``n`` words of ``text``, less what a headline cannot end on ("about a")."""
    out = [w.rstrip(",;:.") for w in text.split()[:n]]
    while out and out[-1].lower() in STOPWORDS:
        out.pop()
    return " ".join(out)


def headline_model(headline: str) -> Reply:
    """A model whose composed headline adds a claim (refused), and whose headline asked alone is
    ``headline``, or, for "FIRST WORDS", the first six words of the first statement it is shown."""
    def reply(asked: Asked) -> dict[str, object]:
        if asked.prompt == "headline":
            first = asked.user.split("\n- ", 1)[1].split("\n")[0]
            return {"title": words(first, 6) if headline == "FIRST WORDS" else headline}
        first = next(iter(asked.facts()))
        return {"title": "Macron cancels the peacekeeping mission", "summary": [],
                "points": [{"text": "", "facts": [first]}], "disagreements": []}
    return reply


def test_a_story_without_a_headline_gets_one_asked_for_alone() -> None:
    """No article has a headline and the composed one is refused: the model is asked for a
    headline alone, over the story's best facts, and one drawn from them is kept."""
    result, model = run_on(UNTITLED, headline_model("FIRST WORDS"))
    assert [a.prompt for a in model.asked] == ["synthesize", "headline"]
    b = result.briefing
    best = model.asked[0].facts()["F1"]  # the best fact, the first listed for the headline
    assert model.asked[1].user.split("\n- ", 1)[1].startswith(best)
    assert b.title == words(best, 6)
    assert b.stats is not None and b.stats.model_sentences["title"].model_dump() == {"written": 2, "kept": 1}


def test_a_headline_asked_for_alone_is_checked_like_any_other() -> None:
    """The headline asked for alone adds a claim: refused, and the story keeps a headline made
    from its own statements (never the model's words)."""
    result, model = run_on(UNTITLED, headline_model("Putin agrees to a ceasefire in Ukraine"))
    assert [a.prompt for a in model.asked] == ["synthesize", "headline"]
    assert "Putin agrees" not in result.briefing.title and "Macron" not in result.briefing.title


def test_an_article_headline_needs_no_call() -> None:
    """The seeds have headlines: a refused composed headline falls back to the first one, with
    no further call."""
    result, model = run_on(ARTICLES, headline_model("FIRST WORDS"))
    assert [a.prompt for a in model.asked] == ["synthesize"]
    assert result.briefing.title == ARTICLES[0].title


def test_a_one_article_item_without_a_headline_gets_one() -> None:
    """A day of two stories of one article each: the one without a headline is given one by the
    model (one short call, checked); the one with a headline keeps it, with no call."""
    untitled, _ = load_inputs([str(SEEDS.parent / "tests/data/day/articles/c8f2440d.txt")])  # no headline
    day = [ARTICLES[0], untitled[0].model_copy(update={"id": 99})]

    def reply(asked: Asked) -> dict[str, object]:
        first = asked.user.split("\n- ", 1)[1].split("\n")[0]
        return {"title": words(first, 7)}

    result, model = run_on(day, reply)
    titles = [st.title for st in result.briefing.stories]
    assert [a.prompt for a in model.asked] == ["headline"]
    assert ARTICLES[0].title in titles
    other = next(st for st in result.briefing.stories if st.title != ARTICLES[0].title)
    assert other.title == words(other.points[0].text, 7)
