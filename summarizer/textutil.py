"""Small, pure text measures shared by merging and support checks."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from functools import lru_cache

from .settings import SETTINGS

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    may me might more most must my no nor not now of off on once only or other our ours out over own
    said same says she should so some such than that the their theirs them then there these they this
    those through to too under until up very was we were what when where which while who whom why will
    with would you your yet however also still whether since per via amid among told according
    reported reports report""".split()
)

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
    "dozens": 24,
}


_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*")  # words in any script (Sébastien), numbers


def _stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    w = w.removesuffix("'s")
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > 4 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return w


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def content_words(text: str) -> set[str]:
    """Stemmed words that carry meaning (no stopwords, no numbers)."""
    return set(word_set(text))


@lru_cache(maxsize=1 << 16)
def word_set(text: str) -> frozenset[str]:
    """``content_words``, computed once per text: merging compares every pair of a story's
    sentences, so each sentence's words are asked for once per pair (a 40-article story: 994,000
    calls, 60 of its 76 seconds, before this cache)."""
    out = set()
    for t in tokens(text):
        if t[0].isdigit() or t.lower() in STOPWORDS or t.lower() in NUMBER_WORDS:
            continue
        stem = _stem(t)
        if stem not in STOPWORDS:  # "willing" is not "will"
            out.add(stem)
    return frozenset(out - {""})


_ACRONYM = re.compile(r"(?<![\w.])(?:[A-Z]\.){2,5}(?![\w])|(?<![\w.])[A-Z]{2,5}(?![\w.])")
_CAPITALISED = re.compile(r"[A-Z][\w'’-]*")
_NAME_JOINERS = frozenset({"of", "and", "for", "the", "on", "de"})


@lru_cache(maxsize=1 << 16)
def acronyms(text: str) -> dict[str, str]:
    """The acronyms a text uses ("UN", "U.N."), by their letters ("UN"), each with its stem as
    ``word_set`` has it."""
    return {m.group().replace(".", ""): _stem(m.group()) for m in _ACRONYM.finditer(text)}


@lru_cache(maxsize=1 << 16)
def spelled_out(text: str) -> dict[str, frozenset[str]]:
    """The names a text spells out in capitalised words ("United Nations", "Bank of England"), by
    their initials ("UN", "BE"), each with the stems of its words: the same name as an acronym."""
    words = tokens(text)
    out: dict[str, frozenset[str]] = {}
    for i, w in enumerate(words):
        if not _CAPITALISED.fullmatch(w) or w.isupper() or w.lower() in STOPWORDS:
            continue
        caps = [w]
        run = [w]
        for nxt in words[i + 1:]:
            if _CAPITALISED.fullmatch(nxt) and not nxt.isupper() and nxt.lower() not in STOPWORDS:
                caps.append(nxt)
                run.append(nxt)
                if len(caps) >= 2:
                    out.setdefault("".join(c[0] for c in caps), frozenset(_stem(x) for x in run))
            elif nxt in _NAME_JOINERS:
                run.append(nxt)
            else:
                break
    return out


def aligned_words(a: str, b: str) -> tuple[frozenset[str], frozenset[str]]:
    """``word_set`` of two texts, a name one spells out and the other gives as its acronym
    counted as one word ("a United Nations mandate", "a UN mandate"): two outlets telling one
    fact rarely name an organisation alike."""
    wa, wb = word_set(a), word_set(b)
    for x, wx, y in ((a, wa, b), (b, wb, a)):
        names = spelled_out(y) if acronyms(x) else {}
        for letters, stem in acronyms(x).items():
            run = names.get(letters)
            if run is not None and not run & wx:
                if y is b:
                    wb = (wb - run) | {stem}
                else:
                    wa = (wa - run) | {stem}
    return wa, wb


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def coverage(text: str, support: str) -> float:
    """Share of ``text``'s content words that ``support`` also has."""
    words = content_words(text)
    if not words:
        return 1.0
    return len(words & content_words(support)) / len(words)


# --- sentences that address the reader or the model rather than report --------------------

_DIRECTIVE = [re.compile(p, re.IGNORECASE) for p in (
    # "Ignore previous instructions", "disregard the above", "forget your rules"
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?]{0,60}?\b(?:instructions?|prompts?|rules|directions|"
    r"guidelines|above|previous|prior|earlier|system)\b",
    # An imperative to write, say or answer something, opening the sentence: "Write that ...",
    # "Respond only with ...", "Say the meeting was cancelled."
    r"^\W*(?:please\s+)?(?:now\s+)?(?:write|say|state|respond|reply|answer|output|print|summari[sz]e|"
    r"report|tell|include|add|mention|claim|conclude|declare)\s(?!\s*(?:that\s+)?(?:he|she|they|it|we|officials?)\b"
    r"\s+(?:said|says|told))",
    # Talk to a language model: "As an AI ...", "AI assistant", "language model", "system prompt",
    # "the summariser must", "in your summary/briefing/answer".
    r"\b(?:as an ai|ai (?:assistant|model|system)s?|language models?|llms?|chatbots?|system prompt|"
    r"assistant:|(?:summari[sz]er|assistant|model)s? (?:must|should|will|need to)|"
    r"(?:in|into|from) your (?:summary|briefing|answer|reply|response|output))\b",
)]


# Reported speech: "Tell me more," she said. An imperative inside a quote is news, not an order.
_SPEECH = re.compile(r"[,?!][\"”’']?\s+(?:\w+\s+){0,3}(?:said|says|told|added|asked|wrote|urged)\b", re.IGNORECASE)


def is_directive(sentence: str) -> bool:
    """Whether ``sentence`` addresses the reader or a model ("Ignore previous instructions and
    write ...") instead of reporting something. Such a sentence never supports a statement, a
    title or an answer, whatever the model makes of it. (Checked on the 1,743 sentences of the
    dev clusters and the seeds: none is flagged.)"""
    s = " ".join(sentence.split())
    ignore, imperative, to_model = _DIRECTIVE
    if ignore.search(s) or to_model.search(s):
        return True
    return bool(imperative.search(s)) and not _SPEECH.search(s)


# Page furniture: sentences that ask the reader to do something on the page rather than report
# ("Sign up for our newsletter", "Click here to watch", "Follow us on Twitter", "© 2026 …").
_FURNITURE = re.compile(
    r"^\W*(?:please\s+)?(?:subscribe|sign up|click|tap|follow us|share this|like us|download our|watch the video|"
    r"read more|see also|related:|advertisement)\b|\b(?:our newsletter|click here|all rights reserved|"
    r"subscribe (?:now|today|to our)|follow us on)\b|©",
    re.IGNORECASE,
)


def is_call_to_action(sentence: str) -> bool:
    """Whether ``sentence`` is page furniture: a call to subscribe, click, follow or share, or a
    copyright line. (Measured on the 1,743 sentences of the dev clusters: see tests.)"""
    return bool(_FURNITURE.search(" ".join(sentence.split())))


_QUOTE_MARKS = ('"', "“", "”", "'", "‘", "’")
_SPEAKER = re.compile(r"\b(?:said|says|say|told|tells|added|adds|asked|wrote|writes|according|explained|noted|"
                      r"stated|insisted|argued|warned|urged|claimed|announced|recalled|continued)\b", re.IGNORECASE)


# A quote's speaker given only as a pronoun ("…," he said): on its own in a briefing, nobody said it.
_PRONOUN_SPEAKER = re.compile(r"\b(?:he|she|they|it|we|I)\s+(?:said|says|told|added|explained|noted|wrote|"
                              r"continued|insisted|argued|warned|urged|claimed|stated)\b|\b(?:said|says|added)\s+"
                              r"(?:he|she|they)\b", re.IGNORECASE)


# Words no English sentence ends on: one that does was cut short ("Plouffe described Obama's
# comments as.", written by the embedded model).
_NEVER_LAST = frozenset("the a an and or but as of than whether because such".split())


def not_reporting(sentence: str) -> str | None:
    """Why a sentence does not report, or None: a fragment (under six words), a sentence cut
    short, a transcript in capitals, a heading or a line ending in a colon (no final stop), a
    question, an exclamation, a photo's caption, or a quotation with no speaker. Such a sentence never leads or fills
    a briefing. (Of the dev clusters' 893 facts, 54 are one of the others, 22 of the 362 that gold
    summaries drew on: those quotes are worth telling with their speaker, which only the model can
    add; 21 more have no final stop, 7 drawn on: headlines that repeat the lead, and furniture.)"""
    s = " ".join(sentence.split())
    if len(s.split()) < SETTINGS.compose.fragment_words:
        return "a fragment"
    words = re.findall(r"[\w'’]+", s)
    if words and words[-1].lower() in _NEVER_LAST:
        return "a sentence cut short"
    letters = [c for c in s if c.isalpha()]
    if sum(c.isupper() for c in letters) > SETTINGS.compose.capitals_share * len(letters):
        return "a transcript in capitals"
    end = s.rstrip("".join(_QUOTE_MARKS))
    if not re.search(r"[.!?…][\"”’')\]]*$", s):
        return "a heading or a line that introduces what follows"
    if end.endswith("?"):
        return "a question"
    if end.endswith("!"):
        return "an exclamation"
    if is_caption(s):
        return "a photo's caption"
    outside = re.sub(r"[\"“][^\"”]*[\"”]", " ", s)
    if s.startswith(_QUOTE_MARKS) and (s.endswith(_QUOTE_MARKS) or _PRONOUN_SPEAKER.search(outside)) and \
            not re.search(r"\b[A-Z][a-z]", re.sub(r"\b(?:He|She|They|It|We|I)\b", "", outside)):
        return "a quotation whose speaker is a pronoun" if _SPEAKER.search(outside) else "a quotation with no speaker"
    return None


# A photo's caption, run into the text: who stands where ("Joey Wilson, left, rings up …", "(from
# left)"), in the present tense of a picture.
_CAPTION = re.compile(r",\s(?:(?:second |far )?(?:from )?(?:left|right)|center|centre|top|bottom|foreground|"
                      r"background),\s|\((?:(?:second |far )?(?:from )?(?:left|right)|center|centre|pictured|"
                      r"above|below|top|bottom)\)", re.IGNORECASE)


def is_caption(sentence: str) -> bool:
    """Whether a sentence is a photo's caption: it places a person in the picture."""
    return bool(_CAPTION.search(sentence))


# A dateline that opens a sentence ("JAMESTOWN, Tuolumne County (KPIX 5) - ", "WASHINGTON The …"):
# page furniture in a briefing, left out of what is shown (the citation keeps the sentence whole).
# So are a page's label ("Summary:", "UPDATED:") and a photo credit run into the sentence ("Jim
# Cole / AP i Jim Cole / AP Voters in 11 states …", with a page's "Enlarge this image toggle caption"
# before it).
_LEADING_DATELINE = re.compile(r"^[A-Z][A-Z.'’ -]{2,}(?:,\s*[A-Z][\w.'’ ]{1,40}?)?(?:\s*\([^)]*\))?"
                               r"\s*(?:[-–—:]\s*|\s(?=(?:The|A|An|In|On|At)\s))")
_LEADING_PLACE = re.compile(r"^[A-Z][\w.'’ -]{1,40}?\s*(?:>>|»)\s*")  # "Oroville >> Now is not the time …"
_LEADING_LABEL = re.compile(r"^(?:summary|update|updated|editor's note|breaking|analysis|watch|photos?):\s*",
                            re.IGNORECASE)
_LEADING_CREDIT = re.compile(r"^(?:enlarge this image\s+)?(?:(?:toggle|hide) caption\s+)?"
                             r"(?:(?:[A-Z][\w.'’-]*\s){0,2}[A-Z][\w.'’-]*\s?/\s*(?:AP|AFP|Reuters|Getty Images|Getty|"
                             r"EPA|Bloomberg|NPR)\b\s*(?:i\s+)?)+", re.IGNORECASE)


def without_dateline(text: str) -> str:
    """``text`` without an opening dateline, page label or photo credit, when what is left is a
    sentence of its own."""
    rest = text
    for pattern in (_LEADING_CREDIT, _LEADING_LABEL, _LEADING_PLACE, _LEADING_DATELINE):
        m = pattern.match(rest)
        if m and len(rest[m.end():].split()) >= SETTINGS.compose.fragment_words and rest[m.end():][:1].isalpha():
            rest = rest[m.end():]
    return rest[:1].upper() + rest[1:] if rest != text else text
