"""Live tests talk to the real gateways. They run only with ``pytest -m live``; any other run
deselects them, so the default ``pytest`` never spends money or needs a network.

With ``-m live`` each test still skips, naming the variable, unless ``IMAGEGW_<ID>_API_KEY`` is
set (``IMAGEGW_<ID>_BASE_URL`` optionally points elsewhere; Image Series documents no host, so
it needs one).
"""

from __future__ import annotations

import pytest


def _live_selected(config: pytest.Config) -> bool:
    expr = (config.getoption("markexpr", default="") or "").replace(" ", "")
    return "live" in expr and "notlive" not in expr


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _live_selected(config):
        return
    live = [i for i in items if i.get_closest_marker("live") is not None]
    if live:
        config.hook.pytest_deselected(items=live)
        items[:] = [i for i in items if i.get_closest_marker("live") is None]
