"""gravitex: placeholder until its module is written."""

from __future__ import annotations

from .base import Gateway

GATEWAY = Gateway(id="gravitex", shape="openai", auth="bearer", operations=())
