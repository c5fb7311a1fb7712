"""piebox: placeholder until its module is written."""

from __future__ import annotations

from .base import Gateway

GATEWAY = Gateway(id="piebox", shape="openai", auth="bearer", operations=())
