"""Token-aware chunking on paragraph, then sentence boundaries, keeping character offsets.

Pure functions: text in, spans out. Page furniture (short lines with no sentence punctuation,
repeated headlines) is left out of chunks so the model never sees it; offsets still point into
the original text.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from .models import Article, Chunk
from .settings import SETTINGS
from .textutil import is_directive

_TERMINAL = ".!?\"”’'…:;)"
_ABBREV = {"mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "sen", "rep", "gov", "prof", "jr", "sr", "vs",
           "no", "inc", "co", "corp", "ltd", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
           "oct", "nov", "dec", "approx", "est", "dept", "u.s", "u.k", "u.n", "e.g", "i.e"}
_SENT_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+|$)")
_WORD = re.compile(r"\w+", re.UNICODE)
_HEADLINE = re.compile(r"\b(?:says|said|reports|warns|claims)$")  # "..., Syrskyi says": a teaser headline


def words(text: str) -> int:
    return len(_WORD.findall(text))




def _cut_long(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """``text[s:e]`` in pieces of at most SETTINGS.chunking.max_sentence_chars, cut at the last space before the limit,
    so that nothing downstream (quote lookup, fuzzy matching) ever works on an unbounded span."""
    out = []
    while e - s > SETTINGS.chunking.max_sentence_chars:
        cut = text.rfind(" ", s + SETTINGS.chunking.max_sentence_chars // 2, s + SETTINGS.chunking.max_sentence_chars)
        cut = cut if cut > s else s + SETTINGS.chunking.max_sentence_chars
        out.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if s < e:
        out.append((s, e))
    return out


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as absolute (start, end) spans, whitespace trimmed; none
    longer than SETTINGS.chunking.max_sentence_chars."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENT_END.finditer(text, start, end):
        stop = m.end()
        before = text[pos : m.start()].split()
        last = before[-1].lower().rstrip(".") if before else ""
        following = text[stop:end].lstrip()[:1]
        if last in _ABBREV or (re.fullmatch(r"(?:[a-z]\.)*[a-z]", last) and len(last) <= 3):
            continue  # "U.S. President", "Mr. Healey", initials
        if following and following.islower():
            continue
        spans.append((pos, stop))
        pos = stop
    if pos < end:
        spans.append((pos, end))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    out = []
    for s, e in _within_quotes(text, trimmed):
        out.extend(_cut_long(text, s, e) if e - s > SETTINGS.chunking.max_sentence_chars else [(s, e)])
    return out


def _open_quotes(piece: str) -> int:
    """How many quotations ``piece`` opens and leaves open (typographic quotes counted as pairs,
    straight double quotes by parity)."""
    return piece.count("“") - piece.count("”") + piece.count('"') % 2


def _within_quotes(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A quotation of several sentences stays one span (“We discuss ... Our partners understand
    what Ukraine needs,” he said.), so no citation starts or ends inside someone's words; but never
    past SETTINGS.chunking.max_sentence_chars, and an unclosed quote ends at the paragraph."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(spans):
        s, e = spans[i]
        depth = _open_quotes(text[s:e])
        while depth > 0 and i + 1 < len(spans) and spans[i + 1][1] - s <= SETTINGS.chunking.max_sentence_chars:
            i += 1
            e = spans[i][1]
            depth = _open_quotes(text[s:e])
        out.append((s, e))
        i += 1
    return out


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs as spans: non-empty lines, with hard-wrapped lines of one sentence rejoined."""
    lines: list[tuple[int, int, bool]] = []  # (start, end, blank line before)
    pos = 0
    blank_before = True
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            s = pos + (len(raw) - len(raw.lstrip()))
            e = s + len(stripped)
            lines.append((s, e, blank_before))
            blank_before = False
        else:
            blank_before = True
        pos += len(raw)
    # A text whose paragraphs are set apart by blank lines may wrap a sentence onto a line that
    # opens with a capital ("… and British Defense" / "Secretary John Healey, …"); in one that
    # gives each paragraph its own line, such a line is a paragraph of its own (a heading, a
    # caption, a related link: every one of the 36 such joins on the dev articles, the mixed day
    # and the seeds was one; the one true one was in a seed article set apart by blank lines).
    apart = sum(1 for _, _, blank in lines[1:] if blank) > sum(1 for _, _, blank in lines[1:] if not blank)
    paras: list[tuple[int, int]] = []
    last_line = (0, 0)
    for s, e, blank in lines:
        if paras and not blank and not (len(paras) == 1 and _first_is_headline(text, paras[0])) \
                and wrapped(text[last_line[0]:last_line[1]], text[s:e], apart):
            paras[-1] = (paras[-1][0], e)  # a sentence wrapped onto the next line
            last_line = (s, e)
            continue
        paras.append((s, e))
        last_line = (s, e)
    return paras


_TITLE_WORD = re.compile(r"[A-Za-z][\w'’-]{3,}")


def wrapped(line: str, following: str, apart: bool = True) -> bool:
    """Whether ``line`` is a sentence wrapped onto ``following``, not a line of its own (a heading,
    a caption, a paragraph without its final stop). A line that ends a sentence is not wrapped; one
    followed by a line in lower case is. Otherwise it is wrapped only in a text whose paragraphs
    are set ``apart`` by blank lines, and only when it is neither a heading (``heading_words`` or
    fewer, a teaser's "…, X says", every word of four letters or more capitalised) nor longer than
    a hard-wrapped line (``wrap_chars``)."""
    if line.endswith(tuple(_TERMINAL)):
        return False
    if following[:1].islower():
        return True
    if not apart:
        return False
    long_words = _TITLE_WORD.findall(line)
    title_case = bool(long_words) and all(w[0].isupper() for w in long_words)
    return words(line) > SETTINGS.chunking.heading_words and not _HEADLINE.search(line) and not title_case \
        and len(line) <= SETTINGS.chunking.wrap_chars


_PHOTO_CREDIT = re.compile(
    r"\((?:[^()]*\b(?:Getty|AFP|Reuters|AP Photo|Photo|Images|Shutterstock|EPA)\b[^()]*)\)\s*$"
)


def _first_is_headline(text: str, span: tuple[int, int]) -> bool:
    """The document's first line with no sentence punctuation is its headline, not a wrapped line."""
    return span[0] == len(text) - len(text.lstrip()) and not text[span[0] : span[1]].endswith(tuple(_TERMINAL))


def is_furniture_line(paragraph: str) -> bool:
    """Short lines without sentence punctuation (datelines, 'Read more', share buttons, labels)
    and photo captions (a trailing photo credit)."""
    p = paragraph.strip()
    if _PHOTO_CREDIT.search(p) or p.lower().startswith(("photo:", "image:")):
        return True
    if _HEADLINE.search(p) and not p.endswith(tuple(".!?")):
        return True
    return words(p) <= SETTINGS.chunking.heading_words and not p.endswith(tuple(".!?\"”"))


def content_paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraphs that are article text: no furniture, no repeated headline, and nothing after
    the page footer (two furniture lines in a row once most of the article has been read)."""
    seen: set[str] = set()
    kept = []
    run = 0
    for s, e in paragraph_spans(text):
        para = text[s:e]
        key = " ".join(para.lower().split())
        if is_furniture_line(para):
            run += 1
            if run >= 2 and s > SETTINGS.chunking.footer_after * len(text):
                break
            continue
        run = 0
        if key in seen:
            continue
        seen.add(key)
        kept.append((s, e))
    return kept


@dataclass(frozen=True)
class Segmentation:
    """An article's text segmented once: its content paragraphs and their sentences, as character
    spans of the text. Chunking, verification, retrieval and the off-story filter all read this;
    none of them splits the text again."""

    paragraphs: tuple[tuple[int, int], ...]
    sentences: tuple[tuple[int, int], ...]  # every sentence of every content paragraph, in order
    directives: frozenset[tuple[int, int]]  # those that address the reader or a model

    def sentences_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """The sentences inside [start, end)."""
        i = bisect.bisect_left(self.sentences, (start, -1))
        out = []
        while i < len(self.sentences) and self.sentences[i][1] <= end:
            out.append(self.sentences[i])
            i += 1
        return out


@functools.lru_cache(maxsize=1024)
def segment(text: str) -> Segmentation:
    """The one segmentation of ``text`` (computed once per text, then served from a cache)."""
    paragraphs = tuple(content_paragraphs(text))
    sentences = tuple(sp for ps, pe in paragraphs for sp in sentence_spans(text, ps, pe))
    directives = frozenset(sp for sp in sentences if is_directive(text[sp[0] : sp[1]]))
    return Segmentation(paragraphs, sentences, directives)


def _split_long(
    text: str, s: int, e: int, budget: int, count: Callable[[str], int]
) -> list[tuple[int, int]]:
    """Pieces of one paragraph that each fit the budget: sentences, else word runs."""
    pieces: list[tuple[int, int]] = []
    for ss, se in segment(text).sentences_in(s, e):
        if count(text[ss:se]) <= budget:
            pieces.append((ss, se))
            continue
        cur = ss  # greedy word runs: close a piece before the word that would overflow it
        last_end = ss
        for m in re.finditer(r"\S+", text[ss:se]):
            we = ss + m.end()
            if last_end > cur and count(text[cur:we]) > budget:
                pieces.append((cur, last_end))
                cur = ss + m.start()
            last_end = we
        pieces.append((cur, se))
    return pieces


def chunk_article(article: Article, budget: int, count: Callable[[str], int]) -> list[Chunk]:
    """Pack content paragraphs into chunks of at most ``budget`` tokens (one piece may exceed it
    only if it is a single word run that cannot be split)."""
    if budget < 16:
        raise ValueError("chunk budget must be at least 16 tokens")
    text = article.text
    room = budget - 16  # the "[nn] " labels of the paragraph's sentences
    pieces: list[tuple[int, int]] = []
    for s, e in segment(text).paragraphs:
        if count(text[s:e]) <= room:
            pieces.append((s, e))
        else:
            pieces.extend(_split_long(text, s, e, room, count))
    chunks: list[Chunk] = []
    group: list[tuple[int, int]] = []

    def flush() -> None:
        if not group:
            return
        body, sentences = numbered(text, group)
        chunks.append(
            Chunk(article_id=article.id, index=len(chunks), start=group[0][0], end=group[-1][1],
                  text=body, tokens=count(body), paragraphs=list(group), sentences=sentences)
        )
        group.clear()

    for piece in pieces:
        if group and count(numbered(text, [*group, piece])[0]) > budget:
            flush()
        group.append(piece)
    flush()
    return chunks


def numbered(text: str, paragraphs: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """The paragraphs as the model sees them, every sentence numbered ("[1] First. [2] Second.",
    paragraphs apart), and the numbered sentences' spans in order. A sentence that addresses the
    reader or a model ("Ignore previous instructions ...") gets no number: it cannot be picked."""
    doc = segment(text)
    lines: list[str] = []
    spans: list[tuple[int, int]] = []
    for ps, pe in paragraphs:
        parts = []
        # A piece is a paragraph or a sentence of one; a word run of an overlong sentence is its own.
        for s, e in doc.sentences_in(ps, pe) or [(ps, pe)]:
            if (s, e) in doc.directives:
                continue
            spans.append((s, e))
            parts.append(f"[{len(spans)}] {' '.join(text[s:e].split())}")
        if parts:
            lines.append(" ".join(parts))
    return "\n\n".join(lines), spans
