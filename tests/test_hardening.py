"""Every way a user, an input, a store or a server was seen to break the CLI: one clear line, the
documented exit code, what succeeded kept, inputs unchanged. (The model-reply faults are in
test_fault_matrix.py.)"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer import store as store_module
from summarizer.cli import main
from summarizer.settings import SETTINGS

from .fakeserver import MODEL, FakeServer, Fault

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = ROOT / "fixtures" / "seeds"
REPLAY = ["--replay", str(FIXTURES)]



def quick_store_timeout() -> object:
    """The settings with a locked store given up after 0.2 s instead of 30."""
    return SETTINGS.model_copy(update={"limits": SETTINGS.limits.model_copy(update={"store_busy_seconds": 0.2})})

def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "briefing: internal error" not in err, err
    return code, out, err


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    return lines[0]


def digest(path: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.rglob("*")) if p.is_file()}


# --- inputs -------------------------------------------------------------------------------


def _deep_json(p: Path) -> None:
    p.write_text("[" * 100_000 + "]" * 100_000)


def _deep_jsonl(p: Path) -> None:
    p.write_text('{"text": "fine"}\n' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "\n")


def _dev_zero(p: Path) -> None:
    p.symlink_to("/dev/zero")


def _fifo(p: Path) -> None:
    os.mkfifo(p)


def _huge(p: Path) -> None:
    with p.open("wb") as f:
        f.truncate(50_000_001)


@pytest.mark.parametrize(("name", "make", "reason"), [
    ("deep.json", _deep_json, "JSON nested too deeply"),
    ("deep.jsonl", _deep_jsonl, "deep.jsonl#2: JSON nested too deeply"),
    ("zero.txt", _dev_zero, "not a regular file (a character device)"),
    ("x.txt", _fifo, "not a regular file (a FIFO)"),
    ("huge.txt", _huge, "larger than 50 MB: not read"),
])
def test_a_bad_input_is_skipped_in_one_line_and_the_run_goes_on(
        name: str, make: object, reason: str, home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "in" / name
    bad.parent.mkdir()
    make(bad)  # type: ignore[operator]
    code, out, err = run(capsys, "build", "seeds/", str(bad), *REPLAY, "--format", "json", "--quiet")
    skipped = [ln for ln in err.splitlines() if ln.startswith("briefing: skipped")]
    assert len(skipped) == 1 and reason in skipped[0], err
    if name != "deep.jsonl":  # that file's first record is an article the seeds fixtures never saw
        assert code == 0, err
        assert len(json.loads(out)["points"]) >= 8


def test_twenty_megabytes_of_text_is_refused_before_any_call(home: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.txt"
    big.write_text(("The minister said the talks would go on. " * 24 + "\n\n") * 20_000)
    code, out, err = run(capsys, "build", str(big), *REPLAY, "--quiet")
    assert code == 1 and out == ""
    assert "over the limit of 400; nothing was sent (--max-chunks N to allow more)" in one_line(err)


def test_unusual_text_and_file_names_are_stored_and_shown(home: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "in"
    d.mkdir()
    seed = sorted(SEEDS.glob("*.txt"))[0].read_bytes()
    with open(os.fsencode(d) + b"/caf\xe9-\xff.txt", "wb") as f:  # a file name that is not UTF-8
        f.write(seed)
    record = {"title": "Lone \ud800 surrogate", "text": "A record with a lone surrogate \udfff in its text. " * 5}
    (d / "rec.json").write_text(json.dumps(record))  # json.dumps writes it as the escape \ud800
    with FakeServer() as server:
        code, out, err = run(capsys, "build", str(d), "--base-url", server.url, "--model", MODEL, "--format", "json",
                             "--quiet")
    assert code == 0, err
    doc = json.loads(out)
    paths = {s["path"] for s in doc["sources"]}
    assert str(d / "caf\\xe9-\\xff.txt") in paths  # the undecodable bytes shown, not lost
    assert any("\ufffd" in s["title"] for s in doc["sources"])
    code, out, _ = run(capsys, "runs", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 1  # the run was stored


# --- flags --------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["build", "seeds/", "--chunk-tokens", "1"],
    ["build", "seeds/", "--chunk-tokens", "15"],
    ["build", "seeds/", "--retries", "-1"],
    ["build", "seeds/", "--base-url", "http://[::1/v1", "--model", "m"],
    ["build", "seeds/", "--base-url", "ftp://example.test/v1", "--model", "m"],
    ["build", "seeds/", "--timeout", "0"],
    ["build", "seeds/", "--max-chunks", "0"],
    ["build", "seeds/", "--min-points", "9", "--max-points", "3"],
    ["ask", "--run", "99999999999999999999999", "Who?"],
    ["show", "99999999999999999999999"],
    ["ask", "--conversation", "-3", "Who?"],
    ["build", "seeds/", "--since", "200000000m"],  # past datetime's range: once an OverflowError traceback
    ["build", "seeds/", "--since", "5000000d"],
    ["build", "seeds/", "--since", "nanh"],
])
def test_a_bad_flag_is_a_usage_error(argv: list[str], home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1].startswith(("briefing", "usage")), err


def test_a_bad_server_url_in_the_environment_is_one_line(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BRIEFING_BASE_URL", "http://[::1/v1")
    code, _, err = run(capsys, "build", "seeds/", "--model", "m")
    assert code == 1
    assert "not an http(s) URL with a host" in one_line(err)


# --- the store ----------------------------------------------------------------------------


def _truncate(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])


def _zero(db: Path) -> None:
    db.write_bytes(bytes(db.stat().st_size))


def _flip(db: Path) -> None:
    data = bytearray(db.read_bytes())
    for i in range(0, 100):  # the header: magic string, page size, format numbers
        data[i] ^= 0x5A
    db.write_bytes(bytes(data))


@pytest.fixture
def built(home: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code, _, _ = run(capsys, "build", "seeds/", *REPLAY, "--quiet")
    assert code == 0
    return home / "briefing.db"


@pytest.mark.parametrize("damage", [_truncate, _zero, _flip])
def test_a_damaged_store_is_one_line_and_build_still_prints_the_briefing(
        damage: object, built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    damage(built)  # type: ignore[operator]
    before = built.read_bytes()
    for argv in (["runs"], ["show"], ["ask", "Who led the meeting?", "--replay", str(ROOT / "fixtures" / "ask")]):
        code, out, err = run(capsys, *argv)
        assert code == 1 and out == "", (argv, err)
        assert str(built) in one_line(err)
    code, out, err = run(capsys, "build", "seeds/", *REPLAY, "--quiet")
    assert code == 1
    assert out.startswith("# ")  # the briefing, printed although it could not be stored
    assert all(str(built) in ln for ln in err.splitlines()) and "not stored" in err
    assert built.read_bytes() == before  # nothing of the user's was overwritten


def test_a_damaged_run_is_one_line_and_never_blocks_a_build(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with sqlite3.connect(built) as db:
        db.execute("UPDATE runs SET briefing = '{not json' WHERE id = 1")
    for argv in (["show"], ["ask", "Who led the meeting?", "--replay", str(ROOT / "fixtures" / "ask")]):
        code, out, err = run(capsys, *argv)
        assert code == 1 and out == "", (argv, err)
        assert one_line(err).startswith("briefing: run 1 in the run store") and "is damaged" in err
    code, out, err = run(capsys, "build", "seeds/", *REPLAY, "--quiet")
    assert code == 0 and out.startswith("# ")  # built, compared with no earlier run, and stored
    assert one_line(err).startswith("briefing: warning: run 1 in the run store") and "no earlier run" in err
    code, out, _ = run(capsys, "show")
    assert code == 0 and out.startswith("# ")  # the new run


def test_ask_prints_its_answer_when_the_store_cannot_keep_it(built: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(store_module, "SETTINGS", quick_store_timeout())
    holder = sqlite3.connect(built)
    holder.execute("BEGIN IMMEDIATE")  # another writer: reading works, writing the turn does not
    try:
        code, out, err = run(capsys, "ask", "Who led the meeting?", "--replay", str(ROOT / "fixtures" / "ask"))
    finally:
        holder.rollback()
        holder.close()
    assert code == 1
    assert "Lecornu" in out  # the answer the model gave, printed
    assert "database is locked" in err and "the answer above was not stored" in err and "Traceback" not in err


def test_a_locked_store_waits_then_prints_the_briefing(built: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(store_module, "SETTINGS", quick_store_timeout())
    holder = sqlite3.connect(built)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, out, err = run(capsys, "build", "seeds/", *REPLAY, "--quiet")
        assert code == 1 and out.startswith("# ")
        assert "database is locked" in err
        code, _, err = run(capsys, "runs")
        assert code == 1 and "database is locked" in one_line(err)
    finally:
        holder.rollback()
        holder.close()
    code, out, _ = run(capsys, "runs", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 1  # the first run is intact


@pytest.mark.parametrize("where", ["file", "under-a-file"])
def test_an_unusable_home_is_one_line(where: str, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a-file"
    f.write_text("not a directory")
    monkeypatch.setenv("BRIEFING_HOME", str(f if where == "file" else f / "home"))
    code, _, err = run(capsys, "runs")
    assert code == 1 and "cannot open the run store" in one_line(err)
    code, out, err = run(capsys, "build", "seeds/", *REPLAY, "--quiet")
    assert code == 1 and out.startswith("# ") and "not stored" in err
    assert f.read_text() == "not a directory"


def test_a_question_that_is_not_utf8_is_answered_or_refused(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    question = b"\xff\xfe?".decode("utf-8", "surrogateescape")  # what Python makes of such argv bytes
    code, out, _ = run(capsys, "ask", question, "--replay", str(ROOT / "fixtures" / "ask"))
    assert code == 0 and out.startswith("The sources don't say")


# --- a failed answer ----------------------------------------------------------------------


def test_an_unusable_answer_is_one_line_in_ask_and_never_ends_chat(built: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(faults=[Fault("invalid-json", on=range(1, 100))]) as server:
        flags = ["--base-url", server.url, "--model", MODEL, "--retries", "0"]
        code, out, err = run(capsys, "ask", "Who led the meeting?", *flags)
        assert code == 4 and out == ""
        assert "no usable reply after 3 attempts" in one_line(err)
        env = {**os.environ, "BRIEFING_HOME": str(built.parent)}
        chat = subprocess.run([sys.executable, "-m", "summarizer", "chat", *flags],
                              input="Who led the meeting?\n/sources\n", capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=60)
    assert chat.returncode == 0, chat.stderr
    assert "no answer: answer: no usable reply" in chat.stderr
    assert "S1" in chat.stdout.split("no answer")[-1]  # the session went on to /sources
    assert "Traceback" not in chat.stderr


# --- -o -----------------------------------------------------------------------------------


def test_output_to_dev_null_leaves_the_device(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "build", "seeds/", *REPLAY, "-o", "/dev/null", "--quiet")
    assert code == 0, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_through_a_symlink_and_a_fifo(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "real.md"
    target.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    code, _, _ = run(capsys, "build", "seeds/", *REPLAY, "-o", str(link), "--quiet")
    assert code == 0
    assert link.is_symlink() and target.read_text().startswith("# ")

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    code, _, _ = run(capsys, "build", "seeds/", *REPLAY, "-o", str(fifo), "--quiet")
    reader.join(10)
    assert code == 0 and stat.S_ISFIFO(fifo.lstat().st_mode) and got[0].startswith("# ")


def test_output_to_a_regular_file_is_replaced_keeping_its_mode(home: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "brief.md"
    out.write_text("yesterday")
    out.chmod(0o640)
    code, _, _ = run(capsys, "build", "seeds/", *REPLAY, "-o", str(out), "--quiet")
    assert code == 0 and out.read_text().startswith("# ") and stat.S_IMODE(out.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_output_to_a_directory_is_refused_before_any_call(home: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "build", "seeds/", "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
                         "-o", str(tmp_path))
    assert code == 1 and out == ""
    assert "it is a directory" in one_line(err)
    assert not (home / "briefing.db").exists() or "[]" in run(capsys, "runs", "--format", "json")[1]


def test_output_that_cannot_be_written_keeps_the_stored_run(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "build", "seeds/", *REPLAY, "-o", "/dev/full", "--quiet")
    assert code == 1
    assert "No space left on device; the briefing is stored as run 1 (briefing show 1)" in one_line(err)
    code, out, _ = run(capsys, "show", "1")
    assert code == 0 and out.startswith("# ")


# --- secrets ------------------------------------------------------------------------------


def test_keys_are_never_stored_or_printed(home: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BRIEFING_API_KEY", "sk-test-SECRET-0001")
    with FakeServer(faults=[Fault("400-echo", on={2}, sticky=True)]) as server:
        url = server.url.replace("http://", "http://alice:pa55-SECRET-0002@") + "?api-key=SECRET-0003&v=2"
        code, out, err = run(capsys, "build", "seeds/", "--base-url", url, "--model", MODEL, "--concurrency", "1",
                             "--select", "always", "--retries", "0", "--format", "json")
    assert code == 3  # the echoing call failed; the rest is kept
    leaked = [s for s in ("sk-test-SECRET-0001", "pa55-SECRET-0002", "SECRET-0003")
              if s in out or s in err or any(s.encode() in p.read_bytes() for p in home.rglob("*") if p.is_file())]
    assert leaked == []
    assert "***" in err  # the echoed key, redacted where the error is reported
    db = sqlite3.connect(home / "briefing.db")
    (server_url,) = db.execute("SELECT server FROM runs").fetchone()
    assert server_url.startswith("http://127.0.0.1:") and server_url.endswith("/v1?v=2")


def test_a_key_echoed_in_a_good_reply_is_not_cached(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BRIEFING_API_KEY", "sk-test-SECRET-0004")
    with FakeServer(faults=[Fault("200-echo", on=set(range(1, 50)), sticky=True)]) as server:
        code, _, err = run(capsys, "build", "seeds/", "--base-url", server.url, "--model", MODEL, "--quiet")
    assert code == 0, err
    cached = [p for p in (home / "cache").rglob("*.json")]
    assert cached and all(b"SECRET-0004" not in p.read_bytes() for p in cached)
    assert any(b"served for Bearer ***" in p.read_bytes() for p in cached)  # scrubbed, the rest kept


def test_inputs_are_unchanged_by_every_case_above(home: Path, capsys: pytest.CaptureFixture[str]) -> Iterator[None]:
    before = digest(SEEDS) | digest(FIXTURES)
    for argv in (["build", "seeds/", *REPLAY, "-o", "seeds"], ["build", "seeds/", *REPLAY, "-o", "/dev/null"]):
        run(capsys, *argv)
    assert digest(SEEDS) | digest(FIXTURES) == before
    return None


def _fifo(cache: Path, good: Path) -> None:
    os.mkfifo(cache / "a-fifo.json")  # reading it would wait for a writer for ever


def _device(cache: Path, good: Path) -> None:
    (cache / "a-device.json").symlink_to("/dev/zero")  # reading it would never end


def _no_responses(cache: Path, good: Path) -> None:
    data = json.loads(good.read_text())
    good.write_text(json.dumps({**data, "responses": []}))


def _bad_status(cache: Path, good: Path) -> None:
    data = json.loads(good.read_text())
    good.write_text(json.dumps({**data, "responses": [{"status": "abc", "body": {}}]}))


def _cached_500(cache: Path, good: Path) -> None:
    data = json.loads(good.read_text())
    good.write_text(json.dumps({**data, "responses": [{"status": 500, "body": {"error": {"message": "x"}}}]}))


@pytest.mark.parametrize("damage", [_fifo, _device, _no_responses, _bad_status, _cached_500])
def test_a_damaged_cache_file_is_a_miss_and_the_build_asks_again(damage: object, home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env["BRIEFING_HOME"] = str(home)
    with FakeServer() as server:
        argv = [sys.executable, "-m", "summarizer", "build", "seeds/", "--base-url", server.url, "--model", MODEL,
                "--format", "json", "-q"]
        first = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        (good,) = [f for f in (home / "cache").glob("synthesize-*.json")]
        damage(home / "cache", good)  # type: ignore[operator]
        server.healthy()
        again = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["points"] == json.loads(first.stdout)["points"]
    assert len(server.requests) == (0 if damage in (_fifo, _device) else 1)  # only what was damaged is asked


def test_ten_thousand_records_are_refused_before_any_work(home: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    many = tmp_path / "many.jsonl"
    many.write_text("".join(json.dumps({"title": f"Item {i}", "text": f"Item {i} happened today. It was noted."})
                            + "\n" for i in range(10_000)))
    code, out, err = run(capsys, "build", str(many), *REPLAY, "--quiet")
    assert code == 1 and out == ""
    assert one_line(err).startswith("briefing: the input makes at least 10,000 chunks (model calls), over the limit")


def test_ten_thousand_urls_are_refused_before_any_fetch(home: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    sources = tmp_path / "sources.txt"
    sources.write_text("".join(f"http://127.0.0.1:9/a/{i}.html\n" for i in range(10_000)))
    code, out, err = run(capsys, "build", "--sources", str(sources), "--quiet")
    assert code == 1 and out == ""
    assert one_line(err).startswith("briefing: 10,000 URLs to read, over the limit of 400")
    assert "nothing was fetched" in err


def test_a_full_standard_output_is_named_as_such(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFING_"))}
    env["BRIEFING_HOME"] = str(home)
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "summarizer", "build", "seeds/", *REPLAY, "--quiet"],
                              cwd=ROOT, env=env, stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.startswith("briefing: cannot write standard output: No space left on device")
    assert "None" not in proc.stderr and "run 1 (briefing show 1)" in proc.stderr


def test_an_input_with_no_sentence_is_nothing_to_build(home: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    words = tmp_path / "menu.txt"
    words.write_text("Home\n\nNews\n\nSport\n")
    code, out, err = run(capsys, "build", str(words), *REPLAY, "--quiet")
    assert code == 1 and out == ""
    assert one_line(err).startswith("briefing: nothing to build: none of the 1 article(s) has a sentence")
    code, _, err = run(capsys, "show")
    assert code == 1 and "no runs yet" in err  # nothing stored
