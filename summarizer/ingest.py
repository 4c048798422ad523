"""Reading articles: files, directories (recursive), JSON/JSONL records and stdin.

``parse_*`` functions are pure (bytes/text in, records out); ``load_inputs`` is the I/O shell.
Nothing here ever writes to an input.
"""

from __future__ import annotations

import json
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from .chunking import segment
from .errors import BriefingError
from .models import Article, Skipped
from .sanitize import clean_text, display_path, is_http_url, scrub_url
from .settings import SETTINGS

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json", ".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES
# Larger inputs are not read at all: a news article is tens of kilobytes, and a JSONL dump of a
# month of feeds a few megabytes.


class InputError(BriefingError, ValueError):
    """An input that cannot be read as an article; the message says why."""


def decode(data: bytes) -> str:
    """Decode UTF-8 exactly (no newline translation, BOM kept) so offsets match the file."""
    if b"\x00" in data[:8192]:
        raise InputError("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (undecodable byte at offset {exc.start})") from None
    if not text.strip():
        raise InputError("empty file")
    return text


def title_of(text: str, markdown: bool = False) -> str:
    """The first non-empty line that is not page furniture ("News Feed"); when the text has no
    headline (its first line is a paragraph), the start of its first sentence."""
    first = ""
    for line in text.splitlines():
        line = line.strip()
        if markdown and line.startswith("#"):
            if line.lstrip("#").strip():
                return line.lstrip("#").strip()
            continue
        if not line:
            continue
        first = first or line
        if len(line.split()) <= SETTINGS.chunking.title_label_words and not line.endswith((".", "!", "?")):
            continue  # "News Feed", "BRUSSELS": not a title
        if len(line) > SETTINGS.chunking.title_max_chars or \
                (line.endswith(".") and len(line.split()) > SETTINGS.chunking.title_sentence_words):
            return _shorten(line)
        return line
    return _shorten(first)


def _shorten(line: str, limit: int = 90) -> str:
    """A line's first sentence (as segmenting finds it: "The U.S. Coast Guard" is one), cut
    with "…" after ``limit`` characters."""
    spans = segment(line).sentences
    sentence = (line[spans[0][0] : spans[0][1]] if spans else line).strip().rstrip(".")
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def parse_text(path: str, text: str, markdown: bool = False) -> Article:
    return Article(path=path, title=title_of(text, markdown), text=text)


def parse_html(path: str, text: str) -> Article:
    import trafilatura

    try:
        body = trafilatura.extract(text, include_comments=False, include_tables=False, favor_precision=True)
        meta = trafilatura.extract_metadata(text) if body and body.strip() else None
    except (RecursionError, ValueError, TypeError, AttributeError, LookupError) as exc:
        raise InputError(f"the HTML could not be read ({type(exc).__name__})") from None
    if not body or not body.strip():
        raise InputError("no article text found in the HTML")
    title = (meta.title if meta and meta.title else None) or title_of(body)
    return Article(
        path=path,
        title=title,
        text=body,
        outlet=(meta.sitename if meta else None) or None,
        url=(meta.url if meta else None) or None,
        published=(meta.date if meta else None) or None,
        from_file_text=False,
    )


def _record_from_obj(path: str, obj: object) -> Article:
    if not isinstance(obj, dict):
        raise InputError("JSON record is not an object")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError('JSON record has no non-empty "text"')

    def opt(key: str) -> str | None:
        value = obj.get(key)
        return clean_text(str(value)) if value not in (None, "") else None

    # JSON can carry lone surrogates ("\ud800"): replaced (same length), so the text is storable.
    text = clean_text(text)
    return Article(
        path=path,
        title=opt("title") or title_of(text),
        text=text,
        outlet=opt("outlet"),
        url=opt("url"),
        published=opt("published"),
        from_file_text=False,
    )


def safe_url(url: str | None) -> str | None:
    """An article's link as it may be stored, printed and rendered: an http(s) URL with a host,
    without user info or key-like query parameters (``javascript:`` and the like are dropped)."""
    if not url or not is_http_url(url):
        return None
    return scrub_url(url) or None


def parse_json(path: str, text: str, lines: bool) -> Iterator[Article | Skipped]:
    """Records of a .json (object or list of objects) or .jsonl file; bad records are Skipped."""
    if lines:
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}#{n}"
            try:
                yield _record_from_obj(where, json.loads(line))
            except json.JSONDecodeError as exc:
                yield Skipped(path=where, reason=f"invalid JSON ({exc.msg})")
            except RecursionError:
                yield Skipped(path=where, reason="JSON nested too deeply")
            except InputError as exc:
                yield Skipped(path=where, reason=str(exc))
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise InputError("JSON nested too deeply") from None
    if isinstance(data, dict):
        yield _record_from_obj(path, data)
        return
    if not isinstance(data, list):
        raise InputError("JSON is neither an object nor a list of objects")
    for n, obj in enumerate(data, start=1):
        where = f"{path}#{n}"
        try:
            yield _record_from_obj(where, obj)
        except InputError as exc:
            yield Skipped(path=where, reason=str(exc))


def sniff_kind(suffix: str, text: str) -> str:
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in {".md", ".markdown"}:
        return "md"
    if suffix in TEXT_SUFFIXES:
        return "text"
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        return "html"
    if head.startswith(("{", "[")):
        try:
            json.loads(text)
            return "json"
        except RecursionError:
            return "json"  # reported as such by parse_json
        except json.JSONDecodeError:
            return "jsonl" if head.startswith("{") else "text"
    return "text"


def parse_source(path: str, data: bytes, suffix: str) -> Iterator[Article | Skipped]:
    """Everything one input yields. Raises InputError when the whole input is unusable."""
    text = decode(data)
    kind = sniff_kind(suffix, text)
    if kind == "html":
        yield parse_html(path, text)
    elif kind in ("json", "jsonl"):
        yield from parse_json(path, text, lines=kind == "jsonl")
    else:
        yield parse_text(path, text, markdown=kind == "md")


def expand(paths: Iterable[str]) -> Iterator[tuple[str, Path | None]]:
    """(display path, file) pairs; directories are walked recursively in sorted order."""
    for given in paths:
        if given == "-":
            yield given, None
            continue
        p = Path(given)
        if p.is_dir():
            found = False
            for f in sorted(p.rglob("*")):
                hidden = any(part.startswith(".") for part in f.relative_to(p).parts)
                if f.is_file() and not hidden and f.suffix.lower() in SUPPORTED_SUFFIXES:
                    found = True
                    yield str(f), f
            if not found:
                yield given, p  # reported as "no supported files"
        else:
            yield given, p


def read_capped(stream: BinaryIO, limit: int = SETTINGS.limits.max_input_bytes) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"larger than {limit // 1_000_000} MB: not read")
    return data


_KINDS = {stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device",
          stat.S_ISSOCK: "a socket"}


def read_file(file: Path) -> bytes:
    """The bytes of a regular file (after symlinks), never more than SETTINGS.limits.max_input_bytes: a FIFO would
    block for ever and /dev/zero never ends."""
    mode = file.stat().st_mode
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS.items() if test(mode)), "not a regular file")
        raise InputError(f"not a regular file ({kind})")
    with file.open("rb") as f:
        return read_capped(f)


def load_inputs(paths: Iterable[str], stdin: BinaryIO | None = None) -> tuple[list[Article], list[Skipped]]:
    articles: list[Article] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for raw_shown, file in expand(paths):
        shown = display_path(raw_shown)
        try:
            if file is None:
                data = read_capped(stdin or sys.stdin.buffer)
                suffix = ""
            elif file.is_dir():
                raise InputError("directory holds no .txt, .md, .html, .json or .jsonl files")
            else:
                data = read_file(file)
                suffix = file.suffix.lower()
            items = list(parse_source(shown, data, suffix))
        except FileNotFoundError:
            skipped.append(Skipped(path=shown, reason="no such file or directory"))
            continue
        except PermissionError:
            skipped.append(Skipped(path=shown, reason="permission denied"))
            continue
        except IsADirectoryError:
            skipped.append(Skipped(path=shown, reason="is a directory"))
            continue
        except OSError as exc:
            skipped.append(Skipped(path=shown, reason=exc.strerror or str(exc)))
            continue
        except InputError as exc:
            skipped.append(Skipped(path=shown, reason=str(exc)))
            continue
        for item in items:
            if isinstance(item, Skipped):
                skipped.append(item)
                continue
            if item.text in seen:
                skipped.append(Skipped(path=item.path, reason=f"exact duplicate of {seen[item.text]}"))
                continue
            seen[item.text] = item.path
            articles.append(item.model_copy(update={"id": len(articles) + 1, "url": safe_url(item.url)}))
    return articles, skipped
