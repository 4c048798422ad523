"""Shared fixtures, and two guards on every test: no internal error, no hang."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from summarizer.cli import INTERNAL_ERRORS

ROOT = Path(__file__).resolve().parent.parent
# A test that runs longer than this has hung (the slowest replayed test takes under 25 s here);
# one that runs the real embedded model gets the longer limit.
HANG_SECONDS = 180
MODEL_HANG_SECONDS = 1800


class Hang(Exception):
    pass


def _hung(_signum: int, _frame: FrameType | None) -> None:
    raise Hang("the test ran past its time limit: a hang")


@pytest.fixture(autouse=True)
def no_internal_error_nor_hang(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every command a test runs ends in a documented exit code, never "internal error" (exit
    70), and no test waits for ever."""
    before = len(INTERNAL_ERRORS)
    limit = MODEL_HANG_SECONDS if request.node.get_closest_marker("local_model") else HANG_SECONDS
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.alarm(limit)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert INTERNAL_ERRORS[before:] == [], "the command ended in an internal error (exit 70)"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh BRIEFING_HOME, no model configured by the environment, the repository as cwd."""
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_API_KEY", "BRIEFING_BASE_URL", "BRIEFING_MODEL",
                "BRIEFING_STRUCTURED"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(ROOT)
    return tmp_path / "home"
