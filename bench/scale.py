"""Benchmark: does a day's build use the server's concurrency? A 200-article day against an
OpenAI-compatible server on 127.0.0.1 that answers every call after a fixed latency.

    python bench/scale.py [--articles 200] [--per-story 4] [--latency 0.5] [--concurrency 1,4,16]

The day is synthetic (stories of ``--per-story`` articles drawn from their own vocabulary, so the
grouping is known); every article gets a sentence-picking call (``--select always``) and every
story a composition call. For each concurrency it prints the calls, the wall time of the whole
build (in this process, cache off) and the ratio to the ideal, (calls ÷ concurrency) × latency —
the extraction and composition stages are waited for one after the other, so the ideal counts each
stage's calls rounded up to whole rounds as well.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.client import ModelClient, ModelConfig
from summarizer.exchanges import ExchangeTransport
from summarizer.models import Article
from summarizer.pipeline import build
from summarizer.plan import BuildOptions
from summarizer.prompts import load_prompts


def serve(latency: float) -> tuple[ThreadingHTTPServer, list[float]]:
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
            system = body["messages"][0]["content"]
            content = (json.dumps({"ids": [1, 2]}) if "numbered sentences" in system
                       else json.dumps({"title": "", "summary": [], "points": [], "disagreements": [],
                                        "open_questions": []}))
            self.reply({"id": "x", "object": "chat.completion", "created": 0, "model": "sim",
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": content}}],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110}})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, calls


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


async def run_once(url: str, articles: list[Article], concurrency: int) -> tuple[float, int, int]:
    config = ModelConfig(base_url=url, model="sim", api_key="x", structured="json_object", max_retries=0,
                         timeout=120)
    client = ModelClient(config, ExchangeTransport("off", inner=httpx2.AsyncHTTPTransport(retries=0), base_url=url))
    options = BuildOptions(concurrency=concurrency, select="always", max_chunks=1000)
    started = time.monotonic()
    try:
        result = await build(articles, client, load_prompts(), options)
    finally:
        await client.aclose()
    return time.monotonic() - started, client.usage.calls, result.briefing.stats.stories if result.briefing.stats else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--per-story", type=int, default=4)
    ap.add_argument("--latency", type=float, default=0.5)
    ap.add_argument("--concurrency", default="1,4,16")
    args = ap.parse_args()
    server, _ = serve(args.latency)
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    articles = synthetic_day(args.articles, args.per_story)
    print(f"{args.articles} articles, latency {args.latency}s per call")
    print(f"{'concurrency':>11} {'stories':>7} {'calls':>5} {'wall s':>7} {'ideal s':>7} {'ratio':>6}")
    for c in (int(x) for x in args.concurrency.split(",")):
        wall, calls, stories = asyncio.run(run_once(url, articles, c))
        extract = calls - stories
        ideal = (math.ceil(extract / c) + math.ceil(stories / c)) * args.latency
        print(f"{c:>11} {stories:>7} {calls:>5} {wall:>7.1f} {ideal:>7.1f} {wall / ideal:>6.3f}")
    server.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
