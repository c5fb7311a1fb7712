"""Scenario tests: retries, errors, moderation, partial failure and task timing, against the mock.

Scenarios come through the mock's three doors (admin queue ``mock.faults.push``, the
``X-Mock-Scenario`` header, a ``[mock:NAME]`` prompt tag). Expected delays come from the
mock's scenario constants (``Retry-After``) or from the retry/poll policy each test configures.
"""

from __future__ import annotations

import httpx
import pytest
from client_env import KEY, MockEnv
from client_strategies import png_bytes

from clients import (
    NO_RETRY,
    APIConnectionError,
    APITimeoutError,
    ContentPolicyError,
    ImageClient,
    InvalidRequestError,
    PollPolicy,
    QuotaExceededError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    TaskFailed,
    TaskTimeout,
)
from mock_server.faults import RETRY_AFTER_SECONDS, QueuedScenario

#: One cheap, valid generation per gateway (documented models, small documented sizes).
CHEAP: dict[str, dict] = {
    "powertokens": {"model": "seedream-4-0-250828", "prompt": "a corgi", "size": "1024x1024"},  # 004: 4-0 custom >= 921600 px
    "piebox": {"model": "gpt-image-2", "prompt": "a futuristic city at sunset", "size": "1024x1024", "quality": "low"},  # 000 example
    "tokenhub": {"model": "tokenhub/gpt-image-2", "prompt": "一只橘猫在窗边,摄影风格", "size": "1024x1024", "n": 1},  # 001 example
    "gravitex": {"model": "gpt-image-2", "prompt": "a cute orange kitten", "size": "1024x1024", "quality": "high", "n": 1},  # 002
    "imageseries": {"model": "gpt-image-1-mini", "prompt": "a cute orange kitten", "size": "1024x1024"},  # 003 model list
}
GATEWAYS = tuple(CHEAP)


def posts(env: MockEnv, mark: int) -> list[int]:
    """Statuses of the POSTs (generation calls) the mock saw after ``mark``."""
    return [e.status for e in env.since(mark) if e.method == "POST"]


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_rate_limited_once_then_success_waits_retry_after(env: MockEnv, gateway: str) -> None:
    env.mock.faults.push(QueuedScenario("rate_limited", times=1))
    mark = env.mark()
    result = env.client(gateway).generate(**CHEAP[gateway])
    assert posts(env, mark) == [429, 200]
    assert env.sleeps[0] == float(RETRY_AFTER_SECONDS)  # the mock's Retry-After header, honoured
    assert len(result.images) == 1 and result.images[0].ok


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_server_error_once_then_success_backs_off(env: MockEnv, gateway: str) -> None:
    env.mock.faults.push(QueuedScenario("server_error", times=1))
    policy = RetryPolicy(max_retries=2, initial_delay=0.5, jitter=0.25, seed=7)
    mark = env.mark()
    result = env.client(gateway, retry=policy).generate(**CHEAP[gateway])
    assert posts(env, mark) == [500, 200]
    assert 0.5 * 0.75 <= env.sleeps[0] <= 0.5  # the policy's first delay with at most 25 % jitter
    assert result.images[0].ok


def test_overloaded_503_honours_retry_after(env: MockEnv) -> None:
    env.mock.faults.push(QueuedScenario("overloaded", times=1))
    mark = env.mark()
    env.client("tokenhub").generate(**CHEAP["tokenhub"])
    assert posts(env, mark) == [503, 200]
    assert env.sleeps == [float(RETRY_AFTER_SECONDS)]


def test_retry_after_is_capped(env: MockEnv) -> None:
    env.mock.faults.push(QueuedScenario("rate_limited", times=1))
    env.client("powertokens", retry=RetryPolicy(max_retry_after=0.25)).generate(**CHEAP["powertokens"])
    assert env.sleeps == [0.25]


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_quota_is_never_retried(env: MockEnv, gateway: str) -> None:
    env.mock.faults.push(QueuedScenario("quota_exceeded", times=3))
    mark = env.mark()
    with pytest.raises(QuotaExceededError) as info:
        env.client(gateway, retry=RetryPolicy(max_retries=5)).generate(**CHEAP[gateway])
    assert info.value.status_code == 429 and info.value.request_id
    assert posts(env, mark) == [429]
    assert env.sleeps == []
    assert env.mock.faults.list()[0]["times"] == 2  # two queued uses left: nobody came back


def test_retries_are_bounded(env: MockEnv) -> None:
    env.mock.faults.push(QueuedScenario("rate_limited", times=10))
    mark = env.mark()
    with pytest.raises(RateLimitError) as info:
        env.client("gravitex", retry=RetryPolicy(max_retries=2)).generate(**CHEAP["gravitex"])
    assert info.value.retry_after == float(RETRY_AFTER_SECONDS)
    assert posts(env, mark) == [429, 429, 429]  # the first try and two retries
    assert env.sleeps == [float(RETRY_AFTER_SECONDS)] * 2


def test_no_retry_policy_raises_at_once(env: MockEnv) -> None:
    env.mock.faults.push(QueuedScenario("server_error", times=1))
    with pytest.raises(ServerError):
        env.client("powertokens", retry=NO_RETRY).generate(**CHEAP["powertokens"])
    assert env.sleeps == []


def test_client_errors_are_not_retried(env: MockEnv) -> None:
    mark = env.mark()
    with pytest.raises(InvalidRequestError):
        env.client("powertokens").generate(**{**CHEAP["powertokens"], "size": "10x10"})
    assert posts(env, mark) == [400]


@pytest.mark.parametrize("gateway", ["powertokens", "tokenhub", "gravitex", "imageseries"])
def test_moderation_is_a_content_policy_error(env: MockEnv, gateway: str) -> None:
    with pytest.raises(ContentPolicyError) as info:
        env.client(gateway).generate(**CHEAP[gateway], extra_headers={"X-Mock-Scenario": "moderation"})
    assert info.value.status_code == 400


def test_moderation_on_piebox_is_a_failed_task(env: MockEnv) -> None:
    with pytest.raises(TaskFailed) as info:
        env.client("piebox").generate(**CHEAP["piebox"], extra_headers={"X-Mock-Scenario": "moderation"})
    assert info.value.is_content_policy and info.value.task_id.startswith("img_gen_")


def test_task_failed_scenario(env: MockEnv) -> None:
    with pytest.raises(TaskFailed) as info:
        env.client("piebox").generate(**{**CHEAP["piebox"], "prompt": "a city [mock:task_failed]"})
    assert not info.value.is_content_policy and info.value.code


def test_powertokens_partial_failure_keeps_the_good_items(env: MockEnv) -> None:
    # 004: data[] items each may carry "error"; sequential generation returns several images
    result = env.client("powertokens").generate(
        **CHEAP["powertokens"], n=3, response_format="b64_json", extra_headers={"X-Mock-Scenario": "partial_failure"}
    )
    assert len(result.images) == 3
    assert len(result.ok_images) == 2 and all(im.ok and im.size == (1024, 1024) for im in result.ok_images)
    assert len(result.errors) == 1 and result.errors[0].code and result.errors[0].message


def test_piebox_poll_timeout(env: MockEnv) -> None:
    client = env.client("piebox", poll=PollPolicy(initial_interval=1.0, multiplier=2.0, max_interval=4.0, timeout=5.0))
    with pytest.raises(TaskTimeout) as info:
        client.generate(**CHEAP["piebox"])
    assert info.value.last_status in ("pending", "processing")
    assert info.value.waited >= 5.0
    assert sum(env.sleeps) <= 5.0 + 1e-9  # never waits past the overall timeout


def test_piebox_polls_with_growing_intervals(env: MockEnv) -> None:
    policy = PollPolicy(initial_interval=0.5, multiplier=2.0, max_interval=3.0, timeout=60.0)
    result = env.client("piebox", poll=policy).generate(**CHEAP["piebox"])
    assert result.images[0].ok
    assert env.sleeps == sorted(env.sleeps) and max(env.sleeps) <= 3.0
    assert env.sleeps[:3] == [0.5, 1.0, 2.0]
    # the task was terminal when the last poll came (the mock's configured 2 s + 8 s)
    assert sum(env.sleeps) >= env.settings.task_pending_seconds + env.settings.task_processing_seconds


def test_polls_answered_5xx_are_retried_then_raise(env: MockEnv) -> None:
    handle = env.client("piebox").create_task(**CHEAP["piebox"])
    env.clock.advance(60)
    # the mock applies scenarios to a poll through the header only
    poller = env.client("piebox", headers={"X-Mock-Scenario": "server_error"}, retry=RetryPolicy(max_retries=2))
    mark = env.mark()
    with pytest.raises(ServerError):
        poller.get_task(handle)
    assert [e.status for e in env.since(mark)] == [500, 500, 500]
    assert env.client("piebox").get_task(handle).state == "succeeded"


def test_expired_urls_become_item_errors(env: MockEnv) -> None:
    # 004: url results; 003/001: "valid for approximately 24 hours"
    client = env.client("powertokens", download=False)
    result = client.generate(**CHEAP["powertokens"], response_format="url")
    assert result.images[0].url and not result.images[0].data
    env.clock.advance(24 * 3600 + 60)
    later = client.download(result)
    assert later.images[0].error is not None and later.images[0].error.code == "download_failed"
    assert "410" in (later.images[0].error.message or "")


def test_download_within_the_lifetime(env: MockEnv) -> None:
    client = env.client("powertokens", download=False)
    result = client.generate(**CHEAP["powertokens"], response_format="url")
    env.clock.advance(3600)
    assert client.download(result).images[0].size == (1024, 1024)


# -- transport failures ------------------------------------------------------------------------------


class Flaky(httpx.BaseTransport):
    """Raises ``exc`` for the first ``failures`` requests, then hands over to ``inner``."""

    def __init__(self, inner: httpx.BaseTransport, failures: int, exc: type[Exception] = httpx.ConnectError) -> None:
        self.inner, self.failures, self.exc, self.calls = inner, failures, exc, 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.exc("simulated failure", request=request)
        return self.inner.handle_request(request)


def test_connection_errors_are_retried(env: MockEnv) -> None:
    flaky = Flaky(env.transport, failures=2)
    result = env.client(
        "tokenhub", transport=flaky, retry=RetryPolicy(max_retries=3, initial_delay=0.5, multiplier=2.0, jitter=0.0)
    ).generate(**CHEAP["tokenhub"])
    assert result.images[0].ok and flaky.calls == 3
    assert env.sleeps == [0.5, 1.0]  # exponential backoff, no jitter


def test_connection_errors_exhaust_retries(env: MockEnv) -> None:
    flaky = Flaky(env.transport, failures=100)
    with pytest.raises(APIConnectionError) as info:
        env.client("tokenhub", transport=flaky, retry=RetryPolicy(max_retries=2)).generate(**CHEAP["tokenhub"])
    assert type(info.value) is APIConnectionError and flaky.calls == 3


def test_timeouts_are_api_timeout_errors(env: MockEnv) -> None:
    flaky = Flaky(env.transport, failures=100, exc=httpx.ReadTimeout)
    with pytest.raises(APITimeoutError):
        env.client("tokenhub", transport=flaky, retry=RetryPolicy(max_retries=1)).generate(**CHEAP["tokenhub"])
    assert flaky.calls == 2


def test_retry_after_ms_wins_over_retry_after() -> None:
    # OpenAI's retry-after-ms (milliseconds) is finer than Retry-After (seconds)
    answers = iter(
        [
            httpx.Response(
                429,
                headers={"retry-after-ms": "1500", "Retry-After": "9"},
                json={"error": {"message": "slow down", "type": "rate_limit_error", "code": "rate_limit_exceeded"}},
            ),
            httpx.Response(200, json={"created": 1, "data": [], "metadata": {}}),
        ]
    )
    slept: list[float] = []
    client = ImageClient(
        "powertokens",
        api_key=KEY,
        base_url="http://127.0.0.1:9/powertokens",
        transport=httpx.MockTransport(lambda request: next(answers)),
        sleep=slept.append,
    )
    result = client.generate(prompt="x", model="seedream-4-0-250828")
    assert slept == [1.5] and result.images == []


def test_a_multipart_edit_is_resent_whole_on_retry(env: MockEnv) -> None:
    # 001 "Image edits": multipart; the retried request must carry the same upload
    env.mock.faults.push(QueuedScenario("rate_limited", times=1))
    mark = env.mark()
    result = env.client("tokenhub").edit(image=png_bytes(), prompt="add a hat", size="1024x1536", n=2)
    assert posts(env, mark) == [429, 200]
    assert [im.size for im in result.images] == [(1024, 1536)] * 2
