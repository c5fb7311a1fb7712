"""``litellm``, unmodified, against TokenHub on the served mock through its OpenAI-compatible
provider (``model="openai/<TokenHub model id>"``, ``api_base`` at the mock).

litellm's ``image_edit`` always sends the images as multipart ``image[]`` parts, one or several.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from types import ModuleType

import pytest
from sdk_support import TOKENHUB_KEY, Served, decode_b64, logging_restored, png

MODEL = "openai/tokenhub/gpt-image-2"  # litellm's provider prefix + 001's model id


@pytest.fixture(scope="module")
def litellm() -> Iterator[ModuleType]:
    """litellm, imported when these tests run (an ImportError fails them, it does not skip) and
    with the process's loggers put back afterwards (see :func:`logging_restored`)."""
    with logging_restored("litellm"):
        import litellm as module

        module.suppress_debug_info = True
        yield module


def named(data: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def test_image_generation(litellm: ModuleType, served: Served) -> None:
    result = litellm.image_generation(
        model=MODEL, prompt="a corgi on a skateboard", size="1024x1536", n=2, api_base=served.base("tokenhub"), api_key=TOKENHUB_KEY
    )
    assert [decode_b64(item.b64_json) for item in result.data] == [("PNG", (1024, 1536))] * 2
    sent = served.requests("/tokenhub/v1/images/generations")[-1]
    assert sent["body"]["model"] == "tokenhub/gpt-image-2"  # litellm strips only its own provider prefix


@pytest.mark.parametrize("how_many", [1, 2])
def test_image_edit_is_accepted_but_litellm_refuses_tokenhubs_documented_usage(litellm: ModuleType, served: Served, how_many: int) -> None:
    """litellm's ``image_edit`` sends ``image[]`` parts, which TokenHub's edits accept; it then builds
    its ``ImageResponse`` from the answer as is (litellm llms/openai/image_edit/transformation.py:
    "No transform applied since outputs are in OpenAI spec already"), whose ``usage`` model requires
    OpenAI's ``total_tokens`` and ``input_tokens_details``. TokenHub documents its usage as
    ``"usage": { "input_tokens": 22, "output_tokens": 0 }`` (001 "Response"; edits: "Response shape
    is the same as generations"), so litellm fails to parse a documented answer: what a user of
    litellm meets on the real gateway. (``image_generation`` fills the missing fields in, above.)"""
    images = [named(png(64, 64), f"photo{i}.png") for i in range(how_many)]
    with pytest.raises(litellm.APIConnectionError, match="input_tokens_details"):
        litellm.image_edit(
            model=MODEL,
            image=images if how_many > 1 else images[0],
            prompt="add a red beret",
            size="1536x1024",
            api_base=served.base("tokenhub"),
            api_key=TOKENHUB_KEY,
        )
    [sent] = served.requests("/tokenhub/v1/images/edits")
    assert sent["status"] == 200
    parts = sent["body"]["image[]"]
    assert len(parts if isinstance(parts, list) else [parts]) == how_many


def test_wrong_key_is_an_authentication_error(litellm: ModuleType, served: Served) -> None:
    with pytest.raises(litellm.AuthenticationError) as caught:
        litellm.image_generation(model=MODEL, prompt="a corgi", api_base=served.base("tokenhub"), api_key="sk-wrong", num_retries=0)
    assert caught.value.status_code == 401


def test_refused_request_is_a_bad_request_error(litellm: ModuleType, served: Served) -> None:
    with pytest.raises(litellm.BadRequestError) as caught:
        litellm.image_generation(model=MODEL, prompt="a corgi", n=11, api_base=served.base("tokenhub"), api_key=TOKENHUB_KEY)
    assert caught.value.status_code == 400
    assert "n" in str(caught.value)
