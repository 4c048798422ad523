"""Writing files so that a reader never sees half of one and two writers never clobber each other."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


def atomic_write(path: Path, text: str, mode: int | None = None, *, durable: bool = False) -> None:
    """Write ``text`` to ``path`` through a unique temporary file in the same directory and an
    atomic rename. ``mode``: the new file's permissions (default: an ordinary new file's, where
    mkstemp alone would make it 0600). ``durable``: fsync before the rename. OSError on failure,
    and the temporary file is gone."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
