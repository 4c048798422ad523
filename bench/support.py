"""Benchmark: the price of the support check's strictness, on text no model wrote.

    python bench/support.py [--eval ../shared/eval/multinews-dev.jsonl] [--free] [--show N]

Each human summary sentence of the dev clusters is checked against the source sentences its gold
attributions name (the sentences a person drew it from). Those sentences are faithful, so every
rejection is a faithful paraphrase the check refuses: the price paid for refusing every statement
that says more than its sentences. Printed: how many sentences the check passes and rejects, why,
and the same for the check it replaced (60% word coverage plus ``says_more``). ``--free`` lists
the words most often left ungrounded, by how many clusters use them (how FREE_WORDS was chosen);
``--show N`` prints N rejected sentences with the words that failed.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from summarizer.support import says_more, ungrounded, unsupported
from summarizer.textutil import coverage

DEFAULT_EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "multinews-dev.jsonl"


def aligned(path: Path) -> list[tuple[int, str, str]]:
    """(cluster, summary sentence, its gold sentences joined) for every attributed sentence."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        gold: dict[str, list[str]] = defaultdict(list)
        for h in row["set_of_highlights_in_context"]:
            sent = " ".join(h["docSentText"].split())
            if sent not in gold[h["scuSentence"]]:
                gold[h["scuSentence"]].append(sent)
        out += [(n, " ".join(s.split()), " ".join(g)) for s, g in gold.items()]
    return out


def old_check(text: str, support: str) -> bool:
    return coverage(text, support) >= 0.6 and says_more(text, support) is None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--free", action="store_true", help="list the words most often left ungrounded")
    ap.add_argument("--show", type=int, default=0, help="print this many rejected sentences")
    args = ap.parse_args()
    rows = aligned(args.eval)
    why: Counter[str] = Counter()
    old_passed = 0
    shown = 0
    words_by_cluster: dict[str, set[int]] = defaultdict(set)
    one_word = 0
    for cluster, text, support in rows:
        old_passed += old_check(text, support)
        reason = unsupported(text, support)
        why[(reason or "passed").split(":")[0]] += 1
        missing = ungrounded(text, support)
        one_word += len(missing) == 1
        for w in missing:
            words_by_cluster[w.lower()].add(cluster)
        if reason and shown < args.show:
            shown += 1
            print(f"[{cluster}] {text}\n    gold: {support[:300]}\n    why: {reason}\n")
    n = len(rows)
    passed = why["passed"]
    print(f"{n} human summary sentences of {len({r[0] for r in rows})} clusters, checked against their gold sentences")
    print(f"  support check: {passed} pass, {n - passed} rejected ({(n - passed) / n:.0%} of faithful text)")
    for reason, count in why.most_common():
        if reason != "passed":
            print(f"    {count:4d}  {reason}")
    print(f"    ({one_word} rejected for a single ungrounded word)")
    print(f"  old check (60% coverage + says_more): {old_passed} pass, {n - old_passed} rejected "
          f"({(n - old_passed) / n:.0%})")
    if args.free:
        print("\nwords left ungrounded, by clusters using them:")
        common = sorted(words_by_cluster.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:80]
        print("  " + ", ".join(f"{w} {len(c)}" for w, c in common))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
