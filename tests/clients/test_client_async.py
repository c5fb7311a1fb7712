"""The async shell runs the same flows as the sync one, over ``httpx.ASGITransport(app=...)``."""

from __future__ import annotations

import io

import httpx
import pytest
from client_env import KEY, MockEnv
from client_strategies import png_bytes
from PIL import Image

from clients import AsyncImageClient, ContentPolicyError, QuotaExceededError, RetryPolicy, TaskFailed
from mock_server.faults import RETRY_AFTER_SECONDS, QueuedScenario

pytestmark = pytest.mark.anyio


def decoded_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        return img.size


async def test_powertokens_sequential_urls(env: MockEnv) -> None:
    async with env.async_client("powertokens") as client:
        result = await client.generate(prompt="a corgi", model="seedream-4-0-250828", size="1280x720", n=2)  # 004
    assert [decoded_size(im.data) for im in result.images] == [(1280, 720)] * 2
    assert all(im.url for im in result.images)


async def test_piebox_polls_to_success(env: MockEnv) -> None:
    async with env.async_client("piebox") as client:
        result = await client.generate(
            prompt="a futuristic city at sunset", model="gpt-image-2", size="1024x1536", n=2, output_format="webp"
        )
    assert [(im.mime_type, im.size) for im in result.images] == [("image/webp", (1024, 1536))] * 2
    assert env.sleeps and result.task_id


async def test_piebox_task_handle_round_trip(env: MockEnv) -> None:
    async with env.async_client("piebox") as client:
        handle = await client.create_task(prompt="a cat [mock:moderation]", model="seedream", size="1920x1920")
        assert (await client.get_task(handle)).state == "pending"
        with pytest.raises(TaskFailed) as info:
            await client.wait(handle)
    assert info.value.is_content_policy


async def test_tokenhub_chat_edit_and_dashscope(env: MockEnv) -> None:
    async with env.async_client("tokenhub") as client:
        chat = await client.chat(prompt="画一只橘猫,摄影风格", model="tokenhub/gemini-3.1-flash-image-preview")
        text = await client.chat(prompt="2+2等于几?只回答数字", model="tokenhub/gemini-3.1-flash-image-preview")
        edit = await client.edit(image=png_bytes(), prompt="add a hat", size="1024x1024", response_format="url")
        wan = await client.generate(prompt="a flower shop", model="wan2.6-t2i", size="1280*1280", n=2)
        with pytest.raises(ContentPolicyError):
            await client.generate(prompt="x", model="wan2.6-t2i", extra_headers={"X-Mock-Scenario": "moderation"})
    assert chat.images[0].mime_type == "image/png" and chat.text is None  # 001: data:image/png;base64
    assert text.images == [] and text.text
    assert edit.images[0].size == (1024, 1024) and edit.images[0].url
    assert [im.size for im in wan.images] == [(1280, 1280)] * 2


async def test_retry_then_success_and_quota(env: MockEnv) -> None:
    env.mock.faults.push(QueuedScenario("rate_limited", times=1))
    async with env.async_client("imageseries") as client:
        result = await client.generate(prompt="a kitten", model="gpt-image-1", size="1536x1024")
        assert result.images[0].size == (1536, 1024)
        env.mock.faults.push(QueuedScenario("quota_exceeded", times=1))
        with pytest.raises(QuotaExceededError):
            await client.generate(prompt="a kitten", model="gpt-image-1")
    assert env.sleeps == [float(RETRY_AFTER_SECONDS)]


async def test_async_for_gateway_and_download(env: MockEnv) -> None:
    client = AsyncImageClient.for_gateway(
        "gravitex",
        api_key=KEY,
        base_url="http://127.0.0.1:8000/gravitex",
        download=False,
        transport=httpx.ASGITransport(app=env.app),
        sleep=env.asleep,
        retry=RetryPolicy(seed=1),
    )
    try:
        result = await client.generate(prompt="a kitten", model="doubao-seedream-4-0-250828", size="2304x1728")
        assert result.images[0].url and not result.images[0].data
        fetched = await client.download(result)
        assert fetched.images[0].size == (2304, 1728)  # 002: a doubao-seedream-4.0 2K size
    finally:
        await client.aclose()
