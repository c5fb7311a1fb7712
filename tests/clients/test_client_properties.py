"""Property-based round trips: the reference client against the mock, in-process.

* valid calls (``client_strategies``): exactly the asked number of images, each decodable, at
  the asked pixel size (or aspect ratio / documented pixel range for tier words), in the asked
  format, inline or by URL as the document says;
* invalid calls (``client_invalid``): exactly the expected typed error (never a parent class),
  a message naming the parameter, and no 5xx from the mock anywhere in the exchange.

The clients run with ``strict=True``: every answer (success or error) is also checked against
the gateway's contract, so a round trip passes only when mock, contract and client agree.

Budgets come from the Hypothesis profile (``IMAGEGW_PROFILE``: dev / ci / nightly; tests/conftest.py).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from client_env import MockEnv
from client_invalid import INVALID, RULES, Bad
from client_strategies import VALID, Case
from hypothesis import given, note, settings
from hypothesis import strategies as st
from PIL import Image

from clients import APIStatusError, ImageClient, ImageResponse, TaskFailed
from contracts.registry import GATEWAY_IDS

GATEWAYS = GATEWAY_IDS
_clients: dict[tuple[int, str], object] = {}


def _client(env: MockEnv, gateway: str, **kw: Any) -> ImageClient:
    """A strict client (every response checked against the gateway's contract), one per (mock, gateway)."""
    if kw:
        return env.client(gateway, strict=True, **kw)
    key = (id(env), gateway)
    if key not in _clients:
        _clients[key] = env.client(gateway, strict=True)
    return _clients[key]


def call(env: MockEnv, case_gateway: str, method: str, kwargs: dict[str, Any], **client_kw: Any) -> Any:
    c = _client(env, case_gateway, **client_kw)
    if method == "get_task":
        return c.get_task(kwargs["handle"], model=kwargs.get("model"))
    return getattr(c, method)(**kwargs)


def check_images(case: Case, result: ImageResponse) -> None:
    """The documented promise of ``case`` holds for ``result``."""
    assert isinstance(result, ImageResponse)
    assert len(result.images) == case.n, (len(result.images), case.n)
    for im in result.images:
        assert im.error is None, im.error
        # decodable: Pillow opens and fully decodes the bytes, and agrees with the reported size/type
        with Image.open(io.BytesIO(im.data)) as img:
            img.load()
            assert img.size == (im.width, im.height)
            assert Image.MIME[img.format] == im.mime_type
        if case.size is not None:
            assert (im.width, im.height) == case.size
        if case.aspect is not None:
            assert abs(im.width / im.height - case.aspect) / case.aspect < 0.05, (im.width, im.height, case.aspect)
        if case.pixels is not None:
            lo, hi = case.pixels
            assert lo <= im.width * im.height <= hi
        if case.mime is not None:
            assert im.mime_type == case.mime
        if case.url is True:
            assert im.url and im.url.startswith("http")
        elif case.url is False:
            assert im.url is None
    sizes = {im.size for im in result.images}
    assert len(sizes) == 1, sizes  # one request, one size


@pytest.mark.parametrize("gateway", GATEWAYS)
@given(data=st.data())
def test_valid_requests_return_the_asked_images(gateway: str, module_env: MockEnv, data: st.DataObject) -> None:
    case: Case = data.draw(VALID[gateway], label="case")
    note(f"{case.method} {case.kwargs!r:.300}")
    mark = module_env.mark()
    result = call(module_env, case.gateway, case.method, case.kwargs)
    check_images(case, result)
    assert all(e.status < 400 for e in module_env.since(mark))
    module_env.check_healthy()


#: Each documented rule is its own property with a fifth of the profile's budget (ci: 5 examples),
#: so every rule runs on every run.
PER_RULE = settings(max_examples=max(1, settings.default.max_examples // 5))


@pytest.mark.parametrize("gateway,rule", RULES, ids=[f"{g}:{r}" for g, r in RULES])
@PER_RULE
@given(data=st.data())
def test_invalid_requests_raise_the_specific_typed_error(gateway: str, rule: str, module_env: MockEnv, data: st.DataObject) -> None:
    bad: Bad = data.draw(INVALID[gateway][rule], label="bad")
    note(f"{rule}: {bad.method} {bad.kwargs!r:.300}")
    mark = module_env.mark()
    with pytest.raises(Exception) as info:
        call(module_env, bad.gateway, bad.method, bad.kwargs, **bad.client_kw)
    err = info.value
    assert type(err) is bad.error, f"{rule}: expected {bad.error.__name__}, got {type(err).__name__}: {err}"
    if isinstance(err, APIStatusError):
        assert 400 <= err.status_code < 500, err
        assert err.request_id, "the gateway's request id is kept"
    if isinstance(err, TaskFailed):
        assert err.is_content_policy, err
    if bad.param is not None:
        assert bad.param.lower() in err.message.lower(), f"{rule}: {err.message!r} does not name {bad.param!r}"
    entries = module_env.since(mark)
    assert entries, "the request reached the mock"
    assert all(e.status < 500 for e in entries), [(e.path, e.status) for e in entries]
    module_env.check_healthy()
