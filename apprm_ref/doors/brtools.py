"""Console door: the BR*Tools of the SAP simulator against a lab, as an SAP host runs them.

``brbackup -u / -c -t online_split -d util_file`` (console scripts ``brbackup``,
``brarchive``, ``brrestore``, ``brrecover``) or ``python -m apprm_ref.doors.brtools <tool>
[args]``. The world is the lab's in ``$APPRM_HOME`` (default ``./.apprm``), opened through
the lab store with its writer lock, as the CCI door does; the SAP system is the one whose SID
is ``$ORACLE_SID`` (BR*Tools requires it; with one SAP system in the lab it may be unset);
``$APPRM_HOST`` names the host the tools run on (default the SAP host). The run's effects
(database state, logs, catalogue) are committed whatever its rc, as on a real system.

The programs BR*Tools starts (``backint``, ``split_cmd``, ``resync_cmd``) are looked up by
file name in the entry-point group ``apprm_ref.brtools`` (``name = "module:function"``,
called ``function(world, argv, serve=None) -> (rc, stdout, stderr)`` with the open lab
world, so they see the same files); any other program runs as a subprocess.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from typing import Any

from apprm_ref.errors import ApprmError
from apprm_ref.lab.handle import LabHandle, register_backends
from apprm_ref.real.runner import SubprocessRunner
from apprm_ref.sim.sap.messages import RC_INIT, msg
from apprm_ref.sim.sap.system import SapSystem
from apprm_ref.sim.sap.tools import TOOLS, run_tool

GROUP = "apprm_ref.brtools"


class LabRunner:
    """Runs a program BR*Tools starts: in-process on the lab world when one is registered
    under its file name, else as a subprocess."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.programs = {ep.name: ep for ep in entry_points(group=GROUP)}
        self.fallback = SubprocessRunner()

    def _program(self, argv: Sequence[str]) -> Callable[..., tuple[int, str, str]] | None:
        ep = self.programs.get(argv[0].rsplit("/", 1)[-1])
        return None if ep is None else ep.load()

    def run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        fn = self._program(argv)
        if fn is None:
            try:
                return self.fallback.run(argv)
            except OSError as exc:
                return 127, "", f"{argv[0]}: {exc}\n"
        return fn(self.world, list(argv))

    def run_switching(self, argv: Sequence[str], serve: Callable[[], bool]) -> tuple[int, str, str]:
        fn = self._program(argv)
        if fn is None:
            return self.run(argv)
        return fn(self.world, list(argv), serve=serve)


def _system(world: Any, sid: str | None) -> SapSystem:
    systems = [a for _, a in sorted(world.apps.items()) if getattr(a, "kind", "") == "sap"]
    if sid:
        systems = [s for s in systems if s.sid == sid.upper()]
    if len(systems) != 1:
        raise ApprmError(msg("BR0152I", "ORACLE_SID") if not sid else f"no SAP system {sid}")
    return systems[0]


def _confirm(_prompt: str) -> str:
    try:
        return input()
    except EOFError:
        return ""


def main(argv: list[str] | None = None) -> int:
    register_backends()
    argv = list(sys.argv[1:] if argv is None else argv)
    tool = argv[0].rsplit("/", 1)[-1] if argv else ""
    if tool not in TOOLS:
        print(f"usage: python -m apprm_ref.doors.brtools {'|'.join(TOOLS)} [options]",
              file=sys.stderr)  # fmt: skip
        return RC_INIT
    env = dict(os.environ)
    lab = LabHandle.from_env(env, write=True)
    try:
        try:
            world = lab.open_waiting(env).world
            sap = _system(world, env.get("ORACLE_SID"))
        except (ApprmError, OSError, ValueError) as exc:
            print(f"{tool}: {exc}", file=sys.stderr)
            return RC_INIT
        result = run_tool(tool, sap, argv[1:], LabRunner(world), host=env.get("APPRM_HOST"),
                          confirm=_confirm)  # fmt: skip
        sys.stdout.write(result.out)
        lab.commit()
    finally:
        lab.close()
    return result.rc


def _run(tool: str) -> int:
    return main([tool, *sys.argv[1:]])


def brbackup() -> int:
    return _run("brbackup")


def brarchive() -> int:
    return _run("brarchive")


def brrestore() -> int:
    return _run("brrestore")


def brrecover() -> int:
    return _run("brrecover")


if __name__ == "__main__":
    sys.exit(main())
