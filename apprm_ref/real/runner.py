"""The lowest seam of every command-line driver: run an argv, get (exit code, stdout, stderr).

Real drivers (RAID Manager CCI, diskshadow, BACKINT) talk to their tools only through a
:class:`CommandRunner`; tests plug in a simulator's runner so the driver's own parsing runs.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class CommandRunner(Protocol):
    def run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        """Run ``argv``; return (exit code, stdout, stderr). Never raises for a non-zero exit."""
        ...


class SubprocessRunner:
    """Runs real programs (RAID Manager's binaries on the host)."""

    def __init__(
        self, *, env: Mapping[str, str] | None = None, timeout: float | None = None
    ) -> None:
        self.env = dict(env) if env is not None else None
        self.timeout = timeout

    def run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        proc = subprocess.run(
            list(argv), capture_output=True, text=True, env=self.env, timeout=self.timeout
        )
        return proc.returncode, proc.stdout, proc.stderr
