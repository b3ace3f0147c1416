"""A :class:`~apprm_ref.real.runner.CommandRunner` that runs ``diskshadow`` and ``vssadmin``
on a simulated Windows host, so a real driver's own command building and parsing run
against the simulator.

``diskshadow /s <script> [/l <log>]`` reads the script from the host's files (put it there
with :meth:`SimWindowsRunner.write_file`, as a driver copies a script to the host) and
writes the log there; without ``/s`` the script is the runner's ``stdin``. A creation waits
on the world's clock (``world.advance``), so call the runner outside a running SimPy
process (or drive the Python requester API there instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from apprm_ref.sim.vss.backend import vss_service
from apprm_ref.sim.vss.dshell import Diskshadow
from apprm_ref.sim.vss.vssadmin import vssadmin


def parse_args(argv: Sequence[str]) -> tuple[str, str, str]:
    """``[/s script] [/l log]`` -> (script, log, error text or "")."""
    args = list(argv)
    script = log = ""
    while args:
        flag = args.pop(0)
        if flag.lower() in ("/s", "-s") and args:
            script = args.pop(0)
        elif flag.lower() in ("/l", "-l") and args:
            log = args.pop(0)
        else:
            return (
                script,
                log,
                f"diskshadow: unknown parameter {flag} (use /s <script> [/l <log>])\n",
            )
    return script, log, ""


def run_diskshadow(service: Any, argv: Sequence[str], stdin: str = "") -> tuple[int, str, str]:
    """``diskshadow [/s script] [/l log]`` on ``service``'s host."""
    script_path, log_path, bad = parse_args(argv)
    if bad:
        return 1, "", bad
    if script_path:
        body = service.files.get(script_path.upper())
        if body is None:
            return 1, "", f"The file {script_path} could not be found.\n"
    else:
        body = stdin
    rc, out = run_script(service, body, script=bool(script_path))
    if log_path:
        service.files[log_path.upper()] = out
    return rc, out, ""


def run_script(service: Any, body: str, *, script: bool = True) -> tuple[int, str]:
    """Run diskshadow commands (script mode echoes ``-> command``); (exit code, output)."""
    ds = Diskshadow(service, script=script)
    rc = ds.run(body.splitlines())
    return rc, "".join(ds.out)


class SimWindowsRunner:
    """``run(argv)`` as cmd.exe on ``host`` would: diskshadow and vssadmin."""

    def __init__(self, world: Any, host: str) -> None:
        self.world, self.host = world, host
        self.calls: list[list[str]] = []
        self.stdin = ""

    @property
    def service(self) -> Any:
        return vss_service(self.world, self.host)

    def write_file(self, path: str, body: str) -> None:
        self.service.files[path.upper()] = body

    def read_file(self, path: str) -> str | None:
        value = self.service.files.get(path.upper())
        return None if value is None else str(value)

    def run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        self.calls.append(list(argv))
        if not argv:
            return 1, "", "no command\n"
        prog = argv[0].replace("/", "\\").rsplit("\\", 1)[-1].lower().removesuffix(".exe")
        if prog == "diskshadow":
            return run_diskshadow(self.service, argv[1:], self.stdin)
        if prog == "vssadmin":
            return vssadmin(self.service, argv[1:])
        return (
            9009,
            "",
            f"'{argv[0]}' is not recognized as an internal or external command,\n"
            "operable program or batch file.\n",
        )
