"""The support check: whether a statement the model wrote says no more than its sentences.

One check for everything the model writes (titles, summary sentences, points, shortened facts,
disagreement sides, open questions, ``ask`` sentences). It is a grounding rule, not a list of
suspicious verbs: **every content word, name and number of the statement must be found in its
cited sentences**, allowing

- function words (``textutil.STOPWORDS``) and the words that attribute or connect rather than
  claim (``FREE_WORDS``: "said", "according", "also", ...);
- inflections ("met" for "meet", "talks" for "talk", "pledged" for "pledging");
- derivations of one root ("announcement" for "announced", "Ukrainian" for "Ukraine",
  "investigators" for "investigation");
- acronyms of the sentences' capitalised names ("UN" for "United Nations") and the reverse;
- compounds written joined or apart ("airstrikes" for "air strikes", "peace-keeping");
- a small table of equivalent words (``EQUIVALENTS``), each pair measured on the dev clusters;

and then ``says_more`` finds nothing turned around: a negation added or dropped, an
opposite sense, done told as still to come (or the reverse), names swapped around a verb, a
figure or a script the sentences do not have.

So a new actor ("Putin met ..."), a new outcome ("cancelled" for "met"), an added clause ("... and
approve airstrikes"), another day ("Friday" for "Thursday") each leave a word the sentences do not
ground, whatever the verb or the name. The price of that strictness is measured on the dev
clusters' human summaries (``bench/support.py``; README, "The support check").
Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .settings import SETTINGS
from .textutil import NUMBER_WORDS, STOPWORDS, _stem, content_words, tokens

# --- numbers, names, negation, tense: what a paraphrase may not change ------------------------

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


@lru_cache(maxsize=1 << 16)  # a story's conflicts ask it of each sentence once per pair
def tense(text: str) -> str:
    """"done" when ``text`` tells only as done, "to come" when only as still to come, else ""."""
    future, past = bool(FUTURE.search(text)), bool(PAST.search(text))
    return "done" if past and not future else "to come" if future and not past else ""


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
    told, said = tense(text), tense(best)
    if told and said and told != said:
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
        window = toks[i + 1 : i + 7]
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
            if low.endswith("ly") and len(low) > 4:
                continue  # "eight critically endangered rhinos": an adverb, not what is counted
            unit = low
            if not low.endswith("s"):  # "200 military planners", "eight endangered black rhinos":
                for after in window[j + 1 : j + 4]:  # the plural noun, not its adjectives
                    al = after.lower()
                    if not after[:1].islower() or al in STOPWORDS:
                        break
                    if al.endswith("s") and not al.endswith("ss"):
                        unit = al
                        break
            break
        if unit:
            found.add((word_key(unit), value))  # "nations" and "countries" are one unit
    return frozenset(found)



# --- grounding: every word of the statement in its sentences -------------------------------

# Words that attribute or connect and claim nothing about the news itself: a statement may use
# them though its sentences do not ("X, officials said" is reported as "X, according to
# officials"). English's reporting verbs and connectives; ``bench/support.py --free`` lists the
# words the dev clusters' human summaries leave ungrounded most often, and none of the rest of
# its top 80 claims nothing ("last", "big", "AP", "analyst", "took", "death", ...).
FREE_WORDS = frozenset(
    """say said says saying tell told report reported reports reporting according add added adds note noted
    notes explain explained explains state stated states describe described describes comment commented
    comments
    also meanwhile however though although while whereas instead still even yet already now currently
    today latest new news story statement statements officials official spokesman spokeswoman spokesperson
    people one ones thing things way ways part""".split()
)
# Words that name the same thing (their keys): English spelling variants ("defence"/"defense"),
# a country's adjective and people ("Dutch", "Swedes"), and a few nouns news uses for one another
# ("soldiers"/"troops", "nations"/"countries", "talks"/"meeting", "died"/"dead"). Never a pair of
# different outcomes. The one table of equivalents: the support check, merging's units
# ("six nations" against "a dozen countries") and ``ask``'s retrieval all use it.
EQUIVALENTS: dict[str, str] = {
    "defence": "defense", "organisation": "organization", "programme": "program", "centre": "center",
    "labour": "labor", "favour": "favor", "honour": "honor", "colour": "color", "criticise": "criticize",
    "uk": "britain", "british": "britain", "u.k": "britain", "american": "america",
    "u.s": "america", "usa": "america", "chinese": "china", "french": "france", "dutch": "netherland",
    "german": "germany", "swiss": "switzerland", "spanish": "spain", "greek": "greece", "turkish": "turkey",
    "israeli": "israel", "iraqi": "iraq", "irani": "iran", "iranian": "iran", "afghan": "afghanistan",
    "pakistani": "pakistan", "saudi": "arabia", "welsh": "wale", "scottish": "scotland", "irish": "ireland",
    "swedish": "sweden", "swede": "sweden", "finnish": "finland", "finn": "finland", "danish": "denmark",
    "dane": "denmark", "norwegian": "norway", "italian": "italy", "polish": "poland", "pole": "poland",
    "canadian": "canada", "japanese": "japan", "korean": "korea", "indian": "india", "mexican": "mexico",
    "brazilian": "brazil", "australian": "australia", "egyptian": "egypt", "syrian": "syria",
    "lebanese": "lebanon", "belgian": "belgium", "austrian": "austria", "portuguese": "portugal",
    "hungarian": "hungary", "romanian": "romania", "estonian": "estonia", "latvian": "latvia",
    "lithuanian": "lithuania", "nigerian": "nigeria", "kenyan": "kenya", "venezuelan": "venezuela",
    "argentine": "argentina", "argentinian": "argentina", "cuban": "cuba", "palestinian": "palestine",
    "yemeni": "yemen", "qatari": "qatar", "russian": "russia", "ukrainian": "ukraine", "belarusian": "belarus",
    "georgian": "georgia", "armenian": "armenia", "serbian": "serbia", "croatian": "croatia",
    "slovak": "slovakia", "czech": "czechia", "bulgarian": "bulgaria", "taiwanese": "taiwan",
    "vietnamese": "vietnam", "thai": "thailand", "indonesian": "indonesia", "filipino": "philippine",
    "european": "europe", "african": "africa", "asian": "asia",
    "soldier": "troop", "troop": "troop", "talk": "meet", "meeting": "meet", "nation": "country",
    "die": "dead", "dead": "dead", "death": "dead", "mr": "", "mrs": "", "ms": "", "dr": "",
    "percent": "%", "per": "%", "cent": "%", "jan": "january", "feb": "february", "mar": "march",
    "apr": "april", "jun": "june", "jul": "july", "aug": "august", "sep": "september", "sept": "september",
    "oct": "october", "nov": "november", "dec": "december",
}
# A word and the phrases that say it (keys of the word): "held" for "took place".
PHRASES: dict[str, tuple[str, ...]] = {
    "hold": ("took place", "take place", "takes place", "taking place"),
    "dead": ("lost their lives", "lost his life", "lost her life"),
}
# English irregular verb forms and their base (stems of ``base``): "met" grounds "meet".
_IRREGULAR = """
meet met met | hold held held | die died died | say said said | tell told told | win won won | lose lost lost |
make made made | take took taken | give gave given | go went gone | come came come | begin began begun |
run ran run | leave left left | send sent sent | spend spent spent | build built built |
bring brought brought | buy bought bought | think thought thought | find found found | fall fell fallen |
rise rose risen | strike struck struck | fight fought fought | lead led led | pay paid paid |
sell sold sold | keep kept kept | choose chose chosen | draw drew drawn | write wrote written |
speak spoke spoken | see saw seen | know knew known | grow grew grown | throw threw thrown |
shoot shot shot | seek sought sought | teach taught taught | catch caught caught | stand stood stood |
feel felt felt | mean meant meant | break broke broken | steal stole stolen | freeze froze frozen |
drive drove driven | fly flew flown | swear swore sworn | get got gotten | hear heard heard |
lay laid laid | flee fled fled | bear bore born | wear wore worn | tear tore torn | hide hid hidden |
sink sank sunk | sing sang sung | ring rang rung | shake shook shaken | forgive forgave forgiven |
forbid forbade forbidden | rebuild rebuilt rebuilt | withdraw withdrew withdrawn | overtake overtook overtaken |
undertake undertook undertaken | uphold upheld upheld | arise arose arisen | bid bid bid | cost cost cost |
hit hit hit | hurt hurt hurt | let let let | put put put | set set set | shut shut shut | spread spread spread |
quit quit quit | cut cut cut | beat beat beaten | become became become | read read read | lend lent lent |
bend bent bent | deal dealt dealt | dig dug dug | feed fed fed | hang hung hung | light lit lit |
slide slid slid | spin spun spun | stick stuck stuck | sting stung stung | strive strove striven |
swing swung swung | wake woke woken | weep wept wept | wind wound wound | be was been | be were been |
have had had | do did done | is is is | are are are
"""
IRREGULAR: dict[str, str] = {}
for _row in _IRREGULAR.split("|"):
    _forms = _row.split()
    if _forms:
        for _form in _forms:
            IRREGULAR.setdefault(_form, _forms[0])

# Derivational endings, longest first: what is left is the word's root ("announc-ement",
# "investigat-ors", "Ukrain-ian").
_DERIVATIONS = ("izations", "isations", "ization", "isation", "ations", "itions", "ation", "ition", "ments",
                "ment", "ions", "ion", "ers", "ors", "er", "or", "ists", "ist", "ives", "ive", "ity", "ities",
                "ally", "al", "ly", "ness", "ians", "ian", "ans", "an", "ings", "ing", "ied", "ies", "ed", "es",
                "s", "e", "y", "a", "i")


def _plain(word: str) -> str:
    w = word.lower().replace("’", "'").strip("'.-")
    if w.endswith("n't"):
        return "not"  # a negation: a function word here, checked by says_more
    for clitic in ("'s", "'re", "'ll", "'ve", "'d", "'m", "'"):
        if w.endswith(clitic):
            return w[: -len(clitic)]
    return w


def _inflection(w: str) -> str:
    """``w`` without its inflection, irregular forms to their base: "pledged" "pledg",
    "countries" "country", "met" "meet"."""
    if w in IRREGULAR:
        return IRREGULAR[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) > 4 and w.endswith(suffix):
            w = w[: -len(suffix)]
            if suffix in ("ing", "ed") and len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]  # "planned" "plan", "stopping" "stop"; not "killed" "kil"
            return w
    return w


def roots(w: str) -> set[str]:
    """Every root ``w`` may have once a derivational ending is taken off ("investigation":
    "investigat", "investig"), a doubled last letter undone ("plann" "plan")."""
    out = set()
    for suffix in _DERIVATIONS:
        if w.endswith(suffix) and len(w) - len(suffix) >= SETTINGS.check.min_root:
            r = w[: -len(suffix)]
            out.add(r[:-1] if len(r) > SETTINGS.check.min_root and r[-1] == r[-2] else r)
    return out


def word_key(word: str) -> str:
    """The form a word is matched by: plain, inflection removed, equivalents named alike."""
    if word in ("US", "U.S", "U.S."):
        return "america"  # not the pronoun "us"
    w = _inflection(_plain(word))
    return EQUIVALENTS.get(w, w)


def _with_e(word: str, key: str) -> set[str]:
    """The base forms an inflected word may have had a silent "e" on: "votes" and "voting" to
    "vote", "uses" to "use" (a headline's present tense, the sentence's progressive). None for a
    word with no ending taken off: "plan" never grounds "plane"."""
    plain = _plain(word)
    if key != plain and not key.endswith("e"):
        return {key + "e"}
    if len(plain) == 4 and plain.endswith("es"):  # "uses", too short for the ending rule
        return {plain[:-1]}
    return set()


def is_content(token: str) -> bool:
    """Whether a token carries meaning the support check must find: not a function word, not
    a number (numbers are checked as figures), not a free word."""
    low = _plain(token)
    if not low or token[0].isdigit() or low in NUMBER_WORDS or low in SCALES:
        return False
    if low in STOPWORDS or low in FREE_WORDS or _inflection(low) in FREE_WORDS:
        return False
    return word_key(token) != ""


@dataclass(frozen=True)
class Grounds:
    """What a set of sentences lets a statement say: the keys, roots and acronyms of its words."""

    text: str  # lower case, spaces normalised: for PHRASES
    keys: frozenset[str]
    roots: frozenset[str]
    acronyms: frozenset[str]  # "un" for "United Nations", and every all-capitals token

    @classmethod
    def of(cls, support: str) -> Grounds:
        return _grounds(support)

    def has(self, word: str) -> bool:
        key = word_key(word)
        if not key or key in self.keys or _plain(word) in self.keys or _with_e(word, key) & self.keys:
            return True
        if any(p in self.text for p in PHRASES.get(key, ())):
            return True
        if key in self.acronyms:
            return True
        if roots(key) & self.roots:
            return True
        least = SETTINGS.check.min_prefix
        if len(key) >= least and any(k.startswith(key) or (len(k) >= least and key.startswith(k)) for k in self.keys):
            return True
        if "-" in key:  # "kiss-in", "peace-keeping": joined, or every part grounded
            parts = [p for p in key.split("-") if p]
            return key.replace("-", "") in self.keys or all(not is_content(p) or self.has(p) for p in parts)
        return False


def _runs(toks: list[str]) -> Iterable[list[str]]:
    """Runs of capitalised words, "of"/"and"/"the"/"for" allowed inside: "United Nations",
    "North Atlantic Treaty Organization", "Bank of England"."""
    run: list[str] = []
    for t in toks:
        if t[:1].isupper() or (run and t.lower() in {"of", "and", "the", "for"}):
            run.append(t)
        else:
            if len(run) >= 2:
                yield run
            run = []
    if len(run) >= 2:
        yield run


def _initials(run: list[str]) -> set[str]:
    caps = [t for t in run if t[:1].isupper()]
    out = set()
    for a in range(len(caps)):
        for b in range(a + 2, len(caps) + 1):
            out.add("".join(t[0] for t in caps[a:b]).lower())
    return out


@lru_cache(maxsize=4096)
def _grounds(support: str) -> Grounds:
    toks = tokens(_undot(support))
    keys: set[str] = set()
    for i, t in enumerate(toks):
        key = word_key(t)
        keys.add(key)
        keys.add(_plain(t))
        keys |= _with_e(t, key)
        if "-" in key:
            keys.add(key.replace("-", ""))
            keys.update(word_key(p) for p in key.split("-") if p)
        if i + 1 < len(toks):  # "air strikes" grounds "airstrikes"
            keys.add(word_key(_plain(t) + _plain(toks[i + 1])))
    acronyms = {_plain(t) for t in toks if len(t) >= 2 and t.isupper()}
    for run in _runs(toks):
        acronyms |= _initials(run)
    return Grounds(text=" ".join(support.lower().split()), keys=frozenset(keys - {""}),
                   roots=frozenset(r for k in keys for r in roots(k)),
                   acronyms=frozenset(acronyms))


def ungrounded(text: str, support: str) -> list[str]:
    """The content words of ``text`` that ``support`` does not ground, in order. A capitalised
    run of ``text`` whose initials are a word of ``support`` ("United Nations" for "UN") is
    grounded as a whole."""
    grounds = Grounds.of(support)
    toks = tokens(_undot(text))
    spelled: set[int] = set()
    pos = 0
    for run in _runs(toks):
        start = toks.index(run[0], pos)
        pos = start + len(run)
        caps = [start + k for k, t in enumerate(run) if t[:1].isupper()]
        for a in range(len(caps)):
            for b in range(a + 2, len(caps) + 1):
                if "".join(toks[i][0] for i in caps[a:b]).lower() in grounds.keys:
                    spelled.update(range(caps[a], caps[b - 1] + 1))
    out = []
    for i, t in enumerate(toks):
        if i in spelled or not is_content(t):
            continue
        if t.lower() in HEDGES and any(w.lower() in HEDGES for w in tokens(support)):
            continue  # "suspected of" for "allegedly": one hedge for another
        if not grounds.has(t) and t not in out:
            out.append(t)
    return out


def unsupported(text: str, support: str) -> str | None:
    """Why ``text`` says more than (or other than) ``support``, or None when every word of it is
    grounded there and nothing is turned around."""
    missing = ungrounded(text, support)
    if missing:
        return "words its sentences do not have: " + ", ".join(missing[:4])
    negated = negation_changed(text, support)
    if negated:
        return negated
    if hedge_dropped(text, support):
        return "told as certain where its sentences hedge"
    if figure_moved(text, support):
        return "a figure given to another name"
    if subject_swapped(text, support):
        return "another actor's words or deeds"
    if predicate_changed(text, support):
        return "a name said to be what its sentences do not say it is"
    person = person_changed(text, support)
    if person:
        return person
    # Names are words (grounded above); negation is judged by scope (above).
    return says_more(text, support, names=False, negation=False)


# --- structure: what is negated, whose figure, who did it -----------------------------------

# A person by pronoun: "she", "her" and "hers" are one person, "they" and "their" several.
_PERSONS = {w: k for k, ws in {"he": "he him his himself", "she": "she her hers herself",
                               "they": "they them their theirs themselves", "i": "i me my mine myself",
                               "we": "we us our ours ourselves"}.items() for w in ws.split()}


def person_changed(text: str, support: str) -> str | None:
    """A pronoun for a person its sentences name otherwise: "They cancelled a trip" where they
    say "She cancelled a trip". (A pronoun for a name its sentences give is no change: only a
    person its sentences never use, where they use another, is. Reported speech turns a quote's
    "I" and "we" into "he", "she" or "they": "He asked what they would be doing" for "“What would
    we be doing?” he asked".)"""
    said = {_PERSONS[w] for t in tokens(text) if (w := t.lower()) in _PERSONS}
    given = {_PERSONS[w] for t in tokens(support) if (w := t.lower()) in _PERSONS}
    new = said - given
    if given & {"i", "we"}:
        new -= {"he", "she", "they"}
    if new and given:
        return f"“{min(new)}” where its sentences say “{min(given)}”"
    return None


_NEGATORS = frozenset("not no never none neither nor nobody nothing without cannot".split())
# Verbs that negate what follows them: "declined to say whether", "excludes the United States".
_NEGATIVE_VERBS = ("exclud", "refus", "declin", "deni", "deny", "fail", "lack", "withh")
_ADJUNCT = frozenset("on in at by from during since after before".split())
_AUXILIARIES = frozenset("be being been is are was were have has had do does did to a an the any".split())


def _negated(text: str, reach: int) -> list[str]:
    """The words a negation governs: for each negator ("not", "without", "n't") the first
    ``reach`` content words after it; for a negative verb ("declined", "excludes") the first
    ``reach`` after it that are not names or times ("declined on Sunday to say": "say")."""
    toks = tokens(_undot(text))
    out: list[str] = []
    for i, t in enumerate(toks):
        low = t.lower().replace("’", "'")
        verb = any(_plain(low).startswith(v) for v in _NEGATIVE_VERBS)
        if not (low in _NEGATORS or low.endswith("n't") or verb):
            continue
        found = 0
        for k in range(i + 1, min(i + 8, len(toks))):
            nxt, nl = toks[k], _plain(toks[k])
            if nl in _AUXILIARIES or (nl in STOPWORDS and nl not in FREE_WORDS):
                continue
            if verb and found == 0 and nxt[:1].isupper() and _plain(toks[k - 1]) in _ADJUNCT:
                continue  # "declined on Sunday to say": a time or place, not what is declined
            out.append(word_key(nxt))
            found += 1
            if found >= reach:
                break
    return out


def negation_changed(text: str, support: str) -> str | None:
    """A negation added, moved or dropped: each word ``text`` negates is one ``support`` negates
    (within its first three), and each word the support's closest sentence negates first is not
    stated plainly by the text."""
    said = _negated(support, 3)
    attributes = any(w in FREE_WORDS for w in said)  # "declined to say" is "declined to comment"
    for w in _negated(text, 1):
        if w in FREE_WORDS and attributes:
            continue
        if w not in said and not Grounds.of(" ".join(said)).has(w):
            return "a negation its sentences do not have"
    denied = set(_negated(closest_sentence(text, support), 1))
    plain = {word_key(t) for t in tokens(_undot(text))} - set(_negated(text, 3))
    if denied & plain:
        return "a negation its sentences have, dropped"
    return None


# Words that make a statement less than certain: a statement drawn from a hedged sentence keeps
# one ("allegedly killing" is not "killed").
HEDGES = frozenset("""allegedly alleged reportedly suspected suspect accused may might could possibly possible
    probably likely unlikely expected believed apparently purportedly unconfirmed""".split())


def hedge_dropped(text: str, support: str) -> bool:
    """The support's closest sentence hedges ("allegedly", "may", "could") and the text does
    not: it tells as certain what its sentence does not."""
    if any(t.lower() in HEDGES for t in tokens(text)):
        return False
    said = Grounds.of(text)
    toks = tokens(closest_sentence(text, support))
    for i, t in enumerate(toks):
        if t.lower() not in HEDGES:
            continue
        # What the hedge bears on: the words it governs, not a name that stands next to them
        # ("could be deployed to Ukraine": "deployed", not "Ukraine", which a statement may name).
        governed = [w for w in toks[i + 1 : i + 8] if is_content(w) and not w[:1].isupper()][:2]
        if any(said.has(w) for w in governed):
            return True
    return False


def _figures_by_name(text: str) -> dict[str, set[float]]:
    """Each number of ``text`` under the nearest capitalised word before it (within five
    words): "Republicans hold 29 governorships, Democrats have 20" gives Republicans 29 and
    Democrats 20."""
    toks = tokens(_undot(text))
    out: dict[str, set[float]] = {}
    for i, t in enumerate(toks):
        value = _value(t)
        if value is None or (t[:1].isalpha() and value < 2):
            continue
        for j in range(i - 1, max(-1, i - 6), -1):
            if toks[j][:1].isupper() and _plain(toks[j]) not in STOPWORDS:
                out.setdefault(word_key(toks[j]), set()).add(value)
                break
    return out


def figure_moved(text: str, support: str) -> bool:
    """A figure the support gives one name, given to another: both names have figures in both
    texts, and the text gives a name a figure the support gives only to a different name."""
    ts, ss = _figures_by_name(text), _figures_by_name(support)
    for name, values in ts.items():
        if name not in ss or values & ss[name]:
            continue
        if any(values & v for other, v in ss.items() if other != name):
            return True
    return False


def _runs_before(toks: list[str], i: int, reach: int = 3) -> set[str]:
    """The capitalised words within ``reach`` tokens before ``toks[i]`` (stopwords allowed
    between): who a verb's subject is."""
    out = set()
    for j in range(i - 1, max(-1, i - 1 - reach), -1):
        if toks[j][:1].isupper() and _plain(toks[j]) not in STOPWORDS:
            out.add(word_key(toks[j]))
        elif _plain(toks[j]) not in STOPWORDS and _plain(toks[j]) not in FREE_WORDS:
            break
    return out


def subject_swapped(text: str, support: str) -> bool:
    """"Putin stressed ..." where the support has "Healey stressed ... Putin": the text opens
    with a name and a verb, the support has that verb right after another name, and never after
    this one."""
    toks = tokens(_undot(text))
    names = {word_key(t) for sentence in re.split(r"(?<=[.!?])\s+", _undot(support))
             for t in tokens(sentence)[1:] if t[:1].isupper() and _plain(t) not in STOPWORDS}
    if len(toks) < 2 or word_key(toks[0]) not in names:  # "Ministers met", "The group": not a name
        return False
    subject = {word_key(toks[0])}
    k = 1
    while k < len(toks) and toks[k][:1].isupper():
        subject.add(word_key(toks[k]))
        k += 1
    if re.match(r"\s*(?:[^\W\d_][\w'’-]*\s+){" + str(k - 1) + r"}[^\W\d_][\w'’-]*\s*,", _undot(text)):
        return False  # "Palisa, deputy head …, stated": an apposition, not a verb, follows the name
    if k >= len(toks) or not toks[k][:1].islower() or (_plain(toks[k]) in STOPWORDS
                                                        and _plain(toks[k]) not in FREE_WORDS):
        return False  # "Zelensky told" has a verb; "Zelensky and" does not
    actors = _actors(support, word_key(toks[k]))
    return bool(actors) and not any(a & subject for a in actors)


_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _actors(support: str, verb: str) -> list[set[str]]:
    """For each use of ``verb`` in ``support``, the names right before it — past an apposition
    ("Palisa, deputy head … adviser to President Zelensky, told": Palisa, not Zelensky)."""
    s = _undot(support)
    out = []
    for m in _WORD.finditer(s):
        if word_key(m.group()) != verb:
            continue
        before = re.split(r"(?<=[.!?])\s+", s[: m.start()].rstrip())[-1]  # within its sentence
        if before.endswith(","):
            inner = before[:-1]
            cut = inner.rfind(",")
            if cut >= 0 and len(inner) - cut < 200:
                before = inner[:cut]
        toks = tokens(before)
        found = _runs_before(toks, len(toks))
        if found:
            out.append(found)
    return out


_COPULA = re.compile(r"\b([A-Z][\w'’-]+)\s+(?:is|was|are|were|remains|remained|became)\s+(?:a|an|the)?\s*"
                     r"([A-Za-z][\w'’-]+)")


def predicate_changed(text: str, support: str) -> bool:
    """"Chafee is a Democrat" where the support has "Chafee is an Independent": the same name,
    what it is changed (its words may all be elsewhere in the support)."""
    said: dict[str, set[str]] = {}
    for name, what in _COPULA.findall(_undot(support)):
        said.setdefault(word_key(name), set()).add(word_key(what))
    for name, what in _COPULA.findall(_undot(text)):
        key, pred = word_key(name), word_key(what)
        if key in said and pred not in said[key] and not pred.endswith("ly") and pred not in STOPWORDS:
            return True
    return False


def supported(text: str, support: str) -> bool:
    """Whether ``text`` says nothing that ``support`` does not (``unsupported`` finds nothing)."""
    return unsupported(text, support) is None


_QUESTION_WORDS = frozenset("what which who whom whose when where why how whether will would could "
                            "should can happen happens next".split())


def about(question: str, support: str) -> bool:
    """Whether a question asks about what ``support`` says: every content word of it is grounded
    there (question words aside) and it brings no figure of its own. (A question asserts
    nothing, so tense and negation are its own business.)"""
    words = [w for w in ungrounded(question, support) if _plain(w) not in _QUESTION_WORDS]
    if words:
        return False
    reason = says_more(question, support)
    return reason is None or not reason.startswith(("a number", "a name", "letters"))


def grounding_facts(text: str, supports: list[str], most: int = SETTINGS.check.title_facts) -> list[int] | None:
    """The fewest of ``supports`` (at most ``most``, greedily) that together ground every content
    word of ``text``, by index; None when no such set exists. A headline (one fact, or two) is checked against the
    few facts it draws on, not against the whole story's words at once."""
    chosen: list[int] = []
    missing = ungrounded(text, " ".join(supports))
    if missing:
        return None
    left = ungrounded(text, "")
    while left and len(chosen) < most:
        best = max((i for i in range(len(supports)) if i not in chosen),
                   key=lambda i: len(left) - len(ungrounded(" ".join(left), supports[i])), default=None)
        if best is None:
            return None
        gain = len(left) - len(ungrounded(" ".join(left), supports[best]))
        if gain == 0:
            return None
        chosen.append(best)
        left = ungrounded(text, " ".join(supports[i] for i in chosen))
    return chosen if not left else None



def title_grounds(title: str, supports: list[str]) -> list[int] | None:
    """The (at most two) of ``supports`` a headline draws on, by index, when it is grounded in
    them and says nothing they turn around; else None."""
    chosen = grounding_facts(title, supports)
    if chosen is None or unsupported(title, " ".join(supports[i] for i in chosen) or " ".join(supports)) is not None:
        return None
    return chosen


def title_supported(title: str, supports: list[str]) -> bool:
    """Whether a headline is grounded in at most two of ``supports`` (the facts it draws on)
    and says nothing they turn around."""
    return title_grounds(title, supports) is not None
