"""The inspector: an HTML page at ``/__mock/`` showing what the mock received and answered.

Rendered by the server (no build step, no outside asset). It shows, refreshed every second:

* the clock (Unix seconds and UTC), with an *advance* control when it is manual;
* the scenario queue, with controls to queue a scenario and to clear the queue;
* PieBox tasks and their states (read from the tasks the journal saw created: task ids are
  stateless, so a task whose creation left the journal is no longer listed);
* the journal, newest first (the newest :data:`ROWS`): time, gateway, operation, method and
  path, status, scenario, latency, the images of the answer as thumbnails, and the request
  and response bodies as the journal keeps them (base64 images shortened).

Routes (inside the ``/__mock`` sub-app, behind the same guard as every control-plane route,
:func:`mock_server.guard.check_admin_request`; the page itself shows no state and needs no admin
token, its live part and images do):

==============================  =================================================================
``GET /__mock/``                the page: a shell whose script loads the live part
``GET /__mock/inspector``       the live part (an HTML fragment); ``?v=VERSION`` answers 204
                                when it has not changed since that version (``X-Inspector-Version``)
``GET /__mock/images/{file}``   an image the journal lists (``file`` = signed token + extension)
==============================  =================================================================

The page's controls call the control plane's own JSON routes (``POST /__mock/scenarios``,
``DELETE /__mock/scenarios``, ``POST /__mock/clock``, ``DELETE /__mock/requests``) from the
same origin with ``Content-Type: application/json``, and with the admin token header when the
user gave one (the page asks for it when the control plane answers 401). Images are fetched
the same way and shown from ``blob:`` URLs, so they load with the token too. Everything shown
is HTML-escaped, and the page forbids framing and any script but its own (CSP with a nonce).
"""

from __future__ import annotations

import hashlib
import html
import json
import secrets
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from contracts.registry import GATEWAY_IDS

from .engine import Mock
from .errors import GatewayError
from .faults import SCENARIOS
from .guard import ADMIN_TOKEN_HEADER
from .images import MIME
from .journal import JournalEntry

#: journal entries the page shows (newest first)
ROWS = 100
#: seconds between two refreshes of the live part
REFRESH_SECONDS = 1.0
#: operations of the PieBox gateway that create a task (their 200 answer carries ``task_id``)
_TASK_CREATORS = ("createSeedreamTask", "createGeminiTask", "createGptImageTask")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _utc(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds)) + f".{int(seconds * 1000) % 1000:03d}Z"


def _pretty(value: Any) -> str:
    if value is None:
        return "—"
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)


# -- the live part ------------------------------------------------------------------------------


def _clock_section(mock: Mock) -> str:
    if mock.manual_clock is None:  # its time is the page's own: not shown, so the live part changes only with the mock
        return """
    <section id="clock"><h2>Clock</h2>
      <p><span id="clock-kind">system</span> clock (start the mock with <code>--manual-clock</code> to move time by hand)</p>
    </section>"""
    now = mock.clock.now()
    return f"""
    <section id="clock"><h2>Clock</h2>
      <p><span id="clock-kind">manual</span> clock: <span id="clock-now" data-now="{now:.3f}">{_e(_utc(now))}</span> ({now:.3f} s)</p>
      <form class="ctl" data-action="advance">
        <label>advance by <input name="seconds" id="advance-seconds" type="number" min="0" step="any" value="1" size="6"> s</label>
        <button type="submit" id="advance-clock">advance</button>
      </form>
    </section>"""


def _queue_section(mock: Mock) -> str:
    queued = mock.faults.list()
    rows = "".join(
        f'<tr><td>{i + 1}</td><td class="scenario">{_e(q["name"])}</td><td>{_e(q["times"])}</td><td>{_e(q["gateway"] or "any")}</td></tr>'
        for i, q in enumerate(queued)
    )
    table = (
        (
            f'<table id="queue"><thead><tr><th>#</th><th>scenario</th><th>times left</th><th>gateway</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
        if queued
        else '<p id="queue" class="muted">empty: requests get normal answers</p>'
    )
    return f"""
    <section id="scenarios"><h2>Scenario queue</h2>{table}</section>"""


def _task_rows(mock: Mock, entries: list[JournalEntry]) -> list[str]:
    seen: dict[str, str] = {}
    for e in entries:
        if e.gateway == "piebox" and e.operation in _TASK_CREATORS and e.status == 200 and isinstance(e.response, dict):
            tid = e.response.get("task_id")
            if isinstance(tid, str) and tid not in seen:
                seen[tid] = e.operation or ""
    rows = []
    for tid, operation in reversed(seen.items()):  # newest first
        try:
            task = mock.tasks.lookup(tid)
        except GatewayError:
            rows.append(
                f'<tr><td class="id" title="{_e(tid)}">{_e(tid[:24])}…</td><td>{_e(operation)}</td>'
                f'<td>—</td><td class="state expired">expired</td><td>—</td></tr>'
            )
            continue
        state = mock.tasks.state(task)
        rows.append(
            f'<tr><td class="id" title="{_e(tid)}">{_e(tid[:24])}…</td><td>{_e(task.family)}</td><td>{_e(task.model)}</td>'
            f'<td class="state {_e(state)}">{_e(state)}</td><td>{_e(_utc(mock.tasks.finished_at(task)))}</td></tr>'
        )
    return rows


def _tasks_section(mock: Mock, entries: list[JournalEntry]) -> str:
    rows = _task_rows(mock, entries)
    body = (
        (
            f'<table id="tasks"><thead><tr><th>task</th><th>family</th><th>model</th><th>state</th><th>terminal at</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        if rows
        else '<p id="tasks" class="muted">no PieBox task in the journal</p>'
    )
    return f"""
    <section id="piebox-tasks"><h2>PieBox tasks</h2>{body}</section>"""


def _thumbs(entry: JournalEntry) -> str:
    return "".join(
        f'<img class="thumb" alt="{_e(im["format"])} {_e(im["width"])}x{_e(im["height"])}" '
        f'title="{_e(im["width"])}x{_e(im["height"])} {_e(im["format"])}" data-file="{_e(im["file"])}">'
        for im in entry.images
        if isinstance(im, dict) and isinstance(im.get("file"), str)
    )


def _journal_section(mock: Mock, entries: list[JournalEntry]) -> str:
    shown = entries[-ROWS:][::-1]
    rows = []
    for e in shown:
        status_class = "ok" if e.status < 400 else "client-error" if e.status < 500 else "server-error"
        latency = "—" if e.latency_ms is None else f"{e.latency_ms:.1f} ms"
        rows.append(f"""
      <tbody class="entry" data-id="{e.id}">
        <tr>
          <td>{e.id}</td><td>{_e(_utc(e.time))}</td><td class="gateway">{_e(e.gateway or "—")}</td>
          <td class="operation">{_e(e.operation or "—")}</td>
          <td class="path"><code>{_e(e.method)} {_e(e.path)}</code></td>
          <td class="status {status_class}">{e.status}</td><td class="scenario">{_e(e.scenario or "")}</td>
          <td class="latency">{latency}</td><td class="images">{_thumbs(e)}</td>
        </tr>
        <tr class="bodies"><td></td><td colspan="8">
          <details><summary>request and response</summary>
            <div class="pair"><div><h4>request body</h4><pre>{_e(_pretty(e.body))}</pre>
              <h4>headers</h4><pre>{_e(_pretty(e.headers))}</pre></div>
            <div><h4>response {e.status}{(" · " + _e(e.error_code)) if e.error_code else ""}</h4><pre>{_e(_pretty(e.response))}</pre></div></div>
          </details></td></tr>
      </tbody>""")
    total = len(entries)
    note = f'<p class="muted">{total} requests in the journal; the newest {min(total, ROWS)} shown.</p>'
    table = (
        (
            f"""<table id="journal"><thead><tr><th>#</th><th>time (UTC)</th><th>gateway</th><th>operation</th>
      <th>request</th><th>status</th><th>scenario</th><th>latency</th><th>images</th></tr></thead>{"".join(rows)}
    </table>"""
        )
        if rows
        else '<p id="journal" class="muted">no request yet</p>'
    )
    return f"""
    <section id="requests"><h2>Journal</h2>{note}{table}</section>"""


def live_fragment(mock: Mock) -> str:
    """The live part of the page (clock, queue, tasks, journal) as an HTML fragment."""
    entries = mock.journal.entries()
    return _clock_section(mock) + _queue_section(mock) + _tasks_section(mock, entries) + _journal_section(mock, entries)


# -- the page -----------------------------------------------------------------------------------

_STYLE = """
[hidden] { display: none !important; } input[type=number] { width: 6em; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5em 2em; color: #1d2330; background: #f6f7f9; }
h1 { font-size: 20px; margin: .8em 0 .2em; } h2 { font-size: 16px; margin: 1.2em 0 .4em; } h4 { margin: .4em 0 .2em; }
section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: .2em 1em .8em; margin-top: 1em; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 3px 6px; vertical-align: top; }
thead th { border-bottom: 2px solid #dde1e8; font-weight: 600; } tbody.entry { border-top: 1px solid #eef0f4; }
tr.bodies td { padding-top: 0; } pre { background: #f3f4f7; padding: .5em; overflow: auto; max-height: 24em; margin: 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; } .muted { color: #6b7385; }
.status.ok { color: #137333; } .status.client-error { color: #b06000; } .status.server-error { color: #c5221f; }
.state.succeeded { color: #137333; } .state.failed, .state.expired { color: #c5221f; } .state.pending, .state.processing { color: #1a56c4; }
img.thumb { max-width: 96px; max-height: 96px; margin: 0 4px 4px 0; border: 1px solid #dde1e8; background:
  repeating-conic-gradient(#e8eaee 0 25%, #fff 0 50%) 0 0 / 12px 12px; }
form.ctl { display: inline-flex; gap: .5em; align-items: center; margin: .3em 1em .3em 0; }
td.path code { word-break: break-all; } #status-line { min-height: 1.4em; } #status-line.error { color: #c5221f; } code { font-size: 13px; }
"""

_SCRIPT = r"""
(() => {
  const TOKEN_KEY = "imagegw-admin-token", HEADER = %(header)s, REFRESH_MS = %(refresh_ms)d;
  const live = document.getElementById("live"), line = document.getElementById("status-line");
  const tokenForm = document.getElementById("token-form");
  let version = "", blobs = new Map(), paused = false, needToken = false;
  const headers = (extra) => {
    const h = Object.assign({}, extra || {}), t = sessionStorage.getItem(TOKEN_KEY);
    if (t) h[HEADER] = t;
    return h;
  };
  const say = (text, error) => { line.textContent = text; line.className = error ? "error" : ""; };
  async function call(method, path, body) {
    const init = { method, headers: headers(), credentials: "same-origin" };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    const r = await fetch(path, init);
    if (r.status === 401) { tokenForm.hidden = false; needToken = true; }
    if (!r.ok) {
      let msg = r.status + " " + r.statusText;
      try { const j = await r.json(); if (j.error && j.error.message) msg = j.error.message; } catch (e) {}
      throw new Error(msg);
    }
    return r;
  }
  async function showImages() {
    const keep = new Map();
    for (const img of live.querySelectorAll("img[data-file]")) {
      const file = img.dataset.file;
      let url = blobs.get(file);
      if (!url) {
        try {
          const r = await call("GET", "images/" + encodeURIComponent(file));
          url = URL.createObjectURL(await r.blob());
        } catch (e) { img.alt = "(" + e.message + ")"; continue; }
      }
      keep.set(file, url);
      img.src = url;
    }
    for (const [file, url] of blobs) if (!keep.has(file)) URL.revokeObjectURL(url);
    blobs = keep;
  }
  async function refresh() {
    if (paused || needToken) return;  // no polling while the token is missing: it would only be refused
    try {
      const r = await call("GET", "inspector?v=" + encodeURIComponent(version));
      if (r.status === 200) {
        const open = new Set([...live.querySelectorAll("tbody.entry details[open]")].map(d => d.closest("tbody").dataset.id));
        live.innerHTML = await r.text();
        version = r.headers.get("X-Inspector-Version") || "";
        for (const d of live.querySelectorAll("tbody.entry details"))
          if (open.has(d.closest("tbody").dataset.id)) d.open = true;
        await showImages();
      }
      document.body.dataset.version = version;
      tokenForm.hidden = true;
      if (line.className !== "error" && !line.dataset.sticky) say("live · refreshed " + new Date().toLocaleTimeString());
    } catch (e) { say("refresh failed: " + e.message, true); }
  }
  async function act(what, form) {
    const data = form ? new FormData(form) : null;
    try {
      if (what === "queue") {
        const body = { name: data.get("name"), times: parseInt(data.get("times"), 10) || 1 };
        if (data.get("gateway")) body.gateway = data.get("gateway");
        await call("POST", "scenarios", body);
        say("queued " + body.name + " ×" + body.times + (body.gateway ? " for " + body.gateway : ""));
      } else if (what === "clear-queue") { await call("DELETE", "scenarios"); say("scenario queue cleared"); }
      else if (what === "clear-journal") { await call("DELETE", "requests"); say("journal cleared"); }
      else if (what === "advance") {
        const s = parseFloat(data.get("seconds"));
        await call("POST", "clock", { advance: s }); say("clock advanced by " + s + " s");
      }
      version = ""; await refresh();
    } catch (e) { say(what + " failed: " + e.message, true); }
  }
  document.addEventListener("submit", (ev) => {
    const form = ev.target.closest("form[data-action]");
    if (!form) return;
    ev.preventDefault();
    if (form.dataset.action === "token") {
      sessionStorage.setItem(TOKEN_KEY, new FormData(form).get("token"));
      form.reset(); version = ""; needToken = false; say("token set"); refresh();
    } else act(form.dataset.action, form);
  });
  document.addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-action]");
    if (b) { ev.preventDefault(); act(b.dataset.action, null); }
  });
  document.getElementById("pause").addEventListener("change", (ev) => { paused = ev.target.checked; });
  refresh();
  setInterval(refresh, REFRESH_MS);
})();
"""


def page(nonce: str) -> str:
    """The page's HTML: title, controls, an empty live part and the script (run under ``nonce``)."""
    scenario_options = "".join(f"<option>{_e(name)}</option>" for name in SCENARIOS)
    gateway_options = '<option value="">any gateway</option>' + "".join(f"<option>{_e(g)}</option>" for g in GATEWAY_IDS)
    script = _SCRIPT % {"header": json.dumps(ADMIN_TOKEN_HEADER), "refresh_ms": int(REFRESH_SECONDS * 1000)}
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>imagegw inspector</title><link rel="icon" href="data:,"><style>{_STYLE}</style></head>
<body data-version="">
<h1>imagegw inspector</h1>
<p class="muted">What the mock received and answered, refreshed every {REFRESH_SECONDS:g} s.
JSON: <code>/__mock/requests</code>, <code>/__mock/scenarios</code>, <code>/__mock/clock</code>.
<label><input type="checkbox" id="pause"> pause</label></p>
<form id="token-form" class="ctl" data-action="token" hidden>
  <label>This control plane needs its admin token: <input name="token" type="password" autocomplete="off"></label>
  <button type="submit">use token</button>
</form>
<section id="controls"><h2>Controls</h2>
  <form id="queue-form" class="ctl" data-action="queue">
    <label>scenario <select name="name" id="scenario-name">{scenario_options}</select></label>
    <label>times <input name="times" id="scenario-times" type="number" min="1" value="1" size="4"></label>
    <label><select name="gateway" id="scenario-gateway">{gateway_options}</select></label>
    <button type="submit" id="queue-scenario">queue</button>
  </form>
  <button type="button" id="clear-queue" data-action="clear-queue">clear queue</button>
  <button type="button" id="clear-journal" data-action="clear-journal">clear journal</button>
  <p id="status-line" class="muted"></p>
</section>
<div id="live"></div>
<script nonce="{nonce}">{script}</script>
</body></html>"""


def _headers(nonce: str | None = None) -> dict[str, str]:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src {script}; style-src 'unsafe-inline'; "
            "img-src 'self' blob: data:; connect-src 'self'; form-action 'none'; "
            "frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


# -- endpoints (wrapped by the control plane's guard in admin.py) --------------------------------


def build_endpoints(mock: Mock):  # type: ignore[no-untyped-def]
    """``(page, live, image)`` request handlers for ``GET /``, ``GET /inspector`` and ``GET /images/{file}``.

    Raises (from ``image``):
        GatewayError: 404 ``file_not_found`` / 410 ``url_expired`` for a bad or expired file token.
    """

    async def page_endpoint(request: Request) -> Response:
        nonce = secrets.token_urlsafe(16)
        return Response(page(nonce), media_type="text/html; charset=utf-8", headers=_headers(nonce))

    async def live_endpoint(request: Request) -> Response:
        fragment = live_fragment(mock)
        version = hashlib.blake2b(fragment.encode("utf-8"), digest_size=8).hexdigest()
        headers = {**_headers(), "X-Inspector-Version": version}
        if request.query_params.get("v") == version:
            return Response(status_code=204, headers=headers)
        return Response(fragment, media_type="text/html; charset=utf-8", headers=headers)

    async def image_endpoint(request: Request) -> Response:
        spec = mock.images.resolve(request.path_params["file"], mock.clock.now())
        image = mock.images.get(spec)
        return Response(image.data, media_type=MIME[spec.fmt], headers={**_headers(), "Cache-Control": "private, max-age=3600"})

    return page_endpoint, live_endpoint, image_endpoint
