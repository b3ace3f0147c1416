"""Creation-time layout of a simulated Oracle database and the commit record tests check.

The layout is only the recipe used by ``CREATE DATABASE``; once created, the database reads
its structure back from its own files (SPFILE -> control files -> datafiles and logs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.persist import persistable

# instance states (V$INSTANCE.STATUS, with SHUTDOWN for "no instance")
SHUTDOWN = "SHUTDOWN"
STARTED = "STARTED"  # NOMOUNT
MOUNTED = "MOUNTED"
OPEN = "OPEN"

SHUTDOWN_MODES = ("NORMAL", "IMMEDIATE", "TRANSACTIONAL", "ABORT")


@persistable("oracle.DatafileSpec")
@dataclass(frozen=True)
class DatafileSpec:
    tablespace: str
    path: str
    blocks: int = 8  # block 0 is the header


@persistable("oracle.LogGroupSpec")
@dataclass(frozen=True)
class LogGroupSpec:
    members: tuple[str, ...]
    blocks: int = 16  # block 0 is the header; one redo batch per block


@persistable("oracle.Layout")
@dataclass(frozen=True)
class OracleLayout:
    """Where the files of one database go on its host's filesystems."""

    spfile: str
    control_files: tuple[str, ...]
    datafiles: tuple[DatafileSpec, ...]
    log_groups: tuple[LogGroupSpec, ...]
    archive_dest: str  # directory on a mounted filesystem
    tables: tuple[tuple[str, str], ...] = ()  # (table, tablespace)
    archive_format: str = "%t_%s_%r.arc"
    log_mode: str = "ARCHIVELOG"
    cf_blocks: int = 16

    @property
    def tablespaces(self) -> tuple[str, ...]:
        seen: list[str] = []
        for df in self.datafiles:
            if df.tablespace not in seen:
                seen.append(df.tablespace)
        return tuple(seen)


def simple_layout(
    *,
    data_mount: str = "/oradata",
    redo_mount: str = "/oractl",
    arch_mount: str = "/oraarch",
    tablespaces: tuple[str, ...] = ("SYSTEM", "USERS"),
    files_per_ts: int = 1,
    blocks: int = 8,
    groups: int = 3,
    log_blocks: int = 8,
    spfile_mount: str | None = None,
) -> OracleLayout:
    """The usual split: datafiles on one filesystem, control files and redo on another,
    archives on a third (not replicated by default), one table per tablespace (``T_<ts>``)."""
    dfs = tuple(
        DatafileSpec(ts, f"{data_mount}/{ts.lower()}{i + 1:02d}.dbf", blocks)
        for ts in tablespaces
        for i in range(files_per_ts)
    )
    logs = tuple(
        LogGroupSpec((f"{redo_mount}/redo{g + 1:02d}a.log",), log_blocks) for g in range(groups)
    )
    return OracleLayout(
        spfile=f"{spfile_mount or redo_mount}/spfile.ora",
        control_files=(f"{redo_mount}/control01.ctl", f"{redo_mount}/control02.ctl"),
        datafiles=dfs,
        log_groups=logs,
        archive_dest=arch_mount,
        tables=tuple((f"T_{ts}", ts) for ts in tablespaces),
    )


@persistable("oracle.Commit")
@dataclass(frozen=True)
class Commit:
    """One committed transaction: its SCN, time and row operations."""

    scn: int
    time: float
    ops: tuple[tuple[Any, ...], ...]  # ("insert"|"update"|"delete", table, key[, value])


def fold(commits: list[Commit], below_scn: int | None = None) -> dict[str, dict[str, Any]]:
    """Committed data after the commits with SCN < ``below_scn`` (all if None)."""
    data: dict[str, dict[str, Any]] = {}
    for c in commits:
        if below_scn is not None and c.scn >= below_scn:
            continue
        for op in c.ops:
            rows = data.setdefault(op[1], {})
            if op[0] == "delete":
                rows.pop(op[2], None)
            else:
                rows[op[2]] = op[3]
    return {t: dict(sorted(r.items())) for t, r in sorted(data.items()) if r}


@persistable("oracle.History")
@dataclass(eq=False)
class History:
    """Test/drill oracle: every commit the database acknowledged (not used by the engine)."""

    commits: list[Commit] = field(default_factory=list)
