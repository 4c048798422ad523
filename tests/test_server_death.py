"""A model server that dies, or drops a request, is said to have done so: never "the server is
down, or --base-url is wrong"."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from types import FrameType

import httpx2
import pytest

from summarizer.cli import install_signal_handlers, lands_in_own_code, main
from summarizer.client import ModelClient, ModelConfig
from summarizer.exchanges import ExchangeTransport
from summarizer.ingest import load_inputs
from summarizer.local import LocalServerCrashed, OnDemand, StartFirst, stop
from summarizer.models import Fact, Span
from summarizer.pipeline import build
from summarizer.plan import BuildOptions
from summarizer.prompts import load_prompts
from summarizer.selection import fit_budget

from .loopback import HTTPLoopback, RawLoopback

ROOT = Path(__file__).resolve().parent.parent

# An OpenAI-compatible server that answers /v1/models and dies by ``signal`` at the first chat
# request, as llama.cpp's repacked AMX kernels made the embedded server do.
DYING_SERVER = textwrap.dedent("""
    import http.server, json, os, signal, sys
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = json.dumps({"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "me"}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            print("decode: about to die", flush=True)
            os.kill(os.getpid(), getattr(signal, sys.argv[2]))
        def log_message(self, *args):
            pass
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
""")


@pytest.fixture
def dying(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[OnDemand]:
    """The embedded server's stand-in: an OnDemand whose process is the dying server."""
    server = OnDemand(None, "m", lambda _m: None)
    log = tmp_path / "llama-server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", DYING_SERVER, str(server.port), request.param],
                                stdout=out, stderr=subprocess.STDOUT)
    server.watch.proc, server.watch.log_path, server.started = proc, log, True
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", server.port)) == 0:
                break
        assert time.monotonic() < deadline, "the stand-in server did not start"
        time.sleep(0.05)
    yield server
    stop(proc)


def client_for(server: OnDemand) -> ModelClient:
    transport = ExchangeTransport("off", inner=StartFirst(httpx2.AsyncHTTPTransport(retries=0), server),
                                  base_url=server.url)
    return ModelClient(ModelConfig(model="m", base_url=server.url, structured="gbnf", max_retries=2), transport)


@pytest.mark.parametrize(("dying", "words"), [("SIGSEGV", "crashed (SIGSEGV)"), ("SIGKILL", "was killed (SIGKILL)")],
                         indirect=["dying"])
def test_a_build_whose_embedded_server_dies_says_so_and_names_its_log(dying: OnDemand, words: str) -> None:
    articles, _ = load_inputs([str(ROOT / "seeds")])
    client = client_for(dying)

    async def go() -> None:
        try:
            await build(articles, client, load_prompts(), BuildOptions())
        finally:
            await client.aclose()

    with pytest.raises(LocalServerCrashed) as caught:
        asyncio.run(go())
    message = str(caught.value)
    assert message.startswith(f"the local model server {words} at its first request; its log: ")
    assert str(dying.watch.log_path) in message
    assert "decode: about to die" in dying.watch.log_path.read_text()  # the log named is the one it wrote
    assert "--base-url" not in message and "is down" not in message


def dropping_server() -> RawLoopback:
    """A server that accepts each connection, reads the request and closes without answering."""

    def drop(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(2)
            with contextlib.suppress(OSError):
                conn.recv(65536)

    return RawLoopback(drop)


def test_a_server_that_drops_the_request_is_not_called_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    with dropping_server() as server:
        code = main(["build", str(ROOT / "seeds"), "--base-url", server.url, "--model", "m", "--retries", "0",
                     "--quiet"])
    out, err = capsys.readouterr()
    assert code == 4 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("briefing: the model server closed the connection without answering")
    assert len(server.connections) >= 1


def status_server(status: int, message: str) -> HTTPLoopback:
    """A server that answers every request with one HTTP error status."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            data = json.dumps({"error": {"message": message, "type": "invalid_request_error"}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    return HTTPLoopback(Handler)


@pytest.mark.parametrize(("status", "words"), [
    (401, "the model server rejected the key (HTTP 401): set BRIEFING_API_KEY or OPENAI_API_KEY"),
    (403, "the model server refused the request (HTTP 403"),
    (404, "no such endpoint or model on the model server (HTTP 404"),
])
@pytest.mark.parametrize("select", ["auto", "always"])  # a composition call, or picking calls first
def test_a_wrong_key_path_or_model_is_a_configuration_error_and_stores_no_run(
        status: int, words: str, select: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BRIEFING_API_KEY", "sk-wrong-key-0123456789")
    with status_server(status, "Incorrect API key provided" if status == 401 else "not here") as server:
        code = main(["build", str(ROOT / "seeds"), "--base-url", server.url, "--model", "m", "--select", select,
                     "--quiet"])
    out, err = capsys.readouterr()
    assert code == 4 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"briefing: {words}")
    assert "sk-wrong-key" not in err and "partial" not in err
    main(["runs"])
    assert "no runs yet" in capsys.readouterr().err


def default_signals() -> None:
    """In the child, before the program starts: Ctrl-C and Ctrl-\\ as a terminal delivers them. A
    test run started in the background (``cmd &`` in a script) ignores them, and a child inherits
    that, so the signal under test would never arrive."""
    for sig in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT])
def test_a_terminal_closed_or_a_stop_signal_ends_the_run_cleanly(sig: signal.Signals, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env["BRIEFING_HOME"] = str(tmp_path / "home")
    # A server that accepts and never answers: a model busy with something long.
    with RawLoopback(lambda _conn: None) as server:
        proc = subprocess.Popen([sys.executable, "-m", "summarizer", "build", str(ROOT / "seeds"), "--base-url",
                                 server.url, "--model", "m", "--structured", "json_schema", "--retries", "0"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=default_signals)
        deadline = time.monotonic() + 30
        while not server.connections and time.monotonic() < deadline:  # the composition call, in flight
            time.sleep(0.05)
        assert server.connections, "the build never reached the server"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and out == ""
    assert "interrupted after" in err and "Traceback" not in err


def test_ctrl_c_stops_cpu_bound_work_at_once() -> None:
    """asyncio.run's own SIGINT handler only cancels the running task, at its next await: a
    CPU-bound stage (merging a 40-article story took 16 s) ignored Ctrl-C until it was done. The
    handlers the command installs raise at once, inside the loop."""
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    done: list[int] = []

    async def merge_a_big_story() -> None:  # no await inside: pure CPU work
        os.kill(os.getpid(), signal.SIGINT)
        for i in range(2_000_000):
            if i % 100_000 == 0:
                done.append(i)

    try:
        install_signal_handlers()
        with pytest.raises(KeyboardInterrupt):
            asyncio.run(merge_a_big_story())
        assert len(done) < 20  # stopped inside the loop, not after it
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def interpreter_start(env: dict[str, str]) -> float:
    """How long this interpreter takes to start (site and its .pth files) before it runs any of
    the program's code: no program can be quiet about a Ctrl-C before its first line runs, and a
    Ctrl-C within about 0.03 s after that start is lost or fatal inside the interpreter's own
    startup (seen on one machine: exit 0 or "Fatal Python error: init_import_site"). On these
    machines 0.05 to 0.06 s; loading the program takes about 0.3 s more."""
    began = time.monotonic()
    subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
    return time.monotonic() - began


@pytest.mark.parametrize("after", [0.1, 0.2, 0.3])  # seconds after the interpreter has started
def test_ctrl_c_while_the_program_loads_is_quiet(after: float, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env["BRIEFING_HOME"] = str(tmp_path / "home")
    delay = interpreter_start(env) + after
    proc = subprocess.Popen([sys.executable, "-m", "summarizer", "build", str(ROOT / "seeds"), "--replay",
                             str(ROOT / "fixtures" / "seeds")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=default_signals)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


STOPPED_IN_A_TASK = """
import asyncio, gc, os, signal, sys
from summarizer.cli import install_signal_handlers
from summarizer.launch import run_async
install_signal_handlers()
async def child():
    await asyncio.sleep(0)
    os.kill(os.getpid(), signal.SIGHUP)
    for _ in range(10**6):
        pass
async def work():
    await asyncio.gather(child(), asyncio.sleep(5))
try:
    run_async(work())
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
gc.collect()
"""


STOPPED_IN_OWN_CODE = """
import asyncio, os, signal, sys, threading
from summarizer.cli import install_signal_handlers
from summarizer.evaluate import rouge_l
from summarizer.launch import run_async
install_signal_handlers()
text = " ".join(f"w{i % 97}" for i in range(4000))
async def child():
    await asyncio.sleep(0)
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGHUP)).start()
    rouge_l(text, text)  # seconds of the program's own CPU-bound code, no await
    print("finished", file=sys.stderr)
async def work():
    await asyncio.gather(child(), asyncio.sleep(30))
try:
    run_async(work())
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
"""


@pytest.mark.parametrize("script", [STOPPED_IN_A_TASK, STOPPED_IN_OWN_CODE])
def test_a_stop_signal_inside_a_task_prints_no_traceback(script: str) -> None:
    """A stop signal that lands inside one of the build's tasks (the flaky CI case): asyncio kept
    the interrupt in that task too and printed "Task exception was never retrieved" with a
    traceback after the one line. ``run_async`` keeps it quiet, whether the signal cancels the
    task (it landed outside the program's code) or raises in the program's CPU-bound code, which
    then stops at once ("finished" is never printed)."""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.stderr == "interrupted\n"


def test_a_signal_raises_in_the_programs_own_code_and_cancels_elsewhere() -> None:
    """Where a stop signal lands decides what it does (``cli.lands_in_own_code``): in the
    program's code (or what it calls) it raises at once; in the event loop or a network library
    (anyio's connect: a traceback in one run in ten) the running task is cancelled instead."""
    frames: dict[str, FrameType] = {}

    def cost(_fact: object) -> int:
        frames["called from the program"] = sys._getframe(1)  # selection.fit_budget's frame
        frames["a callback of the program's"] = sys._getframe(0)
        return 1

    said = "One two three four five six seven."
    fit_budget([Fact(id="F1", text=said, citations=[Span(source=1, start=0, end=len(said), quote=said)])], 10, cost)

    async def in_the_loop() -> None:
        asyncio.get_running_loop().call_soon(lambda: frames.setdefault("the event loop", sys._getframe(1)))
        await asyncio.sleep(0.01)

    asyncio.run(in_the_loop())
    assert lands_in_own_code(frames["called from the program"])
    assert lands_in_own_code(frames["a callback of the program's"])  # the program's frame is further out
    assert not lands_in_own_code(frames["the event loop"])
    assert not lands_in_own_code(sys._getframe(0))  # a test: no frame of the program at all
    assert not lands_in_own_code(None)
