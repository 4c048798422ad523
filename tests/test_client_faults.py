"""Every fault fixture, replayed through the real client, SDK and transport."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import openai
import pytest

from summarizer.client import CallFailed, ModelClient
from summarizer.exchanges import ReplayMiss

from .faults import FAULTS_DIR, PROBE, QUESTIONS, Answer, probe_client


def ask(client: ModelClient, question: str):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        try:
            return await client.structured(PROBE, {"question": question}, Answer, max_tokens=64)
        finally:
            await client.aclose()

    return asyncio.run(go())


@pytest.mark.parametrize("fault", ["invalid-json", "schema-violation"])
def test_unusable_output_is_reasked_with_the_error_and_then_accepted(fault: str) -> None:
    client = probe_client()
    result = ask(client, QUESTIONS[fault])
    assert result.value.answer == "The talks took place at NATO headquarters in Brussels."
    assert result.attempts == 2
    assert client.usage.reasks == 1
    assert client.usage.failures == 0


def test_a_reply_cut_at_its_cap_is_not_asked_for_again_in_the_same_form() -> None:
    # Asked again, the same request would run to the same cap: the caller falls back at once.
    client = probe_client()
    with pytest.raises(CallFailed, match=r"no usable reply after 1 attempts: the reply hit the max_tokens limit"):
        ask(client, QUESTIONS["truncated"])
    assert client.transport.stats.hits == 1
    assert client.usage.reasks == 0 and client.usage.failures == 1


def test_output_that_stays_invalid_fails_after_the_bounded_reasks() -> None:
    client = probe_client()
    with pytest.raises(CallFailed, match=r"no usable reply after 3 attempts: the reply is not valid JSON"):
        ask(client, QUESTIONS["always-invalid"])
    assert client.usage.failures == 1


@pytest.mark.parametrize("fault", ["rate-limited", "server-error"])
def test_429_and_500_are_retried_by_the_sdk(fault: str) -> None:
    client = probe_client()
    result = ask(client, QUESTIONS[fault])
    assert result.value.answer.startswith("The talks took place")
    assert result.attempts == 1  # the SDK retried the HTTP call; no re-ask was needed
    assert client.transport.stats.hits == 2  # the fault, then the success


def test_a_server_that_keeps_failing_raises_after_the_sdk_retries() -> None:
    client = probe_client()
    with pytest.raises(openai.InternalServerError):
        ask(client, QUESTIONS["server-down"])
    assert client.transport.stats.hits == 3  # first try + max_retries=2


def test_replay_miss_names_the_request_and_the_prompt() -> None:
    client = probe_client()
    expected = r"prompt probe@[0-9a-f]{12}.*differs from every recording of 'probe' in: messages"
    with pytest.raises(ReplayMiss, match=expected):
        ask(client, "A question nobody recorded")


def test_replay_miss_blames_an_edited_prompt_file(tmp_path: Path) -> None:
    # Same requests recorded under another version of the prompt file.
    replay = tmp_path / "fx"
    shutil.copytree(FAULTS_DIR, replay)
    for f in replay.glob("*.json"):
        f.write_text(f.read_text().replace(f"probe@{PROBE.sha}", "probe@000000000000"))
    client = probe_client(replay_dir=replay)
    with pytest.raises(ReplayMiss, match=r"prompt file prompts/probe.md changed since the recording "
                                         r"\(recorded with 000000000000, now [0-9a-f]{12}\)"):
        ask(client, QUESTIONS["invalid-json"])
