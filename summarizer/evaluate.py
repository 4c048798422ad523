"""``briefing eval``: how good the briefings are on clusters with reference summaries.

Given clusters of articles with a human reference summary and, optionally, gold attributions
(the sentences that summary drew on; the format of ``multinews-dev.jsonl``), each cluster is built
as a day exactly as ``briefing build`` builds it and scored:

- ROUGE-1, ROUGE-2 and ROUGE-L F1 of what a reader reads (every story's summary and points)
  against the reference; lower-cased word tokens, no stemming;
- citation precision (a citation overlaps a gold span of its article) and recall (a gold span is
  overlapped by some citation), and the exact-span rate (every quote is its article's text);
- words per story, the share of model-written sentences the checks kept, and time.

Baselines in the same run: ``lead-3`` (each article's first three sentences, no model) and
``one-prompt`` (the same model asked once for a briefing of all the articles, unchecked).

The scoring functions are pure; ``evaluate`` conducts the builds and the baseline calls.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .chunking import segment
from .errors import BriefingError, ModelFailure
from .ingest import title_of
from .models import Article, Briefing, Span
from .prompts import Prompt

# --- the input ------------------------------------------------------------------------------


class EvalError(BriefingError):
    """The evaluation file cannot be read as clusters; the message names the line and says why."""


class GoldSpan(BaseModel):
    model_config = ConfigDict(extra="ignore")
    documentFile: str
    docSpanOffsets: list[tuple[int, int]] = Field(default_factory=list)
    scuSentence: str = ""  # the reference summary's sentence this span supports


class Document(BaseModel):
    model_config = ConfigDict(extra="ignore")
    documentFile: str | None = None
    documentTitle: str | None = None
    documentUrl: str | None = None
    rawDocumentText: str


class Cluster(BaseModel):
    """One cluster: its articles, the human summary, and the gold spans (may be empty)."""

    model_config = ConfigDict(extra="ignore")
    unique_id: str = ""
    documents: list[Document]
    response: str
    set_of_highlights_in_context: list[GoldSpan] = Field(default_factory=list)

    def articles(self) -> list[Article]:
        out = []
        for i, d in enumerate(self.documents, start=1):
            host = urlsplit(d.documentUrl).hostname if d.documentUrl else None
            title = d.documentTitle or title_of(d.rawDocumentText)
            out.append(Article(id=i, path=d.documentFile or f"document {i}", title=title, text=d.rawDocumentText,
                               outlet=host or d.documentFile or f"outlet {i}", from_file_text=False))
        return out

    def gold(self) -> set[tuple[int, int, int]]:
        """(article id, start, end) of every gold span."""
        ids = {d.documentFile or f"document {i}": i for i, d in enumerate(self.documents, start=1)}
        return {(ids[h.documentFile], s, e) for h in self.set_of_highlights_in_context if h.documentFile in ids
                for s, e in h.docSpanOffsets}


def read_clusters(lines: Iterable[str]) -> list[Cluster]:
    out = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append(Cluster.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise EvalError(f"line {n} is not JSON: {exc.msg} (column {exc.colno})") from None
        except ValidationError as exc:
            e = exc.errors()[0]
            where = ".".join(str(p) for p in e["loc"])
            raise EvalError(f"line {n} is not a cluster (documents, response): {where}: {e['msg']}") from None
    if not out:
        raise EvalError("no clusters in the file (one JSON object per line: documents, response)")
    return out


def pick(clusters: Sequence[Cluster], spec: str | None) -> list[tuple[int, Cluster]]:
    """Clusters by index: "0-9", "3,7,13", None for all."""
    if not spec:
        return list(enumerate(clusters))
    chosen: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not m:
            raise EvalError(f"--clusters {spec!r}: give indexes like 0-9 or 3,7,13")
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        chosen += range(lo, hi + 1)
    bad = [i for i in chosen if i >= len(clusters)]
    if bad:
        raise EvalError(f"--clusters: the file has {len(clusters)} clusters (0-{len(clusters) - 1}), not {bad[0]}")
    return [(i, clusters[i]) for i in dict.fromkeys(chosen)]


# --- scoring (pure) -------------------------------------------------------------------------


def words_of(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _ngrams(tokens: Sequence[str], n: int) -> dict[tuple[str, ...], int]:
    out: dict[tuple[str, ...], int] = {}
    for i in range(len(tokens) - n + 1):
        g = tuple(tokens[i : i + n])
        out[g] = out.get(g, 0) + 1
    return out


def _f1(overlap: float, candidate: int, reference: int) -> float:
    if not overlap or not candidate or not reference:
        return 0.0
    p, r = overlap / candidate, overlap / reference
    return 2 * p * r / (p + r)


def rouge_n(candidate: str, reference: str, n: int) -> float:
    """ROUGE-N F1: clipped n-gram overlap."""
    c, r = _ngrams(words_of(candidate), n), _ngrams(words_of(reference), n)
    overlap = sum(min(k, r.get(g, 0)) for g, k in c.items())
    return _f1(overlap, sum(c.values()), sum(r.values()))


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1: the longest common subsequence of the two texts' words."""
    a, b = words_of(candidate), words_of(reference)
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b, start=1):
            cur.append(prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1]))
        prev = cur
    return _f1(prev[-1], len(a), len(b))


@dataclass
class Score:
    """One system on one cluster (or summed over several: see ``total``)."""

    rouge1: float = 0.0
    rouge2: float = 0.0
    rougel: float = 0.0
    words: int = 0
    stories: int = 0
    citations: int = 0
    exact: int = 0
    precise: int = 0
    gold: int = 0
    recalled: int = 0
    written: int = 0  # sentences the model wrote
    kept: int = 0  # ... that the checks kept
    seconds: float = 0.0
    clusters: int = 1
    failed: int = 0


def text_score(text: str, reference: str, seconds: float = 0.0) -> Score:
    words = len(text.split())
    return Score(rouge1=rouge_n(text, reference, 1), rouge2=rouge_n(text, reference, 2),
                 rougel=rouge_l(text, reference), words=words, stories=1, seconds=seconds)


def reader_text(b: Briefing) -> str:
    """What a reader reads of a briefing, for ROUGE: every story's summary and points."""
    return "\n".join(p.text for st in b.stories for p in [*st.summary_sentences, *st.points])


def cited(b: Briefing) -> list[Span]:
    return [c for st in b.stories for p in [*st.summary_sentences, *st.points] for c in p.citations]


def briefing_score(b: Briefing, cluster: Cluster, articles: Sequence[Article], seconds: float) -> Score:
    s = text_score(reader_text(b), cluster.response, seconds)
    s.stories = len(b.stories)
    texts = {a.id: a.text for a in articles}
    gold = cluster.gold()
    spans = cited(b)
    s.citations = len(spans)
    s.exact = sum(1 for c in spans if texts.get(c.source, "")[c.start : c.end] == c.quote)
    s.precise = sum(1 for c in spans if any(g == c.source and c.start < e and gs < c.end for g, gs, e in gold))
    s.gold = len(gold)
    s.recalled = sum(1 for g, gs, e in gold if any(c.source == g and c.start < e and gs < c.end for c in spans))
    if b.stats is not None:
        s.written = sum(w.written for w in b.stats.model_sentences.values())
        s.kept = sum(w.kept for w in b.stats.model_sentences.values())
    return s


def lead_text(articles: Sequence[Article], n: int = 3) -> str:
    """Each article's first ``n`` sentences (of its content paragraphs)."""
    out = []
    for a in articles:
        out += [a.text[s:e] for s, e in segment(a.text).sentences[:n]]
    return "\n".join(" ".join(t.split()) for t in out)


def clean_summary(text: str) -> str:
    """A one-prompt reply as its reader reads it: no markdown marks, no "[n]" citations."""
    text = re.sub(r"\[\d+(?:\s*,\s*\d+)*\]", "", text)
    return re.sub(r"[#*_>`|-]+", " ", text)


def one_prompt_messages(prompt: Prompt, articles: Sequence[Article], budget: int,
                        count: Callable[[str], int]) -> list[dict[str, str]]:
    """The baseline's one prompt: every article, numbered, each cut to an equal share of
    ``budget`` tokens when they do not all fit (the model's context is what it is)."""
    share = max(1, budget // max(1, len(articles)))
    parts = []
    for n, a in enumerate(articles, start=1):
        text, tokens = a.text, count(a.text)
        if tokens > share:
            text = text[: len(text) * share // tokens]
        parts.append(f"[{n}] {a.title}\n{text.strip()}")
    return prompt.render(articles="\n\n".join(parts))


def total(scores: Sequence[Score]) -> Score:
    """Sums of counts, means of ROUGE and of words per story."""
    t = Score(clusters=len(scores))
    if not scores:
        return t
    for s in scores:
        t.citations += s.citations
        t.exact += s.exact
        t.precise += s.precise
        t.gold += s.gold
        t.recalled += s.recalled
        t.written += s.written
        t.kept += s.kept
        t.seconds += s.seconds
        t.failed += s.failed
        t.words += s.words
        t.stories += s.stories
    ok = [s for s in scores if not s.failed] or list(scores)
    t.rouge1 = sum(s.rouge1 for s in ok) / len(ok)
    t.rouge2 = sum(s.rouge2 for s in ok) / len(ok)
    t.rougel = sum(s.rougel for s in ok) / len(ok)
    return t


@dataclass
class Report:
    """Every system's scores, cluster by cluster, in the order they ran."""

    systems: dict[str, list[Score]] = field(default_factory=dict)
    clusters: list[int] = field(default_factory=list)

    def add(self, system: str, score: Score) -> None:
        self.systems.setdefault(system, []).append(score)

    def totals(self) -> dict[str, Score]:
        return {name: total(scores) for name, scores in self.systems.items()}

    def as_json(self) -> dict[str, object]:
        def row(s: Score) -> dict[str, object]:
            return {"rouge1": round(s.rouge1, 4), "rouge2": round(s.rouge2, 4), "rougeL": round(s.rougel, 4),
                    "citation_precision": ratio(s.precise, s.citations), "citation_recall": ratio(s.recalled, s.gold),
                    "exact_spans": f"{s.exact}/{s.citations}", "words_per_story": ratio(s.words, s.stories, 1),
                    "model_sentences_kept": ratio(s.kept, s.written), "seconds": round(s.seconds, 1),
                    "clusters": s.clusters, "failed": s.failed}
        return {"clusters": self.clusters,
                "systems": {n: {"total": row(t), "per_cluster": [row(s) for s in self.systems[n]]}
                            for n, t in self.totals().items()}}


def ratio(a: float, b: float, digits: int = 3) -> float | None:
    return round(a / b, digits) if b else None


def table(report: Report) -> str:
    """The totals as a plain table, a row per system."""
    head = (f"{'system':<12} {'R-1':>6} {'R-2':>6} {'R-L':>6} {'precision':>9} {'recall':>7} {'exact':>9} "
            f"{'words/story':>11} {'kept':>9} {'seconds':>8}")
    lines = [head]
    for name, t in report.totals().items():
        def f(x: float | None, d: int = 2) -> str:
            return "–" if x is None else f"{x:.{d}f}"
        kept = f"{t.kept}/{t.written}" if t.written else "–"
        exact = f"{t.exact}/{t.citations}" if t.citations else "–"
        lines.append(f"{name:<12} {t.rouge1:>6.3f} {t.rouge2:>6.3f} {t.rougel:>6.3f} "
                     f"{f(ratio(t.precise, t.citations)):>9} {f(ratio(t.recalled, t.gold)):>7} {exact:>9} "
                     f"{f(ratio(t.words, t.stories, 1), 0):>11} {kept:>9} {t.seconds:>8.1f}"
                     + (f"  ({t.failed} failed)" if t.failed else ""))
    return "\n".join(lines)


# --- the conductor ---------------------------------------------------------------------------

Build = Callable[[list[Article]], Awaitable[Briefing]]


async def evaluate(chosen: Sequence[tuple[int, Cluster]], build: Build,
                   one_prompt: Callable[[list[Article]], Awaitable[str]] | None,
                   progress: Callable[[str, int, int], None], lead3: bool = True) -> Report:
    """Score ``build`` (and the baselines) on every chosen cluster. ``build`` makes a cluster's
    briefing with the configured model; ``one_prompt`` (when given) the same model's one-prompt
    summary; ``lead3``: score lead-3 too. A cluster whose build fails counts as failed and scores
    zero."""
    report = Report(clusters=[i for i, _ in chosen])
    for done, (_, cluster) in enumerate(chosen):
        progress("clusters evaluated", done, len(chosen))
        articles = cluster.articles()
        if lead3:
            report.add("lead-3", text_score(lead_text(articles), cluster.response))
        started = time.monotonic()
        try:
            b = await build(articles)
            report.add("briefing", briefing_score(b, cluster, articles, time.monotonic() - started))
        except ModelFailure:
            raise
        except BriefingError:  # nothing to tell, too much input: this cluster fails, the rest go on
            report.add("briefing", Score(failed=1, seconds=time.monotonic() - started, gold=len(cluster.gold())))
        if one_prompt is not None:
            started = time.monotonic()
            text = clean_summary(await one_prompt(articles))
            report.add("one-prompt", text_score(text, cluster.response, time.monotonic() - started))
    progress("clusters evaluated", len(chosen), len(chosen))
    return report

