"""The inspector at ``/__mock/`` in a real headless browser: Debian's ``chromium`` driven by
Playwright (``executable_path``; no browser download), against ``imagegw serve --manual-clock``
on 127.0.0.1.

Checks, through the page only: it loads; a generation made through the API appears in the
journal with its thumbnail actually decoded (``naturalWidth > 0``); a PieBox task shows its
state, and the clock's *advance* control moves it to ``succeeded``; the *queue* control queues
a scenario that the next API request receives; *clear queue* empties the queue.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from e2e_support import ROOT, TOOL_VERSIONS

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: launch flags for a quiet, offline, throw-away headless Chromium
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 15_000  # the page refreshes every second; generous for a loaded 2-core machine
TOKENHUB = {"Authorization": "Bearer sk-browser"}
PIEBOX = {"X-API-Key": "sk-browser"}


@pytest.fixture
def page_errors() -> list[str]:
    """Errors the page logged (uncaught exceptions, console errors); none may remain at the end."""
    return []


@pytest.fixture
def page(tmp_path: Path, page_errors: list[str]) -> Iterator:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Debian chromium not found at {CHROMIUM} (.ci/run installs it: apt-get install -y chromium)"
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            import importlib.metadata

            TOOL_VERSIONS["chromium"] = context.browser.version if context.browser else "?"
            TOOL_VERSIONS["playwright (python)"] = importlib.metadata.version("playwright")
            pg = context.new_page()
            pg.on("pageerror", lambda exc: page_errors.append(str(exc)))
            pg.on("console", lambda msg: page_errors.append(msg.text) if msg.type == "error" else None)
            yield pg
            assert not page_errors, f"the page logged errors: {page_errors}"
        finally:
            context.close()


def test_inspector_shows_generations_tasks_and_drives_scenarios_and_clock(page, served) -> None:  # type: ignore[no-untyped-def]
    url = served("--manual-clock", "--task-seconds", "10")
    page.goto(f"{url}/__mock/")
    assert page.title() == "imagegw inspector"
    page.wait_for_selector("#journal", timeout=WAIT_MS)  # the live part loaded: "no request yet"
    assert "manual" in page.inner_text("#clock-kind")

    # a generation made through the API appears, newest first, with its image decoded as a thumbnail
    with httpx.Client(base_url=url, timeout=60) as api:
        r = api.post(
            "/tokenhub/v1/images/generations",
            headers=TOKENHUB,
            json={"model": "tokenhub/gpt-image-2", "prompt": "a corgi <b>surfing</b>", "size": "1024x1024", "n": 2},
        )
        assert r.status_code == 200, r.text
        created = api.post("/piebox/v2/extend/image/generations", headers=PIEBOX, json={"prompt": "a lighthouse at dusk"})
        assert created.status_code == 200, created.text
    page.wait_for_function(
        "() => document.querySelectorAll('#journal tbody.entry').length >= 2 && "
        "[...document.querySelectorAll('#journal img.thumb')].filter(i => i.complete && i.naturalWidth > 0).length >= 2",
        timeout=WAIT_MS,
    )
    rows = page.locator("#journal tbody.entry")
    newest, generation = rows.nth(0), rows.nth(1)
    assert newest.locator("td.gateway").inner_text() == "piebox"
    assert generation.locator("td.gateway").inner_text() == "tokenhub"
    assert generation.locator("td.operation").inner_text() == "createImage"
    assert generation.locator("td.status").inner_text() == "200"
    assert generation.locator("td.latency").inner_text().endswith("ms")
    sizes = generation.locator("img.thumb").evaluate_all("imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])")
    assert sizes == [[1024, 1024], [1024, 1024]]
    # the prompt is shown as text, never as markup
    generation.locator("details summary").click()
    assert "a corgi <b>surfing</b>" in generation.locator("details").inner_text()
    assert page.locator("#journal b").count() == 0

    # the PieBox task is listed with its state; the clock's advance control finishes it
    task_state = page.locator("#tasks td.state").first
    assert task_state.inner_text() == "pending"
    page.fill("#advance-seconds", "30")
    page.click("#advance-clock")
    page.wait_for_function("() => document.querySelector('#tasks td.state')?.textContent === 'succeeded'", timeout=WAIT_MS)
    assert httpx.get(f"{url}/__mock/clock").json()["now"] == pytest.approx(1767225600 + 30)

    # a control on the page queues a scenario, and the next API request receives it
    page.select_option("#scenario-name", "rate_limited")
    page.select_option("#scenario-gateway", "tokenhub")
    page.fill("#scenario-times", "1")
    page.click("#queue-scenario")
    page.wait_for_selector("#queue td.scenario", timeout=WAIT_MS)
    assert page.inner_text("#queue td.scenario") == "rate_limited"
    with httpx.Client(base_url=url, timeout=60) as api:
        limited = api.post(
            "/tokenhub/v1/images/generations",
            headers=TOKENHUB,
            json={"model": "tokenhub/gpt-image-2", "prompt": "a corgi", "size": "1024x1024"},
        )
        assert limited.status_code == 429 and limited.headers.get("retry-after"), limited.text
        journal = api.get("/__mock/requests", params={"gateway": "tokenhub"}).json()["requests"]
        assert journal[-1]["scenario"] == "rate_limited"
        assert api.get("/__mock/scenarios").json()["queued"] == []  # used up by that request
    page.wait_for_function(
        "() => document.querySelector('#journal tbody.entry td.scenario')?.textContent === 'rate_limited'", timeout=WAIT_MS
    )
    assert page.locator("#journal tbody.entry").first.locator("td.status").inner_text() == "429"

    # clear queue: queue two, clear them from the page
    page.fill("#scenario-times", "2")
    page.click("#queue-scenario")
    page.wait_for_selector("#queue td.scenario", timeout=WAIT_MS)
    page.click("#clear-queue")
    page.wait_for_selector("p#queue", timeout=WAIT_MS)
    assert httpx.get(f"{url}/__mock/scenarios").json()["queued"] == []

    shots = ROOT / "reports"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / "inspector.png"), full_page=True)


def test_inspector_behind_an_admin_token_asks_for_it_and_sends_it(page, page_errors, served) -> None:  # type: ignore[no-untyped-def]
    """``imagegw serve --admin-token``: the page loads without the token, asks for it, and then
    its live part, thumbnails and controls send it (``X-Mock-Admin-Token``); without it the
    control plane refuses the same calls."""
    url = served("--admin-token", "s3cret-admin")
    with httpx.Client(base_url=url, timeout=60) as api:
        assert api.get("/__mock/inspector").status_code == 401
        r = api.post(
            "/tokenhub/v1/images/generations",
            headers=TOKENHUB,
            json={"model": "tokenhub/gpt-image-2", "prompt": "a heron", "size": "1024x1024"},
        )
        assert r.status_code == 200, r.text
    page.goto(f"{url}/__mock/")
    page.wait_for_selector("#token-form:not([hidden])", timeout=WAIT_MS)
    assert page.locator("#journal").count() == 0  # nothing of the mock's state without the token
    page.fill("#token-form input[name=token]", "s3cret-admin")
    page.click("#token-form button")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#journal img.thumb')].some(i => i.complete && i.naturalWidth === 1024)", timeout=WAIT_MS
    )
    assert page.locator("#token-form").is_hidden()
    # the browser logged the one refused call (the page stops polling until it has the token)
    assert page_errors == ["Failed to load resource: the server responded with a status of 401 (Unauthorized)"], page_errors
    page_errors.clear()
    page.select_option("#scenario-name", "server_error")
    page.click("#queue-scenario")
    page.wait_for_selector("#queue td.scenario", timeout=WAIT_MS)
    with httpx.Client(base_url=url, timeout=60) as api:
        queued = api.get("/__mock/scenarios", headers={"X-Mock-Admin-Token": "s3cret-admin"}).json()["queued"]
    assert [q["name"] for q in queued] == ["server_error"]
