"""The BR*Tools commands in-process: ``run_tool("brbackup", sap, argv, runner)``.

``runner`` is a :class:`~apprm_ref.real.runner.CommandRunner` (``run(argv) -> (rc, stdout,
stderr)``) through which the tools run ``backint`` (BC-BRI) and the ``split_cmd`` /
``resync_cmd`` of ``init<SID>.sap``; a runner that also has ``run_switching(argv, serve)``
is used for ``backint -t file_online`` calls (see :mod:`apprm_ref.sim.sap.backint`).
``host`` is where the tools run (default: the SAP host); ``confirm`` answers the operator
prompt of a run without ``-c``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from apprm_ref.sim.sap.context import BrContext, Result
from apprm_ref.sim.sap.system import SapSystem

TOOLS = ("brbackup", "brarchive", "brrestore", "brrecover")


def _entry(tool: str) -> Callable[[BrContext, Sequence[str]], Result]:
    if tool == "brbackup":
        from apprm_ref.sim.sap.brbackup import brbackup

        return brbackup
    if tool == "brarchive":
        from apprm_ref.sim.sap.brarchive import brarchive

        return brarchive
    if tool == "brrestore":
        from apprm_ref.sim.sap.brrestore import brrestore

        return brrestore
    if tool == "brrecover":
        from apprm_ref.sim.sap.brrecover import brrecover

        return brrecover
    raise ValueError(f"no BR*Tools command {tool!r} (one of {', '.join(TOOLS)})")


def run_tool(
    tool: str,
    sap: SapSystem,
    argv: Sequence[str],
    runner: Any,
    *,
    host: str | None = None,
    confirm: Callable[[str], str] | None = None,
) -> Result:
    """Run one BR*Tools command; the Result carries rc, the printed text and its run."""
    ctx = BrContext(sap, runner, tool, host or "", confirm)
    return _entry(tool)(ctx, list(argv))


def brbackup(sap: SapSystem, argv: Sequence[str], runner: Any, **kw: Any) -> Result:
    return run_tool("brbackup", sap, argv, runner, **kw)


def brarchive(sap: SapSystem, argv: Sequence[str], runner: Any, **kw: Any) -> Result:
    return run_tool("brarchive", sap, argv, runner, **kw)


def brrestore(sap: SapSystem, argv: Sequence[str], runner: Any, **kw: Any) -> Result:
    return run_tool("brrestore", sap, argv, runner, **kw)


def brrecover(sap: SapSystem, argv: Sequence[str], runner: Any, **kw: Any) -> Result:
    return run_tool("brrecover", sap, argv, runner, **kw)


class BrToolsRunner:
    """A :class:`~apprm_ref.real.runner.CommandRunner` serving ``brbackup``, ``brarchive``,
    ``brrestore`` and ``brrecover`` from the simulator, for a driver that runs BR*Tools
    over the command-runner seam; ``programs`` runs what the tools themselves start."""

    def __init__(self, sap: SapSystem, programs: Any, *, host: str | None = None) -> None:
        self.sap, self.programs, self.host = sap, programs, host

    def run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        tool = argv[0].rsplit("/", 1)[-1] if argv else ""
        if tool not in TOOLS:
            return 127, "", f"{tool or '(empty)'}: command not found\n"
        result = run_tool(tool, self.sap, list(argv[1:]), self.programs, host=self.host)
        return result.rc, result.out, ""
