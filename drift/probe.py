"""The probe, written as a sans-IO flow: what to send for one probe of the plan, and what came back.

:func:`probe_flow` is a generator in the manner of :mod:`clients.flow`: it yields the client's
effects — :class:`clients.flow.Send` (send this request), :class:`clients.flow.Sleep`,
:class:`clients.flow.Now` — plus :class:`Progress` (something to show), and returns nothing: it
fills a :class:`ProbeOutcome` as it goes. Any shell can drive it (:class:`drift.shell.HttpShell`
drives it over ``httpx`` against the live gateway, and against the mock in-process).

What it reuses from the client: every request goes through :func:`clients.flow.call` with
:data:`BUSY_RETRY`, so a busy answer (429, 502, 503, 504) is retried once after ``Retry-After`` /
``retry-after-ms`` (parsed by :func:`contracts.wire.parse_retry_after`, capped at 30 s; 5 s when
absent) and a transport failure arrives as :class:`clients.errors.APIConnectionError`. A task is
polled on the schedule of :class:`clients.retry.PollPolicy` (first wait ``poll_interval_s``, then
x1.5 up to ``poll_max_interval_s``). The poll loop itself is drift's: unlike
:func:`clients.flow.wait` it keeps every answer, and an unknown task state is something to report,
not an error.

Bounds (:class:`Limits`): each request has a read timeout (free / paid), polling one task has a
budget of seconds (the sum of waits and answer times), and the whole run a deadline on the
injected timer. Busy twice, unreachable, no answer in time, the key rejected, a task that never
finishes: :class:`~drift.model.DriftCouldNotRun` (exit code 2), never drift.
"""

from __future__ import annotations

import json
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from clients import flow
from clients.errors import APIConnectionError
from clients.retry import NO_RETRY, PollPolicy, RetryPolicy
from contracts.wire import is_json_media, media_type, request_id, sniff_image
from recordings import PROBE_HEADER, Redactor

from .jsonshape import MISSING, get_pointer, glob_pointer
from .model import DriftCouldNotRun, Observation
from .plans import GatewayPlan, Lifecycle, Probe, Send

__all__ = ["USER_AGENT", "RETRY_STATUSES", "BUSY_RETRY", "Limits", "Endpoint", "Progress", "ProbeOutcome", "probe_flow"]

USER_AGENT = "imagegw-drift/0.1"
#: Busy answers: retried once after Retry-After, then the run stops with exit code 2 (not drift).
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: The client's retry policy, as drift uses it: one retry of a busy answer, the server's wait
#: (at most 30 s) or 5 s; connection errors are not retried (an unreachable host is reported).
BUSY_RETRY = RetryPolicy(
    max_retries=1,
    initial_delay=5.0,
    max_delay=5.0,
    jitter=0.0,
    max_retry_after=30.0,
    retry_statuses=RETRY_STATUSES,
    retry_connection_errors=False,
)
_MAX_POLLS = 500

Flow = Generator[Any, Any, Any]


@dataclass(frozen=True)
class Limits:
    """Time bounds of a run, in seconds.

    Attributes:
        request_timeout_s / paid_timeout_s: read timeout of a free / generating request.
        task_timeout_s: polling budget of one task (sum of waits and answer times).
        deadline_s: the whole run, on the injected timer.
        poll_interval_s / poll_max_interval_s: first wait between polls, growing x1.5 to the max.
    """

    request_timeout_s: float = 30.0
    paid_timeout_s: float = 180.0
    task_timeout_s: float = 600.0
    deadline_s: float = 1800.0
    poll_interval_s: float = 1.0
    poll_max_interval_s: float = 10.0

    @property
    def poll(self) -> PollPolicy:
        """The client's :class:`~clients.retry.PollPolicy` with these intervals."""
        return PollPolicy(
            initial_interval=self.poll_interval_s, max_interval=self.poll_max_interval_s, multiplier=1.5, timeout=self.task_timeout_s
        )


@dataclass(frozen=True)
class Endpoint:
    """Where the probes go: the gateway's plan, its root URL and the key (never shown)."""

    plan: GatewayPlan
    base_url: str
    api_key: str = field(repr=False)

    @property
    def gateway(self) -> str:
        return self.plan.gateway


@dataclass(frozen=True)
class Progress:
    """Effect: show ``text`` for the running probe (the shell answers ``None``)."""

    text: str


@dataclass
class ProbeOutcome:
    """What one probe did, filled in as the flow runs (so it is complete up to a failure too)."""

    observations: list[Observation] = field(default_factory=list)
    note: str = ""
    paid: bool = False  # a paid request was sent


def probe_flow(ep: Endpoint, probe: Probe, limits: Limits, deadline_at: float, out: ProbeOutcome) -> Flow:
    """Run ``probe`` against ``ep``: the request, then (on success) the task's polls and the
    result download. ``deadline_at`` is the timer value past which no request starts.

    Raises:
        DriftCouldNotRun: busy twice, unreachable, no answer in time, past the deadline, the key
            rejected, or a task still in a known non-terminal state after ``task_timeout_s``.
    """
    s = flow.Settings(gateway=ep.gateway, base_url=ep.base_url, key=flow._Key(None), retry=BUSY_RETRY, poll=limits.poll)
    steps = _Steps(ep, probe, limits, deadline_at, s)
    obs = yield from steps.exchange("create" if probe.lifecycle else "send", probe.send, probe.send.path)
    out.paid = probe.paid
    out.observations.append(obs)
    if obs.status == 401 and probe.send.auth and probe.status != 401:
        raise DriftCouldNotRun(f"the gateway rejected the API key from {ep.plan.spec.api_key_env} (401 on probe {probe.id}); check the key")
    if not (200 <= obs.status < 300) or probe.status >= 300:
        return
    final = obs
    patterns = probe.images
    if probe.lifecycle is not None:
        yield from steps.poll(probe.lifecycle, obs, out)
        final = out.observations[-1]
        patterns = probe.lifecycle.images
    found = _first_url(final.body, patterns)
    if found is not None and final.status == 200:
        ptr, link = found
        yield Progress("downloading the result")
        dl = yield from steps.exchange("download", Send("GET", link, auth=False), link, url=link)
        dl.source_pointer, dl.parent_method, dl.path = ptr, final.method, final.path
        out.observations.append(dl)


class _Steps:
    """The requests of one probe run (a helper of :func:`probe_flow`)."""

    def __init__(self, ep: Endpoint, probe: Probe, limits: Limits, deadline_at: float, s: flow.Settings) -> None:
        self.ep, self.probe, self.limits, self.deadline_at, self.s = ep, probe, limits, deadline_at, s
        self.redactor = Redactor([ep.api_key])

    def request(self, step: str, send: Send, path: str, url: str | None, timeout_s: float) -> httpx.Request:
        headers = {"User-Agent": USER_AGENT, PROBE_HEADER: f"{self.probe.id}/{step}", **dict(send.headers)}
        if send.auth and url is None:
            headers.update(self.ep.plan.spec.auth.headers(self.ep.api_key))
        body: dict[str, Any] = {}
        if send.json is not None:
            body["json"] = send.json
        elif send.form is not None:
            body["files"] = [(k, (None, v)) for k, v in send.form]  # multipart text fields, no file
        timeout = httpx.Timeout(connect=10.0, read=timeout_s, write=30.0, pool=10.0)
        return httpx.Request(
            send.method, url or self.ep.base_url + path, headers=headers, extensions={"timeout": timeout.as_dict()}, **body
        )

    def exchange(self, step: str, send: Send, path: str, *, url: str | None = None, timeout_s: float | None = None) -> Flow:
        """Send one request (retried once when busy, downloads never) and observe the answer."""
        now = yield flow.Now()
        if now > self.deadline_at:
            raise DriftCouldNotRun(f"the run exceeded its deadline of {self.limits.deadline_s:g} s (at probe {self.probe.id})")
        read_s = timeout_s or (self.limits.paid_timeout_s if self.probe.paid else self.limits.request_timeout_s)
        request = self.request(step, send, path, url, read_s)
        settings = self.s if url is None else replace(self.s, retry=NO_RETRY)
        try:
            response, latency, attempts = yield from _timed_call(settings, request)
        except APIConnectionError as exc:
            raise DriftCouldNotRun(self._failure(exc, send, path, url, read_s)) from None
        obs = _observe(self.probe.id, step, send, path, request, response, latency)
        obs.retried = attempts > 1
        if url is None and obs.status in RETRY_STATUSES:
            what = "rate limited or out of quota" if obs.status == 429 else "unavailable"
            times = "twice" if attempts > 1 else "and not to be retried"
            raise DriftCouldNotRun(
                f"the gateway is {what} ({obs.status} {times} on probe {self.probe.id}, "
                f"request id {obs.request_id or '-'}); try again later"
            )
        return obs

    def _failure(self, exc: APIConnectionError, send: Send, path: str, url: str | None, read_s: float) -> str:
        cause = exc.__cause__ if isinstance(exc.__cause__, Exception) else exc
        name = type(cause).__name__
        if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
            where = "the result URL" if url else self.ep.base_url
            return f"cannot reach {where}: {name}: {self.redactor.text(str(cause)) or 'connection failed'}"
        if isinstance(cause, httpx.TimeoutException):
            return f"no answer within {read_s:g} s from {send.method} {path} (probe {self.probe.id}): {name}"
        return f"request failed for {send.method} {path} (probe {self.probe.id}): {name}: {self.redactor.text(str(cause))}"

    def poll(self, lc: Lifecycle, created: Observation, out: ProbeOutcome) -> Flow:
        """Poll the created task until a terminal (or unknown, result-bearing) state, within the budget."""
        task_id = get_pointer(created.body, lc.id_pointer)
        if not isinstance(task_id, str) or not task_id:
            out.note = f"no task id at {lc.id_pointer}: polling skipped"
            return
        path = lc.poll_path.replace("{task_id}", task_id)
        waited, polls = 0.0, 0
        while True:
            obs = yield from self.exchange("poll", Send("GET", lc.poll_path), path, timeout_s=self.limits.request_timeout_s)
            out.observations.append(obs)
            waited += obs.latency_s
            state = get_pointer(obs.body, lc.status_pointer) if isinstance(obs.body, dict) else MISSING
            yield Progress(f"task {state if isinstance(state, str) else '?'}")
            if obs.status != 200 or state is MISSING or state in lc.terminal:
                return
            if state not in lc.states and any(k in obs.body for k in ("result", "error")):
                return  # an unknown state that carries a result or an error: treat as terminal
            polls += 1
            if waited >= self.limits.task_timeout_s or polls >= _MAX_POLLS:
                if state not in lc.states:
                    out.note = (
                        f"the task did not reach a known terminal state within {self.limits.task_timeout_s:g} s (last state {state!r})"
                    )
                    return
                raise DriftCouldNotRun(f"the task of probe {self.probe.id} was still {state!r} after {self.limits.task_timeout_s:g} s")
            interval = self.limits.poll.interval(polls - 1)
            yield flow.Sleep(interval)
            waited += interval


def _timed_call(s: flow.Settings, request: httpx.Request) -> Flow:
    """:func:`clients.flow.call` (no validation, no raising on a status), timing each attempt with
    ``Now`` effects. Returns ``(response, latency of the last attempt in seconds, attempts)``."""
    inner = flow.call(s, request, validate=False, raise_status=False)
    value: Any = None
    error: BaseException | None = None
    attempts, latency = 0, 0.0
    while True:
        try:
            effect = inner.throw(error) if error is not None else inner.send(value)
        except StopIteration as stop:
            return stop.value, latency, attempts
        value, error = None, None
        if isinstance(effect, flow.Send):
            attempts += 1
            started = yield flow.Now()
            try:
                value = yield effect
            except APIConnectionError as exc:
                error = exc
            latency = max(0.0, (yield flow.Now()) - started)
        else:
            if isinstance(effect, flow.Sleep):
                yield Progress(f"busy: retrying in {effect.seconds:g} s")
            value = yield effect


def _observe(probe: str, step: str, send: Send, path: str, request: httpx.Request, response: httpx.Response, latency: float) -> Observation:
    content = response.content
    headers = {k.lower(): v for k, v in response.headers.items()}
    media = media_type(headers.get("content-type"))
    body: Any = None
    if content and (is_json_media(media) or content[:1] in (b"{", b"[")):
        try:
            body = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            body = None
    return Observation(
        probe=probe,
        step=step,
        method=send.method,
        path=path,
        template=send.path,
        url=str(request.url),
        request_body=send.json if send.json is not None else (dict(send.form) if send.form else None),
        status=response.status_code,
        headers=headers,
        content_type=media,
        body=body,
        latency_s=latency,
        request_id=request_id(headers, body),
        image_mime=sniff_image(content[:16]) if body is None else None,
        size=len(content),
        raw=content,
    )


def _first_url(body: Any, patterns: Iterable[str]) -> tuple[str, str] | None:
    for pattern in patterns:
        for ptr, value in glob_pointer(body, pattern):
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                return ptr, value
    return None
