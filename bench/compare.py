"""One server, the same articles: the one-prompt summary baseline, LangChain's map-reduce chain
(when langchain-classic is installed), and `briefing build` with no cache. Prints wall time, calls,
tokens in/out, citations and exact spans, and the ratios to each baseline.

    python bench/compare.py seeds/                      # the embedded local model, started once
    python bench/compare.py seeds/ --langchain-python /tmp/lc/bin/python   # with LangChain's chain
    python bench/compare.py seeds/ --base-url http://localhost:8080/v1 --model any

Run nothing else on the model meanwhile: on 2 cores a second job halves every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from openai import OpenAI

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.ingest import load_inputs  # noqa: E402
from summarizer.local import DEFAULT_MODEL_NAME, local_server  # noqa: E402

ONE_PROMPT = ("Write a briefing of these news articles for a busy reader: a title, a two-sentence summary and "
              "the key points. Cite the articles as [n] after each statement.\n\n{articles}")


def one_prompt(client: OpenAI, model: str, texts: list[str]) -> dict[str, object]:
    articles = "\n\n".join(f"[{n}] {t}" for n, t in enumerate(texts, start=1))
    started = time.monotonic()
    r = client.chat.completions.create(model=model, temperature=0, max_tokens=900,
                                       messages=[{"role": "user", "content": ONE_PROMPT.format(articles=articles)}])
    wall = time.monotonic() - started
    text = r.choices[0].message.content or ""
    return {"name": "one prompt", "wall": wall, "calls": 1, "in": r.usage.prompt_tokens if r.usage else 0,
            "out": r.usage.completion_tokens if r.usage else 0,
            "citations": len(re.findall(r"\[\d+\]", text)), "exact": "n/a (article numbers only)"}


LANGCHAIN = r"""
import json, sys, time
from langchain_classic.chains.summarize import load_summarize_chain
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.documents import Document
from langchain_openai import ChatOpenAI
from langchain_text_splitters import RecursiveCharacterTextSplitter

base_url, model, texts = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
llm = ChatOpenAI(base_url=base_url, api_key="not-needed", model=model, temperature=0, timeout=1800)
docs = RecursiveCharacterTextSplitter(chunk_size=3000).split_documents([Document(page_content=t) for t in texts])
calls = {"n": 0, "in": 0, "out": 0}

class Count(BaseCallbackHandler):
    def on_llm_end(self, response, **_):
        calls["n"] += 1
        usage = (response.llm_output or {}).get("token_usage") or {}
        calls["in"] += usage.get("prompt_tokens", 0)
        calls["out"] += usage.get("completion_tokens", 0)

started = time.monotonic()
load_summarize_chain(llm, chain_type="map_reduce").invoke({"input_documents": docs}, config={"callbacks": [Count()]})
print(json.dumps({"wall": time.monotonic() - started, **calls}))
"""


def langchain(python: str, base_url: str, model: str, texts: list[str]) -> dict[str, object] | None:
    """LangChain's map-reduce summary (langchain-classic), run by ``python`` (an environment that
    has langchain-classic, langchain-openai and langchain-text-splitters)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(texts, f)
    done = subprocess.run([python, "-c", LANGCHAIN, base_url, model, f.name], capture_output=True, text=True)
    os.unlink(f.name)
    if done.returncode != 0:
        print(f"(LangChain map-reduce failed: {done.stderr.strip()[-300:]})", file=sys.stderr)
        return None
    r = json.loads(done.stdout.strip().splitlines()[-1])
    return {"name": "LangChain map-reduce", "wall": r["wall"], "calls": r["n"], "in": r["in"], "out": r["out"],
            "citations": 0, "exact": "n/a"}


def briefing(paths: list[str], base_url: str, model: str, structured: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as home:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "OPENAI_"))},
               "BRIEFING_HOME": home}
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "summarizer", "build", *paths, "--base-url", base_url,
                               "--model", model, "--structured", structured, "--concurrency", "1", "--no-cache",
                               "--format", "json", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.monotonic() - started
    if done.returncode not in (0, 3):
        raise SystemExit(f"briefing build failed ({done.returncode}): {done.stderr}")
    doc = json.loads(done.stdout)
    articles, _ = load_inputs(paths)
    texts = {a.id: a.text for a in articles}
    cites = [c for p in doc["points"] + doc["summary_sentences"] for c in p["citations"]]
    cites += [c for d in doc["disagreements"] for p in d["positions"] for c in p["citations"]]
    exact = sum(texts[c["source"]][c["start"] : c["end"]] == c["quote"] for c in cites)
    st = doc["stats"]
    return {"name": "briefing build", "wall": wall, "calls": st["calls"], "in": st["tokens_in"],
            "out": st["tokens_out"], "citations": len(cites), "exact": f"{exact}/{len(cites)}",
            "points": len(doc["points"]), "multi": st["multi_source_points"],
            "disagreements": len(doc["disagreements"])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--base-url")
    ap.add_argument("--model", default=DEFAULT_MODEL_NAME)
    ap.add_argument("--structured", default="gbnf")
    ap.add_argument("--langchain-python", metavar="PYTHON",
                    help="an interpreter with langchain-classic, langchain-openai and langchain-text-splitters "
                         "(e.g. a separate venv's bin/python): adds LangChain's map-reduce chain")
    args = ap.parse_args()
    articles, _ = load_inputs(args.paths)
    texts = [a.text for a in articles]
    server = nullcontext(args.base_url) if args.base_url else local_server(None, alias=args.model,
                                                                           log=lambda m: print(m, file=sys.stderr))
    with server as url:
        client = OpenAI(base_url=url, api_key="not-needed", timeout=1800)
        rows = [one_prompt(client, args.model, texts)]
        lc = langchain(args.langchain_python, url, args.model, texts) if args.langchain_python else None
        if lc:
            rows.append(lc)
        elif not args.langchain_python:
            print("(LangChain map-reduce skipped: --langchain-python PYTHON to add it)", file=sys.stderr)
        rows.append(briefing(args.paths, url, args.model, args.structured))
    print(f"{len(articles)} articles, model {args.model}, one server")
    print(f"{'':<22}{'wall s':>8}{'calls':>7}{'tokens in':>11}{'out':>7}  citations  exact spans")
    for r in rows:
        print(f"{r['name']:<22}{r['wall']:>8.1f}{r['calls']:>7}{r['in']:>11,}{r['out']:>7,}  "
              f"{r['citations']:>9}  {r['exact']}")
    b = rows[-1]
    for base in rows[:-1]:
        print(f"briefing build / {base['name']}: {b['wall'] / base['wall']:.2f}x wall, "  # type: ignore[operator]
              f"{b['out'] / max(1, base['out']):.2f}x generated tokens")  # type: ignore[operator]
    print(f"briefing: {b['points']} points, {b['multi']} multi-outlet, {b['disagreements']} disagreements")


if __name__ == "__main__":
    main()
