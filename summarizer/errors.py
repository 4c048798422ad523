"""Every error the program expects: one root, the exit code on the class.

The CLI prints ``line()`` (one line, no traceback) and exits with ``exit_code``. None of these
subclass the openai SDK's errors: the SDK passes an exception from the transport on unchanged
unless it is one of httpx's request errors or its own, so ours reach the caller as they are.
"""

from __future__ import annotations

EXIT_OK, EXIT_USER, EXIT_USAGE, EXIT_PARTIAL, EXIT_MODEL, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
EXIT_INTERNAL = 70  # a bug (EX_SOFTWARE): one line on stderr, the traceback with BRIEFING_DEBUG=1
EXIT_PENDING = 75  # EX_TEMPFAIL: a batch of model requests is out; run the same command again later


class BriefingError(Exception):
    """Something the user can act on: an input, a file, a store, a setting."""

    exit_code = EXIT_USER

    def line(self) -> str:
        return str(self)


class ModelFailure(BriefingError):
    """The model side failed: the server, the embedded runtime, the replay directory."""

    exit_code = EXIT_MODEL


class ServerUnreachable(ModelFailure):
    """Not one extraction call got through to the server."""

    def line(self) -> str:
        return f"{self}; nothing was built"
