"""``python -m imagegw``: the same as the ``imagegw`` command."""

from imagegw.cli import main

main()
