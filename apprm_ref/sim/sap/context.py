"""What every BR*Tools run shares: the SAP system, the command runner, where it runs, its
output, and the start and end of its catalogue entry and logs.

Runs end with the tool's termination message (BR0052I/BR0053I/BR0054I for BRBACKUP and the
like for the others), a BR0280I time stamp before it, and the summary-log line rewritten with
the final rc (0-6) over the rc 9 written at the start (SAP-1, OS-I21).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import ApprmError, HostError
from apprm_ref.sim.sap import logs, profile, textfiles
from apprm_ref.sim.sap.messages import RC_ERRORS, RC_INIT, VERSION, BrError, Output, msg
from apprm_ref.sim.sap.system import Run, SapSystem

# tool -> (version message, start/end messages, ok/warnings/errors termination messages)
TOOL_MESSAGES = {
    "brbackup": ("BR0051I", "BR0055I", "BR0056I", "BR0052I", "BR0053I", "BR0054I"),
    "brarchive": ("BR0002I", "BR0006I", "BR0007I", "BR0003I", "BR0004I", "BR0005I"),
    "brrestore": ("BR0401I", "BR0405I", "BR0406I", "BR0402I", "BR0403I", "BR0404I"),
    "brrecover": ("BR0701I", "BR0705I", "BR0706I", "BR0702I", "BR0703I", "BR0704I"),
}
ACTION_LETTER = {"brbackup": "b", "brarchive": "a", "brrestore": "r", "brrecover": "v"}


@dataclass
class Result:
    """What a tool returns: its exit code, what it printed, and its catalogue entry."""

    rc: int
    out: str
    run: Run | None = None


@dataclass
class BrContext:
    """One invocation of a tool. ``host``: where BR*Tools runs (default the SAP host): its
    profiles, its logs and the BACKINT lists are files there (a backup host has its own
    ``$ORACLE_HOME/dbs`` and ``sapbackup``, oracle-sap.md §9.2);
    ``confirm``: the operator's answer to a prompt (None: nobody answers, as with no
    terminal); ``runner``: runs ``backint`` and the split commands."""

    sap: SapSystem
    runner: Any
    tool: str
    host: str = ""
    confirm: Callable[[str], str] | None = None
    out: Output = field(default_factory=Output)
    run: Run | None = None
    summary_extra: str = ""

    def __post_init__(self) -> None:
        self.host = self.host or self.sap.host

    @property
    def world(self) -> Any:
        return self.sap.world

    @property
    def db(self) -> Any:
        return self.sap.db

    @property
    def hosts(self) -> Any:
        return self.sap.world.hosts

    def stamp(self) -> None:
        self.out.say("BR0280I", self.tool.upper(), logs.stamp(self.world))

    # --- profiles ---------------------------------------------------------------------

    def read_profile(self, path: str | None) -> profile.Profile:
        path = self.resolve(path) if path else self.sap.sap_profile
        text = textfiles.read(self.hosts, self.host, path)
        if text is None:
            raise BrError(RC_INIT, msg("BR0274E", path), msg("BR0159E", path))
        return profile.parse_sap(text, path)

    def resolve(self, name: str) -> str:
        """A profile or parameter-file name without a path is in $ORACLE_HOME/dbs."""
        return name if "/" in name else f"{self.sap.oracle_home}/dbs/{name}"

    def confirmed(self) -> bool:
        self.out.say("BR0256I")
        reply = self.confirm("BR0256I") if self.confirm is not None else ""
        self.out.say("BR0257I", reply)
        return reply.strip().lower() in ("c", "cont")

    # --- the run's entry and logs -----------------------------------------------------

    def start(self, function: str, **fields: str) -> Run:
        letter = ACTION_LETTER[self.tool]
        action = self.sap.new_action(letter)
        run = Run(self.tool, action, function, self.world.now(), **fields)
        run.log = f"{self.sap.log_dir(self.tool)}/{action}.{function}"
        self.sap.runs.append(run)
        self.run = run
        self.out.say(TOOL_MESSAGES[self.tool][1], f"{action}.{function}", logs.stamp(self.world))
        logs.write_summary(self.sap, run, self.summary_extra, self.host)
        return run

    def finish(self, rc: int) -> Result:
        codes = TOOL_MESSAGES[self.tool]
        run = self.run
        if run is not None:
            self.out.say(codes[2], f"{run.action}.{run.function}", logs.stamp(self.world))
        self.stamp()
        self.out.say(codes[3] if rc == 0 else codes[4] if rc == 1 else codes[5])
        if run is not None:
            run.end, run.rc = self.world.now(), rc
            try:
                logs.write_summary(self.sap, run, self.summary_extra, self.host)
                logs.write_detail(self.sap, run, self.out.text(), self.host)
            except HostError as exc:  # the log directory itself failed: said, not hidden
                self.out.say("BR0273E", f"{exc.message} [{exc.code}]")
                run.rc = rc = max(rc, RC_ERRORS)
        return Result(rc, self.out.text(), run)

    def banner(self) -> None:
        self.out.say(TOOL_MESSAGES[self.tool][0], VERSION)


def execute(ctx: BrContext, body: Callable[[BrContext], int]) -> Result:
    """Run ``body`` with the tool's banner and ending; a :class:`BrError` ends the run with
    its rc and lines."""
    ctx.banner()
    try:
        rc = body(ctx)
    except BrError as exc:
        ctx.out.lines.extend(exc.lines)
        rc = exc.rc
    except HostError as exc:  # a file BR*Tools itself reads or writes (logs, lists, copies)
        ctx.out.say("BR0273E", f"{exc.message} [{exc.code}]")
        rc = RC_ERRORS if ctx.run is not None else RC_INIT
    except ApprmError as exc:  # an Oracle call no step wrapped: its error, never a traceback
        ctx.out.say("BR0301E", str(exc).splitlines()[0], ctx.tool)
        rc = RC_ERRORS if ctx.run is not None else RC_INIT
    return ctx.finish(rc)
