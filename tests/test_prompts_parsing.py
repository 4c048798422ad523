from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.compose import Synthesis
from summarizer.models import Selection
from summarizer.parsing import InvalidJSON, SchemaViolation, TruncatedOutput, inline_schema, parse_reply
from summarizer.prompts import PromptError, load_prompts, parse_prompt


def test_shipped_prompts_load_and_render() -> None:
    prompts = load_prompts()
    assert set(prompts) == {"extract", "synthesize", "headline", "answer", "rewrite", "doctor", "one_prompt"}
    messages = prompts["extract"].render(title="T", outlet="O", text="Body text.")
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "Body text." in messages[1]["content"]
    assert "{{" not in messages[0]["content"] + messages[1]["content"]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("=== system ===\nx {{title}} {{outlet}} {{text}} {{surprise}}\n=== user ===\ny",
         "unknown variable(s) surprise"),
        ("=== system ===\nx {{title}}\n=== user ===\n{{text}}", "missing variable(s) outlet"),
        ("=== system ===\nonly a system part {{title}} {{outlet}} {{text}}", "no '=== user ===' section"),
    ],
)
def test_bad_prompt_files_are_errors_at_load(tmp_path: Path, content: str, error: str) -> None:
    (tmp_path / "extract.md").write_text(content)
    with pytest.raises(PromptError, match=error.replace("(", r"\(").replace(")", r"\)")):
        load_prompts(tmp_path, ["extract"])


def test_render_with_wrong_values_is_an_error() -> None:
    p = load_prompts()["extract"]
    with pytest.raises(PromptError, match="missing"):
        p.render(title="T", text="x")


def test_editing_a_prompt_changes_its_hash_and_only_its_hash() -> None:
    a = parse_prompt("x", Path("x.md"), "=== user ===\nHello {{name}}\n")
    b = parse_prompt("x", Path("x.md"), "=== user ===\nHello there {{name}}\n")
    c = parse_prompt("x", Path("x.md"), "=== user ===\nHello {{name}}\n")
    assert a.sha != b.sha and a.sha == c.sha


def test_parse_reply_typed_errors() -> None:
    good = '{"ids": [1, 3, 4]}'
    assert parse_reply(good, "stop", Selection).ids == [1, 3, 4]
    with pytest.raises(TruncatedOutput):
        parse_reply(good[:-5], "length", Selection)
    with pytest.raises(InvalidJSON, match="not valid JSON"):
        parse_reply('{"ids": [', "stop", Selection)
    with pytest.raises(InvalidJSON, match="empty"):
        parse_reply("", "stop", Selection)
    with pytest.raises(SchemaViolation, match=r"ids.1"):
        parse_reply('{"ids": [1, "the second"]}', "stop", Selection)
    # Plain-text servers: the JSON is dug out of prose or a fenced block.
    fenced = "Sure! Here it is:\n```json\n" + good + "\n```"
    assert parse_reply(fenced, "stop", Selection, loose=True).ids == [1, 3, 4]


def test_inline_schema_keeps_a_property_named_title_and_has_no_refs() -> None:
    schema = inline_schema(Synthesis)
    assert "title" in schema["properties"] and "title" in schema["required"]
    assert "$ref" not in str(schema) and "$defs" not in schema


@pytest.mark.parametrize("sentences", [1, 7, 40])
def test_the_selection_schema_allows_only_the_chunks_sentence_numbers(sentences: int) -> None:
    from summarizer.claims import selection_schema

    ids = selection_schema(sentences)["properties"]["ids"]
    assert ids["items"]["enum"] == list(range(1, sentences + 1))
    assert ids["maxItems"] == sentences
    assert "enum" not in inline_schema(Selection)["properties"]["ids"]["items"]  # the model itself is untouched
