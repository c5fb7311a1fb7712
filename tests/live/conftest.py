"""Live tests talk to the real gateways. They run only with ``pytest -m live``; any other run
deselects them (``tests/conftest.py``, opt-in markers), so the default ``pytest`` never spends
money or needs a network.

With ``-m live`` each test still skips, naming the variable, unless ``IMAGEGW_<ID>_API_KEY`` is
set (``IMAGEGW_<ID>_BASE_URL`` optionally points elsewhere; Image Series documents no host, so
it needs one).
"""
