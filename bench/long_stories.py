"""Long stories: four articles and 20,000–30,000 characters each, as real stories are; and how a
build of each one goes on the embedded model.

    python bench/long_stories.py write DIR     # DIR/<story>/NN.txt (tests/data/long holds them)
    python bench/long_stories.py run DIR       # build each story alone: wall, calls, tokens per call

The dev clusters are shorter (the largest is 17,522 characters), so each long story is dev
articles plus syndicated copies of them, the way wire copy runs on a real day: the same text under
another outlet, with a dateline before its first paragraph and its end cut (syndicators trim).
``nokia``: cluster 23's first two articles (Microsoft buys Nokia's phone business) and two copies
of the first; ``chicago``: cluster 20's three articles (a student sues the University of Chicago)
and a copy of the third; ``robertson``: cluster 13's GQ interview of Phil Robertson and three
copies of it (the top of the range: 29,000 characters, most sentences in four outlets). The rest
of those clusters is left out because the story grouping rightly splits it off (Nokia's
"burning platform" memo, Jesse Jackson's reaction).

``run`` builds each story with a fresh store and no cache, exactly as a user would (``briefing
build DIR --format json --record``), and reads every exchange's finish reason and generated
tokens from the recording: a call that ended at its token cap says ``length``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval" / "multinews-dev.jsonl"
# story -> (cluster, the articles kept, the copies: (article, share of its paragraphs, dateline))
STORIES: dict[str, tuple[int, list[int], list[tuple[int, float, str]]]] = {
    "nokia": (23, [0, 1], [(0, 0.8, "ESPOO, Finland (Wire) — "), (0, 0.6, "LONDON (Wire) — ")]),
    "chicago": (20, [0, 1, 2], [(2, 0.8, "CHICAGO (Wire) — ")]),
    "robertson": (13, [0], [(0, 0.8, "WEST MONROE, La. (Wire) — "), (0, 0.6, "NEW YORK (Wire) — "),
                            (0, 0.5, "LOS ANGELES (Wire) — ")]),
}


def syndicated(text: str, share: float, dateline: str) -> str:
    paragraphs = [p for p in text.strip().split("\n") if p.strip()]
    keep = paragraphs[: max(2, round(len(paragraphs) * share))]
    keep[0] = dateline + keep[0].strip()
    return "\n\n".join(keep) + "\n"


def write(root: Path) -> None:
    lines = EVAL.read_text(encoding="utf-8").splitlines()
    for story, (cluster, kept, copies) in STORIES.items():
        docs = json.loads(lines[cluster])["documents"]
        d = root / story
        d.mkdir(parents=True, exist_ok=True)
        originals = [doc["rawDocumentText"].strip() + "\n" for doc in docs]
        texts = [originals[i] for i in kept]
        texts += [syndicated(originals[i], share, dateline) for i, share, dateline in copies]
        for n, text in enumerate(texts):
            (d / f"{n:02d}.txt").write_text(text, encoding="utf-8")
        print(f"{story}: {len(texts)} articles, {sum(len(t) for t in texts):,} characters")


def run(root: Path, extra: list[str]) -> None:
    print(f"{'story':<10} {'articles':>8} {'chars':>7} {'wall s':>7} {'calls':>5} {'capped':>6}  "
          f"generated tokens a call (of its cap)  citations exact")
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(d.glob("*.txt"))
        chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
        with tempfile.TemporaryDirectory() as tmp:
            env = {**{k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "OPENAI_"))},
                   "BRIEFING_HOME": str(Path(tmp) / "home")}
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "summarizer", "build", str(d), "--format", "json", "-q",
                                   "--no-cache", "--record", str(Path(tmp) / "rec"), *extra],
                                  cwd=ROOT, env=env, capture_output=True, text=True)
            wall = time.monotonic() - started
            if done.returncode not in (0, 3):
                print(f"{d.name}: build failed ({done.returncode}): {done.stderr.strip()[-300:]}")
                continue
            doc = json.loads(done.stdout)
            calls = []
            for f in sorted((Path(tmp) / "rec").glob("*.json")):
                ex = json.loads(f.read_text(encoding="utf-8"))
                for r in ex["responses"]:
                    body = r["body"] if isinstance(r["body"], dict) else json.loads(r["body"])
                    if "choices" in body:
                        calls.append((ex["prompt"].split("@")[0], body["choices"][0]["finish_reason"],
                                      body["usage"]["completion_tokens"], ex["request"]["max_tokens"]))
        texts = {}
        for s in doc["sources"]:
            texts[s["id"]] = Path(s["path"]).read_text(encoding="utf-8")
        stories = doc["stories"] or [doc]
        cites = [c for st in stories for p in st["points"] + st["summary_sentences"] for c in p["citations"]]
        cites += [c for st in stories for dd in st["disagreements"] for p in dd["positions"] for c in p["citations"]]
        exact = sum(texts[c["source"]][c["start"]:c["end"]] == c["quote"] for c in cites)
        capped = sum(1 for _, finish, _, _ in calls if finish == "length")
        per_call = ", ".join(f"{name} {tok}/{cap}" for name, _, tok, cap in calls)
        print(f"{d.name:<10} {len(files):>8} {chars:>7,} {wall:>7.1f} {len(calls):>5} {capped:>6}  {per_call}  "
              f"{exact:>7}/{len(cites)}  stories {len(stories)}")
        print(f"           model sentences: {json.dumps(doc['stats'].get('model_sentences'))}")


def main() -> int:
    cmd, root = sys.argv[1], Path(sys.argv[2])
    if cmd == "write":
        write(root)
    elif cmd == "run":
        run(root, sys.argv[3:])
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
