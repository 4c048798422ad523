"""The embedded model's server process: llama-cpp-python's OpenAI-compatible server, started
with one setting its own command line does not expose.

``python -m summarizer.llama_server --no-repack <llama_cpp.server arguments>`` loads the weights
without llama.cpp's extra CPU buffer types (``use_extra_bufts = False``): no repacking of the
weights for the CPU's special kernels. On a CPU with AMX those kernels crash (SIGSEGV) at the
first prompt of more than one token; without the flag the server is llama-cpp-python's own.
Which CPUs get the flag is decided by ``local.server_command`` from the CPU's flags.
"""

from __future__ import annotations

import importlib
import sys

NO_REPACK = "--no-repack"


def _load_without_repacking() -> None:
    # The module llama.py takes its default parameters from (imported by name: the package is the
    # optional [local] extra, and this module is type-checked without it).
    lib = importlib.import_module("llama_cpp.llama_cpp")

    original = lib.llama_model_default_params

    def params() -> object:
        p = original()
        if hasattr(p, "use_extra_bufts"):
            p.use_extra_bufts = False
        return p

    setattr(lib, "llama_model_default_params", params)  # noqa: B010 - a module attribute, patched


def main(argv: list[str]) -> None:
    if NO_REPACK in argv:
        argv = [a for a in argv if a != NO_REPACK]
        _load_without_repacking()
    serve = importlib.import_module("llama_cpp.server.__main__").main
    sys.argv = ["llama_cpp.server", *argv]
    serve()


if __name__ == "__main__":
    main(sys.argv[1:])
