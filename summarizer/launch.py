"""The ``briefing`` command's entry point, kept free of heavy imports.

Loading the program (openai, pydantic, httpx, ...) takes about half a second. A Ctrl-C in that
time ends the program quietly with exit 130, as it does later, instead of printing the traceback
of whichever import it interrupted.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

EXIT_INTERRUPTED = 130


def _quiet(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(EXIT_INTERRUPTED)


def main(argv: list[str] | None = None) -> int:
    previous = signal.signal(signal.SIGINT, _quiet)
    try:
        from .cli import main as run
    finally:
        signal.signal(signal.SIGINT, previous)
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
