"""A key-fact check of a seeds briefing: which of 19 facts a reader of the five seed articles
should come away with the briefing states (in its title, summary, points or disagreements).

This is the team's own proxy, written from the seeds' text (the issue's check of 19 facts is held
out and differs); each fact is a pattern over the briefing's text. With ``--no-model`` it builds
the seeds itself with a model that writes nothing, so that the ranking alone is measured.

    briefing build seeds/ --format json -o /tmp/seeds.json && python bench/seeds_key_facts.py /tmp/seeds.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

FACTS = [
    ("the allies met on April 10", r"April 10"),
    ("in Brussels, at NATO headquarters", r"Brussels|NATO.{0,3}s? headquarters"),
    ("led by France's Lecornu and Britain's Healey", r"Lecornu"),
    ("the coalition: European countries, Canada, Australia", r"Canada|Australia"),
    ("the United States stays out", r"(exclud|not (?:participate|take part)|won.t send|stays? out).{0,80}"
                                    r"(United States|U\.S\.|Washington)|(United States|U\.S\.|Washington).{0,80}"
                                    r"(exclud|not (?:participate|commit)|won.t send|stays? out)"),
    ("about a dozen countries could send troops (Palisa)", r"dozen"),
    ("only six nations have committed (AFP)", r"\b(six|6) (western )?nations"),
    ("the UK, France and the Baltic states pledged troops", r"Baltic states|Estonia"),
    ("Healey asked about 30 countries to keep planning", r"30 countries"),
    ("200 military planners are at work", r"\b200\b"),
    ("a force of 10,000 to 30,000 troops", r"10,000"),
    ("Russia: no deployment without a UN mandate", r"mandate"),
    ("Medvedev: peacekeepers would mean a wider war", r"Medvedev"),
    ("the Dutch minister doubts the mission's purpose", r"Brekelmans|Dutch"),
    ("Sweden will not join until the objectives are clear", r"Jonson|Swed"),
    ("many countries hesitate without U.S. support", r"hesita"),
    ("Italy and the Netherlands need their parliaments", r"parliament"),
    ("over 50 countries meet on Friday (Contact Group)", r"50 countries|Contact Group"),
    ("troops on land, in the sky and at sea; air defence", r"air defen[cs]e|in the sky"),
]


def text_of(doc: dict) -> str:
    stories = doc.get("stories") or [doc]
    parts = []
    for st in stories:
        parts.append(st.get("title", ""))
        parts += [p["text"] for p in st.get("summary_sentences", []) + st.get("points", [])]
        parts += [p["text"] for d in st.get("disagreements", []) for p in d["positions"]]
    return "\n".join(parts)


def no_model_briefing() -> dict:
    """The seeds built with a model that writes nothing: every statement is a ranked fact."""
    import asyncio

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from summarizer.ingest import load_inputs
    from summarizer.pipeline import build
    from summarizer.plan import BuildOptions
    from summarizer.prompts import load_prompts
    from summarizer.render import to_json
    from tests.fakemodel import fake_client

    articles, _ = load_inputs([str(Path(__file__).resolve().parent.parent / "seeds")])
    client, _ = fake_client(lambda asked: {"title": "", "summary": [], "points": [], "disagreements": []})

    async def go() -> dict:
        try:
            return json.loads(to_json((await build(articles, client, load_prompts(), BuildOptions())).briefing))
        finally:
            await client.aclose()

    return asyncio.run(go())


def main() -> int:
    doc = no_model_briefing() if sys.argv[1] == "--no-model" else json.loads(Path(sys.argv[1]).read_text("utf-8"))
    text = text_of(doc)
    found = 0
    for name, pattern in FACTS:
        hit = re.search(pattern, text, re.IGNORECASE) is not None
        found += hit
        print(f"{'yes' if hit else ' - '}  {name}")
    words = len(text.split())
    print(f"{found}/{len(FACTS)} key facts ({found / len(FACTS):.2f}) in {words} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
