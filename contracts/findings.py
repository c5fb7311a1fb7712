"""What a contract check reports: :class:`Finding` and its :data:`FindingKind`, and how
jsonschema's errors are read into findings.

``expand_errors`` / ``selected_branch`` replace a failed ``oneOf`` / ``anyOf`` whose branches are
told apart by a ``const`` with the errors of the branch the instance selects; ``short`` is the
truncated text a finding shows of a value; ``redact_headers`` keeps credentials
(``contracts.registry.CREDENTIAL_HEADERS`` and the other secret-bearing headers) out of findings,
messages and reports. The checks themselves are :class:`contracts.validate.Contract`'s.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .registry import CREDENTIAL_HEADERS

#: What a finding is about. Drift detection maps these to its own kinds (e.g. ``missing_property``
#: -> "field removed", ``unexpected_null`` -> "now nullable", ``undeclared_status`` -> "status code changed").
FindingKind = Literal[
    "unknown_operation",  # no operation matches the method and path (and the answer is not the contract's 404/405)
    "undeclared_status",  # the status code is not among the operation's responses
    "missing_header",  # a required header is absent
    "invalid_header",  # a header value breaks its schema
    "content_type_mismatch",  # the media type is not one the contract declares
    "invalid_json",  # a JSON media type whose body does not parse
    "missing_body",  # a required request body is absent
    "missing_credentials",  # no declared security requirement is satisfied by the request headers
    "missing_property",  # schema ``required``
    "unexpected_property",  # schema ``additionalProperties: false`` / ``unevaluatedProperties: false``
    "type_mismatch",  # schema ``type`` (observed value is not null)
    "unexpected_null",  # schema ``type`` (observed value is null)
    "enum_mismatch",  # schema ``enum`` / ``const``
    "schema_violation",  # any other schema keyword (pattern, bounds, oneOf, …)
]


@dataclass(frozen=True)
class Finding:
    """One difference between a message and the contract.

    Attributes:
        location: JSON pointer into the message: ``/request/body/size``, ``/request/headers/authorization``,
            ``/request/query/x``, ``/request/path/task_id``, ``/response/status``,
            ``/response/headers/x-request-id`` (lower-case names), ``/response/content-type``,
            ``/response/body/data/0/url``; ``/request`` or ``/response`` for the message as a whole.
        expected: what the contract allows, short text (e.g. ``"type ['string', 'null']"``).
        observed: what the message holds, short text (values truncated; never a credential).
        kind: a :data:`FindingKind`.
        documented: ``True`` when the broken rule is documented, ``False`` when inferred, ``None``
            when the contract has no part there (e.g. an undeclared status).
        operation: the ``operationId`` concerned, or ``None`` when none matched.
        contract_pointer: JSON pointer of the governing part inside the contract, when known.
        message: a one-line human explanation.
    """

    location: str
    expected: str
    observed: str
    kind: str
    documented: bool | None
    operation: str | None = None
    contract_pointer: str | None = None
    message: str = ""

    def __str__(self) -> str:
        where = f"{self.operation} " if self.operation else ""
        tag = {True: "documented", False: "inferred", None: "undeclared"}[self.documented]
        return f"{where}{self.location}: {self.kind} (expected {self.expected}; observed {self.observed}) [{tag}]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "location": self.location,
            "expected": self.expected,
            "observed": self.observed,
            "kind": self.kind,
            "documented": self.documented,
            "operation": self.operation,
            "contract_pointer": self.contract_pointer,
            "message": self.message,
        }


SENSITIVE_HEADERS = CREDENTIAL_HEADERS | {"api-key", "proxy-authorization", "cookie"}


def expand_errors(errors: Any) -> Iterator[Any]:
    """``errors`` (jsonschema ``ValidationError``s) sorted by instance path, each failed ``oneOf``
    / ``anyOf`` whose branches are told apart by a ``const`` (e.g. one branch per model) replaced by
    the errors of the branch the instance selects: they explain the failure better than "none of
    N alternatives"."""
    pending = sorted(errors, key=lambda e: list(map(str, e.absolute_path)))
    while pending:
        err = pending.pop(0)
        chosen = selected_branch(err)
        if chosen is None:
            yield err
        else:
            pending[:0] = chosen


def selected_branch(err: Any) -> list[Any] | None:
    """For a failed ``oneOf``/``anyOf`` whose branches are discriminated by a ``const`` (or ``enum``):
    the errors of the one branch that does not fail on its discriminator, or ``None`` when no single
    branch is selected that way."""
    if err.validator not in ("oneOf", "anyOf") or not err.context:
        return None
    branches: dict[Any, list[Any]] = {}
    for sub in err.context:
        if sub.relative_schema_path:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    if len(branches) < 2:
        return None
    discriminated = [errs for errs in branches.values() if any(e.validator in ("const", "enum") and len(e.path) == 1 for e in errs)]
    rest = [errs for errs in branches.values() if errs not in discriminated]
    if discriminated and len(rest) == 1 and len(rest) + len(discriminated) == len(err.validator_value):
        return sorted(rest[0], key=lambda e: list(map(str, e.absolute_path)))
    if discriminated and not rest and len(discriminated) == len(err.validator_value):
        # no branch selected (e.g. an unknown model, when each branch is the common fields narrowed
        # to one model): what every branch reports, the common fields' errors
        common = [e for e in discriminated[0] if all(any(_same_error(e, o) for o in errs) for errs in discriminated[1:])]
        if common:
            return sorted(common, key=lambda e: list(map(str, e.absolute_path)))
    return None


def _same_error(a: Any, b: Any) -> bool:
    return (
        list(a.absolute_path) == list(b.absolute_path)
        and a.validator == b.validator
        and short(a.validator_value, 2000) == short(b.validator_value, 2000)
    )


def short(value: Any, limit: int = 80) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` with credential values replaced by ``"<redacted>"`` (for messages and reports)."""
    return {k: ("<redacted>" if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}
