"""Benchmark: does `briefing ask` answer what one sentence of one article answers, and still
refuse what the articles do not say?

For each chosen dev cluster the articles are stored as a run (no build: `ask` reads the run's
articles), and for every distinct sentence of the human summary that has a gold attribution, one
question is asked: "What do the articles say about this: <the summary sentence>?" (the summary
sentence is the human's, the answer is in the gold span). A refusal there is a false refusal.
"Before" counts also the answers that only stand because the model's quoted sentence stood in
for its failed text (answer.check_answer): what the answer was without that rule. Then one
question per cluster from another cluster's summary, which the articles do not answer: a refusal
there is right.

    python bench/ask_refusals.py --clusters 0-9 [--per-cluster 3] [--base-url URL --model M] [--cache DIR]

Needs a model (the embedded default without --base-url); nothing else may run it meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.asking import Session  # noqa: E402
from summarizer.client import ModelClient, ModelConfig  # noqa: E402
from summarizer.evaluate import Cluster, pick, read_clusters  # noqa: E402
from summarizer.exchanges import ExchangeTransport  # noqa: E402
from summarizer.local import DEFAULT_MODEL_NAME, local_server  # noqa: E402
from summarizer.models import Briefing  # noqa: E402
from summarizer.prompts import load_prompts  # noqa: E402
from summarizer.store import Store  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval" / "multinews-dev.jsonl"
STOOD_IN = "the quoted sentence stands in for the model's text"


def questions(cluster: Cluster, most: int) -> list[str]:
    """One question per distinct summary sentence with a gold span, the first ``most``."""
    sentences = list(dict.fromkeys(h.scuSentence for h in cluster.set_of_highlights_in_context if h.scuSentence))
    return [f"What do the articles say about this: {s.rstrip('. ')}?" for s in sentences[:most]]


async def run(args: argparse.Namespace, url: str) -> int:
    clusters = read_clusters(args.eval.read_text(encoding="utf-8").splitlines())
    chosen = pick(clusters, args.clusters)
    prompts = load_prompts()
    inner = httpx2.AsyncHTTPTransport(retries=0)
    transport = (ExchangeTransport("cache", inner=inner, cache_dir=args.cache, base_url=url) if args.cache
                 else ExchangeTransport("off", inner=inner, base_url=url))
    client = ModelClient(ModelConfig(model=args.model, base_url=url, api_key="not-needed", structured=args.structured,
                                     timeout=1800), transport)
    asked = refused = stood_in = 0
    foreign = foreign_refused = 0
    try:
        with tempfile.TemporaryDirectory() as home:
            store = Store(Path(home) / "briefing.db")
            for n, (i, cluster) in enumerate(chosen):
                articles = cluster.articles()
                run_id = store.save_run(inputs=[f"cluster {i}"], model=args.model, server=url, status="ok",
                                        articles=articles, chunks=[], claims=[], dropped=[], failures=[],
                                        briefing=Briefing(sources=[a.ref() for a in articles]))
                session = Session(store, run_id, None, client, prompts)
                for q in questions(cluster, args.per_cluster):
                    session.conversation = None  # each question asked on its own, as `briefing ask` does
                    r = await session.ask(q)
                    asked += 1
                    refused += not r.answer.answerable
                    stood_in += bool(r.answer.dropped.get(STOOD_IN))
                    mark = "refused" if not r.answer.answerable else ("stood in" if r.answer.dropped.get(STOOD_IN)
                                                                     else "answered")
                    print(f"{i:>3} {mark:<9} {q[:110]}", flush=True)
                other = clusters[(i + len(clusters) // 2) % len(clusters)]
                for q in questions(other, 1):
                    session.conversation = None
                    r = await session.ask(q)
                    foreign += 1
                    foreign_refused += not r.answer.answerable
                    print(f"{i:>3} {'refused' if not r.answer.answerable else 'ANSWERED':<9} (not in these articles) "
                          f"{q[:80]}", flush=True)
                print(f"-- {n + 1}/{len(chosen)} clusters", file=sys.stderr, flush=True)
            store.close()
    finally:
        await client.aclose()
    print(f"\nquestions one gold sentence answers: {asked}; false refusals {refused} ({refused / max(1, asked):.0%}); "
          f"without the stand-in rule {refused + stood_in} ({(refused + stood_in) / max(1, asked):.0%})")
    print(f"questions from another cluster: {foreign}; refused {foreign_refused} "
          f"({foreign_refused / max(1, foreign):.0%})")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--clusters", default="0-9")
    ap.add_argument("--per-cluster", type=int, default=3)
    ap.add_argument("--base-url")
    ap.add_argument("--model", default=DEFAULT_MODEL_NAME)
    ap.add_argument("--structured", default="gbnf")
    ap.add_argument("--cache", type=Path, help="keep every exchange here: a rerun after a change to the checks asks "
                    "the model nothing it was asked before (needs --base-url for no model at all)")
    args = ap.parse_args()
    server = nullcontext(args.base_url) if args.base_url else local_server(None, alias=args.model,
                                                                           log=lambda m: print(m, file=sys.stderr))
    with server as url:
        return asyncio.run(run(args, url))


if __name__ == "__main__":
    raise SystemExit(main())
