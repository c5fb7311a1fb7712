"""``imagegw`` — the command line (typer), composed from each package's commands.

``imagegw serve``      the mock: all five gateways on one port (:mod:`mock_server.cli`)
``imagegw record``     a recording proxy in front of a live gateway (:mod:`mock_server.recorder`)
``imagegw drift``      probe a gateway and report drift, also against the mock (:mod:`drift.cli`)
``imagegw contracts``  contract tools: list inferred parts, lint (:mod:`contracts.cli`)

Every command the mock's own command group defines (:data:`mock_server.cli.app`) is mounted as
is. Drift gets :func:`in_process_mock`: a fresh mock app (``mock_server.create_app``) on a manual
clock, reached through an in-process transport — so ``imagegw drift`` compares each live answer
with the mock's answer to the same request, and drift never imports the mock. A missing module is
an ImportError here, never a silently missing command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

import mock_server
import mock_server.cli
from contracts.cli import app as contracts_app
from drift.cli import build_command
from drift.shell import MockTarget
from mock_server.testing import SyncASGITransport

if TYPE_CHECKING:
    from contracts.asgi import Violation

__all__ = ["app", "main", "in_process_mock", "MOCK_HOST"]

#: The host the in-process mock is addressed by (no socket: the transport calls the app directly).
MOCK_HOST = "http://imagegw-mock.invalid"


def in_process_mock(gateway: str, *, contract_guard: Callable[[Violation], None] | None = None) -> MockTarget:
    """A fresh mock for ``gateway``, in process, on a manual clock that the probe's waits advance.

    Args:
        contract_guard: passed to :func:`mock_server.create_app`: called with each answer of the
            mock that breaks its contract (a test suite fails the test with it); ``None`` (the
            ``imagegw drift`` command): not checked.

    Returns:
        a :class:`drift.shell.MockTarget` whose ``base_url`` is ``http://imagegw-mock.invalid/<gateway>``
        (default :class:`mock_server.Settings`: any non-empty key is accepted).
    """
    clock = mock_server.ManualClock()
    app = mock_server.create_app(mock_server.Settings(), clock=clock, contract_guard=contract_guard)
    transport = SyncASGITransport(app)
    return MockTarget(
        transport=transport,
        base_url=f"{MOCK_HOST}/{gateway}",
        advance=clock.advance,
        close=transport.close,
        description=f"the imagegw mock ({gateway}), in process",
    )


app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="imagegw: mock, contracts and drift detection for AI image-generation gateways."
)


@app.callback()
def _root() -> None:
    """imagegw: mock, contracts and drift detection for AI image-generation gateways."""


app.add_typer(mock_server.cli.app)
app.command(name="drift")(build_command(mock=in_process_mock))
app.add_typer(contracts_app, name="contracts")


def main() -> None:
    """Console-script entry point (``imagegw``)."""
    app()


if __name__ == "__main__":
    main()
