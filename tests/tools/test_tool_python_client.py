"""openapi-python-client generates a client from every served contract without a warning, and the
generated client works against the mock on 127.0.0.1: create, poll (PieBox) and the error paths,
with every answer parsed into the generated models (``response.parsed``).

Each client is generated once per session into a temporary folder as package
``imagegw_<id>_client`` and imported from there. The mock is the session's real server
(``imagegw_server``), whose every answer the contract guard also checks against the contract.
"""

from __future__ import annotations

import base64
import importlib
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml
from PIL import Image
from toolrun import IDS, ROOT, Run, run_tool

import contracts
from mock_server.pytest_plugin import ServerHandle

API_KEY = "sk-imagegw-contract-tools"  # a test value; the mock accepts any non-empty key

#: openapi-python-client reads binary answers only as ``application/octet-stream`` (it skips an
#: ``image/png`` answer with a warning); its ``content_type_overrides`` setting is the documented way
#: to read the mock's ``GET /files/{token}`` images as bytes. ``post_hooks: []`` (in the config
#: below) skips its ruff formatting pass: speed only, the code is the same.
BINARY_AS_OCTET_STREAM = {f"image/{kind}": "application/octet-stream" for kind in ("png", "jpeg", "webp")}


def package_name(gid: str) -> str:
    return f"imagegw_{gid}_client"


@pytest.fixture(scope="session")
def python_clients(served_contracts: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Run]]:
    """``generate(gid) -> Run``: generates ``imagegw_<gid>_client`` (once per session) into a folder on ``sys.path``."""
    folder = tmp_path_factory.mktemp("python-clients")
    runs: dict[str, Run] = {}
    sys.path.insert(0, str(folder))

    def generate(gid: str) -> Run:
        if gid not in runs:
            config = folder / f"{gid}.config.yaml"
            config.write_text(
                yaml.safe_dump(
                    {
                        "package_name_override": package_name(gid),
                        "project_name_override": package_name(gid).replace("_", "-"),
                        "content_type_overrides": BINARY_AS_OCTET_STREAM,
                        "post_hooks": [],
                    }
                ),
                encoding="utf-8",
            )
            runs[gid] = run_tool(
                "openapi-python-client",
                "generate",
                "--path",
                served_contracts[gid],
                "--output-path",
                folder / package_name(gid),
                "--meta",
                "none",
                "--config",
                config,
                "--overwrite",
                cwd=folder,
            )
        return runs[gid]

    yield generate
    sys.path.remove(str(folder))


@pytest.mark.tool("openapi-python-client")
@pytest.mark.parametrize("gid", IDS)
def test_python_client_generates_without_warnings(gid: str, python_clients: Callable[[str], Run]) -> None:
    run = python_clients(gid)
    assert run.returncode == 0, run.explain()
    assert "Warning" not in run.output and "WARNING" not in run.output, run.explain()
    pkg = importlib.import_module(package_name(gid))
    assert hasattr(pkg, "AuthenticatedClient")


# -- the generated clients at work ------------------------------------------------------------------


@dataclass
class Generated:
    """A generated client package: ``pkg`` (``AuthenticatedClient``, ``Client``), ``models`` and ``api(name)``."""

    gid: str
    pkg: ModuleType
    models: ModuleType

    def api(self, module: str) -> ModuleType:
        """``api.<tag>.<operation>`` of the package, e.g. ``api("images.create_image")``."""
        return importlib.import_module(f"{package_name(self.gid)}.api.{module}")

    def client(self, server: ServerHandle, **kwargs: Any) -> Any:
        """An authenticated client for the mock (the registry's auth header); undeclared statuses raise."""
        auth = contracts.gateway_spec(self.gid).auth
        return self.pkg.AuthenticatedClient(
            base_url=server.gateway_url(self.gid),
            token=API_KEY,
            prefix="Bearer" if auth.scheme == "bearer" else "",
            auth_header_name=auth.header,
            raise_on_unexpected_status=True,
            timeout=httpx.Timeout(30.0),
            **kwargs,
        )

    def anonymous(self, server: ServerHandle) -> Any:
        return self.pkg.Client(base_url=server.gateway_url(self.gid), raise_on_unexpected_status=True)


def generated(gid: str, python_clients: Callable[[str], Run]) -> Generated:
    run = python_clients(gid)
    assert run.returncode == 0, run.explain()
    return Generated(gid, importlib.import_module(package_name(gid)), importlib.import_module(f"{package_name(gid)}.models"))


def request_for(models: ModuleType, model: str) -> tuple[type, Any]:
    """The generated request class that takes ``model``, and the value to pass: the ``Literal``
    string, or the member of the class's model enum (class names follow the contract's titles,
    e.g. ``DoubaoSeedream40250828Request``)."""
    for cls in vars(models).values():
        annotation = getattr(cls, "__annotations__", {}).get("model") if isinstance(cls, type) else None
        if not isinstance(annotation, str):
            continue
        if f"Literal['{model}']" in annotation:
            return cls, model
        enum = getattr(models, annotation.split(" |")[0].strip(), None)
        if isinstance(enum, type) and any(getattr(e, "value", None) == model for e in enum):  # type: ignore[attr-defined]
            return cls, enum(model)
    raise AssertionError(f"no generated request class takes model {model!r}")


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as im:
        return im.size


def finish_tasks(server: ServerHandle) -> None:
    """Move the mock's clock past a PieBox task's pending and processing time (no sleeping)."""
    settings = server.mock.settings
    server.clock.advance(settings.task_pending_seconds + settings.task_processing_seconds + 1)


@pytest.mark.tool("openapi-python-client", "piebox")
def test_python_client_piebox_create_poll_and_errors(python_clients: Callable[[str], Run], imagegw_server: ServerHandle) -> None:
    gen = generated("piebox", python_clients)
    m = gen.models
    create_seedream, get_seedream = gen.api("seedream.create_seedream_task"), gen.api("seedream.get_seedream_task")
    create_gpt, get_gpt = gen.api("gpt_image.create_gpt_image_task"), gen.api("gpt_image.get_gpt_image_task")
    create_gemini, get_gemini = gen.api("gemini.create_gemini_task"), gen.api("gemini.get_gemini_task")
    with gen.client(imagegw_server) as client:
        created = create_seedream.sync(client=client, body=m.SeedreamRequest(prompt="a cat playing guitar on the moon", size="2048x2048"))
        assert isinstance(created, m.SeedreamTaskCreated) and created.task_id.startswith("img_gen_")
        pending = get_seedream.sync(created.task_id, client=client)
        assert isinstance(pending, m.SeedreamTask) and pending.status.value in ("pending", "processing")
        gpt = create_gpt.sync(client=client, body=m.GptImageRequest(prompt="a futuristic city", n=2))
        failing = create_gemini.sync(client=client, body=m.GeminiRequest(prompt="a cat [mock:task_failed]"))
        assert isinstance(gpt, m.GptImageTaskCreated) and isinstance(failing, m.GeminiTaskCreated)
        finish_tasks(imagegw_server)
        done = get_seedream.sync(created.task_id, client=client)
        assert done.status.value == "succeeded" and len(done.result.images) == 1
        assert image_size(httpx.get(done.result.images[0].url, timeout=30).content) == (2048, 2048)
        two = get_gpt.sync(gpt.task_id, client=client)
        assert isinstance(two, m.GptImageTask) and [len(two.result.images), two.model] == [2, "gpt-image-2"]
        failed = get_gemini.sync(failing.task_id, client=client)
        assert isinstance(failed, m.GeminiTask) and failed.status.value == "failed" and failed.error.code
        bad = create_seedream.sync_detailed(client=client, body=m.SeedreamRequest(prompt="a cat", size="999x999"))
        assert bad.status_code == 400 and isinstance(bad.parsed, m.Error) and bad.parsed.error.param == "size"
        unknown = get_seedream.sync_detailed("img_gen_unknown", client=client)
        assert unknown.status_code == 404 and unknown.parsed.error.param == "task_id"
    with gen.anonymous(imagegw_server) as anonymous:
        denied = create_seedream.sync_detailed(client=anonymous, body=m.SeedreamRequest(prompt="a cat"))
        assert denied.status_code == 401 and denied.parsed.error.type_ == "authentication_error"


@pytest.mark.tool("openapi-python-client", "tokenhub")
def test_python_client_tokenhub_generations_edits_chat_and_errors(
    python_clients: Callable[[str], Run], imagegw_server: ServerHandle
) -> None:
    gen = generated("tokenhub", python_clients)
    m = gen.models
    create, edit, chat, get_file = (
        gen.api("images.create_image"),
        gen.api("images.create_image_edit"),
        gen.api("chat.create_chat_completion"),
        gen.api("images.get_file"),
    )
    with gen.client(imagegw_server) as client:
        flat = create.sync(
            client=client,
            body=m.GptImage2Request(model="tokenhub/gpt-image-2", prompt="一只橘猫", response_format=m.ResponseFormatType1("url")),
        )
        assert isinstance(flat, m.ImagesResponse) and isinstance(flat.data[0], m.ImageData)
        File = importlib.import_module(f"{package_name(gen.gid)}.types").File  # noqa: N806 - a class
        image = get_file.sync(flat.data[0].url.rsplit("/files/", 1)[1], client=client)
        assert image_size(image.payload.read()) == (1024, 1024)
        wan = create.sync(
            client=client,
            body=m.Wan27ImageProRequest(
                model=m.Wan27ImageProRequestModel("wan2.7-image-pro"),
                input_=m.DashScopeImagesInput(
                    messages=[
                        m.DashScopeImagesMessage(role="user", content=[m.DashScopeTextItem(text="A flower shop with elegant windows")])
                    ]
                ),
                parameters=m.Wan27Parameters(size=m.Wan27ParametersSize("1K"), n=2),
            ),
        )
        assert isinstance(wan, m.DashScopeImageResponse) and len(wan.output.choices[0].message.content) == 2
        assert wan.output.choices[0].message.content[0].image.startswith("http")
        png = (ROOT / "fixtures" / "images" / "sample.png").read_bytes()
        edited = edit.sync(
            client=client,
            body=m.ImageEditRequest(
                image=File(payload=io.BytesIO(png), file_name="image.png", mime_type="image/png"), prompt="add a red beret"
            ),
        )
        assert isinstance(edited, m.ImagesResponse) and base64.b64decode(edited.data[0].b64_json)
        answer = chat.sync(
            client=client,
            x_token_hub_region=m.CreateChatCompletionXTokenHubRegion("global"),
            body=m.ChatCompletionRequest(
                model=m.ChatCompletionRequestModel("tokenhub/gemini-3.1-flash-image-preview"),
                messages=[m.ChatMessage(role=m.ChatMessageRole("user"), content="画一只橘猫")],
            ),
        )
        assert isinstance(answer, m.ChatCompletionResponse)
        assert answer.choices[0].message.content.startswith("![image](data:image/")
        assert answer.usage.completion_tokens_details.image_tokens > 0
        bad = create.sync_detailed(client=client, body=m.GptImage2Request(model="tokenhub/gpt-image-2", prompt="   "))
        assert bad.status_code == 400 and isinstance(bad.parsed, m.OpenAIError) and bad.parsed.error.param == "prompt"
        bad_wan = create.sync_detailed(
            client=client,
            body=m.Wan27ImageProRequest(
                model=m.Wan27ImageProRequestModel("wan2.7-image-pro"),
                input_=m.DashScopeImagesInput(messages=[m.DashScopeImagesMessage(role="user", content=[m.DashScopeTextItem(text="x")])]),
                parameters=m.Wan27Parameters(bbox_list=[[[1, 2, 3, 4]]]),
            ),
        )
        assert bad_wan.status_code == 400 and isinstance(bad_wan.parsed, m.DashScopeError) and bad_wan.parsed.request_id
    with gen.anonymous(imagegw_server) as anonymous:
        denied = create.sync_detailed(client=anonymous, body=m.GptImage2Request(model="tokenhub/gpt-image-2", prompt="a cat"))
        assert denied.status_code == 401 and isinstance(denied.parsed, m.OpenAIError)


@pytest.mark.tool("openapi-python-client")
@pytest.mark.parametrize("gid", ["gravitex", "imageseries"])
def test_python_client_unified_endpoint_families_and_errors(
    gid: str, python_clients: Callable[[str], Run], imagegw_server: ServerHandle
) -> None:
    gen = generated(gid, python_clients)
    m = gen.models
    create, get_file = gen.api("images.create_image"), gen.api("images.get_file")
    Gemini, gemini_model = request_for(m, "gemini-2.5-flash-image")
    Seedream, seedream_model = request_for(m, "doubao-seedream-4-0-250828")
    content = next(v for v in vars(m).values() if isinstance(v, type) and v.__name__ == "GeminiFlashImageContent")
    with gen.client(imagegw_server) as client:
        gemini = create.sync(client=client, body=Gemini(model=gemini_model, prompt="A cute orange kitten"))
        assert isinstance(gemini, m.ImageEnvelope) and gemini.code == 200
        assert image_size(base64.b64decode(gemini.data.data[0].b64_json)) and gemini.data.data[0].url == ""
        with_contents = create.sync(
            client=client,
            body=Gemini(
                model=gemini_model,
                contents=[
                    content(
                        parts=[m.ContentPart(text="An aerial view of this tower"), m.ContentPart(image="https://example.com/tower.jpg")]
                    )
                ],
            ),
        )
        assert isinstance(with_contents, m.ImageEnvelope) and with_contents.data.data[0].b64_json
        seedream = create.sync(client=client, body=Seedream(model=seedream_model, prompt="A kitten", size=None))
        assert isinstance(seedream, m.ImageEnvelope) and seedream.data.data[0].url
        image = get_file.sync(seedream.data.data[0].url.rsplit("/files/", 1)[1], client=client)
        assert image_size(image.payload.read()) == (2048, 2048)
        bad = create.sync_detailed(client=client, body=Gemini(model=gemini_model, prompt="A kitten", n=9))
        assert bad.status_code == 400 and bad.parsed.code.value == 400 and "n" in bad.parsed.msg
        no_prompt = create.sync_detailed(client=client, body=Gemini(model=gemini_model))
        assert no_prompt.status_code == 400 and "prompt" in no_prompt.parsed.msg
    with gen.anonymous(imagegw_server) as anonymous:  # the operation is typed for AuthenticatedClient; any client works
        denied = create.sync_detailed(client=anonymous, body=Gemini(model=gemini_model, prompt="A kitten"))
        assert denied.status_code == 401 and denied.parsed.code.value == 401 and denied.parsed.data is None


@pytest.mark.tool("openapi-python-client", "powertokens")
def test_python_client_powertokens_sequential_partial_failure_and_errors(
    python_clients: Callable[[str], Run], imagegw_server: ServerHandle
) -> None:
    gen = generated("powertokens", python_clients)
    m = gen.models
    create = gen.api("images.create_image")
    Seedream45, model = request_for(m, "seedream-4-5-251128")
    body = Seedream45(
        model=model,
        prompt="A cute corgi",
        size="2048x2048",
        sequential_image_generation="auto",
        sequential_image_generation_options=m.SequentialImageGenerationOptions(max_images=3),
    )
    with gen.client(imagegw_server) as client:
        result = create.sync(client=client, body=body)
        assert isinstance(result, m.CreateImageResponse) and all(isinstance(i, m.ImageItem) for i in result.data)
        assert len(result.data) == 3 and all(item.url.startswith("http") and item.size == "2048x2048" for item in result.data)
        assert image_size(httpx.get(result.data[0].url, timeout=30).content) == (2048, 2048)
        assert result.metadata.usage.generated_images == 3
    with gen.client(imagegw_server, headers={"X-Mock-Scenario": "partial_failure"}) as client:
        partial = create.sync(client=client, body=body)
        assert isinstance(partial.data[-1].error, m.ImageItemError) and partial.data[-1].error.code
        assert partial.data[-1].url is importlib.import_module(f"{package_name(gen.gid)}.types").UNSET
    with gen.client(imagegw_server) as client:
        bad = create.sync_detailed(client=client, body=Seedream45(model=model, prompt="A cute corgi", size="1024x1024"))
        assert bad.status_code == 400 and isinstance(bad.parsed, m.ErrorResponse) and bad.parsed.error.param == "size"
    with gen.anonymous(imagegw_server) as anonymous:
        denied = create.sync_detailed(client=anonymous, body=body)
        assert denied.status_code == 401 and isinstance(denied.parsed, m.ErrorResponse)
