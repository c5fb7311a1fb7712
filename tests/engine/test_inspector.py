"""The inspector's server side, in-process: the page, its live part, its images, what it escapes.
(The page in a real browser: ``tests/e2e/test_inspector_browser.py``.)"""

from __future__ import annotations

import re

import httpx

from mock_server.clock import ManualClock
from mock_server.inspector import ROWS

PIEBOX = {"X-API-Key": "k"}
TOKENHUB = {"Authorization": "Bearer k"}


def live(client: httpx.Client) -> str:
    r = client.get("/__mock/inspector")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    return r.text


def test_page_is_html_with_its_own_script_only(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.get("/__mock/")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    nonce = re.search(r'<script nonce="([^"]+)">', r.text).group(1)  # type: ignore[union-attr]
    csp = r.headers["content-security-policy"]
    assert f"script-src 'nonce-{nonce}'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert imagegw_client.get("/__mock/").headers["content-security-policy"] != csp  # a fresh nonce per page
    assert r.text.count("<script") == 1
    # the controls name every scenario and gateway the control plane knows
    known = imagegw_client.get("/__mock/scenarios").json()["known"]
    assert re.findall(r'<select name="name" id="scenario-name">(.*?)</select>', r.text)[0] == "".join(
        f"<option>{k}</option>" for k in known
    )
    redirect = imagegw_client.get("/__mock", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "/__mock/"


def test_live_part_lists_the_journal_newest_first_with_thumbnails(imagegw_client: httpx.Client) -> None:
    assert "no request yet" in live(imagegw_client)
    imagegw_client.post(
        "/tokenhub/v1/images/generations", headers=TOKENHUB, json={"model": "tokenhub/gpt-image-2", "prompt": "first", "size": "1024x1024"}
    )
    imagegw_client.post("/tokenhub/v1/images/generations", headers=TOKENHUB, json={"model": "nope", "prompt": "second"})
    html = live(imagegw_client)
    ids = re.findall(r'<tbody class="entry" data-id="(\d+)">', html)
    assert ids == ["2", "1"]
    first = html[html.index('data-id="1"') :]
    assert '<td class="operation">createImage</td>' in first and '<td class="status ok">200</td>' in first
    assert re.search(r'<td class="latency">\d+\.\d ms</td>', first)
    (file,) = re.findall(r'data-file="([^"]+)"', first)
    image = imagegw_client.get(f"/__mock/images/{file}")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
    second = html[html.index('data-id="2"') : html.index('data-id="1"')]
    assert "client-error" in second and "data-file" not in second
    assert "does not exist" in second  # the error answer is shown


def test_everything_shown_is_escaped(imagegw_client: httpx.Client) -> None:
    imagegw_client.post(
        "/tokenhub/v1/images/generations",
        headers={**TOKENHUB, "X-Evil": "<img src=x onerror=alert(1)>"},
        json={"model": "tokenhub/gpt-image-2", "prompt": "</pre><script>alert(1)</script>", "size": "1024x1024"},
    )
    html = live(imagegw_client)
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_credentials_never_reach_the_page(imagegw_client: httpx.Client) -> None:
    imagegw_client.post(
        "/tokenhub/v1/images/generations",
        headers={"Authorization": "Bearer sk-very-secret"},
        json={"model": "tokenhub/gpt-image-2", "prompt": "x", "size": "1024x1024"},
    )
    assert "sk-very-secret" not in live(imagegw_client)


def test_piebox_tasks_show_their_state_as_the_clock_moves(imagegw_client: httpx.Client, imagegw_clock: ManualClock) -> None:
    assert "no PieBox task" in live(imagegw_client)
    r = imagegw_client.post("/piebox/v2/extend/image/generations", headers=PIEBOX, json={"prompt": "a lighthouse"})
    task_id = r.json()["task_id"]
    html = live(imagegw_client)
    assert f'title="{task_id}"' in html and '<td class="state pending">pending</td>' in html
    imagegw_clock.advance(3)
    assert '<td class="state processing">processing</td>' in live(imagegw_client)
    imagegw_clock.advance(60)
    assert '<td class="state succeeded">succeeded</td>' in live(imagegw_client)
    imagegw_clock.advance(8 * 24 * 3600)  # past the task lifetime: ids are no longer answered
    assert '<td class="state expired">expired</td>' in live(imagegw_client)


def test_queue_and_manual_clock_are_shown(imagegw_client: httpx.Client, imagegw_clock: ManualClock) -> None:
    assert "empty: requests get normal answers" in live(imagegw_client)
    imagegw_client.post("/__mock/scenarios", json={"name": "overloaded", "times": 3, "gateway": "gravitex"})
    html = live(imagegw_client)
    assert '<td class="scenario">overloaded</td><td>3</td><td>gravitex</td>' in html
    assert 'id="advance-clock"' in html and f'data-now="{imagegw_clock.now():.3f}"' in html


def test_unchanged_live_part_answers_204(imagegw_client: httpx.Client) -> None:
    first = imagegw_client.get("/__mock/inspector")
    version = first.headers["x-inspector-version"]
    assert imagegw_client.get("/__mock/inspector", params={"v": version}).status_code == 204
    imagegw_client.post("/__mock/scenarios", json={"name": "rate_limited"})
    changed = imagegw_client.get("/__mock/inspector", params={"v": version})
    assert changed.status_code == 200 and changed.headers["x-inspector-version"] != version


def test_only_the_newest_rows_are_shown(imagegw_client: httpx.Client) -> None:
    for _ in range(ROWS + 5):
        imagegw_client.get("/tokenhub/v1/nowhere", headers=TOKENHUB)
    html = live(imagegw_client)
    ids = [int(i) for i in re.findall(r'<tbody class="entry" data-id="(\d+)">', html)]
    assert ids == list(range(ROWS + 5, 5, -1))
    assert f"{ROWS + 5} requests in the journal; the newest {ROWS} shown." in html


def test_bad_image_file_answers_404_in_the_control_plane_shape(imagegw_client: httpx.Client) -> None:
    r = imagegw_client.get("/__mock/images/not-a-token.png")
    assert r.status_code == 404 and r.json()["error"]["code"] == "file_not_found"


def test_behind_an_admin_token_only_the_empty_page_is_served_without_it(imagegw_settings, imagegw_app_factory) -> None:  # type: ignore[no-untyped-def]
    from mock_server.testing import SyncASGITransport

    app = imagegw_app_factory(imagegw_settings.with_(admin_token="adm-1"))
    with httpx.Client(transport=SyncASGITransport(app), base_url="http://127.0.0.1", timeout=30) as c:
        c.post(
            "/tokenhub/v1/images/generations", headers=TOKENHUB, json={"model": "tokenhub/gpt-image-2", "prompt": "x", "size": "1024x1024"}
        )
        page = c.get("/__mock/")
        assert page.status_code == 200 and 'id="token-form"' in page.text and 'data-file="' not in page.text
        assert c.get("/__mock/inspector").status_code == 401
        token = {"X-Mock-Admin-Token": "adm-1"}
        html = c.get("/__mock/inspector", headers=token).text
        (file,) = re.findall(r'data-file="([^"]+)"', html)
        assert c.get(f"/__mock/images/{file}").status_code == 401
        assert c.get(f"/__mock/images/{file}", headers=token).status_code == 200
        # a page from another site cannot read it either (DNS rebinding: its own host name)
        assert c.get("/__mock/", headers={"Host": "evil.example"}).status_code == 403
        assert c.get("/__mock/inspector", headers={**token, "Host": "evil.example"}).status_code == 403
