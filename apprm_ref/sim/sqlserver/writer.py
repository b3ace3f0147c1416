"""The SQL Server writer (``SqlServerWriter``, the SQL Writer service) over the simulated
instances of a host, on the VSS simulator's writer interface (``apprm_ref.sim.vss.writers``).

Layout (sap-vss-addendum.md VSS-2, a real WMD of SQL 2017; the same layout for SQL 2005 is
inferred): writer ID ``a65faa63-5ea8-4ebc-9dbd-a0c4db26912a``, instance name
``<version>:SQLWriter``, ``backupSchema="881"`` (DIFFERENTIAL|COPY|TIMESTAMPED|LAST_MODIFY|
NEW_TARGET|RESTORE_WITH_MOVE: no INCREMENTAL, no LOG bit, so an incremental request degrades
to FULL, VC-P7), restore method ``RESTORE_IF_CAN_BE_REPLACED`` with ``writerRestore="always"``,
and **one FILE_GROUP per database**: logical path the server name (``HOST`` or
``HOST\\INSTANCE``), component name the database, ``componentFlags="2"``
(app-rollback recovery), selectable for backup and restore, notified on BackupComplete, the
``.mdf`` and the ``.ldf`` both ``FILE_LIST`` entries of it.

What each event does (the VDI "BACKUP DATABASE ... WITH SNAPSHOT" the real writer issues):
PrepareForSnapshot checks the set holds every volume of each selected database (else
``VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT``, VSS-14); Freeze flushes the log and freezes I/O
(3197), taking ``freeze_stall`` seconds of simulated time when a drill makes the writer
hang; Thaw, Abort and BackupShutdown resume it (3198); PostSnapshot writes the backup stamp and metadata of
each component and logs 18264; BackupComplete records the backup history of a FULL (never of
a COPY, VC-I9; SQL Server does not truncate its log on a snapshot backup). PreRestore takes
the selected databases offline (their files closed); PostRestore runs recovery
(``WITH RECOVERY``) when the files were restored and no more restores follow, leaves the
database RESTORING (``WITH NORECOVERY``) when they do, and brings the old files back online
when nothing was restored.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from apprm_ref.errors import ApprmError
from apprm_ref.sim.sqlserver import formats as F
from apprm_ref.sim.vss.models import (
    Component,
    FileRestoreStatus,
    FileSpec,
    RestoreMethod,
    WriterMetadata,
)
from apprm_ref.sim.vss.writers import Event, WriterContext

SQL_WRITER_ID = "a65faa63-5ea8-4ebc-9dbd-a0c4db26912a"
SQL_WRITER_NAME = "SqlServerWriter"
SQL_WRITER_SERVICE = "SQLWriter"
SQL_SCHEMA = 881  # 0x371
APP_ROLLBACK_RECOVERY = 0x2


def _split(path: str) -> tuple[str, str]:
    folder, _, name = path.rpartition("\\")
    return folder or path[:3], name


@dataclass(frozen=True)
class SqlServerWriter:
    """The host's SQL writer: every SQL Server instance of ``host`` in ``world``."""

    world: Any
    host: str

    @property
    def key(self) -> str:
        return f"{SQL_WRITER_ID}/{SQL_WRITER_NAME}"

    @property
    def service(self) -> str:
        return SQL_WRITER_SERVICE

    def instances(self) -> list[Any]:
        return [
            self.world.apps[n]
            for n in sorted(self.world.apps)
            if getattr(self.world.apps[n], "kind", "") == "mssql"
            and self.world.apps[n].host == self.host
        ]

    # --- Identify ---------------------------------------------------------------------------

    def on_identify(self, ctx: WriterContext) -> WriterMetadata:
        comps = []
        version = "Microsoft SQL Server 2005"
        for inst in self.instances():
            version = inst.version
            for name in sorted(inst.databases):
                db = inst.databases[name]
                files = tuple(FileSpec(*_split(p)) for p in (db.data_path, db.log_path))
                comps.append(
                    Component(
                        inst.server_name,
                        name,
                        files=files,
                        notify_on_backup_complete=True,
                        flags=APP_ROLLBACK_RECOVERY,
                    )
                )
        return WriterMetadata(
            SQL_WRITER_ID,
            SQL_WRITER_NAME,
            usage="USER_DATA",
            data_source="TRANSACTION_DB",
            instance_name=f"{version}:SQLWriter",
            components=tuple(comps),
            restore_method=RestoreMethod.RESTORE_IF_CAN_REPLACE,
            writer_restore="always",
            service=SQL_WRITER_SERVICE,
            backup_schema=SQL_SCHEMA,
        )

    # --- the other events -------------------------------------------------------------------

    def handle(self, ctx: WriterContext) -> bool:
        step = _STEPS.get(ctx.event)
        if step is None:
            return True
        try:
            return step(self, ctx)
        except ApprmError as exc:  # a handler never throws: the server's error is a veto
            self._log_all(f"SQLWriter: {ctx.event.value} failed: {exc.message}")
            ctx.set_writer_failure("VSS_E_WRITERERROR_NONRETRYABLE")
            return False

    def _selected(self, ctx: WriterContext) -> list[tuple[Any, str, Any]]:
        """(instance, database name, BCD component) of each selected component."""
        by_server = {inst.server_name: inst for inst in self.instances()}
        out = []
        for comp in ctx.components:
            inst = by_server.get(comp.logical_path)
            if inst is not None and comp.name in inst.databases:
                out.append((inst, comp.name, comp))
        return out

    def _log_all(self, text: str) -> None:
        for inst in self.instances():
            inst.log(text)

    def prepare_snapshot(self, ctx: WriterContext) -> bool:
        """Every volume holding a selected database's files must be in the set (VSS-14)."""
        hosts = self.world.hosts
        in_set = {v.upper().rstrip("\\") for v in ctx.volumes}
        for inst, name, _comp in self._selected(ctx):
            db = inst.databases[name]
            for path in (db.data_path, db.log_path):
                mp = hosts.mount_of(self.host, path)[0].mount_point
                if mp.upper().rstrip("\\") not in in_set:
                    inst.log(f"SQLWriter: {path} of {name} is on {mp}, not in the snapshot set")
                    ctx.set_writer_failure("VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT")
                    return False
        return True

    def freeze(self, ctx: WriterContext) -> bool:
        for inst, name, _comp in self._selected(ctx):
            inst.freeze(name)
            if inst.freeze_stall:
                ctx.stall(inst.freeze_stall)
        return True

    def thaw(self, ctx: WriterContext) -> bool:
        for inst in self.instances():
            for name in sorted(inst.databases):
                inst.thaw(name)
        return True

    def post_snapshot(self, ctx: WriterContext) -> bool:
        for inst, name, comp in self._selected(ctx):
            db = inst.databases[name]
            stamp = f"{db.guid}:{db.flushed_lsn}:{ctx.now:.0f}"
            comp.backup_stamp = base64.b64encode(stamp.encode()).decode()
            comp.metadata = base64.b64encode(
                f"{name}:{F.lsn_text(db.flushed_lsn)}".encode()
            ).decode()
            inst.log(
                f"Database backed up. Database: {name}, creation date(time): 2008/03/01(00:00:00), "
                f"pages dumped: {db.pages}, first LSN: {F.lsn_text(db.truncate_lsn)}, last LSN: "
                f"{F.lsn_text(db.flushed_lsn)}, number of dump devices: 1, device information: "
                f"(FILE=1, TYPE=VIRTUAL_DEVICE: {{'{{{db.guid}}}1'}}). This is an informational "
                "message only. No user action is required."
            )
        return True

    def backup_complete(self, ctx: WriterContext) -> bool:
        from apprm_ref.sim.vss.models import BackupType

        if ctx.backup_type == BackupType.COPY:
            return True  # a copy-only backup leaves the backup history alone (VC-I9)
        for inst, name, comp in self._selected(ctx):
            if comp.backup_succeeded:
                inst.backup_history.append((ctx.now, name, ctx.backup_type.xml))
        return True

    def pre_restore(self, ctx: WriterContext) -> bool:
        for inst, name, _comp in self._selected(ctx):
            if inst.databases[name].open:
                inst.set_offline(name)
        return True

    def post_restore(self, ctx: WriterContext) -> bool:
        for inst, name, comp in self._selected(ctx):
            status = comp.file_restore_status
            if status == FileRestoreStatus.ALL and comp.additional_restores:
                inst.set_restoring(name)
            elif status in (FileRestoreStatus.ALL, FileRestoreStatus.NONE):
                inst.databases[name].state = "ONLINE"
                inst.set_online(name)
            # FAILED: the files are partly written; the database stays offline
        return True


_STEPS = {
    Event.PREPARE_FOR_SNAPSHOT: SqlServerWriter.prepare_snapshot,
    Event.FREEZE: SqlServerWriter.freeze,
    Event.THAW: SqlServerWriter.thaw,
    Event.ABORT: SqlServerWriter.thaw,
    # the VDI session ends with the operation: the server resumes any I/O still frozen
    # (a Thaw the writer never got, e.g. after a failure of the service's delivery)
    Event.BACKUP_SHUTDOWN: SqlServerWriter.thaw,
    Event.POST_SNAPSHOT: SqlServerWriter.post_snapshot,
    Event.BACKUP_COMPLETE: SqlServerWriter.backup_complete,
    Event.PRE_RESTORE: SqlServerWriter.pre_restore,
    Event.POST_RESTORE: SqlServerWriter.post_restore,
}
