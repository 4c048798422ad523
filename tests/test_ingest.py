from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from summarizer.ingest import load_inputs

ARTICLE = "Allies meet in Brussels\n\nDefence ministers met at NATO headquarters on Thursday.\n"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def test_text_markdown_and_recursive_directories(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "sub" / "b.md", "# Second story\n\nA different report on the same meeting.\n")
    write(tmp_path / "sub" / ".hidden.txt", "Hidden file should be ignored.\n")
    write(tmp_path / "sub" / "notes.csv", "a,b\n")
    articles, skipped = load_inputs([str(tmp_path)])
    assert [a.title for a in articles] == ["Allies meet in Brussels", "Second story"]
    assert articles[0].path == str(tmp_path / "a.txt")
    assert articles[0].text == ARTICLE  # exactly the file's contents: offsets index it
    assert skipped == []


def test_crlf_and_bom_are_kept_so_offsets_match_the_file(tmp_path: Path) -> None:
    raw = "\ufeffTitle\r\n\r\nBody sentence here.\r\n".encode()
    write(tmp_path / "w.txt", raw)
    (a,), _ = load_inputs([str(tmp_path / "w.txt")])
    assert a.text == raw.decode("utf-8")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", "  \n\n", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        ("latin1.txt", "Caf\xe9 au lait".encode("latin-1"), "not UTF-8 text"),
        ("bad.json", "{not json", "invalid JSON"),
        ("norecords.json", json.dumps({"title": "no text"}), 'no non-empty "text"'),
    ],
)
def test_bad_inputs_are_skipped_with_a_reason_and_the_rest_goes_on(
    tmp_path: Path, name: str, data: bytes | str, reason: str
) -> None:
    good = write(tmp_path / "good.txt", ARTICLE)
    bad = write(tmp_path / name, data)
    articles, skipped = load_inputs([str(bad), str(good)])
    assert [a.path for a in articles] == [str(good)]
    assert len(skipped) == 1 and skipped[0].path == str(bad) and reason in skipped[0].reason


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    locked = write(tmp_path / "locked.txt", ARTICLE)
    locked.chmod(0)
    try:
        articles, skipped = load_inputs([str(tmp_path / "nope.txt"), str(locked)])
    finally:
        locked.chmod(0o644)
    reasons = {s.path: s.reason for s in skipped}
    assert reasons[str(tmp_path / "nope.txt")] == "no such file or directory"
    if os.geteuid() != 0:  # root can read anything
        assert reasons[str(locked)] == "permission denied"
    else:
        assert articles


def test_json_and_jsonl_records(tmp_path: Path) -> None:
    write(tmp_path / "feed.jsonl", "\n".join([
        json.dumps({"title": "One", "text": "First story text.", "outlet": "Wire", "url": "https://x.test/1"}),
        "",
        json.dumps({"text": "Second story, no title.\nMore."}),
        json.dumps({"title": "broken"}),
    ]))
    articles, skipped = load_inputs([str(tmp_path / "feed.jsonl")])
    assert [(a.path.rsplit("/", 1)[-1], a.title, a.outlet) for a in articles] == [
        ("feed.jsonl#1", "One", "Wire"), ("feed.jsonl#3", "Second story, no title.", None)]
    assert [s.path.rsplit("/", 1)[-1] for s in skipped] == ["feed.jsonl#4"]


def test_html_main_text_is_extracted(tmp_path: Path) -> None:
    body = "".join(f"<p>Paragraph {i}: defence ministers discussed the peacekeeping mission at length.</p>"
                   for i in range(5))
    html = (f"<html><head><title>Allies meet</title></head><body><nav>Home | World | Sport</nav>"
            f"<article><h1>Allies meet</h1>{body}</article><footer>Cookie settings</footer></body></html>")
    write(tmp_path / "page.html", html)
    (a,), _ = load_inputs([str(tmp_path / "page.html")])
    assert "Paragraph 3: defence ministers" in a.text
    assert "Cookie settings" not in a.text and "Home | World" not in a.text
    assert a.title == "Allies meet"


def test_exact_duplicates_collapse_and_stdin_is_read(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "copy.txt", ARTICLE)
    articles, skipped = load_inputs([str(tmp_path / "a.txt"), str(tmp_path / "copy.txt"), "-"],
                                    stdin=io.BytesIO(b"Piped story\n\nSomething happened today.\n"))
    assert [a.path for a in articles] == [str(tmp_path / "a.txt"), "-"]
    assert "exact duplicate" in skipped[0].reason


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    f = write(tmp_path / "a.txt", ARTICLE)
    before = (f.read_bytes(), f.stat().st_mtime_ns)
    load_inputs([str(tmp_path)])
    assert (f.read_bytes(), f.stat().st_mtime_ns) == before


@pytest.mark.parametrize(("url", "kept"), [
    ("javascript:alert(1)", None),  # never a link in the briefing, the JSON or the store
    ("data:text/html,<script>x</script>", None),
    ("ftp://example.org/a", None),
    ("https://user:secret@example.org/a?api_key=k1&token=t2&page=2", "https://example.org/a?page=2"),
    ("https://example.org/2026/11/30/story.html", "https://example.org/2026/11/30/story.html"),
])
def test_an_articles_link_is_an_http_url_without_credentials(url: str, kept: str | None, tmp_path: Path) -> None:
    src = tmp_path / "in.json"
    src.write_text(json.dumps({"title": "Barrier opens", "url": url,
                               "text": "The city opened a flood barrier on Tuesday after six years of work."}))
    articles, _ = load_inputs([str(src)])
    assert articles[0].url == kept
