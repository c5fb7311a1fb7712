"""API keys never appear in reprs, exceptions, tracebacks or logs, and never travel to download hosts."""

from __future__ import annotations

import logging
import pickle
import traceback
from collections.abc import Callable, Iterator

import httpx
import pytest
from client_env import KEY, MockEnv

from clients import APIError, ConfigurationError, ImageClient, RetryPolicy
from clients.flow import _Key


def deep_text(obj: object, depth: int = 0, seen: set[int] | None = None) -> str:
    """A text dump of ``obj`` and everything reachable from it through attributes and containers."""
    seen = set() if seen is None else seen
    if depth > 10 or id(obj) in seen:
        return ""
    seen.add(id(obj))
    parts = [repr(obj), str(obj)]
    if isinstance(obj, dict):
        parts.extend(deep_text(k, depth + 1, seen) + deep_text(v, depth + 1, seen) for k, v in obj.items())
    elif isinstance(obj, (list, tuple, set)):
        parts.extend(deep_text(v, depth + 1, seen) for v in obj)
    elif isinstance(obj, BaseException):
        parts.append(deep_text(obj.args, depth + 1, seen))
        parts.append(deep_text(vars(obj), depth + 1, seen))
    elif hasattr(obj, "__dict__") and not isinstance(obj, type):
        parts.append(deep_text(vars(obj), depth + 1, seen))
    elif hasattr(obj, "__slots__"):
        parts.extend(deep_text(getattr(obj, s, None), depth + 1, seen) for s in obj.__slots__)
    return "\n".join(parts)


def raised(call: Callable[[], object]) -> BaseException:
    with pytest.raises(BaseException) as info:
        call()
    return info.value


def test_client_repr_hides_the_key(env: MockEnv) -> None:
    client = env.client("tokenhub")
    for text in (repr(client), str(client), repr(client._s), str(client._s), repr(client._s.key), f"{client._s.key}"):
        assert KEY not in text
    assert KEY not in str(pickle.loads(pickle.dumps(client._s.key)).get())  # a pickled key is dropped
    assert repr(_Key(None)) == "<no api key>"


def failing_calls(env: MockEnv) -> Iterator[tuple[str, Callable[[], object]]]:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    tokenhub = env.client("tokenhub")
    yield "400", lambda: tokenhub.generate(prompt="x", model="tokenhub/gpt-image-2", size="7x7")
    yield "400 dashscope", lambda: tokenhub.generate(prompt="x", model="wan2.6-t2i", size="1x1")
    yield "429 quota", lambda: tokenhub.generate(prompt="x [mock:quota_exceeded]", model="tokenhub/gpt-image-2")
    yield (
        "429 envelope",
        lambda: env.client("gravitex", retry=RetryPolicy(max_retries=0)).generate(prompt="x [mock:rate_limited]", model="gpt-image-2"),
    )
    yield "task failed", lambda: env.client("piebox").generate(prompt="x [mock:task_failed]", model="gpt-image-2")
    yield "404 task", lambda: env.client("piebox").get_task("img_gen_forged", model="seedream")
    yield (
        "connection",
        lambda: env.client("powertokens", transport=httpx.MockTransport(down), retry=RetryPolicy(max_retries=0)).generate(
            prompt="x", model="seedream-4-0-250828"
        ),
    )
    yield "config", lambda: env.client("powertokens").edit(image=b"x")


def test_exceptions_never_hold_the_key(env: MockEnv) -> None:
    for name, call in failing_calls(env):
        err = raised(call)
        assert isinstance(err, (APIError, ConfigurationError)), (name, err)
        tb = "".join(traceback.format_exception(err))
        assert KEY not in deep_text(err), name
        assert KEY not in tb, name
        assert KEY not in repr(err.args), name
        assert KEY not in str(pickle.dumps(err)), name


def test_logs_never_hold_the_key(env: MockEnv, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the client's, httpx's and the mock's loggers
    env.mock.faults.push(__import__("mock_server.faults", fromlist=["QueuedScenario"]).QueuedScenario("rate_limited", times=1))
    env.client("tokenhub").generate(prompt="x", model="tokenhub/gpt-image-2", response_format="url")
    for _name, call in failing_calls(env):
        raised(call)
    assert caplog.records, "something was logged at DEBUG"
    assert any(r.name == "imagegw.client" for r in caplog.records)
    assert KEY not in caplog.text


@pytest.mark.parametrize(
    "gateway,kwargs",
    [
        ("powertokens", {"model": "seedream-4-0-250828", "size": "1024x1024"}),
        ("piebox", {"model": "gpt-image-2", "size": "1024x1024"}),
        ("tokenhub", {"model": "tokenhub/gpt-image-2", "response_format": "url"}),
        ("gravitex", {"model": "doubao-seedream-3-0-t2i-250415", "size": "1024x1024"}),
    ],
)
def test_downloads_carry_no_credentials(env: MockEnv, gateway: str, kwargs: dict) -> None:
    mark = env.mark()
    result = env.client(gateway).generate(prompt="a cat", **kwargs)
    assert result.images[0].url and result.images[0].ok
    entries = env.since(mark)
    files = [e for e in entries if e.operation == "getFile"]
    api = [e for e in entries if e.operation != "getFile"]
    assert files and api
    for e in files:  # the journal lists every header name it received (values of secrets redacted)
        assert "authorization" not in e.headers and "x-api-key" not in e.headers
    for e in api:
        assert "authorization" in e.headers or "x-api-key" in e.headers


def test_a_key_with_a_line_break_is_refused() -> None:
    with pytest.raises(ConfigurationError) as info:
        ImageClient("tokenhub", api_key="sk-abc\r\nX-Evil: 1")
    assert "sk-abc" not in str(info.value)
