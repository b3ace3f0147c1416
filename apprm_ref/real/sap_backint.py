"""The product's ``backint`` program: BC-BRI (BACKINT Interface for Oracle Databases).

``backint -u <SID> -f backup|restore|inquire|delete [-t file|file_online] [-p <par_file>]
[-i <in_file>] [-o <out_file>] [-c]`` as BR*Tools call it (oracle-sap.md §8, protocols.md
§4, sap-vss-addendum.md SAP-5..SAP-9, SAP-18). One result keyword line per input line
(OS-I17), any other output line is free text; exit 0 every object done, 1 some failed, 2
nothing usable (bad call, parameter file, input file). ``-t file_online`` asks BRBACKUP to
switch the files' tablespaces into and out of backup mode around their copy, in batched
rounds through the switch files (:mod:`apprm_ref.real.sap_backint_switch`, OS-I18).

The program runs on any :class:`~apprm_ref.drivers.sap.HostFiles` and
:class:`~apprm_ref.drivers.sap.BackintStore`: the console script over the lab
(``apprm_ref.cli.sap_backint``), or in-process under a simulated BRBACKUP.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from apprm_ref.drivers.sap import BackintStore, HostFiles
from apprm_ref.real.sap_backint_params import BackintParams, ParamError, read_params
from apprm_ref.real.sap_backint_switch import SwitchChannel

VERSION = "apprm-ref backint 1.0 (BC-BRI, Oracle)"
FUNCTIONS = ("backup", "restore", "inquire", "delete")
TYPES = ("file", "file_online")
NULL = "#NULL"
RC_OK, RC_PARTIAL, RC_FATAL = 0, 1, 2


class UsageError(Exception):
    """A call BC-BRI does not allow: exit 2 before any object is touched."""


@dataclass(frozen=True)
class BackintCall:
    user: str
    function: str = "backup"
    type: str = "file"
    parfile: str | None = None
    infile: str | None = None
    outfile: str | None = None
    unattended: bool = False


_VALUED = {"-u": "user", "-f": "function", "-t": "type", "-p": "parfile", "-i": "infile"}
_VALUED["-o"] = "outfile"


def parse_args(argv: Sequence[str]) -> BackintCall:
    """The command line; an unknown option, a missing value or ``-u`` absent is refused."""
    got: dict[str, str] = {}
    unattended = False
    args = list(argv)
    while args:
        opt = args.pop(0)
        if opt == "-c":
            unattended = True
            continue
        if opt not in _VALUED:
            raise UsageError(f"unknown option {opt!r}")
        if not args or args[0].startswith("-") and args[0] != "-":
            raise UsageError(f"option {opt} needs a value")
        if _VALUED[opt] in got:
            raise UsageError(f"option {opt} given twice")
        got[_VALUED[opt]] = args.pop(0)
    if "user" not in got:
        raise UsageError("option -u <user_id> is mandatory")
    call = BackintCall(**got, unattended=unattended)  # type: ignore[arg-type]
    if call.function not in FUNCTIONS:
        raise UsageError(f"unknown function -f {call.function!r} ({', '.join(FUNCTIONS)})")
    if call.type not in TYPES:
        raise UsageError(f"type -t {call.type!r} is not supported ({', '.join(TYPES)})")
    if call.type == "file_online" and call.function != "backup":
        raise UsageError("-t file_online is for -f backup only")
    return call


@dataclass
class Outcome:
    """The result lines (one keyword line per input line) and the free-text lines."""

    lines: list[str] = field(default_factory=list)
    failed: int = 0

    def ok(self, line: str) -> None:
        self.lines.append(line)

    def fail(self, line: str) -> None:
        self.lines.append(line)
        self.failed += 1


@dataclass
class Backint:
    """One backint command against ``store`` and ``files``."""

    call: BackintCall
    params: BackintParams
    store: BackintStore
    files: HostFiles

    def run(self, requests: list[str]) -> Outcome:
        handler: Callable[[list[str]], Outcome] = getattr(self, f"_{self.call.function}")
        return handler(requests)

    # --- backup ---------------------------------------------------------------------------

    def _backup(self, requests: list[str]) -> Outcome:
        bid = self.store.new_backup_id(self.call.user)
        paths = [_backup_path(line) for line in requests]
        if self.call.type == "file_online":
            channel = SwitchChannel(self.files, self.params)
            done = channel.rounds(paths, lambda p: self._save_one(bid, p))
        else:
            done = [(path, self._save_one(bid, path)) for path in paths]
        out = Outcome()
        for path, saved in done:
            if saved:
                out.ok(f"#SAVED {bid} {path}")
            else:
                out.fail(f"#ERROR {path}")
        return out

    def _save_one(self, bid: str, path: str) -> bool:
        try:
            data = self.files.read(path)
        except OSError:
            return False
        self.store.put(self.call.user, bid, path, data)
        return True

    # --- restore --------------------------------------------------------------------------

    def _restore(self, requests: list[str]) -> Outcome:
        out = Outcome()
        copies = self.store.copies(self.call.user)
        for line in requests:
            bid, path, dest = _restore_request(line)
            found = next(
                (c for c in copies if c.path == path and bid in (NULL, c.bid)),
                None,
            )
            if found is None:
                out.fail(f"#NOTFOUND {path}")
                continue
            data = self.store.get(self.call.user, found.bid, path)
            target = _into(dest, path)
            try:
                if data is None:
                    raise OSError(f"{path}: copy {found.bid} unreadable")
                self.files.write(target, data)
            except OSError:
                out.fail(f"#ERROR {path}")
                continue
            out.ok(f"#RESTORED {found.bid} {path}")
        return out

    # --- inquire ----------------------------------------------------------------------------

    def _inquire(self, requests: list[str]) -> Outcome:
        out = Outcome()
        copies = self.store.copies(self.call.user)
        for line in requests:
            words = line.split()
            if words == [NULL]:
                bids = _unique(c.bid for c in copies)
                out.lines += [f"#BACKUP {b}" for b in bids]  # newest first (SAP-8)
                if not bids:
                    out.fail("#NOTFOUND")
                continue
            bid, path = words[0], (words[1] if len(words) > 1 else None)
            hits = [
                c
                for c in copies
                if (bid == NULL or c.bid == bid) and (path is None or c.path == path)
            ]
            if not hits:
                out.fail(f"#NOTFOUND {path or bid}")
                continue
            out.lines += [f"#BACKUP {c.bid} {c.path}" for c in hits]
        return out

    # --- delete -----------------------------------------------------------------------------

    def _delete(self, requests: list[str]) -> Outcome:
        out = Outcome()
        for line in requests:
            words = line.split()
            if len(words) != 2 or words[0] == NULL:
                raise UsageError(f"delete takes '<BID> <file>' lines, not {line!r}")
            bid, path = words
            if self.store.drop(self.call.user, bid, path):
                out.ok(f"#DELETED {bid} {path}")
            else:
                out.fail(f"#NOTFOUND {path}")
        return out


def _backup_path(line: str) -> str:
    """``<file>`` or ``<special_file> <size>`` (a raw device and its size)."""
    words = line.split()
    if len(words) == 2 and words[1].isdigit():
        return words[0]
    if len(words) != 1:
        raise UsageError(f"backup input line {line!r} is neither '<file>' nor '<file> <size>'")
    return words[0]


def _restore_request(line: str) -> tuple[str, str, str | None]:
    words = line.split()
    if len(words) not in (2, 3):
        raise UsageError(f"restore input line {line!r} is not '<BID>|#NULL <file> [<dir>]'")
    return words[0], words[1], (words[2] if len(words) == 3 else None)


def _into(dest: str | None, path: str) -> str:
    if dest is None:
        return path
    return f"{dest.rstrip('/')}/{path.rsplit('/', 1)[-1]}"


def _unique(items: object) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:  # type: ignore[attr-defined]
        seen.setdefault(item, None)
    return list(seen)


def _requests(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def run(
    argv: Sequence[str],
    *,
    store: BackintStore,
    files: HostFiles,
    stdin: str = "",
    env: Mapping[str, str] | None = None,
) -> tuple[int, str, str]:
    """One ``backint`` command: (exit code, stdout, stderr); the output file when ``-o``."""
    try:
        call = parse_args(argv)
        params = read_params(files, call.parfile, env or {})
        text = stdin if call.infile is None else files.read(call.infile).decode()
        requests = _requests(text)
        outcome = Backint(call, params, store, files).run(requests)
    except (UsageError, ParamError) as exc:
        return RC_FATAL, "", f"backint: {exc}\n"
    except OSError as exc:
        return RC_FATAL, "", f"backint: cannot read the input file: {exc}\n"
    header = f"{VERSION}: {call.function} of {len(requests)} object(s) for {call.user}"
    report = "\n".join([header, *outcome.lines]) + "\n"
    rc = RC_OK if outcome.failed == 0 else params.rc_partial
    if call.outfile is None:
        return rc, report, ""
    try:
        files.write(call.outfile, report.encode())
    except OSError as exc:
        return RC_FATAL, "", f"backint: cannot write the output file: {exc}\n"
    return rc, "", ""


__all__ = ["BackintCall", "UsageError", "parse_args", "run"]
