"""Where the model is: flags, then BRIEFING_* variables, then OPENAI_* variables, then the
embedded local model. Pure: the environment is passed in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .local import DEFAULT_MODEL_NAME
from .sanitize import is_http_url, scrub_url

OPENAI_URL = "https://api.openai.com/v1"
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
REPLAY_URL = "http://replay.invalid/v1"


@dataclass(frozen=True)
class Target:
    model: str
    base_url: str | None  # None: start the embedded local server
    api_key: str
    structured: str
    local_gguf: Path | None  # with base_url None: None means the default model
    concurrency: int

    @property
    def local(self) -> bool:
        return self.base_url is None


def resolve_target(
    env: Mapping[str, str],
    *,
    model: str | None = None,
    base_url: str | None = None,
    gguf: str | None = None,
    structured: str | None = None,
    concurrency: int | None = None,
    replay: bool = False,
) -> Target:
    key = env.get("BRIEFING_API_KEY") or env.get("OPENAI_API_KEY") or ""
    url = base_url or env.get("BRIEFING_BASE_URL") or env.get("OPENAI_BASE_URL") or None
    chosen_model = model or env.get("BRIEFING_MODEL") or None
    mode = structured or env.get("BRIEFING_STRUCTURED") or None
    local_gguf = Path(gguf).expanduser() if gguf else None

    if url is not None and not is_http_url(url):
        raise ValueError(f"the server URL is not an http(s) URL with a host: {scrub_url(url)!r}")
    if local_gguf is None and url is None and key:
        url = OPENAI_URL  # a key and nothing else: OpenAI itself
    if local_gguf is not None or url is None:
        # The embedded local model (or a GGUF of the user's), served by llama-cpp-python.
        name = chosen_model or (local_gguf.stem if local_gguf else DEFAULT_MODEL_NAME)
        return Target(model=name, base_url=REPLAY_URL if replay else None, api_key="not-needed",
                      structured=mode or "gbnf", local_gguf=local_gguf,
                      concurrency=concurrency or 1)
    name = chosen_model or (OPENAI_DEFAULT_MODEL if url == OPENAI_URL else "")
    if not name:
        raise ValueError("--model (or BRIEFING_MODEL) is required with a custom --base-url")
    return Target(model=name, base_url=REPLAY_URL if replay else url.rstrip("/"), api_key=key or "not-needed",
                  structured=mode or "auto", local_gguf=None, concurrency=concurrency or 4)
