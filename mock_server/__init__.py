"""imagegw's mock server: every documented image-generation gateway, offline.

``create_app(settings, clock=...)`` returns the ASGI app; ``imagegw serve`` runs it.
"""

from __future__ import annotations

from contracts.registry import GATEWAY_IDS

from .app import create_app
from .clock import ManualClock, SystemClock
from .engine import Mock
from .errors import GatewayError
from .settings import Settings

__all__ = ["create_app", "ManualClock", "SystemClock", "Mock", "GatewayError", "GATEWAY_IDS", "Settings"]
