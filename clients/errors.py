"""Exceptions raised by the reference client, and one mapping function per gateway error shape.

The tree mirrors HTTP status, in the manner of httpx and openai-python::

    APIError                          every error the client raises about a call
     ├── APIStatusError               the gateway answered 4xx/5xx (status_code, code, param, request_id)
     │    ├── InvalidRequestError     400, 405, 413, 415, 422 — the request is wrong; do not retry
     │    │    └── ContentPolicyError a moderation refusal (content policy, sensitive content)
     │    ├── AuthenticationError     401 — missing or wrong API key
     │    ├── PermissionDeniedError   403
     │    ├── NotFoundError           404, 410 — unknown model / route / task id, expired URL
     │    ├── RateLimitError          429 — retryable; ``retry_after`` in seconds when the gateway said
     │    ├── QuotaExceededError      429 insufficient quota / arrears — never retried
     │    └── ServerError             5xx — retryable
     ├── APIConnectionError           no answer: DNS, refused, reset, protocol error — retryable
     │    └── APITimeoutError         the HTTP timeout expired — retryable
     │         └── DeadlineExceeded   the call's whole deadline ran out — never retried
     ├── UnreadableResponseError      an answer that cannot be read: a Content-Encoding that does not
     │                                decode, a redirect loop — never retried
     ├── TaskFailed                   a PieBox task ended ``failed`` (code, message, task_id)
     ├── TaskTimeout                  a task was not terminal within the overall poll timeout
     └── ContractViolation            strict mode: a response broke the gateway's contract (findings)

    ConfigurationError (ValueError)   the client was set up or called wrongly (no request sent)

Status codes the tree does not name (408, 409, other 4xx) raise :class:`APIStatusError` itself.

Whatever a server sends — any status, headers or bytes, JSON nested past Python's recursion
limit, a bad ``Content-Encoding``, a redirect loop — a call raises only these exceptions.

Error shapes (``mock_server/errors.py`` lists what each gateway sends; all of them are
*inferred* — no gateway document shows an error body, except TokenHub's
``image file is required`` text):

* :func:`error_from_openai` — ``{"error": {"message", "type", "param", "code"}}`` (TokenHub's
  OpenAI-compatible routes, PieBox, PowerTokens; upstream OpenAI / Ark);
* :func:`error_from_dashscope` — ``{"code", "message", "request_id"}`` (TokenHub's DashScope
  passthrough; upstream DashScope);
* :func:`error_from_envelope` — ``{"code": <status>, "msg", "data": null}`` (Gravitex, Image
  Series; inferred from their documented success envelope).

No exception holds the request, its headers or the API key: only the method, the URL, the
response status, headers and body. ``str()``/``repr()`` of any of them is safe to log.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from contracts.wire import parse_retry_after, request_id

__all__ = [
    "APIError",
    "APIStatusError",
    "InvalidRequestError",
    "ContentPolicyError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "RateLimitError",
    "QuotaExceededError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
    "DeadlineExceeded",
    "UnreadableResponseError",
    "TaskFailed",
    "TaskTimeout",
    "ContractViolation",
    "ConfigurationError",
    "error_from_openai",
    "error_from_dashscope",
    "error_from_envelope",
    "error_from_response",
    "parse_retry_after",
    "decode_json",
]


class ConfigurationError(ValueError):
    """The client was configured or called wrongly (unknown gateway, no base URL for Image
    Series, an operation the gateway does not have). Raised before any request is sent."""


class APIError(Exception):
    """Base of every error about a call to a gateway.

    Attributes:
        message: human-readable text (from the gateway when it sent one).
        gateway: gateway id (``"tokenhub"`` …) or ``None``.
        request_id: the gateway's request id (``X-Request-Id`` header or body ``request_id``), if any.
        method / url: the HTTP method and URL of the call (never its headers).
    """

    def __init__(
        self, message: str, *, gateway: str | None = None, request_id: str | None = None, method: str | None = None, url: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.gateway = gateway
        self.request_id = request_id
        self.method = method
        self.url = url

    def __str__(self) -> str:
        extra = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.message}{extra}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, gateway={self.gateway!r}, request_id={self.request_id!r})"


class APIStatusError(APIError):
    """The gateway answered with a 4xx/5xx status.

    Attributes:
        status_code: the HTTP status.
        code: the gateway's machine-readable code (``"invalid_size"``, ``"Throttling"``, ``429`` …) or ``None``.
        param: the parameter at fault when the gateway names one (OpenAI shape), else ``None``.
        body: the decoded JSON body (or the text when it is not JSON).
        headers: the response headers (a plain dict; responses never carry the API key).
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: Any = None,
        param: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.status_code = status_code
        self.code = code
        self.param = param
        self.body = body
        self.headers = dict(headers or {})

    def __str__(self) -> str:
        code = f" {self.code}" if self.code not in (None, "") else ""
        param = f" [param: {self.param}]" if self.param else ""
        return f"HTTP {self.status_code}{code}: {super().__str__()}{param}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, code={self.code!r}, "
            f"message={self.message!r}, param={self.param!r}, request_id={self.request_id!r})"
        )


class InvalidRequestError(APIStatusError):
    """400 / 405 / 413 / 415 / 422: the request itself is wrong (bad parameter, body, content type)."""


class ContentPolicyError(InvalidRequestError):
    """The gateway refused the prompt, an input image or an output image on content-policy grounds."""


class AuthenticationError(APIStatusError):
    """401: missing, malformed or wrong API key."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not use this model or operation."""


class NotFoundError(APIStatusError):
    """404 (unknown route, model or task id) or 410 (an expired result URL)."""


class RateLimitError(APIStatusError):
    """429 that may be retried.

    Attributes:
        retry_after: seconds the gateway asked to wait (``Retry-After`` / ``retry-after-ms``), or ``None``.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class QuotaExceededError(APIStatusError):
    """429 for an exhausted quota or unpaid balance. Never retried: waiting does not help."""


class ServerError(APIStatusError):
    """5xx: the gateway failed. Retried by default.

    Attributes:
        retry_after: seconds the gateway asked to wait (503 ``Retry-After``), or ``None``.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class APIConnectionError(APIError):
    """No HTTP answer: connection refused or reset, DNS failure, protocol error."""


class APITimeoutError(APIConnectionError):
    """The HTTP timeout expired before an answer arrived."""


class DeadlineExceeded(APITimeoutError):
    """The call's whole deadline (``deadline=`` of the client: retries, polls and downloads
    included) ran out. Never retried.

    Attributes:
        deadline: the deadline, seconds.
    """

    def __init__(self, message: str, *, deadline: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.deadline = deadline


class UnreadableResponseError(APIError):
    """An answer arrived but cannot be read: its ``Content-Encoding`` does not decode, it
    redirects in a loop (more than ``clients.core.MAX_REDIRECTS`` hops), or it is otherwise
    malformed below HTTP's status line. Never retried."""


class TaskFailed(APIError):
    """A PieBox task reached the terminal state ``failed``.

    Attributes:
        task_id: the task id.
        code / error_message: the task's ``error.code`` / ``error.message`` (inferred shape), if sent.
        status: always ``"failed"``.
    """

    def __init__(self, task_id: str, code: str | None, error_message: str | None, **kw: Any) -> None:
        super().__init__(f"task {task_id[:48]} failed: {code or 'unknown'}: {error_message or 'no message'}", **kw)
        self.task_id = task_id
        self.code = code
        self.error_message = error_message
        self.status = "failed"

    @property
    def is_content_policy(self) -> bool:
        """Whether the failure is a moderation refusal (``content_policy_violation`` or similar)."""
        return _is_policy_code(self.code)


class TaskTimeout(APIError):
    """A task was still not terminal when the overall poll timeout ran out.

    Attributes:
        task_id: the task id; ``last_status``: the last state seen; ``waited``: seconds waited.
    """

    def __init__(self, task_id: str, last_status: str | None, waited: float, **kw: Any) -> None:
        super().__init__(f"task {task_id[:48]} still {last_status or 'unknown'} after {waited:g} s", **kw)
        self.task_id = task_id
        self.last_status = last_status
        self.waited = waited


class ContractViolation(APIError):
    """Strict mode: a response did not match the gateway's OpenAPI contract.

    Attributes:
        findings: the validator's findings (objects with ``location``, ``expected``, ``observed``,
            ``kind`` — see ``contracts``), at least one.
        status_code: the HTTP status of the offending response.
    """

    def __init__(self, findings: Sequence[Any], *, status_code: int | None = None, **kw: Any) -> None:
        lines = "; ".join(_finding_text(f) for f in list(findings)[:10])
        more = f" (+{len(findings) - 10} more)" if len(findings) > 10 else ""
        super().__init__(f"response violates the {kw.get('gateway') or 'gateway'} contract: {lines}{more}", **kw)
        self.findings = list(findings)
        self.status_code = status_code


def _finding_text(f: Any) -> str:
    parts = [str(getattr(f, k)) for k in ("kind", "location") if getattr(f, k, None)]
    exp, obs = getattr(f, "expected", None), getattr(f, "observed", None)
    if exp is not None or obs is not None:
        parts.append(f"expected {exp!s:.80}, observed {obs!s:.80}")
    return " ".join(parts) if parts else str(f)[:200]


# -- helpers shared by the mapping functions ---------------------------------------------------

_POLICY_MARKERS = ("content_policy", "sensitive", "moderation", "datainspectionfailed", "safety", "inappropriate")
_QUOTA_CODES = frozenset(
    {"insufficient_quota", "arrearage", "quota_exceeded", "billing_hard_limit_reached", "accountoverdueerror", "insufficient_balance"}
)


def _is_policy_code(code: Any) -> bool:
    text = str(code or "").lower()
    return any(m in text for m in _POLICY_MARKERS)


def _classify(status: int, code: Any, type_: Any, message: str, headers: Mapping[str, str]) -> tuple[type[APIStatusError], dict[str, Any]]:
    """The exception class for ``status`` plus code/type hints, and extra constructor kwargs."""
    code_l = str(code or "").lower()
    type_l = str(type_ or "").lower()
    if status == 429:
        if code_l in _QUOTA_CODES or type_l in _QUOTA_CODES or (not code_l and "quota" in message.lower()):
            return QuotaExceededError, {}
        return RateLimitError, {"retry_after": parse_retry_after(headers)}
    if status >= 500:
        return ServerError, {"retry_after": parse_retry_after(headers)}
    if status in (400, 422) and (_is_policy_code(code) or _is_policy_code(type_)):
        return ContentPolicyError, {}
    if status in (400, 405, 413, 415, 422):
        return InvalidRequestError, {}
    if status == 401:
        return AuthenticationError, {}
    if status == 403:
        if _is_policy_code(code) or _is_policy_code(type_):
            return ContentPolicyError, {}
        return PermissionDeniedError, {}
    if status in (404, 410):
        return NotFoundError, {}
    return APIStatusError, {}


# -- one mapping function per error shape ------------------------------------------------------


def error_from_openai(status: int, body: Mapping[str, Any], headers: Mapping[str, str], **kw: Any) -> APIStatusError:
    """Map an OpenAI-shaped error ``{"error": {"message", "type", "param", "code"}}`` to an exception.

    Quota is told apart from rate limiting by ``code``/``type`` ``insufficient_quota`` (upstream
    OpenAI); content policy by codes such as ``content_policy_violation`` (OpenAI) or
    ``InputTextSensitiveContentDetected`` (Ark).
    """
    raw = body.get("error")
    err: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    message = str(err.get("message") or f"HTTP {status}")
    code, type_, param = err.get("code"), err.get("type"), err.get("param")
    cls, extra = _classify(status, code, type_, message, headers)
    return cls(
        message,
        status_code=status,
        code=code,
        param=param if isinstance(param, str) else None,
        body=dict(body),
        headers=headers,
        request_id=request_id(headers, body),
        **extra,
        **kw,
    )


def error_from_dashscope(status: int, body: Mapping[str, Any], headers: Mapping[str, str], **kw: Any) -> APIStatusError:
    """Map a DashScope-shaped error ``{"code", "message", "request_id"}`` to an exception.

    Upstream DashScope codes: ``Arrearage`` (quota), ``DataInspectionFailed`` (content policy),
    ``Throttling*`` (rate limit), ``InvalidApiKey`` (401).
    """
    message = str(body.get("message") or f"HTTP {status}")
    code = body.get("code")
    cls, extra = _classify(status, code, None, message, headers)
    return cls(
        message, status_code=status, code=code, body=dict(body), headers=headers, request_id=request_id(headers, body), **extra, **kw
    )


def error_from_envelope(status: int, body: Mapping[str, Any], headers: Mapping[str, str], **kw: Any) -> APIStatusError:
    """Map an envelope-shaped error ``{"code": <status>, "msg", "data": null}`` to an exception.

    The envelope carries no machine code beyond the status, so quota (429 without
    ``Retry-After``, "quota" in ``msg``) and content policy ("sensitive", "policy", "moderation" in
    ``msg``) are read from the text (inferred; the mock sends the upstream OpenAI/Ark texts).
    """
    message = str(body.get("msg") or body.get("message") or f"HTTP {status}")
    code = body.get("code")
    if code == status:
        code = None  # the envelope repeats the status; it carries no finer code
    hint = None
    low = message.lower()
    if status == 429 and "quota" in low:
        hint = "insufficient_quota"
    elif status in (400, 403, 422) and any(m in low.replace(" ", "_") for m in _POLICY_MARKERS + ("content_policy", "policy")):
        hint = "content_policy"
    cls, extra = _classify(status, hint, None, message, headers)
    return cls(
        message, status_code=status, code=code, body=dict(body), headers=headers, request_id=request_id(headers, body), **extra, **kw
    )


def decode_json(content: bytes) -> Any:
    """``content`` as JSON (UTF-8).

    Raises:
        ValueError: when it is not UTF-8 JSON, or nests deeper than Python's recursion limit
            (``json`` raises ``RecursionError`` there).
    """
    try:
        return json.loads(content.decode("utf-8"))
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def error_from_response(status: int, content: bytes, headers: Mapping[str, str], **kw: Any) -> APIStatusError:
    """Decode an error response and map it with the function for its shape.

    The shape is recognised from the body (TokenHub answers two shapes from one route): an
    ``error`` object -> OpenAI; a string ``code`` with ``message`` -> DashScope; ``msg`` ->
    envelope. Anything else (HTML, empty) becomes the status's class with the text as message.
    """
    body: Any
    try:
        body = decode_json(content) if content else None
    except ValueError:  # UnicodeDecodeError is one
        body = None
    if isinstance(body, dict):
        if isinstance(body.get("error"), dict):
            return error_from_openai(status, body, headers, **kw)
        if "msg" in body:
            return error_from_envelope(status, body, headers, **kw)
        if "code" in body and "message" in body:
            return error_from_dashscope(status, body, headers, **kw)
        if isinstance(body.get("error"), str):
            return error_from_openai(status, {"error": {"message": body["error"]}}, headers, **kw)
    text = content[:500].decode("utf-8", "replace") if content else ""
    cls, extra = _classify(status, None, None, text, headers)
    return cls(
        text.strip() or f"HTTP {status}",
        status_code=status,
        body=body if body is not None else text,
        headers=headers,
        request_id=request_id(headers, body),
        **extra,
        **kw,
    )
