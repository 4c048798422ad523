"""The ``briefing`` command's entry point, kept free of heavy imports.

Loading the program (openai, pydantic, httpx, ...) takes about half a second. A Ctrl-C in that
time ends the program quietly with exit 130, as it does later, instead of printing the traceback
of whichever import it interrupted.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Coroutine
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

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


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, quiet about the task an interrupt ended. Ctrl-C and the stop signals raise
    where they land (``cli.install_signal_handlers``); when that is inside the running task, the
    task keeps the exception too, and asyncio would print it later as "Task exception was never
    retrieved" with a traceback, after the one-line message."""
    import asyncio

    async def quietly() -> T:
        asyncio.get_running_loop().set_exception_handler(_quiet_interrupts)
        return await coro

    return asyncio.run(quietly())


def _quiet_interrupts(loop: Any, context: dict[str, Any]) -> None:
    if isinstance(context.get("exception"), KeyboardInterrupt | SystemExit):
        return
    loop.default_exception_handler(context)


if __name__ == "__main__":
    sys.exit(main())
