"""The composition root: the ``imagegw`` command line, put together from the packages' own commands.

``mock_server``, ``contracts``, ``clients`` and ``drift`` do not import one another except
through ``contracts`` (the contract model and the gateway registry) and ``recordings`` (the
recordings format); drift also drives the client's flows. This package is the one place that
imports them all: :mod:`imagegw.cli` builds the ``imagegw`` command from each package's commands
and hands drift the mock to compare with.
"""
