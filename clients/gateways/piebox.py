"""PieBox (000): ``X-API-Key``; one create path per model family, each answering ``{task_id,
model}``; the task is polled at the family's own tasks path (``PIEBOX_PATHS``) until its
``status`` is terminal. Results are URLs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args
from urllib.parse import quote

import httpx

from ..types import ImageRequest, ItemError, TaskHandle, TaskState, TaskStatus
from .base import Answer, drop_none, encode_image, family_of, item_error, no_n, post_json, text_or_none

GATEWAY = "piebox"

#: PieBox endpoints per family: create path, poll path (000 "Request" and "Checking Image Generation Results").
PIEBOX_PATHS: dict[str, tuple[str, str]] = {
    "seedream": ("/v2/extend/image/seedream/generations", "/v2/extend/image/seedream/tasks/{task_id}"),
    "gemini": ("/v2/extend/image/generations", "/v2/extend/image/tasks/{task_id}"),
    "gpt_image": ("/v2/extend/image/gpt_image/generations", "/v2/extend/image/gpt_image/tasks/{task_id}"),
}


def build_request(req: ImageRequest, *, base_url: str, api_key: str | None, headers: Mapping[str, str] | None = None) -> httpx.Request:
    """The task-creating ``POST`` for ``req``: Seedream and GPT-Image-2 bodies carry no ``model``
    (000); Gemini's does. Input images go in ``image`` (a list).

    Raises:
        ConfigurationError: ``n`` other than 1 for Seedream or Gemini (one image per task).
    """
    fam = family_of(req.model)
    body: dict[str, Any]
    if fam == "seedream":
        no_n(GATEWAY, req, "Seedream")
        body = drop_none({"prompt": req.prompt, "size": req.size})  # 000 Seedream: no model field
        if req.images:
            body["image"] = [encode_image(i) for i in req.images]
    elif fam == "gpt_image":
        body = drop_none({"prompt": req.prompt, "size": req.size, "n": req.n})  # 000 GPT-Image-2: no model field
        if req.images:
            body["image"] = [encode_image(i) for i in req.images]  # inferred: not documented for PieBox GPT
    else:
        no_n(GATEWAY, req, "Gemini")
        body = drop_none({"model": req.model, "prompt": req.prompt, "size": req.size})
        if req.images:
            body["image"] = [encode_image(i) for i in req.images]  # inferred: not documented for PieBox Gemini
    body.update(req.extra)
    path = PIEBOX_PATHS[_family(req.model)][0]
    return post_json(GATEWAY, path, body, base_url=base_url, api_key=api_key, headers=headers)


def _family(model: str | None) -> str:
    """The :data:`PIEBOX_PATHS` family of ``model``: its own, else ``"gemini"`` (the generic
    ``/v2/extend/image/generations`` path)."""
    fam = family_of(model or "")
    return fam if fam in PIEBOX_PATHS else "gemini"


def poll_path(task_id: str, model: str | None, create_path: str | None = None) -> str:
    """The path polling ``task_id`` (000 "Checking Image Generation Results"): the tasks path of
    the family whose create path ``create_path`` ends with, else of ``model``'s family."""
    family = next((fam for fam, (create, _) in PIEBOX_PATHS.items() if create_path and create_path.endswith(create)), None)
    return PIEBOX_PATHS[family or _family(model)][1].format(task_id=quote(task_id, safe=""))


def task_handle(task_id: str, model: str | None) -> TaskHandle:
    """The handle of an existing task known by its id (and the model it was created with, which
    picks the tasks path)."""
    return TaskHandle(GATEWAY, task_id, model, poll_path(task_id, model))


def parse_answer(answer: Answer) -> TaskHandle:
    """A create answer ``{"task_id", "model"}`` (000 "Response") as the :class:`TaskHandle` to poll,
    at the tasks path of the family the request was created at (:func:`poll_path`).

    Raises:
        ContractViolation: ``/task_id`` is not a non-empty string.
    """
    body = answer.body
    task_id = body.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise answer.violation("/task_id", "a task id string", repr(task_id)[:60])
    model = body.get("model") if isinstance(body.get("model"), str) else None
    req = answer.response._request  # may be None for a hand-built response
    return TaskHandle(
        answer.gateway, task_id, model, poll_path(task_id, model, req.url.path if req is not None else None), answer.request_id
    )


#: The four task states (000: ``pending``, ``processing``, ``succeeded``, ``failed``).
TASK_STATES: tuple[str, ...] = get_args(TaskState)


def parse_task(answer: Answer) -> TaskStatus:
    """A poll answer ``{task_id, status, model, result: {images: [{url}]}}`` (000 "Response
    Example") as :class:`TaskStatus`; a ``failed`` task's ``error`` (inferred: an object
    ``{code, message}`` or a string) becomes its :class:`ItemError`.

    Raises:
        ContractViolation: ``/status`` is not one of :data:`TASK_STATES`, or a ``succeeded`` task's
            ``/result/images`` is not an array of ``{url}``.
    """
    body = answer.body
    state = body.get("status")
    if state not in TASK_STATES:
        raise answer.violation("/status", " | ".join(TASK_STATES), repr(state)[:40])
    urls: tuple[str, ...] = ()
    if state == "succeeded":
        result = body.get("result")
        imgs = result.get("images") if isinstance(result, dict) else None
        if not isinstance(imgs, list) or not all(isinstance(i, dict) and isinstance(i.get("url"), str) for i in imgs):
            raise answer.violation("/result/images", "an array of {url}", repr(imgs)[:60])
        urls = tuple(i["url"] for i in imgs)
    error = None
    if state == "failed":
        err = body.get("error")
        if isinstance(err, dict):
            error = item_error(err)
        elif isinstance(err, str):
            error = ItemError(None, err)
        else:
            error = ItemError(None, None)
    return TaskStatus(
        task_id=str(body.get("task_id") or ""),
        state=state,
        model=text_or_none(body.get("model")),
        urls=urls,
        error=error,
        raw=body,
        request_id=answer.request_id,
    )
