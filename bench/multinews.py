"""Benchmark: build briefings for Multi-News clusters the pipeline was never tuned on, and print
figures — exact-span rate, citation precision and recall against the gold attributions, points,
dropped claims, model time.

    python bench/multinews.py --clusters 7,13,14 [--eval ../shared/eval/multinews-dev.jsonl] [briefing flags…]

Each cluster's articles are written to a temporary directory as .txt files (title line, blank
line, raw text) and built with `briefing build` exactly as a user would, with a fresh store. A
citation is *precise* when its span overlaps a gold span of the same article; a gold span is
*recalled* when some citation overlaps it. Needs a model (the embedded default without flags).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "multinews-dev.jsonl"


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--clusters", default="7,13", help="line numbers in the eval file, comma-separated")
    args, extra = ap.parse_known_args()
    lines = args.eval.read_text(encoding="utf-8").splitlines()
    totals = {"citations": 0, "exact": 0, "precise": 0, "gold": 0, "recalled": 0, "points": 0, "seconds": 0.0}
    kinds = ("title", "summary", "points", "sides")
    written = {k: [0, 0] for k in kinds}  # what the model wrote, what the checks kept
    print(f"{'cluster':>8} {'docs':>4} {'points':>6} {'multi':>5} {'exact':>7} {'precision':>9} {'recall':>7} "
          f"{'dropped':>7} {'model s':>7}  model wrote/kept: " + " ".join(kinds))
    for n in (int(x) for x in args.clusters.split(",")):
        cluster = json.loads(lines[n])
        with tempfile.TemporaryDirectory() as tmp:
            d = Path(tmp)
            offsets = {}  # file -> (offset of rawDocumentText in the file, gold spans)
            for i, doc in enumerate(cluster["documents"]):
                head = f"{doc.get('documentTitle') or 'Article ' + str(i + 1)}\n\n"
                path = d / "in" / f"{i:02d}.txt"
                path.parent.mkdir(exist_ok=True)
                path.write_text(head + doc["rawDocumentText"], encoding="utf-8")
                gold = []
                for h in cluster["set_of_highlights_in_context"]:
                    if h["documentFile"] == doc["documentFile"]:
                        for s, e in h["docSpanOffsets"]:
                            gold.append((s + len(head), e + len(head)))
                offsets[str(path)] = gold
            env = {**os.environ, "BRIEFING_HOME": str(d / "home")}
            started = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "summarizer", "build", str(d / "in"), "--format", "json",
                                   "-q", *extra], capture_output=True, text=True, env=env)
            elapsed = time.monotonic() - started
            if proc.returncode not in (0, 3):
                print(f"{n:>8} failed: {proc.stderr.strip()[-300:]}")
                continue
            out = json.loads(proc.stdout)
            paths = {s["id"]: s["path"] for s in out["sources"]}
            # Every story's summary and points (a cluster the grouping splits is several stories).
            stories = out.get("stories") or [out]
            points = [p for st in stories for p in st["points"]]
            cites = [c for st in stories for p in st["points"] + st["summary_sentences"] for c in p["citations"]]
            exact = precise = 0
            hit_gold: set[tuple[str, int, int]] = set()
            for c in cites:
                path = paths[c["source"]]
                text = Path(path).read_text(encoding="utf-8")
                exact += text[c["start"] : c["end"]] == c["quote"]
                span = (c["start"], c["end"])
                golds = [g for g in offsets[path] if overlaps(span, g)]
                precise += bool(golds)
                hit_gold |= {(path, *g) for g in golds}
            n_gold = sum(len(set(g)) for g in offsets.values())
            multi = sum(1 for p in points if len({c["source"] for c in p["citations"]}) > 1)
            dropped = sum((out["stats"].get("claims_dropped") or {}).values())
            model = out["stats"].get("model_sentences") or {}
            for k in kinds:
                written[k][0] += (model.get(k) or {}).get("written", 0)
                written[k][1] += (model.get(k) or {}).get("kept", 0)
            wrote = " ".join(f"{(model.get(k) or {}).get('written', 0)}/{(model.get(k) or {}).get('kept', 0)}"
                             for k in kinds)
            print(f"{n:>8} {len(cluster['documents']):>4} {len(points):>6} {multi:>5} "
                  f"{exact}/{len(cites):<5} {precise / max(1, len(cites)):>9.2f} "
                  f"{len(hit_gold) / max(1, n_gold):>7.2f} {dropped:>7} {out['stats']['model_seconds']:>7}  {wrote}")
            totals["citations"] += len(cites)
            totals["exact"] += exact
            totals["precise"] += precise
            totals["gold"] += n_gold
            totals["recalled"] += len(hit_gold)
            totals["points"] += len(points)
            totals["seconds"] += elapsed
    c = max(1, int(totals["citations"]))
    print(f"{'all':>8} {'':>4} {int(totals['points']):>6} {'':>5} {int(totals['exact'])}/{c:<5} "
          f"{totals['precise'] / c:>9.2f} {totals['recalled'] / max(1, totals['gold']):>7.2f} "
          f"{'':>7} {totals['seconds']:>7.1f}  " + " ".join(f"{w}/{k}" for w, k in written.values()))
    return 0 if totals["exact"] == totals["citations"] else 1


if __name__ == "__main__":
    sys.exit(main())
