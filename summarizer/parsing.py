"""Turning a model's reply into a typed object, with a typed error for each way it can fail.

Pure: no I/O. The client re-asks on ``InvalidOutput`` with the error's message.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import ModelFailure

T = TypeVar("T", bound=BaseModel)


class InvalidOutput(ModelFailure, ValueError):
    """The reply cannot be used; ``feedback`` is what the model is told when re-asked."""

    feedback = "Your reply was not valid."


class TruncatedOutput(InvalidOutput):
    feedback = "Your reply was cut off at the length limit. Reply again, shorter: fewer and shorter items."


class InvalidJSON(InvalidOutput):
    pass


class SchemaViolation(InvalidOutput):
    pass


class Refused(InvalidOutput):
    pass


class NotAnAPIReply(InvalidOutput):
    """A 200 whose body is not the API's JSON (a proxy's HTML page, a bare string)."""

    feedback = "Your reply could not be read. Reply again with one JSON object only."

    def __init__(self, message: str, key: str | None = None, cached: bool = False) -> None:
        super().__init__(message)
        self.key = key
        self.cached = cached


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def extract_json_text(content: str) -> str:
    """The JSON object in a plain-text reply: a fenced block, else the outermost braces."""
    m = _FENCE.search(content)
    if m:
        return m.group(1).strip()
    start, end = content.find("{"), content.rfind("}")
    if start >= 0 and end > start:
        return content[start : end + 1]
    return content.strip()


def parse_reply(content: str | None, finish_reason: str | None, schema: type[T], *, loose: bool = False) -> T:
    """Validate ``content`` against ``schema``.

    Raises TruncatedOutput when the reply hit the token limit, InvalidJSON when it does not parse,
    SchemaViolation when it parses but does not fit the schema. ``loose`` digs the JSON out of
    surrounding prose (for servers without structured output).
    """
    if finish_reason == "length":
        raise TruncatedOutput("the reply hit the max_tokens limit (finish_reason=length)")
    if finish_reason == "content_filter":
        raise Refused("the server's content filter stopped the reply")
    if content is None or not content.strip():
        raise InvalidJSON("the reply was empty")
    text = extract_json_text(content) if loose else content
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        err = InvalidJSON(f"the reply is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
        err.feedback = f"Your reply was not valid JSON ({exc.msg}). Reply again with one JSON object only."
        raise err from None
    try:  # what cannot be stored or printed (a lone surrogate, "\ud800": half an emoji) is unusable
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        err3 = InvalidJSON("the reply holds a broken character (a lone surrogate such as \\ud800)")
        err3.feedback = "Your reply held a broken character escape. Reply again with the same JSON in valid text."
        raise err3 from None
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in exc.errors()[:8]
        )
        err2 = SchemaViolation(f"the reply does not match the schema: {problems}")
        err2.feedback = f"Your reply did not match the schema: {problems}. Reply again with corrected JSON only."
        raise err2 from None


def inline_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """A self-contained JSON schema (no $ref, no titles) that every server's grammar accepts."""
    raw = schema.model_json_schema()
    defs = raw.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                name = node["$ref"].rsplit("/", 1)[-1]
                return walk(copy.deepcopy(defs[name]))
            # "title" as metadata (a string) goes; a property *named* title (a schema) stays.
            return {k: walk(v) for k, v in node.items() if not (k == "title" and isinstance(v, str))}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out: dict[str, Any] = walk(raw)
    return out
