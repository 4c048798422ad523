"""Prompt files: loaded and checked at start, rendered with ``{{variable}}`` placeholders.

A prompt file has a ``=== system ===`` and a ``=== user ===`` section. Each prompt declares the
variables it takes; a file that uses an unknown variable or leaves out a declared one is an error
at load time, not halfway through a run. The file's content hash travels with every exchange, so
editing a prompt invalidates exactly the cached exchanges that used it.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefingError

# name -> the variables it must use (all of them, and no others)
PROMPT_VARIABLES: dict[str, frozenset[str]] = {
    "extract": frozenset({"title", "outlet", "text"}),
    "synthesize": frozenset({"claims", "conflicts"}),
    "headline": frozenset({"facts"}),  # a story whose composed headline failed, or an item with no headline
    "answer": frozenset({"question", "passages"}),
    "rewrite": frozenset({"history", "question"}),
    "doctor": frozenset({"text"}),
    "one_prompt": frozenset({"articles"}),  # briefing eval's baseline: one unchecked call
}

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_SECTION = re.compile(r"^=== (system|user) ===\s*$", re.MULTILINE)


class PromptError(BriefingError, ValueError):
    def line(self) -> str:
        return f"prompt error: {self}"


@dataclass(frozen=True)
class Prompt:
    name: str
    path: Path
    system: str
    user: str
    sha: str  # content hash, first 12 hex digits

    @property
    def variables(self) -> set[str]:
        return set(_PLACEHOLDER.findall(self.system)) | set(_PLACEHOLDER.findall(self.user))

    def render(self, **values: object) -> list[dict[str, str]]:
        given = set(values)
        wanted = self.variables
        if given != wanted:
            missing, extra = sorted(wanted - given), sorted(given - wanted)
            raise PromptError(f"prompt {self.name}: missing {missing}, unexpected {extra}")

        def fill(template: str) -> str:
            return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)

        messages = []
        if self.system.strip():
            messages.append({"role": "system", "content": fill(self.system).strip()})
        messages.append({"role": "user", "content": fill(self.user).strip()})
        return messages


def default_dir() -> Path:
    """BRIEFING_PROMPTS, else the prompt files shipped in the installed package
    (``summarizer.prompt_files``, mapped from the top-level ``prompts/``), else the source tree's
    ``prompts/`` (an editable install may not map the subpackage)."""
    env = os.environ.get("BRIEFING_PROMPTS")
    if env:
        return Path(env)
    shipped = Path(__file__).resolve().parent / "prompt_files"
    if (shipped / "extract.md").is_file():
        return shipped
    return Path(__file__).resolve().parent.parent / "prompts"


def parse_prompt(name: str, path: Path, content: str) -> Prompt:
    parts = _SECTION.split(content)
    sections: dict[str, str] = {}
    # parts: [preamble, "system", body, "user", body]
    for label, body in zip(parts[1::2], parts[2::2], strict=True):
        if label in sections:
            raise PromptError(f"{path}: section '{label}' appears twice")
        sections[label] = body
    if "user" not in sections:
        raise PromptError(f"{path}: no '=== user ===' section")
    prompt = Prompt(
        name=name,
        path=path,
        system=sections.get("system", ""),
        user=sections["user"],
        sha=hashlib.sha256(content.encode()).hexdigest()[:12],
    )
    wanted = PROMPT_VARIABLES.get(name)
    if wanted is not None:
        unknown = prompt.variables - wanted
        missing = wanted - prompt.variables
        if unknown:
            raise PromptError(f"{path}: unknown variable(s) {', '.join(sorted(unknown))}")
        if missing:
            raise PromptError(f"{path}: missing variable(s) {', '.join(sorted(missing))}")
    return prompt


def load_prompts(directory: Path | None = None, names: list[str] | None = None) -> dict[str, Prompt]:
    directory = directory or default_dir()
    prompts = {}
    for name in names or sorted(PROMPT_VARIABLES):
        path = directory / f"{name}.md"
        try:
            content = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PromptError(f"cannot read prompt {path}: {exc.strerror or exc}") from None
        prompts[name] = parse_prompt(name, path, content)
    return prompts
