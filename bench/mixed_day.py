"""A mixed day whose stories are known, from the dev clusters; and how well a build found them.

    python bench/mixed_day.py write DIR            # DIR/day1 (33 articles) and DIR/day2 (day1 + 2)
    python bench/mixed_day.py score DIR RUN.json   # ARI and purity of a `--format json` build

The day: the seven clusters of three or more articles (7, 16, 20, 21, 23, 24, 25) and the first
five of two (0-4), 35 articles on 12 stories. Day 1 holds back two of them — the fourth article
of cluster 21 (a story gains an outlet) and the second of cluster 0 (a one-article item becomes
a story) — and day 2 adds them. Files are named so their order does not follow the clusters:
``<sha1 of the text, 8 hex>.txt``, the first line of the text as the title.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.stories import adjusted_rand, purity

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "multinews-dev.jsonl"
CLUSTERS = [0, 1, 2, 3, 4, 7, 16, 20, 21, 23, 24, 25]
HELD_BACK = {(21, 3), (0, 1)}  # (cluster, article index): only in day 2


def articles() -> list[tuple[int, int, str, str]]:
    """(cluster, index, file name, text)."""
    lines = EVAL.read_text(encoding="utf-8").splitlines()
    out = []
    for c in CLUSTERS:
        for i, d in enumerate(json.loads(lines[c])["documents"]):
            text = d["rawDocumentText"].strip() + "\n"
            out.append((c, i, hashlib.sha1(text.encode()).hexdigest()[:8] + ".txt", text))
    return out


def main() -> int:
    cmd, root = sys.argv[1], Path(sys.argv[2])
    if cmd == "write":
        for day in ("day1", "day2"):
            (root / day).mkdir(parents=True, exist_ok=True)
        truth = {}
        for c, i, name, text in articles():
            truth[name] = c
            (root / "day2" / name).write_text(text, encoding="utf-8")
            if (c, i) not in HELD_BACK:
                (root / "day1" / name).write_text(text, encoding="utf-8")
        (root / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{len(truth)} articles, {len(set(truth.values()))} stories; day 1 has {len(truth) - len(HELD_BACK)}")
        return 0
    run = json.loads(Path(sys.argv[3]).read_text(encoding="utf-8"))
    truth_of = {name: c for c, _, name, _ in articles()}
    by_source = {s["id"]: Path(s["path"]).name for s in run["sources"]}
    labels, found = [], []
    for n, st in enumerate(run["stories"]):
        for sid in st["sources"]:
            labels.append(truth_of[by_source[sid]])
            found.append(n)
    print(f"{len(labels)} articles in {len(run['stories'])} stories (true: {len(set(labels))}): "
          f"ARI {adjusted_rand(labels, found):.3f}, purity {purity(labels, found):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
