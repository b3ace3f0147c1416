"""The ``diskshadow`` command interpreter on a simulated host (protocols.md §5.4 with
sap-vss-addendum.md VSS-11; MicrosoftDocs windowsserverdocs windows-commands/diskshadow.md,
set-context.md, set-option.md, writer.md, exec.md, end-backup.md, expose.md).

Semantics kept: ``add volume`` and ``create`` alone make a **COPY** backup — no
BackupComplete, no log truncation; ``begin backup`` makes it FULL and ``end backup`` sends
BackupComplete with each component marked as its writer's state says (VC-I24). ``writer
verify`` fails the creation when that writer or component is not included; ``writer
exclude`` leaves it out. A failing ``exec`` script makes diskshadow quit. A command
diskshadow has but the simulator does not (``mask``, ``break``, ``revert``, ``resync``,
``begin/end restore``, exposing as a share, ``rollbackrecover``/``txfrecover``) is refused,
never ignored. Output texts are those of the captures where one exists; the texts of errors
are inferred. The metadata ``.cab`` is kept as an XML container in the host's files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import ApprmError
from apprm_ref.sim.vss import text
from apprm_ref.sim.vss.dshell_backup import BackupSession
from apprm_ref.sim.vss.models import Attr
from apprm_ref.sim.vss.service import VssService

VOLATILE = 0  # VSS_CTX_BACKUP: released when diskshadow exits or resets (inferred default)
PERSISTENT = int(Attr.PERSISTENT | Attr.NO_AUTO_RELEASE)
NOT_SIMULATED = ("mask", "break", "revert", "resync", "help")
_VAR = re.compile(r"%([A-Za-z0-9_]+)%")


class DsError(Exception):
    """A command failed: diskshadow prints ``text`` and (in a script) quits."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass
class Diskshadow:
    service: VssService
    script: bool = True
    out: list[str] = field(default_factory=list)
    context: int = VOLATILE
    options: int = 0
    verbose: bool = False
    metadata: str = ""
    loaded: str = ""
    aliases: dict[str, str] = field(default_factory=dict)
    session: BackupSession | None = None
    done: bool = False

    def banner(self) -> str:
        now = text.when(self.service.world, self.service.world.now())
        return (
            "Microsoft DiskShadow version 1.0\n"
            "Copyright (C) 2007 Microsoft Corporation\n"
            f"On computer:  {self.service.host.upper()},  {now}\n\n"
        )

    def alias(self, name: str) -> str | None:
        """Environment variables are case-insensitive; the alias keeps its spelling."""
        return next((v for k, v in self.aliases.items() if k.upper() == name.upper()), None)

    def set_alias(self, name: str, value: str) -> None:
        self.aliases = {k: v for k, v in self.aliases.items() if k.upper() != name.upper()}
        self.aliases[name] = value

    def print(self, line: str = "") -> None:
        self.out.append(line if line.endswith("\n") else line + "\n")

    # --- running --------------------------------------------------------------------------

    def run(self, lines: list[str]) -> int:
        """Run commands; in a script the first failing one ends it (exit 1); interactive
        input (stdin) goes on after a failure. ``exit`` or the end releases the requester."""
        self.out.append(self.banner())
        rc = 0
        for raw in lines:
            line = raw.strip()
            if not self.script:
                self.out.append("DISKSHADOW> ")
            if not line or line.startswith("#"):
                continue
            if self.script:
                self.print(f"-> {line}")
            try:
                self.command(line)
            except DsError as exc:
                self.print(exc.text)
                rc = 1
                if self.script:
                    break  # a script stops at its first failure; interactive mode goes on
            if self.done:
                break
        self.finish()
        return rc

    def finish(self) -> None:
        if self.session is not None:
            self.session.release()
            self.session = None

    def command(self, line: str) -> None:
        line = self._expand(line)
        words = line.split()
        verb = words[0].lower()
        handler = _HANDLERS.get(verb)
        if handler is None:
            if verb in NOT_SIMULATED or verb == "begin" and words[1:2] == ["restore"]:
                raise DsError(f"{verb}: this diskshadow command is not simulated.")
            raise DsError(f'Unknown command "{words[0]}". Type "help" for the list of commands.')
        try:
            handler(self, words[1:])
        except ApprmError as exc:
            raise DsError(_error_text(exc)) from None

    def _expand(self, line: str) -> str:
        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            value = self.alias(name)
            if value is None:
                return m.group(0)
            if self.script:
                self.print(f"-> %{name}% = {value}")
            return value

        return _VAR.sub(sub, line)

    # --- set, add, writer, exec, reset --------------------------------------------------

    def _set(self, args: list[str]) -> None:
        if not args:
            raise DsError("set: context, option, verbose or metadata expected.")
        what, rest = args[0].lower(), [a.lower() for a in args[1:]]
        if what == "context":
            self._set_context(rest)
        elif what == "option":
            self._set_option(rest)
        elif what == "verbose" and rest in (["on"], ["off"]):
            self.verbose = rest == ["on"]
        elif what == "metadata" and len(args) == 2:
            if args[1].upper() in self.service.files:
                self.print("The existing file will be overwritten.")
            self.metadata = args[1]
        else:
            raise DsError(f"set {' '.join(args)}: the syntax is incorrect.")

    def _set_context(self, rest: list[str]) -> None:
        self._no_session("set context")
        forms = {
            ("clientaccessible",): int(
                Attr.PERSISTENT | Attr.NO_AUTO_RELEASE | Attr.CLIENT_ACCESSIBLE | Attr.NO_WRITERS
            ),
            ("persistent",): PERSISTENT,
            ("persistent", "nowriters"): PERSISTENT | int(Attr.NO_WRITERS),
            ("volatile",): VOLATILE,
            ("volatile", "nowriters"): int(Attr.NO_WRITERS),
        }
        if tuple(rest) not in forms:
            raise DsError(f"set context {' '.join(rest)}: the syntax is incorrect.")
        self.context = forms[tuple(rest)]

    def _set_option(self, rest: list[str]) -> None:
        self._no_session("set option")
        bits = {
            "differential": Attr.DIFFERENTIAL,
            "plex": Attr.PLEX,
            "transportable": Attr.TRANSPORTABLE,
        }
        value = 0
        for word in rest:
            if word in ("rollbackrecover", "txfrecover"):
                raise DsError(f"set option {word}: auto-recovery is not simulated.")
            if word == "noautorecover":
                value |= int(Attr.NO_AUTORECOVERY)
            elif word in bits:
                value |= int(bits[word])
            else:
                raise DsError(f"set option {word}: the syntax is incorrect.")
        if value & Attr.DIFFERENTIAL and value & Attr.PLEX:
            raise DsError("set option: differential and plex cannot be combined.")
        self.options = value

    def _no_session(self, what: str) -> None:
        if self.session is not None and self.session.created:
            raise DsError(f"{what}: not allowed after the shadow copy set was created; use reset.")

    def _backup_session(self) -> BackupSession:
        if self.session is None:
            self.session = BackupSession(self)
        return self.session

    def _add(self, args: list[str]) -> None:
        if args[:1] == ["alias"] or args[:1] == ["ALIAS"] or (args and args[0].lower() == "alias"):
            if len(args) != 3:
                raise DsError("add alias <name> <value>: the syntax is incorrect.")
            self.set_alias(args[1], args[2])
            return
        if not args or args[0].lower() != "volume" or len(args) < 2:
            raise DsError(
                "add volume <volume> [alias <name>] [provider <id>]: the syntax is incorrect."
            )
        opts = [a.lower() for a in args[2::2]]
        vals = args[3::2]
        if any(o not in ("alias", "provider") for o in opts) or len(opts) != len(vals):
            raise DsError(f"add {' '.join(args)}: the syntax is incorrect.")
        named = dict(zip(opts, vals, strict=True))
        self._backup_session().add_volume(
            args[1], named.get("alias", ""), named.get("provider", "")
        )

    def _writer(self, args: list[str]) -> None:
        if len(args) < 2 or args[0].lower() not in ("verify", "exclude"):
            raise DsError("writer verify|exclude <writer|component>: the syntax is incorrect.")
        target = " ".join(args[1:]).strip('"')
        session = self._backup_session()
        (session.verify if args[0].lower() == "verify" else session.exclude).append(target)

    def _exec(self, args: list[str]) -> None:
        if len(args) != 1:
            raise DsError("exec <file.cmd|file.exe>: the syntax is incorrect.")
        try:
            rc, output = self.service.world.hosts.run_script(self.service.host, args[0])
        except ApprmError:
            raise DsError(f"The file {args[0]} was not found.") from None
        for line in output:
            self.print(line)
        if rc != 0:
            raise DsError(f"The script {args[0]} returned {rc}; DiskShadow quits.")

    def _reset(self, args: list[str]) -> None:
        self.finish()
        self.context, self.options, self.metadata, self.loaded = VOLATILE, 0, "", ""
        self.aliases = {}

    def _exit(self, args: list[str]) -> None:
        self.done = True

    def _begin(self, args: list[str]) -> None:
        if [a.lower() for a in args] != ["backup"]:
            raise DsError(f"begin {' '.join(args)}: this diskshadow command is not simulated.")
        self._backup_session().begin()

    def _end(self, args: list[str]) -> None:
        if [a.lower() for a in args] != ["backup"]:
            raise DsError(f"end {' '.join(args)}: this diskshadow command is not simulated.")
        if self.session is None:
            raise DsError("end backup: no backup session is in progress (use begin backup).")
        self.session.end()

    def _create(self, args: list[str]) -> None:
        if args:
            raise DsError("create: the syntax is incorrect.")
        self._backup_session().create()

    def _expose(self, args: list[str]) -> None:
        from apprm_ref.sim.vss.dshell_backup import expose

        expose(self, args)

    def _unexpose(self, args: list[str]) -> None:
        from apprm_ref.sim.vss.dshell_backup import unexpose

        unexpose(self, args)

    def _list(self, args: list[str]) -> None:
        from apprm_ref.sim.vss.dshell_list import listing

        listing(self, [a.lower() for a in args])

    def _delete(self, args: list[str]) -> None:
        from apprm_ref.sim.vss.dshell_list import delete_shadows

        delete_shadows(self, args)

    def _load(self, args: list[str]) -> None:
        from apprm_ref.sim.vss.dshell_backup import load_metadata

        load_metadata(self, args)

    def _import(self, args: list[str]) -> None:
        from apprm_ref.sim.vss.dshell_backup import import_set

        import_set(self, args)


_HANDLERS: dict[str, Any] = {
    "set": Diskshadow._set,
    "add": Diskshadow._add,
    "writer": Diskshadow._writer,
    "exec": Diskshadow._exec,
    "reset": Diskshadow._reset,
    "exit": Diskshadow._exit,
    "begin": Diskshadow._begin,
    "end": Diskshadow._end,
    "create": Diskshadow._create,
    "expose": Diskshadow._expose,
    "unexpose": Diskshadow._unexpose,
    "list": Diskshadow._list,
    "delete": Diskshadow._delete,
    "load": Diskshadow._load,
    "import": Diskshadow._import,
}


def _error_text(exc: ApprmError) -> str:
    """An error returned by VSS: its name, number and what it was about (inferred layout)."""
    return f"COM call failed: {exc.code}: {exc.message}"
