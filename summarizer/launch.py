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
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import asyncio

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


_running: asyncio.Task[Any] | None = None  # run_async's task, while its loop runs
_stopping = False  # a stop signal cancelled it


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, quiet about the task an interrupt ended. Ctrl-C and the stop signals raise
    where they land in the program's own code (``cli.install_signal_handlers``); when that is
    inside the running task, the task keeps the exception too, and asyncio would print it later as
    "Task exception was never retrieved" with a traceback, after the one-line message. A signal
    that lands in the event loop or a library's network code cancels this task instead
    (``stop_running``), which ends as KeyboardInterrupt once every ``finally`` has run."""
    import asyncio

    global _running, _stopping

    async def quietly() -> T:
        global _running
        asyncio.get_running_loop().set_exception_handler(_quiet_interrupts)
        _running = asyncio.current_task()
        return await coro

    _stopping = False
    try:
        return asyncio.run(quietly())
    except asyncio.CancelledError:
        if _stopping:
            raise KeyboardInterrupt from None
        raise
    finally:
        _running = None


def stop_running() -> bool:
    """Cancel ``run_async``'s task from a signal handler, as asyncio does on Ctrl-C: the
    cancellation arrives at the task's next ``await``, so that the event loop's and the network
    libraries' own state (anyio's task groups, httpcore's pool) is never left half-changed, as an
    exception raised in the middle of their code leaves it. False when no task runs, or when one
    was already cancelled (a second signal then stops the program where it is)."""
    global _stopping
    task = _running
    if task is None or task.done() or _stopping:
        return False
    _stopping = True
    task.get_loop().call_soon_threadsafe(task.cancel)
    return True


def _quiet_interrupts(loop: Any, context: dict[str, Any]) -> None:
    if isinstance(context.get("exception"), KeyboardInterrupt | SystemExit):
        return
    loop.default_exception_handler(context)


if __name__ == "__main__":
    sys.exit(main())
