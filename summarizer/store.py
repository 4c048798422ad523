"""Runs kept in SQLite under BRIEFING_HOME: articles, chunks, claims, the briefing, the call log."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from platformdirs import user_data_dir

from .errors import BriefingError
from .models import Article, Briefing, Chunk, Claim, RunStats
from .settings import SETTINGS

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    inputs TEXT NOT NULL,
    model TEXT NOT NULL,
    server TEXT NOT NULL,
    status TEXT NOT NULL,
    stats TEXT NOT NULL,
    briefing TEXT
);
CREATE TABLE IF NOT EXISTS articles (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    path TEXT NOT NULL,
    title TEXT NOT NULL,
    outlet TEXT, url TEXT, published TEXT,
    text TEXT NOT NULL,
    from_file_text INTEGER NOT NULL,
    PRIMARY KEY (run_id, id)
);
CREATE TABLE IF NOT EXISTS chunks (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    PRIMARY KEY (run_id, article_id, idx)
);
CREATE TABLE IF NOT EXISTS claims (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    chunk_index INTEGER NOT NULL,
    statement TEXT NOT NULL,
    kind TEXT NOT NULL,
    quote TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    score REAL NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, id)
);
CREATE TABLE IF NOT EXISTS dropped_claims (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL,
    chunk_index INTEGER NOT NULL,
    statement TEXT NOT NULL,
    quote TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    question TEXT NOT NULL,
    standalone TEXT NOT NULL,
    answer TEXT NOT NULL,
    answerable INTEGER NOT NULL,
    result TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS http_state (
    url TEXT PRIMARY KEY,
    etag TEXT, last_modified TEXT,
    checked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS feed_entries (
    feed_url TEXT NOT NULL,
    page TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (feed_url, page)
);
CREATE TABLE IF NOT EXISTS pages (
    page TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT, outlet TEXT, published TEXT, text TEXT, digest TEXT,
    fetched_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_digest ON pages (digest);
CREATE TABLE IF NOT EXISTS failures (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    article_id INTEGER, chunk_index INTEGER, stage TEXT NOT NULL, error TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def home() -> Path:
    return Path(os.environ.get("BRIEFING_HOME") or user_data_dir("briefing"))


@dataclass
class RunRow:
    id: int
    created_at: str
    inputs: list[str]
    model: str
    status: str
    stats: RunStats




class StoreError(BriefingError):
    """The store cannot be opened, read or written; the message names the file and says why."""


class DamagedRun(StoreError):
    """One stored run's briefing does not read (a damaged row); the rest of the store is fine."""

    def __init__(self, run_id: int, message: str) -> None:
        super().__init__(message)
        self.run_id = run_id


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return f"{text} (the file is damaged: move it aside and a new store is made)"
    if "locked" in text:
        return f"{text} (another briefing process kept it busy for {SETTINGS.limits.store_busy_seconds:g}s)"
    return text


F = TypeVar("F", bound=Callable[..., Any])


def _guard(method: F) -> F:
    """sqlite3 and OS errors (a damaged or locked file, a full disk) as one StoreError."""
    @functools.wraps(method)
    def call(self: Store, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError, OverflowError) as exc:
            raise StoreError(f"the run store {self.path} failed: {_why(exc)}") from None
    return cast(F, call)


class Store:
    """The SQLite store. Every sqlite3 or OS error comes out as one StoreError naming the file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or home() / "briefing.db"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=SETTINGS.limits.store_busy_seconds)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the run store {self.path}: {_why(exc)}") from None
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            self.db.close()
            raise StoreError(f"cannot use the run store {self.path}: {_why(exc)}") from None

    def close(self) -> None:
        self.db.close()

    @_guard
    def prune(self, before: str) -> int:
        """Drop the runs created before ``before`` (ISO time) with all they hold (articles,
        chunks, claims, conversations), then give the space back. How many runs were dropped;
        the latest run is always kept (the next build compares with it)."""
        with self.db:
            cur = self.db.execute("DELETE FROM runs WHERE created_at < ? AND id < (SELECT MAX(id) FROM runs)",
                                  (before,))
        self.db.execute("VACUUM")
        return cur.rowcount

    @_guard
    def save_run(self, *, inputs: list[str], model: str, server: str, status: str, articles: list[Article],
                 chunks: list[Chunk], claims: list[Claim], dropped: list[tuple[int, int, str, str, str]],
                 failures: list[tuple[int | None, int | None, str, str]], briefing: Briefing) -> int:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs (created_at, inputs, model, server, status, stats, briefing) VALUES (?,?,?,?,?,?,?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), json.dumps(inputs), model, server, status,
                 (briefing.stats or RunStats()).model_dump_json(), briefing.model_dump_json()),
            )
            run_id = cur.lastrowid
            assert run_id is not None
            self.db.executemany(
                "INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?)",
                [(run_id, a.id, a.path, a.title, a.outlet, a.url, a.published, a.text, int(a.from_file_text))
                 for a in articles],
            )
            self.db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?)",
                [(run_id, c.article_id, c.index, c.start, c.end, c.tokens) for c in chunks],
            )
            self.db.executemany(
                "INSERT INTO claims VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(run_id, c.id, c.article_id, c.chunk_index, c.text, "fact", c.span.quote,
                  c.span.start, c.span.end, c.span.score, c.model_dump_json()) for c in claims],
            )
            self.db.executemany("INSERT INTO dropped_claims VALUES (?,?,?,?,?,?)",
                                [(run_id, *d) for d in dropped])
            self.db.executemany("INSERT INTO failures VALUES (?,?,?,?,?)", [(run_id, *f) for f in failures])
        return run_id

    @_guard
    def runs(self, limit: int = 50) -> list[RunRow]:
        rows = self.db.execute(
            "SELECT id, created_at, inputs, model, status, stats FROM runs ORDER BY id DESC LIMIT ?", (limit,)
        ).fetchall()
        return [RunRow(r[0], r[1], json.loads(r[2]), r[3], r[4], RunStats.model_validate_json(r[5]))
                for r in rows]

    @_guard
    def run_times(self) -> list[tuple[int, str]]:
        """Every run's id and time, oldest first."""
        return [(r[0], r[1]) for r in self.db.execute("SELECT id, created_at FROM runs ORDER BY id")]

    @_guard
    def latest_run_id(self) -> int | None:
        row = self.db.execute("SELECT max(id) FROM runs").fetchone()
        return row[0] if row and row[0] is not None else None

    @_guard
    def articles(self, run_id: int) -> list[Article]:
        rows = self.db.execute(
            "SELECT id, path, title, outlet, url, published, text, from_file_text FROM articles "
            "WHERE run_id = ? ORDER BY id", (run_id,)
        ).fetchall()
        return [Article(id=r[0], path=r[1], title=r[2], outlet=r[3], url=r[4], published=r[5], text=r[6],
                        from_file_text=bool(r[7])) for r in rows]

    @_guard
    def claims(self, run_id: int) -> list[Claim]:
        rows = self.db.execute("SELECT data FROM claims WHERE run_id = ? ORDER BY id", (run_id,)).fetchall()
        return [Claim.model_validate_json(r[0]) for r in rows]

    @_guard
    def run_exists(self, run_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is not None

    # -- conversations ---------------------------------------------------------------------

    @_guard
    def new_conversation(self, run_id: int) -> int:
        with self.db:
            cur = self.db.execute("INSERT INTO conversations (run_id, created_at) VALUES (?, ?)",
                                  (run_id, _now()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    @_guard
    def conversation_run(self, conversation_id: int) -> int | None:
        row = self.db.execute("SELECT run_id FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return row[0] if row else None

    @_guard
    def latest_conversation(self) -> int | None:
        row = self.db.execute(
            "SELECT c.id FROM conversations c LEFT JOIN turns t ON t.conversation_id = c.id "
            "GROUP BY c.id ORDER BY max(coalesce(t.created_at, c.created_at)) DESC, c.id DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    @_guard
    def turns(self, conversation_id: int) -> list[tuple[str, str]]:
        """(question, answer) pairs, oldest first."""
        rows = self.db.execute("SELECT standalone, answer FROM turns WHERE conversation_id = ? ORDER BY seq",
                               (conversation_id,)).fetchall()
        return [(r[0], r[1]) for r in rows]

    @_guard
    def add_turn(self, conversation_id: int, question: str, standalone: str, answer: str, answerable: bool,
                 result: dict[str, Any]) -> None:
        with self.db:
            seq = self.db.execute("SELECT coalesce(max(seq), 0) + 1 FROM turns WHERE conversation_id = ?",
                                  (conversation_id,)).fetchone()[0]
            self.db.execute("INSERT INTO turns VALUES (?,?,?,?,?,?,?,?)",
                            (conversation_id, seq, _now(), question, standalone, answer, int(answerable),
                             json.dumps(result)))

    # -- feeds and fetched pages -------------------------------------------------------------

    @_guard
    def add_feed(self, url: str, name: str, category: str) -> bool:
        """False when it was already there (its name and category are then updated)."""
        with self.db:
            known = self.db.execute("SELECT 1 FROM feeds WHERE url = ?", (url,)).fetchone() is not None
            self.db.execute("INSERT INTO feeds VALUES (?,?,?,?) ON CONFLICT(url) DO UPDATE SET "
                            "name = excluded.name, category = excluded.category", (url, name, category, _now()))
        return not known

    @_guard
    def feeds(self) -> list[tuple[str, str, str]]:
        """(url, name, category), in the order they were added."""
        return [tuple(r) for r in self.db.execute("SELECT url, name, category FROM feeds ORDER BY rowid")]

    @_guard
    def name_feed(self, url: str, name: str) -> None:
        """A kept feed added without a name takes its title when first read."""
        with self.db:
            self.db.execute("UPDATE feeds SET name = ? WHERE url = ? AND name = ''", (name, url))

    @_guard
    def remove_feed(self, key: str) -> list[str]:
        """Remove the feeds whose URL or name is ``key``; the URLs removed."""
        with self.db:
            rows = [r[0] for r in self.db.execute("SELECT url FROM feeds WHERE url = ? OR name = ?", (key, key))]
            self.db.executemany("DELETE FROM feeds WHERE url = ?", [(u,) for u in rows])
        return rows

    @_guard
    def http_state(self, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute("SELECT etag, last_modified FROM http_state WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    @_guard
    def set_http_state(self, url: str, etag: str | None, last_modified: str | None) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO http_state VALUES (?,?,?,?)", (url, etag, last_modified, _now()))

    @_guard
    def add_entries(self, feed_url: str, entries: list[tuple[str, str, str | None]]) -> None:
        """(canonical page URL, title, published ISO) of a feed; first_seen is kept from the first time."""
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO feed_entries VALUES (?,?,?,?,?)",
                                [(feed_url, page, title, published, _now()) for page, title, published in entries])

    @_guard
    def entries(self, feed_url: str) -> list[tuple[str, str, str | None, str]]:
        """(page, title, published, first_seen) of a feed's entries, as stored."""
        return [tuple(r) for r in self.db.execute(
            "SELECT page, title, published, first_seen FROM feed_entries WHERE feed_url = ? ORDER BY first_seen, page",
            (feed_url,))]

    @_guard
    def page(self, page: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT page, url, status, title, outlet, published, text, digest, fetched_at "
                              "FROM pages WHERE page = ?", (page,)).fetchone()
        if row is None:
            return None
        return dict(zip(("page", "url", "status", "title", "outlet", "published", "text", "digest", "fetched_at"),
                        row, strict=True))

    @_guard
    def page_with_digest(self, digest: str) -> str | None:
        row = self.db.execute("SELECT page FROM pages WHERE digest = ? AND status = 'ok' LIMIT 1", (digest,)).fetchone()
        return row[0] if row else None

    @_guard
    def save_page(self, page: str, url: str, status: str, title: str | None = None, outlet: str | None = None,
                  published: str | None = None, text: str | None = None, digest: str | None = None) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?,?,?,?)",
                            (page, url, status, title, outlet, published, text, digest, _now()))

    @_guard
    def last_run_with(self, inputs: list[str]) -> RunRow | None:
        """The latest run whose inputs were exactly these (the same feeds)."""
        for r in self.runs(500):
            if sorted(r.inputs) == sorted(inputs):
                return r
        return None

    @_guard
    def briefing(self, run_id: int) -> Briefing | None:
        """The stored run's briefing; DamagedRun when what is stored does not read as one."""
        row = self.db.execute("SELECT briefing FROM runs WHERE id = ?", (run_id,)).fetchone()
        if not row or not row[0]:
            return None
        try:
            return Briefing.model_validate_json(row[0])
        except ValueError:
            raise DamagedRun(run_id, f"run {run_id} in the run store {self.path} is damaged (its briefing does "
                                     "not read); `briefing build` skips it") from None
