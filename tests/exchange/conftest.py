"""The CLI fixtures of tests/cli (a lab in tmp and an in-process runner)."""

from tests.cli.conftest import cli, home  # noqa: F401
