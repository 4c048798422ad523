"""The ``briefing`` command: a thin shell over the pipeline, the store and the renderers.

Results go to stdout (or -o FILE), progress and diagnostics to stderr.
Exit codes: 0 done; 1 user error (bad input, store or output that cannot be used); 2 bad usage;
3 partial run (some chunks or the synthesis failed; the briefing holds the rest); 4 model or server
error; 70 internal error (a bug); 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import fcntl
import gc
import json
import os
import signal
import stat
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import httpx2
import openai
from openai import AsyncOpenAI

from . import __version__, doctor
from .asking import AskError, AskResult, Session, resolve_run_and_conversation, story_sources
from .asking import to_json_obj as ask_json
from .asking import to_text as ask_text
from .batch import (
    Batches,
    BatchState,
    Pending,
    batching_for,
    close_batch,
    read_results,
    requests_jsonl,
    submit,
    wait,
)
from .client import MODES, ModelClient, ModelConfig, connection_words, sdk_for
from .config import Target, resolve_target
from .errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_MODEL,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_PENDING,
    EXIT_USAGE,
    EXIT_USER,
    BriefingError,
    ModelFailure,
)
from .evaluate import Report, evaluate, one_prompt_messages, pick, read_clusters, table
from .exchanges import Batching, ExchangeTransport
from .fetch import Gathered, gather, to_articles
from .files import atomic_write
from .html import title_of, to_html
from .ingest import InputError, decode, load_inputs, read_file
from .launch import run_async, stop_running
from .local import OnDemand, StartFirst, prepare
from .mail import message as mail_message
from .mail import send as send_mail
from .models import Article, Briefing, RunStats, Skipped
from .novelty import EarlierRun, earlier_run
from .pipeline import BuildResult, build
from .plan import SELECT_MODES, BuildOptions, Estimate, TooMuchInput, estimate
from .prompts import Prompt, load_prompts
from .publish import StoredRun, site, tellings, with_timelines
from .render import telling_json, timeline_markdown, to_json, to_markdown
from .sanitize import display_path, from_argv, is_http_url, plain, redact, scrub_url, secrets_of
from .settings import SETTINGS
from .store import DamagedRun, Store, StoreError, home
from .stories import when
from .tokens import count_tokens, resolve_encoding
from .webfeeds import FeedRef, OPMLError, parse_opml, parse_sources_file, parse_window


class UserError(BriefingError):
    """One clear line for the user, no traceback."""


# The configured credentials (key, and any in the server URL): never printed, never stored.
SECRETS: list[str] = []
# Every internal error (exit 70) this process has met: the test suite fails any test that adds one.
INTERNAL_ERRORS: list[str] = []


def err(message: str) -> None:
    print(f"briefing: {plain(redact(message, SECRETS))}", file=sys.stderr)


# --- progress -----------------------------------------------------------------------------


class Reporter:
    """A progress bar on a terminal, plain lines otherwise; always on stderr."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        self._last: dict[str, int] = {}

    def __enter__(self) -> Reporter:
        if self.tty and not self.quiet:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=Console(stderr=True), transient=False)
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def log(self, message: str) -> None:
        if self.quiet:
            return
        if self._progress is not None:
            self._progress.console.print(plain(redact(message, SECRETS)), markup=False, highlight=False)
        else:
            err(message)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        if self._progress is not None:
            if stage not in self._tasks:
                self._tasks[stage] = self._progress.add_task(stage, total=total)
            self._progress.update(self._tasks[stage], completed=done, total=total)
        elif self._last.get(stage) != done:
            self._last[stage] = done
            err(f"{stage}: {done}/{total}")


# --- model plumbing -----------------------------------------------------------------------


NO_SERVER = "file:///batch-export"  # where --batch-export without a server sends nothing


@dataclass
class Endpoint:
    """Where the model is: a configured server, or the embedded one, started on demand."""

    url: str
    local: OnDemand | None = None

    def transport(self) -> httpx2.AsyncBaseTransport:
        inner = httpx2.AsyncHTTPTransport(retries=0)
        return StartFirst(inner, self.local) if self.local else inner


@contextlib.contextmanager
def model_endpoint(target: Target, reporter: Reporter) -> Iterator[Endpoint]:
    """The model to talk to. The embedded server is checked now, started by the first call that
    is not answered from the cache, and always stopped."""
    if target.base_url is not None:
        yield Endpoint(target.base_url)
        return
    gguf = prepare(target.local_gguf, reporter.log)
    server = OnDemand(gguf, target.model, reporter.log)
    try:
        yield Endpoint(server.url, server)
    finally:
        server.close()


def make_transport(args: argparse.Namespace, endpoint: Endpoint, batching: Batching | None = None) -> ExchangeTransport:
    cache_dir = home() / "cache"
    base_url = endpoint.url
    if batching is not None:
        return ExchangeTransport("cache", inner=endpoint.transport(), cache_dir=cache_dir, base_url=base_url,
                                 secrets=SECRETS, batching=batching)
    if args.replay:
        return ExchangeTransport("replay", replay_dir=Path(args.replay), base_url=base_url)
    inner = endpoint.transport()
    if args.record:
        return ExchangeTransport("record", inner=inner, cache_dir=None if args.no_cache else cache_dir,
                                 record_dir=Path(args.record), base_url=base_url, secrets=SECRETS)
    if args.no_cache:
        return ExchangeTransport("off", inner=inner, base_url=base_url)
    return ExchangeTransport("cache", inner=inner, cache_dir=cache_dir, base_url=base_url, secrets=SECRETS)


def model_config(args: argparse.Namespace, target: Target, base_url: str) -> ModelConfig:
    timeout = args.timeout or (1800.0 if target.local else 600.0)
    return ModelConfig(model=target.model, base_url=base_url, api_key=target.api_key, structured=target.structured,
                       max_retries=args.retries, timeout=timeout)


def make_client(args: argparse.Namespace, target: Target, endpoint: Endpoint,
                batching: Batching | None = None) -> tuple[ModelClient, ExchangeTransport]:
    transport = make_transport(args, endpoint, batching)
    return ModelClient(model_config(args, target, endpoint.url), transport), transport


def target_from(args: argparse.Namespace) -> Target:
    try:
        target = resolve_target(os.environ, model=args.model, base_url=args.base_url, gguf=args.gguf,
                                structured=args.structured, concurrency=args.concurrency,
                                replay=bool(args.replay))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    SECRETS[:] = secrets_of(target.api_key, target.base_url)
    return target


def report_transport(transport: ExchangeTransport) -> None:
    for problem in transport.stats.write_errors:
        err(f"warning: {problem}; the run goes on without caching")


# --- build --------------------------------------------------------------------------------


def built_stats(briefing: Briefing) -> RunStats:
    """A built briefing's statistics (``pipeline.build`` always sets them)."""
    if briefing.stats is None:
        briefing.stats = RunStats()
    return briefing.stats


def summary_line(stats: RunStats, skipped: int) -> str:
    dropped = stats.claims_dropped
    why = ", ".join(f"{n} {r}" for r, n in dropped.items()) if dropped else "none"
    stories = ""
    if stats.stories > 1 or stats.stories_found > 1:
        stories = f"{stats.stories} stories ({stats.stories_composed} composed"
        if stats.stories_found > stats.stories:
            stories += f", of {stats.stories_found} found"
        if stats.stories_new is not None:
            stories += f"; {stats.stories_new} new, {stats.points_new or 0} new points"
        stories += ") · "
    return (
        f"{stats.articles} articles read, {skipped} skipped · {stats.chunks} chunks"
        f"{' (' + str(stats.chunks_failed) + ' failed)' if stats.chunks_failed else ''} · "
        f"claims: {stats.claims_kept} kept, {sum(dropped.values())} dropped ({why}) · {stories}"
        f"{stats.points} points, {stats.multi_source_points} multi-source, "
        f"{stats.disagreements} disagreements · {stats.calls} model calls, {stats.cache_hits} cached, "
        f"{stats.reasks} re-asks · tokens {stats.tokens_in:,} in / {stats.tokens_out:,} out"
        f" (+{stats.cached_tokens_in:,} / {stats.cached_tokens_out:,} served from the cache) · "
        f"model {stats.model_seconds}s · wall {stats.wall_seconds}s"
        + "".join(f" · structured mode changed: {c}" for c in stats.mode_changes)
    )


def check_output(output: str | None, inputs: list[str]) -> None:
    """Before any model call: the output path can be written and is not one of the inputs."""
    if not output or output == "-":
        return
    path = Path(output)
    if path.is_dir():
        raise UserError(f"cannot write the briefing to {output}: it is a directory")
    out = path.resolve()
    for given in inputs:
        if given == "-" or not Path(given).exists():
            continue
        src = Path(given).resolve()
        if out == src or (src.is_dir() and src in out.parents):
            raise UserError(f"refusing to write the briefing into the input {given}")
    if not out.parent.is_dir():
        raise UserError(f"cannot write {output}: no such directory {out.parent}")


def write_output(text: str, output: str | None) -> None:
    """stdout; else a regular file replaced atomically (its permissions kept); else (a device, a
    FIFO, a symlink's target) written through, as every Unix tool does. OSError on failure."""
    if not output or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(output)
    try:
        st = path.lstat()
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, "w", encoding="utf-8") as f:  # follows a symlink; opens a device or FIFO
            f.write(text)
        return
    atomic_write(path, text, stat.S_IMODE(st.st_mode) if st is not None else None, durable=True)


def open_store_for_build() -> tuple[Store | None, str | None]:
    """The store, or (None, why) when it cannot be used: the build then goes on and prints the
    briefing without storing it, rather than losing the model's work."""
    try:
        return Store(), None
    except StoreError as exc:
        return None, str(exc)


def render(briefing: Briefing, fmt: str) -> str:
    if fmt == "json":
        return to_json(briefing)
    if fmt == "html":
        return to_html(briefing)
    return to_markdown(briefing)


def earlier_of(store: Store, since: int | None) -> EarlierRun | None:
    """The run this build is compared with: ``--since RUN``, else the latest stored run."""
    run_id = since if since is not None else store.latest_run_id()
    if run_id is None:
        return None
    try:
        briefing = store.briefing(run_id)
    except DamagedRun as exc:
        if since is not None:
            raise
        err(f"warning: {exc}; what is new is measured against no earlier run")
        return None
    if briefing is None:
        if since is not None:
            raise UserError(f"--since {since}: no run with that id (see `briefing runs`)")
        return None
    return earlier_run(run_id, briefing, store.articles(run_id))


def measured_rate(store: Store, target: Target) -> tuple[float, float] | None:
    """(prompt-equivalent tokens a second, generated tokens a call) that this model showed in
    earlier runs — a generated token counted as four prompt tokens, the ratio measured on
    llama.cpp — or None when it has not run for at least 30 s of model time."""
    tokens = seconds = out = calls = 0.0
    for r in store.runs(200):
        if r.model == target.model and r.stats.model_seconds and r.stats.calls:
            tokens += r.stats.tokens_in + SETTINGS.estimate.generated_weight * r.stats.tokens_out
            seconds += r.stats.model_seconds
            out += r.stats.tokens_out
            calls += r.stats.calls
    return (tokens / seconds, out / calls) if seconds > SETTINGS.estimate.measured_seconds else None


def estimate_text(e: Estimate, concurrency: int) -> str:
    def n(k: int, one: str, many: str) -> str:
        return f"{k:,} {one if k == 1 else many}"
    return (f"{n(e.articles, 'article', 'articles')} in {n(e.stories, 'story', 'stories')} ({e.composed} to "
            f"compose, {e.items} of one article, told without one)"
            + (f"; {n(e.unread, 'article', 'articles')} over the per-story limit left unread" if e.unread else "")
            + f"\n{n(e.calls, 'model call', 'model calls')} "
            f"({e.extract_calls} to pick sentences, {e.compose_calls} to compose"
            + (f", {e.headline_calls} for the headline of an item that has none" if e.headline_calls else "")
            + ")\n"
            f"about {e.tokens_in:,} tokens in, {e.tokens_out:,} out (before the cache)\n"
            f"about {e.seconds / 60:.1f} min of model time at {e.rate:.0f} tokens/s ({e.rate_source}), "
            f"{concurrency} call{'s' if concurrency != 1 else ''} at a time\n")


def read_opml(path: str) -> list[FeedRef]:
    try:
        data = read_file(Path(path))
    except OSError as exc:
        raise UserError(f"cannot read --opml {path}: {exc.strerror or exc}") from None
    except InputError as exc:  # not a regular file, or too large
        raise UserError(f"--opml {path}: {exc}") from None
    try:
        return parse_opml(data)
    except OPMLError as exc:
        raise UserError(f"--opml {path}: {exc}") from None


def web_sources(args: argparse.Namespace) -> tuple[list[str], list[str], list[FeedRef]]:
    """(files, URLs, feeds) from the command line, --sources and --opml."""
    files = [p for p in args.paths if not is_http_url(p)]
    urls = [p for p in args.paths if is_http_url(p)]
    feeds = read_opml(args.opml) if args.opml else []
    if args.sources:
        try:
            text = decode(read_file(Path(args.sources)))
        except (OSError, InputError) as exc:
            raise UserError(f"cannot read --sources {args.sources}: {getattr(exc, 'strerror', None) or exc}") from None
        found, problems = parse_sources_file(text)
        for problem in problems:
            err(f"--sources {args.sources}, {problem}: skipped")
        urls += found
    return files, urls, feeds


def fetch_web(args: argparse.Namespace, urls: list[str], feeds: list[FeedRef], inputs: list[str],
              reporter: Reporter) -> tuple[Gathered, str | None]:
    """The web articles of this run, and the start of the feeds' window (ISO)."""
    try:
        store = Store()
    except StoreError as exc:
        raise UserError(f"feeds and URLs need the store: {exc}") from None
    try:
        now = datetime.now(UTC)
        prev = store.last_run_with(inputs) if feeds else None
        if isinstance(args.since, timedelta):
            start: datetime | None = now - args.since
        elif prev is not None:
            # The last run's window ended when it read the feeds (its stamp, created_at, comes
            # later and has whole seconds: an entry published in that second was counted twice).
            start = when(prev.stats.window_end or "") or when(prev.created_at)
        else:
            start = now - timedelta(hours=24) if feeds else None
        with reporter:
            got = run_async(gather(store, feeds, urls, start, offline=args.offline, timeout=args.fetch_timeout,
                                     progress=reporter))
            if feeds and prev is not None and not isinstance(args.since, timedelta) and \
                    not any(a.page in got.from_feeds for a in got.articles):
                # Nothing new since the last run of these feeds: that run's window again, from
                # what is stored (so the same briefing, from the cache), said on stderr.
                earlier_start = when(prev.stats.window_start or "") or now - timedelta(hours=24)
                again = run_async(gather(store, feeds, urls, earlier_start, offline=True))
                reporter.log(f"no new entries since run {prev.id} ({prev.created_at[:16]}); "
                             f"building its window again (since {earlier_start:%Y-%m-%d %H:%M})")
                again.requests, again.not_modified, again.problems = got.requests, got.not_modified, got.problems
                got, start = again, earlier_start
        got.window_end = now.isoformat()
        return got, start.isoformat(timespec="seconds") if start else None
    finally:
        store.close()


@dataclass
class Inputs:
    """What a build reads: the articles, where they came from, and what the web part did."""

    articles: list[Article]
    skipped: list[Skipped]
    paths: list[str]  # as stored with the run
    files: list[str]
    web: Gathered | None = None
    window_start: str | None = None


def kept_feeds() -> list[FeedRef]:
    """The feeds kept in the store (a build with no input reads them)."""
    try:
        stored = Store()
        try:
            feeds = [FeedRef(url=u, name=n, category=c) for u, n, c in stored.feeds()]
        finally:
            stored.close()
    except StoreError as exc:
        raise UserError(str(exc)) from None
    if not feeds:
        raise UserError("nothing to build: give files, directories or URLs, --opml FILE, --sources FILE, "
                        "or keep feeds with `briefing feeds add URL`")
    return feeds


def gather_inputs(args: argparse.Namespace, reporter: Reporter) -> Inputs:
    """Files, URLs and feeds read into articles, limits checked before any fetch."""
    files, urls, feeds = web_sources(args)
    if not (files or urls or feeds):  # today's briefing from the feeds kept in the store
        feeds = kept_feeds()
    if len(urls) > args.max_chunks:  # each page is an article, so at least one model call: refused before fetching
        raise TooMuchInput(f"{len(urls):,} URLs to read, over the limit of {args.max_chunks:,} chunks (model calls; "
                           "a page is at least one); nothing was fetched (--max-chunks N to allow more)")
    paths = [display_path(p) for p in files] + sorted(urls) + sorted(f.url for f in feeds)
    articles, skipped = load_inputs(files) if files else ([], [])
    for s in skipped:
        err(f"skipped {s.path}: {s.reason}")
    got = Inputs(articles=articles, skipped=skipped, paths=paths, files=files)
    if urls or feeds:
        got.web, got.window_start = fetch_web(args, urls, feeds, paths, reporter)
        got.articles += to_articles(got.web.articles, len(articles) + 1)
    if not got.articles:
        why = " (see above)" if skipped or (got.web and got.web.problems) else ""
        if got.web is not None:
            for problem in got.web.problems:
                err(problem)
            raise UserError(f"no article in the window{why}: nothing to build")
        raise UserError("no readable article in the input" + why)
    return got


def build_options(args: argparse.Namespace, target: Target) -> BuildOptions:
    return BuildOptions(chunk_tokens=args.chunk_tokens, concurrency=target.concurrency,
                        min_points=args.min_points, max_points=args.max_points, max_chunks=args.max_chunks,
                        max_story_articles=args.max_story_articles, select=args.select, top=args.top,
                        points=args.points, one_story=args.one_story,
                        topics=tuple(" ".join(from_argv(t).split()) for t in args.topic or ()))


def print_estimate(args: argparse.Namespace, articles: list[Article], prompts: dict[str, Prompt],
                   options: BuildOptions, target: Target) -> int:
    store, _ = open_store_for_build()
    try:
        measured = measured_rate(store, target) if store else None
    finally:
        if store is not None:
            store.close()
    try:
        est = estimate(articles, prompts, options, target.model, *(measured or (None, None)))
    except TooMuchInput as exc:
        raise UserError(str(exc)) from None
    write_output(estimate_text(est, options.concurrency) if args.format != "json"
                 else json.dumps(est.__dict__, indent=2) + "\n", args.output)
    return EXIT_OK


@contextlib.contextmanager
def one_at_a_time(quiet: bool = False) -> Iterator[None]:
    """Builds and publishes of one BRIEFING_HOME take turns (a slow run still going when cron
    starts the next): the second waits for the first, and says so once."""
    path = home() / "run.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole run
    except OSError:
        yield  # no lock to take (a read-only home): the store's own locking still guards it
        return
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another run"
            if not quiet:
                err(f"waiting for {holder} to finish (one build or publish at a time in {home()})")
            fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        f.flush()
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def cmd_build(args: argparse.Namespace) -> int:
    with one_at_a_time(args.quiet):
        return build_command(args)


def build_command(args: argparse.Namespace) -> int:
    prompts = load_prompts()
    reporter = Reporter(args.quiet)
    inputs = gather_inputs(args, reporter)
    check_output(args.output, inputs.files)
    target = target_from(args)
    _, note = resolve_encoding(target.model)
    if note and not args.quiet:
        err(note)
    options = build_options(args, target)
    if args.estimate:
        return print_estimate(args, inputs.articles, prompts, options, target)
    batches: Batches | None = None
    if args.batch or args.batch_export:
        target = batch_target(args, target)
        batches = Batches(home() / "batches")
        if (waiting := collect_batches(args, batches, target)) is not None:
            return waiting
    store, store_problem = open_store_for_build()
    if store_problem:
        err(f"warning: {store_problem}; the briefing will be printed but not stored")
    earlier: EarlierRun | None = None
    if store is not None:
        try:
            earlier = earlier_of(store, args.since if isinstance(args.since, int) else None)
        except StoreError as exc:
            err(f"warning: {exc}; nothing is marked new")
        except UserError:
            store.close()
            raise
    batching = batching_for(batches, args.batch_retry, SETTINGS.batch.attempts) if batches else None
    try:
        done = run_build(args, inputs, prompts, options, target, reporter, earlier, batching)
        run_id, store_problem = store_build(store, args, inputs, target, done, store_problem)
        if store is not None:  # each continuing story's timeline: the earlier runs that carried it (not stored)
            add_timelines(store, done.result.briefing, run_id)
    except Pending as pending:
        assert batches is not None and batching is not None
        return send_batch(args, pending, batches, batching, target)
    finally:
        if store is not None:
            store.close()
    built_stats(done.result.briefing).run = run_id
    write_briefing(args, done.result.briefing, run_id)
    return report_build(args, inputs, done, run_id, store_problem)


@dataclass
class Done:
    """A finished build: its result, the client that made it (usage), the server it used."""

    result: BuildResult
    client: ModelClient
    server: str


def run_build(args: argparse.Namespace, inputs: Inputs, prompts: dict[str, Prompt], options: BuildOptions,
              target: Target, reporter: Reporter, earlier: EarlierRun | None, batching: Batching | None = None) -> Done:
    # Requests for an engine's file never reach a server: the embedded one is not even prepared.
    no_server = bool(args.batch_export) and target.base_url is None
    with reporter, (contextlib.nullcontext(Endpoint(NO_SERVER)) if no_server
                    else model_endpoint(target, reporter)) as endpoint:
        client, transport = make_client(args, target, endpoint, batching)
        client.budget = args.max_tokens_total

        async def run() -> BuildResult:
            try:
                return await build(inputs.articles, client, prompts, options, reporter, earlier)
            finally:
                await client.aclose()

        result = run_async(run())
        unused = transport.unused_recordings()
        server = endpoint.url
    report_transport(transport)
    stats = built_stats(result.briefing)
    stats.failures = len(result.failures) + bool(result.synthesis_failed)
    if inputs.web is not None:
        web = inputs.web
        stats.window_start, stats.window_end = inputs.window_start, web.window_end
        stats.web_requests, stats.feeds_not_modified = web.requests, web.not_modified
        stats.pages_fetched, stats.pages_stored, stats.source_problems = (web.fetched_pages, web.stored_pages,
                                                                           len(web.problems))
    if result.synthesis_failed:
        stats.synthesis_failed = redact(result.synthesis_failed, SECRETS)
    if args.replay:
        stats.replay_unused = len(unused)
        if unused and not args.quiet:
            err(f"{len(unused)} recording(s) in {args.replay} were not used, e.g. {unused[0].name}")
    return Done(result=result, client=client, server=server)


def store_build(store: Store | None, args: argparse.Namespace, inputs: Inputs, target: Target, done: Done,
                problem: str | None) -> tuple[int | None, str | None]:
    """(run id, the store's problem): a store that cannot take the run is a warning, not a failure."""
    if store is None:
        return None, problem
    result = done.result
    try:
        run_id = store.save_run(
            inputs=inputs.paths, model=target.model, server=scrub_url(done.server),
            status="partial" if result.partial else "complete",
            articles=inputs.articles, chunks=result.chunks, claims=result.claims,
            dropped=[(d.article_id, d.chunk_index, d.statement, d.quote, str(d.reason)) for d in result.dropped],
            failures=[(f.article_id, f.chunk_index, "extract", redact(f.error, SECRETS)) for f in result.failures]
            + ([(None, None, "synthesize", redact(result.synthesis_failed, SECRETS))]
               if result.synthesis_failed else []),
            briefing=result.briefing,
        )
    except StoreError as exc:
        err(f"warning: {exc}; the briefing is printed but not stored")
        return None, str(exc)
    return run_id, problem


def write_briefing(args: argparse.Namespace, briefing: Briefing, run_id: int | None) -> None:
    try:
        write_output(render(briefing, args.format), args.output)
    except OSError as exc:
        kept = f"; the briefing is stored as run {run_id} (briefing show {run_id})" if run_id else ""
        where = args.output or "standard output"
        raise UserError(f"cannot write {where}: {exc.strerror or exc}{kept}") from None


def report_build(args: argparse.Namespace, inputs: Inputs, done: Done, run_id: int | None,
                 store_problem: str | None) -> int:
    """The run's lines on stderr, and its exit code."""
    result, stats = done.result, built_stats(done.result.briefing)
    for f in result.failures:
        err(f"chunk {f.chunk_index} of {inputs.articles[f.article_id - 1].path} failed: {f.error}")
    if stats.articles_unread:
        n = stats.articles_unread
        err(f"{n:,} article{'s' if n != 1 else ''} of the largest stories left unread: a story is read from at most "
            f"{args.max_story_articles:,} (--max-story-articles N to read more)")
    if (web := inputs.web) is not None:
        for problem in web.problems:
            err(problem)
        if not args.quiet:
            err(f"web: {web.requests} requests ({web.not_modified} feeds unchanged, 304) · {web.fetched_pages} pages "
                f"fetched, {web.stored_pages} already stored · {len(web.problems)} source problems")
    if result.synthesis_failed:
        failed = stats.stories_failed or 1
        err(f"synthesis failed for {failed} stor{'y' if failed == 1 else 'ies'}, their points are the "
            f"best-supported facts: {result.synthesis_failed}")
    usage = done.client.usage
    if args.max_tokens_total is not None and usage.prompt_tokens + usage.completion_tokens \
            >= args.max_tokens_total and result.partial:
        err(f"the token budget of {args.max_tokens_total:,} was spent: calls not started are listed above; "
            "the briefing is built from what was done")
    if not args.quiet:
        err(summary_line(stats, len(inputs.skipped)) + (f" · run {run_id}" if run_id else " · not stored"))
    if result.partial:
        err("the run was partial: re-run to retry what failed (finished calls are cached)")
        return EXIT_PARTIAL
    return EXIT_USER if store_problem else EXIT_OK


# --- batch --------------------------------------------------------------------------------

def batch_target(args: argparse.Namespace, target: Target) -> Target:
    """The model a batch build asks: --batch needs a server with the Batch API; a file for an
    engine (--batch-export) is asked in json_schema unless --structured says otherwise (the shape
    OpenAI and vLLM take; the embedded model's grammar is llama.cpp's alone)."""
    if args.replay or args.record or args.no_cache:
        raise UserError("--batch and --batch-export work through the exchange cache: drop --replay, --record and "
                        "--no-cache")
    if args.batch and target.base_url is None:
        raise UserError("--batch needs a server with the Batch API (--base-url or BRIEFING_BASE_URL); for an "
                        "engine that reads a file, use --batch-export DIR")
    if args.batch_export and not args.structured:
        return dataclasses.replace(target, structured="json_schema")
    return target


def batch_sdk(args: argparse.Namespace, target: Target) -> AsyncOpenAI:
    assert target.base_url is not None
    return sdk_for(model_config(args, target, target.base_url), httpx2.AsyncHTTPTransport(retries=0))


def cache_transport() -> ExchangeTransport:
    return ExchangeTransport("cache", cache_dir=home() / "cache", secrets=SECRETS)


def collect_batches(args: argparse.Namespace, batches: Batches, target: Target,
                    wait_seconds: float = 0.0) -> int | None:
    """Poll the open batches and cache what they answered: None when none is open any more (the
    build goes on), else EXIT_PENDING after a line for each that is still out."""
    states = batches.open()
    if not states:
        return None
    transport = cache_transport()
    if any(s.server != "file" for s in states):
        if target.base_url is None:
            raise UserError(f"{len(states)} batch(es) are out on a server: give its --base-url to collect them")

        async def go() -> int:
            sdk = batch_sdk(args, target)
            try:
                for s in states:  # an interrupted submission is finished first: never lost, never sent twice
                    if s.server != "file" and s.batch_id is None and s.input_file is None:
                        await submit(sdk, s, batches)
                return await wait(sdk, states, batches, transport, SETTINGS.batch.poll_seconds,
                                  time.monotonic() + wait_seconds, lambda *_: None)
            finally:
                await sdk.close()
        got = run_async(go())
        if got and not args.quiet:
            err(f"{got} batch answer{'s' if got != 1 else ''} cached")
    still = [s for s in states if s.open]
    for s in still:
        if s.server == "file":
            err(f"batch {s.name}: {len(s.requests)} requests wait for an engine's results: run it on the file "
                f"`briefing batch export DIR` writes, then `briefing batch import RESULTS.jsonl`")
        else:
            done = s.counts.get("completed", 0) + s.counts.get("failed", 0)
            err(f"batch {s.batch_id}: {s.status}, {done} of {s.counts.get('total') or len(s.requests)} requests done; "
                "run this again later (or `briefing batch status --wait`)")
    return EXIT_PENDING if still else None


def send_batch(args: argparse.Namespace, pending: Pending, batches: Batches, batching: Batching,
               target: Target) -> int:
    """The requests a build put off, as a batch: submitted to the server's Batch API, or written
    as batch JSONL for an engine (--batch-export)."""
    if args.batch_export:
        state = batches.new(batching.requests, "file")
        path = write_requests(Path(args.batch_export), state)
        state.status = "exported"
        batches.save(state)
        err(f"{pending}: wrote {display_path(str(path))}. Run an engine on it (e.g. vllm run-batch -i {path.name} "
            f"-o results.jsonl --model {target.model}), then `briefing batch import results.jsonl` and run this "
            "command again")
        return EXIT_PENDING
    state = batches.new(batching.requests, scrub_url(target.base_url or ""))

    async def go() -> None:
        sdk = batch_sdk(args, target)
        try:
            await submit(sdk, state, batches)
        except openai.OpenAIError as exc:
            # Refused, or the upload never arrived: the server holds no batch, nothing is left
            # waiting. A create whose answer was lost stays "uploaded", found again next run.
            if state.input_file is not None and not isinstance(exc, openai.APIStatusError):
                raise
            state.status = "abandoned"
            batches.save(state)
            why = f"HTTP {exc.status_code}: {exc.message}" if isinstance(exc, openai.APIStatusError) \
                else connection_words(exc)
            raise UserError(f"the server did not take the batch ({why}); nothing was submitted (a server without "
                            "the Batch API: use --batch-export DIR)") from None
        finally:
            await sdk.close()
    run_async(go())
    err(f"{pending}: submitted as batch {state.batch_id}; run this command again to collect the answers and go "
        "on (or `briefing batch status --wait`)")
    return EXIT_PENDING


def write_requests(folder: Path, state: BatchState) -> Path:
    path = folder / f"requests-{state.name}.jsonl"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, requests_jsonl(state.requests.values()))
    except OSError as exc:
        raise UserError(f"cannot write {display_path(str(path))}: {exc.strerror or exc}") from None
    return path


def cmd_batch(args: argparse.Namespace) -> int:
    batches = Batches(home() / "batches")
    if args.action == "status":
        args.model = args.model or os.environ.get("BRIEFING_MODEL") or "any"  # polling asks no model
        target = target_from(args)
        code = collect_batches(args, batches, target, args.wait if args.wait is not None else 0.0)
        for s in batches.all()[-args.limit:]:
            print(f"{s.name}\t{s.batch_id or s.server}\t{s.status}\t{len(s.requests)} requests"
                  f"\t{len(s.failed)} failed")
        return code or EXIT_OK
    if args.action in ("export", "import") and not args.target:
        raise UserError(f"batch {args.action} needs a {'folder' if args.action == 'export' else 'results file'}: "
                        f"briefing batch {args.action} {'DIR' if args.action == 'export' else 'RESULTS.jsonl'}")
    if args.action == "export":
        states = [s for s in batches.open() if s.server == "file"]
        if not states:
            raise UserError("no batch waits for an engine's results: `briefing build ... --batch-export DIR` "
                            "makes one")
        for s in states:
            print(display_path(str(write_requests(Path(args.target), s))))
        return EXIT_OK
    return import_files(args, batches)


def import_files(args: argparse.Namespace, batches: Batches) -> int:
    """``batch import FILE``: an engine's results into the cache, for the requests of the batches
    that wait for an engine (never one out on a server). A batch the file answers nothing of stays
    open: the wrong file is not taken for a failed batch."""
    states = [s for s in batches.open() if s.server == "file"]
    if not states:
        raise UserError("no batch is waiting for an engine's results: `briefing build ... --batch-export DIR` "
                        "makes one")
    try:
        lines = Path(args.target).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {display_path(args.target)}: {getattr(exc, 'strerror', None) or exc}") from None
    transport = cache_transport()
    cached = failed = 0
    mine: set[str] = set()
    for s in states:
        results = read_results(lines, s.requests)
        if not results.answers and not results.failed:
            continue
        mine |= set(results.answers) | set(results.failed)
        cached += close_batch(s, results, transport, "no answer in the results file")
        failed += len(s.failed)
        batches.save(s)
    if not mine:
        raise UserError(f"{display_path(args.target)} answers none of the requests waiting for an engine "
                        "(is it the results of the file `briefing batch export` wrote?)")
    other = sum(1 for line in lines if line.strip()) - len(mine)
    err(f"{cached} answers cached, {failed} requests without one (the next build retries them)"
        + (f"; {other} lines answered nothing pending" if other else ""))
    return EXIT_OK


# --- ask / chat ---------------------------------------------------------------------------


def open_session(args: argparse.Namespace) -> tuple[Store, int, int | None]:
    store = Store()  # a StoreError is one line (main)
    try:
        run, conversation = resolve_run_and_conversation(store, args.run, args.conversation, args.continue_last)
        if args.story is not None:  # checked before a model is started
            story_sources(store, run, args.story)
    except AskError as exc:
        store.close()
        raise UserError(str(exc)) from None
    return store, run, conversation


def print_answer(result: AskResult, session: Session, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(ask_json(result, session.articles), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(ask_text(result, session.articles))
    sys.stdout.flush()


def cmd_ask(args: argparse.Namespace) -> int:
    args.question = from_argv(args.question)
    if not args.question.strip():
        raise UserError("the question is empty")
    prompts = load_prompts()
    store, run, conversation = open_session(args)
    target = target_from(args)
    try:
        with model_endpoint(target, Reporter(quiet=args.quiet)) as endpoint:
            client, _ = make_client(args, target, endpoint)
            session = Session(store, run, conversation, client, prompts, story=args.story)

            async def go() -> AskResult:
                try:
                    return await session.ask(args.question)
                finally:
                    await client.aclose()

            result = run_async(go())
        report_transport(client.transport)
        print_answer(result, session, args.format)
        if not args.quiet:
            u = client.usage
            err(f"run {run} · conversation {result.conversation or 'not stored'} · {u.calls} model calls, "
                f"{u.cached} cached · tokens {u.prompt_tokens:,} in / {u.completion_tokens:,} out · "
                f"model {u.seconds:.1f}s")
        if result.not_stored:
            err(f"{result.not_stored}; the answer above was not stored (a follow-up with -c will not see it)")
            return EXIT_USER
    except AskError as exc:
        raise UserError(str(exc)) from None
    finally:
        store.close()
    return EXIT_OK


CHAT_HELP = """Ask about the run's articles. Commands:
  /sources   list the articles of this run
  /new       start a new conversation (the old one stays stored)
  /help      this help
  /quit      end (or Ctrl-D); Ctrl-C cancels the answer being prepared"""


def chat_command(line: str, session: Session) -> bool:
    """Handle a /command; False means quit."""
    if line in ("/quit", "/exit", "/q"):
        return False
    if line == "/help":
        print(CHAT_HELP)
    elif line == "/sources":
        for a in session.articles:
            print(plain(f"  S{a.id}  {a.title}" + (f" — {a.outlet}" if a.outlet else "") + f"  ({a.path})"))
    elif line == "/new":
        session.conversation = None
        print("(new conversation)")
    else:
        print(f"unknown command {line}; /help lists them")
    sys.stdout.flush()
    return True


def cmd_chat(args: argparse.Namespace) -> int:
    import readline

    prompts = load_prompts()
    store, run, conversation = open_session(args)
    target = target_from(args)
    history_file = home() / "chat_history"
    with contextlib.suppress(OSError):
        readline.read_history_file(history_file)
    readline.set_history_length(1000)
    loop = asyncio.new_event_loop()
    try:
        with model_endpoint(target, Reporter(quiet=False)) as endpoint:
            client, _ = make_client(args, target, endpoint)
            session = Session(store, run, conversation, client, prompts, story=args.story)
            n = len(session.articles)
            print(f"briefing chat · run {run} · {n} article{'s' if n != 1 else ''}"
                  + (f" · continuing conversation {conversation}" if conversation else "")
                  + " · /help for commands, Ctrl-D to quit", flush=True)
            while True:
                try:
                    line = from_argv(input("? ")).strip()
                except EOFError:
                    print()
                    break
                except KeyboardInterrupt:
                    print("^C")
                    continue
                if not line:
                    continue
                if line.startswith("/"):
                    if not chat_command(line, session):
                        break
                    continue
                task = loop.create_task(session.ask(line))
                try:
                    result = loop.run_until_complete(task)
                except KeyboardInterrupt:
                    task.cancel()
                    with contextlib.suppress(BaseException):
                        loop.run_until_complete(task)
                    print("\n(cancelled)", flush=True)
                    continue
                except AskError as exc:
                    print(str(exc), flush=True)
                    continue
                except (ModelFailure, openai.OpenAIError, StoreError) as exc:
                    # One failed answer never ends the session: say why, keep going.
                    err(f"no answer: {describe(exc)}")
                    continue
                print_answer(result, session, "text")
                if result.not_stored:
                    err(f"{result.not_stored}; this answer was not stored")
            loop.run_until_complete(client.aclose())
    finally:
        loop.close()
        store.close()
        with contextlib.suppress(OSError):
            readline.write_history_file(history_file)
    return EXIT_OK


# --- runs / show --------------------------------------------------------------------------


def cmd_runs(args: argparse.Namespace) -> int:
    store = Store()
    try:
        rows = store.runs(args.limit)
    finally:
        store.close()
    if args.format == "json":
        print(json.dumps([{**r.__dict__, "stats": r.stats.model_dump(mode="json")} for r in rows], indent=2))
        return EXIT_OK
    if not rows:
        err(f"no runs yet in {home()} (run `briefing build` first)")
        return EXIT_OK
    print(f"{'run':>4}  {'when (UTC)':<20} {'status':<9} {'art':>3} {'sto':>3} {'pts':>3}  {'model':<36} inputs")
    for r in rows:
        print(plain(f"{r.id:>4}  {r.created_at[:19]:<20} {r.status:<9} {r.stats.articles:>3} "
                    f"{r.stats.stories:>3} "
                    f"{r.stats.points:>3}  {r.model[:36]:<36} {' '.join(r.inputs)[:60]}"))
    return EXIT_OK


def stored_runs(store: Store, last: int | None = None, warn: bool = True) -> list[StoredRun]:
    """The stored runs (the ``last`` few), oldest first; a damaged one is skipped (with a line)."""
    out = []
    for run_id, built in store.run_times()[-last if last else 0:]:
        try:
            b = store.briefing(run_id)
        except DamagedRun as exc:
            if warn:
                err(f"warning: {exc.line()}")
            continue
        if b is not None:
            out.append(StoredRun(run_id, built, b))
    return out


def add_timelines(store: Store, briefing: Briefing, run_id: int | None) -> None:
    with contextlib.suppress(StoreError):
        # a damaged run is said once already, by the build or the show that needs it
        with_timelines(briefing, tellings(stored_runs(store, SETTINGS.limits.timeline_runs + 1, warn=False)), run_id)


def cmd_publish(args: argparse.Namespace) -> int:
    with one_at_a_time(args.quiet):
        return publish_command(args)


def publish_command(args: argparse.Namespace) -> int:
    store = Store()
    try:
        runs = stored_runs(store)
    finally:
        store.close()
    if not runs:
        raise UserError(f"no runs yet in {home()} to publish (run `briefing build` first)")
    files = site(runs, args.base_url or "", args.feed_per)
    root = Path(args.folder)
    written = 0
    for rel, text in sorted(files.items()):
        path = root / rel
        try:
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, text)
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise UserError(f"cannot write {display_path(str(path))}: {why}") from None
        written += 1
    if not args.quiet:
        err(f"{len(runs)} runs published in {display_path(str(root))}: {len(files)} files, {written} written, "
            f"{len(files) - written} unchanged")
    if args.mail:
        mail_latest(args, runs[-1])
    print(display_path(str(root / "index.html")))
    return EXIT_OK


def mail_latest(args: argparse.Namespace, run: StoredRun) -> None:
    """The latest run's page by mail: its HTML with the Markdown as the plain-text part."""
    url = os.environ.get("BRIEFING_SMTP_URL")
    if not url:
        raise UserError("--mail needs the mail server in BRIEFING_SMTP_URL (smtp://user:password@host:587)")
    b = run.briefing
    sender = os.environ.get("BRIEFING_MAIL_FROM") or "briefing@localhost"
    send_mail(url, mail_message(sender, args.mail, f"Briefing {run.date[:10]}: {title_of(b)}", to_markdown(b),
                                to_html(b)))
    if not args.quiet:
        err(f"run {run.id} mailed to {', '.join(args.mail)}")


def cmd_prune(args: argparse.Namespace) -> int:
    with one_at_a_time():
        return prune_command(args)


def prune_command(args: argparse.Namespace) -> int:
    """Runs, cached exchanges and collected batches older than ``--older-than`` days."""
    cutoff = datetime.now(UTC) - timedelta(days=args.older_than)
    store = Store()
    try:
        before = store.path.stat().st_size
        runs = store.prune(cutoff.isoformat(timespec="seconds"))
        after = store.path.stat().st_size
    finally:
        store.close()
    stale = cutoff.timestamp()
    files = 0
    done = {b.name for b in Batches(home() / "batches").all() if not b.open}
    for folder in (home() / "cache", home() / "batches"):
        for f in folder.glob("*.json") if folder.is_dir() else []:
            with contextlib.suppress(OSError):
                if f.stat().st_mtime < stale and (folder.name == "cache" or f.stem in done):
                    f.unlink()
                    files += 1
    print(f"{runs} run{'s' if runs != 1 else ''} dropped ({(before - after) / 2**20:.1f} MB freed), "
          f"{files} cached exchange and batch file{'s' if files != 1 else ''} older than {args.older_than:g} days "
          "removed")
    return EXIT_OK


def cmd_feeds(args: argparse.Namespace) -> int:
    store = Store()
    try:
        if args.action == "add":
            refs = [FeedRef(url=u, name=args.name or "", category=args.category or "") for u in args.urls]
            if args.opml:
                refs += read_opml(args.opml)
            if not refs:
                raise UserError("feeds add: give one or more feed URLs, or --opml FILE")
            for r in refs:
                if not is_http_url(r.url):
                    raise UserError(f"feeds add: not an http(s) URL: {r.url}")
            added = sum(store.add_feed(r.url, r.name, r.category) for r in refs)
            err(f"{added} feed{'s' if added != 1 else ''} added, {len(refs) - added} already kept; "
                f"{len(store.feeds())} in all (`briefing build` with no arguments reads them)")
        elif args.action == "remove":
            gone = [u for key in args.urls for u in store.remove_feed(key)]
            if not gone:
                raise UserError(f"feeds remove: no kept feed has the URL or name {' '.join(args.urls)!r}")
            for u in gone:
                print(plain(f"removed {u}"))
        else:
            rows = store.feeds()
            if args.format == "json":
                print(json.dumps([{"url": u, "name": n, "category": c} for u, n, c in rows], indent=2))
            elif not rows:
                err("no feeds kept yet: `briefing feeds add URL` or `briefing feeds add --opml FILE`")
            for u, n, c in rows if args.format != "json" else []:
                print(plain(f"{u}" + (f"  {n}" if n else "") + (f"  [{c}]" if c else "")))
    finally:
        store.close()
    return EXIT_OK


DOCTOR_EXAMPLES = """examples:
  briefing doctor                                   # the embedded model: install, CPU, GGUF, start, a call, speed
  briefing doctor --gguf ~/models/other.gguf        # the same with your own GGUF
  briefing doctor --base-url http://127.0.0.1:8080/v1 --model qwen   # a server: /models, every mode, auto
"""


EVAL_EXAMPLES = """examples:
  briefing eval ../shared/eval/multinews-dev.jsonl                      # every cluster, the embedded model
  briefing eval clusters.jsonl --clusters 0-9 --baseline one-prompt     # and the same model's one-prompt summary
  briefing eval clusters.jsonl --base-url http://127.0.0.1:8000/v1 --model qwen --format json

A line of the file is one cluster: {"documents": [{"documentFile", "documentTitle", "rawDocumentText"}, ...],
"response": "the reference summary", "set_of_highlights_in_context": [{"documentFile", "docSpanOffsets"}]}
(gold spans optional). ROUGE is F1 over lower-cased words, no stemming; lead-3 is each article's first
three sentences.
"""


def cmd_eval(args: argparse.Namespace) -> int:
    try:
        clusters = read_clusters(Path(args.file).read_text(encoding="utf-8").splitlines())
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {args.file}: {getattr(exc, 'strerror', None) or exc}") from None
    chosen = pick(clusters, args.clusters)
    baselines = args.baseline or ["lead-3"]
    prompts = load_prompts()
    target = target_from(args)
    options = BuildOptions(concurrency=target.concurrency, points=args.points, one_story=not args.group)
    reporter = Reporter(args.quiet)
    with reporter, model_endpoint(target, reporter) as endpoint:
        client, transport = make_client(args, target, endpoint)

        async def build_one(articles: list[Article]) -> Briefing:
            return (await build(articles, client, prompts, options)).briefing

        async def one_prompt(articles: list[Article]) -> str:
            messages = one_prompt_messages(prompts["one_prompt"], articles, args.baseline_tokens,
                                           lambda t: count_tokens(t, target.model))
            return (await client.text(messages, SETTINGS.evaluate.baseline_tokens_out))[0]

        async def run() -> Report:
            try:
                return await evaluate(chosen, build_one, one_prompt if "one-prompt" in baselines else None,
                                      reporter, lead3="lead-3" in baselines)
            finally:
                await client.aclose()

        report = run_async(run())
    report_transport(transport)
    write_output(json.dumps(report.as_json(), indent=2) + "\n" if args.format == "json" else table(report) + "\n",
                 args.output)
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    target = target_from(args)
    prompt = load_prompts(names=["doctor"])["doctor"]
    log = Reporter(quiet=args.quiet).log

    def line(check: doctor.Check) -> None:
        print(plain(check.line()), flush=True)

    ok = doctor.run(line, gguf=target.local_gguf, base_url=target.base_url, model=target.model,
                    api_key=target.api_key, prompt=prompt, log=log)
    print("all checks passed" if ok else "a check failed: see what to do above", flush=True)
    return EXIT_OK if ok else EXIT_MODEL


def show_story(args: argparse.Namespace) -> int:
    """``show --story ID``: the story's whole timeline."""
    store = Store()
    try:
        told = tellings(stored_runs(store)).get(args.story)
    finally:
        store.close()
    if not told:
        raise UserError(f"no stored run carries story {args.story} (`briefing show --format json` lists the ids)")
    if args.format == "json":
        print(json.dumps({"story": args.story, "timeline": [telling_json(t) for t in told]}, indent=2,
                         ensure_ascii=False))
    else:
        sys.stdout.write(timeline_markdown(args.story, told))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    if args.story:
        return show_story(args)
    store = Store()
    try:
        run_id = args.run if args.run is not None else store.latest_run_id()
        if run_id is None:
            raise UserError("no runs yet: run `briefing build` first")
        briefing: Briefing | None = store.briefing(run_id)
        if briefing is not None:
            add_timelines(store, briefing, run_id)
    finally:
        store.close()
    if briefing is None:
        raise UserError(f"no run with id {run_id} (see `briefing runs`)")
    if args.source is not None:
        store = Store()
        try:
            arts = {a.id: a for a in store.articles(run_id)}
        finally:
            store.close()
        if args.source not in arts:
            raise UserError(f"run {run_id} has no source S{args.source} (it has S1 to S{len(arts)})")
        # Exactly the text the citations index: quote == text[start:end].
        sys.stdout.write(arts[args.source].text)
        return EXIT_OK
    sys.stdout.write(render(briefing, args.format))
    return EXIT_OK


# --- argument parsing ---------------------------------------------------------------------

EXAMPLES = """examples:
  briefing build seeds/                                   # embedded local model, Markdown to stdout
  briefing build seeds/ --replay fixtures/seeds --format json -o out.json   # offline, no model
  briefing build today/ --base-url http://localhost:11434/v1 --model llama3.1   # Ollama
  OPENAI_API_KEY=sk-... briefing build today/*.html                   # OpenAI (gpt-4o-mini)
  briefing build seeds/ --record fixtures/seeds                # record every exchange as fixtures
  briefing build today/ --top 10 --topic ukraine --format html -o today.html   # the day, ranked
  briefing build today/ --estimate                        # calls, tokens and time; no model call
  briefing build today/ --since 12                        # mark what is new since run 12
  briefing build today/ --batch --base-url https://api.openai.com/v1   # as batches; run again to go on
  briefing build https://example.org/rss.xml https://example.com/story.html   # a feed and a page
  briefing build                                          # the feeds kept with `briefing feeds add`
  cat story.txt | briefing build -
  briefing runs
"""

ASK_EXAMPLES = """examples:
  briefing ask "Who pledged troops?"                      # about the latest run
  briefing ask -c "And Sweden?"                           # follow-up in the last conversation
  briefing ask --run 3 "What did the Dutch minister say?" --format json
  briefing ask --story s1f2e3d "Who was arrested?"         # only that story's articles
  briefing chat                                           # interactive; /help inside
"""


BATCH_EXAMPLES = """examples:
  briefing build today/ --batch --model gpt-4o-mini      # submits the first stage's batch (exit 75)
  briefing batch status --wait 3600                      # poll until it is done, cache its answers
  briefing build today/ --batch --model gpt-4o-mini      # the next stage's batch, ... then the briefing
  briefing build today/ --batch-export jobs/ --model Qwen/Qwen2.5-7B-Instruct   # for vllm run-batch
  vllm run-batch -i jobs/requests-*.jsonl -o results.jsonl --model Qwen/Qwen2.5-7B-Instruct
  briefing batch import results.jsonl                    # then build again: the next stage, or the briefing
"""


FEEDS_EXAMPLES = """examples:
  briefing feeds add https://example.org/rss.xml https://example.com/atom --category World
  briefing feeds add --opml subscriptions.opml        # an export from a feed reader
  briefing feeds list
  briefing feeds remove https://example.org/rss.xml
  briefing build                                      # today's briefing from the kept feeds
  briefing build --since 24h --format html -o today.html
  briefing build --offline                            # only what is already stored
"""


def _whole(low: int, high: int = 2**63 - 1) -> Any:
    """An argparse type: a whole number from ``low`` to ``high``."""
    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:,} to {high:,}: {value}")
        return n
    parse.__name__ = "number"
    return parse


_positive = _whole(1)


def _since(value: str) -> int | timedelta:
    """--since: a run id (a whole number) or a window (24h, 90m, 2d, 1w)."""
    if value.strip().isdigit():
        n = int(value)
        if n < 1:
            raise argparse.ArgumentTypeError("a run id is 1 or more")
        return n
    window = parse_window(value)
    if window is None or window.total_seconds() <= 0:
        raise argparse.ArgumentTypeError(f"{value!r} is neither a run id nor a window such as 24h, 90m or 2d "
                                         "(ten years at most)")
    return window


def _days(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {value!r}") from None
    if not 0 < n <= 100_000:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be a number of days above 0: {value}")
    return n


def _seconds(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 1 <= n <= 86_400:
        raise argparse.ArgumentTypeError(f"must be from 1 to 86400 seconds: {value}")
    return n


def _url(value: str) -> str:
    """An http(s) URL with a host that parses; one clear line otherwise."""
    if not is_http_url(value):
        raise argparse.ArgumentTypeError(f"not an http(s) URL with a host: {value!r}")
    return value


def add_model_args(p: argparse.ArgumentParser) -> None:
    m = p.add_argument_group("model (default: the embedded local model)")
    m.add_argument("--model", help="model name (env BRIEFING_MODEL)")
    m.add_argument("--base-url", type=_url,
                   help="any OpenAI-compatible server (env BRIEFING_BASE_URL, OPENAI_BASE_URL); "
                        "key from BRIEFING_API_KEY or OPENAI_API_KEY")
    m.add_argument("--gguf", help="run this local GGUF file with llama-cpp-python instead of the default")
    m.add_argument("--structured", choices=["auto", *MODES],
                   help="how to ask for JSON: auto (default for servers), json_schema, gbnf (a grammar of "
                        "ours: llama-cpp-python and llama-server; default for local models), json_object, "
                        "tools, prompt")
    m.add_argument("--concurrency", type=_positive, help="parallel model calls (default 1 local, 4 remote)")
    m.add_argument("--retries", type=_whole(0, 20), default=3, metavar="N",
                   help="HTTP retries on 429/5xx and dropped connections, honouring Retry-After (default 3)")
    m.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                   help="the most one model call may take, retries included (default 1800 local, 600 server)")
    c = p.add_argument_group("cache and fixtures")
    c.add_argument("--record", metavar="DIR", help="also write every model exchange into DIR")
    c.add_argument("--replay", metavar="DIR", help="serve model exchanges only from DIR; fail on a miss")
    c.add_argument("--no-cache", action="store_true", help="do not read or write the exchange cache")


def add_conversation_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--run", type=_positive, help="the stored run to ask about (default: the latest)")
    p.add_argument("--story", metavar="ID", help="answer only from this story's articles (ids in the briefing)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("-c", "--continue", dest="continue_last", action="store_true",
                   help="continue the last conversation")
    g.add_argument("--conversation", type=_positive, metavar="ID", help="continue conversation ID")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="briefing",
        description="Turn news articles into one briefing in which every statement cites the exact "
                    "sentence that supports it; then ask follow-up questions answered only from them.",
        epilog=EXAMPLES + ASK_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"briefing {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_build(sub)
    add_ask_and_chat(sub)
    add_store_commands(sub)
    add_eval(sub)
    add_batch(sub)
    add_doctor(sub)
    return p


def add_build(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser(
        "build", help="build a briefing from articles", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read articles (.txt .md .html .json .jsonl, directories, - for stdin, feeds and pages), "
                    "group them into stories, merge each story's facts across outlets, have the model write "
                    "the headline, summary and points from the best of them, keep only what the cited "
                    "sentences support, and write the briefing.",
    )
    b.add_argument("paths", nargs="*", metavar="PATH",
                   help="files, directories, - (stdin), feed URLs or article URLs; none: the feeds kept with "
                        "`briefing feeds add`")
    b.add_argument("-o", "--output", help="write the briefing here instead of stdout")
    b.add_argument("--format", choices=["markdown", "json", "html"], default="markdown",
                   help="markdown (default), json, or html: one self-contained page")
    d = b.add_argument_group("the day's stories")
    d.add_argument("--top", type=_positive, metavar="N", help="only the N best-ranked stories (the rest cost nothing)")
    d.add_argument("--topic", action="append", metavar="WORDS",
                   help="rank stories whose titles and leads have all these words first (repeatable)")
    d.add_argument("--since", type=_since, metavar="RUN|WINDOW",
                   help="a run id: mark what is new since that stored run (default: the latest run); a window "
                        "such as 24h, 90m or 2d: the feed entries published within it (default: since the "
                        "last run of the same feeds)")
    _add_feed_args(b)
    d.add_argument("--estimate", action="store_true",
                   help="print the calls, tokens and expected time, and stop before any model call")
    d.add_argument("--max-tokens-total", type=_positive, metavar="N",
                   help="start no model call once N tokens are spent; build from what is done (exit 3)")
    add_model_args(b)
    _add_batch_args(b)
    _add_tuning_args(b)
    b.add_argument("-q", "--quiet", action="store_true", help="no progress or summary on stderr")
    b.set_defaults(func=cmd_build)


def _add_feed_args(b: argparse.ArgumentParser) -> None:
    """build's feeds and URLs flags."""
    w = b.add_argument_group("feeds and URLs")
    w.add_argument("--opml", metavar="FILE", help="read the feeds of an OPML export (folders kept as categories)")
    w.add_argument("--sources", metavar="FILE", help="a file of feed and article URLs, one per line, # comments")
    w.add_argument("--offline", action="store_true", help="fetch nothing: build from what is already stored")
    w.add_argument("--fetch-timeout", type=_seconds, default=SETTINGS.fetch.read_timeout, metavar="SECONDS",
                   help="the longest wait for a feed's or page's server to answer (default 15; a whole "
                        "exchange may take twice that)")


def _add_batch_args(b: argparse.ArgumentParser) -> None:
    """build's batch flags."""
    bt = b.add_argument_group("batch (many articles, no hurry)")
    bt.add_argument("--batch", action="store_true",
                    help="send each stage's model requests as one batch through the server's Batch API (OpenAI: "
                         "half the price, answers within 24 h); run the command again to collect and go on "
                         "(exit 75 while a batch is out)")
    bt.add_argument("--batch-export", metavar="DIR",
                    help="write each stage's model requests into DIR as OpenAI batch JSONL for an engine "
                         "(vllm run-batch); then `briefing batch import RESULTS` and run the command again")
    bt.add_argument("--batch-retry", choices=["batch", "live"], default="batch",
                    help=f"a request whose batch line failed: into the next batch (default; it fails after "
                         f"{SETTINGS.batch.attempts} batches) or asked live")


def _add_tuning_args(b: argparse.ArgumentParser) -> None:
    """build's tuning flags."""
    t = b.add_argument_group("tuning")
    t.add_argument("--chunk-tokens", type=_whole(64, 32_000), default=BuildOptions.chunk_tokens,
                   help=f"token budget per chunk, 64 to 32000 (default {BuildOptions.chunk_tokens})")
    t.add_argument("--max-chunks", type=_positive, default=BuildOptions.max_chunks, metavar="N",
                   help=f"refuse inputs that make more than N chunks (model calls) (default {BuildOptions.max_chunks})")
    t.add_argument("--max-story-articles", type=_positive, default=BuildOptions.max_story_articles, metavar="N",
                   help="read a story from at most N of its articles, each outlet's first before any second one "
                        f"(default {BuildOptions.max_story_articles})")
    t.add_argument("--select", choices=SELECT_MODES, default=BuildOptions.select,
                   help="which of a story's facts are its candidate points: auto (its facts ranked, the "
                        "best that fit 1,000 tokens; default), always (the model first picks each article's "
                        "fact sentences, then the same), never (every fact, ranked)")
    t.add_argument("--points", type=_whole(1, 50), metavar="N",
                   help="points per story (default: three and one per outlet, at most ten)")
    t.add_argument("--one-story", action="store_true",
                   help="the articles are all about one story (coverage you gathered of one event): "
                        "tell them as one, without grouping")
    t.add_argument("--min-points", type=_whole(1, 50), default=BuildOptions.min_points)
    t.add_argument("--max-points", type=_whole(1, 50), default=BuildOptions.max_points)


def add_ask_and_chat(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    a = sub.add_parser(
        "ask", help="answer a question from a stored run's articles", epilog=ASK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Answer only from the run's articles, quoting them exactly; say plainly when they "
                    "don't answer. -c continues the last conversation.",
    )
    a.add_argument("question")
    add_conversation_args(a)
    a.add_argument("--format", choices=["text", "json"], default="text")
    a.add_argument("-q", "--quiet", action="store_true", help="no summary line on stderr")
    add_model_args(a)
    a.set_defaults(func=cmd_ask)

    c = sub.add_parser(
        "chat", help="interactive questions about a stored run", epilog=ASK_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="An interactive session over the same machinery as `ask`: /sources, /new, /help, "
                    "/quit; Ctrl-C cancels an answer, Ctrl-D quits; the conversation is stored.",
    )
    add_conversation_args(c)
    add_model_args(c)
    c.set_defaults(func=cmd_chat)


def add_store_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """runs, show and feeds: what the store keeps."""
    r = sub.add_parser("runs", help="list stored runs")
    r.add_argument("--limit", type=_positive, default=20)
    r.add_argument("--format", choices=["text", "json"], default="text")
    r.set_defaults(func=cmd_runs)

    pub = sub.add_parser(
        "publish", help="write the stored runs as a static site with an Atom feed",
        description="Write a site of the stored runs into FOLDER: an index by date, a page per run, a page per "
                    "story with its timeline (every run that carried it, each statement cited), and an Atom feed "
                    "(feed.atom). Only files that changed are written; it works from file:// and makes no request.",
        epilog="examples:\n  briefing publish site/\n  briefing publish site/ --base-url https://news.example.org/ "
               "--feed-per story", formatter_class=argparse.RawDescriptionHelpFormatter)
    pub.add_argument("folder", metavar="FOLDER")
    pub.add_argument("--base-url", type=_url, help="the site's address, for absolute links in the feed")
    pub.add_argument("--feed-per", choices=["run", "story"], default="run",
                     help="a feed entry per run (default) or per story of each run")
    pub.add_argument("--mail", action="append", metavar="TO",
                     help="also send the latest run as an HTML e-mail to TO (repeatable), through the SMTP server "
                          "in BRIEFING_SMTP_URL (smtp://user:password@host:587); sender BRIEFING_MAIL_FROM")
    pub.add_argument("-q", "--quiet", action="store_true", help="nothing on stderr unless something failed")
    pub.set_defaults(func=cmd_publish)

    pr = sub.add_parser("prune", help="drop old runs, cached exchanges and collected batches",
                        description="Drop the runs older than N days (the latest run is always kept) with "
                                    "everything they hold, cached model exchanges written more than N days ago, "
                                    "and collected batches; then give the space back.")
    pr.add_argument("--older-than", type=_days, required=True, metavar="DAYS")
    pr.set_defaults(func=cmd_prune)

    s = sub.add_parser("show", help="print a stored run's briefing again")
    s.add_argument("run", nargs="?", type=_positive, help="run id (default: the latest)")
    s.add_argument("--format", choices=["markdown", "json", "html"], default="markdown")
    s.add_argument("--story", metavar="ID", help="print a story's timeline: every stored run that carried it")
    s.add_argument("--source", type=_positive, metavar="N",
                   help="print source SN's text exactly as stored: citations index it (quote == text[start:end])")
    s.set_defaults(func=cmd_show)

    f = sub.add_parser(
        "feeds", help="keep the feeds `briefing build` reads when given nothing", epilog=FEEDS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="add, list or remove the feeds (RSS, Atom, JSON Feed) kept in the store.")
    f.add_argument("action", choices=["add", "list", "remove"])
    f.add_argument("urls", nargs="*", metavar="URL|NAME")
    f.add_argument("--opml", metavar="FILE", help="with add: every feed of an OPML export")
    f.add_argument("--name", help="with add: the feed's name (default: its title when first read)")
    f.add_argument("--category", help="with add: a category for the feed")
    f.add_argument("--format", choices=["text", "json"], default="text")
    f.set_defaults(func=cmd_feeds)


def add_batch(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "batch", help="the batches of `build --batch` and `--batch-export`", epilog=BATCH_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="status: ask the server how the open batches stand and cache what they answered (--wait: "
                    "until they are done); export DIR: write the requests waiting for an engine as batch "
                    "JSONL again; import FILE: cache an engine's results JSONL (vllm run-batch -o FILE).")
    p.add_argument("action", choices=["status", "export", "import"])
    p.add_argument("target", nargs="?", metavar="DIR|FILE", help="export: the folder; import: the results file")
    p.add_argument("--wait", type=_seconds, metavar="SECONDS", help="status: poll until done or this long")
    p.add_argument("--limit", type=_positive, default=20, help="status: list this many of the latest batches")
    add_model_args(p)
    p.set_defaults(func=cmd_batch, batch=False, batch_export=None, batch_retry="batch", quiet=False)


def add_eval(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    e = sub.add_parser(
        "eval", help="score briefings against reference summaries (ROUGE, citations, time)",
        epilog=EVAL_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Build each cluster of a JSONL file as `briefing build` would, with the configured model, "
                    "and print ROUGE-1/2/L against its reference summary, citation precision and recall "
                    "against its gold spans, the exact-span rate, words per story, the share of "
                    "model-written sentences the checks kept, and time; with the baselines side by side.")
    e.add_argument("file", help="clusters, one JSON object per line (the format of multinews-dev.jsonl)")
    e.add_argument("--clusters", metavar="LIST", help="which clusters, by index from 0: 0-9 or 3,7,13 (default all)")
    e.add_argument("--baseline", action="append", choices=["lead-3", "one-prompt"],
                   help="baselines to score too (repeatable; default lead-3; one-prompt calls the model "
                        "once more a cluster)")
    e.add_argument("--baseline-tokens", type=_positive, default=SETTINGS.evaluate.baseline_tokens_in, metavar="N",
                   help="the one-prompt baseline reads at most N tokens of articles (default: what the "
                        "embedded model's context holds)")
    e.add_argument("--points", type=_whole(1, 50), metavar="N", help="points per story (as for build)")
    e.add_argument("--group", action="store_true",
                   help="group each cluster's articles into stories as a day's are grouped (default: a "
                        "cluster is one story, as its reference summary is; build --one-story)")
    e.add_argument("--format", choices=["text", "json"], default="text")
    e.add_argument("-o", "--output", help="write the scores here instead of stdout")
    e.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    add_model_args(e)
    e.set_defaults(func=cmd_eval)


def add_doctor(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doc = sub.add_parser(
        "doctor", help="check the model runtime step by step (the embedded model, or --base-url)",
        epilog=DOCTOR_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="check what building a briefing needs from the model, step by step: for the embedded model "
                    "the package, the CPU, the GGUF (size and sha256), the server's start, one structured call and "
                    "the speed; for --base-url the server's /models, one call in each structured mode and the mode "
                    "auto picks. Exit 0 when every check passes, 4 when one fails.")
    doc.add_argument("--model", help="model name (env BRIEFING_MODEL)")
    doc.add_argument("--base-url", type=_url, help="check this OpenAI-compatible server (env BRIEFING_BASE_URL)")
    doc.add_argument("--gguf", help="check this GGUF file instead of the default model")
    doc.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    doc.set_defaults(func=cmd_doctor, structured=None, concurrency=None, replay=None)


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def lands_in_own_code(frame: FrameType | None) -> bool:
    """Whether a signal that interrupted ``frame`` interrupted the program's own code (a
    CPU-bound stage, or what it calls: the innermost frame of this package comes before any frame
    of the event loop or of a network library) rather than the event loop waiting or a library's
    network code, where an exception raised mid-step leaves its state half-changed (anyio's
    connect, seen in one run in ten: a traceback after the one-line message)."""
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(_PACKAGE):
            return True
        if any(part in name for part in _MACHINERY):
            return False
        frame = frame.f_back
    return False


_MACHINERY = ("asyncio", "selectors", "anyio", "httpx", "httpcore", "sniffio", "openai", "tenacity", "threading")


def _stop(_signum: int, frame: FrameType | None) -> None:
    """Ctrl-C or a stop signal, at once, wherever the program's own code is: KeyboardInterrupt, so
    that every `finally` runs (the local server is always stopped). Where it lands in the event
    loop or a library's network code, the running task is cancelled instead (``launch.stop_running``)
    and ends as KeyboardInterrupt at its next ``await``. (Python's own SIGINT handler raises where
    it lands; ``asyncio.run`` replaces it with one that only cancels the task, so that a CPU-bound
    stage, merging a big story, ignored the first Ctrl-C until it finished. With this handler
    installed, asyncio leaves SIGINT alone.)"""
    if lands_in_own_code(frame) or not stop_running():
        raise KeyboardInterrupt


def install_signal_handlers() -> None:
    """A closed terminal (SIGHUP) and Ctrl-\\ (SIGQUIT) stop a run as SIGTERM does: every
    `finally` runs, so the embedded model server is stopped and nothing half-written is kept.
    Ctrl-C interrupts at once, in every stage (``_stop``)."""
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, _stop)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _stop)


def describe(exc: BaseException) -> str:
    """One line for a model-side failure."""
    if isinstance(exc, openai.AuthenticationError):
        return ("the model server rejected the key (HTTP 401): set BRIEFING_API_KEY or OPENAI_API_KEY to a key "
                "it accepts")
    if isinstance(exc, openai.PermissionDeniedError):
        return f"the model server refused the request (HTTP 403: {exc.message}): check the key's access to the model"
    if isinstance(exc, openai.NotFoundError):
        return (f"no such endpoint or model on the model server (HTTP 404: {exc.message}): check --base-url "
                "(it usually ends in /v1) and --model")
    if isinstance(exc, openai.APIStatusError):
        return f"the model server answered HTTP {exc.status_code}: {exc.message}"
    if isinstance(exc, openai.APIConnectionError):
        return connection_words(exc)
    return str(exc)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    # A large day keeps millions of small objects alive; the cyclic collector's default pace scans
    # them again and again (SETTINGS.limits.gc_young).
    gc.set_threshold(SETTINGS.limits.gc_young, *gc.get_threshold()[1:])
    install_signal_handlers()
    if getattr(args, "record", None) and getattr(args, "replay", None):
        err("--record and --replay cannot be used together")
        return EXIT_USAGE
    if getattr(args, "min_points", 0) > getattr(args, "max_points", 50):
        err(f"--min-points {args.min_points} is more than --max-points {args.max_points}")
        return EXIT_USAGE
    started = time.monotonic()
    try:
        code: int = args.func(args)
        return code
    except BriefingError as exc:  # every error the program expects carries its line and exit code
        err(exc.line())
        return exc.exit_code
    except openai.OpenAIError as exc:
        err(describe(exc))
        return EXIT_MODEL
    except KeyboardInterrupt:
        err(f"interrupted after {time.monotonic() - started:.0f}s; finished model calls are cached, "
            "re-run the same command to resume")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # stdout closed early (`briefing show | head`): not an error worth a traceback.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the interpreter's final flush is quiet
        return EXIT_OK
    except OSError as exc:
        where = f" ({display_path(exc.filename)})" if isinstance(exc.filename, str) else ""
        err(f"{exc.strerror or exc}{where}")
        return EXIT_USER
    except Exception as exc:  # a bug: one line, the traceback only on request
        INTERNAL_ERRORS.append(f"{type(exc).__name__}: {exc}")
        if os.environ.get("BRIEFING_DEBUG"):
            raise
        err(f"internal error: {type(exc).__name__}: {exc} (set BRIEFING_DEBUG=1 for the traceback, "
            "and please report it)")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
