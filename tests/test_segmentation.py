"""One segmentation per article, shared by every stage: cases a news text throws at it, and
properties that must hold on every dev-cluster article and seed. Pure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.chunking import segment
from summarizer.settings import SETTINGS
from summarizer.textutil import is_caption, not_reporting

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "multinews-dev.jsonl"


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in segment(text).sentences]


@pytest.mark.parametrize(("text", "expected"), [
    ("U.S. President Donald Trump met Gen. Mark Smith on Monday. He left early.",
     ["U.S. President Donald Trump met Gen. Mark Smith on Monday.", "He left early."]),
    ('He said: "It is over." Then he left the room for good.',
     ['He said: "It is over."', "Then he left the room for good."]),
    ("“We discuss troops. Air defence too. Our partners understand,” he said. The talks ended on time.",
     ["“We discuss troops. Air defence too. Our partners understand,” he said.", "The talks ended on time."]),
    ("BRUSSELS\n\nThe ministers met at NATO headquarters on Thursday. They agreed to meet again.",
     ["The ministers met at NATO headquarters on Thursday.", "They agreed to meet again."]),  # dateline: furniture
    ("Allies meet in Brussels\n\nThe ministers met at NATO headquarters on Thursday evening.",
     ["The ministers met at NATO headquarters on Thursday evening."]),  # a headline without a full stop
    ("The plan, approved by the U.N. last week, was signed by Dr. Jones and Mr. Lee in the morning.",
     ["The plan, approved by the U.N. last week, was signed by Dr. Jones and Mr. Lee in the morning."]),
])
def test_news_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_the_segmentation_is_computed_once_per_text() -> None:
    text = "The ministers met at NATO headquarters on Thursday. They agreed to meet again in May."
    assert segment(text) is segment(text)


def _texts() -> list[str]:
    out = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    if DEV.exists():
        for line in DEV.read_text(encoding="utf-8").splitlines():
            out += [d["rawDocumentText"] for d in json.loads(line)["documents"]]
    return out


def test_sentences_are_ordered_exact_bounded_spans_inside_paragraphs() -> None:
    texts = _texts()  # the seeds, and the dev clusters where ../shared is beside the checkout (as in CI)
    assert len(texts) >= 5
    for text in texts:
        doc = segment(text)
        prev = 0
        for s, e in doc.sentences:
            assert prev <= s < e <= len(text) and e - s <= SETTINGS.chunking.max_sentence_chars
            assert text[s:e] == text[s:e].strip()
            assert any(ps <= s and e <= pe for ps, pe in doc.paragraphs)
            prev = e
        # Nothing of a paragraph is lost between its sentences but white space.
        for ps, pe in doc.paragraphs:
            inside = doc.sentences_in(ps, pe)
            assert "".join("".join(text[s:e].split()) for s, e in inside) == "".join(text[ps:pe].split())


@pytest.mark.parametrize(("sentence", "why"), [
    ("That's one way to dominate New York!", "an exclamation"),
    ("Will the Herman Cain Allegations Take Center Stage?", "a question"),
    ('"Calls like these not only put our crews at risk, but they put the lives of the public at risk."',
     "a quotation with no speaker"),
    ('"Calls like these put our crews at risk," the Coast Guard said.', None),
    ("“What would we actually be doing there?” he asked.", None),  # a question quoted, with its speaker
    ("Share Copy Link", "a fragment"),
    ("Plouffe described the comments of President Obama as.", "a sentence cut short"),
    ("That is what the two sides have been fighting about.", None),
    (">> THE GOLD BEING HEAVY IS GOINGTO GET CAUGHT IN THIS BLACK MAT AND BEHIND EACH ONE", "a transcript in capitals"),
    ("The Coast Guard says hoax calls distract rescuers from real emergencies.", None),
    ("Joey Wilson, left, rings up Curtis Barwick for a gold pan at Adventures in Prospecting.", "a photo's caption"),
])
def test_what_does_not_report(sentence: str, why: str | None) -> None:
    assert not_reporting(sentence) == why


@pytest.mark.parametrize(("sentence", "caption"), [
    ("Joey Wilson, left, rings up Curtis Barwick for a gold pan at Adventures in Prospecting.", True),
    ("Defense ministers Anni Hakkanen (left) and Pal Jonson arrive at NATO headquarters.", True),
    ("Pal Jonson, second from right, speaks with reporters in Brussels on Thursday.", True),
    ("He left, angry, before the vote was taken in the chamber.", False),
    ("The driver turned left, then right, and stopped at the corner of Main Street.", False),
    ("The party on the left has lost three seats since the last election.", False),
])
def test_a_photo_caption_is_told_by_where_people_stand(sentence: str, caption: bool) -> None:
    assert is_caption(sentence) is caption
