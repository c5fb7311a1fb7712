"""``imagegw record`` (the recording proxy), the recordings folder format, ``serve --replay`` and
``drift --baseline`` reading the same recordings — and no key in any file written."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from drift_mutations import FakeTimer, Mutator, Rule
from drift_support import HOST, KEY, files_containing, mock_app, record_through_proxy, run_drift_on
from starlette.types import ASGIApp

from contracts.wire import sniff_image
from drift.report import write_reports
from mock_server import ManualClock
from mock_server.recorder import build_recorder_app
from mock_server.replay import Replayer
from mock_server.testing import SyncASGITransport
from recordings import Recordings

GEN = "/v1/images/generations"
BODY = {"model": "seedream-4-0-250828", "prompt": "a red circle", "size": "1K", "response_format": "b64_json"}


def _proxy(gateway: str, out: Path, upstream_app: ASGIApp) -> httpx.Client:
    recorder = build_recorder_app(gateway, HOST, out, transport=httpx.ASGITransport(app=upstream_app), timer=FakeTimer().now)
    return httpx.Client(transport=SyncASGITransport(recorder), base_url="http://recorder.test")


def test_recording_stores_images_once_by_hash_and_redacts_credentials(tmp_path: Path) -> None:
    app = mock_app("powertokens", ManualClock())
    with _proxy("powertokens", tmp_path, app) as proxy:
        answers = [proxy.post(GEN, json=BODY, headers={"Authorization": f"Bearer {KEY}"}) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    # the client got the image, unchanged
    image = base64.b64decode(answers[0].json()["data"][0]["b64_json"])
    # Ark: "The generated image is in JPEG" for b64_json too (this test expected PNG before the catalog)
    assert sniff_image(image) == "image/jpeg"
    manifest = json.loads((tmp_path / "recordings.json").read_text())
    assert manifest["format"] == "imagegw-recordings" and manifest["gateways"]["powertokens"]["exchanges"] == 2
    files = sorted((tmp_path / "powertokens").glob("*.json"))
    assert [f.name[:6] for f in files] == ["000001", "000002"]
    blobs = list((tmp_path / "blobs").iterdir())
    assert len(blobs) == 1 and blobs[0].read_bytes() == image  # the same image, stored once
    exchange = json.loads(files[0].read_text())
    item = exchange["response"]["body"]["data"][0]["b64_json"]
    assert item == {"$blob": blobs[0].name.split(".")[0], "$encoding": "base64", "$media_type": "image/jpeg"}
    assert exchange["request"]["headers"]["authorization"] == "[REDACTED]"
    assert not files_containing(tmp_path, KEY)
    assert max(len(f.read_bytes()) for f in files) < 4096  # no base64 image inline


def test_a_key_echoed_by_the_upstream_is_scrubbed(tmp_path: Path) -> None:
    def echo(body: Any, headers: dict[str, str]) -> Any:
        body["error"]["message"] = f"Incorrect API key provided: {headers.get('authorization', '')}"
        return body

    app = Mutator(mock_app("powertokens", ManualClock()), [Rule(status=400, body=echo)])
    with _proxy("powertokens", tmp_path, app) as proxy:
        r = proxy.post(GEN, json={**BODY, "model": "nope"}, headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 400 and KEY in r.json()["error"]["message"]  # the client sees what the upstream said
    assert not files_containing(tmp_path, KEY)  # the recording does not


def test_replay_answers_recorded_requests_and_falls_back_otherwise(tmp_path: Path) -> None:
    app = mock_app("powertokens", ManualClock())
    with _proxy("powertokens", tmp_path, app) as proxy:
        recorded = proxy.post(GEN, json=BODY, headers={"Authorization": f"Bearer {KEY}"})
    # a fresh mock (other secret, other clock) replays it: the same request id and the same image
    replay_app = mock_app("powertokens", ManualClock(start=1_800_000_000.0))
    replay_app.state.mock.replay = Replayer(tmp_path)
    with httpx.Client(transport=SyncASGITransport(replay_app), base_url=HOST) as client:
        again = client.post(
            GEN, content=json.dumps(BODY, indent=2), headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        )
        other = client.post(GEN, json={**BODY, "prompt": "something else"}, headers={"Authorization": f"Bearer {KEY}"})
    assert again.status_code == 200
    assert again.headers["x-request-id"] == recorded.headers["x-request-id"]
    assert again.json() == recorded.json()
    assert other.status_code == 200 and other.headers["x-request-id"] != recorded.headers["x-request-id"]
    assert other.json()["created"] == 1_800_000_000  # the normal mock answered


def test_replay_plays_a_recorded_task_lifecycle_in_order(tmp_path: Path) -> None:
    report = record_through_proxy("piebox", tmp_path, budget=1)
    assert report.status == "ok"
    rec = Recordings(tmp_path)
    polls = [e for e in rec.exchanges("piebox") if e.probe == "task_lifecycle/poll"]
    states = [rec.response_json(e)["status"] for e in polls]
    assert states[0] == "pending" and states[-1] == "succeeded"
    replayer = Replayer(tmp_path)
    answers = [json.loads(replayer.lookup("piebox", "GET", polls[0].path, b"").body)["status"] for _ in range(len(polls) + 2)]
    assert answers == states + [states[-1]] * 2  # in order, and the terminal state stays


def test_serve_replay_constructs_a_replayer_from_the_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        Replayer(tmp_path / "missing")
    record_through_proxy("gravitex", tmp_path, budget=0)
    replayer = Replayer(tmp_path)
    assert len(replayer) == 3 and "3 exchanges" in repr(replayer)


def test_drift_baseline_reads_what_record_wrote_and_nothing_leaks(tmp_path: Path, imagegw_clock: ManualClock) -> None:
    recordings, saved, reports = tmp_path / "recordings", tmp_path / "saved", tmp_path / "reports"
    assert record_through_proxy("tokenhub", recordings, budget=2).status == "ok"
    app = _leaky_edits(mock_app("tokenhub", imagegw_clock))
    report = run_drift_on("tokenhub", app, imagegw_clock, budget=2, baseline=recordings, save_baseline=saved)
    assert report.status == "ok" and report.baseline == str(recordings)
    assert [(f.kind, f.probe, f.location) for f in report.findings] == [
        ("enum_value_new", "edits_missing_image", "/body/error/code")
    ]  # the injected error code; nothing else
    write_reports(report, reports)
    # the saved run is itself a baseline: it holds the changed code, so the unmodified mock now differs from it
    against_saved = run_drift_on("tokenhub", mock_app("tokenhub", ManualClock()), ManualClock(), budget=2, baseline=saved)
    assert [(f.kind, f.probe, f.location) for f in against_saved.findings] == [
        ("enum_value_new", "edits_missing_image", "/body/error/code")
    ]
    # replay from both folders
    for folder in (recordings, saved):
        replay_app = mock_app("tokenhub", ManualClock())
        replay_app.state.mock.replay = Replayer(folder)
        with httpx.Client(transport=SyncASGITransport(replay_app), base_url=HOST) as c:
            c.post(GEN, json={"model": "x"}, headers={"Authorization": f"Bearer {KEY}"})
    assert not files_containing(tmp_path, KEY), files_containing(tmp_path, KEY)
    assert (reports / "drift-tokenhub.md").exists()


def _leaky_edits(app: ASGIApp) -> Mutator:
    """The edits error code changes, and its message echoes the caller's Authorization header."""

    def change(body: Any, headers: dict[str, str]) -> Any:
        body["error"]["code"] = "image_missing"
        body["error"]["message"] += f" (caller {headers.get('authorization', '')})"
        return body

    return Mutator(app, [Rule(path=r"^/v1/images/edits$", status=400, body=change)])
