"""Test peers of the simulated BR*Tools: a strict BC-BRI ``backint`` that keeps the files it
saves in memory, and a split command that records its calls.

The backint peer checks the call as protocols.md §4.2 gives it (``-u <SID> -f <function> -t
file|file_online -p <par_file> -i <in> -o <out> -c``) and the input lines of §4.3, answers one
keyword line per input line (§4.4) and, for ``-t file_online``, asks BRBACKUP to switch each
file through the switch files (§4.6) before copying it, recording whether the file's
tablespace was in backup mode while it copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.sim.sap import textfiles
from apprm_ref.sim.sap.backint import SWITCH


class ProtocolViolation(AssertionError):
    pass


@dataclass
class BackintPeer:
    world: Any
    host: str
    sid: str
    fail: set[str] = field(default_factory=set)  # paths answered #ERROR
    omit: set[str] = field(default_factory=set)  # paths left out of the answer
    extra: list[str] = field(default_factory=list)  # unrequested paths reported #SAVED
    store: dict[tuple[str, str], tuple[Any, ...]] = field(default_factory=dict)  # (bid, path)
    calls: list[list[str]] = field(default_factory=list)
    inputs: list[list[str]] = field(default_factory=list)
    copied_in_backup_mode: dict[str, bool] = field(default_factory=dict)
    sessions: int = 0

    # --- the call ------------------------------------------------------------------

    def parse_argv(self, argv: list[str]) -> dict[str, str]:
        if argv[0].rsplit("/", 1)[-1] != "backint":
            raise ProtocolViolation(f"not a backint call: {argv}")
        opts: dict[str, str] = {}
        i = 1
        while i < len(argv):
            key = argv[i]
            if key == "-c":
                opts[key] = ""
                i += 1
                continue
            if key not in ("-u", "-f", "-t", "-p", "-i", "-o") or i + 1 >= len(argv):
                raise ProtocolViolation(f"bad backint option {key!r} in {argv}")
            opts[key] = argv[i + 1]
            i += 2
        if opts.get("-u") != self.sid:
            raise ProtocolViolation(f"-u must be the SID {self.sid}: {argv}")
        if opts.get("-f") not in ("backup", "restore", "inquire", "delete"):
            raise ProtocolViolation(f"bad -f: {argv}")
        if opts.get("-t", "file") not in ("file", "file_online"):
            raise ProtocolViolation(f"bad -t: {argv}")
        for key in ("-i", "-o", "-p"):
            if key not in opts:
                raise ProtocolViolation(f"{key} missing: {argv}")
        if textfiles.read(self.world.hosts, self.host, opts["-p"]) is None:
            raise ProtocolViolation(f"parameter file {opts['-p']} not there")
        return opts

    def run(self, argv: list[str]) -> tuple[int, str, str]:
        return self.run_switching(argv, None)

    def run_switching(self, argv: list[str], serve: Any) -> tuple[int, str, str]:
        argv = list(argv)
        opts = self.parse_argv(argv)
        self.calls.append(argv)
        text = textfiles.read(self.world.hosts, self.host, opts["-i"])
        if text is None:
            raise ProtocolViolation(f"no input file {opts['-i']}")
        lines = [ln for ln in text.splitlines() if ln.strip()]
        self.inputs.append(lines)
        online = opts.get("-t") == "file_online"
        if online and serve is None:
            raise ProtocolViolation("file_online needs BRBACKUP to serve the switch files")
        out, rc = getattr(self, f"_{opts['-f']}")(lines, serve if online else None, opts)
        textfiles.write(self.world.hosts, self.host, opts["-o"], "".join(f"{ln}\n" for ln in out))
        return rc, f"Backint (test peer): {len(lines)} objects\n", ""

    # --- functions -----------------------------------------------------------------

    def _bid(self) -> str:
        self.sessions += 1
        return f"TST{self.sessions:07d}"

    def _backup(self, lines: list[str], serve: Any, opts: dict[str, str]) -> tuple[list[str], int]:
        bid, out, rc = self._bid(), ["Backint (test peer) session started"], 0
        for line in lines:
            path = line.split()[0]
            if not path.startswith("/") or len(line.split()) > 2:
                raise ProtocolViolation(f"bad backup input line {line!r}")
            if path in self.omit:
                rc = 1
                continue
            if path in self.fail or not textfiles.exists(self.world.hosts, self.host, path):
                out.append(f"#ERROR {path}")
                rc = 1
                continue
            if serve is not None and not self._switch(serve, SWITCH["begin"], path):
                out.append(f"#ERROR {path}")
                rc = 1
                continue
            self.copied_in_backup_mode[path] = self._in_backup_mode(path)
            self.store[(bid, path)] = self.world.hosts.read_file(self.host, path)
            if serve is not None:
                self._switch(serve, SWITCH["end"], path)
            out.append(f"#SAVED {bid} {path}")
        out.extend(f"#SAVED {bid} {p}" for p in self.extra)
        if serve is not None:
            self._switch(serve, None, None)
        return out, rc

    def _restore(self, lines: list[str], serve: Any, opts: dict[str, str]) -> tuple[list[str], int]:
        out, rc = [], 0
        for line in lines:
            parts = line.split()
            if len(parts) not in (2, 3):
                raise ProtocolViolation(f"bad restore input line {line!r}")
            bid, path = parts[0], parts[1]
            if bid == "#NULL":
                found = [b for (b, p) in sorted(self.store, reverse=True) if p == path]
                bid = found[0] if found else bid
            blocks = self.store.get((bid, path))
            if blocks is None or path in self.fail:
                out.append(f"#NOTFOUND {path}")
                rc = 1
                continue
            hosts = self.world.hosts
            if not hosts.file_exists(self.host, path):
                hosts.create_file(self.host, path, len(blocks))
            hosts.write_file(self.host, path, dict(enumerate(blocks)))
            out.append(f"#RESTORED {bid} {path}")
        return out, rc

    def _inquire(self, lines: list[str], serve: Any, opts: dict[str, str]) -> tuple[list[str], int]:
        bids = sorted({b for b, _ in self.store}, reverse=True)
        return [f"#BACKUP {b}" for b in bids], 0

    # --- file_online ---------------------------------------------------------------

    def _switch(self, serve: Any, keyword: str | None, path: str | None) -> bool:
        hosts, work = self.world.hosts, self._workdir()
        request = f"{keyword} {path}\n" if keyword else ""
        textfiles.write(hosts, self.host, f"{work}/{SWITCH['list']}", request)
        textfiles.write(hosts, self.host, f"{work}/{SWITCH['sem']}", "")
        if not serve() or textfiles.exists(hosts, self.host, f"{work}/{SWITCH['sem']}"):
            raise ProtocolViolation("BRBACKUP did not answer the switch request")
        answer = textfiles.read(hosts, self.host, f"{work}/{SWITCH['log']}") or ""
        return answer.strip() == SWITCH["ok"]

    def _workdir(self) -> str:
        return self.calls[-1][self.calls[-1].index("-i") + 1].rsplit("/", 1)[0]

    def _in_backup_mode(self, path: str) -> bool:
        for app in self.world.apps.values():
            if getattr(app, "kind", "") == "oracle" and app.cf:
                for f in app.cf["files"].values():
                    if f["name"] == path:
                        return bool(f["backup"])
        return False


@dataclass
class SplitPeer:
    """Records each split/resync call with the database's state at that moment."""

    world: Any
    host: str
    rc: int = 0
    output: str = ""
    calls: list[dict[str, Any]] = field(default_factory=list)

    def run(self, argv: list[str]) -> tuple[int, str, str]:
        db = next(a for a in self.world.apps.values() if getattr(a, "kind", "") == "oracle")
        listing = textfiles.read(self.world.hosts, self.host, argv[-1]) if len(argv) > 1 else None
        self.calls.append({
            "argv": list(argv),
            "files": (listing or "").split(),
            "status": db.status,
            "backup_files": sorted(db.backup_files()) if db.cf else [],
            "scn": db.scn,
        })  # fmt: skip
        return self.rc, self.output, ""


@dataclass
class Runner:
    """The CommandRunner given to the BR*Tools: backint and the split commands."""

    backint: BackintPeer
    split: SplitPeer

    def run(self, argv: list[str]) -> tuple[int, str, str]:
        if argv[0].rsplit("/", 1)[-1] == "backint":
            return self.backint.run(list(argv))
        return self.split.run(list(argv))

    def run_switching(self, argv: list[str], serve: Any) -> tuple[int, str, str]:
        return self.backint.run_switching(list(argv), serve)
