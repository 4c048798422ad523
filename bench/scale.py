"""Benchmark: a large day's build against an OpenAI-compatible server on 127.0.0.1 that answers
every call after a fixed latency: does the build use the server's concurrency, and what does our
own work cost per article?

    python bench/scale.py [--articles 10000] [--latency 0.5] [--concurrency 64] [--day synth|toy]

The day is synthetic: ``synth`` (default) is bench/synthday.py's (the dev clusters rewritten into
stories of 1-8 articles), ``toy`` stories of ``--per-story`` articles from their own vocabulary.
Every article of a composed story gets a sentence-picking call (``--select always``) and every
story of two or more a composition call; a story of one article whose title is not a headline gets
a headline call. The server runs in its own process (its work is not ours). For each concurrency it
builds twice, with the latency and with none: the second is our own work (ingest of the texts
excluded: they are given; grouping, segmentation, chunking, merge, checks, rendering and the
store's write included) plus the exchanges themselves. It prints calls, wall time, our own work
(ms per article), the peak memory of this process, the store's size after the run, and the ratio
of the wall time to the ideal: (each stage's calls ÷ concurrency, in whole rounds) × latency + our
own work (the two overlap, so a build can beat it).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from summarizer.client import ModelClient, ModelConfig
from summarizer.exchanges import ExchangeTransport
from summarizer.models import Article
from summarizer.pipeline import build
from summarizer.plan import BuildOptions
from summarizer.prompts import load_prompts
from summarizer.settings import SETTINGS
from summarizer.store import Store


def sim_reply(body: dict[str, Any]) -> dict[str, Any]:
    """The simulated model's answer: two sentences picked, an empty composition (the points are
    then the best facts), a fixed headline."""
    system = body["messages"][0]["content"]
    if "numbered sentences" in system:
        content = json.dumps({"ids": [1, 2]})
    elif "one newspaper headline" in system:
        content = json.dumps({"title": "Officials said the report was released"})
    else:
        content = json.dumps({"title": "", "summary": [], "points": [], "disagreements": [], "open_questions": []})
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "sim",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}}


def serve(latency: float, port: Any) -> None:
    """The server, run in its own process: ``port`` (a shared value) gets the port it listens on."""
    calls: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def log_message(self, *args: Any) -> None:
            pass

        def reply(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # /v1/models
            self.reply({"object": "list", "data": [{"id": "sim", "object": "model", "owned_by": "bench"}]})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            time.sleep(latency)
            calls.append(time.monotonic())
            self.reply(sim_reply(body))

    class Server(ThreadingHTTPServer):
        request_queue_size = 1024  # 64 connections at once, and more
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    port.value = server.server_address[1]
    server.serve_forever()


def synthetic_day(n: int, per_story: int, seed: int = 5) -> list[Article]:
    rng = random.Random(seed)
    common = [f"w{i}" for i in range(300)]
    out = []
    for i in range(n):
        story = i // per_story
        own = [f"s{story}x{j}" for j in range(30)]
        sentences = []
        for _ in range(8):
            words = rng.sample(own, 6) + rng.sample(common, 8)
            rng.shuffle(words)
            sentences.append(" ".join(words).capitalize() + ".")
        text = f"Story {story} report {i}\n\n" + "\n\n".join(" ".join(sentences[k:k + 2]) for k in range(0, 8, 2))
        out.append(Article(id=i + 1, path=f"a{i}.txt", title=f"Story {story} report {i}", text=text + "\n"))
    return out


def synth_articles(n: int) -> list[Article]:
    from synthday import day
    return [Article(id=i + 1, path=f"a{i}.txt", title=a.title, text=a.text, outlet=a.outlet)
            for i, a in enumerate(day(n))]


class Counting(httpx2.AsyncBaseTransport):
    """Counts the chat requests by prompt (its system message's first words)."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.by_prompt: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.method == "POST":
            body = json.loads(await request.aread())
            system = body["messages"][0]["content"]
            self.by_prompt["pick" if "numbered sentences" in system else
                           "headline" if "one newspaper headline" in system else "compose"] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def run_once(url: str, articles: list[Article], concurrency: int,
                   store: Store) -> tuple[float, Any, Counter[str]]:
    config = ModelConfig(base_url=url, model="sim", api_key="x", structured="json_object", max_retries=0,
                         timeout=600)
    counting = Counting(httpx2.AsyncHTTPTransport(retries=0, limits=httpx2.Limits(
        max_connections=concurrency + 4, max_keepalive_connections=concurrency + 4)))
    transport = ExchangeTransport("off", inner=counting, base_url=url)
    client = ModelClient(config, transport)
    options = BuildOptions(concurrency=concurrency, select="always", max_chunks=10**7, max_story_articles=50)
    started = time.monotonic()
    try:
        result = await build(articles, client, load_prompts(), options)
    finally:
        await client.aclose()
    store.save_run(inputs=["synthetic"], model="sim", server=url, status="complete", articles=articles,
                   chunks=result.chunks, claims=result.claims, dropped=[], failures=[], briefing=result.briefing)
    return time.monotonic() - started, result, counting.by_prompt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=10000)
    ap.add_argument("--day", choices=["synth", "toy"], default="synth")
    ap.add_argument("--per-story", type=int, default=4)
    ap.add_argument("--latency", type=float, default=0.5)
    ap.add_argument("--concurrency", default="64")
    ap.add_argument("--own-only", action="store_true", help="only the build against the server with no latency")
    ap.add_argument("--gc-default", action="store_true",
                    help="Python's default collector pace, not the CLI's (SETTINGS.limits.gc_young)")
    args = ap.parse_args()
    if not args.gc_default:
        gc.set_threshold(SETTINGS.limits.gc_young, *gc.get_threshold()[1:])
    port, zero = multiprocessing.Value("i", 0), multiprocessing.Value("i", 0)
    procs = [multiprocessing.Process(target=serve, args=(lat, v), daemon=True)
             for lat, v in ((args.latency, port), (0.0, zero))]
    for p in procs:
        p.start()
    while not port.value or not zero.value:
        time.sleep(0.05)
    slow, fast = (f"http://127.0.0.1:{v.value}/v1" for v in (port, zero))
    articles = synth_articles(args.articles) if args.day == "synth" else synthetic_day(args.articles, args.per_story)
    print(f"{args.articles} articles ({args.day}), latency {args.latency}s per call")
    print(f"{'concurrency':>11} {'stories':>7} {'calls':>6} {'wall s':>7} {'own s':>6} {'own ms/art':>10} "
          f"{'ideal s':>7} {'ratio':>6} {'peak MB':>7} {'store MB':>8}")
    for c in (int(x) for x in args.concurrency.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            own, result, asked = asyncio.run(run_once(fast, articles, c, Store(Path(tmp) / "a.db")))
            wall, db = own, Path(tmp) / "a.db"
            if not args.own_only:
                wall, result, asked = asyncio.run(run_once(slow, articles, c, Store(Path(tmp) / "b.db")))
                db = Path(tmp) / "b.db"
            db_mb = db.stat().st_size / 2**20
        calls = sum(asked.values())
        # the stages one after the other: picks, compositions (a composition's headline call follows
        # it in the same task), the one-article items' headlines
        rounds = math.ceil(asked["pick"] / c) + math.ceil(asked["compose"] / c) + math.ceil(asked["headline"] / c)
        ideal = rounds * args.latency + own
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{c:>11} {len(result.briefing.stories):>7} {calls:>6} {wall:>7.1f} {own:>6.1f} "
              f"{own / len(articles) * 1000:>10.2f} {ideal:>7.1f} {wall / ideal:>6.3f} {peak:>7.0f} {db_mb:>8.1f}"
              f"  calls: {dict(asked)}", flush=True)
    for p in procs:
        p.terminate()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
