"""One thin module per gateway: routes, body parsing, response building.

Each module exposes ``GATEWAY``, a :class:`mock_server.gateways.base.Gateway`.
"""

from __future__ import annotations

import importlib

from contracts.registry import GATEWAY_IDS

from .base import Gateway


def load(gateway_id: str) -> Gateway:
    """The :class:`Gateway` of ``gateway_id`` (one of ``GATEWAY_IDS``).

    Raises:
        KeyError: for an unknown id.
    """
    if gateway_id not in GATEWAY_IDS:
        raise KeyError(gateway_id)
    return importlib.import_module(f"{__name__}.{gateway_id}").GATEWAY
