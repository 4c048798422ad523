"""Hand-made fault fixtures: what a server does when things go wrong.

These are the only hand-written exchanges in fixtures/ (their file names start with "fault-").
Each holds the exact request the client makes for a small fixed probe prompt and the faulty
response(s) a server could give. Regenerate them after changing the request shape with:

    python -m tests.faults
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from summarizer.client import ModelClient, ModelConfig, reask_messages
from summarizer.exchanges import Exchange, ExchangeTransport, canonical_key
from summarizer.parsing import InvalidOutput, parse_reply
from summarizer.prompts import parse_prompt

FAULTS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "faults"
MODEL = "fault-probe-model"
MAX_TOKENS = 64


class Answer(BaseModel):
    answer: str


PROBE = parse_prompt(
    "probe",
    Path("tests/faults.py"),
    "=== system ===\nAnswer from the text. Reply with JSON.\n=== user ===\n{{question}}\n",
)
GOOD = '{"answer": "The talks took place at NATO headquarters in Brussels."}'


def probe_client(mode: str = "json_object", replay_dir: Path | None = None) -> ModelClient:
    transport = ExchangeTransport("replay", replay_dir=replay_dir or FAULTS_DIR)
    return ModelClient(ModelConfig(model=MODEL, base_url="http://replay.invalid/v1", structured=mode,
                                   max_retries=2, reasks=2), transport)


def completion(content: str, finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-fault", "object": "chat.completion", "created": 0, "model": MODEL,
        "choices": [{"index": 0, "finish_reason": finish,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 12, "total_tokens": 32},
    }


def ok(content: str = GOOD) -> dict[str, Any]:
    return {"status": 200, "body": completion(content)}


def request(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
    client = probe_client()
    messages = PROBE.render(question=question) + (history or [])
    return client.request_for("json_object", messages, Answer, MAX_TOKENS)


def reask_history(bad: str, finish: str = "stop", attempt: int = 2) -> list[dict[str, str]]:
    """What the client appends for re-ask number ``attempt`` (of 3) after the reply ``bad``."""
    try:
        parse_reply(bad, finish, Answer)
    except InvalidOutput as exc:
        return reask_messages([], bad, exc, attempt, 3)
    raise AssertionError("not a fault")


def exchange(name: str, question: str, responses: list[dict[str, Any]],
             history: list[dict[str, str]] | None = None) -> tuple[str, Exchange]:
    body = request(question, history)
    prompt = f"{PROBE.name}@{PROBE.sha}"
    key = canonical_key("chat/completions", body, prompt)
    return name, Exchange(key=key, endpoint="chat/completions", prompt=prompt, request=body, responses=responses,
                          meta={"hand_made": "fault fixture, see tests/faults.py"})


# question -> what the fault is; each test asks one of these questions.
QUESTIONS = {
    "invalid-json": "Where did the talks take place? (fault: invalid JSON, then a good reply)",
    "schema-violation": "Where did the talks take place? (fault: wrong fields, then a good reply)",
    "truncated": "Where did the talks take place? (fault: cut off at max_tokens; not asked again)",
    "rate-limited": "Where did the talks take place? (fault: HTTP 429 with Retry-After, then a good reply)",
    "server-error": "Where did the talks take place? (fault: HTTP 500, then a good reply)",
    "server-down": "Where did the talks take place? (fault: HTTP 500 on every try)",
    "always-invalid": "Where did the talks take place? (fault: invalid JSON on every try)",
}


def build() -> list[tuple[str, Exchange]]:
    q = QUESTIONS
    bad_json = '{"answer": "The talks took place at NATO'
    bad_schema = '{"city": "Brussels"}'
    cut = '{"answer": "The talks took place at NATO headquarters in'
    err500 = {"status": 500, "headers": {"retry-after-ms": "5"},
              "body": {"error": {"message": "internal error", "type": "server_error"}}}
    return [
        exchange("fault-invalid-json-1", q["invalid-json"], [ok(bad_json)]),
        exchange("fault-invalid-json-2", q["invalid-json"], [ok()], reask_history(bad_json)),
        exchange("fault-schema-violation-1", q["schema-violation"], [ok(bad_schema)]),
        exchange("fault-schema-violation-2", q["schema-violation"], [ok()], reask_history(bad_schema)),
        exchange("fault-truncated-1", q["truncated"], [{"status": 200, "body": completion(cut, "length")}]),
        exchange("fault-429-then-ok", q["rate-limited"], [
            {"status": 429, "headers": {"retry-after": "0"},
             "body": {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}}},
            ok(),
        ]),
        exchange("fault-500-then-ok", q["server-error"], [err500, ok()]),
        exchange("fault-500-always", q["server-down"], [err500]),
        exchange("fault-invalid-json-always-1", q["always-invalid"], [ok(bad_json)]),
        exchange("fault-invalid-json-always-2", q["always-invalid"], [ok(bad_json)], reask_history(bad_json)),
        exchange("fault-invalid-json-always-3", q["always-invalid"], [ok(bad_json)],
                 reask_history(bad_json, attempt=3)),
    ]


def write(directory: Path = FAULTS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("fault-*.json"):
        old.unlink()
    paths = []
    for name, ex in build():
        path = directory / f"{name}.json"
        path.write_text(ex.to_json(), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write():
        print(p)
    print(json.dumps({"written": len(build())}))
