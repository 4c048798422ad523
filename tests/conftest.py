"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh BRIEFING_HOME, no model configured by the environment, the repository as cwd."""
    monkeypatch.setenv("BRIEFING_HOME", str(tmp_path / "home"))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_API_KEY", "BRIEFING_BASE_URL", "BRIEFING_MODEL",
                "BRIEFING_STRUCTURED"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(ROOT)
    return tmp_path / "home"
