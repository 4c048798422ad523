"""A JSON schema as a GBNF grammar, for servers that take a grammar (llama.cpp and
llama-cpp-python): the embedded model's structured-output mode.

Why our own: llama-cpp-python turns ``response_format`` into a grammar whose whitespace is one
optional space and never a newline, so a model that wants a newline after ``[`` can only close
the list (measured on the seeds' composition: 37 generated tokens, every list empty). The grammar
here uses llama.cpp's own whitespace rule (a newline and indentation allowed, bounded), and it
bounds every string (``maxLength``) and list (``maxItems``), so a reply cannot run on: the
longest reply the grammar allows is known before the call (``reply_tokens``).

Pure: a schema in, a grammar string out. Covers the schemas this package sends: objects (every
property written, in order), arrays, strings, integers, numbers, booleans, null, ``enum``,
``const`` and ``anyOf``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .settings import SETTINGS

# llama.cpp's json-schema-to-grammar whitespace: nothing, one space, or one or two newlines with
# up to 20 spaces or tabs of indentation.
SPACE = '| " " | "\\n"{1,2} [ \\t]{0,20}'
CHAR = r'[^"\\\x7F\x00-\x1F] | [\\] (["\\bfnrt] | "u" [0-9a-fA-F]{4})'
INTEGER = '("-"? ([0-9] | [1-9] [0-9]{0,15})) space'
NUMBER = '("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,3})? space'


def _literal(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Grammar:
    def __init__(self) -> None:
        self.rules: dict[str, str] = {"root": "", "space": SPACE, "char": CHAR}

    def add(self, name: str, body: str) -> str:
        for existing, b in self.rules.items():  # one rule per shape ("text" of a point and of a side)
            if b == body:
                return existing
        name = re.sub(r"[^a-zA-Z0-9-]+", "-", name).strip("-") or "r"
        base, n = name, 1
        while name in self.rules and self.rules[name] != body:
            n += 1
            name = f"{base}{n}"
        self.rules[name] = body
        return name

    def visit(self, node: dict[str, Any], name: str) -> str:
        if "const" in node:
            return self.add(name, f"{_literal(node['const'])} space")
        if "enum" in node:
            return self.add(name, "(" + " | ".join(_literal(v) for v in node["enum"]) + ") space")
        if "anyOf" in node or "oneOf" in node:
            alts = [self.visit(alt, f"{name}-{i}") for i, alt in enumerate(node.get("anyOf") or node["oneOf"])]
            return self.add(name, " | ".join(alts))
        kind = node.get("type")
        if isinstance(kind, list):
            return self.visit({"anyOf": [{**node, "type": k} for k in kind]}, name)
        if kind == "object" or "properties" in node:
            props = node.get("properties", {})
            if not props:
                return self.add(name, '"{" space "}" space')
            parts = []
            for i, (key, sub) in enumerate(props.items()):
                rule = self.visit(sub, key)
                parts.append(("" if i == 0 else '"," space ') + f"{_literal(key)} space \":\" space {rule}")
            return self.add(name, '"{" space ' + " ".join(parts) + ' "}" space')
        if kind == "array":
            item = self.visit(node.get("items", {"type": "string"}), f"{name}-item")
            lo, hi = int(node.get("minItems", 0)), int(node.get("maxItems", SETTINGS.grammar.array_default_max))
            if hi == 0:
                return self.add(name, '"[" space "]" space')
            more = f'("," space {item}){{{max(0, lo - 1)},{hi - 1}}}'
            body = f"{item} {more}" if lo >= 1 else f"({item} {more})?"
            return self.add(name, f'"[" space {body} "]" space')
        if kind == "string":
            lo, hi = int(node.get("minLength", 0)), int(node.get("maxLength", SETTINGS.grammar.string_default_max))
            return self.add(name, f'"\\"" char{{{lo},{hi}}} "\\"" space')
        if kind == "integer":
            return self.add("integer", INTEGER)
        if kind == "number":
            return self.add("number", NUMBER)
        if kind == "boolean":
            return self.add("boolean", '("true" | "false") space')
        if kind == "null":
            return self.add("null", '"null" space')
        raise ValueError(f"no grammar for schema node {json.dumps(node)[:80]}")


def to_gbnf(schema: dict[str, Any]) -> str:
    """The GBNF grammar of replies that are ``schema``'s JSON, with llama.cpp's whitespace."""
    g = _Grammar()
    top = g.visit(schema, "reply")
    g.rules["root"] = top
    order = ["root", *[k for k in g.rules if k != "root"]]
    return "\n".join(f"{k} ::= {g.rules[k]}" for k in order) + "\n"


def reply_tokens(schema: dict[str, Any]) -> int:
    """A generous bound on the tokens of the longest reply ``schema``'s grammar allows: each string
    at its ``maxLength`` (at most two characters a token: news English averages four), each list at
    its ``maxItems``, a token for every place whitespace may go. ``max_tokens`` is set from it, so
    a reply the grammar allows is not cut by the cap."""
    if "const" in schema:
        return len(json.dumps(schema["const"])) // 2 + 2
    if "enum" in schema:
        return max(len(json.dumps(v)) for v in schema["enum"]) // 2 + 2
    if "anyOf" in schema or "oneOf" in schema:
        return max(reply_tokens(a) for a in schema.get("anyOf") or schema["oneOf"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return max(reply_tokens({**schema, "type": k}) for k in kind)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return 4 + sum(len(k) // 2 + 5 + reply_tokens(v) for k, v in props.items())
    if kind == "array":
        hi = int(schema.get("maxItems", SETTINGS.grammar.array_default_max))
        return 4 + hi * (2 + reply_tokens(schema.get("items", {"type": "string"})))
    if kind == "string":
        return 3 + -(-int(schema.get("maxLength", SETTINGS.grammar.string_default_max)) // 2)
    if kind in ("integer", "number"):
        return 8
    return 3
