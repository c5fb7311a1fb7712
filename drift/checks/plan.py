"""Checks against the probe plan: the expected status (or the baseline's), JSON (an image for a
download), the gateway's error shape, decodable base64 images, and a paid probe refused for a
documented request value (``enum_value_gone``)."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from contracts.diff import join
from contracts.registry import ERROR_SHAPE_BODIES
from contracts.wire import is_json_media, sniff_image

from ..jsonshape import glob_pointer
from ..model import Finding, Observation
from ..plans import Probe
from .common import Context, error_shape_ok, top_keys

__all__ = ["PlanVerdict", "check", "inline_images"]

_DATA_URL = re.compile(r"data:(image/[A-Za-z0-9.+-]+);base64,([A-Za-z0-9+/=]+)")


@dataclass
class PlanVerdict:
    """The plan's findings for one answer, and whether its status, media type and error shape
    were as expected (later checks compare bodies only when they were)."""

    findings: list[Finding] = field(default_factory=list)
    status_ok: bool = True
    media_ok: bool = True
    shape_ok: bool = True


def check(ctx: Context, probe: Probe, obs: Observation, status_ref: int, against_baseline: bool) -> PlanVerdict:
    """Status (``status_ref``: the baseline's when there is one, else the plan's), media type and error shape."""
    v = PlanVerdict()
    download = obs.step == "download"
    v.status_ok = obs.status == status_ref
    if not v.status_ok:
        gone = _enum_gone(ctx, probe, obs) if probe.paid and 400 <= obs.status < 500 and 200 <= status_ref < 300 else None
        v.findings.append(
            gone
            or ctx.finding(
                probe, obs, "status_code_changed", "/status", status_ref, obs.status, source="baseline" if against_baseline else "plan"
            )
        )
    if download:
        v.media_ok = obs.content_type.startswith("image/") and obs.image_mime is not None
    else:
        v.media_ok = is_json_media(obs.content_type) and obs.body is not None
    if not v.media_ok:
        observed_media = obs.content_type or "(none)"
        if download and obs.content_type.startswith("image/") and obs.image_mime is None:
            observed_media = f"{obs.content_type} (bytes are not an image)"
        if not download and is_json_media(obs.content_type) and obs.body is None:
            v.findings.append(
                ctx.finding(
                    probe,
                    obs,
                    "error_shape_changed" if obs.status >= 400 else "type_changed",
                    "/body",
                    "a JSON body",
                    "not parseable as JSON",
                    source="plan",
                )
            )
        elif v.status_ok or download:
            v.findings.append(
                ctx.finding(
                    probe,
                    obs,
                    "content_type_changed",
                    "/content_type",
                    "image/*" if download else "application/json",
                    observed_media,
                    source="plan",
                )
            )
    shape = probe.error_shape or ctx.plan.shape
    if not download and obs.status >= 400 and obs.body is not None and not error_shape_ok(obs.body, shape):
        v.shape_ok = False
        v.findings.append(
            ctx.finding(
                probe,
                obs,
                "error_shape_changed",
                "/body",
                f"the {shape} error shape ({ERROR_SHAPE_BODIES[shape]})",
                top_keys(obs.body),
                source="plan",
            )
        )
    return v


def inline_images(ctx: Context, probe: Probe, obs: Observation) -> list[Finding]:
    """Base64 images (and data URLs) in a successful answer must decode to an image."""
    out: list[Finding] = []
    patterns = probe.lifecycle.images if (probe.lifecycle and obs.step == "poll") else probe.images
    for pattern in patterns:
        for ptr, value in glob_pointer(obs.body, pattern):
            if not isinstance(value, str) or not value or value.startswith(("http://", "https://")):
                continue  # URLs are downloaded; an empty string is the documented "url": "" beside b64_json (002)
            if "base64," in value:
                m = _DATA_URL.search(value)
                if m is None:
                    continue
                mime, declared = _b64_mime(m.group(2)), m.group(1)
            else:
                mime, declared = _b64_mime(value), "image/*"
            if mime is None:
                out.append(
                    ctx.finding(
                        probe,
                        obs,
                        "content_type_changed",
                        "/body" + ptr,
                        f"base64 of an {declared} image",
                        "not a decodable image",
                        source="plan",
                    )
                )
    return out


def _enum_gone(ctx: Context, probe: Probe, obs: Observation) -> Finding | None:
    """A paid probe refused with a 4xx that names a field sent with a documented enum value."""
    if not probe.enum_params or not isinstance(probe.send.json, dict):
        return None
    named: str | None = None
    body = obs.body
    if isinstance(body, dict):
        err = body.get("error") if isinstance(body.get("error"), dict) else body
        param = err.get("param") if isinstance(err, dict) else None
        message = " ".join(str(err.get(k, "")) for k in ("message", "msg") if isinstance(err, dict)) + " " + str(body.get("msg", ""))
        named = next((p for p in probe.enum_params if param == p or (isinstance(param, str) and param.endswith("." + p))), None)
        if named is None:
            named = next((p for p in probe.enum_params if re.search(rf"\b{re.escape(p)}\b", message)), None)
    if named is None:
        return None
    value = probe.send.json.get(named)
    return ctx.finding(
        probe,
        obs,
        "enum_value_gone",
        join("/request/body", named),
        value,
        f"{obs.status}: refused",
        source="plan",
        message=f"the gateway now refuses {named}={value!r}, a documented value",
    )


def _b64_mime(value: str) -> str | None:
    try:
        head = base64.b64decode(value[:64] + "=" * (-len(value[:64]) % 4), validate=False)
    except (binascii.Error, ValueError):
        return None
    return sniff_image(head[:16])
