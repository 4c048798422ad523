from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.chunking import (
    chunk_article,
    content_paragraphs,
    is_furniture_line,
    paragraph_spans,
    sentence_spans,
    wrapped,
)
from summarizer.models import Article
from summarizer.tokens import count_tokens

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


def count(text: str) -> int:
    return count_tokens(text, "gpt-4o-mini")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One sentence. Another one!", ["One sentence.", "Another one!"]),
        ("U.S. President Donald Trump spoke. Then he left.", ["U.S. President Donald Trump spoke.", "Then he left."]),
        ("Mr. Healey arrived. He spoke.", ["Mr. Healey arrived.", "He spoke."]),
        ("“We must be ready,” he said. It ended.", ["“We must be ready,” he said.", "It ended."]),
        ("No end punctuation here", ["No end punctuation here"]),
        ("About 30 countries met. 200 planners work on it.", ["About 30 countries met.", "200 planners work on it."]),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("Haberin Devamı", True),
        ("Read more", True),
        ("BRUSSELS", True),
        ("2 min read", True),
        ("Illustrative purposes. French soldiers walk in formation. (Aline Deschamps / AFP via Getty Images)", True),
        ("The talks took place at NATO headquarters in Brussels.", False),
        ("Just 6 western nations back post-war troop deployment to Ukraine", False),
    ],
)
def test_furniture(line: str, furniture: bool) -> None:
    assert is_furniture_line(line) is furniture


def test_hard_wrapped_sentence_is_one_paragraph() -> None:
    """seeds/000: paragraphs set apart by blank lines, one sentence wrapped inside one."""
    text = ("Allies meet in Brussels\n\nThe meeting, led by France's Defense Minister and British Defense\n"
            "Secretary John Healey, ended.\n\nNext.")
    spans = paragraph_spans(text)
    assert text[spans[0][0] : spans[0][1]] == "Allies meet in Brussels"  # a headline is not a wrapped line
    assert text[spans[1][0] : spans[1][1]].endswith("British Defense\nSecretary John Healey, ended.")


def test_where_each_paragraph_has_its_own_line_a_line_without_a_stop_is_a_paragraph() -> None:
    """A dev article: each paragraph on its own line, related links between them. A link is not
    the start of the sentence after it; a line that goes on in lower case still is."""
    text = ("The suit alleges that the school refused to hear him.\n"
            "What you should know about reporting sex assault on campus\n"
            "The suit says the school broke the law.\n"
            "Its lawyer said the case was\nunlike any other.\n")
    paras = [text[s:e] for s, e in paragraph_spans(text)]
    assert paras == ["The suit alleges that the school refused to hear him.",
                     "What you should know about reporting sex assault on campus",
                     "The suit says the school broke the law.",
                     "Its lawyer said the case was\nunlike any other."]


@pytest.mark.parametrize(("line", "following", "joined"), [
    # a sentence hard-wrapped mid-clause (seeds/000)
    ("The meeting, led by France's Defense Minister Sebastien Lecornu and British Defense",
     "Secretary John Healey, involved defense ministers from the coalition.", True),
    # a line that goes on in lower case, however long
    ("After Cook's infidelity and their subsequent financial and custody battle, the long-running dispute over "
     "the model's", "unfaithful ex husband, Peter Cook, has legally separated from his new wife.", True),
    # a paragraph that lacks its final stop (mixed day: two paragraphs had been one point)
    ("The roughly one in five children who received food stamps in 2014 surpassed pre-recession levels, "
     "according to the U.S. Census survey of American families released on Wednesday",
     "Republicans in Congress have sought to cut back on the program.", False),
    # a caption, a tweet's credit line
    ("Lee Rodarte, suspect in Savannah Gold's murder, just had his first court appearance pic.twitter.com/x - "
     "Brittney Donovan (@brittneydonovan) August 6, 2017", "RAW INTERVIEW: Gold's father makes a plea", False),
    # headings: title case, a teaser, a label
    ("Tom Brady and Gisele Bundchen Have PDA-Packed Sunday One Week After Super Bowl Loss",
     "Justin Timberlake Nearly Brings Super Bowl 'Selfie Kid' to Tears", False),
    ("Ukraine could need 100,000 foreign troops, Syrskyi says", "The general spoke on Monday.", False),
    ("Further reading", "Microsoft buys Nokia's phone business.", False),
    # a sentence that ends
    ("The talks took place at NATO headquarters in Brussels.", "Ministers left on Friday.", False),
])
def test_a_line_is_joined_to_the_next_only_when_a_sentence_was_wrapped(line: str, following: str,
                                                                       joined: bool) -> None:
    assert wrapped(line, following) is joined


def test_page_footer_and_everything_after_it_is_left_out() -> None:
    body = "\n\n".join(f"Paragraph {i} says something about the story at length." for i in range(6))
    text = body + "\n\nZdieľaj tento článok\nZDIEĽATEĽNÁ URL\n\nIsraeli army raises alert level ahead of the holiday.\n"
    kept = [text[s:e] for s, e in content_paragraphs(text)]
    assert len(kept) == 6
    assert not any("Israeli" in k for k in kept)


@pytest.mark.parametrize("budget", [40, 120, 700])
@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_chunks_keep_offsets_and_budget(path: Path, budget: int) -> None:
    text = path.read_text(encoding="utf-8")
    article = Article(id=1, path=str(path), title="t", text=text)
    chunks = chunk_article(article, budget, count)
    assert chunks
    prev_end = 0
    for c in chunks:
        assert c.tokens <= budget
        assert c.start >= prev_end
        prev_end = c.end
        # The model sees the chunk's sentences numbered; each is an exact slice of the article.
        assert c.paragraphs[0][0] == c.start and c.paragraphs[-1][1] == c.end
        assert c.sentences and all(c.start <= s < e <= c.end for s, e in c.sentences)
        for n, (s, e) in enumerate(c.sentences, start=1):
            assert f"[{n}] {' '.join(text[s:e].split())}" in c.text
    # Nothing of the story is lost: every content paragraph's words are in some chunk.
    joined = " ".join(text[s:e] for c in chunks for s, e in c.paragraphs).split()
    for s, e in content_paragraphs(text):
        assert text[s:e].split()[0] in joined


def test_furniture_never_reaches_a_chunk() -> None:
    text = next(p for p in SEEDS if p.name.startswith("000")).read_text(encoding="utf-8")
    chunks = chunk_article(Article(id=1, path="x", title="t", text=text), 700, count)
    assert all("Haberin Devamı" not in c.text for c in chunks)
    assert all(not c.text.startswith("BRUSSELS") for c in chunks)


def test_budget_too_small_is_an_error() -> None:
    with pytest.raises(ValueError):
        chunk_article(Article(id=1, path="x", title="t", text="Some words."), 8, count)
