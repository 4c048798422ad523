"""The build with an in-process fake model (``tests/fakemodel.py``): what the code keeps of a
composition, whatever a model writes, on the seeds. No recording, no server."""

from __future__ import annotations

import asyncio
from pathlib import Path

from summarizer.ingest import load_inputs
from summarizer.pipeline import BuildResult, build
from summarizer.plan import BuildOptions
from summarizer.prompts import load_prompts

from .fakemodel import Asked, FunctionModel, Reply, fake_client

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLES, _ = load_inputs([str(SEEDS)])


def run(reply: Reply) -> tuple[BuildResult, FunctionModel]:
    client, model = fake_client(reply)

    async def go() -> BuildResult:
        try:
            return await build(ARTICLES, client, load_prompts(), BuildOptions())
        finally:
            await client.aclose()

    return asyncio.run(go()), model


def test_a_faithful_composition_is_kept_and_cited() -> None:
    """The model restates two listed facts word for word (not the sides of a disagreement, which
    are told there): both are kept, citing every outlet the facts cite, and one composition call
    is made for the five seed articles."""
    def faithful(asked: Asked) -> dict[str, object]:
        facts = asked.facts()
        # Facts with no figure: a figure may make a fact a side of a disagreement the code finds.
        first, second = [f for f, text in facts.items() if f not in asked.conflicting()
                         and not any(ch.isdigit() for ch in text) and "dozen" not in text][:2]
        return {"title": "", "summary": [{"text": facts[first], "facts": [first]}],
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
