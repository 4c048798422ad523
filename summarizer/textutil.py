"""Small, pure text measures shared by merging and support checks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set as AbstractSet
from functools import lru_cache

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

# Words that name the same thing for matching purposes (stems after _stem).
SYNONYMS = {
    "nation": "country", "state": "country",
    "pledg": "commit", "pledge": "commit", "contribut": "commit", "contribute": "commit",
    "defence": "defense", "uk": "britain", "british": "britain",
    "talk": "meet", "summit": "meet", "meeting": "meet", "soldier": "troop",
}

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*")  # words in any script (Sébastien), numbers


def _stem(word: str) -> str:
    w = word.lower().replace("’", "'")
    w = w.removesuffix("'s")
    if len(w) > 4 and w.endswith("ies"):
        return SYNONYMS.get(w[:-3] + "y", w[:-3] + "y")
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > 4 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    return SYNONYMS.get(w, w)


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


def numbers_in(text: str) -> set[float]:
    """Numeric values written as digits or common number words ("a dozen" is 12)."""
    values: set[float] = set()
    for t in tokens(text):
        low = t.lower()
        if t[0].isdigit():
            try:
                values.add(float(t.rstrip(".,").replace(",", "")))
            except ValueError:
                continue
        elif low in NUMBER_WORDS:
            values.add(float(NUMBER_WORDS[low]))
    return values


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


# --- what a paraphrase may not do -----------------------------------------------------------

_NEGATION = re.compile(r"\b(?:not|no|never|none|neither|nor|nobody|nothing|without|cannot|n't)\b|n[’']t\b",
                       re.IGNORECASE)
FUTURE = re.compile(r"\b(?:will|shall|are set to|is set to|are due to|is due to|are expected to|is expected to|"
                    r"are scheduled to|is scheduled to|plan to|plans to|going to)\b", re.IGNORECASE)
# Told as done: a passive or perfect ("was held", "have agreed"), or a common past-tense verb. Plain
# English, not the vocabulary of one story; "-ed" alone is not enough ("the United States").
PAST = re.compile(
    r"\b(?:(?:was|were|had|has|have)\s+(?:\w+\s+)?\w+(?:ed|en|ht|wn|lt|ld|ne)\b|"
    # a bare past form, but not a participle after "be" ("should a deal be reached")
    r"(?<!\bbe )(?<!\bbeen )(?<!\bbeing )(?<!\bto )(?:"
    r"met|took place|held|gathered|convened|discussed|agreed|ended|announced|said|signed|approved|rejected|"
    r"launched|voted|decided|killed|arrived|visited|began|went|came|gave|made|took|told|won|lost|left|"
    r"opened|closed|completed|concluded|reached|sent|struck|fell|rose|passed|elected|resigned|attacked))\b",
    re.IGNORECASE)
# Pairs of opposite senses (stems), general English: a text that says one where its support says
# the other has turned the fact around.
_OPPOSITES = [
    ("prais", "criticis"), ("prais", "criticiz"), ("prais", "condemn"), ("rose", "fell"), ("rise", "fall"),
    ("increas", "decreas"), ("increas", "reduc"), ("rais", "cut"), ("gain", "los"), ("won", "lost"), ("win", "lose"),
    ("approv", "reject"), ("accept", "reject"), ("support", "oppos"), ("agre", "disagre"), ("allow", "ban"),
    ("open", "clos"), ("confirm", "deni"), ("confirm", "deny"), ("includ", "exclud"), ("join", "leav"),
    ("expand", "shrink"), ("higher", "lower"), ("more", "fewer"), ("before", "after"), ("victory", "defeat"),
    ("ally", "enemy"), ("start", "end"), ("begin", "end"), ("lift", "impos"), ("acquit", "convict"),
    ("resign", "appoint"), ("hire", "fire"), ("success", "fail"), ("surg", "plung"), ("best", "worst"),
]
_SWAPPABLE_VERB = re.compile(r"\b\w+(?:ed|s)\b|\b(?:beat|hit|met|led|won|lost|struck|sued|fought|joined)\b")


def figures(text: str) -> set[float]:
    """Every number in ``text``, scale words applied: "310 million" is 3.1e8, "a dozen" is 12."""
    toks = tokens(text)
    out: set[float] = set()
    for i, t in enumerate(toks):
        value = _value(t)
        if value is None:
            continue
        nxt = toks[i + 1].lower() if i + 1 < len(toks) else ""
        out.add(value * SCALES[nxt] if nxt in SCALES else value)
    return out


def _undot(text: str) -> str:
    """"U.N." as "UN", "U.S." as "US": abbreviations written with and without dots are one name."""
    return re.sub(r"\b(?:[A-Z]\.){2,}", lambda m: m.group(0).replace(".", ""), text)


def closest_sentence(text: str, support: str) -> str:
    """The sentence of ``support`` that shares most content words with ``text``."""
    sentences = [x for x in re.split(r"(?<=[.!?…”\"])\s+", support) if x.strip()] or [support]
    words = content_words(text)
    return max(sentences, key=lambda x: len(words & content_words(x)))


def _names(text: str) -> set[str]:
    """Capitalised words that are not the first of a sentence: people, places, organisations."""
    out = set()
    for sentence in re.split(r"(?<=[.!?])\s+", _undot(text)):
        toks = tokens(sentence)
        for t in toks[1:]:
            if t[0].isupper() and t.lower() not in STOPWORDS and t.lower() not in MONTHS:
                out.add(_stem(t))
    return out


def _stems(text: str) -> set[str]:
    return {t.lower().replace("’", "'") for t in tokens(text)}


def _has(stems: set[str], prefix: str) -> bool:
    return any(s.startswith(prefix) for s in stems)


def scripts(text: str) -> set[str]:
    """The scripts of ``text``'s letters, by the first word of their Unicode names ("LATIN",
    "CJK", "CYRILLIC", "HIRAGANA", …)."""
    out = set()
    for ch in set(text):
        if ch.isalpha():
            out.add(unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0])
    return out


def says_more(text: str, support: str, *, names: bool = True, negation: bool = True) -> str | None:
    """Why ``text`` says more than (or the opposite of) ``support``, or None when it does not:
    a number or magnitude it lacks, a name it lacks, a negation added or dropped, a sense turned
    around ("praised" for "criticised"), still-to-come told as done or the reverse, or two names
    swapped around a verb, or letters of a script they do not use (the embedded Qwen model lets
    slip a Chinese word into English text: "her group was后来.")."""
    if not scripts(text) <= scripts(support):
        return "letters of a script its sources do not use"
    if not figures(text) <= figures(support) or not numbers_in(text) <= numbers_in(support):
        return "a number its sources do not give"
    # Names are matched in any case: a title in Title Case has no more names than its sentences.
    support_words = {_stem(t).lower() for t in tokens(_undot(support))}
    if names and {n.lower() for n in _names(text)} - support_words:
        return "a name its sources do not give"
    # Negation and tense are judged against the source sentence the text draws on most (another
    # sentence of a two-sentence quote may well say "not" about something else).
    best = closest_sentence(text, support)
    if negation and bool(_NEGATION.search(text)) != bool(_NEGATION.search(best)):
        return "a negation its sources do not have"
    ts, ss = _stems(text), _stems(support)
    for a, b in _OPPOSITES:
        for x, y in ((a, b), (b, a)):
            if _has(ts, x) and not _has(ss, x) and _has(ss, y):
                return "the opposite of what its sources say"
    t_future, t_past = bool(FUTURE.search(text)), bool(PAST.search(text))
    s_future, s_past = bool(FUTURE.search(best)), bool(PAST.search(best))
    if (t_future and not t_past and s_past and not s_future) or (t_past and not t_future and s_future and not s_past):
        return "a different tense (done vs still to come)"
    if _swapped(text, support):
        return "names swapped around what they did"
    return None


def _swapped(text: str, support: str) -> bool:
    """"Ukraine attacked Russia" for "Russia attacked Ukraine": the same verb between the same two
    names, in the other order (a passive "by" aside)."""
    def triples(s: str) -> set[tuple[str, str, str]]:
        toks = tokens(s)
        out = set()
        for i, t in enumerate(toks):
            if not t[0].isupper():
                continue
            for j in range(i + 1, min(i + 4, len(toks))):
                if _SWAPPABLE_VERB.fullmatch(toks[j]) and toks[j][0].islower():
                    for k in range(j + 1, min(j + 4, len(toks))):
                        if toks[k][0].isupper() and toks[k - 1].lower() != "by":
                            out.add((_stem(t), _stem(toks[j]), _stem(toks[k])))
                    break
        return out
    ts = triples(text)
    ss = triples(support)
    return any((c, v, a) in ss and (a, v, c) not in ss for a, v, c in ts if a != c)


# Words between a number and what it counts that say how exact it is ("about a dozen", "at least").
_QUALIFIERS = {"about", "around", "roughly", "some", "over", "nearly", "almost", "only", "just", "more", "than",
               "at", "least", "up", "to", "the", "a", "an", "of", "so", "far", "another", "other", "additional"}
SCALES = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "m": 1e6}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
          "dec"}
_YEAR_BEFORE = {"in", "since", "by", "of", "from", "until", "till", "before", "after", "during", "early", "late",
                "mid", "through", "between", "and", "to", "year", "summer", "winter", "spring", "autumn", "fall"}


def _value(token: str) -> float | None:
    if token[0].isdigit():
        try:
            return float(token.rstrip(".,").replace(",", ""))
        except ValueError:
            return None
    return float(NUMBER_WORDS[token.lower()]) if token.lower() in NUMBER_WORDS else None


def is_date_number(toks: list[str], i: int) -> bool:
    """A day of a month ("March 3", "3 March") or a year ("in 2022", "2022,"), not a count."""
    raw = toks[i]
    t = raw.rstrip(".,")
    prev = toks[i - 1].lower() if i > 0 else ""
    nxt = toks[i + 1].lower() if i + 1 < len(toks) else ""
    if t.isdigit() and (prev in MONTHS or nxt in MONTHS) and int(t) <= 31:
        return True
    if t.isdigit() and len(t) == 4 and 1800 <= int(t) <= 2100:
        # A bare four-digit number is a year unless it plainly counts something that follows it.
        return (prev in _YEAR_BEFORE or prev in MONTHS or raw != t or not nxt or not nxt[0].isalpha()
                or nxt in STOPWORDS)
    return False


def quantities(text: str) -> set[tuple[str, float]]:
    """``quantity_set`` as a set."""
    return set(quantity_set(text))


@lru_cache(maxsize=1 << 16)
def quantity_set(text: str) -> frozenset[tuple[str, float]]:
    """(unit, value) pairs such as ("country", 12.0) for "about a dozen countries" or ("euro", 3.1e8)
    for "310 million euros". The unit is the first plain word after the number (past qualifiers and
    scale words; "six Western nations" skips the capitalised modifier, "200 military planners" an
    adjective before a plural); dates ("March 3", "in 2022") and numbers followed by a stopword or a
    name ("3 in Paris") count nothing."""
    toks = tokens(text)
    found: set[tuple[str, float]] = set()
    for i, t in enumerate(toks):
        value = _value(t)
        if value is None or is_date_number(toks, i):
            continue
        window = toks[i + 1 : i + 5]
        unit = ""
        for j, nxt in enumerate(window):
            low = nxt.lower()
            if low in SCALES:
                value *= SCALES[low]
                continue
            if low in _QUALIFIERS or low in NUMBER_WORDS or nxt[0].isdigit():
                continue
            if low in STOPWORDS:
                break
            if nxt[0].isupper():
                # A capitalised modifier ("Western", "NATO") before a plain word; else a name.
                if any(w[0].islower() and w.lower() not in STOPWORDS for w in window[j + 1 : j + 2]):
                    continue
                break
            unit = low
            after = window[j + 1] if j + 1 < len(window) else ""
            if not low.endswith("s") and after[:1].islower() and after.lower().endswith("s") \
                    and after.lower() not in STOPWORDS:
                unit = after.lower()  # "200 military planners": the plural noun, not its adjective
            break
        if unit:
            found.add((_stem(unit), value))
    return frozenset(found)


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


def is_furniture(sentence: str) -> bool:
    """Whether ``sentence`` is page furniture: a call to subscribe, click, follow or share, or a
    copyright line. (Measured on the 1,743 sentences of the dev clusters: see tests.)"""
    return bool(_FURNITURE.search(" ".join(sentence.split())))
