"""``eseutil /mh``, ``/k`` and ``/r`` as a Windows host runs them: :func:`run` ``(world, host,
argv) -> Result`` (the console door ``doors/eseutil.py`` and the simulator driver print it).
The exit status is the JET error (0 on success).

Output follows the addendum (VSS-13; ESE ``dbdump.cxx``, ``checksum.cxx``, ``eseutil.cxx``):
right-aligned ``key: value`` header lines with the fixed state strings, ``Log Required: lo-hi
(0xlo-0xhi)``, the backup blocks with ``Log Gen`` and two ``Mark`` lines, the checksum
counters, and the last line ``Operation completed successfully in S.M seconds.`` or
``Operation terminated with error N (name, text) after S.M seconds.`` (M the milliseconds
printed with ``%d``, so 3.045 s is ``3.45``). The banners of Exchange 2003 (6.5) and 2007
(08.01) are from public captures (inferred). Other eseutil modes (/d, /p, /g, /c, /y, /ml,
/mk ...) and options this door does not implement are refused with -1003.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apprm_ref.errors import ApprmError
from apprm_ref.sim.exchange import check
from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.models import ExchangeError

BANNER = {
    2003: (
        "Microsoft(R) Exchange Server Database Utilities",
        "Version 6.5",
        "Copyright (C) Microsoft Corporation 1991-2000.  All Rights Reserved.",
    ),
    2007: (
        "Extensible Storage Engine Utilities for Microsoft(R) Exchange Server",
        "Version 08.01",
        "Copyright (C) Microsoft Corporation. All Rights Reserved.",
    ),
}
PAGE_SECONDS, LOG_SECONDS, BASE_SECONDS = 0.004, 0.02, 0.031  # simulated durations


@dataclass
class Result:
    rc: int
    lines: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pages: check.PageCheck | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def elapsed(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 1000}.{ms % 1000}"


def _last_line(res: Result) -> None:
    if res.rc == 0:
        res.lines.append(f"Operation completed successfully in {elapsed(res.seconds)} seconds.")
    else:
        res.lines.append(
            f"Operation terminated with error {F.jet_text(res.rc)} after "
            f"{elapsed(res.seconds)} seconds."
        )


def run(world: Any, host: str, argv: list[str]) -> Result:
    """One eseutil command on ``host``; never raises for what eseutil reports itself."""
    mode = argv[0].lower().replace("-", "/", 1) if argv else ""
    res = Result(0, seconds=BASE_SECONDS)
    try:
        if mode == "/mh" and len(argv) == 2:
            _dump(world, host, argv[1], res)
        elif mode == "/k" and len(argv) >= 2:
            _checksum(world, host, argv[1], argv[2:], res)
        elif mode == "/r" and len(argv) >= 2:
            _recover(world, host, argv[1], argv[2:], res)
        else:
            raise ExchangeError(f"unsupported command line: {' '.join(argv)}", jet=-1003)
    except ExchangeError as exc:
        res.rc = exc.jet
        if not res.lines:
            res.lines = [*_banner(2007), ""]
        res.lines.append(f"{exc.message}")
        res.lines.append("")
    _last_line(res)
    return res


def _banner(version: int) -> list[str]:
    return list(BANNER.get(version, BANNER[2007]))


def _kv(key: str, value: object) -> str:
    return f"{key + ':':>18} {value}"


def _gen(lo: int, hi: int) -> str:
    return f"{lo}-{hi} (0x{lo:x}-0x{hi:x})"


def _when(world: Any, at: float | None) -> str:
    if at is None:
        return "00/00/1900 00:00:00"
    moment = world.clock.epoch + timedelta(seconds=at)
    return moment.strftime("%m/%d/%Y %H:%M:%S")


def _dump(world: Any, host: str, path: str, res: Result) -> None:
    hdr = check.header(world, host, path)
    res.lines += [
        *_banner(int(hdr["version"])),
        "",
        "Initiating FILE DUMP mode...",
        f"         Database: {path}",
        "",
        "DATABASE HEADER:",
    ]
    lo, hi = hdr["log_required"]
    gen, at = hdr["last_consistent"]
    res.lines += [
        _kv("File Type", "Database"),
        _kv("DB Signature", hdr["db_signature"]),
        _kv("State", hdr["state"]),
        _kv("Log Required", _gen(lo, hi)),
        _kv("Log Committed", _gen(0, hi)),
        _kv("Last Consistent", f"(0x{gen:X},1,0)  {_when(world, at)}"),
        _kv("Log Signature", hdr["log_signature"]),
        "",
    ]
    blocks = (
        ("Previous Full Backup", "previous_full"),
        ("Previous Incremental Backup", "previous_incremental"),
        ("Current Shadow copy backup", "current_shadow"),
    )
    for title, key in blocks:
        res.lines += [f"{title}:", *_backup_block(world, hdr.get(key)), ""]


def _backup_block(world: Any, value: Any) -> list[str]:
    if not value:
        return [
            "        Log Gen: 0-0 (0x0-0x0)",
            "           Mark: (0x0,0,0)",
            f"           Mark: {_when(world, None)}",
        ]
    lo, hi, at = value[0], value[1], value[2]
    return [
        f"        Log Gen: {_gen(lo, hi)} - OSSnapshot",
        f"           Mark: (0x{hi:X},1,0)",
        f"           Mark: {_when(world, at)}",
    ]


def _checksum(world: Any, host: str, path: str, opts: list[str], res: Result) -> None:
    bad_opts = [o for o in opts if o.lower() not in ("/i", "-i")]
    if bad_opts:
        raise ExchangeError(f"unsupported option {bad_opts[0]}", jet=-1003)
    if path.lower().endswith(".log"):
        version = 2003 if len(path.rsplit("\\", 1)[-1]) == len("E0000001.log") else 2007
        res.lines += [
            *_banner(version),
            "",
            "Initiating CHECKSUM mode...",
            "",
            "Verifying log files...",
        ]
        res.rc = check.checksum_log(world, host, path)
        res.seconds += LOG_SECONDS
        name = path.rsplit("\\", 1)[-1]
        res.lines.append(
            f"Integrity check {'passed' if res.rc == 0 else 'failed'} for log file: {name}"
        )
        res.lines.append("")
        return
    version = int(check.header(world, host, path).get("version", 2007))
    targets = [path]
    stm = path.rsplit(".", 1)[0] + ".stm"
    if (
        version == 2003
        and not opts
        and path.lower().endswith(".edb")
        and world.hosts.file_exists(host, stm)
    ):
        targets.append(stm)
    res.lines += [
        *_banner(version),
        "",
        "Initiating CHECKSUM mode...",
        f"        Database: {path}",
        "",
    ]
    for target in targets:
        pc = check.checksum_pages(world, host, target)
        res.pages = pc if res.pages is None or pc.jet else res.pages
        res.seconds += pc.pages * PAGE_SECONDS
        res.rc = res.rc or pc.jet
        res.lines += _page_report(target, pc)


def _page_report(path: str, pc: check.PageCheck) -> list[str]:
    g, n = pc.highest_dbtime
    return [
        f"File: {path}",
        "",
        "                     Checksum Status (% complete)",
        "",
        "          0    10   20   30   40   50   60   70   80   90  100",
        "          |----|----|----|----|----|----|----|----|----|----|",
        "          " + "." * 51,
        "",
        "",
        f"{pc.pages} pages seen",
        f"{pc.bad} bad checksums",
        "0 correctable checksums",
        f"{pc.uninitialized} uninitialized pages",
        f"{pc.wrong_pgno} wrong page numbers",
        f"0x{(g << 16) | n:x} highest dbtime (pgno 0x{pc.highest_pgno:x})",
        "",
        f"{pc.pages} reads performed",
        "",
    ]


def _recover(world: Any, host: str, base: str, opts: list[str], res: Result) -> None:
    if len(base) != 3 or not base[0].isalpha():
        raise ExchangeError(f"{base} is not a 3-character log base name", jet=-1003)
    paths: dict[str, str] = {}
    for opt in opts:
        key, value = opt[:2].lower().replace("-", "/"), opt[2:].strip('"')
        if key not in ("/l", "/s", "/d") or (key != "/d" and not value):
            raise ExchangeError(f"unsupported option {opt}", jet=-1003)
        paths[key] = value
    log_path = paths.get("/l")
    if not log_path:
        raise ExchangeError("the log file path (/l) is required here", jet=-1003)
    system_path = paths.get("/s", log_path)
    dbs = _recovery_databases(world, host, base, system_path, paths.get("/d"))
    version = int(check.header(world, host, dbs[0]).get("version", 2007)) if dbs else 2007
    res.lines += [
        *_banner(version),
        "",
        "Initiating RECOVERY mode...",
        f"    Logfile base name: {base}",
        f"            Log files: {log_path}",
        f"         System files: {system_path}",
        "",
        "Performing soft recovery...",
    ]
    done = check.recover(world, host, base, log_path, system_path, dbs)
    res.seconds += LOG_SECONDS * max(1, done.last_generation)
    res.lines += [
        "                      Restore Status (% complete)",
        "",
        "          0    10   20   30   40   50   60   70   80   90  100",
        "          |----|----|----|----|----|----|----|----|----|----|",
        "          " + "." * 51,
        "",
    ]


def _recovery_databases(
    world: Any, host: str, base: str, system_path: str, d: str | None
) -> list[str]:
    """/d DIR: every .edb there; otherwise the databases the checkpoint records attached
    (each must exist on this host, else -1216)."""
    hosts = world.hosts
    if d:
        try:
            files = hosts.list_files(host, _mount_point(hosts, host, d))
        except ApprmError as exc:
            raise ExchangeError(f"{d}: {exc}", jet=-1811) from None
        prefix = d.rstrip("\\").upper() + "\\"
        return [
            p
            for p in files
            if p.upper().startswith(prefix)
            and p.lower().endswith(".edb")
            and "\\" not in p[len(prefix) :]
        ]
    from apprm_ref.sim.exchange.ese import EseFiles

    chk = system_path.rstrip("\\") + f"\\{base}.chk"
    attached = list(EseFiles(hosts, host).attachments(chk))
    missing = [p for p in attached if not hosts.file_exists(host, p)]
    if missing:
        raise ExchangeError(f"attached database {missing[0]} is missing", jet=-1216)
    return attached


def _mount_point(hosts: Any, host: str, directory: str) -> str:
    mnt, _ = hosts.mount_of(host, directory.rstrip("\\") + "\\x")
    return str(mnt.mount_point)
