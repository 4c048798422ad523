"""Making untrusted text safe to store, print and render. Pure functions.

Everything that comes from an article or from a model is untrusted: it may hold lone surrogates
(unencodable), terminal control sequences, Markdown or HTML that would forge the output, or a
URL with a key in it. Each function here does one of those jobs; the renderers and the shells call
them at the boundary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 control characters except tab and newline (ESC starts terminal escape sequences).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (same length, so offsets still hold)."""
    return _SURROGATE.sub("\ufffd", text)


def display_path(path: str) -> str:
    """A file name as given, printable and storable: undecodable bytes (which Python keeps as
    surrogate escapes) are shown as ``\\xNN``."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def from_argv(text: str) -> str:
    """A command-line or terminal string: bytes that were not UTF-8 (kept by Python as surrogate
    escapes) become U+FFFD, so it can be sent and stored."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def plain(text: str) -> str:
    """For a terminal: no control characters (no escape sequences), no lone surrogates."""
    return _CONTROL.sub("", clean_text(text))


def one_line(text: str) -> str:
    """Plain text with every run of whitespace (newlines included) folded to one space."""
    return " ".join(plain(text).split())


# --- Markdown -----------------------------------------------------------------------------

# Characters that can open a Markdown or HTML construct anywhere in a line (CommonMark and GFM):
# emphasis, code spans, links and images, raw HTML and autolinks, tables, strikethrough, escapes.
_MD_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
# What a line may not start with unless we put it there: headings, quotes, lists, rules, fences.
_MD_LINE_START = re.compile(r"^(\s*)(?:([#>+\-=])|(\d+)([.)]))")


def md_text(text: str) -> str:
    """Article or model text as Markdown that renders as exactly that text, on one line: no
    heading, list, table, code span, link, image or raw HTML can come out of it."""
    t = one_line(text)
    t = _MD_INLINE.sub(r"\\\1", t)
    t = _MD_ENTITY.sub(r"\\&", t)
    # "# x" -> "\# x"; "1. x" -> "1\. x" (a backslash escapes punctuation only)
    def escape_start(m: re.Match[str]) -> str:
        return m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4))

    return _MD_LINE_START.sub(escape_start, t)


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL that can be written as a Markdown autolink
    (no whitespace, no angle brackets, no control characters); None otherwise."""
    if not url:
        return None
    u = url.strip()
    if re.search(r"[\s<>\"'`\\\x00-\x1f\x7f]", u) or not re.match(r"https?://[^/?#]+", u, re.IGNORECASE):
        return None
    return u


def is_http_url(value: str) -> bool:
    """Whether ``value`` parses as an http(s) URL with a host (what a server URL must be)."""
    try:
        parts = urlsplit(value)
        _ = parts.port  # a port that is not a number, or out of range, raises here
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# --- secrets ------------------------------------------------------------------------------

# Query parameters that carry credentials on the APIs people point this at (Azure's api-key,
# Google's key, signed URLs' sig/signature, tokens of every kind).
_SECRET_PARAM = re.compile(r"(key|token|secret|password|passwd|pwd|auth|sig|signature|credential|session)",
                           re.IGNORECASE)


def scrub_url(url: str) -> str:
    """``url`` without user info and without key-like query parameters: safe to store."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host + (f":{port}" if port else "")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _SECRET_PARAM.search(k)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def secrets_of(api_key: str | None, url: str | None) -> list[str]:
    """The credentials configured for a server: the key, and any carried by its URL."""
    found: list[str] = []
    if api_key and api_key != "not-needed":
        found.append(api_key)
    if url:
        try:
            parts = urlsplit(url)
            if parts.password:
                found.append(parts.password)
            if parts.username and parts.password:
                found.append(f"{parts.username}:{parts.password}")
            found += [v for k, v in parse_qsl(parts.query) if _SECRET_PARAM.search(k) and v]
        except ValueError:
            pass
    # Longest first, so a key that contains another is replaced whole; short ones are too
    # common as substrings to be secrets.
    return sorted({s for s in found if len(s) >= 4}, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every configured secret replaced by ``***``."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text
