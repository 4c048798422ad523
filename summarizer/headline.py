"""Headlines: whether an article's title line is a headline, one made from a story's statements
by leaving words out, and one asked of the model alone when neither will do. Every headline the
model writes passes ``support.title_supported`` against the sentences it draws on."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

import openai
from pydantic import BaseModel, ConfigDict, Field

from .client import CONFIGURATION_ERRORS, CallFailed, ModelClient
from .models import Article, Fact, Point, SourceRef, Story
from .prompts import Prompt
from .settings import SETTINGS
from .support import supported, title_grounds, title_supported
from .textutil import STOPWORDS, is_directive, not_reporting, without_dateline


class Headline(BaseModel):
    """A headline alone: asked for when the composed one fails the check and no article of the
    story has one, and for a one-article item whose article has none."""

    model_config = ConfigDict(extra="ignore")
    title: str = Field(json_schema_extra={"maxLength": SETTINGS.compose.title_chars})


# A dateline ("WASHINGTON (CNN) -", "BALTIMORE (AP) -", "HUNTINGTON BEACH -", "WASHINGTON The …") or
# page text ("UPDATE:", "Summary:", "Page 1 of 1") opens a body's first line, never a headline.
_DATELINE = re.compile(r"^[A-Z][A-Z.'’ ,-]{2,}(?:\s*\([^)]*\))?\s*(?:[-–—:]|\s(?=(?:The|A|An|In|On|At)\s))")
_NOT_A_HEADLINE = re.compile(r"^(?:update|updated|summary|page \d|hello|hide |show |read more|\W)|"
                             r"^\d+ (?:years?|months?|weeks?|days?|hours?|minutes?) ago\b", re.IGNORECASE)
# A breadcrumb ("University of Chicago / Facebook"), or a wire credit before a dash ("(KPIX 5) -",
# "JAMESTOWN, Tuolumne County (AP) -").
_PAGE_TEXT = re.compile(r"\s[/|>]\s|^[A-Z]{3,}[A-Z ]*,\s|\([A-Z][\w .]*\)\s*[-–—]")
HEADLINE_WORDS = SETTINGS.compose.headline_words


def reads_like_headline(line: str, most: int = HEADLINE_WORDS[1]) -> bool:
    """Whether an article's title line is a headline, not the first line of its body (articles
    without a headline get their first sentence as a title, cut with "…"); ``most``: the most
    words it may have."""
    line = " ".join(line.split())
    words = len(line.split())
    if not HEADLINE_WORDS[0] <= words <= most or line.endswith(("…", "...", ".", ",", ";")):
        return False
    if line.split()[-1].lower() in STOPWORDS:  # "Plouffe described Obama's comments as": cut short
        return False
    if re.search(r"https?:|www\.|\(|\)", line):
        return False  # a link or an aside in brackets: body text
    if re.search(r"\s['‘\"“]$", line) or line.count('"') % 2 or line.count("“") != line.count("”"):
        return False  # "… Joint Company Won't Take '": a quotation cut off
    if is_directive(line) or re.match(r"let(?:'s|’s| us)\s", line, re.IGNORECASE):
        return False  # "Let's start with the crossbow": a body's first line addresses the reader
    return not (_DATELINE.match(line) or _NOT_A_HEADLINE.match(line) or _PAGE_TEXT.search(line))


# What a headline leaves out of a lead sentence: an aside between commas that opens with an
# article or "as well as" ("David Plouffe, a White House senior adviser, declined"), and the day.
_ASIDE = re.compile(r"(?<=[A-Z][a-z])(\w*),\s+(?:a|an|the)\s[^,]{3,60},")
_DAY = re.compile(r"\s+(?:on\s+|last\s+|this\s+|next\s+)?"
                  r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")
# Where a lead sentence's main clause may end: before a clause or a phrase that adds to it; a comma
# before "and" only when a new subject and its verb follow ("…, and Brown even joined").
_CLAUSE_END = re.compile(r",\sand\s(?=[A-Z][a-z]+\s(?:\w+\s)?(?:is|are|was|were|has|have|had|will|\w+ed)\b)|"
                         r",\s(?!and\b|or\b|but\b|yet\b|[a-z]+-[a-z]+\s)|"
                         r",\s(?:or|and)\s(?=(?:about|roughly|nearly|almost|around|some)\s)|"
                         r"\s[-–—]\s|\s(?:as part of|in an effort|because|after|before|while|who|which|when|where|"
                         r"amid|despite|following|according to)\s")
# Who reported it, before what was reported ("The U.S. Census Bureau reported that 16 million
# children …"): a headline may state what the sentence reports.
_ATTRIBUTION = re.compile(r"^(?:[A-Z][\w.'’&-]*\s){1,6}(?:said|says|reported|reports|announced|announces|"
                          r"confirmed|confirms|found|finds|revealed|reveals)\s(?:on\s)?(?:that\s)?")


# What a headline may also leave out of a main clause still too long, each a whole phrase (never a
# word from inside one): the time ("tonight", "in the past two years"), an adverb that only
# qualifies ("also", "twice"), a place that modifies its subject ("A student from New York"), a
# prepositional phrase that ends the clause ("slammed the school's conduct in a new lawsuit"), an
# aside ("Hollywooders, as well as several luminaries, are"), a relative clause between the subject
# and its verb ("A Texas tourist who collected 40 conchs from Key West, Florida, is"), and the
# opening article.
_TIME = re.compile(r"\s(?:today|tonight|yesterday|this (?:week|month|year)|last (?:week|month|year|night)|"
                   r"in recent (?:days|weeks|months)|in the (?:past|last) (?:\w+ )?(?:days?|weeks?|months?|years?))"
                   r"(?=[\s,]|$)", re.IGNORECASE)
_ADVERB = re.compile(r"\s(?:also|currently|now|twice|recently|reportedly)(?=\s)")
_PLACE = re.compile(r"\s(?:from|in)\s(?:[A-Z][\w.'’-]*\s?){1,4}(?=\s[a-z])")
_PREP = r"in|at|from|for|during|over|with|by|into|on|across|inside|near|under|after|to"
_TRAILING_PP = re.compile(rf"\s(?:{_PREP})\s(?:(?!(?:{_PREP})\s)[^\s,;:]+\s?){{1,7}}$")
# ... but a point keeps a closing "to …" (as often what the sentence is for, "the push to get people
# to vote early", as where it happens) and a phrase with "and" or "or" in it (what happened may go
# on in it: "luring the victim into some woods and repeatedly stabbing her").
_TRAILING_PP_POINT = re.compile(rf"\s(?:{_PREP.replace('|to', '')})\s(?:(?!(?:{_PREP}|and|or)\s)[^\s,;:]+\s?){{1,7}}$")
_AS_WELL_AS = re.compile(r",\s(?:as well as|along with|together with)\s[^.;:]{3,80}?,(?=\s(?:are|is|was|were|has|have|"
                         r"had|will|would)\s)")
_RELATIVE = re.compile(r"\s(?:who|which)\s[^;:]{3,120}?,(?=\s(?:is|are|was|were|has|have|had|will|would|can|could)\s)")
_OPENING_ARTICLE = re.compile(r"^(?:A|An|The)\s(?=[A-Za-z0-9])")
# an aside between a pair of dashes ("The band -- made up of frontman Adam Levine with … -- is")
_DASH_ASIDE = re.compile(r"\s(?:--|–|—)\s[^–—]{3,160}?\s(?:--|–|—)(?=\s)")
_LEAVE_OUT = (_TIME, _ADVERB, _PLACE, _AS_WELL_AS, _RELATIVE, _DASH_ASIDE, _OPENING_ARTICLE)
# Words a clause never ends on once a phrase is left out: a verb waiting for its object ("what
# led"), a preposition, an auxiliary.
_DANGLING = re.compile(r"(?:\b\w+(?:ed|ing)|\b(?:led|put|set|made|got|took|gave|said|told|is|are|was|were|be|been))$")


def compressions(clause: str, headline: bool = True) -> list[str]:
    """``clause`` with phrases a headline can do without left out (``_TIME``, ``_ADVERB``,
    ``_PLACE``, ``_AS_WELL_AS``, ``_RELATIVE``, trailing prepositional phrases, the opening article),
    one, two or more at a time: every distinct result, fewest words left out first. Never a word
    added, never a word cut from inside a phrase. For a point (``headline`` False) the opening
    article and a closing "to …" stay."""
    leave_out = _LEAVE_OUT if headline else tuple(rx for rx in _LEAVE_OUT if rx is not _OPENING_ARTICLE)
    trailing = _TRAILING_PP if headline else _TRAILING_PP_POINT
    seen = {clause}
    frontier = [clause]
    while frontier and len(seen) < SETTINGS.compose.headline_compressions:
        nxt = []
        for c in frontier:
            cuts = [m.span() for rx in leave_out for m in rx.finditer(c)]
            m = trailing.search(c)
            if m and not _DANGLING.search(c[: m.start()]):
                cuts.append(m.span())
            for a, b in cuts:
                shorter = " ".join((c[:a] + (" " if a and c[a] == "," else "") + c[b:]).split()).strip(" ,")
                shorter = shorter[:1].upper() + shorter[1:]
                if shorter and shorter not in seen and len(shorter.split()) >= HEADLINE_WORDS[0]:
                    seen.add(shorter)
                    nxt.append(shorter)
        frontier = nxt
    seen.discard(clause)
    # the longest first; of two as long, the one without the opening article (it says least)
    return sorted(seen, key=lambda c: (-len(c.split()), bool(_OPENING_ARTICLE.match(c))))


def headline_from(statement: str, most: int = HEADLINE_WORDS[1]) -> str | None:
    """A headline made from a story's top statement by leaving words out, never adding any: the
    dateline, the aside and the day dropped, then the sentence whole if it is short enough, else
    its main clause (cut where a clause that adds to it begins), else either with phrases a
    headline can do without left out (``compressions``). None when nothing reads like a headline
    or the result fails the support check against the statement (a dropped "not" would).
    ``most``: the most words it may have."""
    s = " ".join(statement.split()).rstrip(".")
    s = _DAY.sub("", _ASIDE.sub(r"\1", without_dateline(s)))
    clauses: list[str] = []
    m = _ATTRIBUTION.match(s)
    reported = s[m.end():] if m else ""
    if not re.match(r"[A-Z0-9]|(?:the|a|an)\s", reported):  # "said that number is up": "that" was no conjunction
        reported = ""
    for v in (s, reported[:1].upper() + reported[1:]) if reported else (s,):
        clauses += [v] + [v[: c.start()] for c in reversed(list(_CLAUSE_END.finditer(v)))
                          if HEADLINE_WORDS[0] + 3 <= len(v[: c.start()].split())
                          and not re.search(r"[a-z]-[a-z]+$", v[: c.start()])]  # "last-minute, big-dollar"
    candidates = [c for c in clauses if len(c.split()) <= most]
    candidates += [short for c in clauses for short in compressions(c.rstrip(" ,;:")) if len(short.split()) <= most]
    for c in candidates:
        c = c.rstrip(" ,;:")
        if _OPENS_CLAUSE.match(c) or not _FINITE.search(c) or not reads_like_headline(c, most):
            continue  # "For members of the deaf community": what leads up to the main clause
        if title_supported(c, [statement]):
            return c
    return None


# A cut that opens with a preposition, a subordinator, a conjunction or a pronoun is the lead-in or
# a continuation, not a main clause that stands alone; one with a relative clause or a comma is
# usually a subject cut before its verb ("A Texas tourist who collected 40 queen conchs", "The
# student, named as John Doe in the lawsuit"); one with no finite verb (an auxiliary, "said", or a
# past tense) is a noun phrase. Measured on the first two reporting sentences of the 28 dev
# clusters' articles (134): 13 headlines made, each reads as one. With phrases left out
# (``compressions``), on the first three reporting sentences of the 92 dev and mixed-day articles
# without a headline of their own: 40 made where 25 were, each read and reading as one.
_OPENS_CLAUSE = re.compile(r"(?:(?:shortly|soon|just|long|right|only|even)\s+)?"
                           r"(?:for|in|with|after|before|while|when|as|although|though|despite|amid|following|if|"
                           r"since|because|during|under|over|by|from|on|at|to|he|she|it|they|we|i|you|let's|"
                           r"this|that|these|those|but|and|or|so|yet|there|here)\b|.*\s(?:who|which|that)\s|"
                           r'.*(?<!\d),(?!\d)(?!\s[a-z]+-[a-z]+\s)(?![\'"”])',
                           re.IGNORECASE)
# An auxiliary, "said", or a past tense that no preposition or article governs ("with married
# parents" is no verb).
_FINITE = re.compile(r"(?<!\bwith)(?<!\bthe)(?<!\bof)(?<!\bfor)(?<!\bby)(?<!\ban)(?<!\ba)(?<!\bin)(?<!\band)"
                     r"\s(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|says|said|did|does|"
                     r"\w{3,}ed)\s")


def fallback_headline(sources: Sequence[SourceRef], told: Sequence[Point]) -> str:
    """When the model's headline fails the check: the first of the story's articles whose title
    reads like a headline; else one made from one of the story's first three statements by
    leaving words out (``headline_from``), at most ``HEADLINE_WORDS`` words, else at most
    ``long_headline_words`` (a whole clause reads better than a cut one); else the first statement
    (a verified sentence), cut after ``HEADLINE_WORDS`` words. (Cutting at its first comma made
    fragments: "The male student charges that two women".)"""
    for src in sources:
        if reads_like_headline(src.title):
            return " ".join(src.title.split())
    leads = [p for p in told if not (_DATELINE.match(p.text) or _NOT_A_HEADLINE.match(p.text))]
    for most in (HEADLINE_WORDS[1], SETTINGS.compose.long_headline_words):
        for p in leads[:3]:  # a headline made from one of the first statements, by leaving words out
            made = headline_from(p.text, most)
            if made is not None:
                return made
    for p in leads:  # else the first statement that does not open with a dateline or page text, cut
        words = p.text.rstrip(".").split()
        return " ".join(words) if len(words) <= HEADLINE_WORDS[1] else " ".join(words[: HEADLINE_WORDS[1]]) + "…"
    return sources[0].title if sources else "Briefing"


def needs_headline(articles: Sequence[Article]) -> bool:
    """Whether a story has no headline of its own: none of its articles' titles reads like one."""
    return not any(reads_like_headline(a.title) for a in articles)


def headline_ok(title: str, facts: Sequence[Fact | Point],
                disputed: AbstractSet[tuple[int, int]] = frozenset()) -> bool:
    """Whether a headline the model wrote may stand: it reads like one (``reads_like_headline``),
    addresses nobody, passes ``support.title_grounds`` against the sentences of ``facts``, and is
    not grounded in a ``disputed`` side (a sentence, by source and start, that fewer outlets give
    than another side of its disagreement)."""
    if not title or is_directive(title) or not reads_like_headline(title):
        return False
    grounds = title_grounds(title, [" ".join(c.quote for c in f.citations) for f in facts])
    return grounds is not None and not any((c.source, c.start) in disputed for i in grounds for c in facts[i].citations)


async def retitle(story: Story, best: Sequence[Fact | Point], client: ModelClient, prompt: Prompt,
                  written: Counter[str] | None = None, disputed: AbstractSet[tuple[int, int]] = frozenset()) -> None:
    """Ask the model for a headline alone, over the story's best facts (verified sentences, in
    rank order: what the model was given, not what the checks made of its reply, so the request
    does not change when a check does), and keep it when it passes the headline check against
    their sentences; else the story keeps the headline made without the model
    (``fallback_headline``). A failed call is no failure of the story: it keeps its fallback."""
    top = [f for f in best if not not_reporting(f.text)][: SETTINGS.compose.headline_facts]
    if not top:
        return
    facts = "\n".join(f"- {' '.join(f.text.split())}" for f in top)
    try:
        r = await client.structured(prompt, {"facts": facts}, Headline, max_tokens=SETTINGS.compose.headline_tokens)
    except CONFIGURATION_ERRORS:
        raise
    except (CallFailed, openai.OpenAIError):
        return
    title = " ".join(r.value.title.split()).rstrip(".").strip()
    kept = headline_ok(title, top, disputed)
    if kept:
        story.title = title
    if written is not None:
        written.update({"title written": int(bool(title)), "title kept": int(kept)})


# Where a long sentence's main clause may end for a point: before a clause that only adds to it
# (a non-restrictive relative clause, "especially …", "signaling …", a dash). Never at a bare comma
# ("Ullestad, 25, and Brandon Ullestad"), nor before who said it ("according to …").
_ADDED_CLAUSE = re.compile(r",\s(?:which|who|especially|signaling|signalling|in an effort|as part of)\s|\s[-–—]\s")
_ATTRIBUTED = re.compile(r"\b(?:according to|said|says|told|reported|reports)\b")


def shortened(statement: str) -> str:
    """A point too long to take in (over ``point_words``) told in fewer words by leaving whole
    parts out, never adding any: a clause at its end that only adds to it, one at its start that
    only sets it up ("While the group is …, Maroon 5's most recent hit was …"), phrases it can do
    without as a headline can (``compressions``), or several of these. Of the results of
    ``point_least_words`` to ``point_words`` that read as a sentence, keep who said it and pass the
    support check against the statement, the longest; the statement itself when there is none."""
    s = " ".join(statement.split())
    c = SETTINGS.compose
    if len(s.split()) <= c.point_words:
        return s
    whole = s.rstrip(".")
    bases = [whole]
    lead = _SETTING_CLAUSE.match(whole)
    if lead:
        for m in re.finditer(r",\s", whole[lead.end():]):
            rest = whole[lead.end() + m.end():]
            if not _PRONOUN_START.match(rest) and not _LIST_GOES_ON.match(rest):
                bases.append(rest[:1].upper() + rest[1:])
    cuts = list(bases[1:])
    for base in bases:
        cuts += _tail_cuts(base)
    shorter = {short for base in (whole, *cuts) for short in compressions(base, headline=False)}
    tried = {*cuts, *shorter, *(cut for short in shorter for cut in _tail_cuts(short))}
    fits = [t.rstrip(" ,;:") for t in tried if c.point_least_words <= len(t.split()) <= c.point_words]
    for cut in sorted(fits, key=lambda t: (-len(t.split()), t)):
        short = cut + "."
        if _states_whole(cut) and not _SUBORDINATE.match(cut) and \
                (_ATTRIBUTED.search(cut) or not _ATTRIBUTED.search(s)) and supported(short, s):
            return short
    return s


# A clause that opens a sentence only to set up its main clause, up to a comma; what follows that
# comma is the sentence's news unless it opens with a pronoun that pointed into the clause.
_SETTERS = (r"While|Whilst|Although|Though|Even though|Despite|Amid|Since|Because|As|After|Before|When|With|"
            r"Following|Currently|Now that")
_SETTING_CLAUSE = re.compile(rf"(?:{_SETTERS})\s")
# A cut that still opens with such a clause, or a condition, may have lost its main clause ("If the
# paragon of all Christmas trees is the one in New York - first erected by an Italian in 1931").
_SUBORDINATE = re.compile(rf"(?:{_SETTERS}|If|Unless|Whether|Once|Until)\s")
# A comma in a list, not the end of the clause: "over contracts, land and favours, he said".
_LIST_GOES_ON = re.compile(r"[\w'’-]+(?:\s[\w'’-]+)?\s(?:and|or)\s")
# A relative clause between commas after which the main clause goes on ("luring the victim, who
# also was 12, into some woods and repeatedly stabbing her"): leaving out all from it would leave
# out what happened.
_RESUMES = re.compile(r"[^,]*,\s(?!(?:which|who|especially|signaling|signalling|in an effort|as part of|and|but|"
                      r"according|said|says|told|reported|reports)\b)[a-z]")
_PRONOUN_START = re.compile(r"(?:he|she|it|they|this|that|these|those|his|her|its|their)\b", re.IGNORECASE)


def _tail_cuts(text: str) -> list[str]:
    """``text`` cut before each clause at its end that only adds to it (``_ADDED_CLAUSE``), but for
    one that says who said it or is an aside after which the main clause goes on."""
    out = []
    for m in _ADDED_CLAUSE.finditer(text):
        if _ATTRIBUTED.search(text[m.start():]) and not _ATTRIBUTED.search(text[: m.start()]):
            continue  # who said it is never left out
        if _RESUMES.match(text, m.end()):
            continue  # an aside between commas, and the main clause goes on after it
        out.append(text[: m.start()].rstrip(" ,;:"))
    return out


def _states_whole(cut: str) -> bool:
    """Whether a cut of a sentence still reads as one: its quotes closed, a finite verb, not
    ending on a word that waits for more."""
    return not (cut.count('"') % 2 or cut.count("“") != cut.count("”") or not _FINITE.search(cut)
                or cut.split()[-1].lower() in STOPWORDS)
