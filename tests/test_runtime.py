"""The embedded runtime's pure parts: the CPU decision, the server's command line, how a dead
server is described, the grammar the embedded model writes under and the bounds of its replies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from summarizer.answer import ModelAnswer
from summarizer.claims import selection_schema
from summarizer.client import ModelClient, ModelConfig
from summarizer.compose import Synthesis, synthesis_schema
from summarizer.config import resolve_target
from summarizer.doctor import check_cpu
from summarizer.exchanges import ExchangeTransport
from summarizer.grammar import reply_tokens, to_gbnf
from summarizer.local import cpu_flags, exit_words, server_command, use_repacking
from summarizer.models import Selection
from summarizer.parsing import inline_schema
from summarizer.tokens import count_tokens

# /proc/cpuinfo lines of the machines the embedded model has met.
AMX_XEON = ("processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu sse2 avx avx2 avx512f avx512bw avx512_vnni "
            "amx_bf16 avx512_fp16 amx_tile amx_int8\n")
AVX512_XEON = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 avx512f avx512bw avx512_vnni\n"
GRAVITON = "processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics sve\n"


@pytest.mark.parametrize(("cpuinfo", "has", "lacks"), [
    (AMX_XEON, {"amx_tile", "amx_int8", "avx512f"}, set()),
    (AVX512_XEON, {"avx2", "avx512f"}, {"amx_tile"}),
    (GRAVITON, {"asimd", "sve"}, {"avx2"}),
    ("", set(), {"avx2"}),
])
def test_cpu_flags_are_read_on_x86_and_arm(cpuinfo: str, has: set[str], lacks: set[str]) -> None:
    flags = cpu_flags(cpuinfo)
    assert has <= flags and not (lacks & flags)


@pytest.mark.parametrize(("cpuinfo", "setting", "repack"), [
    (AMX_XEON, None, False),  # repacked weights segfault at the first prompt of more than one token
    (AMX_XEON, "on", False),  # not even when asked for
    (AVX512_XEON, None, False),  # measured faster unpacked (102 against 69 prompt tokens/s)
    (AVX512_XEON, "on", True),
    (GRAVITON, None, False),
    (GRAVITON, "on", True),
    (AVX512_XEON, "nonsense", False),
])
def test_weights_are_repacked_only_when_asked_and_never_with_amx(cpuinfo: str, setting: str | None,
                                                                  repack: bool) -> None:
    assert use_repacking(cpu_flags(cpuinfo), setting) is repack
    cmd = server_command(Path("m.gguf"), alias="m", port=8000, context=8192, threads=2, repack=repack)
    assert cmd[1:3] == ["-m", "summarizer.llama_server"]
    assert ("--no-repack" in cmd) is not repack
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"


def test_doctor_says_what_the_cpu_means() -> None:
    amx = check_cpu(cpu_flags(AMX_XEON), "x86_64", None)
    assert amx.ok and "AMX (amx_bf16 amx_int8 amx_tile)" in amx.detail and "without repacking" in amx.detail
    asked = check_cpu(cpu_flags(AMX_XEON), "x86_64", "on")
    assert "not repacked although BRIEFING_REPACK=on" in asked.detail
    plain = check_cpu(cpu_flags(AVX512_XEON), "x86_64", None)
    assert "no AMX" in plain.detail and "avx512f" in plain.detail


@pytest.mark.parametrize(("code", "words"), [
    (-11, "crashed (SIGSEGV)"), (-6, "crashed (SIGABRT)"), (-9, "was killed (SIGKILL)"),
    (1, "exited with code 1"), (None, "is still running"),
])
def test_how_a_server_process_ended(code: int | None, words: str) -> None:
    assert exit_words(code) == words


# --- the grammar ----------------------------------------------------------------------------

def gbnf_regex(grammar: str) -> re.Pattern[str]:
    """The grammar as one regular expression (the grammars made here are not recursive): each
    rule inlined, literals escaped; the rest of GBNF's notation is the same in Python's re."""
    rules = dict(line.split(" ::= ", 1) for line in grammar.strip().splitlines())

    def expand(name: str) -> str:
        body = rules[name]
        out, i = [], 0
        while i < len(body):
            ch = body[i]
            if ch == '"':
                j = i + 1
                lit = []
                while body[j] != '"':
                    if body[j] == "\\":
                        lit.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}[body[j + 1]])
                        j += 2
                    else:
                        lit.append(body[j])
                        j += 1
                out.append(re.escape("".join(lit)))
                i = j + 1
            elif ch == "[":
                j = body.index("]", i + 2) if body[i + 1] == "]" else i + 1
                while body[j] != "]":
                    j += 2 if body[j] == "\\" else 1
                out.append(body[i : j + 1])
                i = j + 1
            elif ch.isalpha():
                m = re.match(r"[a-zA-Z0-9-]+", body[i:])
                assert m
                out.append(f"(?:{expand(m.group())})")
                i += len(m.group())
            elif ch == "(":
                out.append("(?:")
                i += 1
            elif ch == " ":
                i += 1
            else:
                out.append(ch)
                i += 1
        return "".join(out)

    return re.compile(expand("root"), re.DOTALL)


SYNTHESIS = synthesis_schema(["F1", "F2", "F3"])

WITH_NEWLINES = """{
  "title": "Allies meet in Brussels",
  "summary": [
    {
      "text": "Defence ministers met in Brussels.",
      "facts": ["F1", "F2"]
    },
    {"text": "About a dozen countries could send troops.", "facts": ["F3"]}
  ]
}"""


@pytest.mark.parametrize(("reply", "allowed"), [
    (WITH_NEWLINES, True),  # newlines and indentation: what the model wants to write after "["
    (json.dumps(json.loads(WITH_NEWLINES)), True),  # one line
    (WITH_NEWLINES.replace('"F3"', '"F9"'), False),  # a fact id the call did not list
    (WITH_NEWLINES.replace("About a dozen", "About " + "very " * 60 + "many"), False),  # over 240 characters
    (WITH_NEWLINES.replace('["F3"]', "[]"), False),  # a sentence without a citation
    (WITH_NEWLINES.replace('"title"', '"headline"'), False),
    (WITH_NEWLINES.replace('"summary"', '"points": [], "summary"'), False),  # not asked for: the facts are the points
    (WITH_NEWLINES.replace('"summary"', '"disagreements": [], "summary"'), False),  # the code finds them
    (WITH_NEWLINES.replace('"F1", "F2"', '"F1", "F2", "F3", "F1", "F2"'), False),  # more than four ids
])
def test_the_grammar_lets_the_model_write_lists_on_new_lines_and_bounds_everything(reply: str, allowed: bool) -> None:
    assert bool(gbnf_regex(to_gbnf(SYNTHESIS)).fullmatch(reply)) is allowed


def test_a_third_summary_sentence_does_not_fit_the_grammar() -> None:
    sentence = '{"text": "A sentence.", "facts": ["F1"]}'
    pattern = gbnf_regex(to_gbnf(SYNTHESIS))
    two = '{"title": "T", "summary": [' + ", ".join([sentence] * 2) + "]}"
    three = '{"title": "T", "summary": [' + ", ".join([sentence] * 3) + "]}"
    assert pattern.fullmatch(two) and not pattern.fullmatch(three)


def test_the_picking_grammar_names_only_the_chunks_sentences() -> None:
    pattern = gbnf_regex(to_gbnf(selection_schema(12)))
    assert pattern.fullmatch('{"ids": [1, 4, 12]}') and pattern.fullmatch('{\n  "ids": [\n    2,\n    3\n  ]\n}')
    assert not pattern.fullmatch('{"ids": [13]}') and not pattern.fullmatch('{"ids": [0]}')


@pytest.mark.parametrize("schema", [SYNTHESIS, inline_schema(ModelAnswer), selection_schema(40)])
def test_max_tokens_covers_the_longest_reply_the_grammar_allows(schema: dict[str, object]) -> None:
    """A reply at every bound (each list full, each string at its maxLength of ordinary words)
    takes fewer tokens than the cap set from the schema, so the cap never cuts a reply short."""
    def longest(node: dict[str, object]) -> object:
        if "enum" in node:
            return max(node["enum"], key=lambda v: len(json.dumps(v)))  # type: ignore[arg-type]
        kind = node.get("type")
        if kind == "object":
            return {k: longest(v) for k, v in node["properties"].items()}  # type: ignore[attr-defined]
        if kind == "array":
            return [longest(node["items"])] * int(node.get("maxItems", 20))  # type: ignore[arg-type,call-overload]
        if kind == "string":
            n = int(node.get("maxLength", 500))  # type: ignore[call-overload]
            return ("Ministers agreed a 12-point plan, 3,000 troops. " * 40)[:n]
        if kind == "integer":
            return 123456
        return True

    text = json.dumps(longest(schema), indent=2)
    assert gbnf_regex(to_gbnf(schema)).fullmatch(text)  # the grammar allows it
    assert count_tokens(text, "gpt-4o-mini") <= reply_tokens(schema)


def test_the_embedded_model_is_asked_with_the_grammar_and_its_bounds() -> None:
    target = resolve_target({})
    assert target.local and target.structured == "gbnf"
    client = ModelClient(ModelConfig(model=target.model, base_url="http://x.invalid/v1", structured="gbnf"),
                         ExchangeTransport("off", base_url="http://x.invalid/v1"))
    body = client.request_for("gbnf", [{"role": "user", "content": "hi"}], Synthesis, json_schema=SYNTHESIS)
    assert "response_format" not in body and body["grammar"] == to_gbnf(SYNTHESIS)
    assert body["max_tokens"] == reply_tokens(SYNTHESIS)
    assert 'space ::= | " " | "\\n"{1,2} [ \\t]{0,20}' in body["grammar"]
    picking = client.request_for("gbnf", [{"role": "user", "content": "hi"}], Selection,
                                 json_schema=selection_schema(5))
    assert picking["max_tokens"] < 64  # five sentence numbers at most
