"""A synthetic day of any size, made from the dev clusters (bench/grouping.py, bench/scale.py).

Each synthetic story takes one dev cluster as its template and 1-8 articles (uniform); an article
is one of the cluster's articles with each sentence after the first dropped with probability 0.2
(repeats of a template article differ). Every story rewrites the words of its template through its
own substitution, so stories made from one template are different stories, as unrelated news is:

- the 300 most frequent words of the dev articles are kept (function words, "said", "year");
- a word used 4 or more times in the dev articles is swapped for a random word of about the same
  frequency (its band of 50 ranks), so unrelated stories share common words at news-like rates;
- a rarer word (names, places, figures' nouns) becomes a made-up word of the story's own, the
  same in all its articles: the vocabulary grows with the day, as a real day's names do.

The articles of a story therefore share what real coverage of one event shares (its names and
rare words, after a substitution common to them), and nothing else beyond chance.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "multinews-dev.jsonl"
KEEP = 100  # most frequent words kept as they are
RARE = 3  # words used this often or less become the story's own
BAND = 50  # ranks a frequent word is swapped within
WORD = re.compile(r"[A-Za-z]+")
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


@dataclass(frozen=True)
class SynthArticle:
    story: int
    title: str
    text: str
    outlet: str


def _made(band: int) -> str:
    out = ""
    while True:
        band, r = divmod(band, len(SYLLABLES))
        out += SYLLABLES[r]
        if not band:
            return out


def _templates(path: Path) -> list[list[tuple[str, str]]]:
    clusters = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [[(d.get("documentTitle") or "", d["rawDocumentText"]) for d in c["documents"]] for c in clusters]


def day(n: int, seed: int = 0, path: Path = DEFAULT_EVAL, spread: int = 35) -> list[SynthArticle]:
    """``n`` articles in stories of 1-8, shuffled; ``story`` is the truth."""
    rng = random.Random(seed)
    templates = _templates(path)
    freq: Counter[str] = Counter(w.lower() for t in templates for title, text in t
                                 for w in WORD.findall(title + " " + text))
    ranked = [w for w, _ in freq.most_common()]
    rank = {w: r for r, w in enumerate(ranked)}
    keep = set(ranked[:KEEP])
    out: list[SynthArticle] = []
    story = 0
    fresh: list[str] = []
    while len(out) < n:
        template = templates[rng.randrange(len(templates))]
        size = min(rng.randint(1, 8), n - len(out))
        swap: dict[str, str] = {}

        def word(m: re.Match[str], swap: dict[str, str] = swap) -> str:
            w = m.group(0)
            low = w.lower()
            if low in keep:
                return w
            if low not in swap:
                if freq[low] > RARE:
                    band = (rank[low] - KEEP) // BAND  # a made-up word of the same band
                    swap[low] = f"{_made(band)}{SYLLABLES[rng.randrange(spread)]}"
                else:
                    swap[low] = "q" + _made(len(fresh))  # "q" begins no band word
                    fresh.append(low)
            new = swap[low]
            return new.capitalize() if w[0].isupper() else new

        for k in range(size):
            title, text = template[k % len(template)]
            if k >= len(template):  # a repeat: drop sentences, keep the paragraph breaks
                parts = [*re.split(r"(?<=[.!?])(\s+)", text), ""]
                pieces = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
                text = "".join(pieces[:1] + [p for p in pieces[1:] if rng.random() >= 0.2])
            out.append(SynthArticle(story=story, title=WORD.sub(word, title),
                                    text=WORD.sub(word, text),
                                    outlet=f"outlet{rng.randrange(200)}.example"))
        story += 1
    rng.shuffle(out)
    return out
