"""The probe plan of each gateway: what ``imagegw drift`` sends, and what it expects back.

Free probes cost nothing: no credentials (401), an unknown model, an invalid size (rejected
before any generation), an unknown task id (PieBox) and TokenHub's documented edits and chat
errors — each exercises the gateway's error shape. Paid probes generate, cheapest model and
size first; ``--budget N`` runs the first ``N`` of them (PieBox's first is a full task lifecycle:
create, poll until terminal, download the result).

Expected statuses and error shapes follow the contracts (``contracts/<id>.openapi.yaml``): the
401/400/404 answers and every error body are *inferred* there (no document shows one) except
TokenHub's ``image file is required`` (001, "Image edits"). Cheapest choices: GPT Image
``quality: low`` ("Fastest generation speed, lowest cost", 002), ``gpt-image-1-mini`` ("Lower
cost, faster speed", 003), Seedream 4.0 ``1K`` (the smallest tier, 004).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.registry import ErrorShape, GatewaySpec, gateway_spec

PROMPT = "imagegw drift probe: draw a small red circle on a white background"
NO_SUCH_MODEL = "imagegw-drift-no-such-model"
NO_SUCH_TASK = "img_gen_imagegwdriftprobe0000"

#: Pointers whose values clients switch on, per error shape (compared with the baseline and
#: the contract's enums; messages are free text and only their types are compared).
ERROR_CATEGORICAL: dict[str, tuple[str, ...]] = {
    "openai": ("/error/type", "/error/code", "/error/param"),
    "dashscope": ("/code",),
    "envelope": ("/code",),
}


#: The mock's rule behind each free probe's answer ("{model}": the model the probe names).
MOCK_RULES: dict[str, str] = {
    "no_credentials": "the gateway's auth check (a request without a key)",
    "unknown_model": "the catalog's model list (for {model})",
    "invalid_size": "the catalog's size rule for {model}",
    "unknown_task": "the task engine's answer to an unknown task id",
    "passthrough_invalid_size": "the catalog's size rule for {model} (DashScope passthrough)",
    "edits_missing_image": "TokenHub's edits form check (a file part named image is required)",
    "chat_missing_region": "TokenHub's chat check of the X-TokenHub-Region header",
    "chat_unknown_model": "the catalog's chat model list (for {model})",
}


@dataclass(frozen=True)
class Send:
    """One HTTP request: ``method`` and ``path`` (relative to the gateway root, ``{task_id}``
    filled in at run time), a JSON body or multipart ``form`` fields, whether it carries the
    key, and extra ``headers``."""

    method: str
    path: str
    json: dict[str, Any] | None = None
    form: tuple[tuple[str, str], ...] | None = None
    auth: bool = True
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Lifecycle:
    """An asynchronous task: where its id is (``id_pointer``), where to poll, the states the
    contract lists and which are terminal, and where the result's images are."""

    poll_path: str
    id_pointer: str = "/task_id"
    status_pointer: str = "/status"
    states: tuple[str, ...] = ("pending", "processing", "succeeded", "failed")
    terminal: tuple[str, ...] = ("succeeded", "failed")
    success: str = "succeeded"
    images: tuple[str, ...] = ("/result/images/*/url",)
    categorical: tuple[str, ...] = ("/model",)


@dataclass(frozen=True)
class Probe:
    """One probe.

    Attributes:
        id: stable name (part of every finding id), e.g. ``unknown_model``.
        title: what it checks, for reports.
        paid: whether it generates (counted against ``--budget``).
        send: the request.
        status: the status the contract and the plan expect.
        error_shape: the gateway's error shape the body must have (error probes).
        categorical: body pointers whose values are compared (besides the error shape's).
        images: glob pointers (``*`` = every array item) to image results: b64 strings are
            decoded, the first URL is downloaded.
        enum_params: request fields sent with a documented enum value; a 4xx naming one of
            them means that value is gone (a request narrowed).
        lifecycle: set for a task-creating probe (PieBox).
        why: where the expectation comes from (documented / inferred).
    """

    id: str
    title: str
    send: Send
    status: int
    paid: bool = False
    error_shape: ErrorShape | None = None
    categorical: tuple[str, ...] = ()
    images: tuple[str, ...] = ()
    enum_params: tuple[str, ...] = ()
    lifecycle: Lifecycle | None = None
    why: str = ""

    @property
    def model(self) -> str | None:
        """The model the request names (JSON ``model`` or the form field), if any."""
        if isinstance(self.send.json, dict) and isinstance(self.send.json.get("model"), str):
            return self.send.json["model"]
        return next((v for k, v in self.send.form or () if k == "model"), None)

    @property
    def mock_rule(self) -> str:
        """The rule of the mock that decides this probe's answer: what to change when the mock
        answers it differently from the gateway (named in ``mock_divergence`` findings)."""
        model = self.model or "the model"
        rule = MOCK_RULES.get(self.id)
        if rule is None:
            rule = f"the catalog's rules for {model} and the gateway module that builds the answer"
        return rule.format(model=model)


@dataclass(frozen=True)
class GatewayPlan:
    """All probes of one gateway: free and paid. Its auth scheme and error shapes are the
    gateway registry's (:attr:`spec`)."""

    gateway: str
    free: tuple[Probe, ...]
    paid: tuple[Probe, ...] = field(default=())

    @property
    def spec(self) -> GatewaySpec:
        """The gateway's registry entry (:mod:`contracts.registry`)."""
        return gateway_spec(self.gateway)

    @property
    def shape(self) -> ErrorShape:
        """The error shape a probe expects unless it names another (the registry's default)."""
        return self.spec.default_error_shape

    def probes(self, budget: int) -> list[Probe]:
        """Free probes, then the first ``budget`` paid ones (``budget`` >= 0)."""
        return [*self.free, *self.paid[: max(0, budget)]]


def _openai_errors(
    path: str,
    valid: dict[str, Any],
    invalid_size: dict[str, Any],
    *,
    unknown_model_path: str | None = None,
    unknown_model_body: dict[str, Any] | None = None,
) -> tuple[Probe, ...]:
    um_body = unknown_model_body or {**valid, "model": NO_SUCH_MODEL}
    return (
        Probe(
            "no_credentials",
            "No credentials: 401 in the error shape",
            Send("POST", path, valid, auth=False),
            401,
            error_shape="openai",
            why="inferred: upstream OpenAI / Ark 401",
        ),
        Probe(
            "unknown_model",
            "Unknown model: 400 in the error shape",
            Send("POST", unknown_model_path or path, um_body),
            400,
            error_shape="openai",
            why="inferred: upstream OpenAI / Ark model_not_found",
        ),
        Probe(
            "invalid_size",
            "Invalid size: 400 naming size",
            Send("POST", path, invalid_size),
            400,
            error_shape="openai",
            why="documented sizes; inferred 400 body",
        ),
    )


# -- PieBox (000) ---------------------------------------------------------------------------------

_PB_GPT = "/v2/extend/image/gpt_image/generations"
_PB_GPT_BODY = {"prompt": PROMPT, "size": "1024x1024", "quality": "low", "n": 1}
PIEBOX = GatewayPlan(
    gateway="piebox",
    free=(
        *_openai_errors(
            _PB_GPT,
            _PB_GPT_BODY,
            {**_PB_GPT_BODY, "size": "1x1"},
            unknown_model_path="/v2/extend/image/generations",
            unknown_model_body={"model": NO_SUCH_MODEL, "prompt": PROMPT, "size": "1K"},
        ),
        Probe(
            "unknown_task",
            "Unknown task id: 404 in the error shape",
            Send("GET", f"/v2/extend/image/gpt_image/tasks/{NO_SUCH_TASK}"),
            404,
            error_shape="openai",
            why="inferred: upstream OpenAI 404 not_found_error",
        ),
    ),
    paid=(
        Probe(
            "task_lifecycle",
            "GPT-Image-2 task: create, poll until terminal, download",
            Send("POST", _PB_GPT, _PB_GPT_BODY),
            200,
            paid=True,
            enum_params=("quality", "size"),
            lifecycle=Lifecycle("/v2/extend/image/gpt_image/tasks/{task_id}"),
            categorical=("/model",),
            why="documented: 000 'they return a task_id, and you need to poll for the result'",
        ),
        Probe(
            "task_lifecycle_gemini",
            "Gemini task (0.5K): create, poll, download",
            Send("POST", "/v2/extend/image/generations", {"model": "gemini-3.1-flash-image", "prompt": PROMPT, "size": "0.5K"}),
            200,
            paid=True,
            enum_params=("model", "size"),
            lifecycle=Lifecycle("/v2/extend/image/tasks/{task_id}"),
            categorical=("/model",),
            why="documented: 000 Gemini",
        ),
        Probe(
            "task_lifecycle_seedream",
            "Seedream task (2048x2048): create, poll, download",
            Send("POST", "/v2/extend/image/seedream/generations", {"prompt": PROMPT, "size": "2048x2048"}),
            200,
            paid=True,
            lifecycle=Lifecycle("/v2/extend/image/seedream/tasks/{task_id}"),
            categorical=("/model",),
            why="documented: 000 Seedream",
        ),
    ),
)

# -- TokenHub (001) -------------------------------------------------------------------------------

_TH_GEN = "/v1/images/generations"
_TH_FLAT = {"model": "tokenhub/gpt-image-2", "prompt": PROMPT, "size": "1024x1024", "n": 1}
_TH_WAN: dict[str, Any] = {
    "model": "wan2.6-t2i",
    "input": {"messages": [{"role": "user", "content": [{"text": PROMPT}]}]},
    "parameters": {"n": 1, "size": "1280*1280", "watermark": False},
}
TOKENHUB = GatewayPlan(
    gateway="tokenhub",
    free=(
        *_openai_errors(_TH_GEN, _TH_FLAT, {**_TH_FLAT, "size": "1x1"}),
        Probe(
            "passthrough_invalid_size",
            "DashScope passthrough, invalid size: 400 in the DashScope shape",
            Send("POST", _TH_GEN, {**_TH_WAN, "parameters": {**_TH_WAN["parameters"], "size": "1*1"}}),
            400,
            error_shape="dashscope",
            why="inferred: upstream DashScope error body (001: TokenHub passes upstream fields through)",
        ),
        Probe(
            "edits_missing_image",
            "Edits without an image file: 400 'image file is required'",
            Send(
                "POST",
                "/v1/images/edits",
                form=(
                    ("model", "tokenhub/gpt-image-2"),
                    ("image", "/path/to/image.png"),
                    ("prompt", PROMPT),
                    ("n", "1"),
                    ("size", "1024x1024"),
                ),
            ),
            400,
            error_shape="openai",
            why="documented: 001 'Without @, curl sends the path as plain text and the gateway returns image file is required'",
        ),
        Probe(
            "chat_missing_region",
            "Chat without X-TokenHub-Region: 400 in the error shape",
            Send(
                "POST",
                "/v1/chat/completions",
                {"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user", "content": PROMPT}]},
            ),
            400,
            error_shape="openai",
            why="documented: 001 'X-TokenHub-Region: global — required header'; inferred 400 body",
        ),
        Probe(
            "chat_unknown_model",
            "Chat with an unknown model: 400 in the error shape",
            Send(
                "POST",
                "/v1/chat/completions",
                {"model": NO_SUCH_MODEL, "messages": [{"role": "user", "content": PROMPT}]},
                headers=(("X-TokenHub-Region", "global"),),
            ),
            400,
            error_shape="openai",
            why="inferred: upstream OpenAI chat model_not_found",
        ),
    ),
    paid=(
        Probe(
            "generation",
            "tokenhub/gpt-image-2, 1024x1024, b64_json (the default)",
            Send("POST", _TH_GEN, _TH_FLAT),
            200,
            paid=True,
            images=("/data/*/b64_json", "/data/*/url"),
            enum_params=("size",),
            why="documented: 001 flat generations",
        ),
        Probe(
            "generation_url",
            "tokenhub/gpt-image-2 with response_format url",
            Send("POST", _TH_GEN, {**_TH_FLAT, "response_format": "url"}),
            200,
            paid=True,
            images=("/data/*/url", "/data/*/b64_json"),
            enum_params=("response_format", "size"),
            why='documented: 001 \'With "response_format": "url", returns data[0].url\'',
        ),
        Probe(
            "passthrough_generation",
            "wan2.6-t2i through the DashScope passthrough",
            Send("POST", _TH_GEN, _TH_WAN),
            200,
            paid=True,
            images=("/output/choices/*/message/content/*/image",),
            categorical=("/output/choices/0/message/content/0/type", "/output/choices/0/finish_reason"),
            why="documented: 001 passthrough example",
        ),
        Probe(
            "chat_generation",
            "tokenhub/gemini-3.1-flash-image-preview via chat completions",
            Send(
                "POST",
                "/v1/chat/completions",
                {"model": "tokenhub/gemini-3.1-flash-image-preview", "messages": [{"role": "user", "content": PROMPT}]},
                headers=(("X-TokenHub-Region", "global"),),
            ),
            200,
            paid=True,
            images=("/choices/*/message/content",),
            categorical=("/object", "/choices/0/finish_reason", "/choices/0/message/role"),
            why="documented: 001 chat completions example",
        ),
    ),
)

# -- Gravitex (002) and Image Series (003) ----------------------------------------------------------


def _envelope_plan(gateway: str, gpt_model: str, doc: str) -> GatewayPlan:
    body = {"model": gpt_model, "prompt": PROMPT, "size": "1024x1024", "quality": "low", "n": 1}
    return GatewayPlan(
        gateway=gateway,
        free=(
            Probe(
                "no_credentials",
                "No credentials: 401 in the envelope",
                Send("POST", _TH_GEN, body, auth=False),
                401,
                error_shape="envelope",
                why=f"inferred: the documented envelope {{code,msg,data}} ({doc})",
            ),
            Probe(
                "unknown_model",
                "Unknown model: 400 in the envelope",
                Send("POST", _TH_GEN, {**body, "model": NO_SUCH_MODEL}),
                400,
                error_shape="envelope",
                why="inferred: envelope error",
            ),
            Probe(
                "invalid_size",
                "Invalid size: 400 in the envelope",
                Send("POST", _TH_GEN, {**body, "size": "1x1"}),
                400,
                error_shape="envelope",
                why=f"documented GPT Image sizes ({doc}); inferred error body",
            ),
        ),
        paid=(
            Probe(
                "generation",
                f"{gpt_model}, 1024x1024, quality low",
                Send("POST", _TH_GEN, body),
                200,
                paid=True,
                images=("/data/data/*/b64_json", "/data/data/*/url"),
                categorical=("/code", "/msg"),
                enum_params=("quality", "size"),
                why=f"documented: {doc} GPT Image example and 'Response Format'",
            ),
            Probe(
                "generation_qwen",
                "qwen-image-plus with response_format url",
                Send(
                    "POST",
                    _TH_GEN,
                    {
                        "model": "qwen-image-plus",
                        "response_format": "url",
                        "input": {"messages": [{"role": "user", "content": [{"text": PROMPT}]}]},
                        "parameters": {"n": 1},
                    },
                ),
                200,
                paid=True,
                images=("/data/data/*/url", "/data/data/*/b64_json"),
                categorical=("/code", "/msg"),
                enum_params=("response_format",),
                why=f"documented: {doc} Qwen supports b64_json and url",
            ),
        ),
    )


GRAVITEX = _envelope_plan("gravitex", "gpt-image-2", "002")
IMAGESERIES = _envelope_plan("imageseries", "gpt-image-1-mini", "003")

# -- PowerTokens (004) ------------------------------------------------------------------------------

_PT_BODY = {"model": "seedream-4-0-250828", "prompt": PROMPT, "size": "1K", "response_format": "url", "watermark": False}
POWERTOKENS = GatewayPlan(
    gateway="powertokens",
    free=_openai_errors(_TH_GEN, _PT_BODY, {**_PT_BODY, "size": "1x1"}),
    paid=(
        Probe(
            "generation",
            "seedream-4-0-250828 at 1K, url",
            Send("POST", _TH_GEN, _PT_BODY),
            200,
            paid=True,
            images=("/data/*/url", "/data/*/b64_json"),
            enum_params=("model", "response_format", "size"),
            why="documented: 004 request and response",
        ),
        Probe(
            "generation_b64",
            "seedream-4-0-250828 at 1K, b64_json",
            Send("POST", _TH_GEN, {**_PT_BODY, "response_format": "b64_json"}),
            200,
            paid=True,
            images=("/data/*/b64_json", "/data/*/url"),
            enum_params=("model", "response_format", "size"),
            why="documented: 004 response_format b64_json",
        ),
    ),
)

PLANS: dict[str, GatewayPlan] = {p.gateway: p for p in (PIEBOX, TOKENHUB, GRAVITEX, IMAGESERIES, POWERTOKENS)}


def plan_for(gateway: str) -> GatewayPlan:
    """The plan of ``gateway``.

    Raises:
        KeyError: for an unknown gateway id.
    """
    return PLANS[gateway]
